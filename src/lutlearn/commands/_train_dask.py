"""``lutlearn train --dask``: training on a Dask cluster, or on chunked data (a folder of ``.npy`` chunks, a Zarr store)."""

from __future__ import annotations

import argparse
import contextlib

from lutlearn.commands._common import make_classifier, timed


def _dask_data(path, args: argparse.Namespace):
    """``(X, y)`` as row-chunked Dask arrays from chunked data or any data file lutlearn reads."""
    import dask.array as da

    from lutlearn.io import read_examples
    from lutlearn.scale import is_chunked_source, read_chunked

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

    from lutlearn.commands.train import load_training
    from lutlearn.scale import is_chunked_source

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
    from lutlearn.commands.train import report_and_save
    from lutlearn.scale import dask_client, score_dask

    import warnings

    # Data read on the client, and a large model (the voting design's counts),
    # go to the workers inside the task graph once, by design: not worth a warning.
    warnings.filterwarnings("ignore", message="Sending large graph", category=UserWarning)
    X, y, Xt, yt = load_dask_training(args)
    clf = make_classifier(args, verbose=int(args.verbose))
    cluster = dask_client(args.dask) if args.dask else contextlib.nullcontext()
    with cluster as client:
        where = "local threads" if client is None else f"{len(client.scheduler_info()['workers'])} workers at {client.scheduler.address}"
        _, t_fit = timed(clf.fit, X, y)
        print(
            f"trained on {X.shape[0]} examples x {X.shape[1]} bits in {t_fit:.3f} s "
            f"on Dask ({where}, {X.numblocks[0]} chunks)"
        )
        held_out = None if Xt is None else (score_dask(clf, Xt, yt), Xt.shape[0])
        if clf.output_counts_.ndim == 3:  # voting: the network's accuracy takes one more pass
            train_accuracy = score_dask(clf, X, y)
        else:  # the output lut's training accuracy is the network's: no extra pass over the data
            train_accuracy = clf.lut_accuracy_[-1][0]
    return report_and_save(args, clf, train_accuracy, held_out)
