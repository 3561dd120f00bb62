"""``lutlearn tasks``: the named tasks, their sizes, and whether their data is in place."""

from __future__ import annotations

import argparse

NAME = "tasks"
HELP = "list the named tasks with their sizes and whether their data is present"
EPILOG = """Options can follow a task name, comma-separated, wherever --task is accepted:
  threshold=T  grey (CIFAR-10)  n=N (stratified subsample)  randY=P (coin flips)
  permY=P (labels shuffled, class balance kept: the paper's random data)  randX=P  seed=S
examples:
  lutlearn tasks --data-home ../shared/data
  lutlearn tasks --pairs mnist
  lutlearn train --task binary-mnist,permY=1 --data-home ../shared/data -o random.npz
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-home", help="folder holding the data sets (default: $LUTLEARN_DATA or ~/.cache/lutlearn)")
    p.add_argument("--pairs", choices=["mnist", "cifar10"], help="list the 45 pairwise tasks of a data set")


def _span(values: list[int]) -> str:
    lo, hi = min(values), max(values)
    return str(lo) if lo == hi else f"{lo}-{hi}"


def run(args: argparse.Namespace) -> int:
    from lutlearn.datasets import TASKS, data_present, get_data_home, pairwise_task_names, task_size

    home = get_data_home(args.data_home)
    names = pairwise_task_names(args.pairs) if args.pairs else list(TASKS)
    rows = []
    for name in names:
        spec = TASKS.get(name) or TASKS[f"pairwise-{args.pairs}:I-J"]
        present, folder = data_present(spec.source, args.data_home)
        if "I-J" in name:
            sizes = [task_size(n) for n in pairwise_task_names(spec.source)]
            train, test = (_span([s[i] for s in sizes]) for i in (0, 1))
        else:
            train, test = (str(v) for v in task_size(name)[:2])
        where = (
            "bundled" if folder is None else ("present" if present else f"missing: downloaded to {folder} on first use")
        )
        rows.append((name, str(spec.n_features), train, test, where))
    header = ("task", "bits", "train", "test", "data")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip())
    if not args.pairs:
        print()
        for spec in TASKS.values():
            print(f"{spec.name}: {spec.description}")
    print(f"\ndata home: {home}")
    return 0
