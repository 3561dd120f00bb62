"""Files lutlearn writes: atomically, and with the permissions the umask gives.

Every file the library writes (models, circuits, PLA files, JSON records,
reports, figures, downloads) goes through :func:`atomic_writer`: the data go
to a temporary file beside the target, which is flushed to disk and renamed
over the target only when the whole write succeeded. An interrupted or failed
write leaves the old file (or no file) at the target and no temporary file.

A process killed outright (SIGKILL, power loss) cannot remove its temporary
file; the writer holds an advisory lock on it while writing, and the next
write of the same target removes every temporary file of that target whose
lock is free (its writer is gone), however recent. :func:`require_regular_file` tells what a
path that should be a readable file is when it is not one (a folder, a FIFO,
a device, a symbolic link loop), before anything opens it.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import secrets
import stat
import time
from pathlib import Path
from typing import IO, Iterator

import numpy as np

try:  # POSIX advisory locks: how a writer shows that its temporary file is in use
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

#: Without ``fcntl`` (no locks to tell a live writer), a temporary file older than this is stale.
STALE_UNLOCKED_AFTER = 24 * 3600.0

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)


def _create_beside(path: Path, suffix: str) -> tuple[int, Path]:
    """Create a new empty file ``.<name>.<random><suffix>`` in ``path``'s folder; return its descriptor and path.

    It is created with mode ``0o666``, which the umask reduces (``0o644`` under
    the usual ``022``), as :func:`open` does; :func:`tempfile.mkstemp` would
    give ``0o600``, and the rename would keep it.
    """
    while True:
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}{suffix}")
        try:
            return os.open(tmp, _FLAGS, 0o666), tmp
        except FileExistsError:
            continue
        except OSError as exc:
            raise _cannot_write(path, exc) from None


def _cannot_write(path: Path, exc: OSError) -> OSError:
    """The error of a temporary file or folder beside ``path`` that cannot be made, named after ``path`` (the
    temporary name is none the user gave)."""
    return OSError(f"cannot write {path}: {exc.strerror or exc}")


def _fsync(path: Path, flags: int) -> None:
    """Flush ``path`` (a file, or a folder to make a rename in it durable) to disk; best effort."""
    try:
        fd = os.open(path, flags)
    except OSError:  # pragma: no cover - Windows cannot open folders
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def _temp_pattern(path: Path) -> re.Pattern:
    """The names :func:`_create_beside` gives ``path``'s temporary files (any suffix)."""
    return re.compile(re.escape(f".{path.name}.") + r"[0-9a-f]{8}(\.[A-Za-z0-9_-]{1,16})?")


def _lock(fd: int, wait: bool = False) -> bool:
    """Take the exclusive advisory lock of ``fd`` (waiting for it with ``wait``); False if another process holds
    it."""
    if fcntl is None:  # pragma: no cover - Windows
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except OSError:
        return False
    return True


def _still_at(fd: int, path: Path) -> bool:
    """Whether ``path`` still names the file open as ``fd`` (a cleaner may have removed it)."""
    try:
        a, b = os.fstat(fd), os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _create_locked(path: Path, suffix: str) -> tuple[int, int, Path]:
    """A new temporary file beside ``path``, locked: ``(fd, lock_fd, tmp)``.

    Between its creation and its lock a cleaner (:func:`remove_stale_temporaries`
    of another writer) may take it for a killed writer's file and remove it;
    the file is then made again, so a locked temporary file is never removed.
    """
    while True:
        fd, tmp = _create_beside(path, suffix)
        lock = os.dup(fd)  # holds the lock until the rename, whoever closes ``fd``
        _lock(lock, wait=True)  # a cleaner holds it only while it removes the file
        if _still_at(lock, tmp):
            return fd, lock, tmp
        os.close(fd)
        os.close(lock)


