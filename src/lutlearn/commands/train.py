"""``lutlearn train``: fit a lut network on a named task or a data file and write a model file."""

from __future__ import annotations

import argparse
import contextlib
import warnings

from lutlearn.commands._common import add_data_args, add_network_args, check_outputs, make_classifier, timed
from lutlearn.commands._train_options import (
    add_train_options,
    class_weight,
    make_encoder,
    npz_weights,
    split_weight_column,
)

NAME = "train"
HELP = "train a network on a task or a data file and save the model"
EPILOG = """data files: .npz with arrays X and y; .npy or .csv with a label column (--label-column).
examples:
  lutlearn train --task binary-mnist --data-home ../shared/data -o mnist.lut.npz
  lutlearn train train.csv --test test.csv -k 6 --hidden-layers 3x256 -o model.npz
  lutlearn train --pla train.pla --valid valid.pla --test test.pla -k 4 --hidden-layers 2x64 -o model.npz
  lutlearn train chunks/ --dask local:2 -o model.npz   (a folder of .npy chunks, or a .zarr store)
  lutlearn train iris.csv --encoder thermometer --n-bits 16 --encoder-method quantile -k auto -o iris.npz
  lutlearn train data.csv --class-weight balanced --sample-weight-column weight -o model.npz
  lutlearn train data.zarr --dask tcp://scheduler:8786 -o model.npz
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "data", nargs="?",
        help="training data file (.npz/.npy/.csv), folder of .npy chunks or .zarr store, unless --task",
    )
    p.add_argument("--test", help="test data file (.npz/.npy/.csv/.pla), reported after training")
    p.add_argument("--pla", help="training examples as a single-output Espresso PLA file")
    p.add_argument("--valid", help="validation examples (with --pla), reported after training")
    p.add_argument("-o", "--output", required=True, help="model file to write (.npz)")
    p.add_argument("--report", action="store_true", help="print the per-layer accuracy table")
    p.add_argument("-v", "--verbose", action="store_true", help="one line per layer while training")
    add_data_args(p)
    add_network_args(p)
    add_train_options(p)
    g = p.add_argument_group("dask (pip install 'lutlearn[dask]')")
    g.add_argument(
        "--dask", metavar="ADDRESS",
        help="train on a Dask cluster: local:N (N local worker processes) or a scheduler address "
        "such as tcp://scheduler:8786",
    )
    g.add_argument(
        "--chunk-rows", type=int, default=100_000, metavar="N",
        help="rows per chunk when a single data file or --task goes to Dask (default 100000)",
    )


def load_training(args: argparse.Namespace):
    """``(X_train, y_train, X_test, y_test)`` from ``--task`` or the data files (test may be None)."""
    return load_training_named(args)[0]


def load_training_named(args: argparse.Namespace):
    """``((X_train, y_train, X_test, y_test), feature_names, sample_weight)``: :func:`load_training`'s data, the
    training CSV file's column names (None without a header; a test CSV file's columns are put in their order)
    and the ``--sample-weight-column`` (None without it). With ``--pla``, the test part is ``--test``
    (``--valid`` is read by :func:`load_validation`)."""
    from lutlearn.datasets.io import align_columns, read_csv, read_examples

    weight_column = getattr(args, "sample_weight_column", None)
    if weight_column is not None and (args.task or getattr(args, "pla", None)):
        raise ValueError("--sample-weight-column names a column of a training data file, not of --task or --pla")

    if getattr(args, "pla", None) or getattr(args, "valid", None):
        from lutlearn.datasets.pla import read_pla

        if args.task or args.data or not args.pla:
            raise ValueError("--pla takes the place of --task and a data file; --valid needs --pla")
        pla = read_pla(args.pla)
        Xt, yt = read_examples(args.test) if args.test else (None, None)
        _check_width(pla.X, Xt, args.pla, args.test)
        return (pla.X, pla.y, Xt, yt), None, None
    if args.task and args.data:
        raise ValueError("give either --task or a data file, not both")
    if args.task:
        from lutlearn.datasets import get_task

        t = get_task(args.task, data_home=args.data_home)
        return (t.X_train, t.y_train, t.X_test, t.y_test), None, None
    if not args.data:
        raise ValueError("no training data: give a data file or --task NAME")
    label_column = args.label_column or "last"

    def read(path, names=None):
        weights = None
        if str(path).lower().endswith(".csv"):
            X, y, found = read_csv(path, label_column)
            if weight_column is not None:
                X, found, weights = split_weight_column(path, X, found, weight_column, label_column)
            return align_columns(X, found, names, path), y, found, weights
        X, y = read_examples(path, label_column)
        if weight_column is not None and str(path).lower().endswith(".npz"):
            weights = npz_weights(path, weight_column)
        elif weight_column is not None:
            X, _, weights = split_weight_column(path, X, None, weight_column, label_column)
        return X, y, None, weights

    X, y, names, weights = read(args.data)
    if y is None:
        raise ValueError(f"{args.data}: training data needs labels")
    check_whole_labels(y, args.data)
    if weights is not None and len(weights) != len(y):
        raise ValueError(f"{args.data}: {len(weights)} weights for {len(y)} examples")
    Xt = yt = None
    if getattr(args, "test", None):
        Xt, yt, _, _ = read(args.test, names)
    return (X, y, Xt, yt), names, weights


def _check_width(X, X_other, train, other) -> None:
    if X_other is not None and X_other.shape[1:] != X.shape[1:]:
        raise ValueError(f"{other} has {X_other.shape[1]} inputs but {train} has {X.shape[1]}")


def load_validation(args: argparse.Namespace, X_train):
    """``(X_valid, y_valid)`` of ``--valid`` (None without it), checked to have ``X_train``'s width."""
    if not getattr(args, "valid", None):
        return None
    from lutlearn.datasets.io import read_examples

    Xv, yv = read_examples(args.valid)
    _check_width(X_train, Xv, args.pla, args.valid)
    return Xv, yv


