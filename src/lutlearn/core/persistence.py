"""lutlearn's model file format: a NumPy ``.npz`` archive read without pickle.

Format ``lutlearn-network``, version 1 (two-class networks) or 2 (multi-class
networks). The file is a zip archive (written by
:func:`numpy.savez_compressed`) holding these arrays:

``meta``
    uint8 array: UTF-8 JSON with keys ``format`` ("lutlearn-network"),
    ``version`` (1; 2 below), ``lutlearn_version``, ``params`` (the estimator's
    constructor parameters that define the model: ``k``, ``hidden_layers``,
    ``output_k``), ``n_features_in``, ``n_layers``, ``seed``,
    ``feature_names`` (list of str or null) and ``sha256``, a map from every
    other array's name to the SHA-256 of its dtype, shape and bytes.
``classes``
    The class labels (numeric or unicode; object arrays are refused).
``wires_L``, ``tables_L``, ``accuracy_L``
    For each lut layer ``L = 1 .. n_layers``: int32 wiring ``(n_luts, k)``,
    uint8 truth tables ``(n_luts, 2**k)`` and float64 training accuracy
    per lut. ``accuracy_0`` is the input layer's.
``output_counts``
    int64 ``(2**output_k, n_classes)`` class counts of the output lut.

Version 2 (the multi-class design, see :mod:`lutlearn.core.training`; used for
more than two classes, or two when ``n_output_luts`` is set) differs only in:

* ``params`` also holds ``n_output_luts``; every parameter is stored with
  its effective value (the defaults for the number of classes filled in);
* the last layer has ``n_output_luts`` luts: ``wires_L`` is
  ``(n_output_luts, output_k)`` and ``tables_L`` their majority classes;
* ``output_counts`` is int32 ``(n_output_luts, 2**output_k, n_classes)``;
* ``dichotomies_L`` for each hidden layer ``L``: uint8 ``(n_luts, n_classes)``,
  the side (0/1) of each class for each lut.

Two-class models are still written as version 1, readable by every lutlearn;
a lutlearn that only knows version 1 refuses a version 2 file with a clear
error.

Optional metadata keys, added compatibly to both versions (a lutlearn that
does not know them ignores them; files without them still load):

``estimator_params``
    The estimator's constructor parameters as they were given, before any
    default was filled in: ``k``, ``hidden_layers``, ``output_k``,
    ``n_output_luts`` (int, list of int or null), ``wiring`` (``"random"``
    or ``"greedy"``; absent in older files, meaning ``"random"``),
    ``wiring_candidates`` (int or null), ``random_state`` (int, or
    null when None or a ``RandomState``/``Generator`` instance, which cannot
    be stored), ``class_weight`` (null, ``"balanced"``, or a list of
    ``[label, weight]`` pairs), ``n_jobs`` and ``verbose``. ``load`` gives
    the estimator these parameters, so ``clone(load(f)).fit(X, y)`` builds
    the same network as the original estimator did. ``seed`` is the 63-bit
    network seed *drawn from* ``random_state`` at fit time; the wiring and
    every tie-break derive from it.
``weight_shift``
    Present (and non-zero) only for models fit with fractional sample
    weights: ``output_counts`` are in units of ``2**-weight_shift`` of a
    weight (see :mod:`lutlearn.core.training`).

Loading never unpickles and checks, in this order, raising
:class:`ModelFormatError` naming the file at the first problem:

* the path is a regular file (not a folder, FIFO or device);
* the zip directory: only ``<name>.npy`` entries, none repeated, none
  encrypted, each stored or deflated;
* ``meta`` (at most :data:`META_MAX_BYTES`): UTF-8 JSON without NaN or
  infinity, the format name and version, every key's type (integers are
  JSON integers: ``n_layers`` >= 1, ``n_features_in`` >= 1, ``seed`` in
  [0, 2**63); ``k`` and ``output_k`` in [1, 24]; widths >= 1),
  ``feature_names`` null or ``n_features_in`` strings, and the parameters
  build the architecture the layer count says;
* every entry's ``.npy`` header (dtype, C order, shape) and its size in the
  zip directory against the shape the metadata implies, *before* its data
  are decompressed; the total must fit in the memory available; data are
  read in chunks and hashed on the way (SHA-256 as in ``sha256``);
* the values: ``classes`` 2 to 255 unique, sorted (and finite) numbers or
  strings; accuracies in [0, 1]; wires inside the layer below and distinct
  within a lut (unless ``estimator_params`` says ``wiring`` is ``"greedy"``,
  which may repeat an input); hidden tables 0/1, output tables class
  indices; counts >= 0; dichotomies 0/1 with both sides non-empty.

So a truncated, corrupted, tampered or hostile file (a zip bomb included)
raises :class:`ModelFormatError` without running code or taking more memory
than the model it claims to be.

Pipeline files (:mod:`lutlearn.core.saving`) are archives of the same kind, read
by the same checked reader.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TypeVar

import numpy as np

from lutlearn._files import atomic_writer, require_regular_file
from lutlearn._version import __version__
from lutlearn.core._validation import available_memory
from lutlearn.core.model import LutNetwork, MajorityHead, VoteHead
from lutlearn.core.training import MAX_CLASSES, MAX_K, WIRINGS, Architecture

FORMAT = "lutlearn-network"
VERSION = 1
#: The version of multi-class model files.
MULTICLASS_VERSION = 2

T = TypeVar("T")


class ModelFormatError(ValueError):
    """A model file is not a valid lutlearn model (truncated, corrupted, tampered or foreign)."""


def _hasher(dtype: np.dtype, shape: tuple):
    """A SHA-256 fed with an array's dtype and shape, ready for its bytes (C order)."""
    h = hashlib.sha256()
    h.update(f"{dtype.str}|{tuple(shape)}|".encode())
    return h


