"""10-class MNIST and CIFAR-10 with LutNetworkClassifier's multi-class defaults.

Fits ``LutNetworkClassifier(random_state=SEED)`` on the 1-bit images (pixel,
or each colour channel, > 127) ``--repeats`` times and prints the median fit
time and the train/test accuracies as JSON lines (accuracies do not change
between repeats: the seed fixes the model bit for bit).

    python examples/multiclass_images.py --data-home ../shared/data
    python examples/multiclass_images.py --data-home ../shared/data --dataset cifar10
    python examples/multiclass_images.py --data-home ../shared/data --params '{"hidden_layers": []}'
    python examples/multiclass_images.py --data-home ../shared/data --dataset cifar10 --thermometer 3
    python examples/multiclass_images.py --data-home ../shared/data --repeats 1 --real-valued-votes

``--real-valued-votes`` also scores the test set with the votes before
rounding (the smoothed log-likelihoods as floating-point numbers) and
reports that accuracy and how many test predictions differ from ``predict``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time

import numpy as np

from lutlearn import LutNetworkClassifier, ThermometerEncoder, __version__
from lutlearn.core.training import effective_params
from lutlearn.datasets import load_cifar10, load_mnist


def real_valued_predict(clf: LutNetworkClassifier, X: np.ndarray) -> np.ndarray:
    """Predictions of a multi-class model with its votes left unrounded (log prior + mean log-likelihood)."""
    from lutlearn.core.model import ALPHA

    net = clf.network_
    patterns = net.output_patterns(np.asarray(X, np.uint8))  # the pattern each voting lut sees
    counts = net.head.counts
    n_out, size, _ = counts.shape
    totals = counts[0].sum(axis=0).astype(np.float64)
    scores = np.log(totals / totals.sum()) - np.log(totals + ALPHA * size) + np.zeros((len(patterns), 1))
    for j, c in enumerate(counts):
        scores += np.log(c[patterns[:, j]].astype(np.float64) + ALPHA) / n_out
    return clf.classes_[scores.argmax(axis=1)]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-home", default=None, help="folder holding mnist/ and cifar10/")
    p.add_argument("--dataset", choices=["mnist", "cifar10"], default="mnist")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--repeats", type=int, default=3, help="fits to time (median reported)")
    p.add_argument("--n-train", type=int, default=None, help="use only the first N training images")
    p.add_argument(
        "--thermometer", type=int, default=0, metavar="N",
        help="encode with ThermometerEncoder(N, 'quantile'), thresholds per colour channel, "
             "instead of 1 bit (value > 127)",
    )
    p.add_argument(
        "--params", type=json.loads, default={},
        help='other LutNetworkClassifier parameters as JSON, e.g. \'{"hidden_layers": []}\'',
    )
    p.add_argument("--real-valued-votes", action="store_true",
                   help="also report test accuracy with unrounded votes, and the predictions that differ")
    args = p.parse_args(argv)

    loader = load_mnist if args.dataset == "mnist" else load_cifar10
    Xtr, ytr, Xte, yte = loader(args.data_home)
    if args.n_train:
        Xtr, ytr = Xtr[: args.n_train], ytr[: args.n_train]
    if args.thermometer:
        enc = ThermometerEncoder(args.thermometer, method="quantile", n_channels=3 if args.dataset == "cifar10" else 1)
        Xtr, Xte = enc.fit(Xtr).transform(Xtr), enc.transform(Xte)
    else:
        Xtr, Xte = (Xtr > 127).astype(np.uint8), (Xte > 127).astype(np.uint8)
    LutNetworkClassifier(random_state=args.seed).fit(Xtr[:200], ytr[:200])  # compile kernels
    times = []
    for _ in range(args.repeats):
        clf = LutNetworkClassifier(random_state=args.seed, **args.params)
        t0 = time.perf_counter()
        clf.fit(Xtr, ytr)
        times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    test_acc = clf.score(Xte, yte)
    t_pred = time.perf_counter() - t0
    record = {
        "dataset": f"{args.dataset}-10class-" + (f"thermometer{args.thermometer}" if args.thermometer else "1bit"),
        "seed": args.seed,
        "n_train": int(len(ytr)),
        "fit_seconds_median": round(statistics.median(times), 3),
        "fit_seconds_all": [round(t, 3) for t in times],
        "predict_test_seconds": round(t_pred, 3),
        "train_accuracy": round(float(clf.score(Xtr, ytr)), 4),
        "test_accuracy": round(float(test_acc), 4),
        "params": effective_params(clf.get_params(), len(clf.classes_)),
        "lutlearn": __version__,
        "python": platform.python_version(),
    }
    if args.real_valued_votes:
        real = real_valued_predict(clf, Xte)
        record["real_valued_votes"] = {
            "test_accuracy": round(float((real == yte).mean()), 4),
            "test_predictions_differing": int((real != clf.predict(Xte)).sum()),
        }
    json.dump(record, sys.stdout, default=list)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
