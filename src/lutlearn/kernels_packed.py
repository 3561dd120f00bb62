"""Compiled kernels on bit-packed layer values, for the Dask path in :mod:`lutlearn.scale`.

Same conventions as :mod:`lutlearn.kernels`, except that a layer's values are
bit-packed along the feature axis exactly as ``np.packbits(A, axis=0)`` packs
a feature-major ``A``: ``P[f >> 3, i]`` holds bit ``f`` of example ``i`` at
bit position ``7 - (f & 7)`` (most significant first); unused bits of the
last byte row are 0. Reading the bits in place, instead of unpacking whole
chunks first, keeps a worker's memory per chunk 8 times smaller and saves
the unpack and pack passes. The tests check every kernel against
``np.unpackbits`` + the unpacked kernel (+ ``np.packbits``).
"""

from __future__ import annotations

import numba as nb
import numpy as np
from numba import prange

from lutlearn.kernels import _count


@nb.njit(cache=True, inline="always")
def _pattern_index_packed(P, wires_row, idx):
    """Write into ``idx`` the pattern each example presents to one lut, reading packed bits."""
    n = P.shape[1]
    for i in range(n):
        idx[i] = 0
    for b in range(wires_row.shape[0]):
        w = wires_row[b]
        row = P[w >> 3]
        shift = np.uint32(7 - (w & 7))
        for i in range(n):
            idx[i] = (idx[i] << np.uint32(1)) | ((np.uint32(row[i]) >> shift) & np.uint32(1))


@nb.njit(cache=True, parallel=True)
def count_layer_packed(P, y, wires, n_classes):
    """Class counts (n_luts, 2**k, C) of every lut of a layer whose inputs are packed in ``P``.

    Equal to ``kernels.count_layer(np.unpackbits(P, axis=0, count=n_prev), y, wires, n_classes)``.
    """
    n_luts, k = wires.shape
    n = P.shape[1]
    size = 1 << k
    counts = np.zeros((n_luts, size, n_classes), np.int64)
    for j in prange(n_luts):
        idx = np.empty(n, np.uint32)
        _pattern_index_packed(P, wires[j], idx)
        _count(idx, y, n_classes, counts[j].ravel())
    return counts


@nb.njit(cache=True, parallel=True)
def predict_layer_packed(P, wires, tables, out):
    """Evaluate every lut of a layer on packed inputs ``P``, writing its packed outputs to ``out``.

    ``out`` (uint8, shape ``(ceil(n_luts / 8), n_samples)``) receives
    ``np.packbits(values, axis=0)`` of the luts' values; each thread owns
    whole byte rows (8 luts), so no two threads write the same byte.
    """
    n_luts = wires.shape[0]
    n = P.shape[1]
    for g in prange(out.shape[0]):
        idx = np.empty(n, np.uint32)
        row = out[g]
        for i in range(n):
            row[i] = 0
        for j in range(g * 8, min(g * 8 + 8, n_luts)):
            _pattern_index_packed(P, wires[j], idx)
            table = tables[j]
            shift = np.uint32(7 - (j & 7))
            for i in range(n):
                row[i] |= np.uint8(np.uint32(table[idx[i]]) << shift)
