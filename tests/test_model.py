"""The fitted network as a data structure: LutNetwork, its cone, heads, evaluation paths and the estimator's views."""

from __future__ import annotations

import numpy as np
import pytest

from lutlearn import LutNetwork, LutNetworkClassifier
from lutlearn.core import _reference, _workspace
from lutlearn.core.model import Cone, MajorityHead, VoteHead, output_cone


def _bits(seed, n, d):
    return np.random.default_rng(seed).integers(0, 2, (n, d)).astype(np.uint8)


def test_prediction_chunks_and_threads():
    """Example counts around the chunk size, one and two threads: same predictions."""
    X = _bits(9, 2000, 40)
    y = X[:, 3] | X[:, 5]
    clf = LutNetworkClassifier(k=6, hidden_layers=(50, 50), random_state=1).fit(X, y)
    chunk = _workspace.PREDICT_CHUNK
    for m in (1, chunk - 1, chunk, chunk + 1, 3 * chunk + 5):
        want = _reference.predict(clf, X[:m])
        for n_jobs in (1, 2):
            np.testing.assert_array_equal(clf.set_params(n_jobs=n_jobs).predict(X[:m]), want)


@pytest.mark.parametrize("k", [11, 12, 16])
def test_large_luts_predict_in_large_chunks(k):
    """Past DEPTH_FIRST_MAX_K the chunk grows to about one per thread (layer by layer); answers are the same."""
    X = _bits(4, 3000, 20)
    clf = LutNetworkClassifier(k=k, hidden_layers=(k + 3, k + 1), output_k=3, random_state=0).fit(X[:200], X[:200, 0])
    chunk = _workspace.predict_chunk(len(X), k, 2)
    assert (chunk == _workspace.PREDICT_CHUNK) == (k <= _workspace.DEPTH_FIRST_MAX_K)
    assert chunk <= _workspace.LARGE_CHUNK
    for n_jobs in (1, 2):
        np.testing.assert_array_equal(clf.set_params(n_jobs=n_jobs).predict(X), _reference.predict(clf, X))


def test_cone_describes_the_output_cone():
    X = _bits(2, 300, 25)
    clf = LutNetworkClassifier(k=3, hidden_layers=(12, 6), output_k=2, random_state=0).fit(X, X[:, 0])
    cone = clf.network_.cone()
    cone_inputs, keep, remapped = output_cone(clf.wires_)
    np.testing.assert_array_equal(cone.inputs, cone_inputs)
    np.testing.assert_array_equal(cone.widths, [len(kp) for kp in keep])
    np.testing.assert_array_equal(cone.ks, [3, 3, 2])
    assert cone.n_luts == sum(len(kp) for kp in keep) < sum(len(w) for w in clf.wires_)
    for (w, t), r, kp, tables in zip(cone.layers(), remapped, keep, clf.tables_):
        np.testing.assert_array_equal(w, r)
        np.testing.assert_array_equal(t, tables[kp])
    assert clf.network_.cone() is cone  # computed once


def test_output_patterns_equal_layer_values_and_reference():
    X = _bits(5, 700, 30)
    y = (X[:, 0] * 2 + X[:, 1]) % 3
    clf = LutNetworkClassifier(k=4, hidden_layers=(20, 9), output_k=5, n_output_luts=6, random_state=2).fit(X, y)
    net = clf.network_
    patterns = net.output_patterns(X)
    values = net.layer_values(X)
    assert patterns.shape == (700, 6) and patterns.dtype == np.uint32
    np.testing.assert_array_equal(patterns.T, values[-1])
    assert [v.shape[0] for v in values[:-1]] == [len(net.cone().inputs), *map(len, net.cone().keep[:-1])]
    # the voting head on these patterns == the reference's scores of the unpruned network
    np.testing.assert_array_equal(net.head.scores(patterns), _reference.decision_scores(clf, X))
    votes, _ = net.head.weights
    np.testing.assert_array_equal(
        net.head.scores(patterns) - net.head.weights[1], _reference.vote_scores(patterns, votes))