def _digest(a: np.ndarray) -> str:
    h = _hasher(a.dtype, a.shape)
    h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


@dataclass
class StoredModel:
    """What a model file holds: the network and what the estimator adds to it."""

    network: LutNetwork
    classes: np.ndarray
    feature_names: np.ndarray | None
    params: dict
    #: The estimator's parameters as given (``estimator_params``), or None for files that predate them.
    given_params: dict | None = None


#: The estimator parameters ``estimator_params`` may hold.
GIVEN_PARAMS = (
    "k", "hidden_layers", "output_k", "n_output_luts", "wiring", "wiring_candidates", "output_bits", "learning_rate",
    "random_state", "class_weight", "n_jobs", "verbose",
)


def _json_scalar(v):
    """A label or weight as a JSON value (numpy scalars unwrapped); ValueError for anything else."""
    v = v.item() if isinstance(v, np.generic) else v
    if isinstance(v, (bool, int, float, str)):
        return v
    raise ValueError(f"cannot store {v!r} ({type(v).__name__}) in a model file")


def encode_given_params(params: dict) -> dict:
    """The estimator's parameters as given, as JSON values (see ``estimator_params`` above)."""
    out = {}
    for name in GIVEN_PARAMS:
        v = params.get(name)
        if name == "hidden_layers" and v is not None:
            v = [int(w) for w in v]
        elif name == "random_state":
            v = int(v) if isinstance(v, (int, np.integer)) and not isinstance(v, bool) else None
        elif name == "class_weight" and isinstance(v, dict):
            v = [[_json_scalar(label), float(w)] for label, w in v.items()]
        elif isinstance(v, np.integer):
            v = int(v)
        elif name == "learning_rate" and v is not None:
            v = float(v)
        out[name] = v
    return out


