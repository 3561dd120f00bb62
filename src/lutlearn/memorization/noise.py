"""Label noise (randY) and input noise (randX): what is memorized, and what it costs on real test data.

Following Zhang et al. (2017) and Arpit et al. (2017), a fraction p of the
training set is randomized, separately for labels (randY: uniformly random
labels) and inputs (randX: Gaussian noise with the data's per-feature mean and
variance, quantized like the real inputs). For each p, k (lut networks) and
hidden width (MLP): training accuracy on the clean part and on the noisy part
(how much of the noise is memorized), and test accuracy on clean test data.
"""

from __future__ import annotations

from lutlearn.experiments.tasks import readable_task
from lutlearn.memorization import LabConfig
from lutlearn.memorization.runs import LUT, MLP, lab_cell, lab_records, learner_label, lut_run, mlp_run, replicate

NAME = "noise"
TITLE = "Noisy training data: randomized labels (randY) and inputs (randX), p from 0 to 1"
PS, QUICK_PS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0), (0.0, 0.5, 1.0)
KS, QUICK_KS = (4, 8, 12), (8,)
HIDDEN, QUICK_HIDDEN = (32, 256), (32,)
MLP_EPOCHS, QUICK_MLP_EPOCHS = 20, 5
KINDS = {"randY": "random labels (randY)", "randX": "noise inputs (randX)"}
FIELDS = (("clean_train_accuracy", "clean part: training"), ("noisy_train_accuracy", "noisy part: training"),
          ("test_accuracy", "test"))


def _runs(cfg: LabConfig, kind: str, p: float) -> list[list]:
    """Per learner, its replicates (one per seed) at noise fraction ``p`` of ``kind``."""
    data = dict(n_train=cfg.n_train, **{kind: p})
    reps = [replicate(lut_run("", k, 0, n_test=cfg.n_test, **cfg.lut_layers), cfg.task, cfg.seeds, **data)
            for k in (QUICK_KS if cfg.quick else KS)]
    if cfg.mlp:
        epochs = QUICK_MLP_EPOCHS if cfg.quick else MLP_EPOCHS
        data["n_train"] = cfg.mlp_train
        reps += [replicate(mlp_run("", h, 0, epochs, n_test=cfg.n_test), cfg.task, cfg.seeds, **data)
                 for h in (QUICK_HIDDEN if cfg.quick else HIDDEN)]
    return reps


def plan(cfg: LabConfig) -> list:
    """One run per noise kind, fraction p, learner and seed (p = 0 is shared by both kinds)."""
    ps = QUICK_PS if cfg.quick else PS
    return [run for kind in KINDS for p in ps for reps in _runs(cfg, kind, p) for run in reps]


def summarize(records: list[dict], cfg: LabConfig) -> dict:
    """Per kind of noise: a table of the three accuracies against p for each learner, and their plot."""
    recs = lab_records(records)
    ps = QUICK_PS if cfg.quick else PS
    tables, figures = [], []
    for kind, title in KINDS.items():
        rows, series = [], {LUT: {}, MLP: {}}
        for p in ps:
            for reps in _runs(cfg, kind, p):
                label = learner_label(reps[0])
                cells = [lab_cell(recs, reps, f) for f, _ in FIELDS]
                rows.append([f"{p:g}", label, *cells])
                for (_, name), c in zip(FIELDS, cells):
                    series[reps[0].method].setdefault(f"{label}: {name}", []).append((p, c["mean"], c["std"] or 0.0))
        tables.append({"title": f"{title}: accuracy against the noisy fraction p",
                       "columns": ["p", "Learner", *[name for _, name in FIELDS]], "rows": rows})
        for method, family in ((LUT, "lut networks"), (MLP, "MLP")):
            if series[method]:
                figures.append({"file": f"noise_{kind}_{'lut' if method == LUT else 'mlp'}.png", "kind": "line",
                                "title": f"{readable_task(cfg.task)}, {family}: {title}", "ylabel": "accuracy",
                                "xlabel": "fraction p of training examples randomized", "series": series[method]})
    notes = [
        "Clean part: training examples left as they were; noisy part: those whose label (randY) or input (randX) "
        "was randomized, scored against the labels the learner was given. A noisy-part training accuracy near 1 "
        "means the noise was memorized; near 0.5, ignored. Test data are always clean.",
        f"Each number is the mean (± std) over {cfg.seeds} seed(s); each seed draws its own randomized examples, "
        "random labels or noise inputs, and learner.",
        "Lut networks: " + ("3 hidden layers of 256 luts" if cfg.quick else "5 hidden layers of 1024 luts") +
        (f", trained on {cfg.n_train} examples." if cfg.n_train else ", trained on the whole training set."),
    ]
    if cfg.mlp:
        epochs = QUICK_MLP_EPOCHS if cfg.quick else MLP_EPOCHS
        notes.append(f"MLP: 2 hidden ReLU layers of the given width, SGD (lr 0.01, momentum 0.9, batch 64), "
                     f"{epochs} epochs on a stratified subsample of {cfg.mlp_train or 'all'} training examples.")
    return {"name": NAME, "title": TITLE, "tables": tables, "notes": notes, "figures": figures}
