"""Verified files: checksums, and atomic downloads (over pooch) with a progress bar.

Nothing here knows about MNIST or CIFAR-10; :mod:`lutlearn.datasets._loaders` says
which files to expect and where they come from.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
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


class _Sink:
    """A writable that passes the bytes written to ``out`` and counts and hashes them in ``hasher``."""

    def __init__(self, out: BinaryIO, hasher: _Hasher) -> None:
        self.out, self.hasher = out, hasher

    def write(self, chunk: bytes) -> int:
        self.hasher.update(chunk)
        return self.out.write(chunk)

    def flush(self) -> None:
        self.out.flush()


@contextlib.contextmanager
def _verified_writer(dest: Path, spec: FileSpec | None, *, total: int | None, desc: str):
    """Yield ``(sink, bar)``: bytes written to ``sink`` go to ``dest`` atomically, checked against ``spec``
    before the rename; ``bar`` is the progress bar (hidden when stderr is not a terminal)."""
    from tqdm.auto import tqdm

    hasher = _Hasher(spec)
    with atomic_writer(dest) as out, tqdm(
        total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=desc, disable=None, leave=False,
    ) as bar:
        yield _Sink(out, hasher), bar
        hasher.check(str(dest))


def copy_verified(src: BinaryIO, dest: str | os.PathLike, spec: FileSpec | None, *,
                  total: int | None = None, desc: str | None = None) -> Path:
    """Copy the stream ``src`` to ``dest`` atomically, with a progress bar, verifying ``spec`` before the rename.

    Returns ``dest`` as a :class:`~pathlib.Path`. On a mismatch nothing is
    left at ``dest`` and :class:`DataFileError` is raised.
    """
    dest = Path(dest)
    with _verified_writer(dest, spec, total=total, desc=desc or dest.name) as (sink, bar):
        while chunk := src.read(_CHUNK):
            sink.write(chunk)
            bar.update(len(chunk))
    return dest


def _reason(exc: BaseException) -> str:
    """The innermost cause of a failed download, on one line (``requests`` nests them three deep)."""
    while True:
        inner = getattr(exc, "reason", None)
        if not isinstance(inner, BaseException) and exc.args and isinstance(exc.args[0], BaseException):
            inner = exc.args[0]
        if not isinstance(inner, BaseException):
            break
        exc = inner
    # urllib3 prefixes the connection, e.g. "HTTPConnection(host='127.0.0.1', port=9): "
    return re.sub(r"^\w*Connection(Pool)?\(.*?\): ", "", " ".join(str(exc).split())) or type(exc).__name__


def fetch(url: str, dest: str | os.PathLike, spec: FileSpec | None = None, *, timeout: float = 60.0) -> Path:
    """Download ``url`` to ``dest``, verified against ``spec`` before it is renamed into place.

    The transfer is pooch's :class:`~pooch.HTTPDownloader` (``requests``, with
    a progress bar); the bytes go through :func:`~lutlearn._files.atomic_writer`
    (a locked temporary file beside ``dest``, mode ``0o666`` less the umask,
    renamed only once complete and verified, stale ones of killed downloads
    removed), and are checked for ``spec``'s size and every digest it names
    as they arrive.

    Raises
    ------
    DownloadError
        When the server cannot be reached or answers with an error, or the
        download is cut short or corrupted; the message names the URL and the
        reason, on one line; ``dest`` is left as it was.
    """
    import pooch

    dest = Path(dest)
    try:
        # total=1 until pooch sets it from Content-Length (pooch drives a bar only if it is true)
        with _verified_writer(dest, spec, total=1, desc=f"downloading {dest.name}") as (sink, bar):
            # "identity": a server that would compress the transfer must send the file's own bytes
            pooch.HTTPDownloader(progressbar=bar, chunk_size=_CHUNK, timeout=timeout,
                                 headers={"Accept-Encoding": "identity"})(url, sink, None)
    except DataFileError as exc:
        raise DownloadError(f"download of {url} is corrupted: {exc}") from exc
    except (OSError, ValueError) as exc:
        raise DownloadError(f"cannot download {url}: {_reason(exc)}") from exc
    return dest
