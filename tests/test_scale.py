"""Dask scale-out: the Dask fit/predict paths must give exactly the in-memory model and outputs.

One local cluster of two worker processes on 127.0.0.1 serves the whole
module (starting one takes a few seconds).
"""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

from _scripts import load_script

pytest.importorskip("dask.array", reason="needs the dask extra: pip install 'lutlearn[dask]'")
pytest.importorskip("distributed", reason="needs the dask extra: pip install 'lutlearn[dask]'")

import dask  # noqa: E402
import dask.array as da  # noqa: E402

from lutlearn import LutNetworkClassifier, load  # noqa: E402
from lutlearn.cli import main  # noqa: E402
from lutlearn.core.scale import (  # noqa: E402
    dask_client,
    fit_dask,
    read_chunked,
    read_npy_chunks,
    read_zarr,
    score_dask,
)


@pytest.fixture(scope="module")
def client():
    """A cluster of two single-threaded worker processes with small memory limits."""
    with dask_client("local:2", memory_limit="1GiB") as c:
        yield c


def _task(n: int, d: int, seed: int, labels=("no", "yes")):
    """Random bits with a noisy label that depends on a few of them."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 2, size=(n, d)).astype(np.uint8)
    signal = (X[:, 0] & X[:, 1]) ^ X[:, 2] ^ (rng.random(n) < 0.15)
    return X, np.asarray(labels)[signal.astype(int)]


def _assert_same_model(a: LutNetworkClassifier, b: LutNetworkClassifier) -> None:
    assert a.seed_ == b.seed_
    assert a.n_features_in_ == b.n_features_in_
    assert np.array_equal(a.classes_, b.classes_)
    assert len(a.wires_) == len(b.wires_) and len(a.tables_) == len(b.tables_)
    for wa, wb in zip(a.wires_, b.wires_):
        assert wa.dtype == wb.dtype and np.array_equal(wa, wb)
    for ta, tb in zip(a.tables_, b.tables_):
        assert ta.dtype == tb.dtype and np.array_equal(ta, tb)
    assert len(a.lut_accuracy_) == len(b.lut_accuracy_)
    for xa, xb in zip(a.lut_accuracy_, b.lut_accuracy_):
        assert xa.tobytes() == xb.tobytes()  # bit for bit, not approximately
    assert a.output_counts_.dtype == b.output_counts_.dtype
    assert np.array_equal(a.output_counts_, b.output_counts_)
    assert a.layer_report_ == b.layer_report_


# Widths that are not multiples of 8 exercise the bit packing; k=6 on a few
# hundred rows leaves many patterns unseen, so tie-breaking is exercised too.
ARCHS = [
    dict(k=4, hidden_layers=(64, 32), random_state=3),
    dict(k=6, hidden_layers=(37, 13), output_k=3, random_state=11),
    dict(k=3, hidden_layers=(), random_state=np.random.RandomState(5)),
]


@pytest.mark.parametrize("params", ARCHS, ids=["k4-64-32", "k6-37-13-out3", "output-only"])
def test_fit_on_cluster_is_bit_identical(client, params):
    X, y = _task(1203, 45, seed=1)
    ref = LutNetworkClassifier(**copy.deepcopy(params)).fit(X, y)
    # Uneven row chunks, and the features split in two chunks (rechunked inside).
    Xd = da.from_array(X, chunks=((400, 400, 300, 103), (30, 15)))
    got = LutNetworkClassifier(**copy.deepcopy(params)).fit(Xd, da.from_array(y, chunks=250))
    _assert_same_model(ref, got)
    assert np.array_equal(got.network_.cone().inputs, ref.network_.cone().inputs)
    np.testing.assert_array_equal(got.predict(X), ref.predict(X))


def test_ties_are_broken_like_in_memory(client):
    # 60 rows, k=8: almost all 256 patterns of every lut are unseen ties.
    X, y = _task(60, 20, seed=2)
    params = dict(k=8, hidden_layers=(16,), random_state=7)
    ref = LutNetworkClassifier(**params).fit(X, y)
    got = LutNetworkClassifier(**params).fit(da.from_array(X, chunks=(7, -1)), y)
    _assert_same_model(ref, got)
    # Both classes appear among the unseen patterns' entries: the hash really decides.
    assert 0 < ref.tables_[0].mean() < 1


def test_predict_and_proba_on_cluster_equal_in_memory(client):
    X, y = _task(900, 40, seed=3)
    Xt, yt = _task(777, 40, seed=4)
    clf = LutNetworkClassifier(k=5, hidden_layers=(48, 24), random_state=0).fit(X, y)
    Xtd = da.from_array(Xt, chunks=(100, -1))
    pred = clf.predict(Xtd)
    proba = clf.predict_proba(Xtd)
    assert isinstance(pred, da.Array) and isinstance(proba, da.Array)
    p, pp = dask.compute(pred, proba)
    assert p.dtype == clf.classes_.dtype
    assert np.array_equal(p, clf.predict(Xt))
    assert pp.shape == (777, 2) and pp.tobytes() == clf.predict_proba(Xt).tobytes()
    assert score_dask(clf, Xtd, yt) == pytest.approx(clf.score(Xt, yt), abs=1e-12)
    assert clf.score(Xtd, da.from_array(yt, chunks=100)) == clf.score(Xt, yt)  # sklearn's score gathers labels


def test_model_sent_once_not_per_chunk():
    X, y = _task(300, 30, seed=5)
    clf = LutNetworkClassifier(k=8, hidden_layers=(256,), random_state=0).fit(X, y)
    model_bytes = len(pickle.dumps(clf))
    assert model_bytes > 50_000  # 256 tables of 256 entries
    pred = clf.predict(da.from_array(X, chunks=(10, -1)))  # 30 chunks
    graph_bytes = len(pickle.dumps(dict(pred.__dask_graph__())))
    assert graph_bytes < 1.5 * model_bytes + 50_000


def test_threaded_scheduler_without_cluster():
    X, y = _task(500, 24, seed=6)
    params = dict(k=4, hidden_layers=(20, 10), random_state=2)
    ref = LutNetworkClassifier(**params).fit(X, y)
    with dask.config.set(scheduler="threads"):
        got = LutNetworkClassifier(**params).fit(da.from_array(X, chunks=(128, -1)), y)
        assert np.array_equal(got.predict(da.from_array(X, chunks=(64, -1))).compute(), ref.predict(X))
    _assert_same_model(ref, got)


def test_threaded_scheduler_is_safe_under_workqueue_layer(tmp_path):
    # numba's workqueue layer aborts the process when two threads launch parallel
    # kernels at once; Dask's threaded scheduler must not trigger that.
    import os
    import subprocess
    import sys

    script = tmp_path / "wq.py"
    script.write_text(
        "import numpy as np, dask, dask.array as da, numba\n"
        "from lutlearn import LutNetworkClassifier\n"
        "X = np.random.default_rng(0).integers(0, 2, (4000, 20)).astype(np.uint8); y = X[:, 0] ^ X[:, 1]\n"
        "with dask.config.set(scheduler='threads', num_workers=4):\n"
        "    c = LutNetworkClassifier(k=3, hidden_layers=(32,), random_state=0)"
        ".fit(da.from_array(X, chunks=(250, -1)), y)\n"
        "r = LutNetworkClassifier(k=3, hidden_layers=(32,), random_state=0).fit(X, y)\n"
        "print(numba.threading_layer(), all(np.array_equal(a, b) for a, b in zip(c.tables_, r.tables_)))\n"
    )
    env = {**os.environ, "NUMBA_THREADING_LAYER": "workqueue"}
    done = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["workqueue", "True"]


def test_refit_drops_feature_names():
    X, y = _task(200, 12, seed=7)
    clf = LutNetworkClassifier(k=3, hidden_layers=(8,), random_state=0).fit(X, y)
    clf.feature_names_in_ = np.array([f"b{i}" for i in range(12)], dtype=object)  # as if fit on a DataFrame
    with dask.config.set(scheduler="sync"):
        clf.fit(da.from_array(X, chunks=(50, -1)), y)
    assert not hasattr(clf, "feature_names_in_")


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda X, y: (X * 2, y), "only 0 and 1"),
        (lambda X, y: (X, np.zeros(len(y), int)), "only one class"),
        (
            lambda X, y: (np.vstack([X] * 3), np.arange(3 * len(y))),
            "300 classes; LutNetworkClassifier learns at most 255",
        ),
        (lambda X, y: (X, y[:-1]), "different numbers of rows"),
        (lambda X, y: (X[:, :2], y), "larger than the width"),
        (lambda X, y: (X[:, 0], y), "2-D"),
    ],
    ids=["non-binary", "one-class", "300-classes", "length", "too-narrow", "1-D"],
)
@pytest.mark.filterwarnings("ignore:The number of unique classes:UserWarning")  # the 300-class case
def test_bad_input_gives_clear_errors(make, match):
    X, y = _task(100, 10, seed=8)
    Xb, yb = make(X, y)
    with dask.config.set(scheduler="sync"), pytest.raises(ValueError, match=match):
        LutNetworkClassifier(k=4, hidden_layers=(8,), random_state=0).fit(
            da.from_array(Xb, chunks=30), yb
        )


def _assert_same_voting_model(a: LutNetworkClassifier, b: LutNetworkClassifier) -> None:
    _assert_same_model(a, b)
    assert len(a.dichotomies_) == len(b.dichotomies_)
    for da_, db_ in zip(a.dichotomies_, b.dichotomies_):
        assert da_.dtype == db_.dtype and np.array_equal(da_, db_)


@pytest.mark.parametrize(
    "params, n_classes",
    [
        (dict(k=3, hidden_layers=(16,), output_k=3, n_output_luts=4, random_state=0), 4),
        (dict(k=4, hidden_layers=(21, 9), output_k=5, n_output_luts=7, random_state=2), 5),
        (dict(k=3, hidden_layers=(), output_k=4, n_output_luts=6, random_state=1), 4),
        (dict(k=3, hidden_layers=(12,), output_k=3, n_output_luts=5, random_state=4), 2),
    ],
    ids=["4-classes", "5-classes-2-hidden", "no-hidden", "two-class-voting"],
)
def test_multiclass_fit_on_cluster_is_bit_identical(client, params, n_classes):
    X, _ = _task(611, 16, seed=17)
    y = (X[:, 0] + 2 * X[:, 1] + X[:, 2] * X[:, 3]) % n_classes
    ref = LutNetworkClassifier(**params).fit(X, y)
    got = LutNetworkClassifier(**params).fit(da.from_array(X, chunks=(200, -1)), da.from_array(y, chunks=150))
    _assert_same_voting_model(ref, got)
    assert ref.output_counts_.ndim == 3 and ref.output_counts_.dtype == np.int32
    assert np.array_equal(got.predict(X), ref.predict(X))
    assert got.predict_proba(X).tobytes() == ref.predict_proba(X).tobytes()


def test_multiclass_predicts_on_dask_arrays():
    X, _ = _task(400, 16, seed=17)
    y = X[:, 0] + X[:, 1] + X[:, 2]  # four classes
    Xd = da.from_array(X, chunks=100)
    with dask.config.set(scheduler="sync"):
        clf = LutNetworkClassifier(k=3, hidden_layers=(16,), output_k=3, n_output_luts=4, random_state=0)
        clf.fit(X, y)
        assert np.array_equal(clf.predict(Xd).compute(), clf.predict(X))
        assert clf.predict_proba(Xd).compute().tobytes() == clf.predict_proba(X).tobytes()


def test_predict_checks_feature_count():
    X, y = _task(100, 10, seed=9)
    clf = LutNetworkClassifier(k=3, hidden_layers=(8,), random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="expecting 10 features"):
        clf.predict(da.from_array(X[:, :9], chunks=50))


def test_fit_dask_rejects_non_dask():
    with pytest.raises(TypeError, match="dask.array.Array"):
        fit_dask(LutNetworkClassifier(), np.zeros((4, 4)), np.arange(4) % 2)


# ------------------------------------------------------------- chunked data


def _write_chunks(folder, X, y, sizes):
    folder.mkdir()
    start = 0
    for i, s in enumerate(sizes):
        table = np.column_stack([X[start : start + s], y[start : start + s]])
        np.save(folder / f"part-{i}.npy", table)
        start += s
    assert start == len(y)


def test_npy_chunks_are_read_in_natural_order(tmp_path):
    X, y = _task(330, 9, seed=10, labels=(0, 1))
    sizes = [30] * 11  # part-10 must come after part-9, not after part-1
    _write_chunks(tmp_path / "c", X, y, sizes)
    Xd, yd = read_chunked(tmp_path / "c")
    assert Xd.chunks[0] == tuple(sizes)
    assert np.array_equal(Xd.compute(), X) and np.array_equal(yd.compute(), y)
    Xf, yf = read_chunked(tmp_path / "c", label_column="first")
    assert np.array_equal(yf.compute(), X[:, 0])
    whole = read_npy_chunks(tmp_path / "c")
    assert whole.shape == (330, 10)


def test_npy_chunks_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_npy_chunks(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no .npy files"):
        read_npy_chunks(tmp_path / "empty")
    bad = tmp_path / "bad"
    bad.mkdir()
    np.save(bad / "a0.npy", np.zeros((3, 4), np.uint8))
    np.save(bad / "a1.npy", np.zeros((3, 5), np.uint8))
    with pytest.raises(ValueError, match="all chunks must agree"):
        read_npy_chunks(bad)
    obj = tmp_path / "obj"
    obj.mkdir()
    np.save(obj / "a.npy", np.array([[{"x": 1}]], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="pickled objects"):
        read_npy_chunks(obj)


def test_zarr_group_and_array(tmp_path):
    zarr = pytest.importorskip("zarr")
    X, y = _task(250, 11, seed=12, labels=(3, 8))
    g = zarr.open_group(str(tmp_path / "g.zarr"), mode="w")
    g.create_array("X", shape=X.shape, chunks=(64, 11), dtype=X.dtype)[:] = X
    g.create_array("y", shape=y.shape, chunks=(64,), dtype=y.dtype)[:] = y
    Xd, yd = read_chunked(tmp_path / "g.zarr")
    assert Xd.chunks[0] == (64, 64, 64, 58)
    assert np.array_equal(Xd.compute(), X) and np.array_equal(yd.compute(), y)
    table = np.column_stack([y, X])
    a = zarr.open_array(str(tmp_path / "a.zarr"), mode="w", shape=table.shape, chunks=(100, 12), dtype=table.dtype)
    a[:] = table
    Xa, ya = read_chunked(tmp_path / "a.zarr", label_column=0)
    assert np.array_equal(Xa.compute(), X) and np.array_equal(ya.compute(), y)
    with pytest.raises(FileNotFoundError):
        read_zarr(tmp_path / "none.zarr")


# ------------------------------------------------------------- command line


def test_cli_train_local_cluster_on_npy_chunks(tmp_path, capsys):
    X, y = _task(1500, 30, seed=13, labels=(0, 1))
    _write_chunks(tmp_path / "chunks", X, y, [500, 500, 333, 167])
    out = tmp_path / "m.npz"
    argv = ["train", str(tmp_path / "chunks"), "--dask", "local:2", "-k", "5",
            "--hidden-layers", "2x40", "--seed", "4", "-o", str(out)]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "trained on 1500 examples x 30 bits" in text and "2 workers" in text
    got = load(out)
    ref = LutNetworkClassifier(k=5, hidden_layers=(40, 40), random_state=4).fit(X, y)
    _assert_same_model(ref, got)
    assert f"training accuracy {ref.score(X, y):.4f}" in text


def test_cli_worker_error_on_a_local_cluster_is_one_line(tmp_path, capfd):
    """A task failing on a local worker: the CLI's one-line error, no worker log or traceback on stderr."""
    X, y = _task(200, 9, seed=15, labels=(0, 1))
    X[150, 0] = 5  # the second chunk is not binary: found by the worker that packs it
    _write_chunks(tmp_path / "chunks", X, y, [100, 100])
    argv = ["train", str(tmp_path / "chunks"), "--dask", "local:1", "-k", "2", "--hidden-layers", "1x4",
            "-o", str(tmp_path / "m.npz")]
    assert main(argv) == 1
    err = capfd.readouterr().err
    assert err.startswith("lutlearn train: error: X must hold only 0 and 1") and err.count("\n") == 1, err


