"""The compiled kernels against the NumPy reference, and the paper's properties of a single lut."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from _kernels import fit_sorted
from lutlearn.core import _reference as ref, kernels


def _random_layer(rng, n_prev=12, n=300, n_luts=20, k=4, n_classes=2):
    A = rng.integers(0, 2, size=(n_prev, n), dtype=np.uint8)
    y = rng.integers(0, n_classes, size=n).astype(np.uint8)
    wires = np.array([rng.choice(n_prev, k, replace=False) for _ in range(n_luts)], dtype=np.int32)
    return A, y, wires


def _rule(rng, design, n_luts, n_classes, y):
    """``(sides, weights, n_slots)``: the paper's luts, multi-class split luts, or a slot per class."""
    if design == "paper":
        return np.tile(np.arange(n_classes, dtype=np.uint8), (n_luts, 1)), np.ones((n_luts, 2), np.int64), n_classes
    if design == "split":
        sides = (rng.random((n_luts, n_classes)) < 0.5).astype(np.uint8)
        sides[:, 0], sides[:, 1] = 0, 1  # both sides non-empty
        totals = np.bincount(y, minlength=n_classes)
        n1 = (sides * totals).sum(axis=1)
        return sides, np.stack([totals.sum() - n1, n1], axis=1).astype(np.int64), 2
    raise ValueError(design)


