"""Table 2: layer-by-layer training accuracy of the k = 8 network on Binary-MNIST, and its test accuracy."""

from __future__ import annotations

import numpy as np

from lutlearn.experiments import paper
from lutlearn.experiments.cells import Records, value_cell
from lutlearn.experiments.learners import LUT_NETWORK
from lutlearn.experiments.runner import Run, lut_run
from lutlearn.experiments.tasks import binary_name

NAME = "table2"
TITLE = "Table 2: per-layer training accuracy of the luts (k = 8, Binary-MNIST)"
K = 8
STATS = ("count", "mean", "std", "min", "max")


def plan(quick: bool = False, seeds: int = 1, slow: bool = False) -> list[Run]:
    """One k = 8 network per seed."""
    return [lut_run(binary_name("binary-mnist", quick), K, s) for s in range(seeds)]


def summarize(records: list[dict], quick: bool = False, slow: bool = False) -> dict:
    """The per-layer statistics averaged over seeds, beside Table 2's."""
    task = binary_name("binary-mnist", quick)
    recs = Records(records)
    settings = dict(lut_run(task, K, 0).settings)
    group = [r for r in recs.group(task, LUT_NETWORK, settings) if r.get("status") == "ok"]
    tol = paper.tolerance("binary-mnist")
    rows = []
    n_layers = len(group[0]["extra"]["layer_report"]) if group else len(paper.TABLE2)
    for layer in range(n_layers):
        ref = None if quick else paper.TABLE2.get(layer)
        row = [str(layer)]
        for i, stat in enumerate(STATS):
            vals = [r["extra"]["layer_report"][layer][stat] for r in group]
            cell = value_cell(float(np.mean(vals)) if vals else None, None if ref is None else ref[i],
                              None if stat == "count" else tol)
            if not vals:
                cell = recs.cell(task, LUT_NETWORK, settings, "train_accuracy")
                cell.update(mean=None, paper=None if ref is None else ref[i])
            cell["n"] = len(vals)
            cell["integer"] = stat == "count"
            cell["digits"] = 4 if stat == "std" else 3
            row.append(cell)
        rows.append(row)
    test = recs.cell(task, LUT_NETWORK, settings, "test_accuracy", None if quick else paper.TABLE2_TEST, tol)
    tables = [
        {"title": "Training accuracy of the luts, layer by layer (layer 0: the input bits as predictions)",
         "columns": ["Layer", "Count", "Mean", "Std", "Min", "Max"], "rows": rows},
        {"title": "Test accuracy of the network", "columns": ["Network", "Test"],
         "rows": [[f"5 x 1024 luts, k = {K}", test]]},
    ]
    notes = [f"Means over {len(group)} seed(s) of each statistic; the paper reports one network."]
    return {"name": NAME, "title": TITLE, "tables": tables, "notes": notes, "figures": []}
