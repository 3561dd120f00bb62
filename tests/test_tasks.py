"""Task names, options, and the randomizations, on the bundled digits and on small synthetic data sets."""

from __future__ import annotations

import math

import numpy as np
import pytest

from _datafiles import fake_mnist
from lutlearn.datasets import (
    _loaders,
    _tasks,
    get_task,
    iter_pairwise_tasks,
    pairwise_task_names,
    parse_task_name,
    randomize_inputs,
    randomize_labels,
    stratified_subsample,
    task_size,
    to_grey,
)


@pytest.fixture
def fake_sources(monkeypatch):
    """Replace MNIST and CIFAR-10 by small random arrays; count the loads."""
    calls = []
    Xtr, ytr, Xte, yte = fake_mnist(n_train=400, n_test=100, seed=5)
    mnist = (Xtr.reshape(-1, 784), ytr, Xte.reshape(-1, 784), yte)
    rng = np.random.default_rng(6)
    cifar = (rng.integers(0, 256, (300, 3072), dtype=np.uint8), np.arange(300, dtype=np.uint8) % 10,
             rng.integers(0, 256, (50, 3072), dtype=np.uint8), np.arange(50, dtype=np.uint8) % 10)

    def loader(arrays, source):
        def load(data_home=None, download=True):
            calls.append(source)
            return arrays
        return load

    monkeypatch.setattr(_loaders, "load_mnist", loader(mnist, "mnist"))
    monkeypatch.setattr(_loaders, "load_cifar10", loader(cifar, "cifar10"))
    return {"mnist": mnist, "cifar10": cifar, "calls": calls}


def test_binary_digits_is_the_bundled_split_quantized_at_8():
    raw = _loaders.load_digits_raw()
    task = get_task("binary-digits")
    assert task.name == "binary-digits"
    np.testing.assert_array_equal(task.X_train, raw[0] > 8)
    np.testing.assert_array_equal(task.y_test, raw[3] >= 5)
    assert task.X_train.dtype == np.uint8 and task.y_train.dtype == np.int64
    assert task_size("binary-digits") == (len(task.y_train), len(task.y_test), task.X_train.shape[1])
    np.testing.assert_array_equal(get_task("binary-digits", threshold=3).X_train, raw[0] > 3)


def test_binary_and_pairwise_labels(fake_sources):
    Xtr, ytr, Xte, yte = fake_sources["mnist"]
    task = get_task("binary-mnist", threshold=100)
    assert task.name == "binary-mnist,threshold=100"
    np.testing.assert_array_equal(task.X_train, Xtr > 100)
    np.testing.assert_array_equal(task.y_train, ytr >= 5)
    pair = get_task("pairwise-mnist:7-2")
    rows = np.isin(ytr, (7, 2))
    np.testing.assert_array_equal(pair.X_train, Xtr[rows] > 127)
    np.testing.assert_array_equal(pair.y_train, ytr[rows] == 2)  # I -> 0, J -> 1
    np.testing.assert_array_equal(pair.y_test, yte[np.isin(yte, (7, 2))] == 2)
    np.testing.assert_array_equal(pair.info["train_indices"], np.flatnonzero(rows))
    assert pair.info["classes"] == ["class 7", "class 2"]


def test_multiclass_tasks_keep_all_ten_labels(fake_sources):
    Xtr, ytr, Xte, yte = fake_sources["mnist"]
    task = get_task("multiclass-mnist,threshold=100")
    np.testing.assert_array_equal(task.X_train, Xtr > 100)
    np.testing.assert_array_equal(task.y_train, ytr)
    np.testing.assert_array_equal(task.y_test, yte)
    assert task.info["classes"] == [f"class {c}" for c in range(10)] and "10 classes" in task.description
    noisy = get_task("multiclass-mnist,randY=1,seed=4")
    assert noisy.name == "multiclass-mnist,randY=1,seed=4"
    assert set(np.unique(noisy.y_train)) == set(range(10))  # redrawn among all ten classes, not 0/1
    assert np.mean(noisy.y_train != ytr) > 0.8
    digits = get_task("multiclass-digits")
    assert len(np.unique(digits.y_train)) == 10
    np.testing.assert_array_equal(digits.X_test, get_task("binary-digits").X_test)
    assert task_size("multiclass-cifar10") == (50000, 10000, 3072)


def test_iter_pairwise_tasks_rejects_unknown_options_before_loading(fake_sources):
    with pytest.raises(TypeError, match="unknown task option.*random_label\\b"):
        next(iter_pairwise_tasks("mnist", random_label=1.0))
    assert fake_sources["calls"] == []


