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
def _pattern_block(A, wires_row, i0, idx):
    """Write into ``idx`` the patterns examples ``i0 .. i0 + len(idx) - 1`` present to one lut."""
    m = idx.shape[0]
    for i in range(m):
        idx[i] = 0
    for b in range(wires_row.shape[0]):
        row = A[wires_row[b]]
        for i in range(m):
            idx[i] = (idx[i] << np.uint32(1)) | np.uint32(row[i0 + i])


@nb.njit(cache=True, inline="always")
def _pattern_index(A, wires_row, idx):
    """Write into ``idx`` the pattern each example presents to one lut (``idx`` has one entry per example)."""
    _pattern_block(A, wires_row, 0, idx)


@nb.njit(cache=True, inline="always")
def _count(idx, y, n_classes, counts):
    """Add one to ``counts[pattern * C + class]`` for every example."""
    for i in range(idx.shape[0]):
        counts[np.int64(idx[i]) * n_classes + y[i]] += 1


@nb.njit(cache=True, inline="always")
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


@nb.njit(cache=True, inline="always")
def _choose(counts, n_classes, key, table):
    """Fill ``table`` with the majority class of each pattern; return the examples it gets right."""
    correct = 0
    for p in range(table.shape[0]):
        arg, best = _choose_one(counts[p * n_classes:(p + 1) * n_classes], key, p)
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


# --------------------------------------------------------------------------
# Fast path. The kernels above are the simple path (one lut at a time, a
# uint32 pattern per example, counts indexed ``pattern * C + class``); the
# tests check the kernels below against them and against lutlearn._reference.
# What makes them faster (benchmarks/bench_kernels.py times both paths):
#
# * Patterns are built in the narrowest unsigned type that holds ``2**k``
#   values (uint8 for k <= 8), four wires per pass over the example rows.
# * The caller orders the training examples by class, so counting is a plain
#   histogram of each class's contiguous range (no label load, no multiply),
#   indexed by unsigned values (no negative-index test), in 4 interleaved
#   copies for small k; for large k only the touched counts are reset.
# * The two-class choice is branch-free, so the tie hashes of all ``2**k``
#   patterns are computed in SIMD lanes.
# * Work buffers come from the caller, one per block of luts, instead of
#   being allocated per lut inside the parallel loop; outputs are written
#   only for the luts the next layer reads.
# * Prediction runs chunks of examples through the whole network in one
#   kernel (:func:`predict_network`), so a chunk's layers stay in cache.
# --------------------------------------------------------------------------


@nb.njit(cache=True, inline="always")
def _patterns(A, wires_row, p):
    """Write into ``p`` the pattern each example presents to one lut (four wires per pass)."""
    k = wires_row.shape[0]
    n = p.shape[0]
    lead = (k - 1) % 4 + 1  # wires of the first pass; then passes of four
    if lead == 1:
        r0 = A[wires_row[0]]
        for i in range(n):
            p[i] = r0[i]
    elif lead == 2:
        r0 = A[wires_row[0]]
        r1 = A[wires_row[1]]
        for i in range(n):
            p[i] = (r0[i] << 1) | r1[i]
    elif lead == 3:
        r0 = A[wires_row[0]]
        r1 = A[wires_row[1]]
        r2 = A[wires_row[2]]
        for i in range(n):
            p[i] = (r0[i] << 2) | (r1[i] << 1) | r2[i]
    else:
        r0 = A[wires_row[0]]
        r1 = A[wires_row[1]]
        r2 = A[wires_row[2]]
        r3 = A[wires_row[3]]
        for i in range(n):
            p[i] = (r0[i] << 3) | (r1[i] << 2) | (r2[i] << 1) | r3[i]
    for b in range(lead, k, 4):
        r0 = A[wires_row[b]]
        r1 = A[wires_row[b + 1]]
        r2 = A[wires_row[b + 2]]
        r3 = A[wires_row[b + 3]]
        for i in range(n):
            p[i] = (p[i] << 4) | (r0[i] << 3) | (r1[i] << 2) | (r2[i] << 1) | r3[i]


