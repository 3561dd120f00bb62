"""The trainer: networks equal to the NumPy reference trained layer by layer, whatever the order and threads.

``lutlearn.core._reference`` is the oracle: every table, accuracy and output
count of a fitted network is compared with it bit for bit, over lut sizes that
switch pattern types (uint8 up to k = 8, uint16 up to 16, uint32 above) and
lut sizes that are not multiples of the four wires per pass. The kernels
themselves are checked in ``test_kernels.py``, prediction in ``test_model.py``.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lutlearn import LutNetworkClassifier
from lutlearn.core import _reference, _workspace, kernels

REPO = Path(__file__).resolve().parents[1]


def test_smallest_k_matches_partition_and_stable_sort():
    rng = np.random.default_rng(0)
    keys = rng.random((200, 37))
    for k in (1, 2, 8, 36, 37):
        wires = np.empty((200, k), np.int32)
        kernels.smallest_k(keys, k, wires)
        expected = np.argsort(keys, axis=1, kind="stable")[:, :k]
        np.testing.assert_array_equal(wires, expected)
    # equal keys are taken in column order
    ties = rng.integers(0, 4, (100, 20)).astype(np.float64)
    wires = np.empty((100, 6), np.int32)
    kernels.smallest_k(ties, 6, wires)
    np.testing.assert_array_equal(wires, np.argsort(ties, axis=1, kind="stable")[:, :6])


def test_transpose_rows_and_class_ones():
    rng = np.random.default_rng(3)
    X = rng.integers(0, 2, (1001, 77)).astype(np.uint8)
    order = rng.permutation(1001)
    out = np.empty((77, 1001), np.uint8)
    kernels.transpose_rows(X, order, out)
    np.testing.assert_array_equal(out, X[order].T)
    bounds = np.array([0, 300, 650, 1001], np.int64)
    ones = kernels.class_ones(out, bounds)
    expected = np.stack([out[:, a:b].sum(axis=1) for a, b in zip(bounds[:-1], bounds[1:])], axis=1)
    np.testing.assert_array_equal(ones, expected)


def _simple_fit(clf: LutNetworkClassifier, X: np.ndarray, y: np.ndarray):
    """Train ``clf``'s own wiring layer by layer with the NumPy reference, examples in the user's order."""
    _, y_enc = np.unique(y, return_inverse=True)
    A = np.ascontiguousarray(X.T.astype(np.uint8))
    tables, accs = [], [(A == y_enc).mean(axis=1)]
    for layer, wires in enumerate(clf.wires_, start=1):
        sides = np.tile(np.array([0, 1], np.uint8), (len(wires), 1))
        t, out, correct = _reference.fit_layer(A, y_enc, wires, sides, np.ones((len(wires), 2)), 2, clf.seed_, layer)
        if layer == len(clf.wires_):
            counts = _reference.count_patterns(A, y_enc, wires[0], 2)
        tables.append(t)
        accs.append(correct / len(y))
        A = out
    return tables, accs, counts


def _simple_predict(clf: LutNetworkClassifier, X: np.ndarray) -> np.ndarray:
    """Every lut of every layer, with the NumPy reference: no pruning, no chunks."""
    return _reference.predict(clf, X)


@pytest.mark.parametrize(
    "k, layers, output_k, n",
    [
        (8, (64, 64, 64), None, 1500), (3, (40, 9), 7, 600), (10, (32,), 4, 1000), (1, (5, 5), 2, 257),
        (17, (20,), 3, 300),
    ],
)
def test_network_fit_and_predict_match_the_simple_path(k, layers, output_k, n):
    rng = np.random.default_rng(k)
    X = rng.integers(0, 2, (n + 700, 30)).astype(np.uint8)
    y = np.where(X[:, 0] ^ (X[:, 1] & X[:, 2]) ^ (rng.random(n + 700) < 0.1), "b", "a")
    X_train, y_train, X_test = X[:n], y[:n], X[n:]
    clf = LutNetworkClassifier(k=k, hidden_layers=layers, output_k=output_k, random_state=4).fit(X_train, y_train)

    tables, accs, counts = _simple_fit(clf, X_train, y_train)
    for got, want in zip(clf.tables_, tables):
        np.testing.assert_array_equal(got, want)
    for got, want in zip(clf.lut_accuracy_, accs):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(clf.output_counts_, counts)
    assert clf.output_counts_.dtype == np.int64

    # predict: the chunked cone == the unpruned reference; the patterns == the probe's
    np.testing.assert_array_equal(clf.predict(X_test), _simple_predict(clf, X_test))
    patterns = clf.network_.output_patterns(X_test)
    np.testing.assert_array_equal(patterns[:, 0], clf.network_.layer_values(X_test)[-1][0])


def test_training_order_and_threads_do_not_change_the_model():
    rng = np.random.default_rng(5)
    X = rng.integers(0, 2, (900, 20)).astype(np.uint8)
    y = X[:, 0] & X[:, 1] | X[:, 2]
    perm = rng.permutation(900)
    a = LutNetworkClassifier(k=5, hidden_layers=(30, 30), random_state=2, n_jobs=1).fit(X, y)
    b = LutNetworkClassifier(k=5, hidden_layers=(30, 30), random_state=2, n_jobs=2).fit(X[perm], y[perm])
    for ta, tb in zip(a.tables_, b.tables_):
        np.testing.assert_array_equal(ta, tb)
    np.testing.assert_array_equal(a.output_counts_, b.output_counts_)
    for la, lb in zip(a.lut_accuracy_, b.lut_accuracy_):
        np.testing.assert_array_equal(la, lb)


def test_k20_works_on_a_small_network():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, (400, 24)).astype(np.uint8)
    y = X[:, 0] ^ X[:, 7]
    clf = LutNetworkClassifier(k=20, hidden_layers=(3,), output_k=3, random_state=0).fit(X, y)
    assert clf.tables_[0].shape == (3, 1 << 20) and clf.tables_[0].dtype == np.uint8
    tables, _, _ = _simple_fit(clf, X, y)
    np.testing.assert_array_equal(clf.tables_[0], tables[0])
    np.testing.assert_array_equal(clf.predict(X), _simple_predict(clf, X))
    assert clf.score(X, y) == 1.0  # 400 examples, 2**20 patterns: memorized


def test_memory_is_refused_before_allocating(monkeypatch):
    import lutlearn.core._validation as validation

    monkeypatch.setattr(validation, "available_memory", lambda: 2 * 2**30)
    X = np.zeros((10, 30), np.uint8)
    X[5:, 0] = 1
    clf = LutNetworkClassifier(k=20, hidden_layers=(1024,) * 5, random_state=0)
    with pytest.raises(MemoryError, match=r"needs about \d+\.\d GiB but only 2\.0 GiB"):
        clf.fit(X, X[:, 0])
    assert not hasattr(clf, "tables_")


def test_random_wiring_in_blocks_is_bit_identical_to_one_draw(monkeypatch):
    """The wiring keys are drawn a block of luts at a time: same stream, same order, the same wires as one
    ``rng.random((n_luts, n_prev))``, and the generator ends in the same state."""
    from lutlearn.core import training

    monkeypatch.setattr(training, "WIRING_BLOCK_BYTES", 8 * 37 * 3)  # blocks of 3 luts: 7 blocks for 20 luts
    assert training.wiring_block(37) == 3
    for n_luts, k in [(20, 5), (3, 37), (1, 1)]:
        got_rng, ref_rng = np.random.default_rng(11), np.random.default_rng(11)
        got = training.random_wiring(got_rng, n_luts, 37, k)
        ref = np.empty((n_luts, k), np.int32)
        kernels.smallest_k(ref_rng.random((n_luts, 37)), k, ref)
        np.testing.assert_array_equal(got, ref)
        assert got_rng.random() == ref_rng.random()


def test_memory_estimate_counts_every_layer_and_the_wiring_keys(monkeypatch):
    """Every layer's Python objects and the wiring keys are counted: 100000 one-lut layers are refused before
    anything is built when they do not fit; 10**7 layers are refused at once."""
    import time

    import lutlearn.core._validation as validation
    from lutlearn.core import training

    monkeypatch.setattr(validation, "available_memory", lambda: 150 * 2**20)
    monkeypatch.setattr(training, "train", lambda *a, **k: pytest.fail("trained"))
    X = np.zeros((10, 8), np.uint8)
    X[5:, 0] = 1
    with pytest.raises(MemoryError, match=r"needs about 0\.\d GiB but only 0\.1 GiB"):
        LutNetworkClassifier(k=1, hidden_layers=(1,) * 100_000).fit(X, X[:, 0])
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match="hidden_layers has 10000000 layers; at most 100000"):
        LutNetworkClassifier(k=1, hidden_layers=(1,) * 10_000_000).fit(X, X[:, 0])
    assert time.perf_counter() - t0 < 2
    wide = training.Architecture.from_params({"k": 2, "hidden_layers": (20000, 20000)}, 8)
    assert wide.memory_bytes(10, 1) >= training.WIRING_BLOCK_BYTES


def test_memory_estimate_covers_the_measured_peak_of_a_wide_fit():
    """The peak of the arrays a fit allocates (traced; two hidden layers of 4000 luts on 200 examples) is within
    the estimate (drawing a layer's wiring keys at once took 128 MB)."""
    import tracemalloc

    from lutlearn.core.training import Architecture

    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, (200, 16), dtype=np.uint8)
    clf = LutNetworkClassifier(k=2, hidden_layers=(4000, 4000), random_state=0, n_jobs=1)
    tracemalloc.start()
    try:
        clf.fit(X, X[:, 0])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    estimate = Architecture.from_params(clf.get_params(), 16).memory_bytes(200, 1)
    assert 10 * 2**20 < peak <= estimate, (peak, estimate)


