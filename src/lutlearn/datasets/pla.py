"""Espresso PLA files: the examples format of logic synthesis, read and written.

The IWLS "learning from examples" contests give training and validation sets
as single-output Espresso PLA files, one fully specified example per row::

    .i 4
    .o 1
    .p 3
    .type fr
    0101 1
    1100 0
    0000 1
    .e

:func:`read_pla` reads exactly that, the examples lutlearn learns from:
``.i`` (number of inputs) and ``.o`` (must be 1) before the first row;
optional ``.p`` (number of rows, checked when given), ``.type`` (``f`` or
``fr``), ``.ilb``/``.ob`` (names, kept) and ``.e`` (end; anything after it is
ignored); ``#`` starts a comment. Each row is the input bits (``0``/``1``),
then the output bit; whitespace between them is optional. A file lutlearn
cannot learn from exactly is refused with a :class:`PlaFormatError` naming
the file and line: don't-care (``-``) inputs, don't-care outputs, several
outputs, or anything malformed.

Multi-output files
------------------
:func:`read_multi_pla` reads the wider format of multi-output Espresso files
(arithmetic circuits, control logic) into a :class:`MultiPla`::

    .i 3
    .o 2
    .ilb a b c
    .ob f g
    .type fd
    011 1-
    101 ~0
    .e

``.o N`` gives ``N >= 1`` outputs and each row ends with ``N`` output
characters: ``0`` and ``1``, and ``-`` or ``~`` (``2`` is read as ``-``) for
an output the row leaves unspecified, a don't-care; ``.type`` is ``f``,
``fr``, ``fd`` or ``fdr`` (every type reads the characters the same way:
``1`` is in the output's on-set, ``0`` in its off-set, ``-``/``~`` in
neither). ``.ob`` names the ``N`` outputs and ``.ilb`` the inputs (each
checked against ``.o`` and ``.i``). The result holds ``Y``, of shape
``(n_examples, n_outputs)`` (0 at a don't-care), and the boolean mask
``care``, False at the don't-cares. Inputs must still be ``0``/``1``: a
don't-care input (``-`` or ``2``) is refused with its line and column, as
examples are fully specified, unless ``dont_care_inputs=True``, which reads
such rows as cubes (0 in ``X``, False in ``MultiPla.input_care``).
:func:`read_pla` stays the strict single-output reader (the learners need
one fully specified output); a single-output file reads alike through both,
and :attr:`MultiPla.y` gives its output column.

:func:`write_pla` writes single-output files as before (byte for byte), and
multi-output ones when given a 2-D ``Y``, with ``-`` where ``care`` is False
(always ``.type fr``), which :func:`read_multi_pla` reads back.

The functions at the end generate examples of known Boolean functions
(parity, majority, comparator) for tests and demonstrations.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

import numpy as np

from lutlearn._files import atomic_writer, require_regular_file
from lutlearn.datasets._sniff import _looks_like, describe_file

__all__ = [
    "FUNCTIONS", "MultiPla", "Pla", "PlaFormatError", "function_examples", "read_multi_pla", "read_pla",
    "read_pla_pair", "write_pla",
]


class PlaFormatError(ValueError):
    """A PLA file is malformed or uses a feature lutlearn does not support."""


@dataclass
class Pla:
    """The examples of a single-output PLA file.

    Attributes
    ----------
    X : uint8 ndarray of shape (n_examples, n_inputs)
        Input bits.
    y : uint8 ndarray of shape (n_examples,)
        Output bit of each example.
    input_names, output_names : list of str
        From ``.ilb`` and ``.ob`` (empty when absent).
    """

    X: np.ndarray
    y: np.ndarray
    input_names: list[str] = field(default_factory=list)
    output_names: list[str] = field(default_factory=list)


@dataclass
class MultiPla:
    """The examples of a PLA file of one or more outputs, some of them don't-cares (:func:`read_multi_pla`).

    Attributes
    ----------
    X : uint8 ndarray of shape (n_examples, n_inputs)
        Input bits (0 at a don't-care input, read only with ``dont_care_inputs=True``).
    Y : uint8 ndarray of shape (n_examples, n_outputs)
        Output bits, 0 where the output is a don't-care.
    care : bool ndarray of shape (n_examples, n_outputs)
        False where the row leaves the output unspecified (``-`` or ``~``).
    input_names, output_names : list of str
        From ``.ilb`` and ``.ob`` (empty when absent).
    pla_type : str or None
        The ``.type`` directive's value (``f``, ``fr``, ``fd``, ``fdr``), None when absent.
    input_care : bool ndarray of shape (n_examples, n_inputs) or None
        False at don't-care inputs; None unless the file was read with ``dont_care_inputs=True``.
    """

    X: np.ndarray
    Y: np.ndarray
    care: np.ndarray
    input_names: list[str] = field(default_factory=list)
    output_names: list[str] = field(default_factory=list)
    pla_type: str | None = None
    input_care: np.ndarray | None = None

    @property
    def n_outputs(self) -> int:
        """Number of outputs (``.o``)."""
        return self.Y.shape[1]

    @property
    def y(self) -> np.ndarray:
        """The output bits of a single-output file with no don't-care, as :attr:`Pla.y`.

        Raises
        ------
        ValueError
            If the file has several outputs or a don't-care output (use ``Y`` and ``care``).
        """
        if self.Y.shape[1] != 1:
            raise ValueError(f"y is the output of a single-output PLA file; this one has {self.Y.shape[1]} "
                             "outputs (use Y and care)")
        if not self.care.all():
            raise ValueError(f"y needs every output given; {int((~self.care).sum())} examples have a don't-care "
                             "output (use Y and care)")
        return self.Y[:, 0].copy()


def _directive_int(where: str, words: list[str]) -> int:
    if len(words) != 2 or not words[1].isdigit():
        raise PlaFormatError(f"{where}: '{words[0]}' needs one non-negative integer, got {' '.join(words)!r}")
    return int(words[1])


def read_pla(path: str | os.PathLike) -> Pla:
    """Read a single-output, fully specified Espresso PLA file.

    Parameters
    ----------
    path : str or path-like
        The ``.pla`` file.

    Returns
    -------
    Pla
        Input bits ``X`` and outputs ``y`` (uint8 0/1), and any names.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    PlaFormatError
        If the file is malformed, has several outputs, or don't-care values
        (the message names the line), is not a regular file (a folder,
        FIFO, device: refused before it is opened), or is plainly something
        else (an AIGER circuit, compressed data, an archive, an image: the
        message says what).
    """
    p = _parse(path, multi=False, dont_care_inputs=False)
    return Pla(X=p.X, y=np.ascontiguousarray(p.Y[:, 0]), input_names=p.input_names, output_names=p.output_names)


def read_multi_pla(path: str | os.PathLike, dont_care_inputs: bool = False) -> MultiPla:
    """Read an Espresso PLA file of one or more outputs, with don't-care outputs (see the module docstring).

    Parameters
    ----------
    path : str or path-like
        The ``.pla`` file.
    dont_care_inputs : bool, default=False
        Read ``-`` (or ``2``) inputs as don't-cares (0 in ``X``, False in
        ``input_care``) instead of refusing them: for describing a file of
        cubes, not for learning (examples must be fully specified).

    Returns
    -------
    MultiPla
        Input bits ``X``, outputs ``Y`` and their ``care`` mask, the names and the type.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    PlaFormatError
        If the file is malformed (the message names the line): a row of the
        wrong width, a character other than ``0``/``1`` among the inputs (or
        ``-`` when allowed) or other than ``0``/``1``/``-``/``~`` among the
        outputs, ``.o 0``, a ``.p``, ``.ilb`` or ``.ob`` that does not match,
        or a file that is plainly something else (as :func:`read_pla`).
    """
    return _parse(path, multi=True, dont_care_inputs=dont_care_inputs)


#: Directives a PLA file gives at most once.
_ONCE = (".i", ".o", ".p", ".type", ".ilb", ".ob")
#: The ``.type`` values each reader accepts.
_TYPES = {False: ("f", "fr"), True: ("f", "fr", "fd", "fdr")}


@dataclass
class _Header:
    """What the directives of a PLA file said so far."""

    n_in: int | None = None
    n_out: int | None = None
    n_rows: int | None = None
    pla_type: str | None = None
    ilb: list[str] = field(default_factory=list)
    ob: list[str] = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict)


def _lines(path):
    """``(where, line, lineno)`` of each line of the PLA file at ``path`` holding more than a comment, stripped."""
    with open(path, "rb") as fh:
        what = _looks_like(fh.read(4096))
    if what not in (None, "a PLA file of examples"):
        raise PlaFormatError(f"{path}: not a PLA file (it looks like {describe_file(path)})")
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            where = f"{path}, line {lineno}"
            try:
                line = raw.decode("ascii")
            except UnicodeDecodeError:
                raise PlaFormatError(f"{where}: not an ASCII text line") from None
            line = line.split("#", 1)[0].strip()
            if line:
                yield where, line, lineno


def _directive(h: _Header, where: str, line: str, lineno: int, multi: bool) -> bool:
    """Record the directive ``line`` in ``h``; True when it ends the file (``.e``)."""
    words = line.split()
    key = words[0]
    if key in h.seen:  # a second '.i' would change the row width half-way (rows no longer fit)
        raise PlaFormatError(f"{where}: a second {key!r} directive (the first is on line {h.seen[key]})")
    if key in _ONCE:
        h.seen[key] = lineno
    if key == ".i":
        h.n_in = _directive_int(where, words)
        if h.n_in == 0:
            raise PlaFormatError(f"{where}: '.i 0': a PLA file needs at least one input")
    elif key == ".o":
        h.n_out = _directive_int(where, words)
        if not multi and h.n_out != 1:
            raise PlaFormatError(
                f"{where}: '.o {h.n_out}': only single-output PLA files are supported "
                "(split a multi-output file into one file per output)"
            )
        if h.n_out == 0:
            raise PlaFormatError(f"{where}: '.o 0': a PLA file needs at least one output")
    elif key == ".p":
        h.n_rows = _directive_int(where, words)
    elif key == ".type":
        if len(words) != 2 or words[1] not in _TYPES[multi]:
            if not multi:
                raise PlaFormatError(
                    f"{where}: {line!r}: only '.type f' and '.type fr' are supported (fully specified examples)"
                )
            raise PlaFormatError(f"{where}: {line!r}: the types read are '.type f', 'fr', 'fd' and 'fdr'")
        h.pla_type = words[1]
    elif key == ".ilb":
        h.ilb = words[1:]
    elif key == ".ob":
        h.ob = words[1:]
    elif key in (".e", ".end"):
        return True
    else:
        raise PlaFormatError(f"{where}: unsupported directive {key!r}")
    return False


def _row(h: _Header, where: str, line: str, multi: bool, dont_care_inputs: bool) -> tuple[str, str]:
    """The input and output characters of the example row ``line``, checked."""
    if h.n_in is None or h.n_out is None:
        raise PlaFormatError(f"{where}: example row before the '.i' and '.o' directives")
    bits = "".join(line.split())
    if len(bits) != h.n_in + h.n_out:
        raise PlaFormatError(f"{where}: row has {len(bits)} values, expected {h.n_in} inputs and {h.n_out} "
                             f"output{'s' if h.n_out != 1 else ''}")
    inp, out = bits[:h.n_in], bits[h.n_in:]
    allowed = "01-2" if dont_care_inputs else "01"
    if not set(inp) <= set(allowed):
        ch = next(c for c in inp if c not in allowed)
        if ch in "-~2" and not dont_care_inputs:
            raise PlaFormatError(
                f"{where}: don't-care input {ch!r} at column {inp.index(ch) + 1}: "
                "lutlearn learns from fully specified examples (0/1 inputs only)"
            )
        expected = "0, 1 or -" if dont_care_inputs else "0 or 1"
        raise PlaFormatError(f"{where}: invalid input value {ch!r} (inputs must be {expected})")
    if not multi and out not in "01":
        kind = "don't-care output" if out in "-~2" else "invalid output value"
        raise PlaFormatError(f"{where}: {kind} {out!r} (the output must be 0 or 1)")
    if not set(out) <= set("01-~2"):
        j, ch = next((j, c) for j, c in enumerate(out) if c not in "01-~2")
        raise PlaFormatError(f"{where}: invalid output value {ch!r} at output {j + 1} "
                             "(outputs are 0, 1, or - or ~ for a don't-care)")
    return inp, out


def _parse(path, multi: bool, dont_care_inputs: bool) -> MultiPla:
    """The rows and directives of a PLA file, checked (``multi=False``: the single-output rules of :func:`read_pla`)."""
    path = require_regular_file(path, PlaFormatError)
    h = _Header()
    ins: list[bytes] = []
    outs: list[bytes] = []
    for where, line, lineno in _lines(path):
        if line.startswith("."):
            if _directive(h, where, line, lineno, multi):
                break
            continue
        inp, out = _row(h, where, line, multi, dont_care_inputs)
        ins.append(inp.encode("ascii"))
        outs.append(out.encode("ascii"))
    if h.n_in is None or h.n_out is None:
        raise PlaFormatError(f"{path}: missing '.i' or '.o' directive; is this a PLA file?")
    if not ins:
        raise PlaFormatError(f"{path}: no example rows")
    if h.n_rows is not None and h.n_rows != len(ins):
        raise PlaFormatError(f"{path}: '.p {h.n_rows}' but the file has {len(ins)} example rows")
    if h.ilb and len(h.ilb) != h.n_in:
        raise PlaFormatError(f"{path}: '.ilb' names {len(h.ilb)} inputs but '.i' is {h.n_in}")
    if multi and h.ob and len(h.ob) != h.n_out:
        raise PlaFormatError(f"{path}: '.ob' names {len(h.ob)} outputs but '.o' is {h.n_out}")
    chars_in = np.frombuffer(b"".join(ins), dtype=np.uint8).reshape(len(ins), h.n_in)
    chars_out = np.frombuffer(b"".join(outs), dtype=np.uint8).reshape(len(outs), h.n_out)
    return MultiPla(
        X=(chars_in == ord("1")).astype(np.uint8), Y=(chars_out == ord("1")).astype(np.uint8),
        care=(chars_out == ord("0")) | (chars_out == ord("1")), input_names=h.ilb, output_names=h.ob,
        pla_type=h.pla_type,
        input_care=((chars_in == ord("0")) | (chars_in == ord("1"))) if dont_care_inputs else None,
    )


def read_pla_pair(train: str | os.PathLike, valid: str | os.PathLike | None = None):
    """``(X_train, y_train, X_valid, y_valid)`` from a training and an optional validation PLA file.

    The validation part is None when ``valid`` is None; both files must have
    the same number of inputs.
    """
    tr = read_pla(train)
    if valid is None:
        return tr.X, tr.y, None, None
    va = read_pla(valid)
    if va.X.shape[1] != tr.X.shape[1]:
        raise PlaFormatError(f"{valid} has {va.X.shape[1]} inputs but {train} has {tr.X.shape[1]}")
    return tr.X, tr.y, va.X, va.y


def _outputs(X: np.ndarray, y, care) -> tuple[np.ndarray, np.ndarray]:
    """``(Y, care)`` of shape (n_examples, n_outputs) from a 1-D or 2-D ``y`` and an optional ``care`` mask."""
    y = np.asarray(y)
    Y = y if y.ndim == 2 and y.shape[0] == X.shape[0] else y.ravel()[:, None]
    if X.ndim != 2 or X.shape[0] != Y.shape[0] or X.shape[0] == 0 or X.shape[1] == 0 or Y.shape[1] == 0:
        raise ValueError(f"expected X of shape (n, d) and y of shape (n,) or (n, m), n, d, m > 0; got {X.shape} "
                         f"and {y.shape}")
    mask = np.ones(Y.shape, bool) if care is None else np.asarray(care)
    if mask.dtype != bool or mask.size != Y.size:
        raise ValueError(f"care must be a boolean mask of the shape of y {y.shape}; got {mask.dtype} {mask.shape}")
    mask = mask.reshape(Y.shape)
    if not (np.isin(X, (0, 1)).all() and np.isin(Y[mask], (0, 1)).all()):
        raise ValueError("PLA examples must be 0/1 inputs with 0/1 outputs")
    return Y, mask


def write_pla(path: str | os.PathLike, X, y, input_names=None, output_name=None, *, care=None,
              output_names=None) -> None:
    """Write examples as a ``.type fr`` PLA file of one or more outputs, atomically.

    Parameters
    ----------
    path : str or path-like
        File to write (replaced only once it is complete).
    X : array-like of shape (n_examples, n_inputs)
        Input bits, 0/1.
    y : array-like of shape (n_examples,) or (n_examples, n_outputs)
        Output bits, 0/1: one output, or several (``.o n_outputs``).
    input_names : list of str, optional
        Written as ``.ilb``.
    output_name : str, optional
        Written as ``.ob`` (a single-output file).
    care : bool array-like of the shape of ``y``, optional
        False where the output is a don't-care, written ``-`` (its ``y`` is
        then not looked at). Default: every output given.
    output_names : list of str, optional
        Written as ``.ob``: one name per output (instead of ``output_name``).
    """
    X = np.asarray(X)
    Y, mask = _outputs(X, y, care)
    if output_name is not None and output_names is not None:
        raise ValueError("give output_name (one output) or output_names, not both")
    names = None if output_name is None and output_names is None else (
        [output_name] if output_name is not None else list(output_names))
    if names is not None and len(names) != Y.shape[1]:
        raise ValueError(f"{len(names)} output names for {Y.shape[1]} outputs")
    if input_names is not None and len(input_names) != X.shape[1]:
        raise ValueError(f"{len(input_names)} input names for {X.shape[1]} inputs")
    for label in [*(input_names or []), *(names or [])]:
        if not re.fullmatch(r"[!-~]+", str(label)) or "#" in str(label):
            raise ValueError(f"PLA name {str(label)!r}: names are printable ASCII without spaces or '#'")
    (n, d), m = X.shape, Y.shape[1]
    body = np.empty((n, d + m + 2), dtype=np.uint8)
    body[:, :d] = X.astype(np.uint8) + ord("0")
    body[:, d] = ord(" ")
    body[:, d + 1:d + 1 + m] = np.where(mask, Y.astype(np.uint8) + ord("0"), ord("-"))
    body[:, d + 1 + m] = ord("\n")
    head = [f".i {d}", f".o {m}"]
    if input_names is not None:
        head.append(".ilb " + " ".join(input_names))
    if names is not None:
        head.append(".ob " + " ".join(names))
    head += [f".p {n}", ".type fr", ""]
    with atomic_writer(path) as fh:
        fh.write("\n".join(head).encode("ascii") + body.tobytes() + b".e\n")


# ----------------------------------------------------------------- generated
def _parity(X: np.ndarray) -> np.ndarray:
    return X.sum(axis=1) % 2


def _majority(X: np.ndarray) -> np.ndarray:
    return (2 * X.sum(axis=1) > X.shape[1]).astype(np.uint8)


def _comparator(X: np.ndarray) -> np.ndarray:
    """1 when the first half of the bits, read as a binary number (MSB first), exceeds the second half."""
    h = X.shape[1] // 2
    a, b = X[:, :h], X[:, h:]
    diff = np.argmax(a != b, axis=1)  # first differing bit, MSB first
    rows = np.arange(X.shape[0])
    differs = (a != b).any(axis=1)
    return (differs & (a[rows, diff] > b[rows, diff])).astype(np.uint8)


#: Known Boolean functions of ``n`` bits, by name, for :func:`function_examples`.
FUNCTIONS = {"parity": _parity, "majority": _majority, "comparator": _comparator}


def function_examples(spec: str, n_examples: int, random_state: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Random examples of a known Boolean function, named ``NAME:N``.

    Parameters
    ----------
    spec : str
        ``parity:N`` (XOR of ``N`` bits), ``majority:N`` (1 when more than
        half of ``N`` bits are 1) or ``comparator:N`` (``N`` even: 1 when the
        first ``N/2`` bits, as a binary number with the most significant bit
        first, are greater than the last ``N/2``).
    n_examples : int
        Number of examples, drawn uniformly (with replacement).
    random_state : int, default=0
        Seed of the draw.

    Returns
    -------
    X : uint8 ndarray of shape (n_examples, N)
    y : uint8 ndarray of shape (n_examples,)
    """
    name, _, n_text = spec.partition(":")
    if name not in FUNCTIONS or not n_text.isdigit() or int(n_text) < 1:
        raise ValueError(f"unknown function {spec!r}: use NAME:N with NAME one of {sorted(FUNCTIONS)}")
    n = int(n_text)
    if name == "comparator" and n % 2:
        raise ValueError(f"{spec!r}: a comparator needs an even number of bits")
    rng = np.random.default_rng(random_state)
    X = rng.integers(0, 2, size=(n_examples, n), dtype=np.uint8)
    return X, FUNCTIONS[name](X).astype(np.uint8)
