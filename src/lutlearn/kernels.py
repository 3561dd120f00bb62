"""Compiled kernels: counting, choosing and looking up lut tables.

Only numba-jitted functions of arrays and scalars live here; the estimator in
:mod:`lutlearn.network` calls them. :mod:`lutlearn._reference` holds a slow,
obvious NumPy twin of each kernel that the tests compare against.

Conventions shared by every kernel:

* A layer's values are stored feature-major: ``A[f, i]`` is bit ``f`` of
  example ``i`` (uint8 0/1), so each lut reads ``k`` contiguous rows.
* A lut with wires ``w[0..k-1]`` sees the pattern
  ``p = sum_b A[w[b], i] << (k - 1 - b)``: wire 0 is the most significant bit,
  as in the paper's truth tables (rows ``00, 01, 10, 11`` for ``x0 x1``).
* Class labels are encoded ``0..C-1``; a table maps each of the ``2**k``
  patterns to a class index.
* Ties between classes (including patterns never seen in training, where all
  counts are zero) are broken by a counter-based hash of
  ``(seed, layer, lut, pattern)``. A table therefore depends only on the data
  and those four numbers, never on thread count or on which other luts are
  trained, so training is bit-for-bit reproducible whatever ``n_jobs`` is.
"""

from __future__ import annotations

import numba as nb
import numpy as np
from numba import prange

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)


