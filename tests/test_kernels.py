"""The compiled kernels against the NumPy reference, and the paper's properties of a single lut."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from lutlearn import _reference as ref
from lutlearn import kernels


def _key(seed, layer, lut):
    """A lut's tie-breaking key as numba's uint64 (a Python int above 2**63 would not dispatch)."""
    return np.uint64(kernels.lut_key(seed, layer, lut))


def _random_layer(rng, n_prev=12, n=300, n_luts=20, k=4, n_classes=2):
    A = rng.integers(0, 2, size=(n_prev, n), dtype=np.uint8)
    y = rng.integers(0, n_classes, size=n).astype(np.uint8)
    wires = np.array([rng.choice(n_prev, k, replace=False) for _ in range(n_luts)], dtype=np.int32)
    return A, y, wires


# ---------------------------------------------------------------- kernels == reference
@pytest.mark.parametrize("k", [1, 2, 3, 5, 8])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_fit_layer_matches_reference(k, n_classes):
    rng = np.random.default_rng(k * 10 + n_classes)
    A, y, wires = _random_layer(rng, n_prev=10, n=257, n_luts=17, k=k, n_classes=n_classes)
    seed, layer = int(rng.integers(0, 2**62)), 3
    tables = np.empty((17, 1 << k), np.uint8)
    out = np.empty((17, 257), np.uint8)
    correct = np.empty(17, np.int64)
    kernels.fit_layer(A, y, wires, n_classes, seed, layer, tables, out, correct)
    r_tables, r_out, r_correct = ref.fit_layer(A, y, wires, n_classes, seed, layer)
    np.testing.assert_array_equal(tables, r_tables)
    np.testing.assert_array_equal(out, r_out)
    np.testing.assert_array_equal(correct, r_correct)
    pred = np.empty_like(out)
    kernels.predict_layer(A, wires, tables, pred)
    np.testing.assert_array_equal(pred, ref.predict_layer(A, wires, tables))


def test_hash_matches_reference():
    for seed, layer, lut in [(0, 0, 0), (1, 2, 3), (2**62 + 5, 7, 1023)]:
        key = kernels.lut_key(seed, layer, lut)
        assert int(key) == ref.lut_key(seed, layer, lut)


def test_count_and_choose_layer_equal_fit_layer_over_chunks():
    """Counts summed over row chunks choose the same tables as one pass (the map-reduce form)."""
    rng = np.random.default_rng(5)
    A, y, wires = _random_layer(rng, n_prev=16, n=1000, n_luts=30, k=6)
    tables = np.empty((30, 64), np.uint8)
    out = np.empty((30, 1000), np.uint8)
    correct = np.empty(30, np.int64)
    kernels.fit_layer(A, y, wires, 2, 99, 1, tables, out, correct)
    counts = sum(
        kernels.count_layer(np.ascontiguousarray(A[:, s:s + 300]), y[s:s + 300], wires, 2)
        for s in range(0, 1000, 300)
    )
    t2, c2 = kernels.choose_layer(counts, 99, 1)
    np.testing.assert_array_equal(t2, tables)
    np.testing.assert_array_equal(c2, correct)


def test_ties_depend_on_seed_and_position_only():
    """With no data every pattern is a tie: tables differ between luts and seeds, and are ~half ones."""
    counts = np.zeros((4, 256, 2), np.int64)
    t_a, _ = kernels.choose_layer(counts, 1, 1)
    t_b, _ = kernels.choose_layer(counts, 1, 1)
    t_c, _ = kernels.choose_layer(counts, 2, 1)
    np.testing.assert_array_equal(t_a, t_b)
    assert not np.array_equal(t_a, t_c)
    assert not np.array_equal(t_a[0], t_a[1])
    assert 0.4 < t_a.mean() < 0.6


def test_three_way_tie_picks_every_tied_class_sometimes():
    counts = np.zeros((1, 512, 3), np.int64)
    counts[0, :, 1] = 5
    counts[0, :, 2] = 5  # classes 1 and 2 tie, class 0 never wins
    tables, correct = kernels.choose_layer(counts, 3, 1)
    assert set(np.unique(tables)) == {1, 2}
    assert correct[0] == 512 * 5


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
    c10 = kernels.count_patterns(A, y, np.array([0, 1], np.int32), 2)
    c11 = kernels.count_patterns(A, y, np.array([0, 2], np.int32), 2)
    # rows p = 00, 01, 10, 11; columns y0, y1 (as printed in the paper)
    np.testing.assert_array_equal(c10, [[1, 3], [0, 0], [1, 0], [1, 1]])
    np.testing.assert_array_equal(c11, [[1, 2], [0, 1], [2, 1], [0, 0]])
    for seed in range(20):  # starred entries are ties: either value, the others fixed
        f10, _ = kernels.choose_table(c10, _key(seed, 1, 0))
        f11, _ = kernels.choose_table(c11, _key(seed, 1, 1))
        assert f10[0] == 1 and f10[2] == 0
        assert f11[0] == 1 and f11[1] == 1 and f11[2] == 0


# ---------------------------------------------------------------- optimality, monotonicity, memorization
@pytest.mark.parametrize("k", [1, 2, 3])
def test_learned_table_is_optimal(k):
    """No truth table over the same inputs has lower training error (brute force over all 2**2**k)."""
    rng = np.random.default_rng(k)
    for trial in range(5):
        A, y, wires = _random_layer(rng, n_prev=k + 2, n=40, n_luts=1, k=k)
        counts = kernels.count_patterns(A, y, wires[0], 2)
        table, correct = kernels.choose_table(counts, _key(trial, 1, 0))
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
            _, correct = kernels.choose_table(
                kernels.count_patterns(A, y, order[:k], 2), _key(0, 1, 0)
            )
            assert correct >= previous
            previous = correct


def test_unique_patterns_are_memorized_exactly():
    """A lut reading all inputs fits any labelling of distinct patterns with zero training error."""
    rng = np.random.default_rng(2)
    patterns = rng.choice(1 << 12, size=500, replace=False)
    bits = ((patterns[:, None] >> np.arange(12)) & 1).astype(np.uint8)
    y = rng.integers(0, 2, 500).astype(np.uint8)
    A = np.ascontiguousarray(bits.T)
    table, correct = kernels.choose_table(
        kernels.count_patterns(A, y, np.arange(12, dtype=np.int32), 2), _key(0, 1, 0)
    )
    assert correct == 500
