"""Multi-class networks: kernels against their NumPy twins, the estimator, persistence, MNIST."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import (
    check_classifiers_classes,
    check_classifiers_train,
    check_fit_idempotent,
)

import lutlearn
from _kernels import fit_sorted
from _scripts import load_script
from lutlearn import LutNetworkClassifier, ModelFormatError, ThermometerEncoder
from lutlearn.core import _reference as ref, kernels
from lutlearn.core.training import BINARY_DEFAULTS, DEFAULTS, effective_params, random_dichotomies, random_wiring


def split_weights(targets, totals):
    """Each split lut's weights ``(n0, n1)``: the sizes of its two sides."""
    n1 = (targets * totals).sum(axis=1)
    return np.stack([totals.sum() - n1, n1], axis=1).astype(np.int64)


def fit_dichotomy_layer(A, y, wires, targets, totals, seed, layer):
    """The training kernel on a layer of split luts: ``(tables, outputs, correct)``."""
    tables, out, correct, _ = fit_sorted(A, y, wires, targets, split_weights(targets, totals), 2, seed, layer)
    return tables, out, correct


def ref_fit_dichotomy_layer(A, y, wires, targets, totals, seed, layer):
    return ref.fit_layer(A, y, wires, targets, split_weights(targets, totals), 2, seed, layer)

DATA = Path(__file__).parent / "fixtures"


