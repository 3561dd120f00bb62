"""``lutlearn pla``: write examples of a known function or a named task as PLA files."""

from __future__ import annotations

import argparse

NAME = "pla"
HELP = "write train/valid PLA files from a known function or a named task"
EPILOG = """sources: parity:N, majority:N, comparator:N (N even; first half > second half as
binary numbers), or a task name (binary-digits, pairwise-mnist:3-8, ...), whose
training split gives PREFIX.train.pla and whose test split gives PREFIX.valid.pla;
or a contest-like task (lutlearn.circuits.logic_tasks: add-carry:K, add-msb:K, div-msb:K,
rem-msb:K, mul-msb:K, mul-mid:K, cmp:N, sqrt-lsb:K, sqrt-mid:K, sym:N:S,
few:N:H:S, xor-few:N:H:S, dnf:N:T:L:S, mnist:GROUP-GROUP, cifar10:GROUP-GROUP), which gives
PREFIX.train.pla, PREFIX.valid.pla and PREFIX.test.pla (6400 rows each by default);
or a multi-output task (lutlearn.circuits.multi_tasks: add:K, mul:K, div:K, cmp3:N,
mdnf:N:T:O:S), whose three files have one output per result bit (.o, .ob);
--suite writes every task of the generated suite into the folder PREFIX.
examples:
  lutlearn pla majority:15 -o maj15 --n-train 2000 --n-valid 1000
  lutlearn pla pairwise-mnist:3-8 --data-home ../shared/data -o mnist38 --n-train 6400 --n-valid 6400
  lutlearn pla add-msb:64 -o adder64
  lutlearn pla add:8 -o add8                  (9 outputs: every bit of the sum)
  lutlearn pla --suite -o suite --data-home ../shared/data
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", nargs="?", help="NAME:N of a known function, a task name, a contest-like task, "
                                             "or a multi-output task")
    p.add_argument("--suite", action="store_true",
                   help="write every task of lutlearn.circuits.logic_tasks.SUITE into PREFIX/")
    p.add_argument("-o", "--prefix", required=True, help="write PREFIX.train.pla and PREFIX.valid.pla")
    p.add_argument("--n-train", type=int, default=None, help="training rows (function default 2000; task: all)")
    p.add_argument("--n-valid", type=int, default=None, help="validation rows (function default 1000; task: all)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random examples of a function (default 0)")
    p.add_argument("--data-home", help="folder holding the data sets, for a task")


def _write(prefix: str, splits: dict, output_names: list[str] | None = None) -> None:
    """Write each split ``(X, y)`` as PREFIX.SPLIT.pla (``y`` 2-D for several outputs, named ``output_names``)."""
    from lutlearn.datasets.pla import write_pla

    for split, (X, y) in splits.items():
        path = f"{prefix}.{split}.pla"
        write_pla(path, X, y, output_names=output_names)
        if y.ndim == 1:
            print(f"{path}: {X.shape[0]} examples x {X.shape[1]} inputs, {int(y.sum())} with output 1")
        else:
            print(f"{path}: {X.shape[0]} examples x {X.shape[1]} inputs, {y.shape[1]} outputs, "
                  f"{int(y.sum())} output bits 1 of {y.size}")


def _logic_task(spec: str, prefix: str, args: argparse.Namespace) -> None:
    from lutlearn.circuits.logic_tasks import make_task

    if args.n_train != args.n_valid and None not in (args.n_train, args.n_valid):
        raise ValueError("a contest-like task has splits of one size: give --n-train only")
    t = make_task(spec, seed=args.seed, n_split=args.n_train or args.n_valid or 6400, data_home=args.data_home)
    _write(prefix, {"train": (t.X_train, t.y_train), "valid": (t.X_valid, t.y_valid), "test": (t.X_test, t.y_test)})


def _multi_task(spec: str, prefix: str, args: argparse.Namespace) -> None:
    from lutlearn.circuits.multi_tasks import make_multi_task

    if args.n_train != args.n_valid and None not in (args.n_train, args.n_valid):
        raise ValueError("a multi-output task has splits of one size: give --n-train only")
    t = make_multi_task(spec, seed=args.seed, n_split=args.n_train or args.n_valid or 6400)
    _write(prefix, {"train": (t.X_train, t.Y_train), "valid": (t.X_valid, t.Y_valid), "test": (t.X_test, t.Y_test)},
           output_names=t.output_names)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from lutlearn.circuits.logic_tasks import FAMILIES, IMAGE_FAMILIES, SUITE, family_of
    from lutlearn.circuits.multi_tasks import MULTI_FAMILIES
    from lutlearn.commands._common import check_outputs
    from lutlearn.datasets.pla import FUNCTIONS, function_examples

    if not args.suite:
        check_outputs([f"{args.prefix}.{split}.pla" for split in ("train", "valid", "test")])
    for n in (args.n_train, args.n_valid):
        if n is not None and n < 1:
            raise ValueError("--n-train and --n-valid must be positive")
    if args.suite:
        if args.source is not None:
            raise ValueError("--suite writes the whole suite: give no source")
        folder = Path(args.prefix)
        folder.mkdir(parents=True, exist_ok=True)
        for spec in SUITE:
            try:
                _logic_task(spec, str(folder / spec.replace(":", "_")), args)
            except OSError as exc:  # an image task without its data set
                print(f"{spec}: skipped ({exc})")
        return 0
    if args.source is None:
        raise ValueError("give a source (a function, a task name or a contest-like task) or --suite")
    if family_of(args.source) in FAMILIES or family_of(args.source) in IMAGE_FAMILIES:
        _logic_task(args.source, args.prefix, args)
        return 0
    if family_of(args.source) in MULTI_FAMILIES:
        _multi_task(args.source, args.prefix, args)
        return 0
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
    _write(args.prefix, splits)
    return 0
