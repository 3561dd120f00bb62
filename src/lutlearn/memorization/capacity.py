"""Capacity: how large (or deep) a learner must be to reach a training accuracy, on real versus random labels.

Lut networks are swept over the lut size k, the MLP over its hidden width,
each at several training-set sizes, on real labels and on uniformly random
labels (randY = 1). For each target training accuracy, the smallest k (or
width) that reaches it shows how much more capacity memorizing random data
takes (Arpit et al. 2017, Section 5; the paper's Table 3 in the lut setting).
A depth sweep of k = 8 lut networks tests the paper's "depth helps".
"""

from __future__ import annotations

from lutlearn.memorization import LabConfig
from lutlearn.memorization.runs import LUT, MLP, lab_cell, lab_records, lut_run, mlp_run, replicate

NAME = "capacity"
TITLE = "Capacity: the lut size or hidden width needed to fit real and random labels"
KS, QUICK_KS = (2, 4, 6, 8, 10, 12), (2, 8)
N_TRAINS, QUICK_N_TRAINS = (1000, 5000, 20000, None), (250, 1000)
HIDDEN, QUICK_HIDDEN = (4, 16, 64, 256), (4, 64)
MLP_N_TRAINS, QUICK_MLP_N_TRAINS = (1000, 5000), (250,)
MLP_EPOCHS, QUICK_MLP_EPOCHS = 30, 5
TARGETS = (0.75, 0.9, 0.99)
DEPTH_K, DEPTHS, QUICK_DEPTHS = 8, (1, 2, 3, 5, 8), (1, 3)
LABELS = {"real": 0.0, "random": 1.0}


def _grid(cfg: LabConfig, method: str):
    """(training-set sizes, sizes of the learner, run maker) of ``method``."""
    if method == LUT:
        return (QUICK_N_TRAINS if cfg.quick else N_TRAINS, QUICK_KS if cfg.quick else KS,
                lambda size: lut_run("", size, 0, n_test=cfg.n_test, **cfg.lut_layers))
    epochs = QUICK_MLP_EPOCHS if cfg.quick else MLP_EPOCHS
    return (QUICK_MLP_N_TRAINS if cfg.quick else MLP_N_TRAINS, QUICK_HIDDEN if cfg.quick else HIDDEN,
            lambda size: mlp_run("", size, 0, epochs, n_test=cfg.n_test))


def _methods(cfg: LabConfig) -> tuple[str, ...]:
    return (LUT, MLP) if cfg.mlp else (LUT,)


def _depth_replicates(cfg: LabConfig, labels: str, depth: int) -> list:
    """The lut networks of the depth sweep: ``depth`` hidden layers of k = 8 luts, on the lut networks' data."""
    width = cfg.lut_layers["width"]
    run = lut_run("", DEPTH_K, 0, n_test=cfg.n_test, layers=depth, width=width)
    return replicate(run, cfg.task, cfg.seeds, n_train=cfg.n_train, randY=LABELS[labels])


def plan(cfg: LabConfig) -> list:
    """Every (training-set size, labels, size of learner), for each learner; and the lut networks' depth sweep."""
    runs = [r for labels in LABELS for d in (QUICK_DEPTHS if cfg.quick else DEPTHS)
            for r in _depth_replicates(cfg, labels, d)]
    for method in _methods(cfg):
        n_trains, sizes, make = _grid(cfg, method)
        runs += [r for n in n_trains for y in LABELS.values() for s in sizes
                 for r in replicate(make(s), cfg.task, cfg.seeds, n_train=n, randY=y)]
    return runs


def smallest_reaching(points: list[tuple[int, float | None]], target: float) -> int | None:
    """The smallest size whose accuracy reaches ``target`` in ``[(size, accuracy), ...]``, or None."""
    hits = [size for size, acc in points if acc is not None and acc >= target - 1e-12]
    return min(hits) if hits else None


