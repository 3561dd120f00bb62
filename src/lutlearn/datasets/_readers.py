"""Parsers of the canonical file formats, each checking what it reads.

* MNIST: gzip-compressed IDX files (magic 2051 for images, 2049 for labels);
  :func:`read_idx` and :func:`read_idx_pair` also read plain IDX files and
  images of any size (other MNIST-format data sets).
* CIFAR-10 binary version: records of 1 label byte + 3072 pixel bytes.
* CIFAR-10 python version: pickled dicts, read by :class:`RestrictedUnpickler`,
  which admits only the three numpy globals those files name, so a
  malicious file cannot run code.

Every error is a :class:`~lutlearn.datasets._download.DataFileError` naming the file.
"""

from __future__ import annotations

import gzip
import os
import pickle
import zlib
from pathlib import Path

import numpy as np

from lutlearn.datasets._download import DataFileError

IDX_IMAGES, IDX_LABELS = 2051, 2049
CIFAR10_RECORD = 1 + 3072
N_CLASSES = 10


def read_idx_gz(path: str | os.PathLike, magic: int) -> np.ndarray:
    """Read a gzip-compressed IDX file of unsigned bytes as a uint8 array of the dimensions its header gives.

    Parameters
    ----------
    path : path-like
        The ``.gz`` file.
    magic : int
        The expected magic number: 2051 (images, 3 dimensions) or 2049
        (labels, 1 dimension).
    """
    path = Path(path)
    try:
        with gzip.open(path, "rb") as fh:
            raw = fh.read()
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise DataFileError(f"{path}: not a valid gzip file ({exc}); truncated or corrupted") from None
    return _parse_idx(raw, magic, path)


