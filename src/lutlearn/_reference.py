"""Slow, obvious NumPy twins of :mod:`lutlearn.kernels`, used as test oracles.

Nothing here is compiled or parallel; every function states the model's rules
in the plainest NumPy available, so that the fast kernels can be checked
against it table for table and bit for bit.
"""

from __future__ import annotations

import numpy as np

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15


def mix64(z: int) -> int:
    """SplitMix64 finaliser on Python integers (same as :func:`lutlearn.kernels.mix64`)."""
    z &= _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def lut_key(seed: int, layer: int, lut: int) -> int:
    """Tie-breaking key of a lut (same as :func:`lutlearn.kernels.lut_key`)."""
    return mix64(seed ^ mix64(layer * _GOLDEN + lut))


def tie_hash(key: int, pattern: int) -> int:
    """Tie-breaking number of one pattern (same as :func:`lutlearn.kernels.tie_hash`)."""
    return mix64(key + (pattern + 1) * _GOLDEN)


def pattern_index(A: np.ndarray, wires_row: np.ndarray) -> np.ndarray:
    """Pattern of each example: wire 0 is the most significant bit."""
    k = len(wires_row)
    weights = 1 << np.arange(k - 1, -1, -1, dtype=np.int64)
    return (A[np.asarray(wires_row)].astype(np.int64) * weights[:, None]).sum(axis=0)


def count_patterns(A: np.ndarray, y: np.ndarray, wires_row: np.ndarray, n_classes: int) -> np.ndarray:
    """Class counts of shape ``(2**k, C)`` for one lut."""
    idx = pattern_index(A, wires_row)
    counts = np.zeros((1 << len(wires_row), n_classes), dtype=np.int64)
    np.add.at(counts, (idx, np.asarray(y, dtype=np.int64)), 1)
    return counts


def choose_table(counts: np.ndarray, key: int) -> tuple[np.ndarray, int]:
    """Majority class per pattern, ties broken by the hash: ``(table, n_correct)``."""
    table = np.empty(counts.shape[0], dtype=np.uint8)
    for p, row in enumerate(counts):
        tied = np.flatnonzero(row == row.max())
        table[p] = tied[tie_hash(key, p) % len(tied)]
    return table, int(counts.max(axis=1).sum())


def fit_layer(A, y, wires, n_classes, seed, layer):
    """Train one layer lut by lut: ``(tables, outputs, correct)`` as :func:`lutlearn.kernels.fit_layer` writes them."""
    tables, outs, correct = [], [], []
    for j, w in enumerate(wires):
        table, c = choose_table(count_patterns(A, y, w, n_classes), lut_key(seed, layer, j))
        tables.append(table)
        outs.append(table[pattern_index(A, w)])
        correct.append(c)
    return np.array(tables), np.array(outs, dtype=np.uint8), np.array(correct, dtype=np.int64)


def predict_layer(A, wires, tables):
    """Evaluate one layer lut by lut."""
    return np.array([t[pattern_index(A, w)] for w, t in zip(wires, tables)], dtype=np.uint8)
