"""Numba kernel of the exact nearest-neighbour search on bits (used by :mod:`lutlearn.baselines`)."""

from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(cache=True, parallel=True)
def k_smallest(D, k, out):
    """Write into ``out[i]`` the column indices of the ``k`` smallest values of row ``D[i]``, smallest first.

    Equal values keep column order (the smaller index comes first and wins a
    tie for the last place), so the result is deterministic.
    """
    n, m = D.shape
    for i in nb.prange(n):
        vals = np.empty(k, D.dtype)
        idx = out[i]
        filled = 0
        for j in range(m):
            v = D[i, j]
            if filled == k and not v < vals[k - 1]:
                continue
            p = filled if filled < k else k - 1
            while p > 0 and vals[p - 1] > v:
                vals[p] = vals[p - 1]
                idx[p] = idx[p - 1]
                p -= 1
            vals[p] = v
            idx[p] = j
            if filled < k:
                filled += 1
