"""The accuracy-per-lut frontier: boosted lut classifiers (``wiring="boosted"``) against published lut designs.

For every design (a data set, its encoding, a number of output luts) the
classifier is trained with ``random_state=0``, its test accuracy and fit
time measured, its prediction throughput timed, and the whole classifier
(the output luts, one popcount per class and the argmax) synthesised by
Yosys for generic 6-input luts (``synth -lut 6``) as the published designs
count theirs: all inputs at once (``--parallel``: one example per clock, no
input shift register). The inputs are bits (a task's pixels above
thresholds); the comparators that would make them from 8-bit pixels are
counted apart, as ``comparators`` (the distinct input bits the design
reads). scikit-learn's bundled tabular sets are scored by 5-fold
cross-validation against a 300-tree random forest, as in the multi-class page's
tabular table, with a 16-bit quantile thermometer code of the features and
luts sized for the data (``k="auto"``).

Writes JSON with provenance, a Markdown table on standard output, and the
Pareto plot (PNG and SVG) with the published points marked as published::

    python benchmarks/bench_frontier.py --data-home ../shared/data -o benchmarks/results/frontier.json
    python benchmarks/bench_frontier.py --quick -o quick.json        # digits and wine, seconds
    python benchmarks/bench_frontier.py --render benchmarks/results/frontier.json

The published figures are 10-class MNIST on 6-input LUTs (Xilinx xcvu9p),
input encoders not counted, as transcribed from secondary sources: check
the papers before quoting them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

#: The version of the result document (``--render`` refuses others).
FORMAT = 1

#: Published 10-class MNIST designs on 6-input LUTs, encoders not counted (secondary transcriptions).
PUBLISHED = [
    {"design": "DWN", "luts": 692, "accuracy": 0.971},
    {"design": "DWN", "luts": 1413, "accuracy": 0.979},
    {"design": "DWN", "luts": 4082, "accuracy": 0.983},
    {"design": "TreeLUT", "luts": 4478, "accuracy": 0.97},
    {"design": "PolyLUT-Add", "luts": 14810, "accuracy": 0.96},
    {"design": "NeuraLUT", "luts": 54798, "accuracy": 0.96},
]

#: (series, task, output luts of each size, LutNetworkClassifier parameters) of the full run.
FULL = [
    ("MNIST 10 classes, 1-bit pixels", "multiclass-mnist", [100, 250, 450, 800, 1000], {"wiring_candidates": 256}),
    ("MNIST 10 classes, 3-bit thermometer", "multiclass-mnist,levels=3", [300, 450, 800, 2000, 3000],
     {"wiring_candidates": 512}),
    ("MNIST 10 classes, 3-bit thermometer, learning rate 0.5", "multiclass-mnist,levels=3", [300, 450, 800, 2000],
     {"wiring_candidates": 512, "learning_rate": 0.5}),
    ("CIFAR-10, 3-bit thermometer, 3-bit values, 8-input luts", "multiclass-cifar10,levels=3", [500, 2000],
     {"wiring_candidates": 512, "output_bits": 3, "output_k": 8}),
    ("CIFAR-10, 3-bit thermometer, 3-bit values, 8-input luts, learning rate 0.1", "multiclass-cifar10,levels=3",
     [500, 2000], {"wiring_candidates": 512, "output_bits": 3, "output_k": 8, "learning_rate": 0.1}),
    ("Binary-MNIST", "binary-mnist", [50, 200], {"wiring_candidates": 256}),
]
#: (data set, output luts per class) of the tabular runs.
FULL_TABULAR = [("breast cancer", [20, 200]), ("wine", [20, 200]), ("digits", [20, 200])]

#: The --quick run: scikit-learn's bundled data only (no download), small designs.
QUICK = [("8x8 digits 10 classes, 2-bit thermometer", "multiclass-digits,levels=2", [40, 100],
          {"wiring_candidates": 64})]
QUICK_TABULAR = [("wine", [10])]


def throughput(clf, X: np.ndarray, repeats: int = 3) -> float:
    """Examples per second of ``clf.predict`` on ``X`` (best of ``repeats``)."""
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        clf.predict(X)
        best = min(best, time.perf_counter() - t0)
    return len(X) / best


def lut6_count(clf) -> dict:
    """Yosys's lut6 count of the whole classifier, all inputs at once; ``{"luts": None, ...}`` without Yosys."""
    from lutlearn.export import LutNetlist
    from lutlearn.export.fpga import ToolNotFoundError, hardware_report

    try:
        r = hardware_report(clf, "lut6", word_width=int(clf.n_features_in_), arithmetic="luts")
    except ToolNotFoundError as exc:
        return {"luts": None, "skipped": str(exc)}
    comparators = len(clf.network_.cone().inputs)
    return {"luts": r["luts"], "netlist_luts": len(LutNetlist.from_model(clf).luts), "comparators": comparators,
            "logic_levels": r["logic_levels"]}


