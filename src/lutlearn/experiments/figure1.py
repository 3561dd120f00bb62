"""Figure 1: generalization gap on the 45 Pairwise-MNIST tasks, against k and (at k = 2) against depth."""

from __future__ import annotations

from itertools import combinations

import numpy as np

from lutlearn.experiments import paper
from lutlearn.experiments.cells import Records, value_cell
from lutlearn.experiments.learners import LUT_NETWORK
from lutlearn.experiments.runner import Run, lut_run
from lutlearn.experiments.tasks import pairwise_name

NAME = "figure1"
TITLE = "Figure 1: generalization gap (training minus test accuracy) on the 45 Pairwise-MNIST tasks"
PAIRS = tuple(combinations(range(10), 2))
QUICK_PAIRS = ((0, 1), (3, 8), (4, 9))
KS = (2, 4, 6, 8, 10, 12)
QUICK_KS = (2, 4, 8)
DEPTHS = (1, 2, 3, 4, 5, 6, 7, 8)
QUICK_DEPTHS = (1, 3, 5)
DEPTH_K = 2


def grid(quick: bool):
    """``(pairs, ks, depths)`` run."""
    return (QUICK_PAIRS, QUICK_KS, QUICK_DEPTHS) if quick else (PAIRS, KS, DEPTHS)


def plan(quick: bool = False, seeds: int = 1, slow: bool = False) -> list[Run]:
    """Every pair at every k (5 hidden layers) and, at k = 2, at every depth."""
    prs, ks, depths = grid(quick)
    runs = []
    for i, j in prs:
        task = pairwise_name("mnist", i, j, quick)
        runs += [lut_run(task, k, s) for k in ks for s in range(seeds)]
        runs += [lut_run(task, DEPTH_K, s, layers=d) for d in depths if d != 5 for s in range(seeds)]
    return runs


def _per_pair(recs: Records, task: str, settings: dict) -> tuple[float | None, float | None]:
    tr = recs.values(task, LUT_NETWORK, settings, "train_accuracy")
    te = recs.values(task, LUT_NETWORK, settings, "test_accuracy")
    return (float(np.mean(tr)) if tr else None, float(np.mean(te)) if te else None)


def summarize(records: list[dict], quick: bool = False, slow: bool = False) -> dict:
    """Box plots of the gap over pairs, a summary table, and the worst pair's best test accuracy."""
    recs = Records(records)
    prs, ks, depths = grid(quick)
    tol = paper.tolerance("mnist")
    family = "Digits" if quick else "MNIST"

    def gaps_and_tests(settings_of):
        gaps, tests = [], {}
        for i, j in prs:
            task = pairwise_name("mnist", i, j, quick)
            tr, te = _per_pair(recs, task, settings_of(task))
            if tr is not None and te is not None:
                gaps.append(tr - te)
                tests[(i, j)] = te
        return gaps, tests

    by_k, tests_by_k, rows = {}, {}, []
    for k in ks:
        gaps, tests = gaps_and_tests(lambda t, k=k: dict(lut_run(t, k, 0).settings))
        by_k[k], tests_by_k[k] = gaps, tests
        rows.append(_row(f"k = {k}", gaps, tests, len(prs)))
    by_depth, drows = {}, []
    for d in depths:
        gaps, tests = gaps_and_tests(lambda t, d=d: dict(lut_run(t, DEPTH_K, 0, layers=d).settings))
        by_depth[d] = gaps
        drows.append(_row(f"{d} hidden layers", gaps, tests, len(prs)))

    best = {}
    for tests in tests_by_k.values():
        for pair, te in tests.items():
            best[pair] = max(best.get(pair, 0.0), te)
    worst_pair = min(best, key=best.get) if best else None
    worst = value_cell(best[worst_pair] if worst_pair else None, None if quick else paper.FIGURE1_WORST_TEST, tol)
    p_pair = paper.FIGURE1_WORST_PAIR
    p_cell = value_cell(best.get(p_pair), None if quick else paper.FIGURE1_WORST_TEST, tol)
    wp = f"{worst_pair[0]} v/s {worst_pair[1]}" if worst_pair else "—"
    tables = [
        {"title": "Gap over the pairwise tasks against k (5 hidden layers of 1024 luts)",
         "columns": ["Network", "Tasks", "Median gap", "Mean gap", "Min gap", "Max gap", "Mean test", "Min test"],
         "rows": rows},
        {"title": f"Gap against depth at k = {DEPTH_K}",
         "columns": ["Network", "Tasks", "Median gap", "Mean gap", "Min gap", "Max gap", "Mean test", "Min test"],
         "rows": drows},
        {"title": "The worst pair: the best test accuracy over k of the hardest task",
         "columns": ["Task", "Best test accuracy over k"],
         "rows": [[f"worst pair ({wp})", worst], [f"{p_pair[0]} v/s {p_pair[1]} (the paper's worst)", p_cell]]},
    ]
    notes = [
        f"The paper's Figure 1 is a plot without printed values; we compare its one number, the worst "
        f"pair's test accuracy (0.95, 4 v/s 9, sentence 149), taken as the best over the k we run ({list(ks)}).",
    ]
    figures = [
        {"file": "figure1_gap_vs_k.png", "kind": "box", "title": f"Pairwise-{family}: generalization gap against k",
         "xlabel": "k (inputs per lut)", "ylabel": "training - test accuracy",
         "series": {str(k): by_k[k] for k in ks}},
        {"file": "figure1_gap_vs_depth.png", "kind": "box",
         "title": f"Pairwise-{family}: generalization gap against depth (k = {DEPTH_K})",
         "xlabel": "hidden layers of 1024 luts", "ylabel": "training - test accuracy",
         "series": {str(d): by_depth[d] for d in depths}},
    ]
    return {"name": NAME, "title": TITLE, "tables": tables, "notes": notes, "figures": figures}


def _row(label: str, gaps: list[float], tests: dict, n_tasks: int) -> list:
    if not gaps:
        return [label, f"0 of {n_tasks}"] + ["—"] * 6
    g, t = np.array(gaps), np.array(list(tests.values()))
    vals = [np.median(g), g.mean(), g.min(), g.max(), t.mean(), t.min()]
    return [label, f"{len(gaps)} of {n_tasks}"] + [f"{v:.3f}" for v in vals]
