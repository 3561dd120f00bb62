"""Table 1: memorization against the standard methods on Binary-MNIST and Binary-CIFAR-10."""

from __future__ import annotations

from lutlearn.experiments import paper
from lutlearn.experiments.cells import Records
from lutlearn.experiments.learners import LUT_NETWORK
from lutlearn.experiments.runner import NEAREST_NEIGHBORS, Run, lut_run
from lutlearn.experiments.tasks import binary_name

NAME = "table1"
TITLE = "Table 1: memorization and the standard methods (training and test accuracy)"
TASKS = ("binary-mnist", "binary-cifar10")
#: Members run only with ``--slow`` (beyond the time budget of ``reproduce all``).
SLOW_METHODS = ("conv-net", "random-forest-300")
LABELS = {
    "conv-net": "Conv net (LeNet-style)",
    "random-forest-300": "Random forest (300 trees)",
    "random-forest-10": "Random forest (10 trees)",
    "5-nn": "5-nearest neighbors",
    "1-nn": "1-nearest neighbor",
    "logistic-regression": "Logistic regression",
    "naive-bayes": "Naive Bayes (Bernoulli)",
    "random-guess": "Random guess",
}
#: Methods whose result depends on the seed (the others run once).
SEEDED = ("conv-net", "random-forest-10", "random-forest-300", "random-guess")


def plan(quick: bool = False, seeds: int = 1, slow: bool = False) -> list[Run]:
    """The runs of Table 1 (``--quick``: on Binary-Digits)."""
    runs = []
    for name in TASKS:
        task = binary_name(name, quick)
        k = paper.TABLE1_K[name]
        runs += [lut_run(task, k, s) for s in range(seeds)]
        for method in paper.TABLE1[name]:
            if method == LUT_NETWORK or (method in SLOW_METHODS and not slow):
                continue
            if method in ("1-nn", "5-nn"):
                runs.append(Run(task, NEAREST_NEIGHBORS))
            elif method in SEEDED:
                runs += [Run(task, method, (), s) for s in range(seeds)]
            else:
                runs.append(Run(task, method))
    return runs


def summarize(records: list[dict], quick: bool = False, slow: bool = False) -> dict:
    """The section of the report: one table per data set, laid out like the paper's Table 1."""
    recs = Records(records)
    tables = []
    for name in TASKS:
        task = binary_name(name, quick)
        k = paper.TABLE1_K[name]
        tol = paper.tolerance(name)
        rows = []
        for method, (p_train, p_test) in paper.TABLE1[name].items():
            if quick:  # a stand-in task: nothing to compare with
                p_train = p_test = None
            if method == LUT_NETWORK:
                label, settings = f"Memorization (k = {k})", dict(lut_run(task, k, 0).settings)
            else:
                label, settings = LABELS[method], {}
            cells = [recs.cell(task, method, settings, f, p, tol)
                     for f, p in (("train_accuracy", p_train), ("test_accuracy", p_test))]
            if method in SLOW_METHODS and not slow and cells[0]["status"] == "not run":
                for c in cells:
                    c["error"] = "a --slow member"
            fit = recs.cell(task, method, settings, "fit_seconds")
            rows.append([label, *cells, fit])
        title = f"{'Binary-Digits (quick stand-in for ' + name + ')' if quick else name}"
        tables.append({"title": title, "columns": ["Method", "Training", "Test", "Fit seconds"], "rows": rows})
    notes = [
        "All methods see the same 1-bit inputs (pixel or colour channel > 127). The baselines are "
        "scikit-learn's defaults (untuned, as in the paper): brute-force k-NN (1-NN and 5-NN share one "
        "neighbour search, whose time is shown for both), random forests, L2 logistic regression (C = 1), "
        "Bernoulli naive Bayes, uniform random guess.",
        "Binary-CIFAR-10 as classes 0-4 v/s 5-9 with each colour channel > 127 (3072 bits) is our "
        "inference of the paper's task: the paper does not say how it splits or quantizes CIFAR-10.",
        "The conv net and the 300-tree forest are optional `--slow` members; the conv net needs the "
        "`lutlearn[torch]` extra.",
    ]
    return {"name": NAME, "title": TITLE, "tables": tables, "notes": notes, "figures": []}
