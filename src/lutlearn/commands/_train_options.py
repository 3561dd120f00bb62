"""``lutlearn train``'s options beyond the network: an input encoder, class weights, a sample-weight column.

They are the command-line forms of :class:`~lutlearn.ThermometerEncoder`,
:class:`~lutlearn.ThresholdBinarizer` (put before the network in a pipeline,
saved as a pipeline file), ``LutNetworkClassifier(class_weight=...)`` and
``fit(X, y, sample_weight=...)``.
"""

from __future__ import annotations

import argparse

import numpy as np


def _thresholds(text: str):
    """``--threshold``: one number, or one per feature (or per channel) separated by commas."""
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number or comma-separated numbers, got {text!r}") from None
    return values[0] if len(values) == 1 else values


def add_train_options(p: argparse.ArgumentParser) -> None:
    """Add the encoder and weight options of ``lutlearn train``."""
    g = p.add_argument_group(
        "input encoder (real-valued features to bits; the model is then saved as a pipeline file)")
    g.add_argument("--encoder", choices=("thermometer", "threshold"),
                   help="thermometer: --n-bits bits per feature (ThermometerEncoder); threshold: one bit per "
                        "feature, 1 above --threshold (ThresholdBinarizer). Default: none, the data are bits")
    g.add_argument("--n-bits", type=int, default=None, metavar="N",
                   help="thermometer: bits (thresholds) per feature (default 8)")
    g.add_argument("--encoder-method", choices=("uniform", "quantile"), default=None,
                   help="thermometer: thresholds evenly over each feature's training range (uniform, default) or "
                        "at its training quantiles")
    g.add_argument("--threshold", type=_thresholds, default=None, metavar="T",
                   help="threshold: values above T become 1 (default 127); T1,T2,... gives one per feature, or one "
                        "per channel with --n-channels")
    g.add_argument("--n-channels", type=int, default=None, metavar="C",
                   help="the features are C colour channels: thermometer thresholds per channel, or one --threshold "
                        "per channel")
    g.add_argument("--channel-layout", choices=("planar", "interleaved"), default=None,
                   help="with --n-channels: channel after channel (planar, default) or RGBRGB... (interleaved)")
    w = p.add_argument_group("weights")
    w.add_argument("--class-weight", metavar="WEIGHTS",
                   help="'balanced' (classes weighted inversely to their frequency) or LABEL=W,LABEL=W,... "
                        "(missing classes weigh 1); multiplied with the sample weights")
    w.add_argument("--sample-weight-column", metavar="COLUMN",
                   help="a column of the training file holding each example's weight (a name from the CSV header "
                        "or an index; for .npz the name of an array); it is not an input. A --test file's same "
                        "column is dropped too")


def make_encoder(args: argparse.Namespace):
    """The encoder ``--encoder`` and its options describe (None without ``--encoder``); ValueError for an option
    of the other encoder."""
    from lutlearn.core.encoders import ThermometerEncoder, ThresholdBinarizer

    given = {name: getattr(args, name, None) for name in ("n_bits", "encoder_method", "threshold", "n_channels",
                                                           "channel_layout")}
    belongs = {"thermometer": ("n_bits", "encoder_method", "n_channels", "channel_layout"),
               "threshold": ("threshold", "n_channels", "channel_layout")}
    stray = [name for name, value in given.items() if value is not None
             and name not in belongs.get(args.encoder or "", ())]
    if stray:
        flags = ", ".join("--" + name.replace("_", "-") for name in stray)
        raise ValueError(f"{flags}: an option of --encoder thermometer or threshold, which is not given"
                         if args.encoder is None else f"{flags}: not an option of --encoder {args.encoder}")
    channels = {k: v for k, v in (("n_channels", given["n_channels"]), ("channel_layout", given["channel_layout"]))
                if v is not None}
    if args.encoder == "thermometer":
        options = {k: v for k, v in (("n_bits", given["n_bits"]), ("method", given["encoder_method"]))
                   if v is not None}
        return ThermometerEncoder(**options, **channels)
    if args.encoder == "threshold":
        return ThresholdBinarizer(**({} if given["threshold"] is None else {"threshold": given["threshold"]}),
                                  **channels)
    return None


def class_weight(text: str | None, y):
    """``--class-weight`` for the labels ``y``: None, ``"balanced"`` or a dict whose keys are labels of ``y``'s
    kind (``3=2`` is the class 3 of numeric labels, the class ``"3"`` of text labels)."""
    if text is None or text == "balanced":
        return text
    weights = {}
    numeric = np.asarray(y).dtype.kind in "iufb"
    for item in text.split(","):
        label, sep, weight = item.partition("=")
        try:
            if not sep or not label.strip():
                raise ValueError
            value = float(weight)
            key = label.strip()
            if numeric:
                key = float(key)
                key = int(key) if key == int(key) else key
        except ValueError:
            raise ValueError(f"--class-weight: expected 'balanced' or LABEL=WEIGHT,... (numbers), got {item!r}") \
                from None
        weights[key] = value
    unknown = [k for k in weights if k not in set(np.unique(y).tolist())]
    if unknown:
        raise ValueError(f"--class-weight: {', '.join(map(repr, unknown))} not among the training labels")
    return weights


def split_weight_column(path, X, names, column: str, label_column) -> tuple:
    """``(X, names, weights)``: the ``--sample-weight-column`` taken out of ``X`` (read from ``path`` without its
    label column) and its names. ``column`` is a name of the CSV header, or an index among the file's columns
    (label included, as ``--label-column`` counts)."""
    if names is not None and column in names:
        j = names.index(column)
    else:
        try:
            i = int(column)
        except ValueError:
            raise ValueError(f"{path}: no column named {column!r}" + ("" if names else " (the file has no header)")) \
                from None
        width = X.shape[1] + (label_column is not None)
        if not -width <= i < width:
            raise ValueError(f"{path}: weight column {i} is out of range for {width} columns")
        i %= width
        label = None
        if label_column is not None:
            label = {"last": width - 1, "first": 0}.get(label_column)
            if label is None:
                label = int(label_column) % width if str(label_column).lstrip("-").isdigit() else None
        if label is not None and i == label:
            raise ValueError(f"{path}: column {i} is the label column, not a weight column")
        j = i - (label is not None and label < i)
    weights = np.asarray(X[:, j], dtype=np.float64)
    if not np.all(np.isfinite(weights)) or (weights < 0).any():
        raise ValueError(f"{path}: the weights (column {column!r}) must be finite and not negative")
    X = np.delete(X, j, axis=1)
    return X, None if names is None else [n for k, n in enumerate(names) if k != j], weights


def npz_weights(path, column: str):
    """The array ``column`` of an ``.npz`` file, as sample weights."""
    with np.load(path, allow_pickle=False) as f:
        if column not in f.files:
            raise ValueError(f"{path}: no array named {column!r} (it holds {', '.join(f.files)})")
        weights = np.asarray(f[column], dtype=np.float64)
    if weights.ndim != 1 or not np.all(np.isfinite(weights)) or (weights < 0).any():
        raise ValueError(f"{path}: {column!r} must be one finite, non-negative weight per example")
    return weights