def decode_given_params(raw) -> dict:
    """Check and decode ``estimator_params``; ValueError if malformed."""
    if not isinstance(raw, dict) or not set(raw) <= set(GIVEN_PARAMS):
        raise ValueError("estimator_params is not a map of known parameters")
    out = {}
    for name in GIVEN_PARAMS:
        v = raw.get(name)
        if name == "hidden_layers":
            ok = v is None or (isinstance(v, list) and all(type(w) is int and w > 0 for w in v))
            v = None if v is None else tuple(v)
        elif name == "wiring":
            ok = v is None or v in WIRINGS
            v = v or "random"
        elif name == "k":
            ok = v is None or v == "auto" or type(v) is int
        elif name == "learning_rate":
            ok = v is None or (type(v) in (int, float) and 0 < v <= 1)
            v = 1.0 if v is None else float(v)  # files from before the parameter existed
        elif name == "class_weight":
            ok = v is None or v == "balanced" or (
                isinstance(v, list) and all(
                    isinstance(p, list) and len(p) == 2 and isinstance(p[1], (int, float)) for p in v
                )
            )
        else:
            ok = v is None or type(v) is int
        if not ok:
            raise ValueError(f"bad estimator_params[{name!r}]")
        out[name] = {label: float(w) for label, w in v} if name == "class_weight" and isinstance(v, list) else v
    out["verbose"] = out["verbose"] or 0
    out["output_bits"] = out["output_bits"] or 1  # files from before the parameter existed
    return out


def network_entries(network: LutNetwork, classes, feature_names, params: dict, given_params: dict | None = None):
    """The arrays and metadata a network is stored as (no ``format`` or ``sha256``): ``(arrays, meta)``."""
    classes = np.asarray(classes)
    if classes.dtype == object:
        try:
            classes = np.asarray(classes.tolist())
        except (TypeError, ValueError):
            pass
        if classes.dtype == object or classes.dtype.kind not in "biufU":
            raise ValueError(
                "cannot save class labels of this type without pickle; "
                "use integer or string labels."
            )
    multi = network.voting
    arrays: dict[str, np.ndarray] = {"classes": classes, "output_counts": network.head.counts}
    for layer, sides in enumerate(network.sides or [], start=1):
        arrays[f"dichotomies_{layer}"] = np.asarray(sides, dtype=np.uint8)
    for layer, acc in enumerate(network.accuracy):
        arrays[f"accuracy_{layer}"] = np.asarray(acc, dtype=np.float64)
    for layer, (w, t) in enumerate(zip(network.wires, network.tables), start=1):
        arrays[f"wires_{layer}"] = np.asarray(w, dtype=np.int32)
        arrays[f"tables_{layer}"] = np.asarray(t, dtype=np.uint8)
    meta = {
        "version": MULTICLASS_VERSION if multi else VERSION,
        "lutlearn_version": __version__,
        "params": {
            "k": int(params["k"]),
            "hidden_layers": [int(w) for w in params["hidden_layers"]],
            "output_k": None if params["output_k"] is None else int(params["output_k"]),
        },
        "n_features_in": int(network.n_inputs),
        "n_layers": network.n_layers,
        "seed": int(network.seed),
        "feature_names": None if feature_names is None else [str(n) for n in feature_names],
    }
    if multi:
        meta["params"]["n_output_luts"] = int(params["n_output_luts"])
    if given_params is not None:
        meta["estimator_params"] = encode_given_params(given_params)
    shift = getattr(network.head, "weight_shift", 0)
    if shift:
        meta["weight_shift"] = int(shift)
    if getattr(network.head, "rule", "log") == "sum":
        meta["vote_rule"] = "sum"
        meta["proba_scale"] = float(network.head.proba_scale)
    return arrays, meta


def write_archive(path, arrays: dict[str, np.ndarray], meta: dict) -> None:
    """Write ``arrays`` and JSON ``meta`` (to which the arrays' SHA-256 are added) as an ``.npz``, atomically."""
    arrays = {name: np.ascontiguousarray(a) for name, a in arrays.items()}  # read back in C order only
    meta = dict(meta, sha256={name: _digest(a) for name, a in arrays.items()})
    arrays = dict(arrays, meta=np.frombuffer(json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8))
    with atomic_writer(path) as fh:
        np.savez_compressed(fh, **arrays)


def write(path, network: LutNetwork, classes, feature_names, params: dict, given_params: dict | None = None) -> None:
    """Write a network with its labels, feature names and effective parameters to ``path`` atomically.

    ``params`` are the estimator's constructor parameters that define the
    model, with the defaults for the number of classes filled in (``k``,
    ``hidden_layers``, ``output_k``; ``n_output_luts`` for version 2);
    ``given_params`` the estimator's parameters as given (stored as
    ``estimator_params``). The file is written under a temporary name in the
    same folder and renamed into place, so an interrupted save never leaves a
    half-written model.
    """
    arrays, meta = network_entries(network, classes, feature_names, params, given_params)
    write_archive(path, arrays, dict(meta, format=FORMAT))


