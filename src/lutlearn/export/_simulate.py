"""Numba kernel simulating an and-inverter graph on many inputs at once, 64 per machine word.

:meth:`lutlearn.export.aiger.Aig.evaluate` calls :func:`simulate_aig`;
:meth:`~lutlearn.export.aiger.Aig.evaluate_reference` is the plain NumPy
version it is tested against.
"""

from __future__ import annotations

import numba as nb
import numpy as np

ALL_ONES = np.uint64(0xFFFFFFFFFFFFFFFF)


@nb.njit(cache=True)
def simulate_aig(n_inputs, ands, outputs, words, out):
    """Values of the outputs of an AIG for 64 examples per word.

    Parameters
    ----------
    n_inputs : int
        Inputs are variables ``1 .. n_inputs``; gate ``g`` is variable
        ``n_inputs + 1 + g``.
    ands : int64 array of shape (n_ands, 2)
        The operand literals of each AND gate (``2 v`` or ``2 v + 1`` for
        the negation), operands before the gate.
    outputs : int64 array of shape (n_outputs,)
        Output literals.
    words : uint64 array of shape (n_inputs, n_words)
        Bit ``b`` of ``words[i, w]`` is input ``i`` of example ``64 w + b``.
    out : uint64 array of shape (n_outputs, n_words)
        Written: the outputs, packed the same way.
    """
    n_words = words.shape[1]
    vals = np.empty((n_inputs + 1 + ands.shape[0], n_words), np.uint64)
    vals[0, :] = 0
    vals[1: n_inputs + 1, :] = words
    for g in range(ands.shape[0]):
        a, b = ands[g, 0], ands[g, 1]
        ma = ALL_ONES if a & 1 else np.uint64(0)
        mb = ALL_ONES if b & 1 else np.uint64(0)
        va, vb, vg = vals[a >> 1], vals[b >> 1], vals[n_inputs + 1 + g]
        for w in range(n_words):
            vg[w] = (va[w] ^ ma) & (vb[w] ^ mb)
    for o in range(outputs.shape[0]):
        m = ALL_ONES if outputs[o] & 1 else np.uint64(0)
        v = vals[outputs[o] >> 1]
        for w in range(n_words):
            out[o, w] = v[w] ^ m