def test_workspace_sizes_agree_with_buffers():
    for n_luts, n, k, c, t in [(1024, 60000, 8, 2, 2), (3, 100, 17, 3, 4), (1, 10, 20, 2, 1)]:
        work, hist = _workspace.fit_buffers(n_luts, n, k, c, t)
        assert work.nbytes + hist.nbytes == _workspace.fit_buffer_bytes(n_luts, n, k, c, t)
        assert np.iinfo(work.dtype).max >= (1 << k) - 1
    assert [_workspace.pattern_dtype(k) for k in (1, 8, 9, 16, 17, 24)] == [
        np.uint8, np.uint8, np.uint16, np.uint16, np.uint32, np.uint32]


def test_benchmark_quick_runs_end_to_end(tmp_path):
    """``bench_fit_predict.py --quick`` runs every measurement and its JSON renders the table it printed."""
    out = tmp_path / "bench.json"
    script = REPO / "benchmarks" / "bench_fit_predict.py"
    proc = subprocess.run([sys.executable, str(script), "--quick", "--ks", "6", "-o", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    kinds = [r["kind"] for r in doc["results"]]
    assert kinds.count("lut") == 1 and {"forest", "knn", "sweep", "startup"} <= set(kinds)
    lut = next(r for r in doc["results"] if r["kind"] == "lut")
    assert lut["k"] == 6 and len(lut["fit_runs_s"]) == doc["config"]["repeats"]
    assert lut["fit_s"] == statistics.median(lut["fit_runs_s"])
    assert lut["peak_rss_mb"] >= lut["rss_before_fit_mb"] > 10
    assert 0.5 < lut["test_accuracy"] <= 1
    demo = next(r for r in doc["results"] if r["kind"] == "startup" and "wall_s" in r)
    assert demo["wall_s"] > 0 and demo["cache"] == "warm"
    sweep = next(r for r in doc["results"] if r["kind"] == "sweep")
    assert [(r["k"], r["labels"]) for r in sweep["rows"]] == [(2, "real"), (2, "random"), (4, "real"), (4, "random")]
    table = subprocess.run([sys.executable, str(script), "--render", str(out)], capture_output=True, text=True)
    assert table.returncode == 0
    assert table.stdout.strip() in proc.stdout
    assert "| lutlearn k=6 |" in table.stdout and "| random forest (10 trees) |" in table.stdout


def test_binary_mnist_model_matches_the_simple_path(binary_mnist):
    """The paper's network on real data: every table, accuracy and test prediction as the simple path gives."""
    t = binary_mnist
    clf = LutNetworkClassifier(k=8, hidden_layers=(1024,) * 5, random_state=0).fit(t.X_train, t.y_train)
    tables, accs, counts = _simple_fit(clf, t.X_train, t.y_train)
    for got, want in zip(clf.tables_, tables):
        np.testing.assert_array_equal(got, want)
    for got, want in zip(clf.lut_accuracy_, accs):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(clf.output_counts_, counts)
    values = clf.network_.layer_values(t.X_test)
    np.testing.assert_array_equal(clf.predict(t.X_test), clf.classes_[clf.tables_[-1][0][values[-1][0]]])


# ---------------------------------------------------------------- chosen support (wiring="greedy")
def _greedy_data(n=400, d=24, seed=0):
    """Labels: the parity of inputs 3 and ``d // 2 - 1``, with 5% noise; no single input says anything."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 2, (n, d)).astype(np.uint8)
    y = X[:, 3] ^ X[:, d // 2 - 1] ^ (rng.random(n) < 0.05)
    return X, y.astype(np.uint8)


@pytest.mark.parametrize("k, n_candidates", [(1, None), (3, None), (4, 5), (5, 2)])
def test_greedy_wires_kernel_matches_reference(k, n_candidates):
    rng = np.random.default_rng(k)
    X, y = _greedy_data(150, 10, k)
    A = np.ascontiguousarray(X.T)
    fold = rng.integers(0, 2, len(y)).astype(np.uint8)
    w = rng.integers(0, 3, len(y)).astype(np.int64)
    starts = np.array([rng.choice(10, k, replace=False) for _ in range(6)], np.int32)
    n_start = rng.integers(1, min(k, 3) + 1, 6).astype(np.int32)  # luts start from 1 to 3 inputs
    pools = np.argsort(rng.random((6, 10)), axis=1)[:, : n_candidates or 10].astype(np.int32)
    wires, scores = np.empty((6, k), np.int32), np.empty(6)
    kernels.greedy_wires(A, y, fold, w, starts, n_start, pools, wires, scores)
    want_wires, want_scores = _reference.greedy_wires(A, y, fold, w, [s[:m] for s, m in zip(starts, n_start)],
                                                      pools, k)
    np.testing.assert_array_equal(wires, want_wires)
    np.testing.assert_allclose(scores, want_scores, rtol=1e-12)
    single = np.empty(10)
    kernels.single_scores(A, y, fold, w, single)
    np.testing.assert_allclose(single, [_reference.cv_score(A[f], y, fold, w) for f in range(10)], rtol=1e-12)


def test_cv_score_counts_the_other_fold_only():
    # pattern 0: fold 0 has classes (1, 1), fold 1 has class 0 -> each side sees the other's counts
    q, y, fold, w = [0, 0, 0, 1], [1, 1, 0, 1], [0, 0, 1, 1], [1, 1, 1, 2]
    # examples 0, 1 (fold 0, class 1): other fold pattern 0 has (1 zero, 0 ones) -> log(1/3) each
    # example 2 (fold 1, class 0): fold 0 has (0 zeros, 2 ones) -> log(1/4)
    # example 3 (pattern 1, weight 2): the other fold never shows pattern 1 -> 2 * log(1/2)
    want = 2 * np.log(1 / 3) + np.log(1 / 4) + 2 * np.log(1 / 2)
    assert _reference.cv_score(q, y, fold, w) == pytest.approx(want)
    h = np.empty(8, np.int64)
    args = np.array(q, np.uint32), np.array(y, np.uint8), np.array(fold, np.uint8), np.array(w, np.int64), 2, h
    got = kernels._cv_score(*args, kernels._log_table(args[3]))
    assert got == pytest.approx(want)
    # the logarithms from the table or computed (a total weight over the table's limit): the same sum, bit for bit
    assert kernels._cv_score(*args, np.empty(0, np.float64)) == got
    assert len(kernels._log_table(np.array([kernels.LOG_TABLE_MAX, 1], np.int64))) == 0


def _reference_greedy_network(clf, X, y, n_candidates=None):
    """Every layer's greedy wiring rebuilt with the NumPy reference, from the documented draws."""
    from lutlearn.core import training

    A = np.ascontiguousarray(X.T.astype(np.uint8))
    fold = training.example_folds(A, clf.seed_)
    w = np.ones(len(y), np.int64)
    expected = []
    for layer, (wires, tables) in enumerate(zip(clf.wires_, clf.tables_), start=1):
        n_luts, k = wires.shape
        n_prev = A.shape[0]
        rng = np.random.default_rng([clf.seed_, layer])
        single = np.array([_reference.cv_score(A[f], y, fold, w) for f in range(n_prev)])
        ranking = np.lexsort((rng.random(n_prev), -single))
        pools = np.argsort(rng.random((n_luts, n_prev)), axis=1, kind="stable")[:, : n_candidates or n_prev]
        order4 = np.lexsort((w, y, training.example_hashes(A, clf.seed_)))
        subsets = [s for s in _reference.interaction_subsets(A, y, w, order4, training.INTERACTION_MARGIN)
                   if len(s) <= k][:n_luts] if k > 1 and layer == 1 else []  # the first hidden layer only
        starts = subsets + [[f] for f in ranking[np.arange(n_luts - len(subsets)) % n_prev]]
        want, _ = _reference.greedy_wires(A, y, fold, w, starts, pools, k)
        expected.append(want)
        A = _reference.predict_layer(A, wires, tables)
    return expected


@pytest.mark.parametrize("k, layers, n_candidates", [(2, (8,), None), (3, (6, 5), 7)])
def test_greedy_network_matches_the_reference_wiring(k, layers, n_candidates):
    X, y = _greedy_data(160, 12, k)
    clf = LutNetworkClassifier(k=k, hidden_layers=layers, wiring="greedy", wiring_candidates=n_candidates,
                               random_state=1).fit(X, y)
    for got, want in zip(clf.wires_, _reference_greedy_network(clf, X, y, n_candidates)):
        np.testing.assert_array_equal(got, want)
    # the tables are those the trainer learns for these wires (the random path's reference)
    tables, accs, counts = _simple_fit(clf, X, y)
    for got, want in zip(clf.tables_, tables):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(clf.output_counts_, counts)
    np.testing.assert_array_equal(clf.predict(X), _simple_predict(clf, X))


def test_greedy_wiring_finds_the_hidden_inputs_random_wiring_misses():
    X, y = _greedy_data(2000, 40, 3)
    Xt, yt = X[1000:], y[1000:]
    X, y = X[:1000], y[:1000]
    params = dict(k=4, hidden_layers=(40,), random_state=0)  # as many luts as inputs: each starts from one
    random = LutNetworkClassifier(**params).fit(X, y)
    greedy = LutNetworkClassifier(**params, wiring="greedy").fit(X, y)
    assert random.score(Xt, yt) < 0.7 < 0.9 < greedy.score(Xt, yt)
    assert greedy.wires_[0][0, :2].tolist() == [3, 19]  # the parity's pair is found first
    firsts = greedy.wires_[0][1:, 0].tolist()  # the others start from distinct inputs
    assert len(set(firsts)) == 39


def _parity_data(n, d, hidden, seed):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 2, (n, d)).astype(np.uint8)
    return X, np.bitwise_xor.reduce(X[:, hidden], axis=1).astype(np.uint8)


@pytest.mark.parametrize("hidden", [(7, 42, 88), (3, 30, 61, 97)])
def test_greedy_wiring_finds_a_planted_parity_of_three_or_four(hidden):
    # every subset of the hidden inputs is independent of the label: one input at a time sees nothing
    X, y = _parity_data(3000, 100, list(hidden), len(hidden))
    params = dict(k=4, hidden_layers=(6,), wiring="greedy", random_state=0)
    a = LutNetworkClassifier(**params, n_jobs=1).fit(X[:2000], y[:2000])
    assert a.wires_[0][0, : len(hidden)].tolist() == list(hidden)
    assert a.score(X[2000:], y[2000:]) == 1.0
    perm = np.random.default_rng(1).permutation(2000)
    b = LutNetworkClassifier(**params, n_jobs=2).fit(X[perm], y[perm])  # same wiring: threads, row order
    for wa, wb in zip(a.wires_, b.wires_):
        np.testing.assert_array_equal(wa, wb)


def test_interaction_subsets_weights_count_as_repeated_examples():
    from lutlearn.core import training

    X, y = _parity_data(600, 12, [2, 5, 9], 0)
    y[:40] ^= 1  # some noise
    A = np.ascontiguousarray(X.T)
    w = np.random.default_rng(0).integers(0, 3, 600)
    got = training.interaction_subsets(A, y, w, 0)
    want = training.interaction_subsets(np.repeat(A, w, axis=1), np.repeat(y, w), None, 0)
    assert got == want and got[0] == (2, 5, 9)
    assert training.interaction_subsets(A, y, np.zeros(600, np.int64), 0) == []
    assert training.interaction_subsets(A, X[:, 4].copy(), None, 0) == []  # a single input: no interaction


def test_greedy_network_does_not_depend_on_threads_or_row_order():
    X, y = _greedy_data(700, 20, 4)
    perm = np.random.default_rng(0).permutation(len(y))
    params = dict(k=4, hidden_layers=(12, 6), wiring="greedy", random_state=3)
    a = LutNetworkClassifier(**params, n_jobs=1).fit(X, y)
    b = LutNetworkClassifier(**params, n_jobs=2).fit(X[perm], y[perm])
    for wa, wb, ta, tb in zip(a.wires_, b.wires_, a.tables_, b.tables_):
        np.testing.assert_array_equal(wa, wb)
        np.testing.assert_array_equal(ta, tb)
    np.testing.assert_array_equal(a.output_counts_, b.output_counts_)
    c = LutNetworkClassifier(**{**params, "random_state": 4}).fit(X, y)
    assert any((wa != wc).any() for wa, wc in zip(a.wires_, c.wires_))  # the seed matters


def test_random_wiring_is_the_default_and_unchanged():
    X, y = _greedy_data(300, 16, 5)
    a = LutNetworkClassifier(k=3, hidden_layers=(10,), random_state=7).fit(X, y)
    b = LutNetworkClassifier(k=3, hidden_layers=(10,), random_state=7, wiring="random").fit(X, y)
    from lutlearn.core import training

    wires, _ = training.draw(training.Architecture((16, 10, 1), (3, 3), 2, False), a.seed_)
    for wa, wb, wd in zip(a.wires_, b.wires_, wires):
        np.testing.assert_array_equal(wa, wb)
        np.testing.assert_array_equal(wa, wd)


def test_greedy_wiring_errors():
    from sklearn.utils._param_validation import InvalidParameterError

    X, y = _greedy_data(100, 8)
    with pytest.raises(InvalidParameterError, match="wiring"):
        LutNetworkClassifier(k=2, hidden_layers=(), wiring="best").fit(X, y)
    with pytest.raises(ValueError, match="greedy.*two-class.*3 classes"):
        LutNetworkClassifier(k=2, hidden_layers=(4,), wiring="greedy").fit(X, y + X[:, 0])
    with pytest.raises(ValueError, match="greedy.*n_output_luts=4"):
        LutNetworkClassifier(k=2, hidden_layers=(4,), n_output_luts=4, wiring="greedy").fit(X, y)
    da = pytest.importorskip("dask.array")
    with pytest.raises(ValueError, match="greedy.*in memory"):
        LutNetworkClassifier(k=2, hidden_layers=(4,), wiring="greedy").fit(da.from_array(X), da.from_array(y))