def _fail(path, why: str, what: str = "model"):
    raise ModelFormatError(f"{path}: not a valid lutlearn {what} file ({why})")


#: Largest ``meta`` and ``classes`` entries read (bytes, uncompressed): far
#: above what any model needs (a million feature names fit), far below harm.
META_MAX_BYTES = 64 << 20
CLASSES_MAX_BYTES = 16 << 20
def _normal_weight(total: int, shift: int) -> bool:
    """Whether ``total`` counts in units of ``2**-shift`` are a normal, finite float64 weight (what training
    can give: sample weights of normal floats)."""
    try:
        return math.ldexp(total, -shift) >= sys.float_info.min
    except OverflowError:
        return False


_CHUNK = 1 << 20
_NPY_HEADER_MAX = 10_000


def _show(value) -> str:
    """``repr(value)``, shortened: what a message quotes from a file."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _int(path, value, what: str, lo: int = 0, hi: int | None = None, kind: str = "model") -> int:
    """``value`` if it is a JSON integer in ``[lo, hi]``, else :class:`ModelFormatError`."""
    if isinstance(value, bool) or not isinstance(value, int) or value < lo or (hi is not None and value > hi):
        bounds = f"from {lo} to {hi}" if hi is not None else f">= {lo}"
        _fail(path, f"{what} must be an integer {bounds}, got {_show(value)}", kind)
    return value


def _members(zf: zipfile.ZipFile, path) -> dict[str, zipfile.ZipInfo]:
    """The archive's entries by array name, each checked to be a plain (stored or deflated) ``.npy`` entry."""
    members: dict[str, zipfile.ZipInfo] = {}
    for info in zf.infolist():
        name = info.filename
        if not name.endswith(".npy") or name[:-4] in members:
            _fail(path, f"unexpected or repeated entry {_show(name)} in the archive")
        if info.flag_bits & 0x1:
            _fail(path, f"entry '{name}' is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            _fail(path, f"entry '{name}' uses compression method {info.compress_type}; "
                        "model files are stored or deflated")
        members[name[:-4]] = info
    return members


def _read_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path, dtype_ok, shape_ok, max_bytes=None):
    """Read one ``.npy`` entry, checking its header before any of its data is decompressed.

    ``dtype_ok(dtype)`` and ``shape_ok(shape)`` say what the format allows;
    the entry's size declared in the zip directory must be exactly its
    header plus ``prod(shape) * itemsize`` (and at most ``max_bytes``), so
    nothing larger than the metadata implies is ever decompressed. The
    data are read in chunks into the final array while their digest (see
    :func:`_digest`) is computed. Returns ``(array, sha256 hex digest)``.
    """
    name = info.filename[:-4]
    if max_bytes is not None and info.file_size > max_bytes:
        _fail(path, f"entry '{name}' declares {info.file_size} bytes, more than the {max_bytes} allowed")
    with zf.open(info) as fh:
        version = np.lib.format.read_magic(fh)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh, max_header_size=_NPY_HEADER_MAX)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh, max_header_size=_NPY_HEADER_MAX)
        else:
            _fail(path, f"entry '{name}' has .npy format version {version}")
        if fortran or dtype.hasobject or not dtype_ok(dtype) or not shape_ok(shape):
            _fail(path, f"bad {name}: {dtype} array of shape {shape}{' (Fortran order)' if fortran else ''}")
        n_bytes = int(np.prod(shape, dtype=object)) * dtype.itemsize
        if info.file_size != fh.tell() + n_bytes:
            _fail(path, f"entry '{name}' declares {info.file_size} bytes but its header implies "
                        f"{fh.tell() + n_bytes}")
        out = np.empty(shape, dtype)
        flat = out.reshape(-1).view(np.uint8)
        digest = _hasher(dtype, shape)
        pos = 0
        while pos < n_bytes:
            chunk = fh.read(min(_CHUNK, n_bytes - pos))
            if not chunk:
                _fail(path, f"entry '{name}' is truncated")
            flat[pos:pos + len(chunk)] = np.frombuffer(chunk, np.uint8)
            digest.update(chunk)
            pos += len(chunk)
        if fh.read(1):  # also makes zipfile check the entry's CRC
            _fail(path, f"entry '{name}' is longer than its header says")
    return out, digest.hexdigest()


