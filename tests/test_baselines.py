"""Tests of the standard methods of Table 1."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from sklearn.neighbors import KNeighborsClassifier

from lutlearn.datasets import get_task as load_task
from lutlearn.experiments.baselines import BASELINES, image_shape, make_baseline, nearest_neighbor_predictions


@pytest.fixture(scope="module")
def digits():
    return load_task("binary-digits")


def test_merge_kernel_matches_a_stable_sort_whatever_the_block_order():
    from lutlearn.experiments.baselines import merge_k_smallest

    rng = np.random.default_rng(1)
    D = rng.integers(0, 6, size=(50, 200)).astype(np.float32)  # many ties
    for k in (1, 3, 5, 200):
        vals, idx = np.full((50, k), np.inf, np.float32), np.full((50, k), -1, np.int64)
        for start in (150, 0, 90, 30):  # blocks of columns, out of order
            stop = {150: 200, 0: 30, 90: 150, 30: 90}[start]
            merge_k_smallest(np.ascontiguousarray(D[:, start:stop]), start, vals, idx)
        expected = np.argsort(D, axis=1, kind="stable")[:, :k]
        assert np.array_equal(idx, expected)
        assert np.array_equal(vals, np.take_along_axis(D, expected, axis=1))


def test_search_within_the_training_set_equals_the_plain_search():
    from lutlearn.experiments.baselines import _neighbors_of, _neighbors_within

    rng = np.random.default_rng(2)
    X = rng.integers(0, 2, size=(230, 12)).astype(np.float32)  # few features: many ties
    norms = X.sum(axis=1)
    assert np.array_equal(_neighbors_within(X, norms, 5, 7), _neighbors_of(X, X, norms, 5, 7))
    d = (X[:, None, :] != X[None, :, :]).sum(axis=2)
    assert np.array_equal(_neighbors_within(X, norms, 5, 7), np.argsort(d, axis=1, kind="stable")[:, :5])


def test_shared_neighbour_search_matches_kneighbors_classifier():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, size=(300, 40)).astype(np.uint8)
    y = rng.integers(0, 2, size=300)
    Q = rng.integers(0, 2, size=(120, 40)).astype(np.uint8)
    d = (Q[:, None, :] != X[None, :, :]).sum(axis=2)  # Hamming distances, the oracle
    ours, on_train = nearest_neighbor_predictions(X, y, [Q, X], (1, 5), block=7)
    srt = np.sort(d, axis=1)
    for k in (1, 5):
        # the vote of the k nearest, equally distant ones taken in training order
        votes = np.array([np.bincount(y[np.argsort(row, kind="stable")[:k]], minlength=2).argmax() for row in d])
        assert np.array_equal(ours[k], votes)
        # where the k nearest are unambiguous, scikit-learn agrees
        ref = KNeighborsClassifier(n_neighbors=k, algorithm="brute").fit(X, y).predict(Q)
        untied = srt[:, k - 1] < srt[:, k]
        assert untied.sum() > 20
        assert np.array_equal(ours[k][untied], ref[untied])
    assert np.array_equal(on_train[1], y)  # random 40-bit rows are distinct: each is its own neighbour


def test_too_many_neighbours_is_an_error():
    with pytest.raises(ValueError, match="5 neighbours requested but only 3"):
        nearest_neighbor_predictions(np.eye(3), [0, 1, 0], [np.eye(3)], (1, 5))


def test_one_nn_recalls_its_training_set(digits):
    X, y = digits.X_train, digits.y_train
    (on_train,) = nearest_neighbor_predictions(X, y, [X], (1,))
    # an example is its own nearest neighbour unless an identical example has the other label
    _, inv = np.unique(X, axis=0, return_inverse=True)
    conflicted = np.array([len(set(y[inv == g])) > 1 for g in inv.ravel()])
    assert np.array_equal(on_train[1][~conflicted], y[~conflicted])


@pytest.mark.parametrize("name", [b for b in BASELINES if b != "conv-net"] + ["1-nn", "5-nn"])
def test_each_baseline_learns_binary_digits(name, digits):
    clf = make_baseline(name, random_state=0, n_jobs=1).fit(digits.X_train, digits.y_train)
    acc = clf.score(digits.X_test, digits.y_test)
    if name == "random-guess":
        assert 0.4 < acc < 0.6
    else:
        assert acc > 0.75, acc


def test_seeded_baselines_are_reproducible(digits):
    a = make_baseline("random-forest-10", random_state=3).fit(digits.X_train, digits.y_train).predict(digits.X_test)
    b = make_baseline("random-forest-10", random_state=3).fit(digits.X_train, digits.y_train).predict(digits.X_test)
    assert np.array_equal(a, b)


def test_unknown_baseline_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown baseline 'svm'"):
        make_baseline("svm")


def test_image_shapes():
    assert image_shape(784) == (1, 28, 28)
    assert image_shape(3072) == (3, 32, 32)
    assert image_shape(64) == (1, 8, 8)
    with pytest.raises(ValueError, match="image_shape"):
        image_shape(100 + 1)


def test_conv_net_without_torch_names_the_extra(monkeypatch, digits):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match=r"lutlearn\[torch\]"):
        make_baseline("conv-net", random_state=0).fit(digits.X_train, digits.y_train)


@pytest.mark.slow  # importing torch and two small fits: ~10 s quiet, over a minute on a loaded machine
def test_conv_net_learns_and_is_deterministic(digits):
    pytest.importorskip("torch")
    fit = lambda: make_baseline("conv-net", random_state=0, n_jobs=1).fit(digits.X_train, digits.y_train)  # noqa: E731
    a, b = fit(), fit()
    pa = a.predict(digits.X_test)
    assert np.array_equal(pa, b.predict(digits.X_test))
    assert (pa == digits.y_test).mean() > 0.8
