"""Slow, obvious NumPy twins of :mod:`lutlearn.core.kernels` and of prediction, used as test oracles.

Nothing here is compiled or parallel; every function states the model's rules
in the plainest NumPy available, so that the fast kernels can be checked
against it table for table and bit for bit.
"""

from __future__ import annotations

import numpy as np

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15


def mix64(z: int) -> int:
    """SplitMix64 finaliser on Python integers (same as :func:`lutlearn.core.kernels.mix64`)."""
    z &= _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def lut_key(seed: int, layer: int, lut: int) -> int:
    """Tie-breaking key of a lut (same as :func:`lutlearn.core.kernels.lut_key`)."""
    return mix64(seed ^ mix64(layer * _GOLDEN + lut))


def tie_hash(key: int, pattern: int) -> int:
    """Tie-breaking number of one pattern (same as :func:`lutlearn.core.kernels.tie_hash`)."""
    return mix64(key + (pattern + 1) * _GOLDEN)


def pattern_index(A: np.ndarray, wires_row: np.ndarray) -> np.ndarray:
    """Pattern of each example: wire 0 is the most significant bit."""
    k = len(wires_row)
    weights = 1 << np.arange(k - 1, -1, -1, dtype=np.int64)
    return (A[np.asarray(wires_row)].astype(np.int64) * weights[:, None]).sum(axis=0)


def count_patterns(A: np.ndarray, y: np.ndarray, wires_row: np.ndarray, n_classes: int, sw=None) -> np.ndarray:
    """Class counts of shape ``(2**k, C)`` for one lut (example ``i`` counting ``sw[i]`` times if given)."""
    idx = pattern_index(A, wires_row)
    counts = np.zeros((1 << len(wires_row), n_classes), dtype=np.int64)
    np.add.at(counts, (idx, np.asarray(y, dtype=np.int64)), 1 if sw is None else np.asarray(sw, np.int64))
    return counts


def tie_hashes(key: int, size: int) -> np.ndarray:
    """:func:`tie_hash` of patterns ``0 .. size - 1`` at once (uint64 arithmetic wraps as the kernels' does)."""
    def mix(z):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))

    p = np.arange(size, dtype=np.uint64)
    return mix(np.uint64(key) + (p + np.uint64(1)) * np.uint64(_GOLDEN))


def choose(counts: np.ndarray, side: np.ndarray, weights, n_slots: int, key: int) -> tuple[np.ndarray, int]:
    """A lut's table from its class counts ``(2**k, C)``, its side of each class and weights: ``(table, n_correct)``.

    The rule of :mod:`lutlearn.core.kernels`: the classes' counts are summed into
    slots ``side[c]``; with two slots, slot 1 where ``ones * weights[0] >
    zeros * weights[1]``, slot 0 where smaller, ``tie_hash & 1`` on a tie;
    with more, the majority slot, the ``(tie_hash % n_tied)``-th of the tied.
    """
    size = counts.shape[0]
    h = np.zeros((size, n_slots), np.int64)
    for c in range(counts.shape[1]):
        h[:, side[c]] += counts[:, c]
    ties = tie_hashes(key, size)
    if n_slots == 2:
        a, b = h[:, 1] * int(weights[0]), h[:, 0] * int(weights[1])
        table = np.where(a > b, 1, np.where(a < b, 0, (ties & np.uint64(1)).astype(np.int64)))
    else:
        tied = h == h.max(axis=1, keepdims=True)
        r = (ties % tied.sum(axis=1).astype(np.uint64)).astype(np.int64)
        table = np.argmax(tied & (np.cumsum(tied, axis=1) == r[:, None] + 1), axis=1)
    table = table.astype(np.uint8)
    return table, int(h[np.arange(size), table].sum())


def fit_layer(A, y, wires, sides, weights, n_slots, seed, layer, sw=None):
    """Train one layer lut by lut: ``(tables, outputs, correct)`` as :func:`lutlearn.core.kernels.fit_layer` writes
    them."""
    n_classes = sides.shape[1]
    tables, outs, correct = [], [], []
    for j, w in enumerate(wires):
        counts = count_patterns(A, y, w, n_classes, sw)
        table, c = choose(counts, sides[j], weights[j], n_slots, lut_key(seed, layer, j))
        tables.append(table)
        outs.append(table[pattern_index(A, w)])
        correct.append(c)
    return np.array(tables), np.array(outs, dtype=np.uint8), np.array(correct, dtype=np.int64)