class Archive:
    """An open model or pipeline archive: its metadata, and its entries read on demand, each checked.

    :meth:`entry` reads one entry after checking its ``.npy`` header and its
    size in the zip directory against what the caller expects, then its
    SHA-256 against the metadata; :meth:`view` gives the entries under a
    name prefix (a pipeline's network).
    """

    def __init__(self, path: Path, zf: zipfile.ZipFile, members: dict, meta: dict, what: str, prefix: str = ""):
        self.path, self.meta, self.what = path, meta, what
        self._zf, self._members, self._prefix = zf, members, prefix

    def names(self) -> set[str]:
        """The entries' names (under this view's prefix, without it)."""
        n = len(self._prefix)
        return {name[n:] for name in self._members if name.startswith(self._prefix)}

    def view(self, prefix: str) -> "Archive":
        """The entries whose names start with ``prefix``, named without it."""
        return Archive(self.path, self._zf, self._members, self.meta, self.what, self._prefix + prefix)

    def fail(self, why: str):
        _fail(self.path, why, self.what)

    def entry(self, name: str, dtype_ok: Callable, shape_ok: Callable, max_bytes: int | None = None) -> np.ndarray:
        """Entry ``name``, read only if its dtype and shape are allowed; its checksum checked."""
        full = self._prefix + name
        if full not in self._members:
            self.fail(f"bad {full}: no such entry")
        try:
            a, digest = _read_entry(self._zf, self._members[full], self.path, dtype_ok, shape_ok, max_bytes)
        except ModelFormatError as exc:
            raise ModelFormatError(str(exc).replace("lutlearn model file", f"lutlearn {self.what} file")) from None
        if digest != self.meta["sha256"].get(full):
            self.fail(f"checksum mismatch in '{full}'")
        return a

    def exactly(self, name: str, dtype, shape) -> np.ndarray:
        """Entry ``name``, which must be of exactly this dtype and shape."""
        return self.entry(name, lambda d: d == dtype, lambda s: tuple(s) == tuple(shape))


def _parse_meta(path, raw: np.ndarray, formats: dict[str, tuple], what: str) -> dict:
    """The archive's JSON metadata: no NaN or infinity, a known format and version, a checksum map."""
    def no_constant(name):
        raise ValueError(f"{name} is not allowed")

    try:
        meta = json.loads(raw.tobytes().decode("utf-8"), parse_constant=no_constant)
    except RecursionError:
        _fail(path, "bad metadata: nested too deeply", what)
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError included
        _fail(path, f"bad metadata: {exc}", what)
    if not isinstance(meta, dict) or meta.get("format") not in formats:
        _fail(path, "wrong format name", what)
    versions = formats[meta["format"]]
    if meta.get("version") not in versions or isinstance(meta.get("version"), bool):
        _fail(
            path,
            f"format version {_show(meta.get('version'))}; this lutlearn reads versions "
            f"{' and '.join(str(v) for v in versions)}",
            what,
        )
    if not isinstance(meta.get("sha256"), dict):
        _fail(path, "incomplete metadata: 'sha256' must be a dict", what)
    return meta