def test_iter_pairwise_tasks_yields_45_pairs_from_one_load(fake_sources):
    tasks = list(iter_pairwise_tasks("cifar10", random_labels=0.5, seed=2))
    assert [t.name for t in tasks] == [n + ",randY=0.5,seed=2" for n in pairwise_task_names("cifar10")]
    assert len(tasks) == 45 == len(set(pairwise_task_names("mnist")))
    assert fake_sources["calls"] == ["cifar10"]
    again = get_task("pairwise-cifar10:3-8,randY=0.5,seed=2")
    np.testing.assert_array_equal(tasks[pairwise_task_names("cifar10").index("pairwise-cifar10:3-8")].y_train,
                                  again.y_train)


def test_grey_levels(fake_sources):
    X = np.zeros((3, 3 * 4), np.uint8)
    X[0, :4] = 255  # pure red
    X[1, :] = 255  # white
    X[2, 4:8] = 200  # green 200
    grey = to_grey(X)
    assert grey.shape == (3, 4)
    np.testing.assert_array_equal(grey[:, 0], [76, 255, 117])  # round(0.299*255), 255, round(0.587*200)
    task = get_task("binary-cifar10", grey=True)
    assert task.name == "binary-cifar10,grey" and task.X_train.shape == (300, 1024)
    np.testing.assert_array_equal(task.X_test, to_grey(fake_sources["cifar10"][2]) > 127)
    with pytest.raises(ValueError, match="grey option is for CIFAR-10"):
        get_task("binary-mnist,grey")


