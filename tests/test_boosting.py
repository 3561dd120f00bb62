"""The boosted design (``wiring="boosted"``): kernel against its NumPy twin, determinism, files, circuits."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from _scripts import load_script
from lutlearn import LutNetworkClassifier
from lutlearn.core import _reference, kernels, training
from lutlearn.export import LutNetlist
from lutlearn.export.arithmetic import LutBuilder, add_columns


def _data(n=600, d=24, n_classes=3, seed=0):
    """Bits whose classes depend on a few of them (learnable, not trivially)."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 2, size=(n, d)).astype(np.uint8)
    score = X[:, 0] + X[:, 1] + X[:, 2] + X[:, 3] * X[:, 4]
    y = np.minimum(score * n_classes // 5, n_classes - 1)
    flip = rng.random(n) < 0.1
    y[flip] = rng.integers(0, n_classes, size=flip.sum())
    return X, y


@pytest.mark.parametrize("weighted, q, rate", [(False, 0, 1.0), (True, 0, 1.0), (False, 3, 1.0), (True, 1, 1.0),
                                               (True, 0, 0.3), (False, 3, 0.25)])
def test_kernel_matches_numpy_reference(weighted, q, rate):
    X, y = _data()
    order = np.argsort(y, kind="stable")
    A = np.ascontiguousarray(X[order].T)
    bounds = np.searchsorted(y[order], np.arange(4)).astype(np.int64)
    rng = np.random.default_rng(1)
    w0 = rng.integers(1, 5, size=len(y)).astype(np.float64) if weighted else np.ones(len(y))
    k, n_luts = 3, 7
    off = training.luts_per_class(n_luts, 3)
    cand = training.boost_candidates(A.sum(axis=1), A.shape[1], off, k, rng, 10)
    ptr, idx = kernels.ones_index(A)
    wires = np.empty((n_luts, k), np.int32)
    tables = np.empty((n_luts, 1 << k), np.uint8)
    errors = np.empty(n_luts)
    delta = (rate if q else 1.0) / max(q, 1)
    factors = np.exp(-delta * np.arange(-q, q + 1))
    keys = np.empty((3, len(y)), np.uint16)
    class_w = np.array([w0[a:b].sum() for a, b in zip(bounds[:-1], bounds[1:])])
    kernels.boost_luts(A, ptr, idx, bounds, w0, class_w, off, k, cand, q, delta, factors, rate, keys, wires, tables,
                       errors)
    rw, rt, re = _reference.boost_luts(A, bounds, w0, off, k, cand, q, delta, factors, rate)
    np.testing.assert_array_equal(wires, rw)
    np.testing.assert_array_equal(tables, rt)
    np.testing.assert_array_equal(errors, re)
    assert (errors < 0.5).all()  # every lut does better than chance on its weighted examples
    assert tables.max() <= max(2 * q, 1) and (q == 0 or len(np.unique(tables)) > 2)


def test_ones_index():
    A = np.random.default_rng(2).integers(0, 2, size=(5, 40)).astype(np.uint8)
    ptr, idx = kernels.ones_index(A)
    for f in range(5):
        np.testing.assert_array_equal(idx[ptr[f]:ptr[f + 1]], np.flatnonzero(A[f]))


def test_learns_and_scores_are_popcounts():
    X, y = _data(1500)
    clf = LutNetworkClassifier(wiring="boosted", output_k=4, n_output_luts=30, random_state=0).fit(X[:1000], y[:1000])
    net = clf.network_
    assert net.head.rule == "sum" and net.voting
    assert net.wires[-1].shape == (30, 4) and net.tables[-1].max() == 1
    # a class's score is the number of its luts that output 1: recomputed here from the tables alone
    groups = np.repeat(np.arange(3), 10)
    bits = np.stack([t[_reference.pattern_index(np.ascontiguousarray(X[1000:].T), w)]
                     for w, t in zip(net.wires[-1], net.tables[-1])])
    scores = np.stack([bits[groups == c].sum(axis=0) for c in range(3)], axis=1)
    np.testing.assert_array_equal(clf.predict(X[1000:]), clf.classes_[scores.argmax(axis=1)])
    assert clf.score(X[1000:], y[1000:]) > 0.75
    proba = clf.predict_proba(X[1000:])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(proba.argmax(axis=1), scores.argmax(axis=1))


def test_same_model_whatever_n_jobs_and_seed_matters():
    X, y = _data()
    kw = dict(wiring="boosted", output_k=3, n_output_luts=9, wiring_candidates=6)
    fits = [LutNetworkClassifier(**kw, random_state=5, n_jobs=j).fit(X, y) for j in (1, 2)]
    a, b = (f.network_ for f in fits)
    for u, v in zip(a.wires + a.tables, b.wires + b.tables):
        np.testing.assert_array_equal(u, v)
    np.testing.assert_array_equal(a.head.counts, b.head.counts)
    assert a.head.proba_scale == b.head.proba_scale
    other = LutNetworkClassifier(**kw, random_state=6).fit(X, y).network_
    assert not np.array_equal(other.wires[-1], a.wires[-1])


@pytest.mark.parametrize("output_bits", [1, 3])
def test_learning_rate_shrinks_each_luts_share(output_bits):
    X, y = _data()
    kw = dict(wiring="boosted", output_k=3, n_output_luts=12, wiring_candidates=8, output_bits=output_bits,
              random_state=0)
    plain = LutNetworkClassifier(**kw).fit(X, y).network_
    same = LutNetworkClassifier(**kw, learning_rate=1.0).fit(X, y).network_
    slow = LutNetworkClassifier(**kw, learning_rate=0.2).fit(X, y).network_
    np.testing.assert_array_equal(same.tables[-1], plain.tables[-1])
    # the first lut of each class sees the same weights; the later ones see smaller changes of them
    first = [0, 4, 8]
    np.testing.assert_array_equal(slow.wires[-1][first], plain.wires[-1][first])
    assert not np.array_equal(slow.tables[-1], plain.tables[-1])
    if output_bits > 1:  # half the log-odds clipped to +-0.2 nats in steps of 0.2 / 3: the extremes are common
        q = 3
        assert np.isin(slow.tables[-1], [0, 2 * q]).mean() > np.isin(plain.tables[-1], [0, 2 * q]).mean()
    with pytest.raises(ValueError, match="learning_rate"):
        LutNetworkClassifier(**kw, learning_rate=0.0).fit(X, y)


def test_save_and_load(tmp_path):
    X, y = _data()
    clf = LutNetworkClassifier(wiring="boosted", output_k=3, n_output_luts=12, learning_rate=0.5,
                               random_state=0).fit(X, y)
    clf.save(tmp_path / "m.npz")
    back = LutNetworkClassifier.load(tmp_path / "m.npz")
    assert back.get_params()["learning_rate"] == 0.5
    assert back.network_.head.rule == "sum"
    np.testing.assert_array_equal(back.predict(X), clf.predict(X))
    np.testing.assert_array_equal(back.predict_proba(X), clf.predict_proba(X))
    assert back.get_params()["wiring"] == "boosted"


def test_sample_weight_counts_like_repeats():
    X, y = _data(300)
    w = np.random.default_rng(3).integers(0, 3, size=len(y))
    kw = dict(wiring="boosted", output_k=3, n_output_luts=6, random_state=0)
    a = LutNetworkClassifier(**kw).fit(X, y, sample_weight=w).network_
    b = LutNetworkClassifier(**kw).fit(np.repeat(X, w, axis=0), np.repeat(y, w)).network_
    np.testing.assert_array_equal(a.wires[-1], b.wires[-1])
    np.testing.assert_array_equal(a.tables[-1], b.tables[-1])


def test_a_larger_design_grows_a_smaller_one():
    X, y = _data()
    kw = dict(wiring="boosted", output_k=3, wiring_candidates=8, random_state=0)
    small = LutNetworkClassifier(n_output_luts=6, **kw).fit(X, y).network_
    big = LutNetworkClassifier(n_output_luts=13, **kw).fit(X, y).network_
    keep = np.r_[0:2, 5:7, 9:11]  # the first two luts of each class (5, 4, 4 luts per class in the big one)
    np.testing.assert_array_equal(big.wires[-1][keep], small.wires[-1])
    np.testing.assert_array_equal(big.tables[-1][keep], small.tables[-1])


def test_two_classes_and_hidden_layers():
    X, y = _data(n_classes=2)
    clf = LutNetworkClassifier(wiring="boosted", output_k=3, n_output_luts=8, random_state=0).fit(X, y)
    assert clf.decision_function(X).shape == (len(y),)
    deep = LutNetworkClassifier(wiring="boosted", k=3, hidden_layers=(32,), output_k=3, n_output_luts=8,
                                random_state=0).fit(X, y)
    assert deep.network_.n_layers == 2 and deep.score(X, y) > 0.6


def test_refusals():
    X, y = _data()
    with pytest.raises(ValueError, match="at least one output lut per class"):
        LutNetworkClassifier(wiring="boosted", n_output_luts=2, output_k=3).fit(X, y)
    with pytest.raises(ValueError, match="inputs that vary"):
        Xc = X.copy()
        Xc[:, 2:] = 0
        LutNetworkClassifier(wiring="boosted", n_output_luts=3, output_k=3).fit(Xc, y)


def test_counter_six_adds_exactly():
    rng = np.random.default_rng(4)
    n_bits = 23
    b = LutBuilder(n_bits)
    out = add_columns(b, [list(range(n_bits))], 5, counter=6)
    X = rng.integers(0, 2, size=(500, n_bits)).astype(np.uint8)
    net = LutNetlist._simplified(n_bits, b.luts, out, np.arange(2))
    got = (net.evaluate(X).astype(np.int64) << np.arange(5)).sum(axis=1)
    np.testing.assert_array_equal(got, X.sum(axis=1))
    assert max(len(ins) for ins, _ in b.luts) == 6


def test_circuit_equals_predict():
    X, y = _data()
    clf = LutNetworkClassifier(wiring="boosted", output_k=4, n_output_luts=15, random_state=0).fit(X, y)
    net = LutNetlist.from_model(clf)
    np.testing.assert_array_equal(net.predict(X), clf.predict(X))


@pytest.mark.skipif(shutil.which("iverilog") is None, reason="Icarus Verilog not installed")
def test_parallel_top_level_testbench(tmp_path, capsys):
    from lutlearn.cli import main

    X, y = _data()
    np.save(tmp_path / "X.npy", np.column_stack([X, y]))
    assert main(["train", str(tmp_path / "X.npy"), "--wiring", "boosted", "--output-k", "4",
                 "--n-output-luts", "15", "-o", str(tmp_path / "m.npz")]) == 0
    assert main(["export", str(tmp_path / "m.npz"), "-o", str(tmp_path / "m.v"), "--top", "--parallel",
                 "--arithmetic", "luts", "--testbench", "--testbench-data", str(tmp_path / "X.npy")]) == 0
    out = capsys.readouterr().out
    assert "1 words of 24 bits per example" in out and " 0 mismatches" in out and "passed" in out


# ------------------------------------------------------------------ small data (k="auto" and the warnings)

def test_auto_k_sizes_luts_for_the_data():
    assert training.auto_k(1347, 8) == 6 and training.auto_k(60000, 8) == 8 and training.auto_k(10, 8) == 2
    X, y = _data(300, n_classes=2)
    clf = LutNetworkClassifier(k="auto", hidden_layers=(32,), random_state=0).fit(X, y)
    assert clf.network_.ks == [4, 4]  # floor(log2(300 / 16)) = 4
    assert clf._effective_params(2)["k"] == 4


def test_auto_k_saves_and_loads(tmp_path):
    X, y = _data(300, n_classes=2)
    clf = LutNetworkClassifier(k="auto", hidden_layers=(32,), random_state=0).fit(X, y)
    clf.save(tmp_path / "m.npz")
    back = LutNetworkClassifier.load(tmp_path / "m.npz")
    assert back.get_params()["k"] == "auto" and back.network_.ks == [4, 4]
    np.testing.assert_array_equal(back.predict(X), clf.predict(X))


def test_warnings_for_luts_too_large():
    X, y = _data(200, n_classes=2)
    with pytest.warns(training.UnseenPatternsWarning, match="200 training examples for luts of 10 inputs"):
        clf = LutNetworkClassifier(k=10, hidden_layers=(16,), random_state=0).fit(X, y)
    rng = np.random.default_rng(9)
    fresh = rng.integers(0, 2, size=(300, X.shape[1])).astype(np.uint8)
    with pytest.warns(training.UnseenPatternsWarning, match="present an output-lut pattern"):
        clf.predict(fresh)
    import warnings

    small = LutNetworkClassifier(k="auto", hidden_layers=(16,), random_state=0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        small.predict(X)  # sized for the data: no warning on its own training examples


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc not installed")
def test_c_program_equals_predict(tmp_path):
    import subprocess

    from lutlearn.cli import main

    X, y = _data()
    clf = LutNetworkClassifier(wiring="boosted", output_k=4, n_output_luts=15, output_bits=2, random_state=0)
    clf.fit(X, y).save(tmp_path / "m.npz")
    assert main(["export", str(tmp_path / "m.npz"), "-o", str(tmp_path / "m.c"), "--with-main"]) == 0
    subprocess.run(["gcc", "-std=c99", "-O1", "-o", str(tmp_path / "m"), str(tmp_path / "m.c")], check=True)
    lines = "".join("".join(map(str, row)) + "\n" for row in X)
    res = subprocess.run([str(tmp_path / "m")], input=lines, capture_output=True, text=True, check=True)
    assert res.stdout.split() == [str(v) for v in clf.predict(X)]


def _assert_same_model(a, b):
    for u, v in zip(a.wires_, b.wires_):
        np.testing.assert_array_equal(u, v)
    for u, v in zip(a.tables_, b.tables_):
        np.testing.assert_array_equal(u, v)
    for u, v in zip(a.lut_accuracy_, b.lut_accuracy_):
        np.testing.assert_array_equal(u, v)
    np.testing.assert_array_equal(a.output_counts_, b.output_counts_)
    assert a.network_.head.proba_scale == b.network_.head.proba_scale


def test_the_order_of_the_examples_does_not_matter():
    """Fixed-point weights: every sum is exact, so shuffled training rows give the same luts bit for bit."""
    X, y = _data()
    perm = np.random.default_rng(5).permutation(len(y))
    for params in ({}, {"output_bits": 3, "learning_rate": 0.5}):
        p = dict(wiring="boosted", output_k=3, n_output_luts=9, wiring_candidates=8, random_state=2, **params)
        _assert_same_model(LutNetworkClassifier(**p).fit(X, y), LutNetworkClassifier(**p).fit(X[perm], y[perm]))


@pytest.mark.parametrize("params, weighted", [
    ({"n_output_luts": 8}, False),  # classes of 3, 3 and 2 luts
    ({"n_output_luts": 9, "output_bits": 3, "learning_rate": 0.5}, True),
    ({"n_output_luts": 8, "hidden_layers": (16,), "k": 4, "learning_rate": 0.3}, False),
])
def test_dask_fit_equals_in_memory_fit(params, weighted):
    da = pytest.importorskip("dask.array")
    X, y = _data(n=500)
    sw = np.random.default_rng(3).integers(0, 4, size=len(y)) if weighted else None
    p = dict(wiring="boosted", output_k=3, wiring_candidates=6, random_state=1, **params)
    ref = LutNetworkClassifier(**p).fit(X, y, sample_weight=sw)
    for chunk in (500, 123):  # one chunk, and uneven ones
        Xd, yd = da.from_array(X, chunks=(chunk, X.shape[1])), da.from_array(y, chunks=chunk)
        swd = None if sw is None else da.from_array(sw, chunks=chunk)
        clf = LutNetworkClassifier(**p).fit(Xd, yd, sample_weight=swd)
        _assert_same_model(ref, clf)
        np.testing.assert_array_equal(clf.predict(Xd).compute(), ref.predict(X))


def test_dask_refuses_greedy_wiring():
    da = pytest.importorskip("dask.array")
    X, y = _data()
    with pytest.raises(ValueError, match="wiring='greedy' needs the training data in memory"):
        LutNetworkClassifier(wiring="greedy").fit(da.from_array(X, chunks=(100, X.shape[1])), da.from_array(y))


def test_proba_scale_is_the_least_log_loss():
    """The fixed-point losses choose the scale a float computation chooses, and add up over chunks."""
    rng = np.random.default_rng(4)
    scores = rng.integers(0, 20, size=(300, 4))
    y = np.argmax(scores + rng.integers(0, 15, size=scores.shape), axis=1)
    w = rng.integers(1, 5, size=300).astype(np.float64)
    losses = []
    for b in training.PROBA_SCALES:
        z = b * scores
        logp = z[np.arange(300), y] - z.max(axis=1) - np.log(np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1))
        losses.append(-np.dot(w, logp) / w.sum())
    assert training.fit_proba_scale(scores, y, w) == training.PROBA_SCALES[np.argmin(losses)]
    whole = training.proba_scale_losses(scores, y, w, w.sum())
    parts = sum(training.proba_scale_losses(scores[a:a + 70], y[a:a + 70], w[a:a + 70], w.sum())
                for a in range(0, 300, 70))
    np.testing.assert_array_equal(whole, parts)
    np.testing.assert_allclose(whole / 2.0**40, losses, rtol=1e-9)


def test_cifar_example_bits_across_pixels():
    """examples/cifar_boosting.py: the bits that compare pixels, on two made-up images."""
    example = load_script("examples/cifar_boosting.py")
    X = np.zeros((2, 3072), np.uint8)
    X[0, :1024] = 200  # image 0 all red: R > G everywhere, never G > B or B > R
    X[1, 1024:2048] = np.tile(np.arange(32, dtype=np.uint8) * 8, 32)  # image 1: green growing to the right
    means = example.pooled(X)
    assert means.shape == (2, 192) and means[0, :64].tolist() == [200] * 64 and not means[0, 64:].any()
    encoder = example.ThermometerEncoder(n_bits=15, n_channels=3).fit(means)
    bits = example.across_pixels(X, encoder)
    assert bits.shape == (2, 2 * 32 * 31 + 3 * 1024 + 15 * 3 * 64)
    right, below = bits[:, :992], bits[:, 992:1984]
    rg, gb, br = bits[:, 1984:3008], bits[:, 3008:4032], bits[:, 4032:5056]
    assert rg[0].all() and not gb[0].any() and not br[0].any() and not right[0].any()
    columns = np.tile(np.arange(32), 32)
    np.testing.assert_array_equal(gb[1], columns > 0)  # G > B but in the first column
    assert right[1].all() and not below[1].any() and not rg[1].any()  # grey grows with green, left to right
    np.testing.assert_array_equal(bits[:, 5056:], encoder.transform(means))  # the pooled means, last
