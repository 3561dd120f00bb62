"""LutNetworkClassifier: behaviour, determinism, validation and the paper's Binary-MNIST numbers."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline

from lutlearn import LutNetworkClassifier, ThresholdBinarizer
from lutlearn.core import _reference as ref
from lutlearn.core.model import output_cone
from lutlearn.core.training import random_wiring


@pytest.fixture(scope="module")
def xor_data():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, size=(600, 24)).astype(np.uint8)
    y = (X[:, 0] ^ X[:, 1]) | (X[:, 2] & X[:, 3])
    return X, y


def small(**kw):
    params = dict(k=4, hidden_layers=(48, 32, 16), random_state=0)
    params.update(kw)
    return LutNetworkClassifier(**params)


def _same_model(a, b):
    assert a.seed_ == b.seed_
    for wa, wb in zip(a.wires_, b.wires_):
        np.testing.assert_array_equal(wa, wb)
    for ta, tb in zip(a.tables_, b.tables_):
        np.testing.assert_array_equal(ta, tb)
    np.testing.assert_array_equal(a.output_counts_, b.output_counts_)


# ---------------------------------------------------------------- structure
def test_fit_builds_layers_as_specified(xor_data):
    X, y = xor_data
    clf = small(output_k=3).fit(X, y)
    assert [w.shape for w in clf.wires_] == [(48, 4), (32, 4), (16, 4), (1, 3)]
    assert [t.shape for t in clf.tables_] == [(48, 16), (32, 16), (16, 16), (1, 8)]
    assert clf.output_counts_.shape == (8, 2)
    assert clf.output_counts_.sum() == len(y)
    for w, below in zip(clf.wires_, [24, 48, 32, 16]):
        assert w.min() >= 0 and w.max() < below
        assert all(len(set(row)) == len(row) for row in w.tolist())  # without replacement
    assert [r["count"] for r in clf.layer_report_] == [24, 48, 32, 16, 1]


def test_network_equals_reference_layer_by_layer(xor_data):
    """The whole fit equals the NumPy reference run on the same wiring and seed."""
    X, y = xor_data
    clf = small().fit(X, y)
    A = np.ascontiguousarray(X.T)
    for layer, (wires, tables) in enumerate(zip(clf.wires_, clf.tables_), start=1):
        sides, weights = np.tile(np.array([0, 1], np.uint8), (len(wires), 1)), np.ones((len(wires), 2))
        r_tables, A, r_correct = ref.fit_layer(A, y.astype(np.uint8), wires, sides, weights, 2, clf.seed_, layer)
        np.testing.assert_array_equal(tables, r_tables)
        np.testing.assert_allclose(clf.lut_accuracy_[layer], r_correct / len(y))
    np.testing.assert_array_equal(clf.predict(X), A[0])
    assert clf.score(X, y) == pytest.approx(clf.lut_accuracy_[-1][0])


def test_wiring_is_a_uniform_subset():
    rng = np.random.default_rng(0)
    w = random_wiring(rng, 20000, 10, 3)
    counts = np.bincount(w.ravel(), minlength=10)
    assert np.all(np.abs(counts / counts.sum() - 0.1) < 0.01)
    full = random_wiring(rng, 5, 6, 6)
    assert all(sorted(r) == list(range(6)) for r in full.tolist())


def test_generalizes_on_a_majority_function():
    """Each relevant bit correlates with the target, so memorizing luts generalize (unlike XOR)."""
    rng = np.random.default_rng(1)
    X = rng.integers(0, 2, size=(2000, 16)).astype(np.uint8)
    y = (X[:, :5].sum(axis=1) >= 3).astype(int)
    clf = LutNetworkClassifier(k=6, hidden_layers=(256, 256), random_state=1).fit(X[:1500], y[:1500])
    assert clf.score(X[1500:], y[1500:]) > 0.9


def test_cone_prediction_equals_full_network(xor_data):
    X, y = xor_data
    clf = small().fit(X, y)
    A = np.ascontiguousarray(X.T)
    for w, t in zip(clf.wires_, clf.tables_):
        A = ref.predict_layer(A, w, t)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[A[0]])
    inputs, keep, remapped = output_cone(clf.wires_)
    assert len(keep[-1]) == 1 and len(keep[-2]) <= 4
    assert sum(map(len, keep)) < sum(w.shape[0] for w in clf.wires_)


def test_labels_of_any_type(xor_data):
    X, y = xor_data
    labels = np.array(["no", "yes"])[y]
    clf = small().fit(X, labels)
    assert list(clf.classes_) == ["no", "yes"]
    assert set(clf.predict(X)) <= {"no", "yes"}
    np.testing.assert_array_equal(clf.predict(X) == "yes", small().fit(X, y).predict(X) == 1)


def test_bool_and_float_inputs_equal_integer(xor_data):
    X, y = xor_data
    base = small().fit(X, y)
    _same_model(base, small().fit(X.astype(bool), y))
    _same_model(base, small().fit(X.astype(np.float32), y))


def test_predict_proba(xor_data):
    X, y = xor_data
    clf = small().fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    decided = np.abs(proba[:, 1] - 0.5) > 1e-12
    np.testing.assert_array_equal(proba[decided].argmax(axis=1), (clf.predict(X[decided]) == 1))


def test_predict_proba_unseen_pattern_is_uniform():
    X = np.array([[0, 0], [0, 0], [0, 1], [1, 0]], np.uint8)
    y = np.array([0, 0, 1, 1])
    clf = LutNetworkClassifier(k=2, hidden_layers=(), random_state=0).fit(X, y)
    np.testing.assert_allclose(clf.predict_proba([[1, 1]]), [[0.5, 0.5]])
    np.testing.assert_allclose(clf.predict_proba([[0, 0]]), [[1.0, 0.0]])


def test_pipeline_with_threshold_binarizer():
    rng = np.random.default_rng(3)
    pixels = rng.integers(0, 256, size=(300, 30))
    y = (pixels[:, 0] > 127).astype(int)
    pipe = make_pipeline(ThresholdBinarizer(), small()).fit(pixels, y)
    assert pipe.score(pixels, y) == 1.0


# ---------------------------------------------------------------- determinism
def test_same_seed_same_model_whatever_n_jobs(xor_data):
    X, y = xor_data
    models = [small(n_jobs=j).fit(X, y) for j in (1, 2, None, -1)]
    for m in models[1:]:
        _same_model(models[0], m)
        np.testing.assert_array_equal(models[0].predict(X), m.predict(X))


def test_different_seeds_differ(xor_data):
    X, y = xor_data
    a, b = small(random_state=0).fit(X, y), small(random_state=1).fit(X, y)
    assert not np.array_equal(a.wires_[0], b.wires_[0])


def test_refit_with_random_state_instance_is_reproducible(xor_data):
    X, y = xor_data
    a = small(random_state=np.random.RandomState(7)).fit(X, y)
    b = small(random_state=np.random.RandomState(7)).fit(X, y)
    _same_model(a, b)


# ---------------------------------------------------------------- validation
@pytest.mark.parametrize(
    "X, match",
    [
        (np.full((4, 3), 0.5), "only 0 and 1"),
        (np.array([[0, 2, 1]] * 4), "only 0 and 1"),
        (np.array([[0, np.nan, 1]] * 4), "NaN"),
        (np.array([["a", "b", "c"]] * 4), "Boolean"),
    ],
)
def test_rejects_non_boolean_inputs(X, match):
    with pytest.raises(ValueError, match=match):
        small(hidden_layers=(2,), k=2).fit(X, [0, 1, 0, 1])


def test_rejects_bad_shapes_and_labels(xor_data):
    X, y = xor_data
    with pytest.raises(ValueError, match="0 sample"):
        small().fit(np.zeros((0, 24), np.uint8), [])
    with pytest.raises(ValueError, match="only one class"):
        small().fit(X, np.zeros(len(X)))
    three = small().fit(X, np.arange(len(X)) % 3)  # more than two classes: see test_multiclass.py
    assert three.predict_proba(X).shape == (len(X), 3)
    with pytest.raises(ValueError, match="continuous"):
        small().fit(X, np.linspace(0, 1, len(X)))
    clf = small().fit(X, y)
    with pytest.raises(ValueError, match="features"):
        clf.predict(X[:, :10])
    with pytest.raises(ValueError, match="only 0 and 1"):
        clf.predict(X * 3)


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(k=30), "k"),
        (dict(k=0), "k"),
        (dict(k=25, hidden_layers=(8,)), "k"),
        (dict(k=5, hidden_layers=(48, 4)), "k=5 is larger than the width of hidden layer 2"),
        (dict(k=25 - 25 + 30, hidden_layers=()), "k"),
        (dict(k=4, hidden_layers=(48, 0)), "positive integers"),
        (dict(k=4, hidden_layers=(48, -3)), "positive integers"),
        (dict(k=4, hidden_layers=(48, 2.5)), "positive integers"),
        (dict(k=4, hidden_layers=(8,), output_k=9), "output_k=9 is larger"),
        (dict(k=4, n_jobs=0), "n_jobs"),
    ],
)
def test_rejects_bad_parameters(xor_data, params, match):
    X, y = xor_data
    with pytest.raises(ValueError, match=match):
        small(**params).fit(X, y)


def test_k_larger_than_input_width(xor_data):
    X, y = xor_data
    with pytest.raises(ValueError, match="larger than the width of the input"):
        LutNetworkClassifier(k=8, hidden_layers=(4,)).fit(X[:, :5], y)


def test_refuses_networks_that_do_not_fit_in_memory(xor_data, monkeypatch):
    X, y = xor_data
    monkeypatch.setattr("lutlearn.core._validation.available_memory", lambda: 10_000_000)
    with pytest.raises(MemoryError, match="GiB"):
        LutNetworkClassifier(k=20, hidden_layers=(24,), random_state=0).fit(X, y)


def test_predict_before_fit():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        small().predict(np.zeros((2, 3), np.uint8))


# ---------------------------------------------------------------- the paper: Binary-MNIST
def test_binary_mnist_reproduces_table_2(binary_mnist):
    """k=8, 5 x 1024, fixed seed: 0.89 +/- 0.02 train, 0.87 +/- 0.02 test, layer means rising (Table 2)."""
    t = binary_mnist
    clf = LutNetworkClassifier(k=8, hidden_layers=(1024,) * 5, random_state=0).fit(t.X_train, t.y_train)
    train, test = clf.score(t.X_train, t.y_train), clf.score(t.X_test, t.y_test)
    assert abs(train - 0.89) <= 0.02, train
    assert abs(test - 0.87) <= 0.02, test
    means = [r["mean"] for r in clf.layer_report_]
    assert all(b > a for a, b in zip(means, means[1:])), means
    paper_means = [0.51, 0.61, 0.74, 0.83, 0.87, 0.88, 0.89]
    assert np.allclose(means, paper_means, atol=0.02), means
    assert [r["count"] for r in clf.layer_report_] == [784, 1024, 1024, 1024, 1024, 1024, 1]


def test_single_wide_lut_memorizes_unique_patterns():
    """Pure memorization: one lut reading every input fits distinct patterns with any labels exactly."""
    rng = np.random.default_rng(4)
    codes = rng.choice(1 << 14, size=3000, replace=False)
    X = ((codes[:, None] >> np.arange(14)) & 1).astype(np.uint8)
    y = rng.integers(0, 2, size=3000)
    clf = LutNetworkClassifier(hidden_layers=(), output_k=14, random_state=0).fit(X, y)
    assert clf.score(X, y) == 1.0
    assert [w.shape for w in clf.wires_] == [(1, 14)]


# ---------------------------------------------------------------- sample and class weights
def _same_network(a, b):
    """Bit-identical fitted networks: wiring, tables, head counts and scale, accuracies, splits, seed."""
    na, nb = a.network_, b.network_
    assert na.seed == nb.seed and na.head.weight_shift == nb.head.weight_shift
    for xa, xb in zip(na.wires + na.tables + (na.sides or []), nb.wires + nb.tables + (nb.sides or [])):
        assert xa.dtype == xb.dtype and np.array_equal(xa, xb)
    assert na.head.counts.dtype == nb.head.counts.dtype and np.array_equal(na.head.counts, nb.head.counts)
    assert [x.tobytes() for x in na.accuracy] == [x.tobytes() for x in nb.accuracy]


def _weighted_task(n_classes, seed=1, n=500):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 2, size=(n, 20)).astype(np.uint8)
    y = (X[:, 0] + 2 * X[:, 1] + (X[:, 2] & X[:, 3]) + (rng.random(n) < 0.2)) % n_classes
    return X, y, rng.integers(0, 4, n)


WEIGHT_DESIGNS = [
    (dict(k=4, hidden_layers=(40, 24), random_state=2), 2),  # the paper's network
    (dict(k=3, hidden_layers=(30,), output_k=4, n_output_luts=6, random_state=4), 4),  # multi-class
    (dict(k=3, hidden_layers=(), output_k=5, n_output_luts=5, random_state=1), 2),  # voting, two classes
]


@pytest.mark.parametrize("params, n_classes", WEIGHT_DESIGNS, ids=["paper", "multiclass", "voting-2"])
def test_integer_weights_equal_repeated_rows(params, n_classes):
    X, y, w = _weighted_task(n_classes)
    weighted = LutNetworkClassifier(**params).fit(X, y, sample_weight=w)
    rows = np.repeat(np.arange(len(y)), w)
    repeated = LutNetworkClassifier(**params).fit(X[rows], y[rows])
    _same_network(weighted, repeated)
    np.testing.assert_array_equal(weighted.predict_proba(X), repeated.predict_proba(X))
    unweighted = LutNetworkClassifier(**params).fit(X, y)
    assert any(not np.array_equal(a, b) for a, b in zip(unweighted.tables_, weighted.tables_))


@pytest.mark.parametrize("params, n_classes", WEIGHT_DESIGNS, ids=["paper", "multiclass", "voting-2"])
def test_balanced_class_weight_equals_matching_sample_weights(params, n_classes):
    from sklearn.utils.class_weight import compute_sample_weight

    X, y, w = _weighted_task(n_classes, seed=3)
    y = np.where(np.arange(len(y)) % 5 == 0, y, 0)  # unbalanced: mostly class 0
    by_class = LutNetworkClassifier(class_weight="balanced", **params).fit(X, y)
    by_sample = LutNetworkClassifier(**params).fit(X, y, sample_weight=compute_sample_weight("balanced", y))
    _same_network(by_class, by_sample)
    assert by_class.network_.head.weight_shift > 0  # fractional weights: scaled
    both = LutNetworkClassifier(class_weight="balanced", **params).fit(X, y, sample_weight=w)
    matching = w * compute_sample_weight("balanced", y)
    _same_network(both, LutNetworkClassifier(**params).fit(X, y, sample_weight=matching))
    assert any(
        not np.array_equal(a, b)
        for a, b in zip(by_class.tables_, LutNetworkClassifier(**params).fit(X, y).tables_)
    )


def test_class_weight_dict_and_weights_bit_identical_across_n_jobs():
    X, y, _ = _weighted_task(3, seed=5)
    w = np.random.default_rng(0).random(len(y)) * 3
    labels = np.array(["a", "b", "c"])[y]
    models = [
        LutNetworkClassifier(k=4, hidden_layers=(32,), output_k=4, n_output_luts=4, random_state=0,
                             class_weight={"b": 2.5}, n_jobs=n).fit(X, labels, sample_weight=w)
        for n in (1, 2)
    ]
    _same_network(*models)
    # a dict weight of 2 on a class equals sample weights of 2 on its rows
    a = LutNetworkClassifier(k=4, hidden_layers=(20,), random_state=0, class_weight={1: 2}).fit(X, y % 2)
    b = LutNetworkClassifier(k=4, hidden_layers=(20,), random_state=0).fit(X, y % 2, sample_weight=1 + (y % 2))
    _same_network(a, b)


def test_fractional_weights_rule_and_scale_invariance():
    """Fractional weights are rounded to multiples of 2**-s (s from n and the largest weight): scaling all by 2 changes
    nothing; the paper's network's proba is the weighted frequency."""
    X, y, _ = _weighted_task(2, seed=6, n=300)
    w = np.random.default_rng(1).random(300) + 0.01
    a = small(hidden_layers=(16,)).fit(X, y, sample_weight=w)
    b = small(hidden_layers=(16,)).fit(X, y, sample_weight=2 * w)
    np.testing.assert_array_equal(a.network_.head.counts, b.network_.head.counts)
    assert b.network_.head.weight_shift == a.network_.head.weight_shift - 1
    s = a.network_.head.weight_shift
    assert 300 * w.max() * 2.0**s <= 2**30 < 300 * w.max() * 2.0 ** (s + 1)
    q = np.rint(w * 2.0**s)
    assert a.network_.head.counts.sum() == q.sum()
    assert a.network_.accuracy[0].tobytes() != small(hidden_layers=(16,)).fit(X, y).network_.accuracy[0].tobytes()


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(sample_weight=-np.ones(600)), "non-negative"),
        (dict(sample_weight=np.zeros(600)), "all zero"),
        (dict(sample_weight=np.full(600, np.nan)), "finite"),
        (dict(sample_weight=np.ones(5)), "shape"),
    ],
)
def test_bad_sample_weight(xor_data, kw, match):
    with pytest.raises(ValueError, match=match):
        small().fit(*xor_data, **kw)


def test_bad_class_weight(xor_data):
    with pytest.raises(ValueError, match="not in y"):
        small(class_weight={7: 2.0}).fit(*xor_data)
    with pytest.raises(ValueError, match="class_weight"):
        small(class_weight="uniform").fit(*xor_data)


# ---------------------------------------------------------------- decision_function, predict_log_proba
def test_decision_function_and_log_proba_paper_network(xor_data):
    X, y = xor_data
    clf = small().fit(X, y)
    proba = clf.predict_proba(X)
    d = clf.decision_function(X)
    assert d.shape == (len(X),)
    np.testing.assert_array_equal(d, proba[:, 1] - proba[:, 0])
    pred = clf.predict(X)
    assert (pred[d > 0] == clf.classes_[1]).all() and (pred[d < 0] == clf.classes_[0]).all()
    with np.errstate(divide="ignore"):
        np.testing.assert_array_equal(clf.predict_log_proba(X), np.log(proba))


@pytest.mark.parametrize("n_classes", [2, 4])
def test_decision_function_and_log_proba_voting(n_classes):
    X, y, _ = _weighted_task(n_classes, seed=9)
    clf = LutNetworkClassifier(k=3, hidden_layers=(16,), output_k=4, n_output_luts=5, random_state=0).fit(X, y)
    d, pred = clf.decision_function(X), clf.predict(X)
    if n_classes == 2:
        assert d.shape == (len(X),)
        np.testing.assert_array_equal(pred, clf.classes_[(d > 0).astype(int)])
    else:
        assert d.shape == (len(X), n_classes)
        np.testing.assert_array_equal(pred, clf.classes_[d.argmax(axis=1)])
    log_proba = clf.predict_log_proba(X)
    assert np.isfinite(log_proba).all()
    np.testing.assert_allclose(np.exp(log_proba), clf.predict_proba(X), rtol=1e-12, atol=1e-15)


def test_roc_auc_uses_decision_function(xor_data):
    from sklearn.metrics import get_scorer, roc_auc_score

    X, y = xor_data
    clf = small().fit(X, y)
    assert get_scorer("roc_auc")(clf, X, y) == roc_auc_score(y, clf.decision_function(X)) > 0.6


@pytest.mark.parametrize("n_classes", [2, 4])
def test_huge_finite_sample_weights_act_as_their_ratios(n_classes):
    """Uniform weights of 1e308 overflowed n * max(weight) (test accuracy 0.4378 for 0.6422; multi-class raised
    IndexError: index -2147483648); they now give the model of uniform weights of 1e300 (and, for two classes,
    of no weights)."""
    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, (600, 20), dtype=np.uint8)
    y = X[:, 0] + 2 * X[:, 1] if n_classes == 4 else (X[:, :3].sum(axis=1) >= 2).astype(int)
    fit = lambda w, **kw: small(**kw).fit(X, y, sample_weight=None if w is None else np.full(len(y), w))  # noqa: E731
    huge, big = fit(1e308), fit(1e300)
    np.testing.assert_array_equal(huge.predict(X), big.predict(X))
    if n_classes == 2:
        np.testing.assert_array_equal(huge.predict(X), fit(None).predict(X))
    cw = small(class_weight={0: 1e308}).fit(X, y)  # the other classes weigh nothing beside it
    assert set(cw.predict(X).tolist()) == {0}
    with pytest.raises(ValueError, match="sample_weight times class_weight overflows"):
        small(class_weight={0: 1e308}).fit(X, y, sample_weight=np.full(len(y), 10.0))
    with pytest.raises(ValueError, match="below the smallest normal float"):
        small().fit(X, y, sample_weight=np.full(len(y), 1e-310))
