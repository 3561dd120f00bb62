"""A fitted lut network as a logic circuit: C, Verilog, BLIF and AIGER.

:func:`export_model` writes a fitted :class:`~lutlearn.LutNetworkClassifier`
as a circuit computing exactly its ``predict``. Only the output's cone is
exported, simplified (:mod:`lutlearn.export.netlist`); the circuit still
takes all ``n_features_in_`` inputs (unused ones unconnected) so it is a
drop-in replacement. Output bit ``b`` is bit ``b`` of the class index
(least significant first): a two-class model has one output, 1 meaning
``classes_[1]``. Multi-class models export their integer vote, adders and
comparators included, and compute ``predict`` exactly too.

Formats (one module each): ``c`` (:mod:`~lutlearn.export.c`), ``verilog``
(:mod:`~lutlearn.export.verilog`), ``blif`` (:mod:`~lutlearn.export.blif`)
and ``aiger`` (:mod:`~lutlearn.export.aiger`, binary ``.aig`` or ASCII
``.aag``). :mod:`lutlearn.export.tools` runs ABC, Yosys and friends when
they are installed.
"""

from __future__ import annotations

import os
from pathlib import Path

from lutlearn._files import atomic_writer
from lutlearn.export.aiger import Aig, read_aiger
from lutlearn.export.blif import write_blif
from lutlearn.export.c import write_c
from lutlearn.export.netlist import LutNetlist
from lutlearn.export.verilog import write_verilog
from lutlearn.training import effective_params

__all__ = ["FORMATS", "Aig", "LutNetlist", "export_model", "format_from_path", "read_aiger", "render"]

#: Export formats and the file suffixes that select them.
FORMATS: dict[str, tuple[str, ...]] = {
    "c": (".c",),
    "verilog": (".v", ".sv"),
    "blif": (".blif",),
    "aiger": (".aig", ".aag"),
}


def format_from_path(path: str | os.PathLike) -> str:
    """The export format a file name's suffix selects; ValueError when it selects none."""
    suffix = Path(path).suffix.lower()
    for fmt, suffixes in FORMATS.items():
        if suffix in suffixes:
            return fmt
    known = ", ".join(s for ss in FORMATS.values() for s in ss)
    raise ValueError(f"cannot tell the format of {path} from its suffix ({known}); give --format")


def _describe(model, net: LutNetlist) -> str:
    from lutlearn._version import __version__

    params = effective_params(model.get_params(), len(model.classes_))
    return (
        f"lutlearn {__version__} lut network: k={params['k']}, output_k={params['output_k'] or params['k']}, "
        f"hidden layers {list(params['hidden_layers'])}, "
        + (f"{params['n_output_luts']} voting output luts, " if model.network_.voting else "")
        + f"seed {model.seed_}; "
        f"{model.n_features_in_} inputs, {len(net.luts)} luts after pruning and simplification; "
        f"classes {[str(c) for c in model.classes_]}"
    )


def render(
    model, fmt: str, *, with_main: bool = False, name: str | None = None, binary: bool = True,
    net: LutNetlist | None = None, progress: bool = False, pipeline: int = 0, word_width: int | None = None,
    arithmetic: str = "vectors",
) -> bytes:
    """The circuit of a fitted model in format ``fmt`` (``c``, ``verilog``, ``blif``, ``aiger``), as bytes.

    Parameters
    ----------
    model : LutNetworkClassifier
        A fitted model.
    fmt : str
        One of :data:`FORMATS`.
    with_main : bool, default=False
        C only: add a ``main`` that classifies lines of 0/1 read from stdin.
    name : str, optional
        Name of the C function (default ``lutlearn_predict``) or of the
        Verilog/BLIF module (default ``lutlearn_model``).
    binary : bool, default=True
        AIGER only: binary ``aig`` (True) or ASCII ``aag``.
    net : LutNetlist, optional
        The model's netlist, if already built (``LutNetlist.from_model(model)``).
    progress : bool, default=False
        AIGER only: show a progress bar while the luts become AND gates.
    pipeline : int, default=0
        Verilog only: lut levels per pipeline stage (0: combinational; see
        :func:`~lutlearn.export.verilog.write_verilog`).
    word_width : int, optional
        Verilog only: add the top level ``NAME_top`` loading ``word_width``
        input bits per clock cycle (:func:`~lutlearn.export.top.write_top`).
    arithmetic : {"vectors", "luts"}, default="vectors"
        Verilog only: a multi-class vote's sums and argmax as ``+`` and ``>``
        on vectors (carry chains after synthesis) or as luts.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    if with_main and fmt != "c":
        raise ValueError("--with-main applies to the C format only")
    if (pipeline or word_width is not None) and fmt != "verilog":
        raise ValueError("--pipeline and --top apply to the Verilog format only")
    if net is None:
        net = LutNetlist.from_model(model)
    comment = _describe(model, net)
    if fmt == "c":
        return write_c(net, name or "lutlearn_predict", with_main=with_main, comment=comment).encode()
    if fmt == "verilog":
        name = name or "lutlearn_model"
        text = write_verilog(net, name, comment=comment, pipeline=pipeline, arithmetic=arithmetic)
        if word_width is not None:
            from lutlearn.export.top import write_top
            from lutlearn.export.verilog import pipeline_registers

            n_regs = pipeline_registers(net, pipeline, arithmetic)
            text += "\n" + write_top(name, net.n_inputs, net.n_outputs, n_regs, word_width)
        return text.encode()
    if fmt == "blif":
        return write_blif(net, name or "lutlearn_model", comment=comment).encode()
    return Aig.from_netlist(net, progress=progress).to_bytes(binary=binary, comment=comment)


def export_model(
    model, path: str | os.PathLike, fmt: str | None = None, *, with_main: bool = False,
    name: str | None = None, net: LutNetlist | None = None, progress: bool = False, pipeline: int = 0,
    word_width: int | None = None, arithmetic: str = "vectors",
) -> None:
    """Write a fitted model as a circuit file, atomically (format from ``fmt`` or the suffix).

    An AIGER file is binary unless its suffix is ``.aag``. See :func:`render`
    for the options.
    """
    fmt = fmt or format_from_path(path)
    binary = Path(path).suffix.lower() != ".aag"
    with atomic_writer(path) as fh:
        fh.write(render(
            model, fmt, with_main=with_main, name=name, binary=binary, net=net, progress=progress,
            pipeline=pipeline, word_width=word_width, arithmetic=arithmetic,
        ))