def run_image(series: str, task: str, sizes: list, params: dict, data_home, done=(), on_row=None) -> list[dict]:
    """Train and measure every size of one image series (not those in ``done``), calling ``on_row(row)`` after
    each."""
    from lutlearn import LutNetworkClassifier
    from lutlearn.datasets import get_task

    sizes = [n for n in sizes if (series, n) not in done]
    if not sizes:
        return []
    t = get_task(task, data_home=data_home)
    rows = []
    for n_out in sizes:
        clf = LutNetworkClassifier(wiring="boosted", n_output_luts=n_out, random_state=0, **params)
        t0 = time.perf_counter()
        c0 = time.process_time()
        clf.fit(t.X_train, t.y_train)
        fit_s = time.perf_counter() - t0
        row = {"series": series, "task": t.name, "n_output_luts": n_out, "params": params,
               "fit_cpu_s": round(time.process_time() - c0, 2),
               "test_accuracy": round(float(clf.score(t.X_test, t.y_test)), 4), "fit_s": round(fit_s, 2),
               "predict_per_s": round(throughput(clf, t.X_test)), **lut6_count(clf)}
        print(f"  {series}: {n_out} output luts: test {row['test_accuracy']:.4f}, {row['luts']} lut6, "
              f"fit {fit_s:.1f} s", file=sys.stderr, flush=True)
        rows.append(row)
        if on_row is not None:
            on_row(row)
    return rows


def run_tabular(name: str, sizes: list, seed: int = 0) -> list[dict]:
    """5-fold cross-validated accuracy of boosted designs on a bundled data set, beside a 300-tree forest."""
    from sklearn import datasets
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline

    from lutlearn import LutNetworkClassifier, ThermometerEncoder

    X, y = {"breast cancer": datasets.load_breast_cancer, "wine": datasets.load_wine,
            "digits": datasets.load_digits}[name](return_X_y=True)
    cv = StratifiedKFold(5, shuffle=True, random_state=seed)
    forest = cross_val_score(RandomForestClassifier(300, random_state=seed, n_jobs=-1), X, y, cv=cv).mean()
    rows = []
    n_classes = len(np.unique(y))
    for per_class in sizes:
        n_out = per_class * n_classes
        pipe = make_pipeline(ThermometerEncoder(n_bits=16, method="quantile"),
                             LutNetworkClassifier(wiring="boosted", k="auto", n_output_luts=n_out, random_state=seed))
        t0 = time.perf_counter()
        acc = cross_val_score(pipe, X, y, cv=cv).mean()
        fitted = pipe.fit(X, y)[-1]
        rows.append({"series": f"{name} (5-fold CV)", "task": name, "n_output_luts": n_out,
                     "output_k": int(fitted.network_.ks[-1]),
                     "cv_accuracy": round(float(acc), 4), "random_forest_300": round(float(forest), 4),
                     "fit_s": round((time.perf_counter() - t0) / 6, 2), **lut6_count(fitted)})
        print(f"  {name}: {n_out} output luts: CV {acc:.4f} (forest {forest:.4f})", file=sys.stderr, flush=True)
    return rows


def render(doc: dict) -> str:
    """The Markdown tables of a result document."""
    if doc.get("benchmark") != "frontier" or doc.get("format") != FORMAT:
        raise ValueError("not a frontier benchmark result (format 1)")
    lines = ["| design | output luts | lut6 (whole classifier) | input bits read | test accuracy | fit s (CPU s) | "
             "predict/s |", "|---|---|---|---|---|---|---|"]
    for r in doc["rows"]:
        lines.append(f"| {r['series']} | {r['n_output_luts']} | {r['luts']} | {r.get('comparators')} | "
                     f"{r['test_accuracy']:.4f} | {r['fit_s']} ({r['fit_cpu_s']}) | {r['predict_per_s']:,} |")
    lines += ["", "| data set (5-fold CV) | output luts | lut6 | accuracy | 300-tree forest |", "|---|---|---|---|---|"]
    for r in doc["tabular"]:
        lines.append(f"| {r['task']} | {r['n_output_luts']} | {r['luts']} | {r['cv_accuracy']:.4f} | "
                     f"{r['random_forest_300']:.4f} |")
    lines += ["", "Published (10-class MNIST, 6-input LUTs, encoders not counted; secondary transcriptions):", ""]
    lines += [f"- {p['design']}: {p['accuracy']:.3f} in {p['luts']:,} LUTs" for p in doc["published"]]
    return "\n".join(lines)