def check_whole_labels(y, path) -> None:
    """ValueError naming ``path`` when float labels are whole numbers beyond 2**53 (``1e20``): a classifier cannot
    take them as classes (scikit-learn calls them 'continuous'), and floats that large cannot tell nearby labels
    apart."""
    import numpy as np

    y = np.asarray(y)
    if y.dtype.kind == "f":
        big = y[(np.abs(y) > 2.0**53) & (y == np.round(y))]
        if big.size:
            raise ValueError(f"{path}: labels such as {big[0]:g} are whole numbers beyond 2**53 written as floats, "
                             "which cannot be told apart exactly: write them as integers (digits only) or as text")


def run(args: argparse.Namespace) -> int:
    from lutlearn.datasets.io import is_chunked_source

    check_outputs([args.output], [args.data, args.test, args.pla, args.valid])
    encoder = make_encoder(args)
    if args.dask or is_chunked_source(args.data):
        if encoder is not None or args.sample_weight_column:
            raise ValueError("--encoder and --sample-weight-column read data in memory; for Dask, encode the data "
                             "into bits first (lutlearn.ThermometerEncoder) and pass weights from Python "
                             "(fit(X, y, sample_weight=...))")
        return run_dask(args)
    (X, y, Xt, yt), names, weights = load_training_named(args)
    valid = load_validation(args, X)
    clf = make_classifier(args, verbose=int(args.verbose))
    clf.set_params(class_weight=class_weight(args.class_weight, y))
    model = clf
    if encoder is not None:
        from sklearn.pipeline import make_pipeline

        model = make_pipeline(encoder, clf)
    fit_params = {} if weights is None else {"sample_weight" if encoder is None
                                             else "lutnetworkclassifier__sample_weight": weights}
    _, t_fit = timed(lambda: model.fit(X, y, **fit_params))
    shape = f"{X.shape[1]} bits" if encoder is None else (
        f"{X.shape[1]} features ({clf.n_features_in_} bits from the {args.encoder} encoder)")
    print(f"trained on {X.shape[0]} examples x {shape} in {t_fit:.3f} s")
    splits = [("validation", valid), ("test", None if Xt is None or yt is None else (Xt, yt))]
    held_out = [(what, model.score(*xy), len(xy[1])) for what, xy in splits if xy is not None]
    train_accuracy = model.score(X, y)
    if names is not None:  # the CSV header names the inputs: predict and evaluate order a CSV file's columns by them
        import numpy as np

        (model if encoder is None else model[0]).feature_names_in_ = np.asarray(names, dtype=object)
    return report_and_save(args, model, train_accuracy, held_out)


