"""Verified files: checksums and atomic downloads with a progress bar.

Nothing here knows about MNIST or CIFAR-10; :mod:`lutlearn._loaders` says
which files to expect and where they come from.
"""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from lutlearn._files import atomic_writer

_CHUNK = 1 << 20


class DataFileError(ValueError):
    """A data file is corrupted, truncated or not the expected file."""


class DownloadError(FileNotFoundError):
    """A file could not be downloaded (offline, server error, or a corrupted transfer)."""


@dataclass(frozen=True)
class FileSpec:
    """What a canonical file must be: its ``size`` in bytes and its digests (``None``: unknown)."""

    size: int | None = None
    sha256: str | None = None
    md5: str | None = None


def _check_size(size: int, expected: int | None, what: str) -> None:
    if expected is not None and size != expected:
        raise DataFileError(
            f"{what}: {size} bytes, expected {expected} ({'truncated' if size < expected else 'too long'})"
        )


class _Hasher:
    """Byte count and the digests ``spec`` names (only those) of a stream, updated chunk by chunk."""

    def __init__(self, spec: FileSpec | None) -> None:
        self.spec, self.size = spec, 0
        self.digests = {algo: hashlib.new(algo) for algo in ("sha256", "md5") if spec and getattr(spec, algo)}

    def update(self, chunk: bytes) -> None:
        for digest in self.digests.values():
            digest.update(chunk)
        self.size += len(chunk)

    def check(self, what: str) -> None:
        """Raise :class:`DataFileError` naming ``what`` unless the bytes seen match the spec."""
        if self.spec is None:
            return
        _check_size(self.size, self.spec.size, what)
        for algo, digest in self.digests.items():
            want, got = getattr(self.spec, algo).lower(), digest.hexdigest()
            if got != want:
                label = {"sha256": "SHA-256", "md5": "MD5"}[algo]
                raise DataFileError(f"{what}: {label} {got} does not match the original's {want} "
                                    "(corrupted, or not the original file)")


_ADVICE = "; delete it and download it again (or put the original file there)"


def verify_file(path: str | os.PathLike, spec: FileSpec | None) -> None:
    """Raise :class:`DataFileError` naming ``path`` unless it has ``spec``'s size and digests.

    Parameters
    ----------
    path : path-like
        The file to check.
    spec : FileSpec or None
        The expected size and digests; fields left ``None`` (or ``spec=None``)
        are not checked. The size is checked first, so a truncated file is
        reported as such without being hashed.
    """
    if spec is None:
        return
    path = Path(path)
    try:
        _check_size(path.stat().st_size, spec.size, str(path))
        hasher = _Hasher(spec)
        if hasher.digests:
            with open(path, "rb") as fh:
                while chunk := fh.read(_CHUNK):
                    hasher.update(chunk)
            hasher.check(str(path))
    except DataFileError as exc:
        raise DataFileError(f"{exc}{_ADVICE}") from None


def copy_verified(src: BinaryIO, dest: str | os.PathLike, spec: FileSpec | None, *,
                  total: int | None = None, desc: str | None = None) -> Path:
    """Copy the stream ``src`` to ``dest`` atomically, with a progress bar, verifying ``spec`` before the rename.

    Returns ``dest`` as a :class:`~pathlib.Path`. On a mismatch nothing is
    left at ``dest`` and :class:`DataFileError` is raised.
    """
    from tqdm.auto import tqdm

    dest = Path(dest)
    hasher = _Hasher(spec)
    with atomic_writer(dest) as out, tqdm(
        total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=desc or dest.name,
        disable=None, leave=False,
    ) as bar:
        while chunk := src.read(_CHUNK):
            out.write(chunk)
            hasher.update(chunk)
            bar.update(len(chunk))
        hasher.check(str(dest))
    return dest


def fetch(url: str, dest: str | os.PathLike, spec: FileSpec | None = None, *, timeout: float = 60.0) -> Path:
    """Download ``url`` to ``dest``, verified against ``spec`` before it is renamed into place.

    Raises
    ------
    DownloadError
        When the server cannot be reached or answers with an error, or the
        download is corrupted; the message names the URL and the reason.
    """
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            length = resp.headers.get("Content-Length")
            return copy_verified(resp, dest, spec, total=int(length) if length else None,
                                 desc=f"downloading {Path(dest).name}")
    except DataFileError as exc:
        raise DownloadError(f"download of {url} is corrupted: {exc}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise DownloadError(f"cannot download {url}: {reason}") from exc
