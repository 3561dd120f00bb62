"""Compiled kernels: counting, choosing and looking up lut tables.

Only numba-jitted functions of arrays and scalars live here. The trainer
(:mod:`lutlearn.core.training`, in memory; :mod:`lutlearn.core.scale`, on Dask) and the
model (:mod:`lutlearn.core.model`) call them. :mod:`lutlearn.core._reference` holds a
slow, obvious NumPy twin of each kernel that the tests compare against.

Conventions shared by every kernel:

* A layer's values are stored feature-major: ``A[f, i]`` is bit ``f`` of
  example ``i`` (uint8 0/1), so each lut reads ``k`` contiguous rows.
* A lut with wires ``w[0..k-1]`` sees the pattern
  ``p = sum_b A[w[b], i] << (k - 1 - b)``: wire 0 is the most significant bit,
  as in the paper's truth tables (rows ``00, 01, 10, 11`` for ``x0 x1``).
* Class labels are encoded ``0..C-1``; a table maps each of the ``2**k``
  patterns to a class index.
* One rule serves every lut. A lut's ``side`` maps each class to a *slot*:
  with two slots ``s`` (the paper's lut: ``side = [0, 1]``; a multi-class
  dichotomy lut: a random balanced split of the classes), the lut counts the
  examples of each slot per pattern and outputs slot 1 when
  ``ones * weights[0] > zeros * weights[1]`` (weights ``(1, 1)``: the
  majority; ``(n0, n1)``, the slots' sizes: the majority relative to each
  slot's size); with one slot per class (``side = [0, 1, .., C-1]``, C > 2:
  the multi-class voting luts) it outputs the majority class.
* Pattern readers are a parameter: ``packed=False`` reads uint8 rows,
  ``packed=True`` reads rows bit-packed along the feature axis exactly as
  ``np.packbits(A, axis=0)`` packs them (``P[f >> 3, i]`` holds bit ``f`` of
  example ``i`` at position ``7 - (f & 7)``), as the Dask path keeps them.
* Ties between classes (including patterns never seen in training, where all
  counts are zero) are broken by a counter-based hash of
  ``(seed, layer, lut, pattern)``. A table therefore depends only on the data
  and those four numbers, never on thread count or on which other luts are
  trained, so training is bit-for-bit reproducible whatever ``n_jobs`` is.
"""

from __future__ import annotations

import numba as nb
import numpy as np
from numba import prange, types
from numba.extending import intrinsic

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


@nb.njit(cache=True)
def _choose_one(row, key, p):
    """Majority class of one pattern's class counts ``row``, ties broken by hash: ``(class, its count)``."""
    best = row[0]
    n_best = 1
    arg = 0
    for c in range(1, row.shape[0]):
        v = row[c]
        if v > best:
            best = v
            n_best = 1
            arg = c
        elif v == best:
            n_best += 1
    if n_best > 1:
        r = np.int64(tie_hash(key, p) % np.uint64(n_best))
        for c in range(row.shape[0]):
            if row[c] == best:
                if r == 0:
                    arg = c
                    break
                r -= 1
    return arg, best


@nb.njit(cache=True)
def _choose_slots(h, n_slots, size, weights, key, table):
    """Fill ``table`` from slot-major counts ``h[s * size + pattern]``; return the examples it gets right.

    Two slots: slot 1 where ``ones * weights[0] > zeros * weights[1]``, slot
    0 where smaller, ``tie_hash & 1`` on a tie (branch-free when the weights
    are equal, so the tie hashes of all patterns vectorize). More slots: the
    majority slot (:func:`_choose_one`). A pattern's correct examples are
    those of the slot it outputs.
    """
    correct = np.int64(0)
    if n_slots == 2:
        w0 = weights[0]
        w1 = weights[1]
        if w0 == w1:
            for p in range(size):
                a = h[p]
                b = h[size + p]
                t = np.uint8(tie_hash(key, p) & np.uint64(1))
                table[p] = np.uint8(1) if b > a else (np.uint8(0) if a > b else t)
                correct += max(a, b)
            return correct
        for p in range(size):
            zeros = np.int64(h[p])
            ones = np.int64(h[size + p])
            a = ones * w0
            b = zeros * w1
            if a > b:
                table[p] = 1
                correct += ones
            elif a < b:
                table[p] = 0
                correct += zeros
            else:
                t = tie_hash(key, p) & np.uint64(1)
                table[p] = np.uint8(t)
                correct += ones if t else zeros
        return correct
    row = np.empty(n_slots, h.dtype)
    for p in range(size):
        for c in range(n_slots):
            row[c] = h[c * size + p]
        arg, best = _choose_one(row, key, p)
        table[p] = arg
        correct += best
    return correct


# --------------------------------------------------------------------------
# Pattern readers. What makes the training kernels fast (benchmarks/
# bench_kernels.py times them against the NumPy twins):
#
# * Patterns are built in the narrowest unsigned type that holds ``2**k``
#   values (uint8 for k <= 8), four wires per pass over the example rows.
# * The caller orders the training examples by class, so counting is a plain
#   histogram of each class's contiguous range (no label load, no multiply),
#   indexed by unsigned values (no negative-index test), in 4 interleaved
#   copies for small k; for large k only the touched counts are reset.
# * The two-slot choice with equal weights is branch-free, so the tie hashes
#   of all ``2**k`` patterns are computed in SIMD lanes.
# * Helpers are compiled once as functions, not inlined into every kernel
#   (only the hash is): that halves the first-use compile time of fit_layer
#   (6.4 s -> 3.3 s) at the same speed.
# * Work buffers come from the caller, one per block of luts, instead of
#   being allocated per lut inside the parallel loop; outputs are written
#   only for the luts the next layer reads.
# * Prediction runs chunks of examples through the whole network in one
#   kernel (:func:`predict_network`), so a chunk's layers stay in cache.
# --------------------------------------------------------------------------


@nb.njit(cache=True)
def _rows(A, wires_row, i0, p):
    """Write into ``p`` the patterns examples ``i0 ..`` present to one lut, from uint8 rows (four wires per pass)."""
    k = wires_row.shape[0]
    n = p.shape[0]
    lead = (k - 1) % 4 + 1  # wires of the first pass; then passes of four
    if lead == 1:
        r0 = A[wires_row[0], i0:]
        for i in range(n):
            p[i] = r0[i]
    elif lead == 2:
        r0 = A[wires_row[0], i0:]
        r1 = A[wires_row[1], i0:]
        for i in range(n):
            p[i] = (r0[i] << 1) | r1[i]
    elif lead == 3:
        r0 = A[wires_row[0], i0:]
        r1 = A[wires_row[1], i0:]
        r2 = A[wires_row[2], i0:]
        for i in range(n):
            p[i] = (r0[i] << 2) | (r1[i] << 1) | r2[i]
    else:
        r0 = A[wires_row[0], i0:]
        r1 = A[wires_row[1], i0:]
        r2 = A[wires_row[2], i0:]
        r3 = A[wires_row[3], i0:]
        for i in range(n):
            p[i] = (r0[i] << 3) | (r1[i] << 2) | (r2[i] << 1) | r3[i]
    for b in range(lead, k, 4):
        r0 = A[wires_row[b], i0:]
        r1 = A[wires_row[b + 1], i0:]
        r2 = A[wires_row[b + 2], i0:]
        r3 = A[wires_row[b + 3], i0:]
        for i in range(n):
            p[i] = (p[i] << 4) | (r0[i] << 3) | (r1[i] << 2) | (r2[i] << 1) | r3[i]


