"""``lutlearn demo``: train and test a lut network on a built-in task and print the paper's diagnostics."""

from __future__ import annotations

import argparse

from lutlearn.commands._common import add_network_args, make_classifier, timed

NAME = "demo"
HELP = "train and test on a built-in task (default: Binary-Digits, no download)"
EPILOG = """examples:
  lutlearn demo
  lutlearn demo --dataset binary-mnist --data-home ../shared/data
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dataset", default="binary-digits", help="task name (default binary-digits)")
    p.add_argument("--data-home", help="folder holding the data sets")
    add_network_args(p, k=None, k_help="inputs per lut (default 6 on binary-digits, else 8 as in the paper's Table 2)")


def run(args: argparse.Namespace) -> int:
    from lutlearn.core.training import effective_params
    from lutlearn.datasets import get_task

    task = get_task(args.dataset, data_home=args.data_home)
    if args.k is None:
        args.k = 6 if args.dataset == "binary-digits" else 8
    print(f"task: {task.name} ({task.description})")
    print(f"train: {task.X_train.shape[0]} x {task.X_train.shape[1]} bits, test: {task.X_test.shape[0]}")
    clf = make_classifier(args)
    _, t_fit = timed(clf.fit, task.X_train, task.y_train)
    net = effective_params(clf.get_params(), len(clf.classes_))
    hidden = list(net["hidden_layers"])
    print(f"network: {len(hidden)} hidden layers {hidden}, k={net['k']}, seed={args.seed}")
    pred, t_pred = timed(clf.predict, task.X_test)
    train_acc = clf.score(task.X_train, task.y_train)
    test_acc = float((pred == task.y_test).mean())
    print(f"training accuracy {train_acc:.4f}   test accuracy {test_acc:.4f}")
    print(f"fit {t_fit:.3f} s   predict {t_pred:.4f} s")
    print("\nper-layer training accuracy of the luts (layer 0 = input bits):")
    print(clf.format_layer_report())
    return 0