@nb.njit(cache=True, inline="always")
def mix64(z):
    """SplitMix64 finaliser: a bijective, well-mixed hash of a uint64."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@nb.njit(cache=True)
def lut_key(seed, layer, lut):
    """The tie-breaking key of one lut, from the network seed and its position."""
    return mix64(np.uint64(seed) ^ mix64(np.uint64(layer) * _GOLDEN + np.uint64(lut)))


@nb.njit(cache=True, inline="always")
def tie_hash(key, pattern):
    """The tie-breaking random number of one pattern of one lut."""
    return mix64(key + (np.uint64(pattern) + np.uint64(1)) * _GOLDEN)


@nb.njit(cache=True, inline="always")
def _pattern_index(A, wires_row, idx):
    """Write into ``idx`` the pattern each example presents to one lut."""
    n = A.shape[1]
    for i in range(n):
        idx[i] = 0
    for b in range(wires_row.shape[0]):
        row = A[wires_row[b]]
        for i in range(n):
            idx[i] = (idx[i] << np.uint32(1)) | np.uint32(row[i])


@nb.njit(cache=True, inline="always")
def _count(idx, y, n_classes, counts):
    """Add one to ``counts[pattern * C + class]`` for every example."""
    for i in range(idx.shape[0]):
        counts[np.int64(idx[i]) * n_classes + y[i]] += 1


@nb.njit(cache=True, inline="always")
def _choose(counts, n_classes, key, table):
    """Fill ``table`` with the majority class of each pattern; return the examples it gets right."""
    correct = 0
    for p in range(table.shape[0]):
        base = p * n_classes
        best = counts[base]
        n_best = 1
        arg = 0
        for c in range(1, n_classes):
            v = counts[base + c]
            if v > best:
                best = v
                n_best = 1
                arg = c
            elif v == best:
                n_best += 1
        if n_best > 1:
            r = np.int64(tie_hash(key, p) % np.uint64(n_best))
            for c in range(n_classes):
                if counts[base + c] == best:
                    if r == 0:
                        arg = c
                        break
                    r -= 1
        table[p] = arg
        correct += best
    return correct


@nb.njit(cache=True)
def pattern_index(A, wires_row):
    """The pattern (uint32) that each example of ``A`` presents to a lut wired to ``wires_row``."""
    idx = np.empty(A.shape[1], np.uint32)
    _pattern_index(A, wires_row, idx)
    return idx


@nb.njit(cache=True)
def count_patterns(A, y, wires_row, n_classes):
    """Class counts ``(2**k, C)`` of every pattern a lut wired to ``wires_row`` sees."""
    k = wires_row.shape[0]
    idx = np.empty(A.shape[1], np.uint32)
    _pattern_index(A, wires_row, idx)
    counts = np.zeros((1 << k) * n_classes, np.int64)
    _count(idx, y, n_classes, counts)
    return counts.reshape((1 << k, n_classes))


@nb.njit(cache=True)
def choose_table(counts, key):
    """The learned table of a lut from its ``(2**k, C)`` counts and its tie-breaking key.

    Returns ``(table, correct)``: the class of every pattern (uint8) and the
    number of training examples the table classifies correctly.
    """
    size, n_classes = counts.shape
    table = np.empty(size, np.uint8)
    correct = _choose(counts.ravel(), n_classes, key, table)
    return table, correct


@nb.njit(cache=True, parallel=True)
def fit_layer(A, y, wires, n_classes, seed, layer, tables, out, correct):
    """Train every lut of one layer and compute its outputs on the training set.

    Parameters
    ----------
    A : uint8 array of shape (n_prev, n_samples)
        The previous layer's values, feature-major.
    y : uint8 array of shape (n_samples,)
        Encoded class of each example, ``0..n_classes-1``.
    wires : int32 array of shape (n_luts, k)
        Which rows of ``A`` each lut reads (wire 0 is the pattern's top bit).
    n_classes : int
    seed, layer : int
        Network seed and this layer's number (1 is the first lut layer),
        which with the lut's position give its tie-breaking key.
    tables : uint8 array of shape (n_luts, 2**k)
        Output: the learned table of every lut.
    out : uint8 array of shape (n_luts, n_samples)
        Output: every lut's value on every training example.
    correct : int64 array of shape (n_luts,)
        Output: how many training examples each lut classifies correctly.
    """
    n_luts, k = wires.shape
    n = A.shape[1]
    size = 1 << k
    for j in prange(n_luts):
        idx = np.empty(n, np.uint32)
        _pattern_index(A, wires[j], idx)
        counts = np.zeros(size * n_classes, np.int32)
        _count(idx, y, n_classes, counts)
        table = tables[j]
        correct[j] = _choose(counts, n_classes, lut_key(seed, layer, j), table)
        row = out[j]
        for i in range(n):
            row[i] = table[idx[i]]


@nb.njit(cache=True, parallel=True)
def predict_layer(A, wires, tables, out):
    """Evaluate every lut of one layer: ``out[j, i] = tables[j, pattern of example i]``."""
    n_luts = wires.shape[0]
    n = A.shape[1]
    for j in prange(n_luts):
        idx = np.empty(n, np.uint32)
        _pattern_index(A, wires[j], idx)
        table = tables[j]
        row = out[j]
        for i in range(n):
            row[i] = table[idx[i]]


@nb.njit(cache=True, parallel=True)
def count_layer(A, y, wires, n_classes):
    """Class counts of every lut of a layer: int64 array of shape (n_luts, 2**k, C).

    Counts are additive over examples, so counts of row-chunks of a data set
    can be summed before :func:`choose_layer` (the map-reduce form of training).
    """
    n_luts, k = wires.shape
    n = A.shape[1]
    size = 1 << k
    counts = np.zeros((n_luts, size, n_classes), np.int64)
    for j in prange(n_luts):
        idx = np.empty(n, np.uint32)
        _pattern_index(A, wires[j], idx)
        flat = counts[j].ravel()
        _count(idx, y, n_classes, flat)
    return counts


@nb.njit(cache=True, parallel=True)
def choose_layer(counts, seed, layer):
    """Tables and correct counts of every lut from summed counts ``(n_luts, 2**k, C)``.

    Gives exactly the tables :func:`fit_layer` learns from the same examples.
    """
    n_luts, size, n_classes = counts.shape
    tables = np.empty((n_luts, size), np.uint8)
    correct = np.empty(n_luts, np.int64)
    for j in prange(n_luts):
        correct[j] = _choose(counts[j].ravel(), n_classes, lut_key(seed, layer, j), tables[j])
    return tables, correct
