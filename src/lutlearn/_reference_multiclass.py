"""Slow, obvious NumPy twins of :mod:`lutlearn.kernels_multiclass` and of multi-class prediction.

Used as test oracles only: every function restates the multi-class rules of
:mod:`lutlearn.multiclass` lut by lut, with nothing compiled or parallel.
"""

from __future__ import annotations

import numpy as np

from lutlearn._reference import count_patterns, lut_key, pattern_index, tie_hash


def fit_dichotomy_layer(A, y, wires, targets, class_totals, seed, layer):
    """``(tables, outputs, correct)`` as :func:`lutlearn.kernels_multiclass.fit_dichotomy_layer` writes them."""
    tables, outs, correct = [], [], []
    for j, (w, side) in enumerate(zip(wires, targets)):
        counts = count_patterns(A, y, w, len(class_totals))
        ones = counts[:, side == 1].sum(axis=1)
        zeros = counts[:, side == 0].sum(axis=1)
        n1 = int(class_totals[side == 1].sum())
        n0 = int(class_totals[side == 0].sum())
        key = lut_key(seed, layer, j)
        table = np.empty(len(counts), dtype=np.uint8)
        for p in range(len(counts)):
            a, b = int(ones[p]) * n0, int(zeros[p]) * n1
            table[p] = 1 if a > b else 0 if a < b else tie_hash(key, p) & 1
        tables.append(table)
        outs.append(table[pattern_index(A, w)])
        correct.append(int(np.where(table == 1, ones, zeros).sum()))
    return np.array(tables), np.array(outs, dtype=np.uint8), np.array(correct, dtype=np.int64)


def count_layer(A, y, wires, n_classes):
    """Class counts ``(n_luts, 2**k, C)`` of every lut."""
    return np.array([count_patterns(A, y, w, n_classes) for w in wires])


def vote_layer(A, wires, weights):
    """``scores[i] = sum_j weights[j, pattern_j(i)]``, luts added in index order (int64 for integer votes)."""
    dtype = np.int64 if np.issubdtype(weights.dtype, np.integer) else np.float64
    scores = np.zeros((A.shape[1], weights.shape[2]), dtype)
    for w, wt in zip(wires, weights):
        scores += wt[pattern_index(A, w)]
    return scores


def decision_scores(model, X):
    """Integer class scores from a fitted model's public attributes, every lut evaluated.

    Restates :mod:`lutlearn.multiclass`: each output lut votes
    ``round(VOTE_SCALE * log((count + ALPHA) / ALPHA))`` per class, and the
    class bias is ``round(VOTE_SCALE * n_out * (log prior - log((n_c + ALPHA
    2**k) / ALPHA)))`` less its minimum.
    """
    import math

    from lutlearn.multiclass import ALPHA, VOTE_SCALE

    A = np.asarray(X, dtype=np.uint8).T
    for w, t in zip(model.wires_[:-1], model.tables_[:-1]):
        A = np.array([t_j[pattern_index(A, w_j)] for w_j, t_j in zip(w, t)], dtype=np.uint8)
    counts = model.output_counts_
    n_out, size, n_classes = counts.shape
    totals = [int(t) for t in counts[0].sum(axis=0)]
    n = sum(totals)
    bias = [
        round(VOTE_SCALE * n_out * (math.log(t / n) - math.log((t + ALPHA * size) / ALPHA)))
        for t in totals
    ]
    scores = np.tile(np.array(bias, np.int64) - min(bias), (A.shape[1], 1))
    for w, c in zip(model.wires_[-1], counts):
        for i, p in enumerate(pattern_index(A, w)):
            scores[i] += [round(VOTE_SCALE * math.log((int(v) + ALPHA) / ALPHA)) for v in c[p]]
    return scores


def predict_proba(model, X):
    """Multi-class class probabilities: softmax of :func:`decision_scores` over ``VOTE_SCALE * n_out``."""
    from lutlearn.multiclass import VOTE_SCALE

    scores = decision_scores(model, X) / (VOTE_SCALE * model.output_counts_.shape[0])
    z = np.exp(scores - scores.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)
