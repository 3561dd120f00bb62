"""``lutlearn evaluate``: accuracy of a saved model on labelled data."""

from __future__ import annotations

import argparse

from lutlearn.commands._common import add_data_args, check_known_labels, predict_unnamed, read_model_inputs, timed

NAME = "evaluate"
HELP = "accuracy of a model file on labelled data (a file or a task's test set)"
EPILOG = """examples:
  lutlearn evaluate model.npz test.csv
  lutlearn evaluate model.npz --task binary-mnist --data-home ../shared/data
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="model file written by lutlearn train, or a pipeline file (lutlearn.save)")
    p.add_argument("data", nargs="?", help="labelled data file (.npz/.npy/.csv), unless --task")
    add_data_args(p)


def run(args: argparse.Namespace) -> int:
    from lutlearn.saving import load

    model = load(args.model)
    if args.task:
        from lutlearn.datasets import get_task

        t = get_task(args.task, data_home=args.data_home)
        X, y = t.X_test, t.y_test
    elif args.data:
        X, y = read_model_inputs(model, args.data, args.label_column or "last")
        if y is None:
            raise ValueError(f"{args.data}: evaluation needs labels")
    else:
        raise ValueError("no data: give a data file or --task NAME")
    check_known_labels(model, y, args.task or args.data)
    pred, secs = timed(predict_unnamed, model, X)
    print(f"accuracy {float((pred == y).mean()):.4f} on {len(y)} examples ({secs:.4f} s)")
    return 0
