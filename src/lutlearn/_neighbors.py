"""Numba kernel of the exact nearest-neighbour search on bits (used by :mod:`lutlearn.baselines`)."""

from __future__ import annotations

import numba as nb


@nb.njit(cache=True, parallel=True)
def merge_k_smallest(D, offset, vals, idx):
    """Merge the values of ``D`` (columns numbered from ``offset``) into the running ``k`` smallest per row.

    ``vals[i]`` and ``idx[i]`` (shape ``(n, k)``) hold row ``i``'s ``k``
    smallest values so far and their column numbers, in increasing order of
    ``(value, column)``; start them at ``inf`` and ``-1``. Equal values are
    ordered by column number, so the result does not depend on the order in
    which blocks of columns are merged.
    """
    n, m = D.shape
    k = vals.shape[1]
    for i in nb.prange(n):
        for j in range(m):
            v = D[i, j]
            g = offset + j
            if v > vals[i, k - 1] or (v == vals[i, k - 1] and g > idx[i, k - 1]):
                continue
            p = k - 1
            while p > 0 and (vals[i, p - 1] > v or (vals[i, p - 1] == v and idx[i, p - 1] > g)):
                vals[i, p] = vals[i, p - 1]
                idx[i, p] = idx[i, p - 1]
                p -= 1
            vals[i, p] = v
            idx[i, p] = g