def toy(n=600, d=10, n_classes=4, seed=0):
    """Bits and a label that is a function of the first three bits (learnable)."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 2, size=(n, d)).astype(np.uint8)
    y = (X[:, 0] + 2 * X[:, 1] + 4 * X[:, 2]) % n_classes
    return X, y


SMALL = dict(k=3, hidden_layers=(48,), output_k=4, n_output_luts=32)


# ----------------------------------------------------------------- kernels
@pytest.mark.parametrize("n_classes", [2, 3, 5])
def test_fit_dichotomy_layer_matches_reference(n_classes):
    rng = np.random.default_rng(n_classes)
    A = rng.integers(0, 2, size=(10, 300)).astype(np.uint8)
    A[3] = 0  # constant row: half the patterns of luts reading it are never seen (ties)
    y = rng.integers(0, n_classes, 300).astype(np.uint8)
    wires = random_wiring(rng, 40, 10, 4)
    targets = random_dichotomies(rng, 40, n_classes)
    totals = np.bincount(y, minlength=n_classes).astype(np.int64)
    tables, out, correct = fit_dichotomy_layer(A, y, wires, targets, totals, 99, 2)
    t_ref, o_ref, c_ref = ref_fit_dichotomy_layer(A, y, wires, targets, totals, 99, 2)
    np.testing.assert_array_equal(tables, t_ref)
    np.testing.assert_array_equal(out, o_ref)
    np.testing.assert_array_equal(correct, c_ref)
    assert set(np.unique(tables)) == {0, 1}


def test_dichotomy_is_balanced_by_side_size():
    # One bit; side 1 = class 0 (100 examples), side 0 = classes 1, 2 (900).
    # Pattern 1 holds 60 of class 0 and 300 of the others: 60/100 > 300/900, so it maps to 1
    # although the raw majority is side 0.
    A = np.zeros((1, 1000), np.uint8)
    y = np.repeat(np.array([0, 1, 2], np.uint8), [100, 450, 450])
    A[0, :60] = 1
    A[0, 100:400] = 1
    totals = np.array([100, 450, 450], np.int64)
    tables, out, correct = fit_dichotomy_layer(A, y, np.zeros((1, 1), np.int32), np.array([[1, 0, 0]], np.uint8),
                                               totals, 0, 1)
    assert tables.tolist() == [[0, 1]]
    assert correct[0] == 60 + (900 - 300)


def test_count_layer_and_vote_scores_match_reference():
    rng = np.random.default_rng(1)
    A = rng.integers(0, 2, size=(9, 700)).astype(np.uint8)
    y = rng.integers(0, 3, 700).astype(np.uint8)
    wires = random_wiring(rng, 20, 9, 5)
    counts = np.zeros((20, 32, 3), np.int32)  # the caller's type: int32 for the voting luts
    kernels.count_layer(A, y, wires, False, counts)
    np.testing.assert_array_equal(counts, ref.count_layer(A, y, wires, 3))
    patterns = np.stack([ref.pattern_index(A, w) for w in wires], axis=1).astype(np.uint32)
    weights = rng.normal(size=(20, 32, 3)).astype(np.float32)
    scores = np.zeros((700, 3))
    kernels.vote_scores(patterns, weights, scores)  # 700 examples: several blocks, the last one partial
    np.testing.assert_array_equal(scores, ref.vote_scores(patterns, weights))
    votes = rng.integers(0, 210, size=(20, 32, 3)).astype(np.uint8)  # the model's integer votes
    int_scores = np.zeros((700, 3), np.int64)
    kernels.vote_scores(patterns, votes, int_scores)
    np.testing.assert_array_equal(int_scores, ref.vote_scores(patterns, votes))
    assert int_scores.max() > 255  # summed without uint8 overflow


def test_random_dichotomies_split_every_lut_in_halves():
    T = random_dichotomies(np.random.default_rng(0), 500, 7)
    assert T.shape == (500, 7) and T.dtype == np.uint8
    assert (T.sum(axis=1) == 3).all()
    assert len({tuple(r) for r in T}) > 30  # many different splits, not one repeated
    np.testing.assert_array_equal(T, random_dichotomies(np.random.default_rng(0), 500, 7))


# --------------------------------------------------------------- estimator
def test_multiclass_fit_predict_proba():
    X, y = toy()
    labels = np.array(["a", "b", "c", "d"])[y]
    clf = LutNetworkClassifier(random_state=0, **SMALL).fit(X, labels)
    assert list(clf.classes_) == ["a", "b", "c", "d"]
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 4)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    assert clf.score(X, labels) > 0.95
    assert [w.shape for w in clf.wires_] == [(48, 3), (32, 4)]
    assert [t.shape for t in clf.tables_] == [(48, 8), (32, 16)]
    assert clf.output_counts_.shape == (32, 16, 4)
    assert clf.output_counts_.sum() == 32 * len(X)
    assert clf.dichotomies_[0].shape == (48, 4)
    assert [r["count"] for r in clf.layer_report_] == [10, 48, 32]


def test_multiclass_matches_reference_prediction():
    X, y = toy(n=500, d=12, n_classes=5, seed=3)
    clf = LutNetworkClassifier(k=4, hidden_layers=(40, 20), output_k=5, n_output_luts=24, random_state=1)
    clf.fit(X, y)
    Xt, _ = toy(n=300, d=12, n_classes=5, seed=4)
    np.testing.assert_allclose(clf.predict_proba(Xt), ref.predict_proba(clf, Xt), rtol=1e-5, atol=1e-6)
    scores = ref.decision_scores(clf, Xt)
    np.testing.assert_array_equal(clf.network_.head.scores(clf.network_.output_patterns(Xt)), scores)
    np.testing.assert_array_equal(clf.predict(Xt), clf.classes_[scores.argmax(axis=1)])
    # The hidden layers' training outputs follow the reference layer by layer.
    A = X.T.copy()
    totals = np.bincount(y, minlength=5).astype(np.int64)
    for layer, (w, t, d) in enumerate(zip(clf.wires_[:-1], clf.tables_[:-1], clf.dichotomies_), start=1):
        t_ref, A, _ = ref_fit_dichotomy_layer(A, y.astype(np.uint8), w, d, totals, clf.seed_, layer)
        np.testing.assert_array_equal(t, t_ref)


def test_multiclass_is_deterministic_whatever_n_jobs():
    X, y = toy(seed=5)
    a = LutNetworkClassifier(random_state=7, n_jobs=1, **SMALL).fit(X, y)
    b = LutNetworkClassifier(random_state=7, n_jobs=2, **SMALL).fit(X, y)
    c = LutNetworkClassifier(random_state=8, **SMALL).fit(X, y)
    for u, v in zip(a.wires_ + a.tables_, b.wires_ + b.tables_):
        np.testing.assert_array_equal(u, v)
    np.testing.assert_array_equal(a.output_counts_, b.output_counts_)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert not np.array_equal(a.wires_[0], c.wires_[0])


def test_defaults_depend_on_the_number_of_classes():
    params = LutNetworkClassifier().get_params()
    assert effective_params(params, 2) == BINARY_DEFAULTS
    assert effective_params(params, 10) == DEFAULTS
    assert effective_params(LutNetworkClassifier(k=5).get_params(), 10)["k"] == 5
    # Setting n_output_luts asks for the voting design with two classes as well.
    assert effective_params(LutNetworkClassifier(n_output_luts=8).get_params(), 2) == {**DEFAULTS, "n_output_luts": 8}


def test_two_classes_stay_the_paper_network_unless_asked():
    X, y = toy(n_classes=2)
    paper = LutNetworkClassifier(k=3, hidden_layers=(16,), random_state=0).fit(X, y)
    assert paper.output_counts_.shape == (8, 2)
    assert not hasattr(paper, "dichotomies_")
    voting = LutNetworkClassifier(random_state=0, **SMALL).fit(X, y)
    assert voting.output_counts_.shape == (32, 16, 2)
    assert voting.predict_proba(X).shape == (len(X), 2)
    assert voting.score(X, y) > 0.95


def test_errors_are_clear():
    X, y = toy()
    with pytest.raises(ValueError, match="at most 255"):
        LutNetworkClassifier(random_state=0, **SMALL).fit(np.vstack([X, X]), np.arange(1200) % 300)
    with pytest.raises(ValueError, match="output_k=12 is larger than the width of hidden layer 1"):
        LutNetworkClassifier(k=3, hidden_layers=(10,), output_k=12).fit(X, y)
    with pytest.raises(ValueError, match="n_output_luts"):
        LutNetworkClassifier(n_output_luts=0).fit(X, y)


def test_pipeline_passes_sklearn_classifier_checks():
    pipe = make_pipeline(
        ThermometerEncoder(n_bits=4, method="quantile"),
        LutNetworkClassifier(k=2, hidden_layers=(32,), output_k=4, n_output_luts=16, random_state=0),
    )
    check_classifiers_train("pipeline", pipe)  # 3-class blobs, accuracy > 0.83 required
    check_classifiers_classes("pipeline", pipe)
    check_fit_idempotent("pipeline", pipe)


# ------------------------------------------------------------- persistence
def test_multiclass_model_round_trips(tmp_path):
    X, y = toy()
    clf = LutNetworkClassifier(random_state=0, **SMALL).fit(X, y)
    path = tmp_path / "m.npz"
    clf.save(path)
    m = lutlearn.load(path)
    np.testing.assert_array_equal(m.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(m.output_counts_, clf.output_counts_)
    np.testing.assert_array_equal(m.dichotomies_[0], clf.dichotomies_[0])
    assert m.get_params()["n_output_luts"] == 32 and m.seed_ == clf.seed_


def test_version_2_file_with_bad_dichotomies_is_refused(tmp_path):
    import json

    from lutlearn.core.persistence import _digest

    X, y = toy()
    clf = LutNetworkClassifier(random_state=0, **SMALL).fit(X, y)
    clf.dichotomies_[0] = clf.dichotomies_[0] * 2  # side 2 does not exist
    clf.save(tmp_path / "bad.npz")
    with pytest.raises(ModelFormatError, match="dichotomies_1"):
        lutlearn.load(tmp_path / "bad.npz")
    # A version-1 file claiming more than two classes is refused too.
    arrays = dict(np.load(tmp_path / "bad.npz"))
    meta = json.loads(arrays.pop("meta").tobytes())
    meta["version"] = 1
    meta["sha256"] = {k: _digest(a) for k, a in arrays.items()}
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
    np.savez(tmp_path / "v1.npz", **arrays)
    with pytest.raises(ModelFormatError, match="4 classes in a version 1 file"):
        lutlearn.load(tmp_path / "v1.npz")


def test_old_version_1_binary_file_still_loads():
    # Written by lutlearn at commit 21f67a7 (before multi-class support).
    m = lutlearn.load(DATA / "binary_v1.npz")
    expected = np.load(DATA / "binary_v1_expected.npz")
    np.testing.assert_array_equal(m.predict_proba(expected["X"]), expected["proba"])
    np.testing.assert_array_equal(m.predict(expected["X"]), expected["pred"])
    assert m.get_params()["k"] == 3 and m.get_params()["n_output_luts"] is None


# ------------------------------------------------------------------- data
def test_ten_class_mnist_meets_target_with_defaults(mnist_home):
    from lutlearn.datasets import load_mnist

    Xtr, ytr, Xte, yte = load_mnist(mnist_home)
    clf = LutNetworkClassifier(random_state=0).fit(Xtr > 127, ytr)
    assert clf.output_counts_.shape == (256, 4096, 10)
    assert clf.score(Xte > 127, yte) >= 0.92


def test_two_class_voting_model_round_trips(tmp_path):
    X, y = toy(n_classes=2)
    clf = LutNetworkClassifier(random_state=0, **SMALL).fit(X, y)
    clf.save(tmp_path / "v.npz")
    m = lutlearn.load(tmp_path / "v.npz")
    assert m.output_counts_.ndim == 3
    np.testing.assert_array_equal(m.predict_proba(X), clf.predict_proba(X))


def test_command_line_trains_and_evaluates_a_multiclass_file(tmp_path, capsys):
    from lutlearn.cli import main

    X, y = toy(n=800, n_classes=5, seed=2)
    np.savez(tmp_path / "train.npz", X=X[:600], y=y[:600])
    np.savez(tmp_path / "test.npz", X=X[600:], y=y[600:])
    model = tmp_path / "m.npz"
    argv = ["train", str(tmp_path / "train.npz"), "--test", str(tmp_path / "test.npz"), "-o", str(model),
            "-k", "3", "--hidden-layers", "64", "--output-k", "4", "--n-output-luts", "16"]
    assert main(argv) == 0
    assert "test accuracy" in capsys.readouterr().out
    m = lutlearn.load(model)
    assert len(m.classes_) == 5 and m.output_counts_.shape == (16, 16, 5)
    assert main(["evaluate", str(model), str(tmp_path / "test.npz")]) == 0
    acc = float(capsys.readouterr().out.split()[1])
    assert acc == pytest.approx(m.score(X[600:], y[600:])) and acc > 0.9


@pytest.mark.slow
def test_ten_class_cifar10_with_defaults(cifar10_home):
    from lutlearn.datasets import load_cifar10

    Xtr, ytr, Xte, yte = load_cifar10(cifar10_home)
    clf = LutNetworkClassifier(random_state=0).fit(Xtr > 127, ytr)
    # Measured 0.3601 (seed 0); chance is 0.10.
    assert clf.score(Xte > 127, yte) >= 0.35


def test_images_example_runs_on_a_subsample(mnist_home, capsys):
    import json

    example = load_script("examples/multiclass_images.py")
    argv = ["--data-home", str(mnist_home), "--n-train", "3000", "--repeats", "1",
            "--params", '{"hidden_layers": [256], "n_output_luts": 32}']
    assert example.main(argv) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["n_train"] == 3000 and record["params"]["n_output_luts"] == 32
    assert 0.7 < record["test_accuracy"] <= record["train_accuracy"]


def test_vote_weights_table_and_direct_paths_agree():
    from lutlearn.core.model import ALPHA, VOTE_SCALE, vote_weights

    rng = np.random.default_rng(0)
    counts = rng.integers(0, 300, (3, 16, 4)).astype(np.int32)
    big = counts.copy()
    big[0, 0, 0] = 1 << 21  # past the table: every vote computed directly
    for c in (counts, big):
        votes, bias = vote_weights(c)
        expect = np.rint(VOTE_SCALE * np.log((c.astype(np.float64) + ALPHA) / ALPHA))
        np.testing.assert_array_equal(votes, expect)
        assert votes.dtype == np.uint8 and bias.min() == 0
    assert vote_weights(big)[0][0, 0, 0] == round(VOTE_SCALE * np.log((2**21 + ALPHA) / ALPHA))


def test_choose_layer_matches_fit_layer_on_split_luts():
    rng = np.random.default_rng(4)
    A = rng.integers(0, 2, size=(10, 300)).astype(np.uint8)
    y = rng.integers(0, 5, 300).astype(np.uint8)
    wires = random_wiring(rng, 24, 10, 6)  # 64 patterns, 300 examples: many ties
    targets = random_dichotomies(rng, 24, 5)
    totals = np.bincount(y, minlength=5).astype(np.int64)
    tables, _, correct = fit_dichotomy_layer(A, y, wires, targets, totals, 9, 2)
    t2, c2 = np.empty_like(tables), np.empty_like(correct)
    kernels.choose_layer(ref.count_layer(A, y, wires, 5), targets, split_weights(targets, totals), 2, 9, 2, t2, c2)
    np.testing.assert_array_equal(t2, tables)
    np.testing.assert_array_equal(c2, correct)
    assert 0 < tables.mean() < 1
