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

lutlearn reads exactly that: ``.i`` (number of inputs) and ``.o`` (must be
1) before the first row; optional ``.p`` (number of rows, checked when
given), ``.type`` (``f`` or ``fr``), ``.ilb``/``.ob`` (names, kept) and ``.e``
(end; anything after it is ignored); ``#`` starts a comment. Each row is the
input bits (``0``/``1``), then the output bit; whitespace between them is
optional. A file lutlearn cannot learn from exactly is refused with a
:class:`PlaFormatError` naming the file and line: don't-care (``-``) inputs,
don't-care outputs, several outputs, or anything malformed.

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
    "FUNCTIONS", "Pla", "PlaFormatError", "function_examples", "read_pla", "read_pla_pair",
    "write_pla",
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
    path = require_regular_file(path, PlaFormatError)
    with open(path, "rb") as fh:
        what = _looks_like(fh.read(4096))
    if what not in (None, "a PLA file of examples"):
        raise PlaFormatError(f"{path}: not a PLA file (it looks like {describe_file(path)})")
    n_in = n_out = n_rows = None
    ilb: list[str] = []
    ob: list[str] = []
    rows: list[bytes] = []
    outs: list[int] = []
    seen: dict[str, int] = {}
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            where = f"{path}, line {lineno}"
            try:
                line = raw.decode("ascii")
            except UnicodeDecodeError:
                raise PlaFormatError(f"{where}: not an ASCII text line") from None
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            if line.startswith("."):
                words = line.split()
                key = words[0]
                if key in seen:  # a second '.i' would change the row width half-way (rows no longer fit)
                    raise PlaFormatError(f"{where}: a second {key!r} directive (the first is on line {seen[key]})")
                if key in _ONCE:
                    seen[key] = lineno
                if key == ".i":
                    n_in = _directive_int(where, words)
                    if n_in == 0:
                        raise PlaFormatError(f"{where}: '.i 0': a PLA file needs at least one input")
                elif key == ".o":
                    n_out = _directive_int(where, words)
                    if n_out != 1:
                        raise PlaFormatError(
                            f"{where}: '.o {n_out}': only single-output PLA files are supported "
                            "(split a multi-output file into one file per output)"
                        )
                elif key == ".p":
                    n_rows = _directive_int(where, words)
                elif key == ".type":
                    if len(words) != 2 or words[1] not in ("f", "fr"):
                        raise PlaFormatError(
                            f"{where}: {line!r}: only '.type f' and '.type fr' are supported "
                            "(fully specified examples)"
                        )
                elif key == ".ilb":
                    ilb = words[1:]
                elif key == ".ob":
                    ob = words[1:]
                elif key in (".e", ".end"):
                    break
                else:
                    raise PlaFormatError(f"{where}: unsupported directive {key!r}")
                continue
            if n_in is None or n_out is None:
                raise PlaFormatError(f"{where}: example row before the '.i' and '.o' directives")
            bits = "".join(line.split())
            if len(bits) != n_in + 1:
                raise PlaFormatError(
                    f"{where}: row has {len(bits)} values, expected {n_in} inputs and 1 output"
                )
            inp, out = bits[:n_in], bits[n_in]
            if not set(inp) <= {"0", "1"}:
                ch = next(c for c in inp if c not in "01")
                if ch in "-~2":
                    raise PlaFormatError(
                        f"{where}: don't-care input {ch!r} at column {inp.index(ch) + 1}: "
                        "lutlearn learns from fully specified examples (0/1 inputs only)"
                    )
                raise PlaFormatError(f"{where}: invalid input value {ch!r} (inputs must be 0 or 1)")
            if out not in "01":
                kind = "don't-care output" if out in "-~2" else "invalid output value"
                raise PlaFormatError(f"{where}: {kind} {out!r} (the output must be 0 or 1)")
            rows.append(inp.encode("ascii"))
            outs.append(int(out))
    if n_in is None or n_out is None:
        raise PlaFormatError(f"{path}: missing '.i' or '.o' directive; is this a PLA file?")
    if not rows:
        raise PlaFormatError(f"{path}: no example rows")
    if n_rows is not None and n_rows != len(rows):
        raise PlaFormatError(f"{path}: '.p {n_rows}' but the file has {len(rows)} example rows")
    if ilb and len(ilb) != n_in:
        raise PlaFormatError(f"{path}: '.ilb' names {len(ilb)} inputs but '.i' is {n_in}")
    X = (np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(len(rows), n_in) - ord("0")).astype(np.uint8)
    return Pla(X=X, y=np.asarray(outs, dtype=np.uint8), input_names=ilb, output_names=ob)


#: Directives a PLA file gives at most once.
_ONCE = (".i", ".o", ".p", ".type", ".ilb", ".ob")


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


def write_pla(path: str | os.PathLike, X, y, input_names=None, output_name=None) -> None:
    """Write examples as a single-output ``.type fr`` PLA file, atomically.

    Parameters
    ----------
    path : str or path-like
        File to write (replaced only once it is complete).
    X : array-like of shape (n_examples, n_inputs)
        Input bits, 0/1.
    y : array-like of shape (n_examples,)
        Output bits, 0/1.
    input_names : list of str, optional
        Written as ``.ilb``.
    output_name : str, optional
        Written as ``.ob``.
    """
    X = np.asarray(X)
    y = np.asarray(y).ravel()
    if X.ndim != 2 or X.shape[0] != y.shape[0] or X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"expected X of shape (n, d) and y of shape (n,), n, d > 0; got {X.shape} and {y.shape}")
    if not (np.isin(X, (0, 1)).all() and np.isin(y, (0, 1)).all()):
        raise ValueError("PLA examples must be 0/1 inputs with a 0/1 output")
    n, d = X.shape
    body = np.empty((n, d + 3), dtype=np.uint8)
    body[:, :d] = X.astype(np.uint8) + ord("0")
    body[:, d] = ord(" ")
    body[:, d + 1] = y.astype(np.uint8) + ord("0")
    body[:, d + 2] = ord("\n")
    for label in [*(input_names or []), *([] if output_name is None else [output_name])]:
        if not re.fullmatch(r"[!-~]+", str(label)) or "#" in str(label):
            raise ValueError(f"PLA name {str(label)!r}: names are printable ASCII without spaces or '#'")
    head = [f".i {d}", ".o 1"]
    if input_names is not None:
        head.append(".ilb " + " ".join(input_names))
    if output_name is not None:
        head.append(f".ob {output_name}")
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