@nb.njit(cache=True)
def _packed(P, wires_row, i0, p):
    """:func:`_rows` on bit-packed rows (see the module docstring)."""
    n = p.shape[0]
    for i in range(n):
        p[i] = 0
    for b in range(wires_row.shape[0]):
        w = wires_row[b]
        row = P[w >> 3, i0:]
        shift = np.uint32(7 - (w & 7))
        for i in range(n):
            p[i] = (p[i] << 1) | ((np.uint32(row[i]) >> shift) & np.uint32(1))


@nb.njit(cache=True)
def _read(A, wires_row, i0, p, packed):
    """The pattern reader: :func:`_packed` if ``packed`` else :func:`_rows`."""
    if packed:
        _packed(A, wires_row, i0, p)
    else:
        _rows(A, wires_row, i0, p)


@nb.njit(cache=True)
def pattern_index(A, wires_row):
    """The pattern (uint32) that each example of feature-major ``A`` presents to a lut wired to ``wires_row``."""
    idx = np.empty(A.shape[1], np.uint32)
    _rows(A, wires_row, 0, idx)
    return idx


# --------------------------------------------------------------------------
# Training


@nb.njit(cache=True, inline="always")
def _is_sparse(h, p):
    """Whether resetting the counts the examples touched beats clearing all of ``h`` (large k)."""
    return 4 * p.shape[0] < h.shape[0]


@nb.njit(cache=True)
def _uncount_sorted(p, bounds, side, size, h):
    """Zero again the counts :func:`_count_sorted` set, touching only those the examples hit."""
    for c in range(bounds.shape[0] - 1):
        hc = h[np.int64(side[c]) * size:]
        for i in range(bounds[c], bounds[c + 1]):
            hc[np.uint64(p[i])] = 0


@nb.njit(cache=True)
def _count_sorted(p, bounds, side, n_slots, size, h):
    """Slot-major counts ``h[s * size + pattern]`` of examples ordered by class (``bounds[c]:bounds[c+1]``).

    Class ``c``'s examples count in slot ``side[c]``. ``h`` may hold 1 or 4
    copies of the ``n_slots * size`` counts: with 4, example ``i`` counts in
    copy ``i % 4`` and the copies are summed into the first at the end, so
    that runs of one pattern (common in deep layers, where most examples show
    all-0 or all-1) do not wait on each other's increments. When ``h`` is
    much larger than the examples (:func:`_is_sparse`), it must be all zero
    on entry: :func:`fit_layer` clears it once per block, then after each
    lut resets only the counts its examples touched.
    """
    m = n_slots * size
    copies = h.shape[0] // m
    if not _is_sparse(h, p):
        for s in range(h.shape[0]):
            h[s] = 0
    # unsigned indices: numba then skips its negative-index wraparound test
    for c in range(bounds.shape[0] - 1):
        off = np.int64(side[c]) * size
        h0 = h[off:]
        h1 = h2 = h3 = h0
        if copies == 4:
            h1 = h[m + off:]
            h2 = h[2 * m + off:]
            h3 = h[3 * m + off:]
        i = bounds[c]
        end = bounds[c + 1]
        if copies == 4:
            while i + 4 <= end:
                h0[np.uint64(p[i])] += 1
                h1[np.uint64(p[i + 1])] += 1
                h2[np.uint64(p[i + 2])] += 1
                h3[np.uint64(p[i + 3])] += 1
                i += 4
        while i < end:
            h0[np.uint64(p[i])] += 1
            i += 1
    if copies == 4:
        for s in range(m):
            h[s] += h[m + s] + h[2 * m + s] + h[3 * m + s]


@nb.njit(cache=True)
def _count_weighted(p, bounds, side, n_slots, size, h, sw):
    """:func:`_count_sorted` with example ``i`` counting ``sw[i]`` times (integer sample weights), in one copy.

    Only the first ``n_slots * size`` counts of ``h`` are used; the rest of
    the buffer is left as it is.
    """
    if not _is_sparse(h, p):
        for s in range(n_slots * size):
            h[s] = 0
    for c in range(bounds.shape[0] - 1):
        hc = h[np.int64(side[c]) * size:]
        for i in range(bounds[c], bounds[c + 1]):
            hc[np.uint64(p[i])] += sw[i]


