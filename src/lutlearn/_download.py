"""Verified files: checksums, atomic writes and downloads with a progress bar.

Nothing here knows about MNIST or CIFAR-10; :mod:`lutlearn._loaders` says
which files to expect and where they come from.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator

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


class _Hasher:
    """SHA-256, MD5 and byte count of a stream, updated chunk by chunk."""

    def __init__(self) -> None:
        self.sha256, self.md5, self.size = hashlib.sha256(), hashlib.md5(), 0

    def update(self, chunk: bytes) -> None:
        self.sha256.update(chunk)
        self.md5.update(chunk)
        self.size += len(chunk)

    def check(self, spec: FileSpec | None, what: str) -> None:
        """Raise :class:`DataFileError` naming ``what`` unless the bytes seen match ``spec``."""
        if spec is None:
            return
        if spec.size is not None and self.size != spec.size:
            raise DataFileError(
                f"{what}: {self.size} bytes, expected {spec.size} "
                f"({'truncated' if self.size < spec.size else 'too long'})"
            )
        for algo in ("sha256", "md5"):
            want = getattr(spec, algo)
            got = getattr(self, algo).hexdigest()
            if want is not None and got != want.lower():
                raise DataFileError(
                    f"{what}: {algo.upper()} {got} does not match the original's {want} "
                    "(corrupted, or not the original file)"
                )


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
    hasher = _Hasher()
    size = path.stat().st_size
    if spec.size is not None and size != spec.size:
        hasher.size = size
        hasher.check(FileSpec(size=spec.size), str(path))
    if spec.sha256 is None and spec.md5 is None:
        return
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            hasher.update(chunk)
    try:
        hasher.check(spec, str(path))
    except DataFileError as exc:
        raise DataFileError(f"{exc}{_ADVICE}") from None


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """Open a temporary file beside ``path``; rename it to ``path`` only if the block succeeds.

    An interrupted or failed write leaves no file at ``path`` and removes the
    temporary file, so a half-written file is never mistaken for a whole one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        with open(tmp, "wb") as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def copy_verified(src: BinaryIO, dest: str | os.PathLike, spec: FileSpec | None, *,
                  total: int | None = None, desc: str | None = None) -> Path:
    """Copy the stream ``src`` to ``dest`` atomically, with a progress bar, verifying ``spec`` before the rename.

    Returns ``dest`` as a :class:`~pathlib.Path`. On a mismatch nothing is
    left at ``dest`` and :class:`DataFileError` is raised.
    """
    from tqdm.auto import tqdm

    dest = Path(dest)
    hasher = _Hasher()
    with atomic_writer(dest) as out, tqdm(
        total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=desc or dest.name,
        disable=None, leave=False,
    ) as bar:
        while chunk := src.read(_CHUNK):
            out.write(chunk)
            hasher.update(chunk)
            bar.update(len(chunk))
        hasher.check(spec, str(dest))
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