@nb.njit(cache=True, inline="always")
def _is_sparse(h, p):
    """Whether resetting the counts the examples touched beats clearing all of ``h`` (large k)."""
    return 4 * p.shape[0] < h.shape[0]


@nb.njit(cache=True, inline="always")
def _uncount_sorted(p, bounds, size, h):
    """Zero again the counts :func:`_count_sorted` set, touching only those the examples hit."""
    for c in range(bounds.shape[0] - 1):
        hc = h[c * size:]
        for i in range(bounds[c], bounds[c + 1]):
            hc[np.uint64(p[i])] = 0


@nb.njit(cache=True, inline="always")
def _count_sorted(p, bounds, size, h):
    """Class-major counts ``h[c * size + pattern]`` of examples ordered by class (``bounds[c]:bounds[c+1]``).

    ``h`` may hold 1 or 4 copies of the ``C * size`` counts: with 4, example
    ``i`` counts in copy ``i % 4`` and the copies are summed into the first at
    the end, so that runs of one pattern (common in deep layers, where most
    examples show all-0 or all-1) do not wait on each other's increments.
    When ``h`` is much larger than the examples (:func:`_is_sparse`), it
    must be all zero on entry: :func:`fit_layer_fast` clears it once per
    block, then after each lut resets only the counts its examples touched.
    """
    m = (bounds.shape[0] - 1) * size
    copies = h.shape[0] // m
    if not _is_sparse(h, p):
        for s in range(h.shape[0]):
            h[s] = 0
    # unsigned indices: numba then skips its negative-index wraparound test
    for c in range(bounds.shape[0] - 1):
        h0 = h[c * size:]
        h1 = h2 = h3 = h0
        if copies == 4:
            h1 = h[m + c * size:]
            h2 = h[2 * m + c * size:]
            h3 = h[3 * m + c * size:]
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


@nb.njit(cache=True, inline="always")
def _choose_sorted(h, n_classes, size, key, table):
    """:func:`_choose` on class-major counts ``h[c * size + pattern]``: same table, same count."""
    correct = 0
    if n_classes == 2:
        # Branch-free: a tie (n_best == 2) picks class tie_hash % 2.
        for p in range(size):
            a = h[p]
            b = h[size + p]
            t = np.uint8(tie_hash(key, p) & np.uint64(1))
            table[p] = np.uint8(1) if b > a else (np.uint8(0) if a > b else t)
            correct += max(a, b)
        return correct
    row = np.empty(n_classes, h.dtype)
    for p in range(size):
        for c in range(n_classes):
            row[c] = h[c * size + p]
        arg, best = _choose_one(row, key, p)
        table[p] = arg
        correct += best
    return correct


