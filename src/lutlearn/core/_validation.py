"""Checks on user input that turn bad data into clear errors, never silent coercion."""

from __future__ import annotations

import os

import numpy as np

_BINARIZE_HINT = (
    "binarize the data first, e.g. with lutlearn.ThresholdBinarizer "
    "(make_pipeline(ThresholdBinarizer(threshold=127), LutNetworkClassifier()))"
)


def as_bits(X: np.ndarray, what: str = "X") -> np.ndarray:
    """Return ``X`` as a uint8 array of 0/1, or raise ``ValueError`` saying why it is not Boolean.

    Accepted: bool arrays, integer arrays holding only 0 and 1, and float
    arrays holding only 0.0 and 1.0. Nothing else is coerced.
    """
    X = np.asarray(X)
    kind = X.dtype.kind
    if kind == "b":
        return X.view(np.uint8) if X.flags.c_contiguous else X.astype(np.uint8)
    if kind not in "iuf":
        raise ValueError(
            f"{what} must hold Boolean inputs (bool, or integers/floats equal to 0 and 1); "
            f"got dtype {X.dtype}. {_BINARIZE_HINT}."
        )
    if kind == "f" and not np.isfinite(X).all():
        raise ValueError(f"{what} contains NaN or infinity; lut networks take only 0/1 inputs.")
    if kind in "iu" and (X.size == 0 or (X.max() <= 1 and (kind == "u" or X.min() >= 0))):
        return X.astype(np.uint8, copy=False)  # one fast pass for the usual case
    bad = (X != 0) & (X != 1)
    if bad.any():
        n_bad = int(bad.sum())
        example = X[bad].flat[0]
        raise ValueError(
            f"{what} must hold only 0 and 1, but {n_bad} value(s) are not (e.g. {example!r}); "
            f"{_BINARIZE_HINT}."
        )
    return X.astype(np.uint8, copy=False)


def available_memory() -> int | None:
    """Bytes of memory available to allocate now (Linux ``MemAvailable``), or None if unknown."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def check_memory(n_bytes: int, what: str) -> None:
    """Refuse, before allocating, a request that would not fit in available memory."""
    avail = available_memory()
    if avail is not None and n_bytes > 0.9 * avail:
        raise MemoryError(
            f"{what} needs about {n_bytes / 2**30:.1f} GiB but only {avail / 2**30:.1f} GiB "
            "is available; use a smaller k, fewer or narrower layers, or fewer samples."
        )


def parse_layers(text: str) -> tuple[int, ...]:
    """Hidden layer widths from text: comma-separated widths (``1024,1024``) or ``NxW`` (``5x1024``).

    ``""``, ``"0"`` and ``"none"`` mean no hidden layer. Raises ``ValueError`` on anything else.

    >>> parse_layers("3x64"), parse_layers("512,256"), parse_layers("none")
    ((64, 64, 64), (512, 256), ())
    """
    text = str(text).strip().lower()
    if text in ("", "0", "none"):
        return ()
    try:
        if "x" in text:
            n, w = text.split("x")
            return (int(w),) * int(n)
        return tuple(int(t) for t in text.split(","))
    except ValueError:
        raise ValueError(
            f"invalid layer list {text!r}: use comma-separated widths like 1024,1024 or NxW like 5x1024"
        ) from None
