"""Saving and loading fitted encoders, networks and pipelines of them, in one safe format (never pickle).

:func:`save` writes a fitted :class:`~lutlearn.LutNetworkClassifier` as a
model file (format ``lutlearn-network``, see :mod:`lutlearn.core.persistence`),
and a fitted :class:`~lutlearn.ThresholdBinarizer`,
:class:`~lutlearn.ThermometerEncoder`, or a :class:`sklearn.pipeline.Pipeline`
of such encoders optionally ending with a network, as a pipeline file;
:func:`load` reads either and returns what was saved.

Pipeline file format ``lutlearn-pipeline``, version 1: an ``.npz`` archive
written and checked exactly like model files (:func:`numpy.savez_compressed`,
a JSON ``meta`` entry with the SHA-256 of every other array, read with
``allow_pickle=False``). ``meta`` holds ``format``, ``version``,
``lutlearn_version``, ``sha256``, ``steps`` and, when the last step is a
network, ``network``. ``steps`` is a list with one entry per step:

``name``
    The step's name in the pipeline (for a lone encoder: its class name in
    lower case).
``class``
    ``"ThresholdBinarizer"``, ``"ThermometerEncoder"`` or
    ``"LutNetworkClassifier"``; nothing else is accepted.
``params``
    An encoder's constructor parameters (``threshold`` a number or a list
    of numbers; ``n_bits``, ``method``, ``n_channels``, ``channel_layout``),
    checked by the encoder's own parameter validation on load.
``n_features_in``, ``feature_names_in``
    What the encoder was fit on (int; list of str or null).
``integer_features`` (optional)
    Whether every value the encoder was fit on was a whole number (bool;
    absent in files written before it was recorded). Export checks it.

Arrays: ``step<i>.thresholds`` (float64, finite) holds encoder ``i``'s
fitted thresholds, shape ``(n_features_in,)`` for a ThresholdBinarizer and
``(n_features_in, n_bits)`` for a ThermometerEncoder; ``network.<name>`` the
network's arrays under their model-file names, and ``meta["network"]`` its
model-file metadata (:mod:`lutlearn.core.persistence`). On load every entry is
checked (checksums, shapes, dtypes, values, parameters) and so is the chain:
each step must read as many features as the previous one writes. A truncated,
corrupted or tampered file raises :class:`lutlearn.ModelFormatError`.
"""

from __future__ import annotations

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from lutlearn._version import __version__
from lutlearn.core import persistence
from lutlearn.core.encoders import ThermometerEncoder, ThresholdBinarizer
from lutlearn.core.estimator import LutNetworkClassifier, from_stored
from lutlearn.core.persistence import ModelFormatError

__all__ = ["PIPELINE_FORMAT", "PIPELINE_VERSION", "load", "save"]

PIPELINE_FORMAT = "lutlearn-pipeline"
PIPELINE_VERSION = 1

_ENCODERS = {"ThresholdBinarizer": ThresholdBinarizer, "ThermometerEncoder": ThermometerEncoder}


def _steps_of(obj) -> list[tuple[str, object]]:
    if isinstance(obj, Pipeline):
        return list(obj.steps)
    return [(type(obj).__name__.lower(), obj)]


def _check_savable(steps) -> None:
    for i, (name, step) in enumerate(steps):
        network_ok = isinstance(step, LutNetworkClassifier) and i == len(steps) - 1
        if type(step).__name__ not in _ENCODERS and not network_ok:
            where = "the last step" if isinstance(step, LutNetworkClassifier) else f"step {name!r}"
            raise ValueError(
                f"cannot save {type(step).__name__} ({where}) without pickle: lutlearn saves ThresholdBinarizer "
                "and ThermometerEncoder steps, optionally followed by a LutNetworkClassifier as the last step."
            )
        check_is_fitted(step)


def _json_threshold(t):
    a = np.asarray(t, dtype=np.float64)
    return float(a) if a.ndim == 0 else a.tolist()


def save(obj, path) -> None:
    """Save a fitted network, encoder, or pipeline of lutlearn encoders and a network, without pickle.

    A :class:`~lutlearn.LutNetworkClassifier` is written as a model file
    (:meth:`~lutlearn.LutNetworkClassifier.save`); anything else as a pipeline
    file (see the module docstring). The file is written atomically.

    Raises
    ------
    ValueError
        For a step that cannot be saved safely (anything but lutlearn's
        encoders and, last, a network).
    sklearn.exceptions.NotFittedError
        If a step is not fitted.
    """
    if isinstance(obj, LutNetworkClassifier):
        obj.save(path)
        return
    steps = _steps_of(obj)
    _check_savable(steps)
    arrays: dict[str, np.ndarray] = {}
    entries = []
    meta: dict = {"format": PIPELINE_FORMAT, "version": PIPELINE_VERSION, "lutlearn_version": __version__}
    for i, (name, step) in enumerate(steps):
        entry = {"name": str(name), "class": type(step).__name__}
        if isinstance(step, LutNetworkClassifier):
            net_arrays, net_meta = persistence.network_entries(
                step.network_, step.classes_, getattr(step, "feature_names_in_", None),
                step._effective_params(len(step.classes_)), step.get_params(),
            )
            arrays.update({f"network.{k}": v for k, v in net_arrays.items()})
            meta["network"] = net_meta
        else:
            params = step.get_params()
            if "threshold" in params:
                params["threshold"] = _json_threshold(params["threshold"])
            names = getattr(step, "feature_names_in_", None)
            entry.update(
                params=params, n_features_in=int(step.n_features_in_),
                feature_names_in=None if names is None else [str(n) for n in names],
            )
            if getattr(step, "integer_features_", None) is not None:
                entry["integer_features"] = bool(step.integer_features_)
            arrays[f"step{i}.thresholds"] = np.asarray(step.thresholds_, dtype=np.float64)
        entries.append(entry)
    meta["steps"] = entries
    persistence.write_archive(path, arrays, meta)


