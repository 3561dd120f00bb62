"""Test helpers for the training kernel: run it as the trainer does, on examples ordered by class."""

from __future__ import annotations

import numpy as np

from lutlearn.core import _workspace, kernels


def fit_sorted(A, y, wires, sides, weights, n_slots, seed, layer, n_blocks=3, copies=1, needed=None, sw=None):
    """Run :func:`kernels.fit_layer` on the examples ordered by class; outputs back in the original order."""
    n_luts, k = wires.shape
    n_classes = sides.shape[1]
    order = np.argsort(y, kind="stable")
    As = np.ascontiguousarray(A[:, order])
    bounds = np.searchsorted(y[order], np.arange(n_classes + 1)).astype(np.int64)
    n = A.shape[1]
    tables = np.full((n_luts, 1 << k), 99, np.uint8)
    out = np.full((n_luts, n), 7, np.uint8)
    correct = np.full(n_luts, -1, np.int64)
    work = np.empty((n_blocks, n), _workspace.pattern_dtype(k))
    hist = np.empty((n_blocks, copies * n_slots << k), np.int32)
    counts = np.full((n_luts, n_slots << k), -1, np.int32)
    if needed is None:
        needed = np.ones(n_luts, np.uint8)
    if sw is None:
        kernels.fit_layer(As, bounds, wires, sides, weights, n_slots, seed, layer, tables, out, correct, work, hist,
                          needed, counts)
    else:
        kernels.fit_layer(As, bounds, wires, sides, weights, n_slots, seed, layer, tables, out, correct, work, hist,
                          needed, counts, np.ascontiguousarray(np.asarray(sw, np.int32)[order]))
    unsorted = np.empty_like(out)
    unsorted[:, order] = out
    return tables, unsorted, correct, counts.reshape(n_luts, n_slots, 1 << k).transpose(0, 2, 1)