def report_and_save(args: argparse.Namespace, clf, train_accuracy: float, held_out=None) -> int:
    """Print the accuracies (and the layer table with ``--report``), write the model; the exit code.

    ``held_out`` lists ``(split name, accuracy, n_examples)`` of the validation and test data given.
    """
    print(f"training accuracy {train_accuracy:.4f}")
    for what, accuracy, n in held_out or ():
        print(f"{what} accuracy {accuracy:.4f} ({n} examples)")
    if args.report:
        print((clf[-1] if hasattr(clf, "steps") else clf).format_layer_report())
    if hasattr(clf, "steps"):  # an encoder and the network: a pipeline file
        from lutlearn.core.saving import save

        save(clf, args.output)
        print(f"pipeline ({type(clf[0]).__name__} and the network) written to {args.output}")
        return 0
    clf.save(args.output)
    print(f"model written to {args.output}")
    return 0


# ----------------------------------------------------------------- --dask
# Training on a Dask cluster, or on chunked data (a folder of .npy chunks, a Zarr store).


def _dask_data(path, args: argparse.Namespace):
    """``(X, y)`` as row-chunked Dask arrays from chunked data or any data file lutlearn reads."""
    import dask.array as da

    from lutlearn.datasets.io import is_chunked_source, read_chunked, read_examples

    label_column = args.label_column or "last"
    if is_chunked_source(path):
        X, y = read_chunked(path, label_column)
    else:
        X, y = read_examples(path, label_column)
    if y is None:
        raise ValueError(f"{path}: needs labels")
    if not isinstance(X, da.Array):
        X = da.from_array(X, chunks=(args.chunk_rows, -1))
        y = da.from_array(y, chunks=(args.chunk_rows,))
    return X, y


def load_dask_training(args: argparse.Namespace):
    """``(X_train, y_train, X_test, y_test)`` as Dask arrays (test may be None).

    Chunked data (a folder of ``.npy`` chunks, a Zarr store) stay lazy; anything
    else is read as ``lutlearn train`` reads it and cut into ``--chunk-rows`` chunks.
    """
    import dask.array as da

    from lutlearn.datasets.io import is_chunked_source

    if args.chunk_rows < 1:
        raise ValueError(f"--chunk-rows must be positive, not {args.chunk_rows}")
    if not (is_chunked_source(args.data) or is_chunked_source(args.test)):
        return tuple(
            None if a is None else da.from_array(a, chunks=(args.chunk_rows,) + (-1,) * (a.ndim - 1))
            for a in load_training(args)
        )
    if args.task or getattr(args, "pla", None):
        raise ValueError("give either --task, --pla or a data file, not several")
    if not args.data:
        raise ValueError("no training data: give a data file, a folder of .npy chunks or a .zarr store")
    X, y = _dask_data(args.data, args)
    Xt = yt = None
    if args.test:
        Xt, yt = _dask_data(args.test, args)
    return X, y, Xt, yt


def run_dask(args: argparse.Namespace) -> int:
    """Train as ``lutlearn train`` does, with every pass over the data on Dask."""
    import dask.array as da

    from lutlearn.core.scale import dask_client, score_dask

    X, y, Xt, yt = load_dask_training(args)
    clf = make_classifier(args, verbose=int(args.verbose))
    clf.set_params(class_weight=class_weight(args.class_weight, y))
    cluster = dask_client(args.dask) if args.dask else contextlib.nullcontext()
    with cluster as client, warnings.catch_warnings():
        # Data read on the client, and a large model (the voting design's counts),
        # go to the workers inside the task graph once, by design: not worth a warning.
        warnings.filterwarnings("ignore", message="Sending large graph", category=UserWarning)
        where = (
            "local threads" if client is None
            else f"{len(client.scheduler_info()['workers'])} workers at {client.scheduler.address}"
        )
        _, t_fit = timed(clf.fit, X, y)
        print(
            f"trained on {X.shape[0]} examples x {X.shape[1]} bits in {t_fit:.3f} s "
            f"on Dask ({where}, {X.numblocks[0]} chunks)"
        )
        valid = load_validation(args, X)
        splits = [("validation", valid and tuple(da.from_array(a, chunks=args.chunk_rows) for a in valid)),
                  ("test", None if Xt is None else (Xt, yt))]
        held_out = [(what, score_dask(clf, *xy), xy[0].shape[0]) for what, xy in splits if xy is not None]
        # The paper's network: its output lut's training accuracy is the network's (no extra pass over the
        # data); the voting head's takes one.
        net = clf.network_
        train_accuracy = score_dask(clf, X, y) if net.voting else float(net.accuracy[-1][0])
    return report_and_save(args, clf, train_accuracy, held_out)
