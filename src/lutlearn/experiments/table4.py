"""Table 4: the 45 Pairwise-CIFAR-10 tasks at k = 10, training accuracy below the diagonal, test above."""

from __future__ import annotations

from itertools import combinations

from lutlearn.experiments import paper
from lutlearn.experiments.cells import Records
from lutlearn.experiments.learners import LUT_NETWORK
from lutlearn.experiments.runner import Run, lut_run
from lutlearn.experiments.tasks import pairwise_name

NAME = "table4"
TITLE = "Table 4: Pairwise-CIFAR-10 (k = 10): training accuracy below the diagonal, test accuracy above"
PAIRS = tuple(combinations(range(10), 2))
QUICK_PAIRS = ((0, 1), (3, 8), (4, 9))


def pairs(quick: bool) -> tuple[tuple[int, int], ...]:
    """The class pairs run (``--quick``: three pairs of 8x8 digits)."""
    return QUICK_PAIRS if quick else PAIRS


def plan(quick: bool = False, seeds: int = 1, slow: bool = False) -> list[Run]:
    """One k = 10 network per pair and seed."""
    return [lut_run(pairwise_name("cifar10", i, j, quick), paper.TABLE4_K, s)
            for i, j in pairs(quick) for s in range(seeds)]


def summarize(records: list[dict], quick: bool = False, slow: bool = False) -> dict:
    """The 10 x 10 matrix laid out like the paper's, each cell with the paper's number and the difference."""
    recs = Records(records)
    tol = paper.tolerance("cifar10")
    names = [str(i) for i in range(10)] if quick else paper.CIFAR10_SHORT
    matrix = [[names[i]] + ["" for _ in range(10)] for i in range(10)]
    for i, j in pairs(quick):
        task = pairwise_name("cifar10", i, j, quick)
        settings = dict(lut_run(task, paper.TABLE4_K, 0).settings)
        p_train, p_test = (None, None) if quick else paper.TABLE4[(i, j)]
        matrix[j][1 + i] = recs.cell(task, LUT_NETWORK, settings, "train_accuracy", p_train, tol)
        matrix[i][1 + j] = recs.cell(task, LUT_NETWORK, settings, "test_accuracy", p_test, tol)
    for i in range(10):
        matrix[i][1 + i] = "—"
    tables = [{"title": "Pairwise-CIFAR-10" if not quick else "Pairwise-Digits (quick stand-in)",
               "columns": [""] + names, "rows": matrix, "compact": True}]
    notes = [
        "Each cell: our accuracy (mean over seeds), then the paper's and the difference in brackets.",
        "Pairwise-CIFAR-10 task i v/s j uses the training and test images of classes i and j, each colour "
        "channel > 127 (3072 bits); the quantization is our inference of the paper's (see Table 1).",
    ]
    return {"name": NAME, "title": TITLE, "tables": tables, "notes": notes, "figures": []}
