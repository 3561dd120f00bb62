"""Data sets and the paper's tasks, by name.

A *task* is a ready-to-learn split: Boolean training and test inputs with
their labels. :func:`get_task` builds one from its name:

``binary-digits``
    scikit-learn's bundled 8x8 digits (no download): digits 0-4 v/s 5-9,
    pixels above the midpoint (8 of 0..16) are 1; a fixed stratified 75/25
    split.
``binary-mnist``
    MNIST digits 0-4 v/s 5-9, pixels above 127 are 1 (784 bits).
``binary-cifar10``
    CIFAR-10 classes 0-4 v/s 5-9, each colour channel above 127 is 1 (3072
    bits). The split and the quantization are our inference of the paper's.
``pairwise-mnist:I-J``, ``pairwise-cifar10:I-J``
    Class I (label 0) v/s class J (label 1), train and test restricted to them.
"""

from __future__ import annotations

import gzip
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}
CIFAR10_BIN_FILES = [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]
CIFAR10_CLASSES = [
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
]


@dataclass
class Task:
    """A named learning task: Boolean inputs (uint8 0/1) and integer labels, split into train and test."""

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    description: str = ""
    info: dict = field(default_factory=dict)


def data_home(data_home: str | os.PathLike | None = None) -> Path:
    """Where data sets live: ``data_home``, else ``$LUTLEARN_DATA``, else ``~/.cache/lutlearn``."""
    if data_home is not None:
        return Path(data_home).expanduser()
    if os.environ.get("LUTLEARN_DATA"):
        return Path(os.environ["LUTLEARN_DATA"]).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "lutlearn"


def _read_idx(path: Path, magic: int, shape_tail: tuple[int, ...]) -> np.ndarray:
    with gzip.open(path, "rb") as fh:
        raw = fh.read()
    ndim = len(shape_tail) + 1
    header = np.frombuffer(raw, dtype=">u4", count=1 + ndim)
    if int(header[0]) != magic:
        raise ValueError(f"{path}: bad IDX magic number {int(header[0])}, expected {magic}")
    dims = tuple(int(d) for d in header[1:])
    if dims[1:] != shape_tail or len(raw) != 4 * (1 + ndim) + int(np.prod(dims)):
        raise ValueError(f"{path}: unexpected IDX dimensions {dims} or size {len(raw)}")
    return np.frombuffer(raw, dtype=np.uint8, offset=4 * (1 + ndim)).reshape(dims)


def load_mnist(data_home_: str | os.PathLike | None = None):
    """MNIST as uint8 arrays ``(X_train 60000x784, y_train, X_test 10000x784, y_test)``."""
    folder = data_home(data_home_) / "mnist"
    missing = [f for f in MNIST_FILES.values() if not (folder / f).exists()]
    if missing:
        raise FileNotFoundError(
            f"MNIST files missing in {folder}: {', '.join(missing)}; "
            "put the four original .gz files there (or pass --data-home / set LUTLEARN_DATA)."
        )
    Xtr = _read_idx(folder / MNIST_FILES["train_images"], 2051, (28, 28)).reshape(-1, 784)
    ytr = _read_idx(folder / MNIST_FILES["train_labels"], 2049, ())
    Xte = _read_idx(folder / MNIST_FILES["test_images"], 2051, (28, 28)).reshape(-1, 784)
    yte = _read_idx(folder / MNIST_FILES["test_labels"], 2049, ())
    return Xtr, ytr, Xte, yte


def load_cifar10(data_home_: str | os.PathLike | None = None):
    """CIFAR-10 (binary version) as uint8 arrays ``(X_train 50000x3072, y_train, X_test, y_test)``."""
    folder = data_home(data_home_) / "cifar10"
    missing = [f for f in CIFAR10_BIN_FILES if not (folder / f).exists()]
    if missing:
        raise FileNotFoundError(
            f"CIFAR-10 files missing in {folder}: {', '.join(missing)}; "
            "put the binary version's batch files there (or pass --data-home / set LUTLEARN_DATA)."
        )
    parts = []
    for name in CIFAR10_BIN_FILES:
        raw = np.fromfile(folder / name, dtype=np.uint8)
        if raw.size != 10000 * 3073:
            raise ValueError(f"{folder / name}: size {raw.size}, expected {10000 * 3073} bytes")
        parts.append(raw.reshape(10000, 3073))
    train, test = np.concatenate(parts[:5]), parts[5]
    return train[:, 1:], train[:, 0], test[:, 1:], test[:, 0]


def load_digits_raw():
    """scikit-learn's bundled 8x8 digits split 75/25 (stratified, fixed seed): pixel values 0..16."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    Xtr, Xte, ytr, yte = train_test_split(
        digits.data.astype(np.uint8), digits.target, test_size=0.25, stratify=digits.target,
        random_state=0,
    )
    return Xtr, ytr, Xte, yte


_PAIR = re.compile(r"^pairwise-(mnist|cifar10):(\d)-(\d)$")


def task_names() -> list[str]:
    """The fixed task names (pairwise tasks take the form ``pairwise-DATA:I-J``)."""
    return ["binary-digits", "binary-mnist", "binary-cifar10", "pairwise-mnist:I-J", "pairwise-cifar10:I-J"]


def get_task(name: str, data_home: str | os.PathLike | None = None, threshold: int = 127) -> Task:
    """Build the task called ``name`` (see the module docstring for the names)."""
    if name == "binary-digits":
        Xtr, ytr, Xte, yte = load_digits_raw()
        return Task(name, (Xtr > 8).astype(np.uint8), (ytr >= 5).astype(np.int64),
                    (Xte > 8).astype(np.uint8), (yte >= 5).astype(np.int64),
                    "scikit-learn 8x8 digits, 0-4 v/s 5-9, pixel > 8")
    if name in ("binary-mnist", "binary-cifar10"):
        loader = load_mnist if name == "binary-mnist" else load_cifar10
        Xtr, ytr, Xte, yte = loader(data_home)
        return Task(name, (Xtr > threshold).astype(np.uint8), (ytr >= 5).astype(np.int64),
                    (Xte > threshold).astype(np.uint8), (yte >= 5).astype(np.int64),
                    f"{name.split('-')[1]} classes 0-4 v/s 5-9, value > {threshold}")
    m = _PAIR.match(name)
    if m:
        data, i, j = m.group(1), int(m.group(2)), int(m.group(3))
        if i == j:
            raise ValueError(f"task {name!r}: the two classes must differ")
        Xtr, ytr, Xte, yte = (load_mnist if data == "mnist" else load_cifar10)(data_home)
        tr, te = np.isin(ytr, (i, j)), np.isin(yte, (i, j))
        return Task(name, (Xtr[tr] > threshold).astype(np.uint8), (ytr[tr] == j).astype(np.int64),
                    (Xte[te] > threshold).astype(np.uint8), (yte[te] == j).astype(np.int64),
                    f"{data} class {i} v/s class {j}, value > {threshold}")
    raise ValueError(f"unknown task {name!r}; known tasks: {', '.join(task_names())}")