def test_network_is_usable_without_the_estimator():
    X = _bits(1, 500, 12)
    y = np.where(X[:, 0] ^ X[:, 1], "yes", "no")
    clf = LutNetworkClassifier(k=4, hidden_layers=(16,), random_state=0).fit(X, y)
    net = clf.network_
    assert isinstance(net, LutNetwork) and isinstance(net.head, MajorityHead) and not net.voting
    assert net.n_inputs == 12 and net.n_classes == 2 and net.n_layers == 2
    assert net.widths == [12, 16, 1] and net.ks == [4, 4]
    np.testing.assert_array_equal(clf.classes_[net.predict_index(X)], clf.predict(X))
    np.testing.assert_array_equal(net.predict_proba(X), clf.predict_proba(X))
    assert net.predict_index(X[:0]).shape == (0,)
    assert [r["count"] for r in net.layer_report()] == [12, 16, 1]


def test_replace_builds_a_new_network_and_keeps_the_old():
    X = _bits(3, 400, 10)
    net = LutNetworkClassifier(k=3, hidden_layers=(8,), random_state=0).fit(X, X[:, 0]).network_
    before = net.predict_index(X)
    flipped = net.replace(tables=net.tables[:-1] + [1 - net.tables[-1]])
    assert flipped is not net and flipped.cone() is not net.cone()
    np.testing.assert_array_equal(flipped.predict_index(X), 1 - before)
    np.testing.assert_array_equal(net.predict_index(X), before)


def test_learned_attributes_are_views_of_the_network():
    X = _bits(6, 600, 15)
    y = X[:, 2] % 3 + X[:, 4]
    clf = LutNetworkClassifier(k=3, hidden_layers=(10,), output_k=4, random_state=0).fit(X, y)
    net = clf.network_
    assert isinstance(net.head, VoteHead)
    assert clf.wires_ is net.wires and clf.tables_ is net.tables and clf.lut_accuracy_ is net.accuracy
    assert clf.output_counts_ is net.head.counts and clf.dichotomies_ is net.sides and clf.seed_ == net.seed
    assert clf.layer_report_ == net.layer_report()
    with pytest.raises(AttributeError):
        clf.wires_ = []
    unfitted = LutNetworkClassifier()
    for name in ("wires_", "tables_", "seed_", "output_counts_", "dichotomies_", "lut_accuracy_", "layer_report_"):
        assert not hasattr(unfitted, name)


def test_refit_with_another_design_leaves_nothing_of_the_first():
    """The bug of the architecture review: a multi-class fit, then a two-class refit."""
    X = _bits(0, 300, 10)
    y3 = X[:, 0] + X[:, 1]
    y2 = X[:, 0]
    clf = LutNetworkClassifier(k=3, hidden_layers=(16,), output_k=4, n_output_luts=8, random_state=0).fit(X, y3)
    assert hasattr(clf, "dichotomies_") and clf.output_counts_.ndim == 3
    clf.set_params(n_output_luts=None, output_k=None).fit(X, y2)
    assert not hasattr(clf, "dichotomies_")
    assert clf.output_counts_.shape == (8, 2) and isinstance(clf.network_.head, MajorityHead)
    fresh = LutNetworkClassifier(k=3, hidden_layers=(16,), random_state=0).fit(X, y2)
    assert sorted(vars(clf)) == sorted(vars(fresh))
    np.testing.assert_array_equal(clf.predict_proba(X), fresh.predict_proba(X))


def test_cone_of_a_direct_network():
    """No hidden layer: the output lut reads inputs; the cone is that lut."""
    X = _bits(8, 200, 9)
    net = LutNetworkClassifier(k=5, hidden_layers=(), random_state=9).fit(X, X[:, 1] & X[:, 2]).network_
    cone = Cone.of(net.wires, net.tables)
    np.testing.assert_array_equal(cone.inputs, np.sort(net.wires[0][0]))
    assert cone.n_luts == 1
    assert len(net.layer_values(X)) == 2


def test_repr_shows_the_shape_not_the_arrays():
    """repr of a network and of its cone is one short line (the dataclass repr printed every table: ~10 KB)."""
    X = np.random.default_rng(0).integers(0, 2, (400, 16)).astype(np.uint8)
    clf = LutNetworkClassifier(k=4, hidden_layers=(64, 32), random_state=0).fit(X, X[:, 0] ^ X[:, 3])
    net = clf.network_
    text = repr(net)
    assert text == (f"LutNetwork(n_inputs=16, n_classes=2, widths=[16, 64, 32, 1], ks=[4, 4, 4], "
                    f"head=MajorityHead, seed={net.seed})")
    cone = net.cone()
    assert repr(cone) == (f"Cone(n_inputs={len(cone.inputs)}, widths={cone.widths.tolist()}, "
                          f"ks={cone.ks.tolist()})")
    assert len(repr(cone)) < 200 and "array" not in repr(cone) + text