def test_cli_train_on_scheduler_address_with_zarr_and_test_file(client, tmp_path, capsys):
    zarr = pytest.importorskip("zarr")
    X, y = _task(800, 20, seed=14, labels=(0, 1))
    Xt, yt = _task(300, 20, seed=15, labels=(0, 1))
    g = zarr.open_group(str(tmp_path / "d.zarr"), mode="w")
    g.create_array("X", shape=X.shape, chunks=(200, 20), dtype=X.dtype)[:] = X
    g.create_array("y", shape=y.shape, chunks=(200,), dtype=y.dtype)[:] = y
    np.savez(tmp_path / "test.npz", X=Xt, y=yt)
    out = tmp_path / "m.npz"
    argv = ["train", str(tmp_path / "d.zarr"), "--test", str(tmp_path / "test.npz"),
            "--dask", client.scheduler.address, "--chunk-rows", "64", "-k", "4",
            "--hidden-layers", "16", "--report", "-o", str(out)]
    assert main(argv) == 0
    text = capsys.readouterr().out
    ref = LutNetworkClassifier(k=4, hidden_layers=(16,), random_state=0).fit(X, y)
    _assert_same_model(ref, load(out))
    assert f"test accuracy {ref.score(Xt, yt):.4f} (300 examples)" in text
    assert "layer  count" in text