def read_archive(path, formats: dict[str, tuple], read: Callable[[Archive], T], what: str = "model") -> T:
    """Open an archive written by :func:`write_archive` and return ``read(archive)``, every failure a ModelFormatError.

    ``formats`` maps each accepted format name to the versions this lutlearn
    reads. The zip directory and the metadata are checked first (see the
    module docstring); ``read`` takes the entries it expects through
    :meth:`Archive.entry`; entries it does not take are refused. Never
    unpickles.
    """
    path = require_regular_file(path, ModelFormatError)
    try:
        with open(path, "rb") as fh, zipfile.ZipFile(fh) as zf:
            members = _members(zf, path)
            if "meta" not in members:
                _fail(path, "no 'meta' entry", what)
            raw_meta, _ = _read_entry(zf, members.pop("meta"), path, lambda d: d == np.uint8,
                                      lambda s: len(s) == 1, META_MAX_BYTES)
            meta = _parse_meta(path, raw_meta, formats, what)
            if set(meta["sha256"]) != set(members):
                _fail(path, "the archive's entries do not match its metadata", what)
            return read(Archive(path, zf, members, meta, what))
    except ModelFormatError:
        raise
    except MemoryError:
        _fail(path, "too large for the memory available", what)
    except RecursionError:
        _fail(path, "nested too deeply", what)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        _fail(path, f"unreadable archive: {exc}", what)
    except Exception as exc:  # whatever a damaged file makes numpy or zipfile raise
        _fail(path, f"unreadable archive: {exc.__class__.__name__}: {exc}", what)


def read(path) -> StoredModel:
    """Read a model file written by :func:`write`, checking everything before trusting it.

    The zip directory is checked first (only stored or deflated ``.npy``
    entries, none encrypted), then the metadata (read with a size cap), then
    every entry's header and declared size against the shapes the metadata
    implies, before its data are decompressed; data are read in chunks and
    hashed on the way. Then every value range the format defines is
    checked (see the module docstring).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ModelFormatError
        If the file is not a complete, untampered lutlearn model of a known
        version, is not a regular file, or is too large for the memory
        available; the message names the file.
    """
    return read_archive(path, {FORMAT: (VERSION, MULTICLASS_VERSION)}, lambda a: network_from_archive(a, a.meta))


def _params(archive: Archive, meta: dict, multi: bool) -> dict:
    raw = meta["params"]
    if not isinstance(raw.get("hidden_layers"), list):
        archive.fail("bad parameters: params.hidden_layers must be a list")

    def param(name, hi=None, value=None):
        if value is None and name not in raw:
            archive.fail(f"bad parameters: no '{name}'")
        return _int(archive.path, raw[name] if value is None else value, f"bad parameters: {name}", 1, hi,
                    archive.what)

    return {
        "k": param("k", MAX_K),
        "hidden_layers": tuple(param("hidden_layers", None, w) for w in raw["hidden_layers"]),
        "output_k": None if raw.get("output_k", 0) is None else param("output_k", MAX_K),
        "n_output_luts": param("n_output_luts") if multi else None,
    }


@dataclass
class _NetworkMeta:
    """The checked metadata of a stored network (:func:`_network_meta`)."""

    multi: bool
    names: list | None
    n_layers: int
    n_features: int
    seed: int
    shift: int
    given: dict | None
    params: dict


def _network_meta(archive: Archive, meta: dict) -> _NetworkMeta:
    """The network's metadata checked: version, kinds of entries, counts, seed, weight shift and parameters."""
    path, what = archive.path, archive.what
    fail = archive.fail
    if not isinstance(meta, dict):
        fail("no network metadata")
    if meta.get("version") not in (VERSION, MULTICLASS_VERSION) or isinstance(meta.get("version"), bool):
        fail(f"network format version {_show(meta.get('version'))}")
    multi = meta["version"] == MULTICLASS_VERSION
    for key, kind in [("params", dict), ("lutlearn_version", str)]:
        if not isinstance(meta.get(key), kind):
            fail(f"incomplete metadata: '{key}' must be a {kind.__name__}")
    names = meta.get("feature_names")
    if names is not None and not (isinstance(names, list) and all(isinstance(n, str) for n in names)):
        fail("feature_names must be a list of strings or null")
    try:
        n_layers = _int(path, meta["n_layers"], "n_layers", 1, kind=what)
        n_features = _int(path, meta["n_features_in"], "n_features_in", 1, kind=what)
        seed = _int(path, meta["seed"], "seed", 0, 2**63 - 1, kind=what)
    except KeyError as exc:
        fail(f"incomplete metadata: no {exc}")
    shift = _int(path, meta.get("weight_shift", 0), "weight_shift", -1099, 1099, kind=what)
    try:
        given = None if meta.get("estimator_params") is None else decode_given_params(meta["estimator_params"])
    except ValueError as exc:
        fail(f"incomplete metadata: {exc}")
    params = _params(archive, meta, multi)
    return _NetworkMeta(multi, names, n_layers, n_features, seed, shift, given, params)


