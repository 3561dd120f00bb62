"""Depth: test accuracy against the number of hidden layers at k = 8 on Binary-MNIST."""

from __future__ import annotations

from lutlearn.experiments import paper
from lutlearn.experiments.cells import Records
from lutlearn.experiments.learners import LUT_NETWORK
from lutlearn.experiments.runner import Run, lut_run
from lutlearn.experiments.tasks import binary_name, readable_task

NAME = "depth"
TITLE = "Depth: accuracy against the number of hidden layers (k = 8, 1024 luts per layer, Binary-MNIST)"
K = 8
DEPTHS = tuple(range(1, 9))
QUICK_DEPTHS = (1, 3, 5)


def depths(quick: bool) -> tuple[int, ...]:
    """The numbers of hidden layers run."""
    return QUICK_DEPTHS if quick else DEPTHS


def plan(quick: bool = False, seeds: int = 1, slow: bool = False) -> list[Run]:
    """One k = 8 network per depth and seed."""
    task = binary_name("binary-mnist", quick)
    return [lut_run(task, K, s, layers=d) for d in depths(quick) for s in range(seeds)]


def summarize(records: list[dict], quick: bool = False, slow: bool = False) -> dict:
    """The table of accuracy against depth and its plot; the paper gives numbers only at depth 5 (Tables 2-3)."""
    task = binary_name("binary-mnist", quick)
    recs = Records(records)
    tol = paper.tolerance("binary-mnist")
    rows, series = [], {}
    for d in depths(quick):
        ref = paper.TABLE3[K][:2] if (d == 5 and not quick) else (None, None)
        settings = dict(lut_run(task, K, 0, layers=d).settings)
        cells = [recs.cell(task, LUT_NETWORK, settings, f, p, tol)
                 for f, p in (("train_accuracy", ref[0]), ("test_accuracy", ref[1]))]
        rows.append([str(d), *cells])
        for name, c, p in zip(("training", "test"), cells, ref):
            series.setdefault(name, []).append((d, c["mean"], c["std"]))
            if p is not None:  # the paper's only point: 5 hidden layers (Table 3, k = 8)
                series.setdefault(f"paper: {name}", []).append((d, p, 0.0))
    tables = [{"title": "Accuracy against the number of hidden layers",
               "columns": ["Hidden layers", "Training", "Test"], "rows": rows}]
    notes = ["The paper states that depth improves performance but prints numbers only for 5 hidden layers "
             "(Table 3, k = 8: 0.89 training, 0.87 test)."]
    figures = [{"file": "depth_accuracy.png", "kind": "line",
                "title": f"{readable_task(task)}: accuracy against depth (k = {K})",
                "xlabel": "hidden layers of 1024 luts", "ylabel": "accuracy", "series": series}]
    return {"name": NAME, "title": TITLE, "tables": tables, "notes": notes, "figures": figures}