def test_cli_train_task_on_cluster(client, tmp_path, capsys):
    from lutlearn.datasets import get_task

    out = tmp_path / "m.npz"
    argv = ["train", "--task", "binary-digits", "--dask", client.scheduler.address, "--chunk-rows", "300",
            "-k", "6", "--hidden-layers", "2x64", "--seed", "1", "-o", str(out)]
    assert main(argv) == 0
    t = get_task("binary-digits")
    ref = LutNetworkClassifier(k=6, hidden_layers=(64, 64), random_state=1).fit(t.X_train, t.y_train)
    _assert_same_model(ref, load(out))
    text = capsys.readouterr().out
    assert f"test accuracy {ref.score(t.X_test, t.y_test):.4f} ({len(t.y_test)} examples)" in text


def test_cli_train_multiclass_task_on_cluster(client, tmp_path, capsys):
    from lutlearn.datasets import get_task

    out = tmp_path / "m.npz"
    argv = ["train", "--task", "multiclass-digits", "--dask", client.scheduler.address, "--chunk-rows", "400",
            "-k", "4", "--hidden-layers", "48", "--output-k", "5", "--n-output-luts", "16", "-o", str(out)]
    assert main(argv) == 0
    t = get_task("multiclass-digits")
    ref = LutNetworkClassifier(k=4, hidden_layers=(48,), output_k=5, n_output_luts=16, random_state=0)
    ref.fit(t.X_train, t.y_train)
    _assert_same_voting_model(ref, load(out))
    text = capsys.readouterr().out
    assert f"training accuracy {ref.score(t.X_train, t.y_train):.4f}" in text
    assert f"test accuracy {ref.score(t.X_test, t.y_test):.4f} ({len(t.y_test)} examples)" in text