def count_layer(A, y, wires, n_classes, sw=None):
    """Class counts ``(n_luts, 2**k, C)`` of every lut."""
    return np.array([count_patterns(A, y, w, n_classes, sw) for w in wires])


def cv_score(q, y, fold, w) -> float:
    """Two-fold cross-validated log-likelihood of a two-class lut reading patterns ``q``
    (as :func:`lutlearn.core.kernels._cv_score`, summed in the same cell order).

    Every example scores, times its weight, ``log((n_y + 1) / (n + 2))`` with
    ``n`` the examples of the other fold with its pattern, ``n_y`` those of its class.
    """
    import math

    q, y, fold, w = (np.asarray(a, np.int64) for a in (q, y, fold, w))
    score = 0.0
    for p in range(int(q.max()) + 1 if len(q) else 0):
        cell = q == p
        for f in (0, 1):
            other = [int(w[cell & (fold != f) & (y == c)].sum()) for c in (0, 1)]
            for c in (0, 1):
                n_fc = int(w[cell & (fold == f) & (y == c)].sum())
                if n_fc > 0:
                    score += float(n_fc) * (math.log(other[c] + 1) - math.log(sum(other) + 2))
    return score


def greedy_wires(A, y, fold, w, starts, pools, k):
    """Every lut's greedily chosen wires and final score, as :func:`lutlearn.core.kernels.greedy_wires` chooses them.

    ``starts[j]`` is the list of inputs lut ``j`` starts from.
    """
    wires, scores = [], []
    for start, pool in zip(starts, pools):
        chosen = [int(f) for f in start]
        path = [cv_score(pattern_index(A, chosen), y, fold, w)]  # score of every prefix, from the start
        for _ in range(k - len(start)):
            options = [(cv_score(pattern_index(A, chosen + [int(c)]), y, fold, w), int(c))
                       for c in pool if int(c) not in chosen]
            if not options:
                break
            best = max(s for s, _ in options)
            chosen.append(next(c for s, c in options if s == best))  # the first best in pool order
            path.append(best)
        score = max(path)
        keep = path.index(score) + len(start)  # the shortest prefix (at least the start) with the best score
        chosen = chosen[:keep]
        wires.append(chosen + [chosen[-1]] * (k - len(chosen)))
        scores.append(score)
    return np.array(wires, np.int32), np.array(scores, np.float64)


def walsh_sum(A, y, w, subset) -> int:
    """``sum_i w_i (-1)**(y_i xor parity of the inputs in subset)`` (as :func:`lutlearn.core.kernels.subset_sums`)."""
    bits = np.asarray(y, np.int64).copy()
    for f in subset:
        bits ^= np.asarray(A[f], np.int64)
    return int(np.sum(np.asarray(w, np.int64) * (1 - 2 * bits)))


def interaction_scan(A, y, w, order, threshold, cap):
    """Lanes of :func:`lutlearn.core.kernels.interaction_scan`: per smallest input, the kept subsets and sums, and
    counts."""
    import itertools

    n = A.shape[0]
    lanes = [[] for _ in range(n)]
    counts = [0] * n
    for s in itertools.combinations(range(n), order):
        v = walsh_sum(A, y, w, s)
        if abs(v) < threshold:
            continue
        lane = lanes[s[0]]
        counts[s[0]] += 1
        if len(lane) < cap:
            lane.append((s, v))
            continue
        weakest = min(range(cap), key=lambda r: (abs(lane[r][1]), r))  # the first of the weakest
        if abs(v) > abs(lane[weakest][1]):
            lane[weakest] = (s, v)
    return lanes, counts