def summarize(records: list[dict], cfg: LabConfig) -> dict:
    """Training and test accuracy against size, and the smallest size reaching each target, per learner."""
    recs = lab_records(records)
    tables, figures = [], []
    for method in _methods(cfg):
        n_trains, sizes, make = _grid(cfg, method)
        unit = "k" if method == LUT else "hidden units"
        rows, need, series = [], [], {}
        for n in n_trains:
            n_text = str(n) if n else "all"
            for labels, y in LABELS.items():
                train, test = [], []
                for s in sizes:
                    reps = replicate(make(s), cfg.task, cfg.seeds, n_train=n, randY=y)
                    train.append(lab_cell(recs, reps, "train_accuracy"))
                    test.append(lab_cell(recs, reps, "test_accuracy"))
                rows.append([n_text, labels, "training", *train])
                rows.append([n_text, labels, "test", *test])
                series[f"n={n_text}, {labels} labels"] = [(s, c["mean"], 0.0) for s, c in zip(sizes, train)]
                points = [(s, c["mean"]) for s, c in zip(sizes, train)]
                if all(c["status"] == "not run" for c in train):
                    need.append([n_text, labels, *["not run"] * len(TARGETS)])
                else:
                    need.append([n_text, labels, *[_size_text(smallest_reaching(points, t), sizes) for t in TARGETS]])
        name = "Lut networks" if method == LUT else "MLP (2 hidden layers)"
        tables.append({"title": f"{name}: accuracy against {unit}", "columns": ["n train", "Labels", "Accuracy",
                       *[f"{unit} = {s}" for s in sizes]], "rows": rows})
        tables.append({"title": f"{name}: smallest {unit} reaching a training accuracy",
                       "columns": ["n train", "Labels", *[f"≥ {t:g}" for t in TARGETS]], "rows": need})
        figures.append({"file": f"capacity_{'lut' if method == LUT else 'mlp'}.png", "kind": "line",
                        "title": f"{name}: training accuracy against {unit}", "xlabel": unit,
                        "ylabel": "training accuracy", "series": series})
    rows, series = [], {}
    for labels in LABELS:
        for d in (QUICK_DEPTHS if cfg.quick else DEPTHS):
            cells = [lab_cell(recs, _depth_replicates(cfg, labels, d), f) for f in ("train_accuracy", "test_accuracy")]
            rows.append([str(d), labels, *cells])
            for name, c in zip(("training", "test"), cells):
                series.setdefault(f"{labels} labels, {name}", []).append((d, c["mean"], c["std"] or 0.0))
    tables.append({"title": f"Lut networks: accuracy against depth (k = {DEPTH_K}, {cfg.lut_layers['width']} luts "
                            "per hidden layer)", "columns": ["Hidden layers", "Labels", "Training", "Test"],
                   "rows": rows})
    figures.append({"file": "capacity_depth.png", "kind": "line", "title": f"Lut networks (k = {DEPTH_K}): accuracy "
                    "against depth", "xlabel": "hidden layers", "ylabel": "accuracy", "series": series})
    notes = [
        "Random labels: every training label replaced by a uniformly random one (randY = 1). "
        "`> max` means no size in the sweep reached the target (judged on the mean over seeds).",
        f"Accuracies are means (± std) over {cfg.seeds} seed(s), each with its own subsample, random labels and "
        "learner.",
        "Lut networks: " + ("3 hidden layers of 256 luts" if cfg.quick else "5 hidden layers of 1024 luts") +
        " (the depth sweep varies the number of layers).",
    ]
    if cfg.mlp:
        notes.append(f"MLP: 2 hidden ReLU layers, SGD (lr 0.01, momentum 0.9, batch 64), "
                     f"{QUICK_MLP_EPOCHS if cfg.quick else MLP_EPOCHS} epochs.")
    return {"name": NAME, "title": TITLE, "tables": tables, "notes": notes, "figures": figures}


def _size_text(size: int | None, sizes) -> str:
    return f"> {max(sizes)}" if size is None else str(size)