def remove_stale_temporaries(path: str | os.PathLike) -> list[Path]:
    """Remove the temporary files a killed writer of ``path`` left beside it; return those removed.

    A temporary file is stale when it has lutlearn's name for ``path``'s
    temporaries (``.<name>.<8 hex digits><suffix>``) and no process holds its
    lock (every writer locks its temporary file until the rename; the lock
    dies with the process, even on SIGKILL), however young it is: a writer
    whose new file is removed before it could lock it makes another. Without
    ``fcntl``, one older than :data:`STALE_UNLOCKED_AFTER` is stale. Files
    that are not regular files are left alone.
    """
    path = Path(path)
    pattern, removed = _temp_pattern(path), []
    try:
        names = os.listdir(path.parent)
    except OSError:
        return removed
    now = time.time()
    for name in names:
        if not pattern.fullmatch(name):
            continue
        tmp = path.parent / name
        try:
            fd = os.open(tmp, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            continue
        try:
            st = os.fstat(fd)
            age = now - st.st_mtime
            if not stat.S_ISREG(st.st_mode):
                continue
            if (_lock(fd) if fcntl is not None else age > STALE_UNLOCKED_AFTER) and _still_at(fd, tmp):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
                    removed.append(tmp)
        finally:
            os.close(fd)
    return removed


_KINDS = [(stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")]


def require_regular_file(path: str | os.PathLike, error: type[Exception] = ValueError) -> Path:
    """Return ``path`` if it is a regular file (or a link to one); raise saying what it is otherwise.

    Checked with :func:`os.stat`, which never blocks, so a FIFO or a device is
    refused before anything opens it.

    Raises
    ------
    FileNotFoundError
        Nothing at ``path`` (or a symbolic link to nothing).
    error
        ``path`` is a directory, a FIFO, a device, a socket, a symbolic link
        loop or cannot be examined; the message names the path and what it is.
    """
    path = Path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        what = "a broken symbolic link" if os.path.islink(path) else "No such file or directory"
        raise FileNotFoundError(errno.ENOENT, what, str(path)) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise error(f"{path}: is a symbolic link loop, not a file") from None
        raise error(f"{path}: cannot be examined ({exc.strerror or exc})") from None
    if not stat.S_ISREG(st.st_mode):
        kind = next((name for test, name in _KINDS if test(st.st_mode)), "not a regular file")
        raise error(f"{path}: is {kind}, not a regular file")
    return path


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike, mode: str | None = "wb", *, encoding: str | None = None,
                  suffix: str = ".part") -> Iterator[IO | Path]:
    """Write ``path`` atomically: yield a temporary file beside it, renamed to ``path`` if the block succeeds.

    Parameters
    ----------
    path : path-like
        The file to write; its folder is created if needed.
    mode : {"wb", "w"} or None, default="wb"
        How the temporary file is opened: binary or text. ``None`` yields the
        temporary file's :class:`~pathlib.Path` instead of an open file, for
        an external program to write (the file exists, empty).
    encoding : str or None, default=None
        The text encoding of mode ``"w"`` (None: the locale's, as :func:`open`).
    suffix : str, default=".part"
        The temporary file's suffix (for tools that choose the format by it).

    The file is flushed and fsynced before the rename (:func:`os.replace`), and
    the folder after it, so ``path`` holds either the old content or the whole
    new one, even after a crash. On any
    exception, including KeyboardInterrupt, the temporary file is removed and
    ``path`` is left as it was. The file's mode is ``0o666`` less the umask.
    The temporary file stays locked until the rename, and stale temporary
    files of ``path`` (see :func:`remove_stale_temporaries`) are removed first.
    """
    if mode not in ("wb", "w", None):
        raise ValueError(f"mode must be 'wb', 'w' or None, not {mode!r}")
    if encoding is not None and mode != "w":
        raise ValueError("an encoding applies to text mode 'w' only")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
    fd, lock, tmp = _create_locked(path, suffix)
    try:
        if mode is None:
            os.close(fd)
            yield tmp
            _fsync(tmp, os.O_RDONLY)  # what the external program wrote
        else:
            with os.fdopen(fd, mode, encoding=encoding) as fh:
                yield fh
                if not fh.closed:
                    fh.flush()
                    os.fsync(fh.fileno())
        os.replace(tmp, path)
        _fsync(path.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    finally:
        os.close(lock)


def _json_default(obj):
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"not JSON serializable: {type(obj).__name__}")


def write_json(path: str | os.PathLike, obj, *, indent: int | None = 1, sort_keys: bool = True) -> None:
    """Write ``obj`` as JSON (NumPy scalars and arrays as numbers and lists) to ``path`` atomically.

    The text ends with a newline.
    """
    with atomic_writer(path, "w") as fh:
        json.dump(obj, fh, indent=indent, sort_keys=sort_keys, default=_json_default)
        fh.write("\n")


@contextlib.contextmanager
def staged_outputs(*outputs: str | os.PathLike) -> Iterator[list[Path]]:
    """Yield a stand-in path for each of ``outputs``; move them all into place only when the block succeeds.

    Each stand-in has its output's file name, in a new hidden folder beside
    that output (one per output folder), so that files which name each
    other (a testbench and its vector files) work where they are staged. On
    success each stand-in that was written is renamed over its output; on
    any exception, including KeyboardInterrupt, the staging folders are
    removed and every output is left as it was: a command that fails after
    writing part of its files leaves none of them.
    """
    import shutil
    import tempfile

    targets = [Path(o) for o in outputs]
    folders: dict[Path, Path] = {}
    locks: list[int] = []
    try:
        for t in targets:
            remove_stale_stages(t)
            parent = t.absolute().parent
            if parent not in folders:
                try:
                    parent.mkdir(parents=True, exist_ok=True)
                    while True:  # a folder a cleaner removed before we locked it is made again
                        folder = Path(tempfile.mkdtemp(prefix=f".{t.name}.", suffix=".stage", dir=parent))
                        lock = os.open(folder / STAGE_LOCK, os.O_RDONLY | os.O_CREAT, 0o600)
                        _lock(lock, wait=True)  # held until the block ends; it dies with the process
                        if _still_at(lock, folder / STAGE_LOCK):
                            break
                        os.close(lock)
                    folders[parent] = folder
                    locks.append(lock)
                except OSError as exc:
                    raise _cannot_write(t, exc) from None
        staged = [folders[t.absolute().parent] / t.name for t in targets]
        yield staged
        for s, t in zip(staged, targets):
            if s.exists():
                os.replace(s, t)
    finally:
        for folder in folders.values():
            shutil.rmtree(folder, ignore_errors=True)
        for lock in locks:
            os.close(lock)


#: The lock file inside a staging folder of :func:`staged_outputs`, held by its process until the folder goes.
STAGE_LOCK = ".lock"


def remove_stale_stages(path: str | os.PathLike) -> list[Path]:
    """Remove the staging folders of ``path`` that a killed command left (their lock is free); return them.

    A staging folder is ``.<name>.<random>.stage`` beside ``path``, and its
    process holds the lock of the file ``.lock`` inside it for as long as it
    exists (the lock dies with the process, even on SIGKILL). A folder
    without that file is left alone: its process may be about to make it.
    """
    import shutil

    path = Path(path)
    prefix, removed = f".{path.name}.", []
    if fcntl is None:  # pragma: no cover - Windows: no locks to tell a live stage from a dead one
        return removed
    try:
        names = os.listdir(path.absolute().parent)
    except OSError:
        return removed
    for name in names:
        if not (name.startswith(prefix) and name.endswith(".stage")):
            continue
        folder = path.absolute().parent / name
        try:
            fd = os.open(folder / STAGE_LOCK, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue
        try:
            if stat.S_ISDIR(os.lstat(folder).st_mode) and _lock(fd):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(folder / STAGE_LOCK)  # a process that locks the file after this makes another
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
        finally:
            os.close(fd)
    return removed
