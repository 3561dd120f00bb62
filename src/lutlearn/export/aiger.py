"""And-inverter graphs (AIGs): built from a lut netlist, written and read as AIGER (``aig``/``aag``).

Encoding of a lut as AND gates. Each lut's truth table is expanded by
Shannon decomposition on its inputs in order (``inputs[0]`` first), which
is a reduced ordered BDD with complemented edges: a sub-table that is
constant becomes a constant, one that does not depend on the next input
skips it, and the complement of an already built sub-table reuses it
inverted. Each remaining decision node ``x ? f1 : f0`` becomes a
multiplexer of AND gates: one gate when ``f0`` or ``f1`` is constant
(``x & f1``, ``~x & f0``, ``~x | f1``, ``x | f0``) and three otherwise
(``~(~(x & f1) & ~(~x & f0))``, which is also how XOR comes out), in a
canonical polarity (``x`` and ``f1`` not negated: ``~x ? a : b`` is
``x ? b : a`` and ``x ? ~a : ~b`` is ``~(x ? a : b)``) so that a function
and its complement share their gates.

Every AND gate goes through :meth:`Aig.and_`, which propagates constants
(``a & 0 = 0``, ``a & 1 = a``, ``a & a = a``, ``a & ~a = 0``) and hashes
structurally (one gate per distinct pair of operands), so equal logic in
different luts is shared. Gates the outputs do not need are dropped before
writing.

Files follow the AIGER 1.9 format (Biere, "The AIGER And-Inverter Graph
(AIG) Format"): literal ``2v`` is variable ``v``, ``2v + 1`` its negation,
0 and 1 are the constants; inputs are variables ``1 .. I``, AND gates
``I + 1 .. I + A`` (no latches). The symbol table names inputs ``x0 ..``
and outputs ``y0 ..`` (the class bits, see :mod:`lutlearn.export.netlist`).
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

import numpy as np

from lutlearn._text import comment_lines

if TYPE_CHECKING:
    from lutlearn.export.encoder import InputEncoder
    from lutlearn.export.netlist import LutNetlist


#: Byte translation of a table to its complement (``1 - t`` modulo 256, as NumPy's uint8 gives it).
_FLIP = bytes((1 - b) & 0xFF for b in range(256))


class Aig:
    """A combinational and-inverter graph under construction.

    Parameters
    ----------
    n_inputs : int
        Number of primary inputs (variables ``1 .. n_inputs``).
    """

    def __init__(self, n_inputs: int):
        self.n_inputs = n_inputs
        self.ands: list[tuple[int, int]] = []  # gate i is variable n_inputs + 1 + i
        self.outputs: list[int] = []
        self._hash: dict[tuple[int, int], int] = {}
        self.comment: str | None = None  # the comment section of a file read by parse_aiger (None: none)

    def input(self, i: int) -> int:
        """Literal of input ``i`` (0-based)."""
        return 2 * (i + 1)

    def and_(self, a: int, b: int) -> int:
        """Literal of ``a AND b``, with constant propagation and structural hashing."""
        if a < b:
            a, b = b, a
        if b == 0 or a == (b ^ 1):
            return 0
        if b == 1 or a == b:
            return a
        key = (a, b)
        lit = self._hash.get(key)
        if lit is None:
            self.ands.append(key)
            lit = 2 * (self.n_inputs + len(self.ands))
            self._hash[key] = lit
        return lit

    def or_(self, a: int, b: int) -> int:
        return self.and_(a ^ 1, b ^ 1) ^ 1

    def mux(self, s: int, t: int, e: int) -> int:
        """Literal of ``s ? t : e``."""
        if t == e:
            return t
        if t == 1 or e == 0:  # s | e, s & t
            return self.or_(s, e) if t == 1 else self.and_(s, t)
        if t == 0 or e == 1:  # ~s & e, ~s | t
            return self.and_(s ^ 1, e) if t == 0 else self.or_(s ^ 1, t)
        # canonical form (s and t not negated), so a function and its complement share gates
        if s & 1:
            s, t, e = s ^ 1, e, t
        if t & 1:
            return self.mux(s, t ^ 1, e ^ 1) ^ 1
        return self.or_(self.and_(s, t), self.and_(s ^ 1, e))

    @property
    def n_ands(self) -> int:
        return len(self.ands)

    @property
    def levels(self) -> int:
        """Depth of the AIG: AND gates on the longest path from an input or constant to an output.

        Inputs and constants are level 0, a gate one more than its deeper
        operand; 0 when every output is an input or a constant (ABC's
        ``print_stats`` calls it ``lev``).
        """
        n_in = self.n_inputs
        level = [0] * len(self.ands)  # of the gates only: an input count read from a file costs nothing

        def of(lit: int) -> int:
            v = (lit >> 1) - n_in - 1
            return level[v] if v >= 0 else 0

        for i, (a, b) in enumerate(self.ands):
            level[i] = 1 + max(of(a), of(b))
        return max((of(o) for o in self.outputs), default=0)

    # ------------------------------------------------------------ building
    def add_lut(self, in_lits: list[int], table: np.ndarray) -> int:
        """Literal of a lut reading ``in_lits`` (first = most significant pattern bit).

        Shannon decomposition on the inputs in order, a sub-table met before
        (or its complement) reusing its literal; the table is handled as
        bytes, which is many times faster than NumPy calls on such small
        arrays (``tests/test_export.py`` checks the gates against a NumPy
        version).
        """
        memo: dict[tuple[int, bytes], int] = {}
        flip = _FLIP

        def build(T: bytes, level: int) -> int:
            if T.count(0) == len(T):
                return 0
            if 0 not in T:
                return 1
            key = (level, T)
            if key in memo:
                return memo[key]
            neg = (level, T.translate(flip))
            if neg in memo:
                return memo[neg] ^ 1
            half = len(T) // 2
            f0, f1 = T[:half], T[half:]
            if f0 == f1:
                lit = build(f0, level + 1)
            else:
                lit = self.mux(in_lits[level], build(f1, level + 1), build(f0, level + 1))
            memo[key] = lit
            return lit

        return build(np.ascontiguousarray(table, np.uint8).tobytes(), 0)

    @classmethod
    def from_netlist(cls, net: "LutNetlist", progress: bool = False, encoder: "InputEncoder | None" = None,
                     one_hot: int = 0) -> "Aig":
        """The AIG of a :class:`~lutlearn.export.netlist.LutNetlist`, without unused gates.

        With ``progress``, a progress bar on stderr counts the luts converted
        when there are at least 20,000 (large multi-class circuits take
        minutes; smaller ones seconds at most).

        ``encoder`` (an :class:`~lutlearn.export.encoder.InputEncoder`) puts
        its comparators in front: the AIG's inputs are then the raw
        features' bits (feature ``f`` bit ``b`` at input ``f *
        feature_bits + b``, least significant first) and each network input
        is ``feature > constant``. ``one_hot=C`` replaces the class-index
        outputs by ``C`` outputs, output ``c`` being 1 exactly when the
        index is ``c`` (the IWLS 2021 contest's output encoding).
        """
        from tqdm.auto import tqdm

        aig = cls(net.n_inputs if encoder is None else encoder.n_raw_inputs)
        if encoder is None:
            lits = [aig.input(i) for i in range(net.n_inputs)]
        else:
            if encoder.n_bits != net.n_inputs:
                raise ValueError(f"the encoder makes {encoder.n_bits} bits; the netlist reads {net.n_inputs}")
            lits = _comparators(aig, encoder)
        quiet = not progress or len(net.luts) < 20000
        luts = tqdm(net.luts, desc="luts to AND gates", unit="lut", disable=quiet, leave=False, mininterval=1)
        for ins, T in luts:
            lits.append(aig.add_lut([lits[s] for s in ins], T))
        aig.outputs = [lits[s] for s in net.outputs]
        if one_hot:
            index = list(reversed(aig.outputs))  # most significant first, as add_lut reads its inputs
            codes = np.arange(1 << len(index))
            aig.outputs = [aig.add_lut(index, (codes == c).astype(np.uint8)) for c in range(one_hot)]
        return aig.cleanup()

    def cone(self, output: int) -> "Aig":
        """A copy computing only output ``output``: the gates it reads, renumbered in the same order."""
        part = Aig(self.n_inputs)
        part.ands, part.outputs = self.ands, [self.outputs[output]]
        return part.cleanup()

    def cleanup(self) -> "Aig":
        """A copy without the gates the outputs do not depend on, renumbered in the same order."""
        n_in = self.n_inputs
        live = np.zeros(len(self.ands), bool)
        stack = [lit >> 1 for lit in self.outputs]
        while stack:
            v = stack.pop()
            if v > n_in and not live[v - n_in - 1]:
                live[v - n_in - 1] = True
                a, b = self.ands[v - n_in - 1]
                stack += [a >> 1, b >> 1]
        var = np.arange(n_in + 1 + len(self.ands), dtype=np.int64)
        var[n_in + 1:] = -1
        var[n_in + 1:][live] = np.arange(n_in + 1, n_in + 1 + int(live.sum()))

        def lit(x: int) -> int:
            return int(2 * var[x >> 1]) | (x & 1)

        out = Aig(n_in)
        for (a, b), keep in zip(self.ands, live):
            if keep:
                out.ands.append((lit(a), lit(b)))
        out._hash = {k: 2 * (n_in + 1 + i) for i, k in enumerate(out.ands)}
        out.outputs = [lit(o) for o in self.outputs]
        return out

    # ----------------------------------------------------------- evaluate
    def evaluate(self, X, max_bytes: int = 1 << 28) -> np.ndarray:
        """Output bits for each row of ``X``; uint8 array of shape (n_samples, n_outputs).

        Compiled, 64 examples per machine word, in blocks of examples whose
        gate values fit in ``max_bytes`` (a circuit of millions of gates
        runs in small blocks).
        """
        from lutlearn.export._simulate import simulate_aig

        X = self._check_inputs(X)
        n = X.shape[0]
        ands = np.asarray(self.ands, np.int64).reshape(-1, 2)
        outputs = np.asarray(self.outputs, np.int64)
        words_per_block = max(1, max_bytes // (8 * (self.n_inputs + 1 + len(self.ands))))
        block = 64 * words_per_block
        result = np.empty((n, len(self.outputs)), np.uint8)
        for start in range(0, n, block):
            part = X[start: start + block]
            m = part.shape[0]
            padded = np.zeros((self.n_inputs, -(-m // 64) * 64), np.uint8)
            padded[:, :m] = part.T
            words = np.packbits(padded, axis=1, bitorder="little").view(np.uint64)
            out = np.empty((len(self.outputs), words.shape[1]), np.uint64)
            simulate_aig(self.n_inputs, ands, outputs, np.ascontiguousarray(words), out)
            bits = np.unpackbits(out.view(np.uint8), axis=1, bitorder="little")[:, :m]
            result[start: start + m] = bits.T
        return result

    def evaluate_reference(self, X) -> np.ndarray:
        """:meth:`evaluate` in plain NumPy, gate by gate (the oracle of its tests)."""
        X = self._check_inputs(X)
        n_in = self.n_inputs
        vals = np.empty((n_in + 1 + len(self.ands), X.shape[0]), bool)
        vals[0] = False
        vals[1: n_in + 1] = X.T

        def get(lit: int) -> np.ndarray:
            v = vals[lit >> 1]
            return ~v if lit & 1 else v

        for i, (a, b) in enumerate(self.ands):
            vals[n_in + 1 + i] = get(a) & get(b)
        return np.stack([get(o) for o in self.outputs], axis=1).astype(np.uint8)

    def _check_inputs(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=bool)
        if X.ndim != 2 or X.shape[1] != self.n_inputs:
            raise ValueError(f"expected inputs of shape (n, {self.n_inputs}), got {X.shape}")
        return X.astype(np.uint8)

    # --------------------------------------------------------------- write
    def to_bytes(self, binary: bool = True, comment: str | None = None) -> bytes:
        """The AIGER file: binary (``aig``) or ASCII (``aag``), with a symbol table and a comment."""
        n_in, A = self.n_inputs, len(self.ands)
        M = n_in + A
        out = bytearray()
        out += f"{'aig' if binary else 'aag'} {M} {n_in} 0 {len(self.outputs)} {A}\n".encode()
        if not binary:
            out += "".join(f"{2 * (i + 1)}\n" for i in range(n_in)).encode()
        out += "".join(f"{o}\n" for o in self.outputs).encode()
        if binary:
            for i, (a, b) in enumerate(self.ands):
                lhs = 2 * (n_in + 1 + i)
                for delta in (lhs - a, a - b):
                    while delta & ~0x7F:
                        out.append((delta & 0x7F) | 0x80)
                        delta >>= 7
                    out.append(delta)
        else:
            out += "".join(f"{2 * (n_in + 1 + i)} {a} {b}\n" for i, (a, b) in enumerate(self.ands)).encode()
        out += "".join(f"i{i} x{i}\n" for i in range(n_in)).encode()
        out += "".join(f"o{i} y{i}\n" for i in range(len(self.outputs))).encode()
        if comment:
            out += b"c\n" + comment_lines(comment, "").encode("utf-8") + b"\n"
        return bytes(out)


#: Largest count an AIGER header may give (inputs, outputs, AND gates, M): literals stay below 2**32.
MAX_AIGER_COUNT = 2**31 - 1
#: Bits of the longest binary delta read (10 bytes of 7 bits hold any 64-bit delta).
_MAX_DELTA_BITS = 70


def _comparators(aig: Aig, encoder: "InputEncoder") -> list[int]:
    """Literals of ``encoder``'s bits (``feature > constant``) over the raw feature bits of ``aig``'s inputs."""
    fb = encoder.feature_bits
    values = np.arange(1 << fb)
    lits = []
    for f, c in zip(encoder.feature.tolist(), encoder.constant.tolist()):
        bits = [aig.input(f * fb + b) for b in reversed(range(fb))]  # most significant first
        lits.append(aig.add_lut(bits, (values > c).astype(np.uint8)))
    return lits


class AigerFormatError(ValueError):
    """A file is not a combinational AIGER file this reader understands."""


def read_aiger(path: str | os.PathLike) -> Aig:
    """Read a combinational AIGER file (``aig`` or ``aag``, no latches) into an :class:`Aig`.

    Symbols and comments are skipped. Used to check circuits written by
    lutlearn or by other tools (ABC, Yosys).
    """
    with open(path, "rb") as fh:
        return parse_aiger(fh.read(), str(path))


def parse_aiger(data: bytes, path: str = "<bytes>") -> Aig:
    """Parse the bytes of a combinational AIGER file (see :func:`read_aiger`); ``path`` names it in errors.

    The comment section, if any, becomes :attr:`Aig.comment`. A truncated or
    malformed file raises :class:`AigerFormatError` naming ``path``.
    """
    aig, symbols = _parse(data, path)
    start = _comment_start(data, symbols)
    if start < len(data):
        aig.comment = data[start + 2:].decode("utf-8", "replace").rstrip("\n")
    return aig


def _parse(data: bytes, path: str) -> tuple[Aig, int]:
    """The AIG of ``data`` and the offset where its symbol table starts (just after the AND gates)."""
    h = aiger_header(data, path)
    if h["L"] or h["B"] or h["C"] or h["J"] or h["F"]:
        raise AigerFormatError(f"{path}: latches, bad-state or constraint properties are not supported")
    M, n_in, n_out, A = h["M"], h["I"], h["O"], h["A"]
    pos = data.find(b"\n") + 1
    if pos == 0:
        raise AigerFormatError(f"{path}: the AIGER header line has no line end (the file stops after it)")
    # every output and every gate takes at least 2 bytes (ASCII: every input too): a header asking for more than
    # the file holds is refused before anything is allocated for it
    lines_needed = n_out + A + (0 if h["format"] == "aig" else n_in)
    if 2 * lines_needed > len(data) - pos:
        raise AigerFormatError(f"{path}: truncated or malformed AIGER file (header promises {n_in} inputs, "
                               f"{n_out} outputs, {A} AND gates, more than its {len(data)} bytes can hold)")
    aig = Aig(n_in)

    def line() -> list[int]:
        nonlocal pos
        end = data.index(b"\n", pos)
        words = data[pos:end].split()
        pos = end + 1
        return [int(w) for w in words]

    binary = h["format"] == "aig"
    try:
        if not binary:
            for i in range(n_in):
                if line() != [2 * (i + 1)]:
                    raise AigerFormatError(f"{path}: inputs must be literals 2, 4, ... in order")
        aig.outputs = [line()[0] for _ in range(n_out)]
        lhs_expected = 2 * (n_in + 1)
        for _ in range(A):
            if binary:
                deltas = []
                for _ in range(2):
                    x = shift = 0
                    while True:
                        byte = data[pos]
                        pos += 1
                        x |= (byte & 0x7F) << shift
                        shift += 7
                        if not byte & 0x80:
                            break
                        if shift >= _MAX_DELTA_BITS:  # a run of continuation bytes: refused in linear time
                            raise AigerFormatError(f"{path}: an AND gate's delta is longer than "
                                                   f"{_MAX_DELTA_BITS // 7} bytes")
                    deltas.append(x)
                lhs = lhs_expected
                a = lhs - deltas[0]
                b = a - deltas[1]
                if deltas[0] == 0:  # the gate would read itself (its value is not defined)
                    raise AigerFormatError(f"{path}: AND gate {lhs} reads itself (AND gates must be defined "
                                           "from literals before them)")
            else:
                lhs, a, b = line()
                if lhs != lhs_expected or max(a, b) >= lhs:
                    raise AigerFormatError(f"{path}: AND gates must be defined in order from their operands")
            aig.ands.append((max(a, b), min(a, b)))
            lhs_expected += 2
    except AigerFormatError:
        raise
    except (ValueError, IndexError):  # a missing line end, a non-number, bytes ending inside a gate
        raise AigerFormatError(f"{path}: truncated or malformed AIGER file (header promises {n_in} inputs, "
                               f"{n_out} outputs, {A} AND gates)") from None
    if M != n_in + A:
        raise AigerFormatError(f"{path}: M={M} differs from I + A = {n_in + A}")
    if any(not 0 <= o <= 2 * M + 1 for o in aig.outputs) or any(b < 0 for _, b in aig.ands):
        raise AigerFormatError(f"{path}: a literal out of range")
    return aig, pos


def _comment_start(data: bytes, pos: int) -> int:
    """Offset of the ``c`` line that opens the comment section, the symbol table's lines starting at ``pos``
    (``len(data)`` when there is none)."""
    while pos < len(data):
        end = data.find(b"\n", pos)
        end = len(data) if end < 0 else end
        if data[pos:end] == b"c":
            return pos
        pos = end + 1
    return len(data)


def aiger_header(data: bytes, path: str = "<bytes>") -> dict:
    """The counts of an AIGER file's header line.

    Returns
    -------
    dict
        ``format`` (``"aig"`` or ``"aag"``) and the ints ``M I L O A`` and
        ``B C J F`` (0 when the header omits them).

    Raises
    ------
    AigerFormatError
        The first line is not an AIGER header.
    """
    nl = data.find(b"\n")
    first = data[: nl if nl >= 0 else len(data)]
    words = first.decode("ascii", "replace").split()
    if not 6 <= len(words) <= 10 or words[0] not in ("aig", "aag") or not all(w.isdigit() for w in words[1:]):
        raise AigerFormatError(f"{path}: not an AIGER file (header {first[:60]!r})")
    counts = [int(w) for w in words[1:]] + [0] * (10 - len(words))
    too_big = [f"{k}={v}" for k, v in zip("MILOABCJF", counts) if v > MAX_AIGER_COUNT]
    if too_big:
        raise AigerFormatError(f"{path}: header counts {', '.join(too_big)} are more than {MAX_AIGER_COUNT} "
                               "(not a circuit lutlearn reads)")
    return {"format": words[0], **dict(zip("MILOABCJF", counts))}


def replace_comment(data: bytes, comment: str | None) -> bytes:
    """The combinational AIGER file ``data`` with its comment section replaced by ``comment`` (None: removed).

    Used on ABC's output, whose comment names a temporary file and the date,
    so that the same circuit gives the same bytes run to run.
    """
    _, symbols = _parse(data, "<bytes>")
    out = data[:_comment_start(data, symbols)]
    if comment:
        out += b"c\n" + comment_lines(comment, "").encode("utf-8") + b"\n"
    return out


def output_symbols(data: bytes, path: str = "<bytes>") -> dict[int, str]:
    """The names the symbol table of the combinational AIGER file ``data`` gives its outputs, by output index."""
    aig, pos = _parse(data, path)
    names = {}
    for line in data[pos:_comment_start(data, pos)].decode("utf-8", "replace").splitlines():
        head, _, name = line.partition(" ")
        if head[:1] == "o" and head[1:].isdigit() and int(head[1:]) < len(aig.outputs):
            names[int(head[1:])] = name
    return names


def with_output_names(data: bytes, names: list[str]) -> bytes:
    """The combinational AIGER file ``data`` with its outputs named ``names`` in its symbol table.

    The inputs keep their symbols, the comment section is kept. Names are
    one line each (AIGER symbols end at the line end) and not empty.
    """
    aig, pos = _parse(data, "<bytes>")
    if len(names) != len(aig.outputs) or any(not n or "\n" in n or "\r" in n for n in names):
        raise ValueError(f"need {len(aig.outputs)} non-empty one-line output names; got {names!r}")
    start = _comment_start(data, pos)
    kept = [ln for ln in data[pos:start].split(b"\n") if ln and not ln.startswith(b"o")]  # other symbols as they are
    table = b"".join(ln + b"\n" for ln in kept) + "".join(f"o{i} {n}\n" for i, n in enumerate(names)).encode()
    return data[:pos] + table + data[start:]


def count_ands(path: str | os.PathLike) -> int:
    """Number of AND gates in an AIGER file, from its header."""
    with open(path, "rb") as fh:
        m = re.match(rb"a[ai]g \d+ \d+ \d+ \d+ (\d+)", fh.readline())
    if not m:
        raise AigerFormatError(f"{path}: not an AIGER file")
    return int(m.group(1))