def read_idx(path: str | os.PathLike, magic: int) -> np.ndarray:
    """:func:`read_idx_gz` for a gzip-compressed or a plain IDX file (told apart by the gzip magic bytes)."""
    path = Path(path)
    with open(path, "rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
    return read_idx_gz(path, magic) if gz else _parse_idx(path.read_bytes(), magic, path)


def _parse_idx(raw: bytes, magic: int, path: Path) -> np.ndarray:
    """The uint8 array of an IDX file's bytes, header checked (magic number, dimensions, payload size)."""
    ndim = magic & 0xFF
    if len(raw) < 4 * (1 + ndim):
        raise DataFileError(f"{path}: {len(raw)} bytes after decompression, too short for an IDX header")
    header = np.frombuffer(raw, dtype=">u4", count=1 + ndim)
    if int(header[0]) != magic:
        raise DataFileError(f"{path}: IDX magic number {int(header[0])}, expected {magic}")
    dims = tuple(int(d) for d in header[1:])
    payload = len(raw) - 4 * (1 + ndim)
    if payload != int(np.prod(dims)):
        raise DataFileError(f"{path}: header says {dims} = {int(np.prod(dims))} bytes of data, file has {payload}")
    return np.frombuffer(raw, dtype=np.uint8, offset=4 * (1 + ndim)).reshape(dims)


def check_labels(labels: np.ndarray, path: str | os.PathLike, n_classes: int = N_CLASSES) -> np.ndarray:
    """Return ``labels`` unchanged if they are all class numbers ``0 .. n_classes-1``, else raise naming ``path``."""
    if labels.size and int(labels.max()) >= n_classes:
        raise DataFileError(f"{path}: label {int(labels.max())} out of range 0-{n_classes - 1}")
    return labels


def read_idx_pair(
    images: str | os.PathLike, labels: str | os.PathLike, n_classes: int = 256
) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """Read an IDX images file (gzip or plain) and its labels file: ``(X (n, h*w), y (n,), (h, w))``, uint8."""
    X = read_idx(images, IDX_IMAGES)
    y = check_labels(read_idx(labels, IDX_LABELS), labels, n_classes)
    if len(X) != len(y):
        raise DataFileError(f"{images} has {len(X)} images but {labels} has {len(y)} labels")
    if len(X) == 0 or X.shape[1] * X.shape[2] == 0:
        raise DataFileError(f"{images}: no images (header dimensions {X.shape})")
    return X.reshape(len(X), -1), y, (X.shape[1], X.shape[2])


def read_mnist_pair(images: str | os.PathLike, labels: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """Read an MNIST images file and its labels file: ``(X (n, 784) uint8, y (n,) uint8)``."""
    X = read_idx_gz(images, IDX_IMAGES)
    y = check_labels(read_idx_gz(labels, IDX_LABELS), labels)
    if X.shape[1:] != (28, 28):
        raise DataFileError(f"{images}: images are {X.shape[1]}x{X.shape[2]}, expected 28x28")
    if len(X) != len(y):
        raise DataFileError(f"{images} has {len(X)} images but {labels} has {len(y)} labels")
    return X.reshape(len(X), 28 * 28), y


def read_cifar10_bin(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """Read a CIFAR-10 binary batch: ``(X (n, 3072) uint8 channel-major, y (n,) uint8)``."""
    return read_cifar_bin(path)


def read_cifar_bin(
    path: str | os.PathLike, label_bytes: int = 1, label_index: int = -1, n_classes: int = N_CLASSES
) -> tuple[np.ndarray, np.ndarray]:
    """Read a CIFAR-format binary batch: records of ``label_bytes`` label bytes and 3072 pixel bytes.

    ``label_index`` picks the label byte used (CIFAR-100: 0 the coarse, 1 the fine label).
    """
    path = Path(path)
    raw = np.fromfile(path, dtype=np.uint8)
    record = label_bytes + 3072
    if raw.size == 0 or raw.size % record:
        raise DataFileError(
            f"{path}: {raw.size} bytes is not a whole number of {record}-byte records; truncated or corrupted"
        )
    records = raw.reshape(-1, record)
    return records[:, label_bytes:], check_labels(records[:, :label_bytes][:, label_index], path, n_classes)


def _numpy_reconstruct():
    core = getattr(np, "_core", None)  # numpy >= 2 moved numpy.core to numpy._core
    if core is None:  # pragma: no cover - numpy 1.x
        import numpy.core as core
    return core.multiarray._reconstruct


class ForbiddenGlobal(pickle.UnpicklingError):
    """A pickle names a global that :class:`RestrictedUnpickler` does not admit."""


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that resolves only the globals a CIFAR-10 python batch contains.

    Those files (pickled by Python 2, protocol 2) hold a dict of strings, ints,
    lists and one numpy uint8 array, which names exactly three globals:
    ``numpy.core.multiarray._reconstruct``, ``numpy.ndarray`` and
    ``numpy.dtype``. Any other global (``os.system``, ``builtins.eval``, ...)
    raises :class:`ForbiddenGlobal` before anything is called.
    """

    ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
    }

    def find_class(self, module: str, name: str):
        if (module, name) not in self.ALLOWED:
            raise ForbiddenGlobal(f"global {module}.{name} is not allowed in a CIFAR-10 batch")
        if name == "_reconstruct":
            return _checked_reconstruct
        return getattr(np, name)


def _checked_reconstruct(subtype, shape, dtype):
    if subtype is not np.ndarray:
        raise ForbiddenGlobal(f"array subtype {subtype!r} is not allowed in a CIFAR-10 batch")
    return _numpy_reconstruct()(subtype, shape, dtype)


def _text_key(key) -> str:
    return key.decode("latin1") if isinstance(key, bytes) else key


def read_cifar10_python(
    path: str | os.PathLike, label_key: str = "labels", n_classes: int = N_CLASSES
) -> tuple[np.ndarray, np.ndarray]:
    """Read a CIFAR-10 python-version batch with :class:`RestrictedUnpickler`: ``(X (n, 3072), y (n,))``.

    The dict's keys may be ``str`` or ``bytes`` (``b'data'``, ``b'labels'``);
    ``data`` must be a uint8 array of shape (n, 3072) and ``labels`` n class
    numbers 0-9. Other CIFAR-format data sets: ``label_key`` names the labels
    (CIFAR-100: ``"fine_labels"`` or ``"coarse_labels"``), ``n_classes``
    bounds them.
    """
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            batch = RestrictedUnpickler(fh, encoding="latin1").load()
    except ForbiddenGlobal as exc:
        raise DataFileError(f"{path}: refused to read: {exc}") from None
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError, KeyError) as exc:
        raise DataFileError(f"{path}: not a valid CIFAR-10 python batch ({exc.__class__.__name__}: {exc})") from None
    if not isinstance(batch, dict):
        raise DataFileError(f"{path}: holds a {type(batch).__name__}, expected the dict of a CIFAR-10 batch")
    batch = {_text_key(k): v for k, v in batch.items()}
    data, labels = batch.get("data"), batch.get(label_key)
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3072:
        what = f"{data.dtype} array of shape {data.shape}" if isinstance(data, np.ndarray) else type(data).__name__
        raise DataFileError(f"{path}: 'data' is a {what}, expected a uint8 array of shape (n, 3072)")
    if not isinstance(labels, list) or not all(type(v) is int and v >= 0 for v in labels):
        raise DataFileError(f"{path}: {label_key!r} must be a list of class numbers")
    if len(labels) != len(data):
        raise DataFileError(f"{path}: {len(data)} images but {len(labels)} labels")
    y = check_labels(np.array(labels, dtype=np.int64), path, n_classes).astype(np.uint8)
    return np.ascontiguousarray(data), y
