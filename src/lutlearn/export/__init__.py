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

For FPGAs, the Verilog can be pipelined (``pipeline``), wrapped in a top
level that shifts the inputs in (``word_width``, :mod:`lutlearn.export.top`,
which also writes testbenches with golden vectors), preceded by the
encoder of a ``Pipeline`` as comparators (:mod:`lutlearn.export.encoder`),
and synthesised, placed and routed (:mod:`lutlearn.export.fpga`).
"""

from __future__ import annotations

import os
from pathlib import Path

from lutlearn._files import atomic_writer
from lutlearn.core.training import effective_params
from lutlearn.export._pipeline import split_pipeline
from lutlearn.export.aiger import Aig, read_aiger
from lutlearn.export.blif import write_blif
from lutlearn.export.c import write_c
from lutlearn.export.netlist import LutNetlist
from lutlearn.export.verilog import score_shape, write_verilog

__all__ = [
    "FORMATS", "Aig", "LutNetlist", "design_shape", "export_model", "format_from_path", "read_aiger", "render",
    "split_pipeline",
]

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


def design_shape(
    model, net: LutNetlist | None = None, pipeline: int = 0, arithmetic: str = "vectors", feature_bits: int = 8,
) -> tuple[int, int]:
    """``(input bits, pipeline registers)`` of the Verilog module :func:`render` writes for ``model``.

    With an encoder the inputs are the raw features (``feature_bits`` each)
    and, pipelined, a register follows the comparators.
    """
    from lutlearn.export.encoder import InputEncoder
    from lutlearn.export.verilog import pipeline_registers

    encoder, clf = split_pipeline(model)
    net = net if net is not None else LutNetlist.from_model(clf)
    n_regs = pipeline_registers(net, pipeline, arithmetic)
    if encoder is None:
        return net.n_inputs, n_regs
    return InputEncoder.from_encoder(encoder, feature_bits).n_raw_inputs, n_regs + (1 if pipeline else 0)


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
    arithmetic: str = "vectors", feature_bits: int = 8, scores: bool = False,
) -> bytes:
    """The circuit of a fitted model in format ``fmt`` (``c``, ``verilog``, ``blif``, ``aiger``), as bytes.

    Parameters
    ----------
    model : LutNetworkClassifier or Pipeline
        A fitted model; in Verilog, also a scikit-learn ``Pipeline`` of a
        fitted encoder and the model (:func:`split_pipeline`): the circuit
        then takes the raw features, ``feature_bits`` each, and computes the
        encoder's bits with comparators (:mod:`lutlearn.export.encoder`).
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
    feature_bits : int, default=8
        Verilog with an encoder: bits of each raw (unsigned integer) feature.
    scores : bool, default=False
        Verilog only, multi-class models with ``arithmetic="vectors"``: the
        class scores are outputs too (``scores`` of the core, registered
        ``score0 .. score<C-1>`` of the top level; widths from
        :func:`lutlearn.export.verilog.score_shape`).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    if with_main and fmt != "c":
        raise ValueError("--with-main applies to the C format only")
    if (pipeline or word_width is not None or scores) and fmt != "verilog":
        raise ValueError("--pipeline, --top and --scores apply to the Verilog format only")
    whole = model
    encoder, model = split_pipeline(model)
    if encoder is not None and fmt != "verilog":
        raise ValueError(
            f"a pipeline with its encoder ({type(encoder).__name__}) exports to Verilog only (comparators on the raw "
            f"features); the {fmt} format takes the network's input bits: export the network alone for it"
        )
    if net is None:
        net = LutNetlist.from_model(model)
    comment = _describe(model, net)
    if fmt == "c":
        return write_c(net, name or "lutlearn_predict", with_main=with_main, comment=comment).encode()
    if fmt == "verilog":
        name = name or "lutlearn_model"
        n_in, n_regs = design_shape(whole, net, pipeline, arithmetic, feature_bits)
        shape = score_shape(net, arithmetic) if scores else None
        if encoder is None:
            text = write_verilog(net, name, comment=comment, pipeline=pipeline, arithmetic=arithmetic, scores=scores)
        else:
            from lutlearn.export.encoder import (
                InputEncoder,
                check_exportable_encoder,
                write_encoded_model,
                write_encoder,
            )

            check_exportable_encoder(encoder, feature_bits)
            enc = InputEncoder.from_encoder(encoder, feature_bits)
            if enc.n_bits != net.n_inputs:
                raise ValueError(f"the encoder gives {enc.n_bits} bits, the model takes {net.n_inputs}")
            core = write_verilog(net, f"{name}_net", comment=comment, pipeline=pipeline, arithmetic=arithmetic,
                                 scores=scores)
            text = (
                write_encoded_model(enc, name, f"{name}_net", n_regs > (1 if pipeline else 0), pipeline > 0,
                                    net.n_outputs, shape[0] * shape[1] if shape else 0)
                + "\n" + write_encoder(enc, f"{name}_encoder") + "\n" + core
            )
        if word_width is not None:
            from lutlearn.export.top import write_top

            text += "\n" + write_top(name, n_in, net.n_outputs, n_regs, word_width, shape)
        return text.encode()
    if fmt == "blif":
        return write_blif(net, name or "lutlearn_model", comment=comment).encode()
    return Aig.from_netlist(net, progress=progress).to_bytes(binary=binary, comment=comment)


def export_model(
    model, path: str | os.PathLike, fmt: str | None = None, *, with_main: bool = False,
    name: str | None = None, net: LutNetlist | None = None, progress: bool = False, pipeline: int = 0,
    word_width: int | None = None, arithmetic: str = "vectors", feature_bits: int = 8, scores: bool = False,
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
            pipeline=pipeline, word_width=word_width, arithmetic=arithmetic, feature_bits=feature_bits,
            scores=scores,
        ))
