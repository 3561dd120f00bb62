"""The file parsers on generated files in the canonical formats, and on broken and malicious ones."""

from __future__ import annotations

import gzip
import pickle

import numpy as np
import pytest

from _datafiles import cifar10_bin_bytes, fake_cifar10_batches, py2_batch_pickle, write_idx_gz
from lutlearn.datasets._download import DataFileError
from lutlearn.datasets._readers import read_cifar10_bin, read_cifar10_python, read_idx_gz, read_mnist_pair


@pytest.fixture
def batch():
    return fake_cifar10_batches(n=12, seed=1)[0]


def test_cifar10_python_reads_python2_canonical_pickle(tmp_path, batch):
    X, y = batch
    path = tmp_path / "data_batch_1"
    path.write_bytes(py2_batch_pickle(X, y))
    X2, y2 = read_cifar10_python(path)
    assert X2.dtype == np.uint8 and X2.shape == (12, 3072)
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(y2, y)


def test_cifar10_python_reads_python3_bytes_keys(tmp_path, batch):
    X, y = batch
    path = tmp_path / "test_batch"
    path.write_bytes(pickle.dumps({b"data": X, b"labels": [int(v) for v in y], b"batch_label": b"t"}, protocol=4))
    X2, y2 = read_cifar10_python(path)
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(y2, y)


class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        import os

        return (os.system, (f"touch {self.marker}",))


def test_cifar10_python_refuses_malicious_pickle_without_running_it(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "data_batch_1"
    path.write_bytes(pickle.dumps({"data": _Evil(marker), "labels": []}, protocol=2))
    with pytest.raises(DataFileError, match=r"data_batch_1: refused.*(posix|os)\.system"):
        read_cifar10_python(path)
    assert not marker.exists()


def test_cifar10_python_refuses_eval_and_foreign_array_subtypes(tmp_path):
    path = tmp_path / "b"
    path.write_bytes(b"\x80\x02cbuiltins\neval\nU\x041+1\x85R.")
    with pytest.raises(DataFileError, match="builtins.eval"):
        read_cifar10_python(path)
    # _reconstruct is admitted, but only to build a plain ndarray
    path.write_bytes(b"\x80\x02cnumpy.core.multiarray\n_reconstruct\ncnumpy\ndtype\nK\x00\x85U\x01b\x87R.")
    with pytest.raises(DataFileError, match="subtype"):
        read_cifar10_python(path)


@pytest.mark.parametrize("content, message", [
    ({"data": np.zeros((2, 3072), np.float32), "labels": [0, 1]}, "float32 array"),
    ({"data": np.zeros((2, 100), np.uint8), "labels": [0, 1]}, r"shape \(2, 100\)"),
    ({"data": np.zeros((2, 3072), np.uint8), "labels": [0]}, "2 images but 1 labels"),
    ({"data": np.zeros((2, 3072), np.uint8), "labels": [0, 10]}, "label 10 out of range"),
    ({"labels": [0, 1]}, "'data' is a NoneType"),
    ([1, 2], "holds a list"),
])
def test_cifar10_python_rejects_wrong_structure(tmp_path, content, message):
    path = tmp_path / "data_batch_2"
    path.write_bytes(pickle.dumps(content, protocol=4))
    with pytest.raises(DataFileError, match=message):
        read_cifar10_python(path)


def test_cifar10_python_rejects_truncated_pickle(tmp_path, batch):
    path = tmp_path / "data_batch_3"
    path.write_bytes(py2_batch_pickle(*batch)[:5000])
    with pytest.raises(DataFileError, match="data_batch_3: not a valid CIFAR-10 python batch"):
        read_cifar10_python(path)


def test_cifar10_bin_reads_records_channel_major(tmp_path, batch):
    X, y = batch
    path = tmp_path / "data_batch_1.bin"
    path.write_bytes(cifar10_bin_bytes(X, y))
    X2, y2 = read_cifar10_bin(path)
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(y2, y)


def test_cifar10_bin_rejects_partial_records_and_bad_labels(tmp_path, batch):
    X, y = batch
    path = tmp_path / "data_batch_1.bin"
    path.write_bytes(cifar10_bin_bytes(X, y)[:-1])
    with pytest.raises(DataFileError, match="not a whole number of 3073-byte records"):
        read_cifar10_bin(path)
    y = y.copy()
    y[3] = 11
    path.write_bytes(cifar10_bin_bytes(X, y))
    with pytest.raises(DataFileError, match="label 11 out of range"):
        read_cifar10_bin(path)


def test_idx_roundtrip_and_pair(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (7, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, 7, dtype=np.uint8)
    ip = write_idx_gz(tmp_path / "i.gz", images, 2051)
    lp = write_idx_gz(tmp_path / "l.gz", labels, 2049)
    np.testing.assert_array_equal(read_idx_gz(ip, 2051), images)
    X, y = read_mnist_pair(ip, lp)
    np.testing.assert_array_equal(X, images.reshape(7, 784))
    np.testing.assert_array_equal(y, labels)
    write_idx_gz(lp, labels[:6], 2049)
    with pytest.raises(DataFileError, match="has 7 images but .* has 6 labels"):
        read_mnist_pair(ip, lp)


def test_idx_rejects_bad_magic_header_and_gzip(tmp_path):
    images = np.zeros((3, 28, 28), np.uint8)
    path = write_idx_gz(tmp_path / "x.gz", images, 2049 + 0x100)  # wrong magic, 1 + 3 dims
    with pytest.raises(DataFileError, match=r"x.gz: IDX magic number 2305, expected 2051"):
        read_idx_gz(path, 2051)
    good = write_idx_gz(tmp_path / "g.gz", images, 2051).read_bytes()
    with gzip.open(tmp_path / "short.gz", "wb") as fh:  # header promises more pixels than there are
        fh.write(gzip.decompress(good)[:-10])
    with pytest.raises(DataFileError, match="header says"):
        read_idx_gz(tmp_path / "short.gz", 2051)
    (tmp_path / "cut.gz").write_bytes(good[: len(good) // 2])
    with pytest.raises(DataFileError, match="cut.gz: not a valid gzip file"):
        read_idx_gz(tmp_path / "cut.gz", 2051)
    (tmp_path / "plain.gz").write_bytes(b"not gzip at all")
    with pytest.raises(DataFileError, match="plain.gz: not a valid gzip file"):
        read_idx_gz(tmp_path / "plain.gz", 2051)
    flipped = bytearray(good)
    flipped[-5] ^= 0xFF  # the CRC trailer
    (tmp_path / "crc.gz").write_bytes(bytes(flipped))
    with pytest.raises(DataFileError, match="crc.gz: not a valid gzip file"):
        read_idx_gz(tmp_path / "crc.gz", 2051)
