"""Small data files in the exact canonical formats, written by the tests.

* :func:`write_idx_gz`: MNIST's gzip-compressed IDX files.
* :func:`write_cifar10_bin`: CIFAR-10 binary batches (label byte + 3072 pixels).
* :func:`py2_batch_pickle`: a CIFAR-10 python batch as Python 2's cPickle wrote
  it (protocol 2, ``str`` keys and data as BINSTRING, the numpy array reduced
  to ``numpy.core.multiarray._reconstruct`` / ``numpy.ndarray`` /
  ``numpy.dtype``), emitted opcode by opcode because Python 3 cannot write it.
* :func:`cifar10_tarball`: the official tarball layout.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import struct
import tarfile
from pathlib import Path

import numpy as np

from lutlearn.datasets._download import FileSpec


def spec_of(path: Path) -> FileSpec:
    """The size and digests of a file, as :data:`lutlearn.datasets.CHECKSUMS` would hold them."""
    data = Path(path).read_bytes()
    return FileSpec(len(data), hashlib.sha256(data).hexdigest(), hashlib.md5(data).hexdigest())


def write_idx_gz(path: Path, array: np.ndarray, magic: int) -> Path:
    """Write ``array`` (uint8) as a gzip-compressed IDX file with the given magic number."""
    header = struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in array.shape)
    with gzip.open(path, "wb") as fh:
        fh.write(header + np.ascontiguousarray(array, dtype=np.uint8).tobytes())
    return path


def fake_mnist(n_train: int = 50, n_test: int = 20, seed: int = 0):
    """Random MNIST-shaped arrays ``(X_train (n, 28, 28), y_train, X_test, y_test)``."""
    rng = np.random.default_rng(seed)
    return (rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8), rng.integers(0, 10, n_train, dtype=np.uint8),
            rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8), rng.integers(0, 10, n_test, dtype=np.uint8))


def write_fake_mnist(folder: Path, arrays) -> dict[str, Path]:
    """Write the four MNIST files for ``arrays`` into ``folder``; return their paths by file name."""
    folder.mkdir(parents=True, exist_ok=True)
    Xtr, ytr, Xte, yte = arrays
    files = {
        "train-images-idx3-ubyte.gz": (Xtr, 2051), "train-labels-idx1-ubyte.gz": (ytr, 2049),
        "t10k-images-idx3-ubyte.gz": (Xte, 2051), "t10k-labels-idx1-ubyte.gz": (yte, 2049),
    }
    return {name: write_idx_gz(folder / name, a, magic) for name, (a, magic) in files.items()}


def fake_cifar10_batches(n: int = 30, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Six random batches ``(X (n, 3072) uint8, y (n,) uint8)``: five training batches and the test batch."""
    rng = np.random.default_rng(seed)
    return [(rng.integers(0, 256, (n, 3072), dtype=np.uint8), rng.integers(0, 10, n, dtype=np.uint8))
            for _ in range(6)]


def cifar10_bin_bytes(X: np.ndarray, y: np.ndarray) -> bytes:
    """A binary-version batch: per record one label byte then 3072 pixel bytes."""
    return np.concatenate([y[:, None].astype(np.uint8), X], axis=1).tobytes()


def _binstring(b: bytes) -> bytes:
    return (b"U" + bytes([len(b)]) + b) if len(b) < 256 else (b"T" + struct.pack("<I", len(b)) + b)


def _int(v: int) -> bytes:
    if 0 <= v < 256:
        return b"K" + bytes([v])
    if 0 <= v < 65536:
        return b"M" + struct.pack("<H", v)
    return b"J" + struct.pack("<i", v)


def py2_batch_pickle(X: np.ndarray, y: np.ndarray, batch_label: str = "training batch 1 of 5") -> bytes:
    """The bytes Python 2's ``cPickle.dump(batch, f, 2)`` writes for a CIFAR-10 batch dict."""
    n = len(X)
    dtype = (b"cnumpy\ndtype\n" + _binstring(b"u1") + _int(0) + _int(1) + b"\x87R"
             + b"(" + _int(3) + _binstring(b"|") + b"NNN" + b"J\xff\xff\xff\xffJ\xff\xff\xff\xff" + _int(0)
             + b"tb")
    array = (b"cnumpy.core.multiarray\n_reconstruct\n" + b"cnumpy\nndarray\n" + _int(0) + b"\x85"
             + _binstring(b"b") + b"\x87R"
             + b"(" + _int(1) + _int(n) + _int(3072) + b"\x86" + dtype + b"\x89"
             + _binstring(np.ascontiguousarray(X, dtype=np.uint8).tobytes()) + b"tb")
    labels = b"](" + b"".join(_int(int(v)) for v in y) + b"e"
    filenames = b"](" + b"".join(_binstring(f"image_{i}.png".encode()) for i in range(n)) + b"e"
    return (b"\x80\x02}("
            + _binstring(b"data") + array
            + _binstring(b"labels") + labels
            + _binstring(b"batch_label") + _binstring(batch_label.encode())
            + _binstring(b"filenames") + filenames
            + b"u.")


BIN_NAMES = [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]
PY_NAMES = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
META_TXT = b"airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n"


def cifar10_files(batches, fmt: str) -> dict[str, bytes]:
    """File name -> contents of the CIFAR-10 ``fmt`` ("binary" or "python") version of ``batches``."""
    if fmt == "binary":
        files = {name: cifar10_bin_bytes(X, y) for name, (X, y) in zip(BIN_NAMES, batches)}
        files["batches.meta.txt"] = META_TXT
    else:
        files = {name: py2_batch_pickle(X, y) for name, (X, y) in zip(PY_NAMES, batches)}
        files["batches.meta"] = b"\x80\x02}q\x00."  # an empty dict; its content is not read
    return files


def cifar10_tarball(path: Path, batches, fmt: str) -> Path:
    """Write the official tarball of the ``fmt`` version holding ``batches``."""
    inner = "cifar-10-batches-bin" if fmt == "binary" else "cifar-10-batches-py"
    with tarfile.open(path, "w:gz") as tar:
        for name, data in cifar10_files(batches, fmt).items():
            info = tarfile.TarInfo(f"{inner}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path
