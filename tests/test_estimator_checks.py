"""scikit-learn's estimator API suite, with the checks a Boolean-input learner cannot pass listed and explained.

Each check below that scikit-learn runs on real-valued data is re-run on Boolean
data by the tests at the end of this file, so the property it guards is still tested.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

from lutlearn import LutNetworkClassifier, ThresholdBinarizer

_FLOAT = (
    "the check fits real-valued data; lut networks take only 0/1 inputs and refuse anything "
    "else with a ValueError instead of coercing it (re-tested on Boolean data below)"
)
LUT_EXPECTED_FAILURES = {
    name: _FLOAT
    for name in [
        "check_classifier_data_not_an_array", "check_classifiers_classes", "check_classifiers_train",
        "check_dict_unchanged", "check_dont_overwrite_parameters", "check_estimators_dtypes",
        "check_estimators_fit_returns_self", "check_estimators_nan_inf",
        "check_estimators_overwrite_params", "check_estimators_pickle",
        "check_f_contiguous_array_estimator", "check_fit2d_predict1d", "check_fit_check_is_fitted",
        "check_fit_idempotent", "check_fit_score_takes_y", "check_methods_sample_order_invariance",
        "check_methods_subset_invariance", "check_n_features_in", "check_n_features_in_after_fitting",
        "check_pipeline_consistency", "check_readonly_memmap_input", "check_supervised_y_2d",
        "check_sample_weights_not_an_array", "check_sample_weights_list", "check_sample_weights_shape",
        "check_sample_weights_not_overwritten",
        "check_sample_weight_equivalence_on_dense_data", "check_classifiers_one_label_sample_weights",
        "check_class_weight_classifiers", "check_decision_proba_consistency",
    ]
}
LUT_EXPECTED_FAILURES.update({
    "check_dtype_object": "object arrays are refused: only bool, integer or float 0/1 inputs are accepted",
    "check_positive_only_tag_during_fit": "negative values are not bits; they are refused, not coerced",
    "check_fit2d_1feature": "a lut reads k distinct inputs, so k=2 cannot be wired to a single feature; "
                            "the error says so",
})


def _expected_failed_checks(estimator):
    return LUT_EXPECTED_FAILURES if isinstance(estimator, LutNetworkClassifier) else {}


@parametrize_with_checks(
    [LutNetworkClassifier(k=2, hidden_layers=(8,), random_state=0), ThresholdBinarizer()],
    expected_failed_checks=_expected_failed_checks,
)
def test_sklearn_api(estimator, check):
    check(estimator)


# -------------------------------------------------- the same properties on Boolean data
@pytest.fixture(scope="module")
def bits():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, size=(120, 10)).astype(np.uint8)
    y = (X[:, 0] | X[:, 1]).astype(int)
    return X, y


def _clf():
    return LutNetworkClassifier(k=3, hidden_layers=(12, 6), random_state=0)


def test_fit_returns_self_idempotent_and_params_untouched(bits):
    X, y = bits
    clf = _clf()
    params = clf.get_params()
    assert clf.fit(X, y) is clf
    assert clf.get_params() == params
    first = clf.predict(X)
    np.testing.assert_array_equal(clf.fit(X, y).predict(X), first)
    np.testing.assert_array_equal(clone(clf).fit(X, y).predict(X), first)


def test_predict_leaves_state_unchanged(bits):
    X, y = bits
    clf = _clf().fit(X, y)
    before = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in clf.__dict__.items()}
    clf.predict(X), clf.predict_proba(X), clf.score(X, y)
    assert before.keys() == clf.__dict__.keys()
    for k, v in before.items():
        if isinstance(v, np.ndarray):
            np.testing.assert_array_equal(v, clf.__dict__[k])


def test_sample_order_and_subset_invariance(bits):
    X, y = bits
    clf = _clf().fit(X, y)
    perm = np.random.default_rng(1).permutation(len(X))
    np.testing.assert_array_equal(clf.predict(X[perm]), clf.predict(X)[perm])
    np.testing.assert_array_equal(clf.predict(X[:7]), clf.predict(X)[:7])
    np.testing.assert_array_equal(clf.predict(X[3:4]), clf.predict(X)[3:4])


def test_input_containers_and_layouts(bits, tmp_path):
    X, y = bits
    ref = _clf().fit(X, y).predict(X)
    np.testing.assert_array_equal(_clf().fit(X.tolist(), list(y)).predict(X.tolist()), ref)
    np.testing.assert_array_equal(_clf().fit(np.asfortranarray(X), y).predict(np.asfortranarray(X)), ref)
    mm = np.lib.format.open_memmap(tmp_path / "x.npy", mode="w+", dtype=np.uint8, shape=X.shape)
    mm[:] = X
    mm.flush()
    ro = np.load(tmp_path / "x.npy", mmap_mode="r")
    np.testing.assert_array_equal(_clf().fit(ro, y).predict(ro), ref)
    for dtype in (np.int8, np.int32, np.int64, np.float32, np.float64, bool):
        np.testing.assert_array_equal(_clf().fit(X.astype(dtype), y).predict(X.astype(dtype)), ref)


def test_n_features_and_1d_inputs(bits):
    X, y = bits
    clf = _clf().fit(X, y)
    assert clf.n_features_in_ == 10
    with pytest.raises(ValueError, match="Reshape"):
        clf.predict(X[0])
    with pytest.raises(ValueError, match="y"):
        _clf().fit(X, np.c_[y, y])


def test_pickle_round_trip_in_memory(bits):
    """Pickling the user's own estimator (e.g. for joblib) works; model *files* use lutlearn's format."""
    X, y = bits
    clf = _clf().fit(X, y)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(clf)).predict(X), clf.predict(X))


def test_sample_weight_containers_and_invariance(bits):
    """The sample-weight checks on Boolean data: lists and pandas-free sequences, unit weights equal none,
    weights are not overwritten, repeated rows equal integer weights."""
    X, y = bits
    ref = _clf().fit(X, y)
    w = np.arange(len(y)) % 3
    w_copy = w.copy()
    got = _clf().fit(X, y, sample_weight=list(w))
    np.testing.assert_array_equal(w, w_copy)
    rows = np.repeat(np.arange(len(y)), w)
    np.testing.assert_array_equal(got.predict_proba(X), _clf().fit(X[rows], y[rows]).predict_proba(X))
    ones = _clf().fit(X, y, sample_weight=np.ones(len(y)))
    for a, b in zip(ones.tables_ + [ones.output_counts_], ref.tables_ + [ref.output_counts_]):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="one class"):
        _clf().fit(X, np.zeros(len(y)), sample_weight=np.ones(len(y)))


def test_decision_function_agrees_with_proba(bits):
    X, y = bits
    clf = _clf().fit(X, y)
    d, proba = clf.decision_function(X), clf.predict_proba(X)
    assert (np.diff(proba[np.argsort(d, kind="stable"), 1]) >= 0).all()  # same ranking
