"""Compiled kernels of the multi-class network (:mod:`lutlearn.multiclass`).

Only numba-jitted functions of arrays and scalars live here. They follow the
conventions of :mod:`lutlearn.kernels`: layer values are feature-major uint8
arrays ``(n_features, n_samples)``, wire 0 is the most significant bit of a
lut's pattern, classes are encoded ``0..C-1`` and ties are broken by the hash
of ``(seed, layer, lut, pattern)`` (:func:`lutlearn.kernels.tie_hash`), so the
results never depend on the number of threads.
:mod:`lutlearn._reference_multiclass` holds a slow NumPy twin of each kernel.
"""

from __future__ import annotations

import numba as nb
import numpy as np
from numba import prange

from lutlearn.kernels import _pattern_block, lut_key, tie_hash

#: Examples per block in :func:`vote_layer`: one block's scores stay in cache.
BLOCK = 256


@nb.njit(cache=True, inline="always")
def _choose_dichotomy(counts, side, class_totals, key, table):
    """Fill one dichotomy lut's ``table`` from its class counts (flat, ``pattern * C + class``).

    The rule of :func:`fit_dichotomy_layer`; returns the training examples
    whose side the lut outputs.
    """
    n_classes = class_totals.shape[0]
    n1 = np.int64(0)
    n0 = np.int64(0)
    for c in range(n_classes):
        if side[c]:
            n1 += class_totals[c]
        else:
            n0 += class_totals[c]
    ok = np.int64(0)
    for p in range(table.shape[0]):
        ones = np.int64(0)
        zeros = np.int64(0)
        for c in range(n_classes):
            if side[c]:
                ones += counts[p * n_classes + c]
            else:
                zeros += counts[p * n_classes + c]
        a = ones * n0
        b = zeros * n1
        if a > b:
            bit = 1
        elif a < b:
            bit = 0
        else:
            bit = np.int64(tie_hash(key, p) & np.uint64(1))
        table[p] = bit
        ok += ones if bit == 1 else zeros
    return ok


@nb.njit(cache=True, parallel=True)
def choose_dichotomy_layer(counts, targets, class_totals, seed, layer):
    """Tables and correct counts of a layer of dichotomy luts from summed class counts ``(n_luts, 2**k, C)``.

    Gives exactly the tables :func:`fit_dichotomy_layer` learns from the
    same examples (used where the counts are summed over chunks of data, as
    on Dask).
    """
    n_luts, size, _ = counts.shape
    tables = np.empty((n_luts, size), np.uint8)
    correct = np.empty(n_luts, np.int64)
    for j in prange(n_luts):
        correct[j] = _choose_dichotomy(counts[j].ravel(), targets[j], class_totals, lut_key(seed, layer, j), tables[j])
    return tables, correct


@nb.njit(cache=True, parallel=True)
def fit_dichotomy_layer(A, y, wires, targets, class_totals, seed, layer, tables, out, correct):
    """Train luts that each separate two groups of classes, and compute their output bits.

    Lut ``j`` splits the classes into side 1 (``targets[j, c] == 1``) and side
    0. It counts, for each of its patterns, the training examples of each
    side, and maps the pattern to the side whose examples present it more
    often *relative to the side's size*: 1 when ``ones / n1 > zeros / n0``
    (compared exactly, as ``ones * n0 > zeros * n1``), so a small side is not
    swamped by a big one. Ties, including unseen patterns, go to the tie hash.

    Parameters
    ----------
    A : uint8 array of shape (n_prev, n_samples)
    y : uint8 array of shape (n_samples,)
        Encoded classes.
    wires : int32 array of shape (n_luts, k)
    targets : uint8 array of shape (n_luts, n_classes)
        Side of each class for each lut; both sides non-empty.
    class_totals : int64 array of shape (n_classes,)
        Training examples per class.
    seed, layer : int
        Network seed and layer number (1 is the first lut layer).
    tables : uint8 array of shape (n_luts, 2**k)
        Output: each lut's bit per pattern.
    out : uint8 array of shape (n_luts, n_samples)
        Output: each lut's bit on each training example.
    correct : int64 array of shape (n_luts,)
        Output: training examples whose side each lut outputs.
    """
    n_luts, k = wires.shape
    n = A.shape[1]
    n_classes = class_totals.shape[0]
    size = 1 << k
    for j in prange(n_luts):
        idx = np.empty(n, np.uint32)
        _pattern_block(A, wires[j], 0, idx)
        counts = np.zeros(size * n_classes, np.int64)
        for i in range(n):
            counts[np.int64(idx[i]) * n_classes + y[i]] += 1
        table = tables[j]
        correct[j] = _choose_dichotomy(counts, targets[j], class_totals, lut_key(seed, layer, j), table)
        row = out[j]
        for i in range(n):
            row[i] = table[idx[i]]


@nb.njit(cache=True, parallel=True)
def count_layer32(A, y, wires, n_classes):
    """Class counts of every lut of a layer as int32 ``(n_luts, 2**k, C)``.

    The same counts as :func:`lutlearn.kernels.count_layer` in half the
    memory, for the wide voting luts (needs fewer than ``2**31`` examples).
    """
    n_luts, k = wires.shape
    n = A.shape[1]
    counts = np.zeros((n_luts, 1 << k, n_classes), np.int32)
    for j in prange(n_luts):
        idx = np.empty(n, np.uint32)
        _pattern_block(A, wires[j], 0, idx)
        c = counts[j]
        for i in range(n):
            c[idx[i], y[i]] += 1
    return counts


@nb.njit(cache=True, parallel=True)
def vote_layer(A, wires, weights, scores):
    """Add every lut's per-class vote to ``scores``: ``scores[i] += sum_j weights[j, pattern_j(i)]``.

    Parameters
    ----------
    A : uint8 array of shape (n_prev, n_samples)
        The layer the voting luts read, feature-major.
    wires : int32 array of shape (n_luts, k)
    weights : array of shape (n_luts, 2**k, n_classes)
        Each lut's vote for each class, per pattern (the model uses uint8
        integer votes, see :func:`lutlearn.multiclass.vote_weights`).
    scores : array of shape (n_samples, n_classes)
        Accumulated in place (int64 for integer votes). Every example adds
        the luts in index order, so the sums do not depend on the number of
        threads.
    """
    n_luts = wires.shape[0]
    n = A.shape[1]
    n_classes = weights.shape[2]
    n_blocks = (n + BLOCK - 1) // BLOCK
    for blk in prange(n_blocks):
        i0 = blk * BLOCK
        m = min(n, i0 + BLOCK) - i0
        idx = np.empty(m, np.uint32)
        for j in range(n_luts):
            _pattern_block(A, wires[j], i0, idx)
            w = weights[j]
            for i in range(m):
                p = idx[i]
                for c in range(n_classes):
                    scores[i0 + i, c] += w[p, c]
