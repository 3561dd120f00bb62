"""What a file is, from its first bytes: for one-line messages about a file given in the wrong place.

:func:`describe_file` names what a file looks like (an AIGER circuit, a PLA
file, a lutlearn model file, an ``.npz`` of arrays, gzip data, an image, a
Python pickle, ...) and which command reads it. Used by the data readers
(:mod:`lutlearn.datasets.io`, :mod:`lutlearn.datasets.pla`) and by the commands that load a
model.
"""

from __future__ import annotations

import os

__all__ = ["describe_file"]


#: What a file is, from its first bytes: for messages about a file given in the wrong place.
_SIGNATURES = [
    (b"\x93NUMPY", "a .npy array"), (b"PK\x03\x04", "a zip archive (.npz)"), (b"PK\x05\x06", "an empty zip archive"),
    (b"\x1f\x8b", "gzip-compressed data; decompress it first"), (b"BZh", "bzip2-compressed data"),
    (b"\xfd7zXZ", "xz-compressed data"), (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"), (b"%PDF", "a PDF document"), (b"aag ", "an AIGER circuit"),
    (b"aig ", "an AIGER circuit"), (b"\x80", "a Python pickle, which lutlearn never loads"),
]


#: Which commands read the files lutlearn writes or reads, by what :func:`_looks_like` calls them.
_READ_BY = {
    "an AIGER circuit": "read by 'lutlearn evaluate CIRCUIT DATA' and 'lutlearn info CIRCUIT'",
    "a PLA file of examples": "data for 'lutlearn train --pla', 'lutlearn evaluate', 'lutlearn predict' and "
                              "'lutlearn fit-circuit' (described by 'lutlearn info --pla')",
    "a lutlearn model file": "read by 'lutlearn evaluate', 'predict', 'info', 'export' and 'hw-report'",
    "an .npz file of arrays": "data (arrays X and y) for 'lutlearn train', 'evaluate' and 'predict'",
}
_PLA_DIRECTIVES = (b".i ", b".o ", b".p ", b".ilb ", b".ob ", b".type ")


def _looks_like(head: bytes) -> str | None:
    """What the first bytes ``head`` of a file say it is (None: nothing recognised, and no NUL byte)."""
    for signature, what in _SIGNATURES:
        if head.startswith(signature):
            return what
    lines = [ln.strip() for ln in head.split(b"\n")]
    first = next((ln for ln in lines if ln and not ln.startswith(b"#")), b"")
    if first.startswith(_PLA_DIRECTIVES):
        return "a PLA file of examples"
    return "binary data" if b"\x00" in head else None


def describe_file(path: str | os.PathLike) -> str:
    """What the file at ``path`` looks like from its first bytes, and which lutlearn command reads it.

    For one-line errors about a file given to a command that does not read
    it, e.g. ``'an AIGER circuit, read by ...'``; ``'a zip archive (.npz)'``
    is told apart into a model file and an ``.npz`` file of arrays. Never
    raises: an unreadable file is ``'an unreadable file (...)'``.
    """
    import zipfile

    from lutlearn._files import require_regular_file

    try:  # stat first: opening a FIFO or a device to sniff it would block
        require_regular_file(path)
    except FileNotFoundError as exc:
        return f"an unreadable file ({exc.strerror or exc})"
    except ValueError as exc:
        return str(exc).removeprefix(f"{path}: ")
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        return f"an unreadable file ({exc.strerror or exc})"
    what = _looks_like(head)
    if what == "a zip archive (.npz)":
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
            what = "a lutlearn model file" if "meta.npy" in names else (
                "an .npz file of arrays" if "X.npy" in names else what)
        except (OSError, zipfile.BadZipFile, ValueError, EOFError):
            pass
    if what is None:
        return "text of no format lutlearn reads" if head else "an empty file"
    return f"{what}, {_READ_BY[what]}" if what in _READ_BY else what
