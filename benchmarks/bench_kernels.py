"""Simple against fast kernels, one 1024-lut layer at a time, on one thread.

``python benchmarks/bench_kernels.py`` trains layer 1 of a Binary-MNIST
network (k = 8, seed 0) to get realistic layer values, then times training
the next 1024-lut layer with :func:`lutlearn.kernels.fit_layer` (the simple
path) and :func:`lutlearn.kernels.fit_layer_fast`, and prediction through the
network with the layer-by-layer simple path and
:func:`lutlearn.kernels.predict_network`, then the whole estimator's fit and
predict on one thread (``n_jobs=1``). It reports the least CPU seconds of
5 runs after a warm-up: on a busy machine that is the steadiest figure of the
work each kernel does. ``--quick`` uses 2,000 examples.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def least_cpu(fn, repeats: int = 5) -> float:
    """Least process CPU seconds of ``repeats`` runs of ``fn`` after one warm-up run."""
    fn()
    best = float("inf")
    for _ in range(repeats):
        c0 = time.process_time()
        fn()
        best = min(best, time.process_time() - c0)
    return best


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-home", default=os.environ.get("LUTLEARN_DATA", str(REPO.parent / "shared" / "data")))
    p.add_argument("--ks", default="8,16", help="lut sizes of the timed layer (default 8,16)")
    p.add_argument("--quick", action="store_true", help="2,000 examples")
    args = p.parse_args(argv)

    import numba
    import numpy as np

    from lutlearn import LutNetworkClassifier, _workspace, kernels
    from lutlearn.datasets import get_task
    from lutlearn.network import random_wiring

    numba.set_num_threads(1)
    task = get_task("binary-mnist", data_home=args.data_home)
    n = 2000 if args.quick else len(task.y_train)
    y = np.unique(task.y_train[:n], return_inverse=True)[1].astype(np.uint8)
    order = np.argsort(y, kind="stable")
    y = y[order]
    bounds = np.searchsorted(y, np.arange(3)).astype(np.int64)
    X = np.ascontiguousarray(task.X_train[:n][order].T, dtype=np.uint8)
    rng = np.random.default_rng(0)
    w1 = random_wiring(rng, 1024, X.shape[0], 8)
    A = np.empty((1024, n), np.uint8)
    t1 = np.empty((1024, 256), np.uint8)
    kernels.fit_layer(X, y, w1, 2, 0, 1, t1, A, np.empty(1024, np.int64))

    print("| step | k | simple CPU s | fast CPU s | speed-up |")
    print("|---|---:|---:|---:|---:|")
    for k in (int(s) for s in args.ks.split(",")):
        wires = random_wiring(rng, 1024, 1024, k)
        tables = np.empty((1024, 1 << k), np.uint8)
        out = np.empty((1024, n), np.uint8)
        correct = np.empty(1024, np.int64)
        work, hist = _workspace.fit_buffers(1024, n, k, 2, 1)
        needed = np.ones(1024, np.uint8)
        simple = least_cpu(lambda: kernels.fit_layer(A, y, wires, 2, 0, 2, tables, out, correct))
        fast = least_cpu(
            lambda: kernels.fit_layer_fast(A, bounds, wires, 0, 2, tables, out, correct, work, hist, needed)
        )
        print(f"| train one 1024-lut layer, {n} examples | {k} | {simple:.3f} | {fast:.3f} | {simple / fast:.1f}x |")
    for k in (int(s) for s in args.ks.split(",")):
        clf = LutNetworkClassifier(k=k, random_state=0, n_jobs=1).fit(task.X_train[:n], task.y_train[:n])
        X_test = task.X_test
        last = clf._cone[-1][0][0]
        simple = least_cpu(lambda: kernels.pattern_index(clf._last_hidden(X_test), last))
        fast = least_cpu(lambda: clf._output_patterns(X_test))
        path = "depth-first" if k <= _workspace.DEPTH_FIRST_MAX_K else "layer by layer"
        print(f"| predict {len(X_test)} examples, 5 x 1024 ({path}) | {k} | {simple:.3f} | {fast:.3f} "
              f"| {simple / fast:.1f}x |")
    clf = LutNetworkClassifier(k=8, random_state=0, n_jobs=1)
    fit = least_cpu(lambda: clf.fit(task.X_train[:n], task.y_train[:n]))
    predict = least_cpu(lambda: clf.predict(task.X_test))
    print(f"\nWhole estimator, k = 8, 5 x 1024, n_jobs=1: fit on {n} examples {fit:.3f} CPU s, "
          f"predict {len(task.y_test)} examples {predict:.4f} CPU s ({len(task.y_test) / predict:,.0f} samples/s).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
