"""Integer arithmetic as Boolean luts: the adders and comparators of the multi-class circuit.

The multi-class model (:class:`lutlearn.core.model.VoteHead`) predicts the class whose
integer score ``sum_j votes[j, p_j, c] + bias[c]`` is largest. To export it
as a circuit, :class:`~lutlearn.export.netlist.LutNetlist` writes each bit of
each output lut's votes as a lut over that lut's inputs, and the functions
here add those bits into scores and pick the largest, out of luts of at most
three inputs:

- :func:`add_columns` sums bits of given weights (a Wallace tree of full
  adders, then one ripple-carry adder), modulo ``2**width``;
- :func:`greater` compares two unsigned numbers (``a > b``, ripple from the
  least significant bit);
- :func:`argmax` runs a tournament of comparisons and returns the winner's
  index in binary; ties go to the lowest index, as :func:`numpy.argmax`.

Every function appends luts to a :class:`LutBuilder` and returns signals.
Constants are 0-input luts, which the netlist's simplification folds into
the luts that read them.
"""

from __future__ import annotations

import numpy as np

#: Truth tables over inputs (a, b, c), ``a`` the most significant bit of the pattern.
XOR3 = np.array([0, 1, 1, 0, 1, 0, 0, 1], np.uint8)
MAJ3 = np.array([0, 0, 0, 1, 0, 1, 1, 1], np.uint8)
XOR2 = np.array([0, 1, 1, 0], np.uint8)
AND2 = np.array([0, 0, 0, 1], np.uint8)
#: ``a > b`` given ``g`` (a > b on the lower bits): inputs (a_i, b_i, g).
GREATER = np.array([0, 1, 0, 0, 1, 1, 0, 1], np.uint8)
#: ``s ? t : e``: inputs (s, t, e).
MUX = np.array([0, 1, 0, 1, 0, 0, 1, 1], np.uint8)


class LutBuilder:
    """Luts under construction; signal ``n_inputs + j`` is the output of lut ``j``.

    Parameters
    ----------
    n_inputs : int
        Number of primary inputs (signals ``0 .. n_inputs - 1``).
    """

    def __init__(self, n_inputs: int):
        self.n_inputs = n_inputs
        self.luts: list[tuple[list[int], np.ndarray]] = []
        self._consts: dict[int, int] = {}

    def lut(self, inputs, table) -> int:
        """Add a lut reading ``inputs`` (first = most significant pattern bit); its signal."""
        self.luts.append(([int(s) for s in inputs], np.asarray(table, np.uint8)))
        return self.n_inputs + len(self.luts) - 1

    def const(self, value: int) -> int:
        """The signal of constant 0 or 1 (one 0-input lut each)."""
        value = int(bool(value))
        if value not in self._consts:
            self._consts[value] = self.lut([], [value])
        return self._consts[value]


def count_table(n_inputs: int, bit: int) -> np.ndarray:
    """Truth table of bit ``bit`` of the number of ones among ``n_inputs`` inputs (a parallel counter's output)."""
    ones = np.array([bin(p).count("1") for p in range(1 << n_inputs)])
    return ((ones >> bit) & 1).astype(np.uint8)


def add_columns(b: LutBuilder, columns: list[list[int]], width: int, counter: int = 3) -> list[int]:
    """The sum of the bits in ``columns`` (``columns[i]`` holds bits of weight ``2**i``), as ``width`` bits.

    Bits of weight ``2**width`` and above are dropped (the sum is modulo
    ``2**width``; give a width the sum cannot reach for the exact sum).

    ``counter`` is the widest parallel counter of the compression tree:
    3, full adders (three bits of a column become two luts of three
    inputs); 6, counters of up to six bits of a column whose count's three
    bits are each one lut of six inputs (as cheap as a full adder in a
    6-input lut technology, and it halves a column per level instead of
    taking a third off: the popcounts of the boosted design).

    Returns
    -------
    bits : list of int
        Signals of the sum, least significant first.
    """
    if counter not in (3, 6):
        raise ValueError(f"counter must be 3 or 6; got {counter!r}")
    cols = [list(c) for c in columns[:width]] + [[] for _ in range(width - len(columns))]
    while any(len(c) > 2 for c in cols):  # each counter turns m >= 3 bits into fewer: this ends
        nxt: list[list[int]] = [[] for _ in range(width)]
        for i, col in enumerate(cols):
            j = 0
            while len(col) - j >= 3:
                if counter == 3:
                    ins = col[j: j + 3]
                    nxt[i].append(b.lut(ins, XOR3))
                    if i + 1 < width:
                        nxt[i + 1].append(b.lut(ins, MAJ3))
                else:
                    ins = col[j: j + 6]
                    for o in range(len(ins).bit_length()):
                        if i + o < width:
                            nxt[i + o].append(b.lut(ins, count_table(len(ins), o)))
                j += len(ins)
            nxt[i].extend(col[j:])
        cols = nxt
    out, carry = [], None
    for i, col in enumerate(cols):  # ripple-carry addition of the last two rows
        ins = col + ([carry] if carry is not None else [])
        last = i + 1 == width
        if len(ins) == 0:
            out.append(b.const(0))
            carry = None
        elif len(ins) == 1:
            out.append(ins[0])
            carry = None
        elif len(ins) == 2:
            out.append(b.lut(ins, XOR2))
            carry = None if last else b.lut(ins, AND2)
        else:
            out.append(b.lut(ins, XOR3))
            carry = None if last else b.lut(ins, MAJ3)
    return out


def constant_bits(b: LutBuilder, value: int, width: int) -> list[int]:
    """The ``width`` low bits of a non-negative integer as constant signals, least significant first."""
    return [b.const((value >> i) & 1) for i in range(width)]


def greater(b: LutBuilder, x: list[int], y: list[int]) -> int:
    """The signal of ``x > y`` for unsigned numbers of equal width (least significant bit first)."""
    if len(x) != len(y):
        raise ValueError("greater() compares numbers of the same width")
    g = b.const(0)
    for xi, yi in zip(x, y):
        g = b.lut([xi, yi, g], GREATER)
    return g


def mux(b: LutBuilder, s: int, t: list[int], e: list[int]) -> list[int]:
    """Bitwise ``s ? t : e``."""
    return [b.lut([s, ti, ei], MUX) for ti, ei in zip(t, e)]


def argmax(b: LutBuilder, values: list[list[int]]) -> list[int]:
    """The index of the largest of ``values`` (unsigned, equal widths), in binary, least significant first.

    A tournament: neighbours are compared in rounds, the right one winning
    only when strictly greater, so of equal values the lowest index wins.
    The index has ``max(1, ceil(log2(len(values))))`` bits.
    """
    n_bits = max(1, (len(values) - 1).bit_length())
    cands = [(list(v), constant_bits(b, c, n_bits)) for c, v in enumerate(values)]
    while len(cands) > 1:
        nxt = []
        for i in range(0, len(cands) - 1, 2):
            (lv, li), (rv, ri) = cands[i], cands[i + 1]
            gt = greater(b, rv, lv)
            nxt.append((mux(b, gt, rv, lv), mux(b, gt, ri, li)))
        if len(cands) % 2:
            nxt.append(cands[-1])
        cands = nxt
    return cands[0][1]
