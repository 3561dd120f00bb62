"""``lutlearn pla``: write examples of a known function or a named task as PLA files."""

from __future__ import annotations

import argparse

NAME = "pla"
HELP = "write train/valid PLA files from a known function or a named task"
EPILOG = """sources: parity:N, majority:N, comparator:N (N even; first half > second half as
binary numbers), or a task name (binary-digits, pairwise-mnist:3-8, ...), whose
training split gives PREFIX.train.pla and whose test split gives PREFIX.valid.pla.
examples:
  lutlearn pla majority:15 -o maj15 --n-train 2000 --n-valid 1000
  lutlearn pla pairwise-mnist:3-8 --data-home ../shared/data -o mnist38 --n-train 6400 --n-valid 6400
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", help="NAME:N of a known function, or a task name")
    p.add_argument("-o", "--prefix", required=True, help="write PREFIX.train.pla and PREFIX.valid.pla")
    p.add_argument("--n-train", type=int, default=None, help="training rows (function default 2000; task: all)")
    p.add_argument("--n-valid", type=int, default=None, help="validation rows (function default 1000; task: all)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random examples of a function (default 0)")
    p.add_argument("--data-home", help="folder holding the data sets, for a task")


def run(args: argparse.Namespace) -> int:
    from lutlearn.commands._common import check_outputs
    from lutlearn.pla import FUNCTIONS, function_examples, write_pla

    check_outputs([f"{args.prefix}.train.pla", f"{args.prefix}.valid.pla"])
    for n in (args.n_train, args.n_valid):
        if n is not None and n < 1:
            raise ValueError("--n-train and --n-valid must be positive")
    if args.source.partition(":")[0] in FUNCTIONS:
        n_train, n_valid = args.n_train or 2000, args.n_valid or 1000
        X, y = function_examples(args.source, n_train + n_valid, random_state=args.seed)
        splits = {"train": (X[:n_train], y[:n_train]), "valid": (X[n_train:], y[n_train:])}
    else:
        from lutlearn.datasets import get_task

        t = get_task(args.source, data_home=args.data_home)
        splits = {
            "train": (t.X_train[: args.n_train], t.y_train[: args.n_train]),
            "valid": (t.X_test[: args.n_valid], t.y_test[: args.n_valid]),
        }
    for split, (X, y) in splits.items():
        path = f"{args.prefix}.{split}.pla"
        write_pla(path, X, y)
        print(f"{path}: {X.shape[0]} examples x {X.shape[1]} inputs, {int(y.sum())} with output 1")
    return 0