@nb.njit(cache=True, parallel=True)
def fit_layer_fast(A, bounds, wires, seed, layer, tables, out, correct, work, hist, needed):
    """:func:`fit_layer` on examples ordered by class, with caller-owned work buffers.

    Gives exactly the tables, correct counts and (for the luts ``needed``)
    outputs that :func:`fit_layer` gives on the same examples.

    Parameters
    ----------
    A : uint8 array of shape (n_prev, n_samples)
        The previous layer's values, feature-major, examples ordered by class.
    bounds : int64 array of shape (n_classes + 1,)
        Examples of class ``c`` are columns ``bounds[c]:bounds[c + 1]``.
    wires, seed, layer, tables, out, correct
        As in :func:`fit_layer`.
    work : unsigned int array of shape (n_blocks, n_samples)
        Pattern buffer of each block of luts; its dtype must hold ``2**k - 1``.
    hist : int32 array of shape (n_blocks, copies * n_classes * 2**k)
        Count buffer of each block of luts, ``copies`` 1 or 4 (see
        :func:`_count_sorted`). ``n_blocks`` (at most ``n_luts``) sets the
        parallel grain. After the call, ``hist[b, :n_classes * 2**k]`` holds
        the class-major counts of the last lut of block ``b``.
    needed : uint8 array of shape (n_luts,)
        Outputs are computed only for luts with ``needed[j]`` (the ones the
        next layer reads); the other rows of ``out`` are left untouched.
    """
    n_luts = wires.shape[0]
    n_blocks = work.shape[0]
    n = A.shape[1]
    n_classes = bounds.shape[0] - 1
    size = tables.shape[1]
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
                _uncount_sorted(p, bounds, size, h)  # the previous lut's patterns are still in p
            _patterns(A, wires[j], p)
            _count_sorted(p, bounds, size, h)
            table = tables[j]
            correct[j] = _choose_sorted(h, n_classes, size, lut_key(seed, layer, j), table)
            if not needed[j]:
                continue
            row = out[j]
            for i in range(n):
                row[i] = table[p[i]]


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
def class_ones(A, bounds):
    """How many examples of each class have each bit set: int64 (n_features, n_classes).

    ``A`` is feature-major with examples ordered by class (``bounds`` as in
    :func:`fit_layer_fast`).
    """
    n_classes = bounds.shape[0] - 1
    ones = np.zeros((A.shape[0], n_classes), np.int64)
    for f in prange(A.shape[0]):
        row = A[f]
        for c in range(n_classes):
            s = 0
            for i in range(bounds[c], bounds[c + 1]):
                s += row[i]
            ones[f, c] = s
    return ones


@nb.njit(cache=True, parallel=True)
def predict_network(X, inputs, widths, ks, wire_off, wires, table_off, tables, chunk, bufs, pbufs, patterns):
    """Run examples through a whole (pruned) network, depth first; write the output lut's pattern.

    Examples are taken in chunks of ``chunk``; each parallel task carries its
    chunks through every layer in two small buffers that stay in cache,
    instead of writing every layer's values for all examples to memory.

    Parameters
    ----------
    X : uint8 array of shape (n_samples, n_features)
        Input bits, example-major (as the user gives them).
    inputs : int64 array of shape (n_inputs,)
        The input features the network reads; layer 1's wires index this list.
    widths, ks : int64 arrays of shape (n_layers,)
        Luts and lut size of every layer; the last layer is the single output lut.
    wire_off, table_off : int64 arrays of shape (n_layers,)
        Where each layer's wires (row-major ``(width, k)``) and tables
        (row-major ``(width, 2**k)``) start in ``wires`` and ``tables``.
    wires : int32 array
    tables : uint8 array
    chunk : int
    bufs : uint8 array of shape (n_tasks, 2, max(n_inputs, widths), chunk)
    pbufs : unsigned int array of shape (n_tasks, chunk)
        Pattern buffer per task; its dtype must hold ``2**max(ks) - 1``.
    patterns : uint32 array of shape (n_samples,)
        Output: the pattern each example presents to the output lut.
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
            for i in range(m):
                src = X[i0 + i]
                for f in range(inputs.shape[0]):
                    cur[f, i] = src[inputs[f]]
            p = p_all[:m]
            for layer in range(n_layers - 1):
                k = ks[layer]
                size = 1 << k
                for j in range(widths[layer]):
                    w0 = wire_off[layer] + j * k
                    _patterns(cur, wires[w0:w0 + k], p)
                    t0 = table_off[layer] + j * size
                    table = tables[t0:t0 + size]
                    row = nxt[j]
                    for i in range(m):
                        row[i] = table[p[i]]
                cur, nxt = nxt, cur
            last = n_layers - 1
            _patterns(cur, wires[wire_off[last]:wire_off[last] + ks[last]], p)
            for i in range(m):
                patterns[i0 + i] = p[i]
