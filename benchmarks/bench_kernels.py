"""The kernels one 1024-lut layer at a time, on one thread, and the chunk choice of prediction.

``python benchmarks/bench_kernels.py`` trains layer 1 of a Binary-MNIST
network (k = 8, seed 0) to get realistic layer values, then times, with
:func:`lutlearn.core.kernels.fit_layer`, training the next 1024-lut layer as the
paper's luts (two classes, majority) and as multi-class split luts (the 10
MNIST classes, each lut a random balanced split); then prediction through a
5 x 1024 network with :func:`lutlearn.core.kernels.predict_network` in small
chunks (depth first) and in large ones (about layer by layer), which is what
:func:`lutlearn.core._workspace.predict_chunk` chooses between; then the whole
estimator's fit and predict on one thread (``n_jobs=1``), two-class and
10-class; then chosen support's search for inputs that matter together
(:func:`lutlearn.core.training.interaction_subsets`) on generated parities of
100-512 inputs. It reports the least CPU seconds of 5 runs after a warm-up: on a
busy machine that is the steadiest figure of the work each kernel does.
``--quick`` uses 2,000 examples.
"""

from __future__ import annotations

import argparse
import functools
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
    p.add_argument("--ks", default="8,12,16", help="lut sizes of the timed layer (default 8,12,16)")
    p.add_argument("--quick", action="store_true", help="2,000 examples")
    args = p.parse_args(argv)

    import numpy as np

    from lutlearn import LutNetworkClassifier
    from lutlearn.core import _workspace, kernels, training
    from lutlearn.datasets import get_task

    ks = [int(s) for s in args.ks.split(",")]
    with _workspace.numba_threads(1):
        task = get_task("multiclass-mnist", data_home=args.data_home)
        n = 2000 if args.quick else len(task.y_train)
        X_train, y10 = task.X_train[:n], task.y_train[:n].astype(np.uint8)
        y2 = (y10 >= 5).astype(np.uint8)
        rng = np.random.default_rng(0)
        rows = []
        for name, y, n_classes in (("paper luts (2 classes)", y2, 2), ("split luts (10 classes)", y10, 10)):
            backend = training.InMemoryBackend(X_train, y, n_classes, 1, 1024)
            w1 = training.random_wiring(rng, 1024, X_train.shape[1], 8)
            arch = training.Architecture((X_train.shape[1], 1024, 1024, 1), (8, 8, 8), n_classes, n_classes > 2)
            sides = [training.random_dichotomies(rng, 1024, n_classes)] * 2
            rule = training.layer_rule(arch, 1, sides, backend.class_totals())
            backend.fit_layer(1, w1, *rule, 0, np.ones(1024, np.uint8), False)
            A, bounds = backend.A.copy(), backend.bounds
            for k in ks:
                wires = training.random_wiring(rng, 1024, 1024, k)
                side, weights, n_slots = rule
                tables = np.empty((1024, 1 << k), np.uint8)
                out = np.empty((1024, n), np.uint8)
                correct = np.empty(1024, np.int64)
                work, hist = _workspace.fit_buffers(1024, n, k, n_slots, 1)
                needed = np.ones(1024, np.uint8)
                none = np.empty((0, 0), np.int32)
                # partial binds this iteration's arrays; least_cpu runs it before the loop moves on.
                t = least_cpu(functools.partial(kernels.fit_layer, A, bounds, wires, side, weights, n_slots, 0, 2,
                                                tables, out, correct, work, hist, needed, none))
                rows.append(f"| train one 1024-lut layer of {name}, {n} examples | {k} | {t:.3f} |")
        print("| step | k | CPU s |")
        print("|---|---:|---:|")
        print("\n".join(rows))

        X_test = task.X_test
        print("\n| predict 10000 examples, 5 x 1024, one thread | k | chunk 256 (depth first) CPU s "
              "| large chunks CPU s | chosen |")
        print("|---|---:|---:|---:|---|")
        for k in ks:
            net = LutNetworkClassifier(k=k, random_state=0, n_jobs=1).fit(X_train, y2).network_
            cone = net.cone()
            times = {}
            large_chunk = _workspace.predict_chunk(len(X_test), _workspace.DEPTH_FIRST_MAX_K + 1, 1)
            for chunk in (_workspace.PREDICT_CHUNK, large_chunk):
                patterns = np.empty((len(X_test), 1), np.uint32)
                bufs, pbufs = _workspace.predict_buffers(len(X_test), int(max(len(cone.inputs), cone.widths.max())),
                                                         int(cone.ks.max()), 1, chunk)
                times[chunk] = least_cpu(functools.partial(
                    kernels.predict_network,
                    X_test, cone.inputs, cone.widths, cone.ks, cone.wire_off, cone.wires, cone.table_off, cone.tables,
                    chunk, bufs, pbufs, patterns))
            small, large = times.values()
            depth_first = _workspace.predict_chunk(len(X_test), k, 1) == _workspace.PREDICT_CHUNK
            chosen = "depth first" if depth_first else "large"
            print(f"| predict | {k} | {small:.3f} | {large:.3f} | {chosen} |")

        clf = LutNetworkClassifier(k=8, random_state=0, n_jobs=1)
        fit = least_cpu(lambda: clf.fit(X_train, y2))
        predict = least_cpu(lambda: clf.predict(X_test))
        print(f"\nWhole estimator, k = 8, 5 x 1024, n_jobs=1: fit on {n} examples {fit:.3f} CPU s, "
              f"predict {len(X_test)} examples {predict:.4f} CPU s ({len(X_test) / predict:,.0f} samples/s).")
        clf = LutNetworkClassifier(random_state=0, n_jobs=1)
        fit = least_cpu(lambda: clf.fit(X_train, y10), repeats=2)
        predict = least_cpu(lambda: clf.predict(X_test), repeats=2)
        print(f"Whole estimator, 10 classes, defaults (2048 luts k = 6, 256 voting luts k = 12), n_jobs=1: "
              f"fit on {n} examples {fit:.3f} CPU s, predict {len(X_test)} examples {predict:.4f} CPU s.")

        from lutlearn.circuits.logic_tasks import make_task

        print("\n| chosen support: interactions (pairs, triples, four-input parities) | examples | CPU s | found |")
        print("|---|---:|---:|---|")
        for spec in ("xor-few:100:4:2", "xor-few:256:3:1", "xor-few:512:2:3"):
            t = make_task(spec, seed=0, n_split=2000 if args.quick else 6400)
            A, y = np.ascontiguousarray(t.X_train.T.astype(np.uint8)), t.y_train.astype(np.uint8)

            def search(A=A, y=y):
                training._INTERACTION_CACHE.clear()  # time the search, not the cache
                return training.interaction_subsets(A, y, None, 0)

            secs = least_cpu(search, repeats=2)
            print(f"| {spec} ({A.shape[0]} inputs) | {A.shape[1]} | {secs:.3f} | {search()} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