def test_names_carry_options_and_round_trip(fake_sources):
    assert parse_task_name("binary-mnist,randY=1,seed=3") == ("binary-mnist", {"random_labels": 1.0, "seed": 3})
    a = get_task("binary-mnist", random_labels=0.25, random_inputs=0.5, n_train=200, seed=9)
    assert a.name == "binary-mnist,n=200,randY=0.25,randX=0.5,seed=9"
    b = get_task(a.name)
    for field in ("X_train", "y_train", "X_test", "y_test"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert get_task("binary-mnist", seed=4).name == "binary-mnist"  # a seed with nothing random is dropped


@pytest.mark.parametrize("name, kwargs, message", [
    ("binary-imagenet", {}, "unknown task 'binary-imagenet'"),
    ("pairwise-mnist:3-3", {}, "the two classes must differ"),
    ("pairwise-mnist:3-10", {}, "unknown task"),
    ("binary-mnist,flip=1", {}, "unknown option 'flip'"),
    ("binary-mnist,randY=x", {}, "bad value 'x' for option 'randY'"),
    ("binary-mnist,randY=0.5", {"random_labels": 0.2}, "given both in the name and as random_labels=0.2"),
    ("binary-mnist", {"random_inputs": 1.5}, r"random_inputs must be a fraction in \[0, 1\]"),
    ("binary-mnist", {"n_train": 0}, "n_train must be a positive number"),
    ("binary-digits", {"threshold": 127}, r"threshold 127 would make every input bit constant; its values are 0..16"),
    ("binary-mnist,threshold=255", {}, "threshold 255 would make every input bit constant"),
    ("binary-mnist,randY=1", {"seed": -1}, "seed must be a non-negative integer"),
])
def test_bad_names_and_options_are_clear_errors(fake_sources, name, kwargs, message):
    with pytest.raises(ValueError, match=message):
        get_task(name, **kwargs)
    assert fake_sources["calls"] == []  # nothing is loaded for a bad request


def test_random_labels_replace_exactly_a_fraction(fake_sources):
    clean = get_task("binary-mnist")
    task = get_task("binary-mnist", random_labels=0.3, seed=1)
    idx = task.info["labels_replaced"]
    assert len(idx) == round(0.3 * 400) and len(np.unique(idx)) == len(idx)
    keep = np.setdiff1d(np.arange(400), idx)
    np.testing.assert_array_equal(task.y_train[keep], clean.y_train[keep])
    np.testing.assert_array_equal(task.X_train, clean.X_train)
    np.testing.assert_array_equal(task.y_test, clean.y_test)
    full = get_task("binary-mnist", random_labels=1.0, seed=1)
    assert len(full.info["labels_replaced"]) == 400
    changed = (full.y_train != clean.y_train).mean()
    assert 0.4 < changed < 0.6  # uniform random labels agree with the true ones half the time
    other = get_task("binary-mnist", random_labels=1.0, seed=2)
    assert (other.y_train != full.y_train).any()
    np.testing.assert_array_equal(get_task("binary-mnist", random_labels=1.0, seed=1).y_train, full.y_train)


def test_permuted_labels_keep_the_class_counts(fake_sources):
    clean = get_task("binary-mnist")
    task = get_task("binary-mnist,permY=1,seed=1")
    assert task.name == "binary-mnist,permY=1,seed=1" and "400 labels permuted" in task.description
    np.testing.assert_array_equal(np.bincount(task.y_train), np.bincount(clean.y_train))
    assert 0.3 < (task.y_train != clean.y_train).mean() < 0.7
    np.testing.assert_array_equal(task.X_train, clean.X_train)
    np.testing.assert_array_equal(task.y_test, clean.y_test)
    np.testing.assert_array_equal(get_task("binary-mnist", permuted_labels=1.0, seed=1).y_train, task.y_train)
    assert (get_task("binary-mnist,permY=1,seed=2").y_train != task.y_train).any()
    part = get_task("binary-mnist,permY=0.25,seed=1")
    idx = part.info["labels_replaced"]
    assert len(idx) == 100
    keep = np.setdiff1d(np.arange(400), idx)
    np.testing.assert_array_equal(part.y_train[keep], clean.y_train[keep])
    # the other streams are unchanged by permY's
    a = get_task("binary-mnist,n=200,randX=0.5,seed=3")
    b = get_task("binary-mnist,n=200,randX=0.5,permY=1,seed=3")
    np.testing.assert_array_equal(a.X_train, b.X_train)
    with pytest.raises(ValueError, match="randY and permY"):
        get_task("binary-mnist,randY=1,permY=1")
    with pytest.raises(ValueError, match="permuted_labels must be a fraction"):
        get_task("binary-mnist,permY=2")


def test_randomize_labels_draws_uniformly_from_the_classes():
    y = np.zeros(20000, np.int64)
    y2, idx = randomize_labels(y, 1.0, 0, classes=[0, 1, 2, 3])
    np.testing.assert_array_equal(idx, np.arange(20000))
    counts = np.bincount(y2, minlength=4) / len(y2)
    np.testing.assert_allclose(counts, 0.25, atol=0.02)


def test_random_inputs_are_quantized_gaussian_noise_with_the_data_moments():
    rng = np.random.default_rng(0)
    n, d = 20000, 6
    mean, std = np.array([60, 100, 127, 150, 200, 127.0]), np.array([30, 50, 10, 40, 20, 0.0])
    X = np.clip(np.round(rng.normal(mean, std, (n, d))), 0, 255).astype(np.uint8)
    bits, idx = randomize_inputs(X, 0.5, 127, rng=3)
    assert len(idx) == n // 2
    keep = np.setdiff1d(np.arange(n), idx)
    np.testing.assert_array_equal(bits[keep], X[keep] > 127)
    m, v = X.mean(axis=0), X.var(axis=0)
    expected = [
        0.5 * math.erfc((127 - mu) / (s * math.sqrt(2))) if s else float(mu > 127) for mu, s in zip(m, np.sqrt(v))
    ]
    np.testing.assert_allclose(bits[idx].mean(axis=0), expected, atol=0.015)
    # the replaced rows are noise, not the data: row by row they disagree with the real bits
    assert (bits[idx] != (X[idx] > 127)).any(axis=1).mean() > 0.5


def test_feature_moments_match_numpy():
    X = np.random.default_rng(1).integers(0, 256, (1000, 7), dtype=np.uint8)
    mean, var = _tasks.feature_moments(X, chunk=128)
    np.testing.assert_allclose(mean, X.mean(axis=0))
    np.testing.assert_allclose(var, X.var(axis=0))


def test_stratified_subsample_keeps_proportions():
    y = np.repeat([0, 1, 2], [500, 300, 200])
    idx = stratified_subsample(y, 101, 7)
    assert len(idx) == 101 and len(np.unique(idx)) == 101 and (np.diff(idx) > 0).all()
    np.testing.assert_array_equal(np.bincount(y[idx]), [51, 30, 20])  # 50.5, 30.3, 20.2 by largest remainder
    np.testing.assert_array_equal(idx, stratified_subsample(y, 101, 7))
    assert not np.array_equal(idx, stratified_subsample(y, 101, 8))
    with pytest.raises(ValueError, match="cannot draw 1001 examples from 1000"):
        stratified_subsample(y, 1001, 0)


def test_subsample_then_randomize_streams_are_independent(fake_sources):
    a = get_task("binary-mnist", n_train=100, seed=5)
    b = get_task("binary-mnist", n_train=100, random_inputs=0.4, random_labels=0.2, seed=5)
    np.testing.assert_array_equal(a.info["train_indices"], b.info["train_indices"])
    c = get_task("binary-mnist", n_train=100, random_labels=0.2, seed=5)
    np.testing.assert_array_equal(b.y_train, c.y_train)  # adding randX leaves the random labels alone
    full = get_task("binary-mnist")
    assert (np.abs(np.bincount(a.y_train) - 100 * np.bincount(full.y_train) / 400) <= 1).all()
    np.testing.assert_array_equal(a.X_train, full.X_train[a.info["train_indices"]])
    assert task_size(a.name)[0] == 100
