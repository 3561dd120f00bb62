"""Multi-class memorization: luts that separate groups of classes, and output luts that vote.

The paper's network learns two classes: every lut remembers, for each of its
input patterns, the majority class, and its output is that class as one bit.
With ``C > 2`` classes a lut's majority class is no longer a bit, so
:class:`~lutlearn.LutNetworkClassifier` builds a network in two parts, both
trained by counting only:

Hidden layers (two-way groupings of the classes)
    Each hidden lut gets its own random, balanced split of the classes into
    two sides (``dichotomies``; like the columns of an error-correcting
    output code). It counts, for each of its ``2**k`` patterns, the training
    examples of each side, and remembers the side that presents the pattern
    more often relative to the side's size; its output bit is that side.
    Ties and unseen patterns are broken by the same hash of
    ``(seed, layer, lut, pattern)`` as in the two-class network. A layer's
    bits feed the next layer, as in the paper.

Output layer (many voting luts)
    ``n_output_luts`` luts, each reading ``output_k`` random bits of the last
    hidden layer, count how often every class presents each pattern (the
    paper's counts, kept in full: ``output_counts_``). Each lut also
    remembers its majority class (``tables_[-1]``, the paper's lut). To
    classify, every output lut votes for each class with the smoothed
    log-likelihood of the pattern it sees, ``log((count + alpha) / (n_c +
    alpha 2**k))`` with ``alpha =`` :data:`ALPHA`; the votes are averaged
    over the output luts and the log prior of the class is added (a tempered
    naive-Bayes combination of the output luts). ``predict`` is the argmax
    of these scores and ``predict_proba`` their softmax.

    Scores are computed in integers, so that ``predict`` is exact, the same
    on every machine, and the same function as the exported circuit
    (:mod:`lutlearn.export.netlist`): lut ``j``'s vote for class ``c`` is
    ``v[j, p, c] = round(S log((count + alpha) / alpha))`` with ``S =``
    :data:`VOTE_SCALE` (an integer from 0 to 209 whatever the counts), and
    class ``c``'s score is ``sum_j v[j, p_j, c] + b_c``, where ``b_c =
    round(S n_output_luts (log prior_c - log((n_c + alpha 2**k) / alpha)))``
    shifted so that the smallest is 0 (:func:`vote_weights`). Divided by ``S
    n_output_luts``, a score is the real-valued score above plus a constant
    that does not depend on the class, up to rounding: on 10-class MNIST and
    CIFAR-10 the rounding changes 2 and 24 of the 10,000 test predictions.
    Ties go to the lowest class index (``argmax``).

Why this design: on 10-class MNIST (pixel > 127) output luts voting on the
pixels directly reach about 0.90 test accuracy; one hidden layer of
dichotomy luts under them lifts it to about 0.94, and a second dichotomy
layer lowers it again (the README's "Multi-class and encoders" section gives
the figures and the command that makes them). In exploratory runs,
one-vs-rest targets for the hidden luts did about as well as random balanced
splits, and summing the output luts' class frequencies instead of their
log-likelihoods did clearly worse; random balanced splits are kept because
they suit any number of classes.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from sklearn.utils import check_random_state

from lutlearn import kernels
from lutlearn._validation import check_memory
from lutlearn.kernels_multiclass import count_layer32, fit_dichotomy_layer, vote_layer

#: The multi-class network's defaults, used where a constructor parameter is None.
DEFAULTS = {"k": 6, "hidden_layers": (2048,), "output_k": 12, "n_output_luts": 256}

#: Additive smoothing of the output luts' counts (a pattern never seen with a
#: class still gets a finite, very low vote for it).
ALPHA = 0.01

#: Votes are whole multiples of ``1 / VOTE_SCALE`` nat (see the module docstring).
VOTE_SCALE = 8

#: At most this many classes: tables store class indices as uint8.
MAX_CLASSES = 255


def random_dichotomies(rng: np.random.Generator, n_luts: int, n_classes: int) -> np.ndarray:
    """Split the classes in two for each lut: a uniformly random ``n_classes // 2`` of them get side 1.

    Returns
    -------
    targets : uint8 array of shape (n_luts, n_classes)
    """
    ranks = np.argsort(np.argsort(rng.random((n_luts, n_classes)), axis=1), axis=1)
    return (ranks < n_classes // 2).astype(np.uint8)


def input_accuracy(A: np.ndarray, y: np.ndarray, n_classes: int) -> np.ndarray:
    """Training accuracy of each input bit used as a 1-input lut (its majority class per value)."""
    wires = np.arange(A.shape[0], dtype=np.int32)[:, None]
    counts = kernels.count_layer(A, y, wires, n_classes)
    return counts.max(axis=2).sum(axis=1) / A.shape[1]


def fit(est, bits: np.ndarray, y: np.ndarray, n_classes: int, n_threads: int) -> None:
    """Train the multi-class network of ``est`` on Boolean ``bits`` and encoded labels ``y``.

    Sets ``seed_``, ``wires_``, ``tables_``, ``dichotomies_``,
    ``output_counts_`` and ``lut_accuracy_`` on ``est``; the caller runs
    ``est._finish()``. Must run inside the estimator's thread-count context.
    """
    if n_classes > MAX_CLASSES:
        raise ValueError(f"y has {n_classes} classes; LutNetworkClassifier learns at most {MAX_CLASSES}.")
    from lutlearn.network import random_wiring

    n, d = bits.shape
    widths, ks = est._architecture(d, n_classes)
    n_out, out_k = widths[-1], ks[-1]
    hidden_bytes = sum(w * ((1 << kl) + n_classes) for w, kl in zip(widths[1:-1], ks))
    vote_bytes = 8 * n_out * (1 << out_k) * n_classes
    work_bytes = 2 * max(widths) * n + n_threads * (1 << max(ks)) * n_classes * 8 + 4 * n * n_threads
    check_memory(hidden_bytes + vote_bytes + work_bytes, "this multi-class network")

    rs = check_random_state(est.random_state)
    est.seed_ = int(rs.randint(0, np.iinfo(np.int64).max, dtype=np.int64))
    rng = np.random.default_rng(est.seed_)
    y = np.ascontiguousarray(y, dtype=np.uint8)
    class_totals = np.bincount(y, minlength=n_classes).astype(np.int64)

    A = np.ascontiguousarray(bits.T)
    est.lut_accuracy_ = [input_accuracy(A, y, n_classes)]
    est.wires_, est.tables_, est.dichotomies_ = [], [], []
    n_layers = len(ks)
    for layer in range(1, n_layers + 1):
        t0 = time.perf_counter()
        width, kl = widths[layer], ks[layer - 1]
        wires = random_wiring(rng, width, widths[layer - 1], kl)
        if layer < n_layers:
            targets = random_dichotomies(rng, width, n_classes)
            tables = np.empty((width, 1 << kl), np.uint8)
            out = np.empty((width, n), np.uint8)
            correct = np.empty(width, np.int64)
            fit_dichotomy_layer(A, y, wires, targets, class_totals, est.seed_, layer, tables, out, correct)
            est.dichotomies_.append(targets)
            A = out
        else:
            est.output_counts_ = count_layer32(A, y, wires, n_classes)
            tables, correct = kernels.choose_layer(est.output_counts_, est.seed_, layer)
        est.wires_.append(wires)
        est.tables_.append(tables)
        est.lut_accuracy_.append(correct / n)
        if est.verbose:
            acc = est.lut_accuracy_[-1]
            kind = "voting output luts" if layer == n_layers else "dichotomy luts"
            print(
                f"[lutlearn] layer {layer}/{n_layers}: {width} {kind}, k={kl}, "
                f"training accuracy mean {acc.mean():.4f} max {acc.max():.4f} "
                f"({time.perf_counter() - t0:.2f} s)",
                file=sys.stderr,
            )


def vote_weights(output_counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The output luts' integer votes and the per-class bias, from their counts.

    Returns
    -------
    votes : uint8 array of shape (n_output_luts, 2**output_k, n_classes)
        ``round(VOTE_SCALE * log((count + ALPHA) / ALPHA))``; at most 209
        for any count below ``2**31``.
    bias : int64 array of shape (n_classes,)
        ``round(VOTE_SCALE * n_output_luts * (log(prior) - log((n_c + ALPHA
        2**output_k) / ALPHA)))``, minus its minimum (so the smallest is 0).
    """
    n_out, size, _ = output_counts.shape

    def vote(counts: np.ndarray) -> np.ndarray:
        return np.rint(VOTE_SCALE * np.log((counts.astype(np.float64) + ALPHA) / ALPHA)).astype(np.uint8)

    top = int(output_counts.max(initial=0))
    if top < 1 << 20:  # a table indexed by the count: 10x faster than a log per entry
        votes = vote(np.arange(top + 1))[output_counts]
    else:
        votes = vote(output_counts)
    totals = output_counts[0].sum(axis=0).astype(np.float64)
    offset = np.log(totals / totals.sum()) - np.log((totals + ALPHA * size) / ALPHA)
    bias = np.rint(VOTE_SCALE * n_out * offset).astype(np.int64)
    return votes, bias - bias.min()


def decision_scores(est, A: np.ndarray) -> np.ndarray:
    """Integer class scores ``(n_samples, n_classes)`` from the last hidden layer's values ``A``.

    ``scores[i, c] = sum_j votes[j, p_j(i), c] + bias[c]`` (see
    :func:`vote_weights`); ``predict`` is their argmax (first maximum).
    """
    wires = est._cone[-1][0]
    votes, bias = est._vote
    scores = np.zeros((A.shape[1], votes.shape[2]), np.int64)
    vote_layer(A, wires, votes, scores)
    scores += bias
    return scores


def proba_from_scores(scores: np.ndarray, n_output_luts: int) -> np.ndarray:
    """Softmax of each row of integer ``scores`` divided by ``VOTE_SCALE * n_output_luts``."""
    z = scores / float(VOTE_SCALE * n_output_luts)
    z = np.exp(z - z.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)
