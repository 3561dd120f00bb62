"""Probes of a fitted :class:`~lutlearn.LutNetwork`: unseen-pattern filling and the bit-flip critical search.

Both work through the model's own evaluation (:meth:`LutNetwork.layer_values`)
and never edit a network in place: :func:`fill_unseen` returns a new one.
"""

from __future__ import annotations

import functools

import numpy as np

from lutlearn.core import _workspace, kernels
from lutlearn.core.model import LutNetwork

__all__ = ["fill_dont_cares", "fill_neighbours", "fill_unseen", "lut_critical"]


def fill_dont_cares(table: np.ndarray, care: np.ndarray) -> np.ndarray:
    """Choose the entries of a lut's table where ``care`` is False so that its circuit is small.

    Shannon decomposition on the inputs in order (first input = most
    significant pattern bit): where the cared-for entries of a sub-table
    are all equal, the whole sub-table takes that value; where its two
    halves agree on the entries both care about, they are merged and the
    input is skipped. Cared-for entries never change.

    Parameters
    ----------
    table : uint8 ndarray of shape (2**k,)
    care : bool ndarray of shape (2**k,)

    Returns
    -------
    uint8 ndarray of shape (2**k,)
    """
    table = np.ascontiguousarray(table, np.uint8)
    care = np.ascontiguousarray(care, bool)
    if table.ndim != 1 or care.shape != table.shape or table.size & (table.size - 1):
        raise ValueError(f"need a table and a care mask of one length, a power of two; got {table.shape} and "
                         f"{care.shape}")
    out = np.empty_like(table)
    kernels.fill_small(table[None], care[None], out[None])
    return out