def _network_classes(archive: Archive, meta: dict, multi: bool) -> np.ndarray:
    """The ``classes`` entry checked: 2 to MAX_CLASSES (2 before the multi-class version), finite, sorted, unique."""
    fail = archive.fail
    classes = archive.entry("classes", lambda d: d.kind in "biufU",
                            lambda s: len(s) == 1 and 2 <= s[0] <= MAX_CLASSES, CLASSES_MAX_BYTES)
    n_classes = len(classes)
    if n_classes > 2 and not multi:
        fail(f"{n_classes} classes in a version {meta['version']} file")
    if classes.dtype.kind == "f" and not np.isfinite(classes).all():
        fail("classes must be finite numbers")
    if not np.array_equal(np.unique(classes), classes):
        fail("classes must be unique and sorted")
    return classes


def _network_layout(archive: Archive, m: _NetworkMeta, n_classes: int) -> tuple[list, list, tuple]:
    """The layer widths and lut sizes the parameters imply, and the output counts' (dtype, shape), checked
    against the layer count, the feature names, the memory available and the archive's entry names."""
    fail = archive.fail
    try:
        arch = Architecture.from_params(m.params, m.n_features, n_classes)
        widths, ks = arch.widths, arch.ks
    except (KeyError, TypeError, ValueError) as exc:
        fail(f"bad parameters: {exc}")
    if m.n_layers != len(ks):
        fail("layer count does not match the parameters")
    if m.names is not None and len(m.names) != m.n_features:
        fail(f"{len(m.names)} feature_names for {m.n_features} features")
    if m.multi:
        counts_spec = np.int32, (widths[-1], 1 << ks[-1], n_classes)
    else:
        counts_spec = np.int64, (1 << ks[-1], n_classes)
    implied = 8 * sum(widths) + sum(w * kl * 4 + (w << kl) for w, kl in zip(widths[1:], ks))
    implied += int(np.prod(counts_spec[1], dtype=object)) * np.dtype(counts_spec[0]).itemsize
    available = available_memory()
    if available is not None and implied > available:
        fail(f"its metadata implies {implied / 2**30:.1f} GiB of arrays, more than the "
             f"{available / 2**30:.1f} GiB of memory available")
    n_layers = m.n_layers
    expected = {"classes", "output_counts"} | {f"accuracy_{layer}" for layer in range(n_layers + 1)}
    expected |= {f"{kind}_{layer}" for kind in ("wires", "tables") for layer in range(1, n_layers + 1)}
    expected |= {f"dichotomies_{layer}" for layer in range(1, n_layers if m.multi else 1)}
    missing, extra = expected - archive.names(), archive.names() - expected
    if missing:
        fail(f"bad {min(missing)}: no such entry")
    if extra:
        fail(f"the archive's entries do not match its layers (unexpected {_show(min(extra))})")
    return widths, ks, counts_spec


def _network_layers(archive: Archive, m: _NetworkMeta, widths: list, ks: list, n_classes: int
                    ) -> tuple[list, list, list]:
    """Every layer's accuracies, wires and tables, checked: accuracies in [0, 1], wires within the layer
    below (distinct under random wiring), table entries within the classes (2 below the output layer)."""
    fail = archive.fail
    # random wiring gives every lut k distinct inputs; chosen ("greedy") wiring may repeat one when fewer suffice
    repeats_refused = m.given is None or m.given.get("wiring") in (None, "random")
    accuracy = []
    for layer in range(m.n_layers + 1):
        acc = archive.exactly(f"accuracy_{layer}", np.float64, (widths[layer],))
        if not np.all((acc >= 0) & (acc <= 1)):
            fail(f"accuracy_{layer} holds accuracies outside [0, 1]")
        accuracy.append(acc)
    wires, tables = [], []
    for layer in range(1, m.n_layers + 1):
        kl, width, below = ks[layer - 1], widths[layer], widths[layer - 1]
        w = archive.exactly(f"wires_{layer}", np.int32, (width, kl))
        if w.min() < 0 or w.max() >= below:
            fail(f"wires_{layer} point outside layer {layer - 1}")
        if repeats_refused and np.any(np.diff(np.sort(w, axis=1), axis=1) == 0):
            fail(f"wires_{layer} wire a lut twice to the same input (a lut's wires must be distinct)")
        t = archive.exactly(f"tables_{layer}", np.uint8, (width, 1 << kl))
        top = n_classes if layer == m.n_layers else 2
        if t.max() >= top:
            fail(f"tables_{layer} hold a class index out of range")
        wires.append(w)
        tables.append(t)
    return accuracy, wires, tables