def plot(doc: dict, stem: Path) -> list[Path]:
    """The Pareto plot of test accuracy against lut6 luts, as PNG and SVG: 10-class MNIST beside the published
    points (left), the other data sets (right)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series: dict[str, list] = {}
    for r in doc["rows"]:
        if r["luts"]:
            series.setdefault(r["series"], []).append((r["luts"], r["test_accuracy"]))
    mnist = {k: v for k, v in series.items() if k.startswith("MNIST 10 classes")}
    other = {k: v for k, v in series.items() if k not in mnist}
    fig, axes = plt.subplots(1, 2 if other else 1, figsize=(11 if other else 7, 4.5), squeeze=False)
    ax = axes[0, 0]
    for name, pts in mnist.items():
        ax.plot(*zip(*sorted(pts)), "o-", label=f"lutlearn boosted: {name}")
    pub = doc["published"]
    ax.scatter([p["luts"] for p in pub], [p["accuracy"] for p in pub], marker="x", color="k", zorder=3,
               label="published (encoders not counted)")
    for p in pub:
        ax.annotate(p["design"], (p["luts"], p["accuracy"]), textcoords="offset points", xytext=(4, -10), fontsize=7)
    ax.set_title("MNIST, 10 classes", fontsize=10)
    for name, pts in other.items():
        axes[0, 1].plot(*zip(*sorted(pts)), "o-", label=f"lutlearn boosted: {name}")
    if other:
        axes[0, 1].set_title("other data sets", fontsize=10)
    for a in axes[0]:
        a.set_xscale("log")
        a.set_xlabel("6-input luts (Yosys synth -lut 6, whole classifier)")
        a.set_ylabel("test accuracy")
        a.grid(True, which="both", alpha=0.3)
        a.legend(fontsize=7, loc="lower right" if a is ax else "center right")
    fig.tight_layout()
    out = [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    for path in out:
        fig.savefig(path, dpi=120)
    plt.close(fig)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-home", help="folder holding MNIST and CIFAR-10")
    p.add_argument("--quick", action="store_true", help="bundled data only, small designs: seconds")
    p.add_argument("-o", "--output", default="frontier.json", help="the JSON result (the plot goes beside it)")
    p.add_argument("--render", metavar="JSON", help="print the tables and redraw the plot of a stored result")
    p.add_argument("--resume", action="store_true",
                   help="keep the designs already in --output (written after every design) and run the others")
    args = p.parse_args(argv)
    if args.render:
        doc = json.loads(Path(args.render).read_text())
        print(render(doc))
        plot(doc, Path(args.render))
        return 0
    from lutlearn.experiments.runner import provenance

    image, tabular = (QUICK, QUICK_TABULAR) if args.quick else (FULL, FULL_TABULAR)
    command = "python benchmarks/bench_frontier.py " + " ".join(argv if argv is not None else sys.argv[1:])
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = {"benchmark": "frontier", "format": FORMAT, "command": command,
           "provenance": provenance({"quick": args.quick}), "published": PUBLISHED, "rows": [], "tabular": []}
    if args.resume and out.exists():
        old = json.loads(out.read_text())
        render(old)  # checks it is a frontier result
        done = {r["series"] for r in old["rows"]}
        new_series = [series for series, *_ in image if series not in done]
        # the first run's provenance stays; this run's is listed with the series it adds
        doc = dict(old, resumed=old.get("resumed", []) + [
            {"command": command, "provenance": doc["provenance"], "series": new_series}])

    def save() -> None:
        tmp = out.with_suffix(".json.part")
        tmp.write_text(json.dumps(doc, indent=2) + "\n")
        tmp.replace(out)

    def add_row(row: dict) -> None:
        doc["rows"].append(row)
        save()

    for series, task, sizes, params in image:
        done = {(r["series"], r["n_output_luts"]) for r in doc["rows"]}
        run_image(series, task, sizes, params, args.data_home, done, add_row)
    for name, sizes in tabular:
        if not any(r["task"] == name for r in doc["tabular"]):
            doc["tabular"] += run_tabular(name, sizes)
            save()
    order = {series: i for i, (series, *_) in enumerate(image)}
    doc["rows"].sort(key=lambda r: (order.get(r["series"], len(order)), r["n_output_luts"]))  # a resumed run's too
    save()
    print(render(doc))
    for path in plot(doc, out):
        print(f"plot written to {path}", file=sys.stderr)
    print(f"results written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