def test_cli_train_boosted_task_on_cluster(client, tmp_path, capsys):
    """The boosted design grown on a cluster (one map-reduce per lut input) is the in-memory model, bit for bit."""
    from lutlearn.datasets import get_task

    out = tmp_path / "b.npz"
    argv = ["train", "--task", "multiclass-digits", "--dask", client.scheduler.address, "--chunk-rows", "300",
            "--wiring", "boosted", "--n-output-luts", "20", "--output-k", "3", "--output-bits", "2",
            "--wiring-candidates", "16", "--learning-rate", "0.5", "-o", str(out)]
    assert main(argv) == 0
    t = get_task("multiclass-digits")
    ref = LutNetworkClassifier(wiring="boosted", n_output_luts=20, output_k=3, output_bits=2, wiring_candidates=16,
                               learning_rate=0.5, random_state=0).fit(t.X_train, t.y_train)
    got = load(out)
    _assert_same_voting_model(ref, got)
    assert got.network_.head.proba_scale == ref.network_.head.proba_scale
    assert got.predict_proba(t.X_test).tobytes() == ref.predict_proba(t.X_test).tobytes()
    assert f"test accuracy {ref.score(t.X_test, t.y_test):.4f}" in capsys.readouterr().out


def test_cli_train_dask_leaves_the_warning_filters_alone(client, tmp_path, capsys):
    """``train --dask`` silences Dask's 'large graph' warning only while it works, not for the whole process."""
    import warnings

    X, y = _task(200, 10, seed=17, labels=(0, 1))
    np.savez(tmp_path / "d.npz", X=X, y=y)
    before = list(warnings.filters)
    argv = ["train", str(tmp_path / "d.npz"), "--dask", client.scheduler.address, "--chunk-rows", "64",
            "-k", "3", "--hidden-layers", "8", "-o", str(tmp_path / "m.npz")]
    assert main(argv) == 0
    assert warnings.filters == before
    assert "training accuracy" in capsys.readouterr().out


