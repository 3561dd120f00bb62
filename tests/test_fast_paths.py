"""The fast kernels give exactly what the simple kernels and the NumPy reference give.

The simple path (``kernels.fit_layer``, ``kernels.predict_layer``) and
``lutlearn._reference`` are the oracles; every fast kernel is compared with
them table for table and bit for bit, over the lut sizes that switch pattern
types (uint8 up to k = 8, uint16 up to 16, uint32 above), lut sizes that are
not multiples of the four wires per pass, tie-heavy data, several classes and
several parallel grains.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lutlearn import LutNetworkClassifier, _reference, _workspace, kernels
from lutlearn.network import output_cone, random_wiring

REPO = Path(__file__).resolve().parents[1]


def _layer_data(seed: int, n_prev: int, n: int, n_classes: int, skew: float = 0.5):
    """Feature-major bits and labels ordered by class, with the class bounds."""
    rng = np.random.default_rng(seed)
    y = np.sort(rng.integers(0, n_classes, n)).astype(np.uint8)
    A = (rng.random((n_prev, n)) < skew).astype(np.uint8)
    # make a few features track the class, so that counts are far from uniform
    A[: n_prev // 4] ^= (y % 2).astype(np.uint8) & (rng.random((n_prev // 4, n)) < 0.8)
    bounds = np.searchsorted(y, np.arange(n_classes + 1)).astype(np.int64)
    return A, y, bounds


def _fit_fast(A, bounds, wires, seed, layer, n_blocks, copies, needed=None):
    n_luts, k = wires.shape
    n_classes = len(bounds) - 1
    n = A.shape[1]
    tables = np.full((n_luts, 1 << k), 99, np.uint8)
    out = np.full((n_luts, n), 7, np.uint8)
    correct = np.full(n_luts, -1, np.int64)
    work = np.empty((n_blocks, n), _workspace.pattern_dtype(k))
    hist = np.empty((n_blocks, copies * n_classes << k), np.int32)
    if needed is None:
        needed = np.ones(n_luts, np.uint8)
    kernels.fit_layer_fast(A, bounds, wires, seed, layer, tables, out, correct, work, hist, needed)
    return tables, out, correct, hist


@pytest.mark.parametrize(
    "k, n_classes, n, n_blocks, copies",
    [
        (1, 2, 50, 1, 1),
        (2, 2, 301, 2, 4),
        (3, 3, 200, 3, 1),
        (4, 2, 1000, 5, 4),
        (5, 2, 64, 2, 1),  # many unseen patterns: ties everywhere
        (7, 3, 513, 4, 4),
        (8, 2, 2000, 3, 4),
        (8, 2, 2000, 7, 1),
        (9, 2, 700, 2, 1),
        (12, 3, 900, 3, 1),
        (16, 2, 300, 2, 1),
    ],
)
def test_fit_layer_fast_matches_simple_and_reference(k, n_classes, n, n_blocks, copies):
    A, y, bounds = _layer_data(k * 7 + n_classes, 24, n, n_classes)
    wires = random_wiring(np.random.default_rng(k), 7, 24, k)
    seed, layer = 123456789 + k, 3
    tables, out, correct, hist = _fit_fast(A, bounds, wires, seed, layer, n_blocks, copies)

    s_tables = np.empty_like(tables)
    s_out = np.empty_like(out)
    s_correct = np.empty_like(correct)
    kernels.fit_layer(A, y, wires, n_classes, seed, layer, s_tables, s_out, s_correct)
    np.testing.assert_array_equal(tables, s_tables)
    np.testing.assert_array_equal(out, s_out)
    np.testing.assert_array_equal(correct, s_correct)

    if k <= 12:  # the pure-Python oracle walks every pattern
        r_tables, r_out, r_correct = _reference.fit_layer(A, y, wires, n_classes, seed, layer)
        np.testing.assert_array_equal(tables, r_tables)
        np.testing.assert_array_equal(out, r_out)
        np.testing.assert_array_equal(correct, r_correct)

    # the last lut of every block leaves its class-major counts in hist
    for b in range(n_blocks):
        j = (b + 1) * len(wires) // n_blocks - 1
        counts = hist[b, : n_classes << k].reshape(n_classes, 1 << k).T
        np.testing.assert_array_equal(counts, _reference.count_patterns(A, y, wires[j], n_classes))


def test_fit_layer_fast_ties_follow_the_hash():
    """All-zero inputs: every pattern but 0 is unseen and pattern 0 is an exact tie."""
    n = 40
    A = np.zeros((6, n), np.uint8)
    bounds = np.array([0, n // 2, n], np.int64)
    y = np.repeat(np.arange(2, dtype=np.uint8), n // 2)
    wires = random_wiring(np.random.default_rng(0), 50, 6, 4)
    tables, _, correct, _ = _fit_fast(A, bounds, wires, 5, 1, 2, 1)
    r_tables, _, r_correct = _reference.fit_layer(A, y, wires, 2, 5, 1)
    np.testing.assert_array_equal(tables, r_tables)
    np.testing.assert_array_equal(correct, r_correct)
    assert 0 < tables.mean() < 1  # both classes are drawn somewhere


def test_fit_layer_fast_writes_only_needed_outputs():
    A, y, bounds = _layer_data(1, 16, 300, 2)
    wires = random_wiring(np.random.default_rng(1), 9, 16, 5)
    needed = np.zeros(9, np.uint8)
    needed[[0, 4, 8]] = 1
    tables, out, _, _ = _fit_fast(A, bounds, wires, 1, 2, 3, 4, needed)
    full_tables, full_out, _, _ = _fit_fast(A, bounds, wires, 1, 2, 3, 4)
    np.testing.assert_array_equal(tables, full_tables)
    np.testing.assert_array_equal(out[needed == 1], full_out[needed == 1])
    assert (out[needed == 0] == 7).all()


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
    """Train ``clf``'s own wiring layer by layer with the simple kernels, examples in the user's order."""
    _, y_enc = np.unique(y, return_inverse=True)
    y_enc = y_enc.astype(np.uint8)
    A = np.ascontiguousarray(X.T.astype(np.uint8))
    tables, accs = [], [(A == y_enc).mean(axis=1)]
    for layer, wires in enumerate(clf.wires_, start=1):
        t = np.empty((len(wires), clf.tables_[layer - 1].shape[1]), np.uint8)
        out = np.empty((len(wires), len(y)), np.uint8)
        correct = np.empty(len(wires), np.int64)
        kernels.fit_layer(A, y_enc, wires, 2, clf.seed_, layer, t, out, correct)
        if layer == len(clf.wires_):
            counts = kernels.count_patterns(A, y_enc, wires[0], 2)
        tables.append(t)
        accs.append(correct / len(y))
        A = out
    return tables, accs, counts


def _simple_predict(clf: LutNetworkClassifier, X: np.ndarray) -> np.ndarray:
    """Every lut of every layer, with the NumPy reference: no pruning, no chunks."""
    A = np.ascontiguousarray(X.T.astype(np.uint8))
    for wires, tables in zip(clf.wires_, clf.tables_):
        A = _reference.predict_layer(A, wires, tables)
    return clf.classes_[A[0]]


@pytest.mark.parametrize(
    "k, layers, output_k, n",
    [(8, (64, 64, 64), None, 1500), (3, (40, 9), 7, 600), (10, (32,), 4, 1000), (1, (5, 5), 2, 257), (17, (20,), 3, 300)],
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

    # predict: fast depth-first kernel == pruned simple layers == unpruned reference
    np.testing.assert_array_equal(clf.predict(X_test), _simple_predict(clf, X_test))
    A = clf._last_hidden(X_test)
    last = np.empty((1, len(X_test)), np.uint8)
    kernels.predict_layer(A, clf._cone[-1][0], clf._cone[-1][1], last)
    np.testing.assert_array_equal(clf.predict(X_test), clf.classes_[last[0]])
    idx = _reference.pattern_index(A, clf._cone[-1][0][0])
    np.testing.assert_array_equal(clf._output_patterns(X_test), idx)


def test_prediction_chunks_and_threads():
    """Example counts around the chunk size, one and two threads: same predictions."""
    rng = np.random.default_rng(9)
    X = rng.integers(0, 2, (2000, 40)).astype(np.uint8)
    y = X[:, 3] | X[:, 5]
    clf = LutNetworkClassifier(k=6, hidden_layers=(50, 50), random_state=1).fit(X, y)
    chunk = _workspace.PREDICT_CHUNK
    for m in (1, chunk - 1, chunk, chunk + 1, 3 * chunk + 5):
        want = _simple_predict(clf, X[:m])
        for n_jobs in (1, 2):
            np.testing.assert_array_equal(clf.set_params(n_jobs=n_jobs).predict(X[:m]), want)


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


def test_large_luts_predict_layer_by_layer_without_a_flat_copy():
    rng = np.random.default_rng(4)
    X = rng.integers(0, 2, (200, 20)).astype(np.uint8)
    small = LutNetworkClassifier(k=11, hidden_layers=(4,), output_k=3, random_state=0).fit(X, X[:, 0])
    large = LutNetworkClassifier(k=12, hidden_layers=(4,), output_k=3, random_state=0).fit(X, X[:, 0])
    assert small._cone_flat is not None and large._cone_flat is None
    np.testing.assert_array_equal(large.predict(X), _simple_predict(large, X))


def test_cone_flat_describes_the_cone():
    rng = np.random.default_rng(2)
    X = rng.integers(0, 2, (300, 25)).astype(np.uint8)
    clf = LutNetworkClassifier(k=3, hidden_layers=(12, 6), output_k=2, random_state=0).fit(X, X[:, 0])
    inputs, widths, ks, wire_off, wires, table_off, tables = clf._cone_flat
    cone_inputs, keep, remapped = output_cone(clf.wires_)
    np.testing.assert_array_equal(inputs, cone_inputs)
    np.testing.assert_array_equal(widths, [len(kp) for kp in keep])
    np.testing.assert_array_equal(ks, [3, 3, 2])
    for layer, (w, kp) in enumerate(zip(remapped, keep)):
        size = widths[layer] * ks[layer]
        np.testing.assert_array_equal(wires[wire_off[layer]:wire_off[layer] + size].reshape(w.shape), w)
        t = clf.tables_[layer][kp]
        np.testing.assert_array_equal(tables[table_off[layer]:table_off[layer] + t.size].reshape(t.shape), t)


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
    import lutlearn._validation as validation

    monkeypatch.setattr(validation, "available_memory", lambda: 2 * 2**30)
    X = np.zeros((10, 30), np.uint8)
    X[5:, 0] = 1
    clf = LutNetworkClassifier(k=20, hidden_layers=(1024,) * 5, random_state=0)
    with pytest.raises(MemoryError, match=r"needs about \d+\.\d GiB but only 2\.0 GiB"):
        clf.fit(X, X[:, 0])
    assert not hasattr(clf, "tables_")


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
    A = clf._last_hidden(t.X_test)
    last = np.empty((1, len(t.X_test)), np.uint8)
    kernels.predict_layer(A, clf._cone[-1][0], clf._cone[-1][1], last)
    np.testing.assert_array_equal(clf.predict(t.X_test), clf.classes_[last[0]])