def quad_candidates(A, y, order, windows):
    """Every set of 4 inputs whose parity equals the label on one of the windows ``order[64 t: 64 t + 64]``."""
    import itertools

    found = []
    rows = [order[64 * t: 64 * t + 64] for t in range(min(windows, len(order) // 64))]
    for s in itertools.combinations(range(A.shape[0]), 4):
        par = np.bitwise_xor.reduce(np.asarray(A[list(s)], np.uint8), axis=0)
        if any((par[r] == np.asarray(y)[r]).all() for r in rows):
            found.append(s)
    return found


def interaction_subsets(A, y, w, order4, margin, windows=4, triples=True):
    """The sets :func:`lutlearn.core.training.interaction_subsets` keeps, by brute force (no scan cap).

    ``order4``: the examples whose windows propose four-input sets; ``margin``
    the threshold's factor over ``sqrt(2 ln(2 M) sum w**2)``.
    """
    import itertools
    import math

    n = A.shape[0]
    w2 = float(np.sum(np.asarray(w, np.float64) ** 2))

    def threshold(m):
        return max(1, math.ceil(margin * math.sqrt(2 * math.log(2 * max(1, m)) * w2)))

    candidates = list(itertools.combinations(range(n), 2))
    if triples:
        candidates += list(itertools.combinations(range(n), 3))
    candidates += quad_candidates(A, y, order4, windows) if n >= 4 else []
    best_single = max(abs(walsh_sum(A, y, w, [f])) for f in range(n))
    kept = []
    for s in candidates:
        v = walsh_sum(A, y, w, s)
        t = threshold(math.comb(n, len(s)))
        if abs(v) < max(t, best_single):
            continue
        subsets = (u for r in range(1, len(s)) for u in itertools.combinations(s, r))
        if all(abs(v) >= abs(walsh_sum(A, y, w, u)) + t for u in subsets):
            kept.append((-abs(v), len(s), s))
    return [s for _, _, s in sorted(kept)]


def predict_layer(A, wires, tables):
    """Evaluate one layer lut by lut."""
    return np.array([t[pattern_index(A, w)] for w, t in zip(wires, tables)], dtype=np.uint8)


def vote_scores(patterns, votes):
    """``scores[i] = sum_j votes[j, patterns[i, j]]``, luts added in index order (int64 for integer votes)."""
    dtype = np.int64 if np.issubdtype(votes.dtype, np.integer) else np.float64
    scores = np.zeros((patterns.shape[0], votes.shape[2]), dtype)
    for j, v in enumerate(votes):
        scores += v[patterns[:, j]]
    return scores


def predict(model, X):
    """A two-class model's predictions from its public attributes, every lut of every layer evaluated."""
    A = np.asarray(X, dtype=np.uint8).T
    for w, t in zip(model.wires_, model.tables_):
        A = predict_layer(A, w, t)
    return model.classes_[A[0]]


def decision_scores(model, X):
    """Integer class scores of a multi-class model from its public attributes, every lut evaluated.

    Restates :class:`lutlearn.core.model.VoteHead`: each output lut votes
    ``round(VOTE_SCALE * log((count + ALPHA) / ALPHA))`` per class, and the
    class bias is ``round(VOTE_SCALE * n_out * (log prior - log((n_c + ALPHA
    2**k) / ALPHA)))`` less its minimum.
    """
    import math

    from lutlearn.core.model import ALPHA, VOTE_SCALE

    A = np.asarray(X, dtype=np.uint8).T
    for w, t in zip(model.wires_[:-1], model.tables_[:-1]):
        A = predict_layer(A, w, t)
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
    from lutlearn.core.model import VOTE_SCALE

    scores = decision_scores(model, X) / (VOTE_SCALE * model.output_counts_.shape[0])
    z = np.exp(scores - scores.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


FIXED_ONE = float(2**52)


def _boost_cost(z0: int, z1: int, q: int) -> float:
    return float(min(z0, z1)) if q == 0 else 2.0 * np.sqrt(float(max(z0, 0)) * float(max(z1, 0)))


def boost_luts(A, bounds, w0, lut_off, k, cand, q=0, delta=1.0, factors=None, rate=1.0):
    """:func:`lutlearn.core.kernels.boost_luts` restated with NumPy: integer (fixed-point) weights, exact sums.

    Returns ``(wires, tables, errors)``.
    """
    n = A.shape[1]
    n_luts = cand.shape[0]
    wires = np.zeros((n_luts, k), np.int32)
    tables = np.zeros((n_luts, 1 << k), np.uint8)
    errors = np.zeros(n_luts)
    eps = 0.5 / n
    for c in range(len(bounds) - 1):
        t = np.zeros(n, np.int64)
        t[bounds[c]:bounds[c + 1]] = 1
        pos, neg = int(w0[t == 1].sum()), int(w0[t == 0].sum())  # whole numbers
        w = np.rint(w0 * np.where(t == 1, 0.5 / pos if pos else np.inf, 0.5 / neg if neg else np.inf)
                    * FIXED_ONE).astype(np.int64)
        for j in range(lut_off[c], lut_off[c + 1]):
            pattern = np.zeros(n, np.int64)
            chosen: list[int] = []
            for s in range(k):
                key = pattern * 2 + t
                base = np.zeros(2 << s, np.int64)
                np.add.at(base, key, w)
                best_cost, best_f = np.inf, -1
                for f in cand[j]:
                    if f in chosen:
                        continue
                    on = np.flatnonzero(A[f])
                    h = np.zeros(2 << s, np.int64)
                    np.add.at(h, key[on], w[on])
                    cost = 0.0
                    for p in range(1 << s):
                        z0, z1 = int(h[2 * p]), int(h[2 * p + 1])
                        b0, b1 = int(base[2 * p]), int(base[2 * p + 1])
                        cost += _boost_cost(z0, z1, q) + _boost_cost(b0 - z0, b1 - z1, q)
                    if cost < best_cost:
                        best_cost, best_f = cost, int(f)
                chosen.append(best_f)
                pattern = (pattern << 1) | A[best_f]
            key = pattern * 2 + t
            hist = np.zeros(2 << k, np.int64)
            np.add.at(hist, key, w)
            z0, z1 = hist[0::2], hist[1::2]
            if q == 0:
                table = (z1 > z0).astype(np.uint8)
            else:
                v = np.rint(0.5 * np.log((z1 / FIXED_ONE + eps) / (z0 / FIXED_ONE + eps)) / delta)
                table = (np.clip(v, -q, q) + q).astype(np.uint8)
            err, total = int(np.minimum(z0, z1).sum()), int(hist.sum())
            e = err / total if total > 0 else 0.5
            wires[j], tables[j], errors[j] = chosen, table, e
            mult = np.empty(2 << k)
            if q == 0:
                ratio = (1.0 - e) / e if 0.0 < e < 0.5 else 1.0
                ratio = ratio if rate == 1.0 else ratio**rate
                mult[0::2] = np.where(table != 0, ratio, 1.0)
                mult[1::2] = np.where(table != 1, ratio, 1.0)
            else:
                v = table.astype(np.int64) - q
                mult[0::2], mult[1::2] = factors[q - v], factors[q + v]
            new_total = 0.0
            for u in range(2 << k):
                new_total += float(hist[u]) * mult[u]
            scale = FIXED_ONE / new_total if new_total > 0 else 1.0
            w = np.rint(w.astype(np.float64) * mult[key] * scale).astype(np.int64)
    return wires, tables, errors


def fill_dont_cares(table, care) -> np.ndarray:
    """:func:`lutlearn.core.inspection.fill_dont_cares` (the kernel ``fill_small``), recursively in NumPy."""
    table = np.asarray(table, np.uint8)
    care = np.asarray(care, bool)

    def fill(T: np.ndarray, C: np.ndarray) -> np.ndarray:
        cared = T[C]
        if cared.size == 0:
            return np.zeros_like(T)
        if (cared == cared[0]).all():
            return np.full_like(T, cared[0])
        half = T.shape[0] // 2
        T0, T1, C0, C1 = T[:half], T[half:], C[:half], C[half:]
        if not (C0 & C1 & (T0 != T1)).any():  # the halves agree where both care: skip this input
            merged = fill(np.where(C0, T0, T1), C0 | C1)
            return np.concatenate([merged, merged])
        return np.concatenate([fill(T0, C0), fill(T1, C1)])

    return fill(table, care)


def fill_neighbours(table, counts, rng: np.random.Generator) -> np.ndarray:
    """:func:`lutlearn.core.inspection.fill_neighbours` (the kernel ``fill_nearest``), one unseen pattern at a
    time: the class counts summed over the patterns at Hamming distance 1, 2, ... until some are seen."""
    out = np.asarray(table, np.uint8).copy()
    counts = np.asarray(counts, np.int64)
    size = len(out)
    todo = np.flatnonzero(counts.sum(axis=1) == 0)
    coin = rng.integers(0, 2, todo.size).astype(np.uint8)  # one per unseen pattern, drawn up front
    if todo.size in (0, size):
        return out
    for p, c in zip(todo, coin):
        for d in range(1, size.bit_length()):
            near = [q for q in range(size) if bin(int(p) ^ q).count("1") == d]
            t0, t1 = counts[near].sum(axis=0)
            if t0 + t1 > 0:
                out[p] = 1 if t1 > t0 else 0 if t1 < t0 else c
                break
    return out