def _network_head(archive: Archive, m: _NetworkMeta, widths: list, counts_spec: tuple, n_classes: int
                  ) -> tuple[np.ndarray, list]:
    """The output counts (non-negative) and, multi-class, every hidden layer's dichotomies (both sides used)."""
    fail = archive.fail
    counts = archive.exactly("output_counts", *counts_spec)
    if counts.min() < 0:
        fail("output_counts hold negative counts")
    total = int(counts[0].sum()) if m.multi else int(counts.sum())  # the training set's weight, in the counts' unit
    if m.shift and not _normal_weight(total, m.shift):
        fail(f"weight_shift {m.shift} puts the training set's total weight of {total} counts out of the float range "
             "(every vote would be 0 or infinite)")
    dichotomies = []
    for layer in range(1, m.n_layers if m.multi else 1):
        d = archive.exactly(f"dichotomies_{layer}", np.uint8, (widths[layer], n_classes))
        if not (np.all(d.min(axis=1) == 0) and np.all(d.max(axis=1) == 1)):
            fail(f"dichotomies_{layer} must put each class on side 0 or 1, both sides non-empty")
        dichotomies.append(d)
    return counts, dichotomies


def _network_vote(archive: Archive, meta: dict, m: _NetworkMeta, counts: np.ndarray):
    """The output head: the rule of a multi-class vote (``vote_rule``: "log", or "sum" for the boosted design,
    with its ``proba_scale`` and one vote per lut and pattern), checked."""
    fail = archive.fail
    rule = meta.get("vote_rule", "log")
    if rule not in ("log", "sum") or (rule == "sum" and not m.multi):
        fail(f"vote_rule {_show(rule)}: 'log', or 'sum' in a multi-class file")
    if rule == "log":
        return VoteHead(counts, m.shift) if m.multi else MajorityHead(counts, m.shift)
    scale = meta.get("proba_scale", 0.0)
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not (0 < scale < 1e6):
        fail(f"proba_scale {_show(scale)}: a positive number below 1e6")
    if counts.max() > 254 or np.any((counts > 0).sum(axis=2) > 1):
        fail("output_counts of the 'sum' rule hold one vote of at most 254 per lut and pattern")
    return VoteHead(counts, m.shift, "sum", float(scale))


def network_from_archive(archive: Archive, meta: dict) -> StoredModel:
    """The :class:`StoredModel` that :func:`network_entries` stored with metadata ``meta``, every entry checked.

    Every entry of ``archive`` must belong to the network. The checks, in
    order: the metadata (:func:`_network_meta`), the classes
    (:func:`_network_classes`), the layout and entry names
    (:func:`_network_layout`), the layers (:func:`_network_layers`), the
    output counts and dichotomies (:func:`_network_head`), the vote rule
    (:func:`_network_vote`).
    """
    m = _network_meta(archive, meta)
    classes = _network_classes(archive, meta, m.multi)
    n_classes = len(classes)
    widths, ks, counts_spec = _network_layout(archive, m, n_classes)
    accuracy, wires, tables = _network_layers(archive, m, widths, ks, n_classes)
    counts, dichotomies = _network_head(archive, m, widths, counts_spec, n_classes)
    head = _network_vote(archive, meta, m, counts)
    network = LutNetwork(
        n_inputs=m.n_features, n_classes=n_classes, seed=m.seed, wires=wires, tables=tables,
        head=head, accuracy=accuracy, sides=dichotomies if m.multi else None,
    )
    names = None if m.names is None else np.asarray(m.names, dtype=object)
    return StoredModel(network, classes, names, m.params, m.given)