# ---------------------------------------------------------------- kernels == reference
@pytest.mark.parametrize(
    "k, n_classes, n, n_blocks, copies, design",
    [
        (1, 2, 50, 1, 1, "paper"),
        (2, 2, 301, 2, 4, "paper"),
        (3, 3, 200, 3, 1, "paper"),  # a slot per class: the voting luts
        (3, 4, 200, 3, 1, "split"),
        (4, 2, 1000, 5, 4, "paper"),
        (5, 2, 64, 2, 1, "paper"),  # many unseen patterns: ties everywhere
        (5, 6, 900, 2, 4, "split"),
        (7, 3, 513, 4, 4, "paper"),
        (8, 2, 2000, 3, 4, "paper"),
        (8, 2, 2000, 7, 1, "paper"),
        (8, 5, 700, 2, 1, "split"),
        (9, 2, 700, 2, 1, "paper"),
        (12, 3, 900, 3, 1, "paper"),
        (12, 3, 900, 3, 1, "split"),
        (16, 2, 300, 2, 1, "paper"),
    ],
)
def test_fit_layer_matches_reference(k, n_classes, n, n_blocks, copies, design):
    rng = np.random.default_rng(k * 10 + n_classes)
    A, y, wires = _random_layer(rng, n_prev=24, n=n, n_luts=7, k=k, n_classes=n_classes)
    A[:6] ^= (y % 2).astype(np.uint8) & (rng.random((6, n)) < 0.8)  # some features track the class
    sides, weights, n_slots = _rule(rng, design, 7, n_classes, y)
    seed, layer = int(rng.integers(0, 2**62)), 3
    tables, out, correct, counts = fit_sorted(A, y, wires, sides, weights, n_slots, seed, layer, n_blocks, copies)
    r_tables, r_out, r_correct = ref.fit_layer(A, y, wires, sides, weights, n_slots, seed, layer)
    np.testing.assert_array_equal(tables, r_tables)
    np.testing.assert_array_equal(out, r_out)
    np.testing.assert_array_equal(correct, r_correct)
    for j in range(7):  # every lut's slot counts
        want = np.zeros((1 << k, n_slots), np.int64)
        for c in range(n_classes):
            want[:, sides[j, c]] += ref.count_patterns(A, y, wires[j], n_classes)[:, c]
        np.testing.assert_array_equal(counts[j], want)
    for packed in (False, True) if n_slots == 2 else (False,):  # packed values are bits
        src = np.packbits(A, axis=0) if packed else A
        pred = np.full((-(-7 // 8), n) if packed else (7, n), 0xFF, np.uint8)
        kernels.predict_layer(src, wires, tables, packed, pred)
        got = np.unpackbits(pred, axis=0, count=7) if packed else pred
        np.testing.assert_array_equal(got, ref.predict_layer(A, wires, tables))


def test_the_paper_lut_is_a_split_lut_with_unit_weights():
    """Two classes, side [0, 1]: the weights (1, 1) and the slots' sizes (n0, n1) give the same rule only if n0 = n1."""
    rng = np.random.default_rng(3)
    A, y, wires = _random_layer(rng, n_prev=12, n=400, n_luts=9, k=5)
    sides = np.tile(np.array([0, 1], np.uint8), (9, 1))
    t1, _, c1, _ = fit_sorted(A, y, wires, sides, np.ones((9, 2), np.int64), 2, 5, 1)
    counts = ref.count_layer(A, y, wires, 2)
    for j in range(9):  # the majority class, ties by the hash
        table, correct = ref.choose(counts[j], sides[j], (1, 1), 2, ref.lut_key(5, 1, j))
        np.testing.assert_array_equal(t1[j], table)
        assert c1[j] == correct == counts[j].max(axis=1).sum()


@pytest.mark.parametrize(
    "k, n_classes, design, copies",
    [(3, 2, "paper", 4), (5, 4, "split", 1), (4, 3, "paper", 1), (12, 2, "paper", 1), (9, 5, "split", 4)],
)
def test_weighted_fit_layer_and_count_layer_match_reference(k, n_classes, design, copies):
    """Integer sample weights: every example counts its weight (zeros included), in fit_layer and count_layer."""
    rng = np.random.default_rng(k + 31 * n_classes)
    A, y, wires = _random_layer(rng, n_prev=20, n=600, n_luts=11, k=k, n_classes=n_classes)
    A[:5] ^= (y % 2).astype(np.uint8) & (rng.random((5, 600)) < 0.7)
    sw = rng.integers(0, 5, 600)
    sides, weights, n_slots = _rule(rng, design, 11, n_classes, y)
    tables, out, correct, counts = fit_sorted(A, y, wires, sides, weights, n_slots, 17, 2, 3, copies, sw=sw)
    r_tables, r_out, r_correct = ref.fit_layer(A, y, wires, sides, weights, n_slots, 17, 2, sw)
    np.testing.assert_array_equal(tables, r_tables)
    np.testing.assert_array_equal(out, r_out)
    np.testing.assert_array_equal(correct, r_correct)
    unweighted, _, _, _ = fit_sorted(A, y, wires, sides, weights, n_slots, 17, 2, 3, copies)
    assert not np.array_equal(unweighted, tables)  # the weights matter
    for packed in (False, True):
        got = np.zeros((11, 1 << k, n_classes), np.int64)
        for s in range(0, 600, 250):
            chunk = np.ascontiguousarray(A[:, s:s + 250])
            kernels.count_layer(np.packbits(chunk, axis=0) if packed else chunk, y[s:s + 250], wires, packed, got,
                                sw[s:s + 250].astype(np.int32))
        np.testing.assert_array_equal(got, ref.count_layer(A, y, wires, n_classes, sw))
    for j in range(11):
        want = np.zeros((1 << k, n_slots), np.int64)
        for c in range(n_classes):
            want[:, sides[j, c]] += ref.count_patterns(A, y, wires[j], n_classes, sw)[:, c]
        np.testing.assert_array_equal(counts[j], want)


def test_integer_weights_count_as_repeated_examples():
    rng = np.random.default_rng(8)
    A, y, wires = _random_layer(rng, n_prev=14, n=300, n_luts=9, k=6, n_classes=3)
    sw = rng.integers(0, 4, 300)
    sides, weights, n_slots = _rule(rng, "paper", 9, 3, y)
    rep = np.repeat(np.arange(300), sw)
    t1, _, c1, h1 = fit_sorted(A, y, wires, sides, weights, n_slots, 4, 1, sw=sw)
    t2, _, c2, h2 = fit_sorted(np.ascontiguousarray(A[:, rep]), y[rep], wires, sides, weights, n_slots, 4, 1, copies=4)
    np.testing.assert_array_equal(t1, t2)
    np.testing.assert_array_equal(c1, c2)
    np.testing.assert_array_equal(h1, h2)


def test_fit_layer_writes_only_needed_outputs():
    rng = np.random.default_rng(1)
    A, y, wires = _random_layer(rng, n_prev=16, n=300, n_luts=9, k=5)
    sides, weights, n_slots = _rule(rng, "paper", 9, 2, y)
    needed = np.zeros(9, np.uint8)
    needed[[0, 4, 8]] = 1
    y_sorted = np.sort(y)
    A = A[:, np.argsort(y, kind="stable")]
    tables, out, _, _ = fit_sorted(A, y_sorted, wires, sides, weights, n_slots, 1, 2, 3, 4, needed)
    full_tables, full_out, _, _ = fit_sorted(A, y_sorted, wires, sides, weights, n_slots, 1, 2, 3, 4)
    np.testing.assert_array_equal(tables, full_tables)
    np.testing.assert_array_equal(out[needed == 1], full_out[needed == 1])
    assert (out[needed == 0] == 7).all()


def test_hash_matches_reference():
    for seed, layer, lut in [(0, 0, 0), (1, 2, 3), (2**62 + 5, 7, 1023)]:
        key = kernels.lut_key(seed, layer, lut)
        assert int(key) == ref.lut_key(seed, layer, lut)


@pytest.mark.parametrize("design, n_classes", [("paper", 2), ("split", 5), ("paper", 4)])
def test_count_and_choose_layer_equal_fit_layer_over_chunks(design, n_classes):
    """Counts summed over row chunks (packed or not) choose the same tables as one pass (the map-reduce form)."""
    rng = np.random.default_rng(5)
    A, y, wires = _random_layer(rng, n_prev=16, n=1000, n_luts=30, k=6, n_classes=n_classes)
    sides, weights, n_slots = _rule(rng, design, 30, n_classes, y)
    tables, _, correct, _ = fit_sorted(A, y, wires, sides, weights, n_slots, 99, 1)
    for packed in (False, True):
        counts = np.zeros((30, 64, n_classes), np.int64)
        for s in range(0, 1000, 300):
            chunk = np.ascontiguousarray(A[:, s:s + 300])
            kernels.count_layer(np.packbits(chunk, axis=0) if packed else chunk, y[s:s + 300], wires, packed, counts)
        np.testing.assert_array_equal(counts, ref.count_layer(A, y, wires, n_classes))
        t2, c2 = np.empty_like(tables), np.empty_like(correct)
        kernels.choose_layer(counts, sides, weights, n_slots, 99, 1, t2, c2)
        np.testing.assert_array_equal(t2, tables)
        np.testing.assert_array_equal(c2, correct)


def _choose(counts, seed, layer=1):
    """The majority tables of luts with class counts ``(n_luts, 2**k, C)`` (a slot per class)."""
    n_luts, size, c = counts.shape
    tables, correct = np.empty((n_luts, size), np.uint8), np.empty(n_luts, np.int64)
    sides = np.tile(np.arange(c, dtype=np.uint8), (n_luts, 1))
    kernels.choose_layer(counts, sides, np.ones((n_luts, 2), np.int64), c, seed, layer, tables, correct)
    return tables, correct


def _fit_lut(A, y, wires_row, seed):
    """One paper lut (majority of two classes) fit to ``A``, ``y``: ``(counts, table, correct)``."""
    counts = np.zeros((1, 1 << len(wires_row), 2), np.int64)
    kernels.count_layer(A, y, np.asarray(wires_row, np.int32)[None], False, counts)
    tables, correct = _choose(counts, seed)
    return counts[0], tables[0], correct[0]


def test_ties_depend_on_seed_and_position_only():
    """With no data every pattern is a tie: tables differ between luts and seeds, and are ~half ones."""
    counts = np.zeros((4, 256, 2), np.int64)
    t_a, _ = _choose(counts, 1)
    t_b, _ = _choose(counts, 1)
    t_c, _ = _choose(counts, 2)
    np.testing.assert_array_equal(t_a, t_b)
    assert not np.array_equal(t_a, t_c)
    assert not np.array_equal(t_a[0], t_a[1])
    assert 0.4 < t_a.mean() < 0.6


def test_three_way_tie_picks_every_tied_class_sometimes():
    counts = np.zeros((1, 512, 3), np.int64)
    counts[0, :, 1] = 5
    counts[0, :, 2] = 5  # classes 1 and 2 tie, class 0 never wins
    tables, correct = _choose(counts, 3)
    assert set(np.unique(tables)) == {1, 2}
    assert correct[0] == 512 * 5


def test_wire_order_sets_pattern_bits():
    # Lut reads feature 9 then feature 2: pattern = 2 * x9 + x2 (wire 0 is the top bit), packed or not.
    A = np.zeros((10, 4), np.uint8)
    A[9] = [0, 0, 1, 1]
    A[2] = [0, 1, 0, 1]
    wires = np.array([[9, 2]], np.int32)
    assert kernels.pattern_index(A, wires[0]).tolist() == [0, 1, 2, 3]
    for packed in (False, True):
        src = np.packbits(A, axis=0) if packed else A
        counts = np.zeros((1, 4, 1), np.int32)
        kernels.count_layer(src, np.zeros(4, np.uint8), wires, packed, counts)
        assert counts[0, :, 0].tolist() == [1, 1, 1, 1]
        out = np.empty((1, 4), np.uint8)
        kernels.predict_layer(src, wires, np.array([[0, 1, 1, 0]], np.uint8), packed, out)  # xor
        got = np.unpackbits(out, axis=0, count=1)[0] if packed else out[0]
        assert got.tolist() == [0, 1, 1, 0]


# ---------------------------------------------------------------- the paper's worked example
def test_worked_example_sentence_89():
    """Two 2-input luts over x0x1 and x0x2 (paper, sentence 89): counts and functions f10, f11."""
    #            x0 x1 x2  y
    data = np.array([
        [0, 0, 0, 0],
        [0, 0, 0, 1],
        [0, 0, 0, 1],
        [0, 0, 1, 1],
        [1, 0, 0, 0],
        [1, 1, 0, 0],
        [1, 1, 0, 1],
    ], dtype=np.uint8)
    A = np.ascontiguousarray(data[:, :3].T)
    y = data[:, 3].copy()
    c10, _, _ = _fit_lut(A, y, [0, 1], 0)
    c11, _, _ = _fit_lut(A, y, [0, 2], 0)
    # rows p = 00, 01, 10, 11; columns y0, y1 (as printed in the paper)
    np.testing.assert_array_equal(c10, [[1, 3], [0, 0], [1, 0], [1, 1]])
    np.testing.assert_array_equal(c11, [[1, 2], [0, 1], [2, 1], [0, 0]])
    for seed in range(20):  # starred entries are ties: either value, the others fixed
        (f10, f11), _ = _choose(np.stack([c10, c11]), seed)
        assert f10[0] == 1 and f10[2] == 0
        assert f11[0] == 1 and f11[1] == 1 and f11[2] == 0


# ---------------------------------------------------------------- optimality, monotonicity, memorization
@pytest.mark.parametrize("k", [1, 2, 3])
def test_learned_table_is_optimal(k):
    """No truth table over the same inputs has lower training error (brute force over all 2**2**k)."""
    rng = np.random.default_rng(k)
    for trial in range(5):
        A, y, wires = _random_layer(rng, n_prev=k + 2, n=40, n_luts=1, k=k)
        _, table, correct = _fit_lut(A, y, wires[0], trial)
        idx = kernels.pattern_index(A, wires[0])
        assert correct == int((table[idx] == y).sum())
        best = max(
            int((np.array(t, np.uint8)[idx] == y).sum())
            for t in itertools.product((0, 1), repeat=1 << k)
        )
        assert correct == best


def test_monotonic_in_lut_width():
    """Giving a lut one more input never lowers the number of training examples it gets right."""
    rng = np.random.default_rng(11)
    for _ in range(30):
        A, y, _ = _random_layer(rng, n_prev=12, n=200, n_luts=1, k=1)
        order = rng.permutation(12).astype(np.int32)
        previous = -1
        for k in range(1, 10):
            _, _, correct = _fit_lut(A, y, order[:k], 0)
            assert correct >= previous
            previous = correct


def test_unique_patterns_are_memorized_exactly():
    """A lut reading all inputs fits any labelling of distinct patterns with zero training error."""
    rng = np.random.default_rng(2)
    patterns = rng.choice(1 << 12, size=500, replace=False)
    bits = ((patterns[:, None] >> np.arange(12)) & 1).astype(np.uint8)
    y = rng.integers(0, 2, 500).astype(np.uint8)
    A = np.ascontiguousarray(bits.T)
    _, table, correct = _fit_lut(A, y, np.arange(12), 0)
    assert correct == 500


# ---------------------------------------------------------------- interactions (chosen support's starts)
def _packed(rng, n_prev, n, max_w):
    from lutlearn.core.training import pack_columns, weight_planes

    A = rng.integers(0, 2, (n_prev, n), dtype=np.uint8)
    y = (A[1] ^ A[4] ^ (rng.random(n) < 0.1)).astype(np.uint8)  # a noisy pair, so some sums are large
    w = rng.integers(0, max_w + 1, n).astype(np.int64)
    masks, scales = weight_planes(w)
    return A, y, w, pack_columns(A), pack_columns(y)[0], masks, scales


@pytest.mark.parametrize("n, max_w", [(64, 1), (200, 1), (130, 5), (77, 300)])
def test_subset_sums_match_reference(n, max_w):
    rng = np.random.default_rng(n)
    A, y, w, X, yp, masks, scales = _packed(rng, 9, n, max_w)
    subsets = np.array([rng.choice(9, 4, replace=False) for _ in range(40)], np.int32)
    sizes = rng.integers(1, 5, 40).astype(np.int32)
    out = np.empty(40, np.int64)
    kernels.subset_sums(X, yp, masks, scales, int(w.sum()), subsets, sizes, out)
    want = [ref.walsh_sum(A, y, w, s[:m]) for s, m in zip(subsets, sizes)]
    np.testing.assert_array_equal(out, want)


@pytest.mark.parametrize("order, cap, max_w", [(2, 50, 1), (3, 200, 1), (3, 3, 2), (2, 2, 7)])
def test_interaction_scan_matches_reference(order, cap, max_w):
    rng = np.random.default_rng(order * 10 + cap)
    A, y, w, X, yp, masks, scales = _packed(rng, 11, 150, max_w)
    threshold = int(0.12 * w.sum())  # low enough that small caps overflow
    found = np.full((11, cap, 3), -7, np.int32)
    sums = np.empty((11, cap), np.int64)
    n_found = np.empty(11, np.int64)
    kernels.interaction_scan(X, yp, masks, scales, int(w.sum()), order, threshold, found, sums, n_found)
    lanes, counts = ref.interaction_scan(A, y, w, order, threshold, cap)
    np.testing.assert_array_equal(n_found, counts)
    assert sum(counts) > 0 and (cap > 5 or max(counts) > cap)  # something found; the small caps overflow
    for a in range(11):
        got = [(tuple(found[a, r, :order].tolist()), int(sums[a, r])) for r in range(min(cap, counts[a]))]
        assert got == lanes[a]
        if order == 2:
            assert (found[a, : min(cap, counts[a]), 2] == -1).all()


def test_quad_candidates_match_reference():
    from lutlearn.core.training import _quad_candidates, pack_columns

    rng = np.random.default_rng(5)
    A = rng.integers(0, 2, (10, 400), dtype=np.uint8)
    y = A[0] ^ A[3] ^ A[6] ^ A[8]
    y[rng.random(400) < 0.01] ^= 1  # a few exceptions: some windows are not clean
    order = rng.permutation(400)
    got = _quad_candidates(pack_columns(A), pack_columns(y)[0], order)
    want = ref.quad_candidates(A, y, order, 4)
    assert [tuple(q) for q in got.tolist()] == want
    assert (0, 3, 6, 8) in want


def test_extension_scores_match_a_reference():
    """The cross-validated score of a lut reading a support's patterns and one more input, per input."""
    rng = np.random.default_rng(5)
    n, n_feat = 700, 9
    A = rng.integers(0, 2, (n_feat, n), dtype=np.uint8)
    y = (A[0] ^ (A[3] & A[5]) ^ (rng.random(n) < 0.1)).astype(np.uint8)
    fold = rng.integers(0, 2, n).astype(np.uint8)
    w = rng.integers(1, 4, n).astype(np.int64)
    _, ids = np.unique(A[[0, 3]].T, axis=0, return_inverse=True)
    ids = ids.ravel().astype(np.int64)
    out = np.empty(n_feat)
    kernels.extension_scores(ids, int(ids.max()) + 1, A, y, fold, w, out)
    for f in range(n_feat):
        q = 2 * ids + A[f]
        ref = 0.0
        for i in range(n):  # each example scored by the counts of the other fold (Laplace's rule)
            other = (fold != fold[i]) & (q == q[i])
            ref += w[i] * np.log((w[other & (y == y[i])].sum() + 1) / (w[other].sum() + 2))
        assert out[f] == pytest.approx(ref, rel=1e-12)
    assert np.argmax(out) == 5  # the input that completes x0 ^ (x3 & x5)
