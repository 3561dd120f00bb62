"""The loaders and tasks on the canonical MNIST and CIFAR-10 files in ../shared/data (skipped when absent)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from lutlearn import datasets
from lutlearn.datasets import DataFileError, _loaders, get_data_home, get_task, load_cifar10, load_mnist
from lutlearn.datasets._tasks import CLASS_COUNTS


@pytest.fixture(scope="module")
def mnist(mnist_home):
    return load_mnist(mnist_home, download=False)


def test_data_home_resolution(monkeypatch, tmp_path):
    assert get_data_home(tmp_path) == tmp_path
    monkeypatch.setenv("LUTLEARN_DATA", str(tmp_path / "env"))
    assert get_data_home() == tmp_path / "env"
    monkeypatch.delenv("LUTLEARN_DATA")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert get_data_home() == tmp_path / "cache" / "lutlearn"


def test_load_mnist_shapes_and_class_counts(mnist):
    Xtr, ytr, Xte, yte = mnist
    assert Xtr.shape == (60000, 784) and Xte.shape == (10000, 784)
    assert all(a.dtype == np.uint8 for a in mnist)
    assert np.bincount(ytr).tolist() == CLASS_COUNTS["mnist"][0]
    assert np.bincount(yte).tolist() == CLASS_COUNTS["mnist"][1]
    assert Xtr.max() == 255 and Xtr.min() == 0


def test_load_cifar10_binary_version(cifar10_home):
    Xtr, ytr, Xte, yte = load_cifar10(cifar10_home, download=False)
    assert Xtr.shape == (50000, 3072) and Xte.shape == (10000, 3072) and Xtr.dtype == np.uint8
    assert np.bincount(ytr).tolist() == CLASS_COUNTS["cifar10"][0]
    assert np.bincount(yte).tolist() == CLASS_COUNTS["cifar10"][1]
    raw = np.fromfile(cifar10_home / "cifar10" / "data_batch_2.bin", dtype=np.uint8, count=2 * 3073)
    np.testing.assert_array_equal(Xtr[10000], raw[1:3073])  # channel-major rows as in the file
    assert ytr[10001] == raw[3073]
    meta = (cifar10_home / "cifar10" / "batches.meta.txt").read_text().split()
    assert meta == datasets.CIFAR10_CLASSES


def _copy_mnist(mnist_home, tmp_path):
    folder = tmp_path / "mnist"
    shutil.copytree(mnist_home / "mnist", folder)
    for p in folder.iterdir():
        p.chmod(0o644)
    return folder


def test_corrupted_and_truncated_mnist_files_are_rejected_by_name(mnist_home, tmp_path):
    folder = _copy_mnist(mnist_home, tmp_path)
    path = folder / "t10k-images-idx3-ubyte.gz"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(DataFileError, match=r"t10k-images-idx3-ubyte.gz: SHA-256 .* does not match"):
        load_mnist(tmp_path, download=False)
    path.write_bytes(bytes(data[:-100]))
    with pytest.raises(
        DataFileError, match=r"t10k-images-idx3-ubyte.gz: 1648777 bytes, expected 1648877 \(truncated\)"
    ):
        load_mnist(tmp_path, download=False)
    path.unlink()
    with pytest.raises(FileNotFoundError, match=r"Put t10k-images-idx3-ubyte.gz \(from .*\) in .*mnist"):
        load_mnist(tmp_path, download=False)


def test_swapped_mnist_files_are_rejected(mnist_home, tmp_path):
    folder = _copy_mnist(mnist_home, tmp_path)
    train, test = folder / "train-labels-idx1-ubyte.gz", folder / "t10k-labels-idx1-ubyte.gz"
    a, b = train.read_bytes(), test.read_bytes()
    train.write_bytes(b)
    test.write_bytes(a)
    with pytest.raises(DataFileError, match="train-labels-idx1-ubyte.gz: 4542 bytes, expected 28881"):
        load_mnist(tmp_path, download=False)


def test_binary_mnist_task_is_the_quantized_data(binary_mnist, mnist):
    Xtr, ytr, Xte, yte = mnist
    assert binary_mnist.name == "binary-mnist"
    np.testing.assert_array_equal(binary_mnist.X_test, Xte > 127)
    np.testing.assert_array_equal(binary_mnist.y_train, ytr >= 5)
    assert binary_mnist.X_train.shape == (60000, 784)


def test_pairwise_mnist_sizes_match_the_registry(mnist, monkeypatch):
    monkeypatch.setattr(_loaders, "load_mnist", lambda *args, **kwargs: mnist)  # reuse the loaded arrays
    for name in ("pairwise-mnist:0-1", "pairwise-mnist:4-9", "pairwise-mnist:8-5"):
        task = get_task(name)
        assert datasets.task_size(name) == (len(task.y_train), len(task.y_test), task.X_train.shape[1])
        assert 0.4 < task.y_train.mean() < 0.6
