"""Encoders + LutNetworkClassifier on tabular data that scikit-learn ships,
against logistic regression and a random forest.

Real-valued features become bits with a ThermometerEncoder (quantile or
uniform thresholds, fitted on each training fold only) and feed a lut
network in a scikit-learn pipeline. Every method is scored by the same
repeated stratified k-fold cross-validation; the table gives the mean and
standard deviation of test accuracy over the folds and the mean fit time.

    python examples/tabular.py                     # the multi-class page's table (docs/multiclass.md)
    python examples/tabular.py --quick             # a fast smoke run (used by the tests)
    python examples/tabular.py --output tabular.json
"""

from __future__ import annotations

import argparse
import datetime
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np


def methods(binary: bool, quick: bool) -> dict:
    """Name -> unfitted estimator, for a two-class (``binary``) or multi-class data set."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from lutlearn import LutNetworkClassifier, ThermometerEncoder

    n_out = 32 if quick else 256
    hidden = (256,) if quick else (2048,)
    out = {
        "logistic regression": make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)),
        "random forest": RandomForestClassifier(n_estimators=50 if quick else 300, random_state=0),
        "ThermometerEncoder(8, quantile) + LutNetworkClassifier (voting)": make_pipeline(
            ThermometerEncoder(n_bits=8, method="quantile"),
            LutNetworkClassifier(hidden_layers=hidden, n_output_luts=n_out, random_state=0),
        ),
        "ThermometerEncoder(8, uniform) + LutNetworkClassifier (voting)": make_pipeline(
            ThermometerEncoder(n_bits=8, method="uniform"),
            LutNetworkClassifier(hidden_layers=hidden, n_output_luts=n_out, random_state=0),
        ),
        "ThermometerEncoder(1, quantile) + LutNetworkClassifier (voting)": make_pipeline(
            ThermometerEncoder(n_bits=1, method="quantile"),
            LutNetworkClassifier(hidden_layers=hidden, n_output_luts=n_out, random_state=0),
        ),
    }
    if binary:
        width = 256 if quick else 1024
        out[f"ThermometerEncoder(8, quantile) + LutNetworkClassifier (paper, k=6, 1x{width})"] = make_pipeline(
            ThermometerEncoder(n_bits=8, method="quantile"),
            LutNetworkClassifier(k=6, hidden_layers=(width,), random_state=0),
        )
    return out


def run(quick: bool) -> list[dict]:
    """Cross-validate every method on every data set; one record per (data set, method)."""
    from sklearn.datasets import load_breast_cancer, load_wine
    from sklearn.model_selection import RepeatedStratifiedKFold, cross_validate

    cv = RepeatedStratifiedKFold(n_splits=2 if quick else 5, n_repeats=1 if quick else 3, random_state=0)
    records = []
    for name, loader in [("breast cancer", load_breast_cancer), ("wine", load_wine)]:
        X, y = loader(return_X_y=True)
        n_classes = len(np.unique(y))
        for method, est in methods(n_classes == 2, quick).items():
            res = cross_validate(est, X, y, cv=cv, n_jobs=1)
            records.append({
                "dataset": name,
                "n_samples": int(X.shape[0]),
                "n_features": int(X.shape[1]),
                "n_classes": int(n_classes),
                "method": method,
                "accuracy_mean": round(float(res["test_score"].mean()), 4),
                "accuracy_std": round(float(res["test_score"].std()), 4),
                "fit_seconds_mean": round(float(res["fit_time"].mean()), 3),
                "n_folds": int(len(res["test_score"])),
            })
            print(f"  {name}: {method}: {records[-1]['accuracy_mean']:.4f}", file=sys.stderr, flush=True)
    return records


def markdown(records: list[dict]) -> str:
    """The records as a Markdown table."""
    lines = ["| data set | method | accuracy (mean ± std) | fit time (s) |", "|---|---|---|---|"]
    for r in records:
        lines.append(
            f"| {r['dataset']} ({r['n_samples']}x{r['n_features']}, {r['n_classes']} classes) | "
            f"{r['method']} | {r['accuracy_mean']:.3f} ± {r['accuracy_std']:.3f} | {r['fit_seconds_mean']:.2f} |"
        )
    return "\n".join(lines)


def git_hash() -> str | None:
    try:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=Path(__file__).parent, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="2 folds, small networks and forests")
    p.add_argument("--output", help="also write the records with provenance to this JSON file")
    args = p.parse_args(argv)

    import sklearn

    import lutlearn

    t0 = time.time()
    records = run(args.quick)
    print(markdown(records))
    if args.output:
        doc = {
            "config": {"quick": args.quick, "script": "examples/tabular.py"},
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "git_hash": git_hash(),
            "versions": {"lutlearn": lutlearn.__version__, "scikit-learn": sklearn.__version__,
                         "python": platform.python_version()},
            "seconds": round(time.time() - t0, 1),
            "records": records,
        }
        from lutlearn._files import write_json  # atomic, and the file's mode honours the umask

        write_json(Path(args.output), doc, sort_keys=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
