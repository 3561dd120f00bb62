"""Reading examples from files for the command line: ``.npz``, ``.npy`` and ``.csv``.

* ``.npz``: arrays ``X`` (n_samples, n_features) and, when labelled, ``y``.
  Read with ``allow_pickle=False``.
* ``.npy``: one 2-D array; the label column is chosen by ``label_column``.
* ``.csv``: comma-separated numbers, with or without a header line; the label
  column is chosen by ``label_column`` (index, or name when there is a header).

``label_column`` is ``"last"`` (default), ``"first"``, an integer index, a
column name, or ``None`` for unlabelled data.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np

__all__ = ["read_examples"]


def _column_index(label_column, n_columns: int, header: list[str] | None, path: Path) -> int:
    if label_column == "last":
        return n_columns - 1
    if label_column == "first":
        return 0
    if isinstance(label_column, str) and not label_column.lstrip("-").isdigit():
        if header is None or label_column not in header:
            raise ValueError(f"{path}: no column named {label_column!r}")
        return header.index(label_column)
    i = int(label_column)
    if not -n_columns <= i < n_columns:
        raise ValueError(f"{path}: label column {i} is out of range for {n_columns} columns")
    return i % n_columns


def _split(data: np.ndarray, label_column, header, path: Path):
    if data.ndim != 2:
        raise ValueError(f"{path}: expected a 2-D table of examples, got shape {data.shape}")
    if label_column is None:
        return data, None
    i = _column_index(label_column, data.shape[1], header, path)
    return np.delete(data, i, axis=1), data[:, i]


def read_examples(path: str | os.PathLike, label_column="last") -> tuple[np.ndarray, np.ndarray | None]:
    """Read ``(X, y)`` from a ``.npz``, ``.npy`` or ``.csv`` file (``y`` is None when unlabelled)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(2, "No such file or directory", str(path))
    suffix = path.suffix.lower()
    if suffix == ".npz":
        try:
            with np.load(path, allow_pickle=False) as npz:
                if "X" not in npz.files:
                    raise ValueError(f"{path}: an .npz data file needs an array named 'X' (has {npz.files})")
                X = npz["X"]
                y = npz["y"] if ("y" in npz.files and label_column is not None) else None
        except (OSError, ValueError) as exc:
            if "allow_pickle" in str(exc) or "Object arrays" in str(exc):
                raise ValueError(f"{path}: holds pickled objects, which lutlearn never loads") from None
            raise
        return X, y
    if suffix == ".npy":
        try:
            data = np.load(path, allow_pickle=False)
        except ValueError as exc:
            raise ValueError(f"{path}: not a plain numeric .npy array ({exc})") from None
        return _split(data, label_column, None, path)
    if suffix == ".csv":
        with open(path, newline="") as fh:
            rows = [r for r in csv.reader(fh) if r]
        if not rows:
            raise ValueError(f"{path}: empty file")
        header = None
        try:
            [float(v) for v in rows[0]]
        except ValueError:
            header, rows = [h.strip() for h in rows[0]], rows[1:]
        try:
            data = np.array([[float(v) for v in r] for r in rows])
        except ValueError as exc:
            raise ValueError(f"{path}: non-numeric value ({exc})") from None
        if data.size and np.all(data == np.round(data)):
            data = data.astype(np.int64)
        return _split(data, label_column, header, path)
    raise ValueError(f"{path}: unknown data file type {suffix!r}; use .npz, .npy or .csv")
