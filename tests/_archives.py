"""Test helpers for lutlearn's archives (model and pipeline files): tampering with re-signed checksums, pickles."""

from __future__ import annotations

import json
import zipfile

import numpy as np

from lutlearn.core.persistence import _digest


def rewrite(path, edit) -> None:
    """Rewrite a file's arrays and metadata through ``edit(arrays, meta)``, re-signing the checksums."""
    with np.load(path, allow_pickle=False) as npz:
        arrays = {n: npz[n] for n in npz.files}
    meta = json.loads(arrays.pop("meta").tobytes())
    edit(arrays, meta)
    meta["sha256"] = {n: _digest(a) for n, a in arrays.items()}
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
    np.savez(path, **arrays)


class Evil:
    """An object whose unpickling creates the file ``marker``."""

    def __init__(self, marker) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def append_pickled_entry(path, entry: str, marker) -> None:
    """Append to the archive an entry ``entry`` holding a pickled object whose unpickling creates ``marker``."""
    with zipfile.ZipFile(path, "a") as zf:
        with zf.open(entry, "w", force_zip64=True) as fh:
            np.lib.format.write_array(fh, np.array([Evil(marker)], dtype=object), allow_pickle=True)