def test_cli_bad_dask_address(tmp_path, capsys):
    X, y = _task(50, 8, seed=16, labels=(0, 1))
    np.savez(tmp_path / "d.npz", X=X, y=y)
    rc = main(["train", str(tmp_path / "d.npz"), "--dask", "nonsense", "-o", str(tmp_path / "m.npz")])
    assert rc == 1
    assert "scheduler address" in capsys.readouterr().err


def test_benchmark_quick_form_runs_end_to_end(client, tmp_path):
    import json

    bench = load_script("benchmarks/bench_dask.py")
    out = tmp_path / "r.json"
    argv = ["--quick", "--rows", "3000", "--chunk-rows", "1000", "--data", str(tmp_path / "d"),
            "--scheduler", client.scheduler.address, "--out", str(out)]
    assert bench.main(argv) == 0
    result = json.loads(out.read_text())
    (run,) = result["runs"]
    assert run["workers"] == 2 and run["rows_per_second"] > 0
    assert len(run["worker_peak_rss_bytes"]) == 2 and min(run["worker_peak_rss_bytes"]) > 10**7
    assert sorted(p.name for p in (tmp_path / "d").glob("*.npy")) == [f"part-0000{i}.npy" for i in range(3)]
    # The data generator is deterministic, and the benchmark's model is the in-memory one.
    assert np.array_equal(np.load(tmp_path / "d" / "part-00001.npy"), bench.make_chunk(1, 1000, 256, 0))
    full = np.concatenate([np.load(p) for p in sorted((tmp_path / "d").glob("*.npy"))])
    ref = LutNetworkClassifier(k=8, hidden_layers=(64, 64), random_state=0).fit(full[:, :-1], full[:, -1])
    assert run["model_sha256"] == bench.model_digest(ref)
    assert run["training_accuracy"] == ref.score(full[:, :-1], full[:, -1])