def fill_neighbours(table: np.ndarray, counts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Set each unseen entry of a two-class lut's table to the majority of its nearest seen patterns' counts.

    An entry is unseen when its pattern has no count. For each unseen
    pattern ``p``, the class counts of the patterns at Hamming distance 1
    from ``p`` are summed, and the entry takes the class with the larger
    sum; when no pattern at distance 1 was seen, distance 2 is used, and
    so on. Equal sums are broken by ``rng`` (one draw per unseen pattern,
    in pattern order). Seen entries never change.

    Parameters
    ----------
    table : uint8 ndarray of shape (2**k,)
    counts : integer ndarray of shape (2**k, 2)
        Class counts of every pattern.
    rng : numpy.random.Generator
        Breaks ties.

    Returns
    -------
    uint8 ndarray of shape (2**k,)
    """
    table = np.asarray(table, np.uint8)
    counts = np.asarray(counts, np.int64)
    size = table.shape[0]
    k = size.bit_length() - 1
    if counts.shape != (size, 2) or size != 1 << k:
        raise ValueError(f"fill_neighbours needs a table of 2**k entries and (2**k, 2) counts; "
                         f"got {table.shape} and {counts.shape}")
    out = table.copy()
    todo = np.flatnonzero(counts.sum(axis=1) == 0)
    coin = rng.integers(0, 2, todo.size).astype(np.uint8)  # drawn up front: one per unseen pattern
    if todo.size == 0 or todo.size == size:
        return out
    masks, starts = _masks_in_order(k)
    kernels.fill_nearest(np.ascontiguousarray(counts), todo.astype(np.int64), coin, masks, starts, out)
    return out


@functools.lru_cache(maxsize=32)
def _masks_in_order(k: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_masks_by_weight` as one array and the start of every weight's run (and the end), for the kernel."""
    by = _masks_by_weight(k)
    starts = np.concatenate([[0], np.cumsum([len(m) for m in by])]).astype(np.int64)
    masks = np.concatenate(by).astype(np.int64)
    masks.flags.writeable = starts.flags.writeable = False
    return masks, starts


@functools.lru_cache(maxsize=32)
def _masks_by_weight(k: int) -> tuple[np.ndarray, ...]:
    """The ``k``-bit masks with ``d`` bits set, increasing, for ``d = 0 .. k`` (read-only; made once per ``k``)."""
    masks = np.arange(1 << k)
    weight = np.zeros(1 << k, np.int64)
    for b in range(k):
        weight += (masks >> b) & 1
    out = tuple(masks[weight == d] for d in range(k + 1))
    for a in out:
        a.flags.writeable = False
    return out


def fill_unseen(network: LutNetwork, X, n_jobs: int | None = None, *, rule: str = "small",
                y=None) -> LutNetwork:
    """The network with the cone luts' entries for patterns no training example showed set by ``rule``.

    Those entries are the learner's free choices (the paper breaks such
    ties at random): changing them leaves every lut's output on the
    training set, hence every count and every other table, unchanged, so
    the result is still the network memorizing ``X``; only its answers on
    never-seen patterns move. ``network`` is not changed.

    Parameters
    ----------
    network : LutNetwork
        Fitted on ``X``.
    X : array-like of shape (n_samples, n_inputs)
        The training inputs (0/1).
    n_jobs : int or None, default=None
        Threads of the kernels.
    rule : {"small", "neighbours"}, default="small"
        ``"small"``: entries chosen to make the circuit small
        (:func:`fill_dont_cares`); ``"neighbours"``: each entry takes the
        majority class of the seen patterns nearest to it in Hamming
        distance (:func:`fill_neighbours`; ties from the network's seed),
        for two-class networks with one output lut only.
    y : array-like of shape (n_samples,), optional
        The training class indices (0/1), needed by ``"neighbours"``.

    Returns
    -------
    LutNetwork
    """
    if rule not in ("small", "neighbours"):
        raise ValueError(f"rule must be 'small' or 'neighbours', got {rule!r}")
    X = np.asarray(X, dtype=np.uint8)
    if rule == "neighbours":
        if network.voting:
            raise ValueError("fill_unseen(rule='neighbours') needs a two-class network with one output lut")
        if y is None:
            raise ValueError("fill_unseen(rule='neighbours') needs the training class indices y")
        labels = np.asarray(y)
        if labels.shape != (X.shape[0],) or not np.isin(labels, (0, 1)).all():
            raise ValueError(f"y must hold one class index (0 or 1) per row of X; got shape {labels.shape}")
        labels = labels.astype(np.uint8)
        rng = np.random.default_rng([network.seed, 0x6E65696768])  # "neigh": its own stream of the seed
    values = network.layer_values(X, n_jobs)
    cone = network.cone()
    tables = [t.copy() for t in network.tables]
    with _workspace.numba_threads(n_jobs):
        for layer, (A, (wires, _), kept) in enumerate(zip(values, cone.layers(), cone.keep)):
            if rule == "small":
                counts = np.zeros((wires.shape[0], 1 << wires.shape[1], 1), np.int64)
                kernels.count_layer(A, np.zeros(A.shape[1], np.uint8), wires, False, counts)
                seen = counts[:, :, 0] > 0
                filled = np.empty((len(kept), seen.shape[1]), np.uint8)
                kernels.fill_small(np.ascontiguousarray(tables[layer][kept], np.uint8), np.ascontiguousarray(seen),
                                   filled)
                tables[layer][kept] = filled
            else:
                counts = np.zeros((wires.shape[0], 1 << wires.shape[1], 2), np.int64)
                kernels.count_layer(A, labels, wires, False, counts)
                tables[layer][kept] = np.stack(
                    [fill_neighbours(tables[layer][j], c, rng) for j, c in zip(kept, counts)])
    return network.replace(tables=tables)


def _outputs(network: LutNetwork, V: np.ndarray, other: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Predicted class index of each row of ``V`` and its search score for class ``other`` (per row)."""
    values = network.layer_values(V)
    A, idx = values[-2], values[-1][0]
    pred = network.tables[-1][0][idx]
    counts = network.head.counts[idx].astype(np.float64)
    totals = counts.sum(axis=1)
    p_other = np.where(totals > 0, counts[np.arange(len(V)), other] / np.maximum(totals, 1), 0.5)
    vote = (A == other[None, :]).mean(axis=0) if A.shape[0] else np.zeros(len(V))
    return pred, p_other + 1e-3 * vote


def lut_critical(network: LutNetwork, X: np.ndarray, radii, n_random: int = 64, seed: int = 0,
                 chunk_rows: int = 40000) -> dict:
    """Which rows of ``X`` change prediction when at most r input bits flip, for each r in ``radii``.

    The search of :mod:`lutlearn.memorization.critical` (Arpit et al.'s
    critical sample ratio, for bit inputs): greedy flips of the output
    cone's inputs that most raise the other class's probability at the
    output lut, then random flip sets.

    Parameters
    ----------
    network : LutNetwork
        A fitted two-class network (the paper's, one output lut).
    X : array of shape (n_samples, n_features)
        0/1 test inputs.
    radii : sequence of int
        Hamming radii r.
    n_random : int, default=64
        Random flip sets tried per example and radius.
    seed : int, default=0
        Seeds the random flips and tie-breaks.

    Returns
    -------
    dict
        ``radii``, ``ratio`` (critical share per radius), ``critical``
        (per radius, 0/1 flag per example), ``budget`` (greedy rounds and
        evaluations per round, random probes per radius) and ``found_by``
        (per radius, how many examples each search found).
    """
    radii = [int(r) for r in radii]
    X = np.ascontiguousarray(X, dtype=np.uint8)
    rng = np.random.default_rng(seed)
    if network.voting:
        raise ValueError("lut_critical searches the paper's two-class network (one output lut), not a voting one")
    cone = network.cone().inputs
    n, m = len(X), len(cone)
    base_pred, _ = _outputs(network, X, np.zeros(n, np.int64))
    other = 1 - base_pred.astype(np.int64)
    greedy_step = np.full(n, np.iinfo(np.int64).max)
    cur = X.copy()
    flipped = np.zeros((n, m), bool)
    per_chunk = max(1, chunk_rows // max(m, 1))
    for step in range(1, max(radii) + 1):
        active = np.flatnonzero(greedy_step > step)
        for start in range(0, len(active), per_chunk):
            rows = active[start:start + per_chunk]
            V = np.repeat(cur[rows], m, axis=0).reshape(len(rows), m, -1)
            V[:, np.arange(m), cone] ^= 1
            pred, score = _outputs(network, V.reshape(len(rows) * m, -1), np.repeat(other[rows], m))
            pred, score = pred.reshape(len(rows), m), score.reshape(len(rows), m)
            score = np.where(flipped[rows], -np.inf, score + 1e-9 * rng.random(score.shape))
            hit = pred != base_pred[rows, None]
            greedy_step[rows[hit.any(axis=1)]] = step
            best = score.argmax(axis=1)
            cur[rows, cone[best]] ^= 1
            flipped[rows, best] = True
    flags, found_by = [], []
    for r in radii:
        random_hit = np.zeros(n, bool)
        if m and r <= m:
            per = max(1, chunk_rows // max(n_random, 1))
            for start in range(0, n, per):
                rows = np.arange(start, min(n, start + per))
                picks = np.argsort(rng.random((len(rows) * n_random, m)), axis=1)[:, :r]
                V = np.repeat(X[rows], n_random, axis=0)
                V[np.arange(len(V))[:, None], cone[picks]] ^= 1
                pred, _ = _outputs(network, V, np.repeat(other[rows], n_random))
                random_hit[rows] = (pred.reshape(len(rows), n_random) != base_pred[rows, None]).any(axis=1)
        greedy_hit = greedy_step <= r
        crit = greedy_hit | random_hit
        flags.append(crit.astype(np.uint8))
        found_by.append({"greedy": int(greedy_hit.sum()), "random": int(random_hit.sum()),
                         "random_only": int((random_hit & ~greedy_hit).sum())})
    return {"radii": radii, "ratio": [float(f.mean()) if n else 0.0 for f in flags], "critical": flags,
            "budget": {"greedy_rounds": max(radii), "evaluations_per_round": m, "random_probes_per_radius": n_random},
            "found_by": found_by}
