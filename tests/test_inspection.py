"""Tests of lutlearn.core.inspection's neighbour fill of unseen patterns (the small-circuit fill: test_circuit.py)."""

import numpy as np
import pytest

from lutlearn import LutNetworkClassifier
from lutlearn.core.inspection import fill_neighbours, fill_unseen


def reference_neighbours(table, counts, coins):
    """Plain loops: each unseen pattern takes the majority of the summed counts at the nearest seen distance."""
    size = len(table)
    k = size.bit_length() - 1
    out = list(table)
    unseen = [p for p in range(size) if counts[p].sum() == 0]
    for p, coin in zip(unseen, coins):
        if len(unseen) == size:
            break
        for d in range(1, k + 1):
            near = [q for q in range(size) if bin(p ^ q).count("1") == d]
            c0 = sum(int(counts[q][0]) for q in near)
            c1 = sum(int(counts[q][1]) for q in near)
            if c0 + c1:
                out[p] = 1 if c1 > c0 else 0 if c0 > c1 else coin
                break
    return np.array(out, np.uint8)


def test_fill_neighbours_on_a_hand_made_lut():
    # k = 3; seen: 000 (class 0 x3), 011 (class 1 x2), 101 (class 1 x1); the rest unseen
    counts = np.zeros((8, 2), np.int64)
    counts[0b000] = (3, 0)
    counts[0b011] = (0, 2)
    counts[0b101] = (0, 1)
    table = np.array([0, 1, 1, 1, 0, 1, 0, 0], np.uint8)
    got = fill_neighbours(table, counts, np.random.default_rng(0))
    # 001: neighbours 000 (3 of class 0), 011 (2 of 1), 101 (1 of 1): 3 v 3, a tie -> coin
    # 010: 000 (3x0), 011 (2x1) -> 0;  100: 000 (3x0), 101 (1x1) -> 0
    # 110: no seen pattern at distance 1; distance 2: 000 (3x0), 011 (2x1), 101 (1x1) -> tie -> coin
    # 111: distance 1: 011 (2x1), 101 (1x1) -> 1
    assert got[0b000] == 0 and got[0b011] == 1 and got[0b101] == 1  # seen entries keep the table
    assert got[0b010] == 0 and got[0b100] == 0 and got[0b111] == 1
    coins = np.random.default_rng(0).integers(0, 2, 5)  # one per unseen pattern, in pattern order
    np.testing.assert_array_equal(got, reference_neighbours(table, counts, coins))
    # a seen entry is kept even when it is not its counts' majority (the learner's tie-break)
    assert fill_neighbours(np.array([1, 0], np.uint8), np.array([[2, 2], [0, 0]]), np.random.default_rng(0))[0] == 1


@pytest.mark.parametrize("k", [1, 5, 12])
def test_the_masks_by_weight_are_every_mask_by_its_bits(k):
    from lutlearn.core.inspection import _masks_by_weight

    by_weight = _masks_by_weight(k)
    assert len(by_weight) == k + 1 and _masks_by_weight(k) is by_weight  # made once
    for d, masks in enumerate(by_weight):
        assert masks.tolist() == [m for m in range(1 << k) if bin(m).count("1") == d]
        assert not masks.flags.writeable


@pytest.mark.parametrize("k", [4, 6, 9])
def test_fill_neighbours_matches_the_reference_on_random_luts(k):
    rng = np.random.default_rng(k)
    for trial in range(20):
        counts = rng.integers(0, 3, (1 << k, 2)) * (rng.random((1 << k, 1)) < 0.3)
        table = rng.integers(0, 2, 1 << k).astype(np.uint8)
        coins = np.random.default_rng(trial).integers(0, 2, int((counts.sum(axis=1) == 0).sum()))
        np.testing.assert_array_equal(fill_neighbours(table, counts, np.random.default_rng(trial)),
                                      reference_neighbours(table, counts, coins))


def test_fill_unseen_neighbours_keeps_training_and_generalises_a_majority():
    rng = np.random.default_rng(3)
    X = rng.integers(0, 2, (300, 12)).astype(np.uint8)
    y = (X.sum(axis=1) > 6).astype(np.uint8)
    m = LutNetworkClassifier(k=12, hidden_layers=(), random_state=0).fit(X, y)
    filled = fill_unseen(m.network_, X, rule="neighbours", y=y)
    np.testing.assert_array_equal(filled.predict_index(X), m.network_.predict_index(X))
    Xt = rng.integers(0, 2, (3000, 12)).astype(np.uint8)
    yt = (Xt.sum(axis=1) > 6).astype(np.uint8)
    # 300 of 4096 patterns seen: random tie-breaks are at chance on the rest, neighbours follow the majority
    assert (filled.predict_index(Xt) == yt).mean() > (m.network_.predict_index(Xt) == yt).mean() + 0.15
    again = fill_unseen(m.network_, X, rule="neighbours", y=y)
    np.testing.assert_array_equal(again.tables[0], filled.tables[0])


def test_fill_unseen_rejects_bad_rule_and_missing_labels():
    X = np.random.default_rng(0).integers(0, 2, (50, 6)).astype(np.uint8)
    m = LutNetworkClassifier(k=4, hidden_layers=(8,), random_state=0).fit(X, X[:, 0])
    with pytest.raises(ValueError, match="rule must be"):
        fill_unseen(m.network_, X, rule="nearest")
    with pytest.raises(ValueError, match="needs the training class indices"):
        fill_unseen(m.network_, X, rule="neighbours")
