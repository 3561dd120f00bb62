"""``lutlearn evaluate``: accuracy of a saved model, or of an AIGER circuit, on labelled data."""

from __future__ import annotations

import argparse

from lutlearn.commands._common import (
    add_data_args,
    check_known_labels,
    is_aiger,
    load_model,
    predict_unnamed,
    read_model_inputs,
    timed,
)

NAME = "evaluate"
HELP = "accuracy of a model file or an AIGER circuit on labelled data (a file or a task's test set)"
EPILOG = """examples:
  lutlearn evaluate model.npz test.csv
  lutlearn evaluate model.npz test.pla
  lutlearn evaluate model.npz --task binary-mnist --data-home ../shared/data
  lutlearn evaluate circuit.aig test.pla      (also prints the circuit's AND gates and levels)
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="model file written by lutlearn train, a pipeline file (lutlearn.save), "
                                 "or a single-output AIGER circuit (.aig/.aag)")
    p.add_argument("data", nargs="?", help="labelled data file (.npz/.npy/.csv/.pla), unless --task")
    add_data_args(p)


def _labelled_data(args: argparse.Namespace, read):
    """``(X, y)`` of ``--task``'s test set or of the data file (through ``read(path, label_column)``)."""
    if args.task:
        from lutlearn.datasets import get_task

        t = get_task(args.task, data_home=args.data_home)
        return t.X_test, t.y_test
    if not args.data:
        raise ValueError("no data: give a data file or --task NAME")
    X, y = read(args.data, args.label_column or "last")
    if y is None:
        raise ValueError(f"{args.data}: evaluation needs labels")
    return X, y


def run(args: argparse.Namespace) -> int:
    if is_aiger(args.model):
        return run_circuit(args)
    model = load_model(args.model)
    X, y = _labelled_data(args, lambda path, label_column: read_model_inputs(model, path, label_column))
    check_known_labels(model, y, args.task or args.data)
    pred, secs = timed(predict_unnamed, model, X)
    print(f"accuracy {float((pred == y).mean()):.4f} on {len(y)} examples ({secs:.4f} s)")
    return 0


def run_circuit(args: argparse.Namespace) -> int:
    """Accuracy, AND gates and levels of a single-output AIGER circuit on 0/1 examples with 0/1 labels."""
    import numpy as np

    from lutlearn.datasets.io import read_examples
    from lutlearn.export.aiger import read_aiger

    aig = read_aiger(args.model)
    where = args.task or args.data
    if len(aig.outputs) != 1:
        raise ValueError(f"{args.model}: the circuit has {len(aig.outputs)} outputs; evaluate scores "
                         "single-output circuits (as a PLA file of examples has one output)")
    X, y = _labelled_data(args, read_examples)
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != aig.n_inputs:
        raise ValueError(f"{args.model} reads {aig.n_inputs} inputs but the examples of {where} have "
                         f"{X.shape[1] if X.ndim == 2 else X.shape}")
    for values, what in ((X, "inputs"), (y, "labels")):
        if not np.isin(values, (0, 1)).all():
            raise ValueError(f"{where}: a circuit needs 0/1 {what}; found {np.unique(values)[:5].tolist()}")
    pred, secs = timed(aig.evaluate, X)
    print(f"accuracy {float((pred[:, 0] == y).mean()):.4f} on {len(y)} examples ({secs:.4f} s)")
    print(f"circuit: {aig.n_inputs} inputs, {aig.n_ands} AND gates, {aig.levels} levels")
    return 0
