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

Version 2 (the multi-class design, see :mod:`lutlearn.training`; used for
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
    weight (see :mod:`lutlearn.training`).

Loading uses ``allow_pickle=False`` throughout and checks the format name,
version, checksums, shapes, dtypes and value ranges, so a truncated,
corrupted or tampered file raises :class:`ModelFormatError` and never runs
code.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lutlearn._files import atomic_writer
from lutlearn._version import __version__
from lutlearn.model import LutNetwork, MajorityHead, VoteHead
from lutlearn.training import WIRINGS, Architecture

FORMAT = "lutlearn-network"
VERSION = 1
#: The version of multi-class model files.
MULTICLASS_VERSION = 2


class ModelFormatError(ValueError):
    """A model file is not a valid lutlearn model (truncated, corrupted, tampered or foreign)."""


def _digest(a: np.ndarray) -> str:
    h = hashlib.sha256()
    h.update(f"{a.dtype.str}|{a.shape}|".encode())
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
    "k", "hidden_layers", "output_k", "n_output_luts", "wiring", "wiring_candidates", "random_state", "class_weight",
    "n_jobs", "verbose",
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
    return arrays, meta


def write_archive(path, arrays: dict[str, np.ndarray], meta: dict) -> None:
    """Write ``arrays`` and JSON ``meta`` (to which the arrays' SHA-256 are added) as an ``.npz``, atomically."""
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


def read_archive(path, formats: dict[str, tuple], what: str = "model") -> tuple[dict, dict[str, np.ndarray]]:
    """Open an archive written by :func:`write_archive`: ``(meta, arrays)``, checksums and format checked.

    ``formats`` maps each accepted format name to the versions this lutlearn
    reads. Never unpickles.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(2, "No such file or directory", str(path))
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError) as exc:
        _fail(path, f"unreadable archive: {exc}", what)
    if "meta" not in arrays:
        _fail(path, "no 'meta' entry", what)
    try:
        meta = json.loads(arrays.pop("meta").tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        _fail(path, f"bad metadata: {exc}", what)
    if not isinstance(meta, dict) or meta.get("format") not in formats:
        _fail(path, "wrong format name", what)
    versions = formats[meta["format"]]
    if meta.get("version") not in versions:
        _fail(
            path,
            f"format version {meta.get('version')!r}; this lutlearn reads versions "
            f"{' and '.join(str(v) for v in versions)}",
            what,
        )
    try:
        digests = dict(meta["sha256"])
    except (KeyError, TypeError, ValueError) as exc:
        _fail(path, f"incomplete metadata: {exc}", what)
    if set(digests) != set(arrays):
        _fail(path, "the archive's entries do not match its metadata", what)
    for name, a in arrays.items():
        if _digest(a) != digests[name]:
            _fail(path, f"checksum mismatch in '{name}'", what)
    return meta, arrays


def read(path) -> StoredModel:
    """Read a model file written by :func:`write`, checking everything before trusting it.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ModelFormatError
        If the file is not a complete, untampered lutlearn model of a known version.
    """
    meta, arrays = read_archive(path, {FORMAT: (VERSION, MULTICLASS_VERSION)})
    return network_from_entries(path, meta, arrays)


def network_from_entries(path, meta: dict, arrays: dict[str, np.ndarray], what: str = "model") -> StoredModel:
    """The :class:`StoredModel` that :func:`network_entries` stored, every entry checked (``path`` names errors)."""
    def _fail(path, why):  # the module's, naming what the file is
        raise ModelFormatError(f"{path}: not a valid lutlearn {what} file ({why})")

    if meta.get("version") not in (VERSION, MULTICLASS_VERSION):
        _fail(path, f"network format version {meta.get('version')!r}")
    multi = meta["version"] == MULTICLASS_VERSION
    try:
        params = meta["params"]
        n_layers = int(meta["n_layers"])
        n_features = int(meta["n_features_in"])
        seed = int(meta["seed"])
        shift = int(meta.get("weight_shift", 0))
        given = None if meta.get("estimator_params") is None else decode_given_params(meta["estimator_params"])
    except (KeyError, TypeError, ValueError) as exc:
        _fail(path, f"incomplete metadata: {exc}")
    if not -1100 < shift < 1100:
        _fail(path, "bad weight_shift")

    classes = arrays.get("classes")
    if classes is None or classes.ndim != 1 or len(classes) < 2 or classes.dtype.kind not in "biufU":
        _fail(path, "bad classes")
    n_classes = len(classes)
    if n_classes > 2 and not multi:
        _fail(path, f"{n_classes} classes in a version {meta['version']} file")
    try:
        params = {
            "k": int(params["k"]),
            "hidden_layers": tuple(int(w) for w in params["hidden_layers"]),
            "output_k": None if params["output_k"] is None else int(params["output_k"]),
            "n_output_luts": int(params["n_output_luts"]) if multi else None,
        }
        arch = Architecture.from_params(params, n_features, n_classes)
        widths, ks = arch.widths, arch.ks
    except (KeyError, TypeError, ValueError) as exc:
        _fail(path, f"bad parameters: {exc}")
    if n_layers != len(ks):
        _fail(path, "layer count does not match the parameters")
    wires, tables, accuracy = [], [], []
    for layer in range(n_layers + 1):
        acc = arrays.get(f"accuracy_{layer}")
        if acc is None or acc.dtype != np.float64 or acc.shape != (widths[layer],):
            _fail(path, f"bad accuracy_{layer}")
        accuracy.append(acc)
    for layer in range(1, n_layers + 1):
        w = arrays.get(f"wires_{layer}")
        t = arrays.get(f"tables_{layer}")
        kl, width, below = ks[layer - 1], widths[layer], widths[layer - 1]
        if w is None or w.dtype != np.int32 or w.shape != (width, kl):
            _fail(path, f"bad wires_{layer}")
        if w.min() < 0 or w.max() >= below:
            _fail(path, f"wires_{layer} point outside layer {layer - 1}")
        if t is None or t.dtype != np.uint8 or t.shape != (width, 1 << kl):
            _fail(path, f"bad tables_{layer}")
        if t.max() >= n_classes:
            _fail(path, f"tables_{layer} hold a class index out of range")
        wires.append(np.ascontiguousarray(w))
        tables.append(np.ascontiguousarray(t))
    counts = arrays.get("output_counts")
    if multi:
        shape, dtype = (widths[-1], 1 << ks[-1], n_classes), np.int32
    else:
        shape, dtype = (1 << ks[-1], n_classes), np.int64
    if counts is None or counts.dtype != dtype or counts.shape != shape or counts.min() < 0:
        _fail(path, "bad output_counts")
    dichotomies = []
    for layer in range(1, n_layers if multi else 1):
        d = arrays.get(f"dichotomies_{layer}")
        if d is None or d.dtype != np.uint8 or d.shape != (widths[layer], n_classes) or d.max() > 1:
            _fail(path, f"bad dichotomies_{layer}")
        dichotomies.append(d)

    names = meta.get("feature_names")
    head = VoteHead(counts, shift) if multi else MajorityHead(counts, shift)
    network = LutNetwork(
        n_inputs=n_features, n_classes=n_classes, seed=seed, wires=wires, tables=tables,
        head=head, accuracy=accuracy, sides=dichotomies if multi else None,
    )
    names = None if names is None else np.asarray(names, dtype=object)
    return StoredModel(network, classes, names, params, given)
