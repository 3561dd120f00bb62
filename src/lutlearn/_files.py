"""Files lutlearn writes: atomically, and with the permissions the umask gives.

Every file the library writes (models, circuits, PLA files, JSON records,
reports, figures, downloads) goes through :func:`atomic_writer`: the data go
to a temporary file beside the target, which is flushed to disk and renamed
over the target only when the whole write succeeded. An interrupted or failed
write leaves the old file (or no file) at the target and no temporary file.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from pathlib import Path
from typing import IO, Iterator

import numpy as np

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

    The file is flushed and fsynced before the rename (:func:`os.replace`), so
    ``path`` holds either the old content or the whole new one. On any
    exception, including KeyboardInterrupt, the temporary file is removed and
    ``path`` is left as it was. The file's mode is ``0o666`` less the umask.
    """
    if mode not in ("wb", "w", None):
        raise ValueError(f"mode must be 'wb', 'w' or None, not {mode!r}")
    if encoding is not None and mode != "w":
        raise ValueError("an encoding applies to text mode 'w' only")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _create_beside(path, suffix)
    try:
        if mode is None:
            os.close(fd)
            yield tmp
        else:
            with os.fdopen(fd, mode, encoding=encoding) as fh:
                yield fh
                if not fh.closed:
                    fh.flush()
                    os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


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