def _fail(path, why: str):
    raise ModelFormatError(f"{path}: not a valid lutlearn pipeline file ({why})")


def _encoder(path, i: int, entry: dict, archive):
    cls = _ENCODERS[entry["class"]]
    try:
        enc = cls(**entry["params"])
        enc._validate_params()
        n_in = entry["n_features_in"]
        names = entry["feature_names_in"]
        if type(n_in) is not int or n_in < 1:
            raise ValueError("bad n_features_in")
        if names is not None and (
            not isinstance(names, list) or len(names) != n_in or not all(isinstance(n, str) for n in names)
        ):
            raise ValueError("bad feature_names_in")
        integral = entry.get("integer_features")
        if integral is not None and not isinstance(integral, bool):
            raise ValueError("bad integer_features")
    except (KeyError, TypeError, ValueError) as exc:
        _fail(path, f"step {i} ({entry.get('class')}): {exc}")
    shape = (n_in,) if cls is ThresholdBinarizer else (n_in, enc.n_bits)
    t = archive.exactly(f"step{i}.thresholds", np.float64, shape)
    if not np.isfinite(t).all():
        _fail(path, f"bad step{i}.thresholds")
    enc.thresholds_ = t
    enc.n_features_in_ = n_in
    if integral is not None:
        enc.integer_features_ = integral
    if names is not None:
        enc.feature_names_in_ = np.asarray(names, dtype=object)
    n_out = n_in if cls is ThresholdBinarizer else n_in * enc.n_bits
    return enc, n_out


def _read_pipeline(archive):
    path, meta = archive.path, archive.meta
    raw = meta.get("steps")
    if not isinstance(raw, list) or not raw or not all(isinstance(e, dict) for e in raw):
        _fail(path, "no steps")
    steps, width, expected = [], None, set()
    for i, entry in enumerate(raw):
        kind, name = entry.get("class"), entry.get("name")
        if not isinstance(name, str):
            _fail(path, f"step {i} has no name")
        if kind == "LutNetworkClassifier" and i == len(raw) - 1:
            if not isinstance(meta.get("network"), dict):
                _fail(path, "no network metadata")
            step = from_stored(persistence.network_from_archive(archive.view("network."), meta["network"]))
            expected |= {f"network.{n}" for n in archive.view("network.").names()}
            n_in = step.n_features_in_
        elif kind in _ENCODERS:
            expected.add(f"step{i}.thresholds")
            step, n_out = _encoder(path, i, entry, archive)
            n_in = step.n_features_in_
        else:
            _fail(path, f"step {i} is of unknown class {kind!r}")
        if width is not None and n_in != width:
            _fail(path, f"step {i} reads {n_in} features but the step before writes {width}")
        width = n_out if kind in _ENCODERS else None
        steps.append((name, step))
    if archive.names() != expected:
        _fail(path, "the archive's entries do not match its steps")
    if len(steps) == 1 and not isinstance(steps[0][1], LutNetworkClassifier):
        return steps[0][1]
    try:
        return Pipeline(steps)
    except (TypeError, ValueError) as exc:
        _fail(path, str(exc))


def load(path):
    """Read a model file or a pipeline file, checking everything before trusting it; never unpickles.

    Returns
    -------
    LutNetworkClassifier, ThresholdBinarizer, ThermometerEncoder or sklearn.pipeline.Pipeline
        What :func:`save` (or :meth:`LutNetworkClassifier.save`) wrote.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ModelFormatError
        If the file is not a complete, untampered lutlearn model or pipeline of a known version.
    """
    formats = {
        persistence.FORMAT: (persistence.VERSION, persistence.MULTICLASS_VERSION),
        PIPELINE_FORMAT: (PIPELINE_VERSION,),
    }
    def read(archive):
        if archive.meta["format"] == persistence.FORMAT:
            return from_stored(persistence.network_from_archive(archive, archive.meta))
        return _read_pipeline(archive)

    return persistence.read_archive(path, formats, read, "model or pipeline")


def network_of(obj) -> LutNetworkClassifier | None:
    """The network at the end of a loaded object (itself, a pipeline's last step), or None."""
    last = obj.steps[-1][1] if isinstance(obj, Pipeline) else obj
    return last if isinstance(last, LutNetworkClassifier) else None
