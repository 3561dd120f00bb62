"""Training accuracy on random labels against their class balance (the measurement behind Table 3's note).

Binary-MNIST's real labels are 49.0% ones. For each fraction of ones, the
script draws random 0/1 labels with exactly that many ones (one draw per
seed), trains the paper's network (5 hidden layers of 1024 luts of size k)
and prints the mean training accuracy over the seeds, and the accuracy of
always answering the majority class. It first prints how many examples the
most common input pattern of a first-layer lut holds. Run from the repository::

    PYTHONPATH=src python scripts/label_balance.py --data-home ../shared/data --seeds 3
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from lutlearn.core.estimator import LutNetworkClassifier
from lutlearn.core.training import Architecture, draw
from lutlearn.datasets import get_task
from lutlearn.experiments.tasks import labels_with_balance


def largest_pattern_shares(X: np.ndarray, k: int, seed: int = 0) -> np.ndarray:
    """For each first-layer lut of the paper's network (seed ``seed``): the fraction of the examples that
    show it its most common input pattern."""
    wires = draw(Architecture.from_params({"k": k}, X.shape[1]), seed)[0][0]
    weights = 1 << np.arange(k, dtype=np.int64)
    return np.array([np.bincount(X[:, w].astype(np.int64) @ weights).max() / len(X) for w in wires])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--task", default="binary-mnist", help="a binary task (default binary-mnist)")
    p.add_argument("--data-home", help="folder holding the data sets")
    p.add_argument("-k", type=int, default=12, help="lut size (default 12)")
    p.add_argument("--ones", default="0.5,0.495,0.49,0.48", help="fractions of ones (default 0.5,0.495,0.49,0.48)")
    p.add_argument("--seeds", type=int, default=3, help="seeds per fraction (default 3)")
    p.add_argument("--n-jobs", type=int, default=None, help="threads (default: all cores)")
    args = p.parse_args(argv)
    fractions = [float(f) for f in args.ones.split(",")]
    if not 1 <= args.seeds <= 1000:
        p.error(f"--seeds must be 1..1000, not {args.seeds}")
    task = get_task(args.task, data_home=args.data_home)
    n = len(task.y_train)
    print(f"{task.name}: {n} examples, real labels {task.y_train.mean():.1%} ones; k = {args.k}, "
          f"5 x 1024 luts, {args.seeds} seeds\n")
    shares = largest_pattern_shares(task.X_train, args.k)
    print(f"first-layer luts (seed 0): the most common input pattern of a lut holds {np.median(shares):.1%} of the "
          f"examples (median; quartiles {np.percentile(shares, 25):.1%}-{np.percentile(shares, 75):.1%})\n")
    print("| ones | training accuracy (mean ± std) | majority class |")
    print("| --- | --- | --- |")
    t0 = time.perf_counter()
    for ones in fractions:
        accs = []
        for seed in range(args.seeds):
            y = labels_with_balance(n, ones, seed)
            clf = LutNetworkClassifier(k=args.k, hidden_layers=(1024,) * 5, random_state=seed, n_jobs=args.n_jobs)
            accs.append(float((clf.fit(task.X_train, y).predict(task.X_train) == y).mean()))
        print(f"| {ones:.1%} | {np.mean(accs):.3f} ± {np.std(accs):.3f} | {max(ones, 1 - ones):.3f} |", flush=True)
    print(f"\n{time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