@pytest.mark.parametrize(
    "params, n_classes",
    [
        (dict(k=4, hidden_layers=(37, 13), random_state=3), 2),
        (dict(k=3, hidden_layers=(16,), output_k=3, n_output_luts=4, random_state=0), 4),
    ],
    ids=["paper", "multiclass"],
)
@pytest.mark.parametrize("weights", ["integer", "fractional", "balanced"])
def test_weighted_fit_on_dask_is_bit_identical(params, n_classes, weights):
    X, _ = _task(611, 16, seed=21)
    y = (X[:, 0] + 2 * X[:, 1] + X[:, 2] * X[:, 3]) % n_classes
    rng = np.random.default_rng(0)
    w = {"integer": rng.integers(0, 4, 611), "fractional": rng.random(611) * 5, "balanced": None}[weights]
    params = dict(params, class_weight="balanced") if weights == "balanced" else params
    ref = LutNetworkClassifier(**params).fit(X, y, sample_weight=w)
    Xd = da.from_array(X, chunks=(200, -1))
    wd = None if w is None else da.from_array(w, chunks=150)  # rechunked like X's rows
    with dask.config.set(scheduler="sync"):
        got = LutNetworkClassifier(**params).fit(Xd, da.from_array(y, chunks=200), sample_weight=wd)
    _assert_same_voting_model(ref, got) if n_classes > 2 else _assert_same_model(ref, got)
    assert got.network_.head.weight_shift == ref.network_.head.weight_shift
    assert (ref.network_.head.weight_shift > 0) == (weights != "integer")
    unweighted = LutNetworkClassifier(**params).set_params(class_weight=None).fit(X, y)
    assert not np.array_equal(ref.tables_[0], unweighted.tables_[0])
    with dask.config.set(scheduler="sync"):
        np.testing.assert_array_equal(got.decision_function(Xd).compute(), ref.decision_function(X))
        np.testing.assert_array_equal(got.predict_log_proba(Xd).compute(), ref.predict_log_proba(X))


def test_weighted_fit_on_dask_checks_weights():
    X, y = _task(100, 8, seed=1)
    with dask.config.set(scheduler="sync"):
        for w, match in ((-np.ones(100), "non-negative"), (np.zeros(100), "all zero"), (np.ones(7), "rows")):
            with pytest.raises(ValueError, match=match):
                LutNetworkClassifier(k=3, hidden_layers=(8,), random_state=0).fit(
                    da.from_array(X, chunks=30), y, sample_weight=w)
