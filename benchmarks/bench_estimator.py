"""Whole-estimator fit and predict times on Binary-MNIST and 10-class MNIST, for comparing two versions.

``python benchmarks/bench_estimator.py --data-home ../shared/data`` prints one
JSON line: least CPU seconds (``n_jobs=1``) and least wall seconds
(``n_jobs=2``) over a few runs after a warm-up, for the paper's network (k =
8, 5 x 1024; prediction also at k = 12 and 16) and the 10-class defaults. It
uses only the public API, so the same file times an older checkout: run it
with ``PYTHONPATH=OLD/src`` and ``PYTHONPATH=NEW/src`` in turn (alternating,
on a quiet machine) and divide.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def least(fn, repeats: int, clock) -> float:
    """Least ``clock`` seconds of ``repeats`` runs of ``fn`` after one warm-up run."""
    fn()
    best = float("inf")
    for _ in range(repeats):
        t0 = clock()
        fn()
        best = min(best, clock() - t0)
    return best


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-home", default=os.environ.get("LUTLEARN_DATA", str(REPO.parent / "shared" / "data")))
    args = p.parse_args(argv)

    import lutlearn
    from lutlearn import LutNetworkClassifier
    from lutlearn.datasets import get_task

    out = {"lutlearn": str(Path(lutlearn.__file__).parent)}
    t = get_task("binary-mnist", data_home=args.data_home)
    for n_jobs, clock in ((1, time.process_time), (2, time.perf_counter)):
        clf = LutNetworkClassifier(k=8, random_state=0, n_jobs=n_jobs)
        out[f"binary_fit_n_jobs={n_jobs}"] = least(lambda c=clf: c.fit(t.X_train, t.y_train), 5, clock)
        out[f"binary_predict_n_jobs={n_jobs}"] = least(lambda c=clf: c.predict(t.X_test), 7, clock)
    for k in (12, 16):
        clf = LutNetworkClassifier(k=k, random_state=0, n_jobs=1).fit(t.X_train, t.y_train)
        out[f"binary_k{k}_predict_n_jobs=1"] = least(lambda c=clf: c.predict(t.X_test), 5, time.process_time)
    m = get_task("multiclass-mnist", data_home=args.data_home)
    for n_jobs, clock in ((1, time.process_time), (2, time.perf_counter)):
        clf = LutNetworkClassifier(random_state=0, n_jobs=n_jobs)
        out[f"multiclass_fit_n_jobs={n_jobs}"] = least(lambda c=clf: c.fit(m.X_train, m.y_train), 2, clock)
        out[f"multiclass_predict_n_jobs={n_jobs}"] = least(lambda c=clf: c.predict(m.X_test), 3, clock)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