@nb.njit(cache=True, parallel=True)
def fit_layer(
    A, bounds, wires, side, weights, n_slots, seed, layer, tables, out, correct, work, hist, needed, counts, sw=None
):
    """Train every lut of one layer on examples ordered by class, and compute the outputs the next layer reads.

    Parameters
    ----------
    A : uint8 array of shape (n_prev, n_samples)
        The previous layer's values, feature-major, examples ordered by class.
    bounds : int64 array of shape (n_classes + 1,)
        Examples of class ``c`` are columns ``bounds[c]:bounds[c + 1]``.
    wires : int32 array of shape (n_luts, k)
        Which rows of ``A`` each lut reads (wire 0 is the pattern's top bit).
    side : uint8 array of shape (n_luts, n_classes)
        The slot of each class for each lut (see the module docstring).
    weights : int64 array of shape (n_luts, 2)
        Each two-slot lut's weights (unused with more slots).
    n_slots : int
        2, or ``n_classes`` (one slot per class).
    seed, layer : int
        Network seed and this layer's number (1 is the first lut layer),
        which with the lut's position give its tie-breaking key.
    tables : uint8 array of shape (n_luts, 2**k)
        Output: the learned table of every lut.
    out : uint8 array of shape (n_luts, n_samples)
        Output: the value of every ``needed`` lut on every training example.
    correct : int64 array of shape (n_luts,)
        Output: how many training examples each lut puts in their own slot.
    work : unsigned int array of shape (n_blocks, n_samples)
        Pattern buffer of each block of luts; its dtype must hold ``2**k - 1``.
    hist : int32 array of shape (n_blocks, copies * n_slots * 2**k)
        Count buffer of each block of luts, ``copies`` 1 or 4 (see
        :func:`_count_sorted`). ``n_blocks`` (at most ``n_luts``) sets the
        parallel grain.
    needed : uint8 array of shape (n_luts,)
        Outputs are computed only for luts with ``needed[j]`` (the ones the
        next layer reads); the other rows of ``out`` are left untouched.
    counts : int32 array of shape (n_luts, n_slots * 2**k), or (0, 0)
        Output, when it has a row per lut: every lut's slot-major counts.
    sw : int32 array of shape (n_samples,) or None, default=None
        Integer sample weights, in the order of ``A``'s columns: example
        ``i`` counts ``sw[i]`` times (as if repeated). None (the fast path,
        compiled without this branch) counts every example once.
    """
    n_luts = wires.shape[0]
    n_blocks = work.shape[0]
    n = A.shape[1]
    size = tables.shape[1]
    keep_counts = counts.shape[0] == n_luts
    for blk in prange(n_blocks):
        p = work[blk]
        h = hist[blk]
        sparse = _is_sparse(h, p)
        if sparse:
            for s in range(h.shape[0]):
                h[s] = 0
        first = blk * n_luts // n_blocks
        for j in range(first, (blk + 1) * n_luts // n_blocks):
            if sparse and j > first:
                _uncount_sorted(p, bounds, side[j - 1], size, h)  # the previous lut's patterns are still in p
            _rows(A, wires[j], 0, p)
            if sw is None:
                _count_sorted(p, bounds, side[j], n_slots, size, h)
            else:
                _count_weighted(p, bounds, side[j], n_slots, size, h, sw)
            if keep_counts:
                counts[j, :] = h[: n_slots * size]
            table = tables[j]
            correct[j] = _choose_slots(h, n_slots, size, weights[j], lut_key(seed, layer, j), table)
            if not needed[j]:
                continue
            row = out[j]
            for i in range(n):
                row[i] = table[p[i]]


@nb.njit(cache=True, parallel=True)
def count_layer(A, y, wires, packed, counts, w=None):
    """Add the class counts of every lut of a layer to ``counts`` (any integer type, shape (n_luts, 2**k, C)).

    ``A`` holds the layer below, feature-major (uint8 rows, or bit-packed
    with ``packed``); ``y`` the encoded class of each example, in any order;
    ``w`` (optional) the integer weight of each example, which then counts
    ``w[i]`` times.
    Counts are additive over examples, so the counts of row chunks of a data
    set can be summed before :func:`choose_layer` (the map-reduce form of
    :func:`fit_layer`, used on Dask).
    """
    n_luts = wires.shape[0]
    n = A.shape[1]
    n_blocks = min(n_luts, 64)  # one pattern buffer per block of luts
    for blk in prange(n_blocks):
        idx = np.empty(n, np.uint32)
        for j in range(blk * n_luts // n_blocks, (blk + 1) * n_luts // n_blocks):
            _read(A, wires[j], 0, idx, packed)
            c = counts[j]
            if w is None:
                for i in range(n):
                    c[idx[i], y[i]] += 1
            else:
                for i in range(n):
                    c[idx[i], y[i]] += w[i]


@nb.njit(cache=True, parallel=True)
def choose_layer(counts, side, weights, n_slots, seed, layer, tables, correct):
    """Tables and correct counts of every lut from its class counts ``(n_luts, 2**k, C)``.

    Gives exactly what :func:`fit_layer` learns from the same examples, with
    the same ``side``, ``weights`` and ``n_slots``.
    """
    n_luts, size, n_classes = counts.shape
    for j in prange(n_luts):
        h = np.zeros(n_slots * size, np.int64)
        s = side[j]
        for p in range(size):
            for c in range(n_classes):
                h[np.int64(s[c]) * size + p] += counts[j, p, c]
        correct[j] = _choose_slots(h, n_slots, size, weights[j], lut_key(seed, layer, j), tables[j])


# --------------------------------------------------------------------------
# Chosen support (``wiring="greedy"``, see :func:`lutlearn.core.training.greedy_wiring`)


#: Largest total example weight for which the scores below read their logarithms from a table
#: (:func:`_log_table`, 8 bytes an entry) instead of computing them.
LOG_TABLE_MAX = 1 << 21


@nb.njit(cache=True)
def _log_table(w):
    """``log(x)`` for every whole ``x`` a count of examples of weights ``w`` can take (up to their total + 2);
    empty when the total is over :data:`LOG_TABLE_MAX`. The values are the ones :func:`_log` computes."""
    total = 0
    for i in range(w.shape[0]):
        total += w[i]
    size = total + 3 if 0 <= total <= LOG_TABLE_MAX else 0
    lg = np.empty(size, np.float64)
    for x in range(size):
        lg[x] = np.log(np.float64(x))
    return lg


@nb.njit(cache=True, inline="always")
def _log(lg, x):
    """``log(x)`` of a whole ``x >= 0``, from the table ``lg`` of :func:`_log_table` when it holds it."""
    if x < lg.shape[0]:
        return lg[x]
    return np.log(np.float64(x))


@nb.njit(cache=True)
def _cv_score(q, y, fold, w, size, h, lg):
    """Two-fold cross-validated log-likelihood of a two-class lut reading patterns ``q`` (``size`` of them).

    Each example (times its weight ``w[i]``) scores ``log((n_y + 1) / (n + 2))``,
    where ``n`` is the number of examples of the *other* fold showing its
    pattern and ``n_y`` those of its class (Laplace's rule of succession):
    counts of one half predicting the other. Summed cell by cell (pattern,
    fold, class, in that order), so the sum is the same on every thread.
    ``h`` is a work buffer of at least ``4 * size`` counts; ``lg`` the
    logarithms of :func:`_log_table` of ``w`` (the same sum, bit for bit,
    many times faster than computing them).
    """
    m = 4 * size
    for s in range(m):
        h[s] = 0
    for i in range(q.shape[0]):
        h[(np.int64(q[i]) * 2 + fold[i]) * 2 + y[i]] += w[i]
    return _cv_sum(h, size, lg)


@nb.njit(cache=True, inline="always")
def _cv_sum(h, size, lg):
    """:func:`_cv_score` from its histogram ``h`` (cell ``(pattern * 2 + fold) * 2 + class``)."""
    score = 0.0
    for p in range(size):
        for f in range(2):
            c = (p * 2 + f) * 2
            if h[c] <= 0 and h[c + 1] <= 0:  # no example of this fold shows the pattern: it adds nothing
                continue  # (most patterns of a wide lut; skipping saves their logarithms, not a bit of the sum)
            o = (p * 2 + 1 - f) * 2
            total = _log(lg, h[o] + h[o + 1] + 2)
            for cls in range(2):
                if h[c + cls] > 0:
                    score += np.float64(h[c + cls]) * (_log(lg, h[o + cls] + 1) - total)
    return score


@nb.njit(cache=True, parallel=True)
def extension_scores(ids, size, A, y, fold, w, out):
    """``out[f]`` (float64): the :func:`_cv_score` of a lut reading the patterns ``ids`` (``size`` of them,
    int64 of shape (n_samples,)) and input ``f`` of feature-major ``A`` (pattern ``2 * id + bit``)."""
    lg = _log_table(w)
    for f in prange(A.shape[0]):
        h = np.empty(8 * size, np.int64)
        q = np.empty(ids.shape[0], np.int64)
        row = A[f]
        for i in range(ids.shape[0]):
            q[i] = 2 * ids[i] + row[i]
        out[f] = _cv_score(q, y, fold, w, 2 * size, h, lg)


@nb.njit(cache=True, parallel=True)
def single_scores(A, y, fold, w, out):
    """``out[f]`` (float64): the :func:`_cv_score` of a lut reading input ``f`` of feature-major ``A`` alone."""
    lg = _log_table(w)
    for f in prange(A.shape[0]):
        h = np.empty(8, np.int64)
        out[f] = _cv_score(A[f], y, fold, w, 2, h, lg)


@nb.njit(cache=True, parallel=True)
def greedy_wires(A, y, fold, w, starts, n_start, pools, wires, scores):
    """Choose every lut's wires greedily: start from its ``n_start[j]`` inputs ``starts[j]``, add, until it
    has ``k``, the input of ``pools[j]`` that gives the lut the best cross-validated score (:func:`_cv_score`),
    even when no input raises it (a comparator's top bits only help together), then keep the shortest prefix
    of wires, at least the start, with the best score.

    Parameters
    ----------
    A : uint8 array of shape (n_prev, n_samples)
        The layer below, feature-major.
    y, fold : uint8 arrays of shape (n_samples,)
        Class (0/1) and fold (0/1) of every example.
    w : int64 array of shape (n_samples,)
        Weight of every example (1 without sample weights).
    starts : int32 array of shape (n_luts, k)
        Each lut's first wires (distinct; only the first ``n_start[j]`` are read).
    n_start : int32 array of shape (n_luts,)
        How many wires each lut starts from (1 to ``k``).
    pools : int32 array of shape (n_luts, n_candidates)
        The inputs each lut may add, in the order ties are broken (the first wins).
    wires : int32 array of shape (n_luts, k)
        Output. A lut whose best prefix has ``m < k`` wires repeats its
        last one (the extra bits copy it: part of its table is never reached).
    scores : float64 array of shape (n_luts,)
        Output: each lut's final cross-validated score.
    """
    n_luts, k = wires.shape
    n = A.shape[1]
    lg = _log_table(w)
    for j in prange(n_luts):
        p = np.empty(n, np.uint32)
        h = np.empty(4 << k, np.int64)
        m = n_start[j]
        for i in range(n):
            p[i] = 0
        for b in range(m):
            row = A[starts[j, b]]
            for i in range(n):
                p[i] = (p[i] << 1) | row[i]
            wires[j, b] = starts[j, b]
        score = _cv_score(p, y, fold, w, 1 << m, h, lg)
        # Each example's pattern as its rank among the patterns present (``ids``, ``nd`` of them): a candidate's
        # counts then take 8 * nd cells, not 4 * 2**(m + 1), and, ranks keeping the patterns' order, the score
        # adds the same cells in the same order (the same sum, bit for bit).
        ids = np.empty(n, np.int64)
        rank = np.empty(2 * n + 2, np.int64)
        order = np.argsort(p)
        nd = 0
        for t in range(n):
            if t > 0 and p[order[t]] != p[order[t - 1]]:
                nd += 1
            ids[order[t]] = nd
        nd = nd + 1 if n else 0
        keep = m
        while m < k and m < pools.shape[1] + 1:
            best = -np.inf
            best_c = -1
            for t in range(pools.shape[1]):
                c = pools[j, t]
                used = False
                for b in range(m):
                    if wires[j, b] == c:
                        used = True
                if used:
                    continue
                row = A[c]
                for i in range(8 * nd):  # _cv_score of the patterns with input c, by rank
                    h[i] = 0
                for i in range(n):
                    h[((2 * ids[i] + row[i]) * 2 + fold[i]) * 2 + y[i]] += w[i]
                s = _cv_sum(h, 2 * nd, lg)
                if s > best:
                    best = s
                    best_c = c
            if best_c < 0:  # the pool is used up
                break
            row = A[best_c]
            for v in range(2 * nd):  # the ranks of the patterns with best_c
                rank[v] = 0
            for i in range(n):
                rank[2 * ids[i] + row[i]] = 1
            r = 0
            for v in range(2 * nd):
                if rank[v]:
                    rank[v] = r
                    r += 1
            for i in range(n):
                ids[i] = rank[2 * ids[i] + row[i]]
            nd = r
            wires[j, m] = best_c
            m += 1
            if best > score:
                score = best
                keep = m
        for b in range(keep, k):
            wires[j, b] = wires[j, keep - 1]
        scores[j] = score


# --------------------------------------------------------------------------
# Interactions (chosen support's starting subsets, see :func:`lutlearn.core.training.interaction_subsets`)
#
# Columns are bit-packed along the examples: ``X[f, t]`` holds examples
# ``64 t .. 64 t + 63`` of input ``f`` (bit ``i & 63`` is example ``i``, as
# ``np.packbits(..., bitorder="little")`` viewed as little-endian uint64).
# Integer sample weights are split in bit planes: ``masks[b]`` has the bit of
# example ``i`` set when bit ``b`` of its weight is, and ``scales[b] = 2**b``.
# The *disagreement* of a subset ``S`` is ``sum_i w_i [y_i != parity(x_S)]``,
# counted with popcounts; its Walsh sum is ``total_weight - 2 * disagreement``.


@intrinsic
def _ctpop(typingctx, x):
    """The number of set bits of a uint64 (LLVM's ``ctpop``, one instruction where the CPU has it)."""
    sig = types.uint64(types.uint64)

    def codegen(context, builder, signature, args):
        return builder.ctpop(args[0])

    return sig, codegen


@nb.njit(cache=True, inline="always")
def _disagreement(z, masks, scales):
    """Weighted number of set bits of packed ``z`` (see the section's conventions)."""
    d = np.int64(0)
    for b in range(masks.shape[0]):
        c = np.int64(0)
        for t in range(z.shape[0]):
            c += np.int64(_ctpop(z[t] & masks[b, t]))
        d += c * scales[b]
    return d


@nb.njit(cache=True, parallel=True)
def subset_sums(X, yp, masks, scales, total, subsets, sizes, out):
    """``out[r]``: the Walsh sum ``sum_i w_i (-1)**(y_i xor parity of inputs subsets[r, :sizes[r]])`` (int64).

    ``X`` (n_inputs, n_words) and ``yp`` (n_words,) are bit-packed, ``masks``
    and ``scales`` the weight planes, ``total`` the total weight.
    """
    nw = yp.shape[0]
    for r in prange(subsets.shape[0]):
        z = np.empty(nw, np.uint64)
        for t in range(nw):
            z[t] = yp[t]
        for s in range(sizes[r]):
            row = X[subsets[r, s]]
            for t in range(nw):
                z[t] ^= row[t]
        out[r] = total - 2 * _disagreement(z, masks, scales)


@nb.njit(cache=True, inline="always")
def _keep(found, sums, n_found, a, s, i0, i1, i2):
    """Record subset ``(i0, i1, i2)`` with Walsh sum ``s`` in lane ``a``: append, or replace the weakest when full."""
    cap = sums.shape[1]
    m = n_found[a]
    if m < cap:
        pos = m
    else:
        pos = 0
        for r in range(1, cap):
            if abs(sums[a, r]) < abs(sums[a, pos]):
                pos = r
        if abs(s) <= abs(sums[a, pos]):
            n_found[a] = m + 1
            return
    found[a, pos, 0] = i0
    found[a, pos, 1] = i1
    found[a, pos, 2] = i2
    sums[a, pos] = s
    n_found[a] = m + 1


@nb.njit(cache=True, parallel=True)
def interaction_scan(X, yp, masks, scales, total, order, threshold, found, sums, n_found):
    """Every pair (``order=2``) or triple (``order=3``) of inputs whose absolute Walsh sum reaches ``threshold``.

    Lane ``a`` (one per input) collects the subsets whose smallest input is
    ``a`` (increasing inputs; a pair's third entry is -1) in ``found[a]``
    and their sums in ``sums[a]``, in scan order, and counts them all in
    ``n_found[a]``; when more than ``found.shape[1]`` reach the threshold it
    keeps the strongest (the earliest on ties). Each lane is scanned by one
    thread in a fixed order, so the result does not depend on the threads.
    """
    n, nw = X.shape
    for i in prange(n):
        half = np.int64(i) // 2
        a = half if np.int64(i) % 2 == 0 else np.int64(n) - 1 - half  # lanes paired light with heavy
        n_found[a] = 0
        z = np.empty(nw, np.uint64)
        zz = np.empty(nw, np.uint64)
        for b in range(a + 1, n):
            for t in range(nw):
                z[t] = yp[t] ^ X[a, t] ^ X[b, t]
            if order == 2:
                s = total - 2 * _disagreement(z, masks, scales)
                if abs(s) >= threshold:
                    _keep(found, sums, n_found, a, s, a, b, -1)
                continue
            for c in range(b + 1, n):
                for t in range(nw):
                    zz[t] = z[t] ^ X[c, t]
                s = total - 2 * _disagreement(zz, masks, scales)
                if abs(s) >= threshold:
                    _keep(found, sums, n_found, a, s, a, b, c)


# --------------------------------------------------------------------------
# Evaluation


@nb.njit(cache=True, parallel=True)
def predict_layer(A, wires, tables, packed, out):
    """Evaluate every lut of one layer: ``out[j, i] = tables[j, pattern of example i]``.

    With ``packed``, ``A`` and ``out`` are bit-packed along the feature axis
    (``out`` of shape ``(ceil(n_luts / 8), n_samples)``; each task owns whole
    byte rows, so no two threads write the same byte); otherwise uint8 rows.
    """
    n_luts = wires.shape[0]
    n = A.shape[1]
    n_groups = (n_luts + 7) // 8
    for g in prange(n_groups):
        idx = np.empty(n, np.uint32)
        row = out[g]
        if packed:
            for i in range(n):
                row[i] = 0
        for j in range(g * 8, min(g * 8 + 8, n_luts)):
            _read(A, wires[j], 0, idx, packed)
            table = tables[j]
            if packed:
                shift = np.uint32(7 - (j & 7))
                for i in range(n):
                    row[i] |= np.uint8(np.uint32(table[idx[i]]) << shift)
            else:
                r = out[j]
                for i in range(n):
                    r[i] = table[idx[i]]


@nb.njit(cache=True, parallel=True)
def predict_network(X, inputs, widths, ks, wire_off, wires, table_off, tables, chunk, bufs, pbufs, patterns):
    """Run examples through a whole (pruned) network; write the pattern each output lut sees.

    Examples are taken in chunks of ``chunk``; each parallel task carries its
    chunks through every layer in two buffers, instead of writing every
    layer's values for all examples to memory (small chunks stay in cache;
    see :func:`lutlearn.core._workspace.predict_chunk`).

    Parameters
    ----------
    X : uint8 array of shape (n_samples, n_features)
        Input bits, example-major (as the user gives them).
    inputs : int64 array of shape (n_inputs,)
        The input features the network reads; layer 1's wires index this list.
    widths, ks : int64 arrays of shape (n_layers,)
        Luts and lut size of every layer; the last layer holds the output luts.
    wire_off, table_off : int64 arrays of shape (n_layers,)
        Where each layer's wires (row-major ``(width, k)``) and tables
        (row-major ``(width, 2**k)``) start in ``wires`` and ``tables``.
    wires : int32 array
    tables : uint8 array
    chunk : int
    bufs : uint8 array of shape (n_tasks, 2, max(n_inputs, widths), chunk)
    pbufs : unsigned int array of shape (n_tasks, chunk)
        Pattern buffer per task; its dtype must hold ``2**max(ks) - 1``.
    patterns : uint32 array of shape (n_samples, n_output_luts)
        Output: the pattern each example presents to each output lut.
    """
    n = X.shape[0]
    n_tasks = bufs.shape[0]
    n_chunks = (n + chunk - 1) // chunk
    n_layers = widths.shape[0]
    for task in prange(n_tasks):
        p_all = pbufs[task]
        for c in range(task, n_chunks, n_tasks):
            i0 = c * chunk
            m = min(n, i0 + chunk) - i0
            cur = bufs[task, 0]
            nxt = bufs[task, 1]
            for ib in range(0, m, 16):  # 16 examples at a time: 16 bytes written per row, not 1
                ie = min(m, ib + 16)
                for f in range(inputs.shape[0]):
                    col = inputs[f]
                    row = cur[f]
                    for i in range(ib, ie):
                        row[i] = X[i0 + i, col]
            p = p_all[:m]
            for layer in range(n_layers - 1):
                k = ks[layer]
                size = 1 << k
                for j in range(widths[layer]):
                    w0 = wire_off[layer] + j * k
                    _rows(cur, wires[w0:w0 + k], 0, p)
                    t0 = table_off[layer] + j * size
                    table = tables[t0:t0 + size]
                    row = nxt[j]
                    for i in range(m):
                        row[i] = table[p[i]]
                cur, nxt = nxt, cur
            last = n_layers - 1
            k = ks[last]
            for j in range(widths[last]):
                w0 = wire_off[last] + j * k
                _rows(cur, wires[w0:w0 + k], 0, p)
                for i in range(m):
                    patterns[i0 + i, j] = p[i]


#: Examples per task in :func:`vote_scores`: one block's scores stay in cache.
VOTE_BLOCK = 256


@nb.njit(cache=True, parallel=True)
def vote_scores(patterns, votes, scores):
    """Add every voting lut's per-class vote to ``scores``: ``scores[i] += sum_j votes[j, patterns[i, j]]``.

    Parameters
    ----------
    patterns : unsigned int array of shape (n_samples, n_luts)
        The pattern each example presents to each voting lut.
    votes : array of shape (n_luts, 2**k, n_classes)
        Each lut's vote for each class, per pattern (uint8 integer votes, see
        :class:`lutlearn.core.model.VoteHead`).
    scores : array of shape (n_samples, n_classes)
        Accumulated in place (int64 for integer votes). Every example adds
        the luts in index order, so the sums do not depend on the number of
        threads.
    """
    n, n_luts = patterns.shape
    n_classes = votes.shape[2]
    for blk in prange((n + VOTE_BLOCK - 1) // VOTE_BLOCK):
        for i in range(blk * VOTE_BLOCK, min(n, blk * VOTE_BLOCK + VOTE_BLOCK)):
            s = scores[i]
            for j in range(n_luts):
                v = votes[j, patterns[i, j]]
                for c in range(n_classes):
                    s[c] += v[c]


@nb.njit(cache=True)
def smallest_k(keys, k, out):
    """Write into ``out[j]`` the columns of the ``k`` smallest ``keys[j]``, in increasing key order.

    Equal keys are taken in column order. Gives what ``argpartition`` followed
    by a stable ``argsort`` gives on distinct keys, in one pass per row.
    """
    n_rows, n = keys.shape
    best = np.empty(k, keys.dtype)
    for j in range(n_rows):
        row = keys[j]
        m = 0
        for c in range(n):
            v = row[c]
            if m == k and v >= best[k - 1]:
                continue
            pos = m if m < k else k - 1
            while pos > 0 and best[pos - 1] > v:
                best[pos] = best[pos - 1]
                out[j, pos] = out[j, pos - 1]
                pos -= 1
            best[pos] = v
            out[j, pos] = c
            if m < k:
                m += 1


@nb.njit(cache=True, parallel=True)
def transpose_rows(X, order, out):
    """``out[f, i] = X[order[i], f]``: examples (rows of ``X``) in the given order, feature-major.

    Each task copies 16 examples, so that the 16 bytes it writes to each
    output row share a cache line.
    """
    n = order.shape[0]
    d = X.shape[1]
    tile = 16
    for ib in prange((n + tile - 1) // tile):
        for i in range(ib * tile, min(n, ib * tile + tile)):
            src = X[order[i]]
            for f in range(d):
                out[f, i] = src[f]


@nb.njit(cache=True, parallel=True)
def class_ones(A, bounds, sw=None):
    """How many examples of each class have each bit set: int64 (n_features, n_classes).

    ``A`` is feature-major with examples ordered by class (``bounds`` as in
    :func:`fit_layer`); with integer weights ``sw`` (in the same order), the
    weight of those examples.
    """
    n_classes = bounds.shape[0] - 1
    ones = np.zeros((A.shape[0], n_classes), np.int64)
    for f in prange(A.shape[0]):
        row = A[f]
        for c in range(n_classes):
            s = 0
            if sw is None:
                for i in range(bounds[c], bounds[c + 1]):
                    s += row[i]
            else:
                for i in range(bounds[c], bounds[c + 1]):
                    s += np.int64(row[i]) * sw[i]
            ones[f, c] = s
    return ones


#: The boosted luts' example weights are fixed-point integers (int64): a class's weights sum to about
#: ``FIXED_ONE``. Their sums are then exact and do not depend on the order they are added in, so a row-chunked
#: fit (:mod:`lutlearn.core.scale`) counts exactly what the in-memory fit counts.
FIXED_ONE = float(2**52)


@nb.njit(cache=True, inline="always")
def _boost_cost(z0, z1, q):
    """A pattern's share of a candidate's cost: weighted error (``q == 0``), or ``2 sqrt(W0 W1)`` (real-valued)."""
    if q == 0:
        return float(min(z0, z1))
    return 2.0 * np.sqrt(float(max(z0, 0)) * float(max(z1, 0)))


@nb.njit(cache=True)
def boost_cost(base, h, m, q):
    """The cost of a candidate input from the weight histograms of ``m`` bins (key = pattern * 2 + target).

    ``base`` holds every example's weight per key, ``h`` that of the examples
    with the candidate input set; the cost adds, over the patterns of the
    inputs chosen so far, :func:`_boost_cost` of both halves (the candidate
    at 1 and at 0), in pattern order.
    """
    cost = 0.0
    for p in range(m >> 1):
        z0 = h[2 * p]
        z1 = h[2 * p + 1]
        cost += _boost_cost(z0, z1, q) + _boost_cost(base[2 * p] - z0, base[2 * p + 1] - z1, q)
    return cost


@nb.njit(cache=True, inline="always")
def _among(chosen, s, f):
    """Whether input ``f`` is one of ``chosen[:s]``."""
    for u in range(s):
        if chosen[u] == f:
            return True
    return False


@nb.njit(cache=True)
def boost_choose(base, H, cand_row, chosen, s, q):
    """The candidate of ``cand_row`` (not among ``chosen[:s]``) of least :func:`boost_cost`; the first on ties.

    ``H[r]`` is the histogram of the examples with input ``cand_row[r]`` set
    (the Dask fit's form; the in-memory kernel computes the same costs one
    candidate at a time).
    """
    m = 2 << s
    best_cost = np.inf
    best_f = -1
    for r in range(cand_row.shape[0]):
        f = cand_row[r]
        if _among(chosen, s, f):
            continue
        cost = boost_cost(base, H[r], m, q)
        if cost < best_cost:
            best_cost = cost
            best_f = f
    return best_f


@nb.njit(cache=True)
def boost_init_weights(w0, t, pos, neg, out):
    """One class's starting weights in fixed point: ``w0[i]`` scaled so that the class and the rest weigh one half
    each (``pos`` and ``neg`` their totals of ``w0``, whole numbers)."""
    for i in range(w0.shape[0]):
        out[i] = np.int64(np.rint(w0[i] * (0.5 / pos if t[i] else 0.5 / neg) * FIXED_ONE))


@nb.njit(cache=True)
def boost_finish(h, k, q, delta, rate, factors, eps, table, mult):
    """A boosted lut's table from its final histogram ``h`` (``2**(k + 1)`` keys), and the weight update it causes.

    Fills ``table`` (see :func:`boost_luts`) and ``mult[key]``, the factor
    of the weight of every example of that key; returns ``(e, scale)``, the
    lut's weighted error and the factor that brings the updated weights'
    total back to ``FIXED_ONE`` (computed from ``h``, so exact and the same
    however the examples are split).
    """
    size = 1 << k
    err = np.int64(0)
    total = np.int64(0)
    for p in range(size):
        z0 = h[2 * p]
        z1 = h[2 * p + 1]
        if q == 0:
            table[p] = 1 if z1 > z0 else 0
        else:  # half the log-odds, in steps of delta, clipped to [-q, q], stored as 0 .. 2q
            v = np.rint(0.5 * np.log((z1 / FIXED_ONE + eps) / (z0 / FIXED_ONE + eps)) / delta)
            table[p] = np.uint8(min(max(v, -q), q) + q)
        err += min(z0, z1)
        total += z0 + z1
    e = err / total if total > 0 else 0.5
    if q == 0:
        # discrete AdaBoost: every misclassified example's weight grows by ((1 - e) / e) ** rate
        ratio = (1.0 - e) / e if 0.0 < e < 0.5 else 1.0
        if rate != 1.0:
            ratio = ratio**rate
        for p in range(size):
            for y in range(2):
                mult[2 * p + y] = ratio if table[p] != y else 1.0
    else:
        # real AdaBoost: w *= exp(-y delta v), y = +-1, v the table value (factors[q + y v])
        for p in range(size):
            v = np.int64(table[p]) - q
            mult[2 * p] = factors[q - v]
            mult[2 * p + 1] = factors[q + v]
    new_total = 0.0
    for u in range(2 * size):
        new_total += float(h[u]) * mult[u]
    return e, (FIXED_ONE / new_total if new_total > 0 else 1.0)


@nb.njit(cache=True)
def boost_reweigh(w, key, mult, scale):
    """``w[i] = rint(w[i] * mult[key[i]] * scale)``: every example's fixed-point weight after a lut is added."""
    for i in range(w.shape[0]):
        w[i] = np.int64(np.rint(float(w[i]) * mult[key[i]] * scale))


@nb.njit(cache=True)
def _boost_one_class(A, ones_ptr, ones_idx, t, w, key, k, cand, q, delta, factors, rate, eps, wires, tables, errors):
    """Grow one class's boosted luts in turn, by counting (see :func:`boost_luts`).

    ``t`` is the 0/1 target (the class against the rest), ``w`` the
    fixed-point example weights (int64, updated in place), ``cand[j]`` the
    inputs lut ``j`` may choose from, ``key`` a work array of ``n_samples``
    integers of at least ``k + 1`` bits (each example's pattern of the
    inputs chosen so far, times 2, plus its target: small, so that it stays
    in cache). Writes ``wires[j]``, ``tables[j]`` and ``errors[j]`` (the
    weighted error of lut ``j``'s majority table when it was added).
    """
    n = A.shape[1]
    n_luts, n_cand = cand.shape
    chosen = np.empty(k, np.int64)
    size = 1 << k
    base = np.empty(2 * size, np.int64)
    h = np.empty(2 * size, np.int64)
    mult = np.empty(2 * size)
    for j in range(n_luts):
        for i in range(n):
            key[i] = t[i]
        for s in range(k):
            m = 2 << s  # histogram bins once this step's input is added
            base[:m] = 0
            for i in range(n):
                base[key[i]] += w[i]
            best_cost = np.inf
            best_f = -1
            for r in range(n_cand):  # as boost_choose, one candidate's histogram at a time
                f = cand[j, r]
                if _among(chosen, s, f):
                    continue
                h[:m] = 0
                for u in range(ones_ptr[f], ones_ptr[f + 1]):  # the examples with input f set
                    i = ones_idx[u]
                    h[key[i]] += w[i]
                cost = boost_cost(base, h, m, q)
                if cost < best_cost:
                    best_cost = cost
                    best_f = f
            chosen[s] = best_f
            row = A[best_f]
            for i in range(n):
                kk = np.int64(key[i])
                key[i] = ((kk >> 1) << 2) | (np.int64(row[i]) << 1) | (kk & 1)
        h[:] = 0
        for i in range(n):
            h[key[i]] += w[i]
        e, scale = boost_finish(h, k, q, delta, rate, factors, eps, tables[j], mult)
        errors[j] = e
        for u in range(k):
            wires[j, u] = chosen[u]
        boost_reweigh(w, key, mult, scale)


@nb.njit(cache=True, parallel=True)
def boost_luts(A, ones_ptr, ones_idx, bounds, w0, class_w, lut_off, k, cand, q, delta, factors, rate, keys, wires,
               tables, errors):
    """Boosted luts by counting: for every class, luts grown one at a time on reweighted examples.

    Each class ``c`` learns ``lut_off[c + 1] - lut_off[c]`` luts that answer
    "class ``c``?" (its examples against all the others), every quantity a
    weighted count. Lut ``j`` picks its ``k`` inputs greedily among
    ``cand[j]``, each time the input whose addition gives the lowest cost
    summed over the patterns of the inputs chosen so far (with ``W1`` and
    ``W0`` the weight of the class's examples and of the others presenting
    a pattern):

    ``q == 0`` (discrete AdaBoost, one bit per lut)
        cost ``min(W0, W1)`` (the weighted error); the table outputs 1 where
        ``W1 > W0`` (0 for a pattern never seen); then every example the
        lut gets wrong has its weight multiplied by ``((1 - e) / e) ** rate``,
        ``e`` the lut's weighted error (``rate`` the learning rate, 1 for
        plain AdaBoost).
    ``q >= 1`` (real AdaBoost, ``2q + 1`` table values)
        cost ``2 sqrt(W0 W1)``; the table holds ``v + q`` with ``v`` half the
        smoothed log-odds ``0.5 log((W1 + eps) / (W0 + eps))`` (weights as
        fractions of ``FIXED_ONE``, ``eps = 0.5 / n_samples``) in steps of
        ``delta``, rounded half to even and clipped to ``[-q, q]``; then
        every example's weight is multiplied by ``exp(-delta v)`` for the
        class's examples and ``exp(delta v)`` for the others
        (``factors[q + v]`` and ``factors[q - v]``, with ``factors =
        exp(-delta * arange(-q, q + 1))`` given by the caller).

    Weights are fixed-point integers (:data:`FIXED_ONE`), each class's
    starting at ``w0`` scaled so that the class and the rest weigh one half
    each, and brought back to a total of about ``FIXED_ONE`` after each lut
    (:func:`boost_finish`, :func:`boost_reweigh`): every sum is exact, so the
    result does not depend on the order of the examples.

    Parameters
    ----------
    A : uint8 array of shape (n_features, n_samples)
        Feature-major inputs, examples ordered by class.
    ones_ptr : int64 array, ones_idx : int32 array
        The examples with each input set: ``ones_idx[ones_ptr[f]:ones_ptr[f + 1]]``
        (increasing), a compressed sparse column matrix of ``A`` (:func:`ones_index`).
    bounds : int64 array of shape (n_classes + 1,)
        Class ``c``'s examples are ``bounds[c]:bounds[c + 1]``.
    w0 : float64 array of shape (n_samples,)
        Every example's weight, a whole number (ones without sample weights).
    class_w : float64 array of shape (n_classes,)
        Each class's total of ``w0``.
    lut_off : int64 array of shape (n_classes + 1,)
        Class ``c``'s luts are ``lut_off[c]:lut_off[c + 1]``.
    k : int
    cand : int64 array of shape (n_luts, n_candidates)
        The inputs each lut may choose from (distinct within a row).
    q : int
    delta : float
    factors : float64 array of shape (2q + 1,)
    rate : float
        ``q == 0``: the learning rate, the power of the weight ratio (the
        caller's ``delta`` sets it for ``q >= 1``).
    keys : unsigned int array of shape (n_classes, n_samples)
        Work space: uint16 for ``k < 16``, else int64.
    wires : int32 array of shape (n_luts, k)
    tables : uint8 array of shape (n_luts, 2**k)
    errors : float64 array of shape (n_luts,)
        Outputs: wiring, table and the weighted error of the majority table of every lut.

    Classes run in parallel, each one's luts in sequence on its own weights,
    so the result does not depend on the number of threads.
    """
    n_classes = bounds.shape[0] - 1
    n = A.shape[1]
    total = 0.0
    for c in range(n_classes):
        total += class_w[c]
    eps = 0.5 / n
    for c in prange(n_classes):
        t = np.zeros(n, np.uint8)
        t[bounds[c]:bounds[c + 1]] = 1
        w = np.empty(n, np.int64)
        boost_init_weights(w0, t, class_w[c], total - class_w[c], w)
        a, b = lut_off[c], lut_off[c + 1]
        _boost_one_class(A, ones_ptr, ones_idx, t, w, keys[c], k, cand[a:b], q, delta, factors, rate, eps,
                         wires[a:b], tables[a:b], errors[a:b])


@nb.njit(cache=True)
def boost_keys(A, t, chosen, s, key):
    """Every example's key for a lut whose first ``s`` inputs are ``chosen[:s]``: its pattern of them times 2,
    plus its 0/1 target ``t`` (chosen[0] the most significant bit, as :func:`_boost_one_class` builds it)."""
    for i in range(A.shape[1]):
        kk = np.int64(0)
        for u in range(s):
            kk = (kk << 1) | np.int64(A[chosen[u], i])
        key[i] = (kk << 1) | np.int64(t[i])


@nb.njit(cache=True)
def boost_histograms(A, ones_ptr, ones_idx, y, w, chosen, s, cand, active, out):
    """One chunk's weight histograms for a step of every class's current lut (the Dask fit's map step).

    For each class ``c`` with ``active[c]``: ``out[c, 0]`` the weight per
    key (:func:`boost_keys` with ``chosen[c, :s]``, target ``y == c``) of
    every example, ``out[c, 1 + r]`` that of the examples with input
    ``cand[c, r]`` set. ``w[c]`` are class ``c``'s fixed-point weights on
    this chunk; sums are exact, so chunks add up to what the in-memory
    kernel counts.
    """
    n = A.shape[1]
    t = np.empty(n, np.uint8)
    key = np.empty(n, np.int64)
    for c in range(out.shape[0]):
        if not active[c]:
            continue
        for i in range(n):
            t[i] = 1 if y[i] == c else 0
        boost_keys(A, t, chosen[c], s, key)
        wc = w[c]
        base = out[c, 0]
        for i in range(n):
            base[key[i]] += wc[i]
        for r in range(cand.shape[1]):
            f = cand[c, r]
            h = out[c, 1 + r]
            for u in range(ones_ptr[f], ones_ptr[f + 1]):
                i = ones_idx[u]
                h[key[i]] += wc[i]


@nb.njit(cache=True)
def proba_losses(scores, y, wn, grid, out):
    """Add each scale's weighted log-loss to ``out`` in fixed point: ``out[g] += sum_i rint(2**40 wn[i] log
    softmax(grid[g] * scores[i])[y[i]])`` (negated), each term clipped below at ``-2**20`` nats.

    Integer sums, so a chunked computation adds up to the same losses.
    """
    n, n_classes = scores.shape
    z = np.empty(n_classes)
    for g in range(grid.shape[0]):
        b = grid[g]
        acc = np.int64(0)
        for i in range(n):
            zmax = -np.inf
            for c in range(n_classes):
                z[c] = b * scores[i, c]
                zmax = max(zmax, z[c])
            s = 0.0
            for c in range(n_classes):
                s += np.exp(z[c] - zmax)
            logp = max(z[y[i]] - zmax - np.log(s), -1048576.0)
            acc += np.int64(np.rint(-wn[i] * logp * 1099511627776.0))
        out[g] += acc


@nb.njit(cache=True)
def ones_index(A):
    """The examples with each input set, as ``(ptr, idx)`` of a compressed sparse column matrix of ``A`` (d, n)."""
    d, n = A.shape
    ptr = np.zeros(d + 1, np.int64)
    for f in range(d):
        s = 0
        row = A[f]
        for i in range(n):
            s += row[i]
        ptr[f + 1] = ptr[f] + s
    idx = np.empty(ptr[d], np.int32)
    for f in range(d):
        q = ptr[f]
        row = A[f]
        for i in range(n):
            if row[i]:
                idx[q] = i
                q += 1
    return ptr, idx


@nb.njit(cache=True, parallel=True)
def sum_scores(patterns, tables, groups, scores):
    """Add every boosted lut's output to its class's score: ``scores[i, groups[j]] += tables[j, patterns[i, j]]``.

    Each example adds the luts in index order (integer sums), so the result does not depend on the threads.
    """
    n, n_luts = patterns.shape
    for blk in prange((n + VOTE_BLOCK - 1) // VOTE_BLOCK):
        for i in range(blk * VOTE_BLOCK, min(n, blk * VOTE_BLOCK + VOTE_BLOCK)):
            s = scores[i]
            for j in range(n_luts):
                s[groups[j]] += tables[j, patterns[i, j]]


@nb.njit(cache=True)
def _fill_small(T, C, out):
    """:func:`fill_small` of one table (``T``, ``C`` and ``out`` of one length, a power of two); returns 0."""
    n = T.shape[0]
    first = -1
    same = True
    for i in range(n):
        if C[i]:
            if first < 0:
                first = T[i]
            elif T[i] != first:
                same = False
                break
    if first < 0:
        out[:] = 0
        return 0
    if same:
        out[:] = first
        return 0
    half = n // 2
    agree = True
    for i in range(half):
        if C[i] and C[half + i] and T[i] != T[half + i]:
            agree = False
            break
    if agree:  # the halves agree where both care: the input is skipped
        T2 = np.empty(half, np.uint8)
        C2 = np.empty(half, np.bool_)
        for i in range(half):
            T2[i] = T[i] if C[i] else T[half + i]
            C2[i] = C[i] or C[half + i]
        _fill_small(T2, C2, out[:half])
        out[half:] = out[:half]
        return 0
    _fill_small(T[:half], C[:half], out[:half])
    _fill_small(T[half:], C[half:], out[half:])
    return 0


@nb.njit(cache=True)
def fill_small(tables, care, out):
    """Fill every lut table's entries that ``care`` leaves free so that its circuit is small (Shannon
    decomposition on the inputs in order; :func:`lutlearn.core.inspection.fill_dont_cares` says how).

    Parameters
    ----------
    tables : uint8 array of shape (n_luts, 2**k)
    care : bool array of shape (n_luts, 2**k)
    out : uint8 array of shape (n_luts, 2**k)
        Output: the filled tables (cared-for entries as in ``tables``).
    """
    for j in range(tables.shape[0]):
        _fill_small(tables[j], care[j], out[j])


@nb.njit(cache=True)
def fill_nearest(counts, todo, coin, masks, starts, out):
    """Set each unseen entry ``todo[i]`` of a two-class lut's table ``out`` to the class with the larger count summed
    over the patterns at the smallest Hamming distance that has any count (``coin[i]`` on equal sums);
    :func:`lutlearn.core.inspection.fill_neighbours` says why.

    Parameters
    ----------
    counts : int64 array of shape (2**k, 2)
        Class counts of every pattern.
    todo : int64 array
        The unseen patterns.
    coin : uint8 array of the length of ``todo``
        Each one's tie-break.
    masks, starts : int64 arrays
        The ``k``-bit masks by number of bits set: those of ``d`` bits are
        ``masks[starts[d]:starts[d + 1]]``.
    out : uint8 array of shape (2**k,)
        The table, filled in place.
    """
    k = starts.shape[0] - 2
    for i in range(todo.shape[0]):
        p = todo[i]
        for d in range(1, k + 1):
            t0 = 0
            t1 = 0
            for m in range(starts[d], starts[d + 1]):
                q = p ^ masks[m]
                t0 += counts[q, 0]
                t1 += counts[q, 1]
            if t0 + t1 > 0:
                out[p] = 1 if t1 > t0 else 0 if t1 < t0 else coin[i]
                break
