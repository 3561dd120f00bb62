"""Critical sample ratio (Arpit et al. 2017): how many test points sit next to the decision boundary.

A test point x is *critical* when some x' near it gets another prediction.
For the MLP, "near" is Arpit et al.'s L-infinity box ``||x' - x||_inf <= r``
(see :meth:`lutlearn.memorization.mlp.MLPClassifier.critical`). For lut
networks, whose inputs are bits, it is "at most r input bits flipped"
(Hamming radius r), searched by :func:`lut_critical` with a bounded budget:

* greedy: up to ``max(radii)`` rounds; each round tries every single flip of
  an input the output depends on (the output cone) and keeps the flip that
  most raises the other class's probability at the output lut (ties broken
  by the share of last-layer luts voting for the other class, then at
  random);
* random: ``n_random`` random sets of exactly r flipped cone inputs per radius.

A found x' proves a point critical; a point not found may still be critical
beyond the budget, so the ratio is a lower bound. Higher ratios mean a more
complex decision surface; Arpit et al. find them for networks fit to noise.
"""

from __future__ import annotations

from lutlearn.memorization import LabConfig
from lutlearn.memorization.runs import (
    LUT,
    MLP,
    lab_cell,
    lab_records,
    learner_label,
    lut_run,
    mlp_run,
    replicate,
)

NAME = "critical"
TITLE = "Critical sample ratio on test data: networks fit to real and to random labels"
KS, QUICK_KS = (4, 8, 12), (8,)
RADII, QUICK_RADII = (1, 2, 4, 8), (1, 2)
PROBES, QUICK_PROBES = 64, 16
N_TEST = 1000
MLP_RADII = (0.01, 0.02, 0.05)
MLP_HIDDEN, MLP_EPOCHS, QUICK_MLP_EPOCHS = 256, 20, 5
MLP_STEPS, MLP_PROBES = 10, 20


def _settings(cfg: LabConfig):
    quick = cfg.quick
    n_test = cfg.n_test or N_TEST
    lut = dict(radii="/".join(map(str, QUICK_RADII if quick else RADII)), probes=QUICK_PROBES if quick else PROBES,
               n_test=n_test, **cfg.lut_layers)
    mlp = dict(radii="/".join(f"{r:g}" for r in MLP_RADII), probes=MLP_PROBES, steps=MLP_STEPS, n_test=n_test)
    return lut, mlp


def _replicates(cfg: LabConfig) -> list[list]:
    """Per (labels, learner): its replicates, one per seed."""
    lut, mlp = _settings(cfg)
    reps = []
    for labels in ("real", "random"):
        randY = 1.0 if labels == "random" else 0.0
        reps += [replicate(lut_run("", k, 0, measure="critical", **lut), cfg.task, cfg.seeds, n_train=cfg.n_train,
                           randY=randY) for k in (QUICK_KS if cfg.quick else KS)]
        if cfg.mlp:
            run = mlp_run("", MLP_HIDDEN, 0, QUICK_MLP_EPOCHS if cfg.quick else MLP_EPOCHS, measure="critical", **mlp)
            reps.append(replicate(run, cfg.task, cfg.seeds, n_train=cfg.mlp_train, randY=randY))
    return reps


def plan(cfg: LabConfig) -> list:
    """Per k (and for the MLP), networks on real labels and on random labels (randY = 1), measured on test data."""
    return [r for reps in _replicates(cfg) for r in reps]


def summarize(records: list[dict], cfg: LabConfig) -> dict:
    """Critical sample ratio per radius for each learner, on real and on random labels."""
    from lutlearn.experiments.cells import make_cell

    recs = lab_records(records)
    lut, mlp = _settings(cfg)
    tables, series = [], {}
    for method, radii_text in ((LUT, lut["radii"]), (MLP, mlp["radii"])):
        groups = [reps for reps in _replicates(cfg) if reps[0].method == method]
        if not groups:
            continue
        radii = radii_text.split("/")
        rows = []
        for reps in groups:
            labels = "random" if "randY" in reps[0].task else "real"
            group = [rec for r in reps for rec in recs.group(r.task, r.method, r.settings) if rec.get("seed") == r.seed]
            acc = [lab_cell(recs, reps, f) for f in ("train_accuracy", "test_accuracy")]
            ratios = [make_cell([{**rec, "ratio": rec["critical"]["ratio"][i]} if rec.get("status") == "ok" else rec
                                 for rec in group], "ratio") for i in range(len(radii))]
            rows.append([learner_label(reps[0]), labels, *acc, *ratios])
            if method == LUT:
                for i, r in enumerate(radii):
                    series.setdefault(f"{labels} labels, r={r}", []).append(
                        (int(reps[0].options["k"]), ratios[i]["mean"], ratios[i]["std"] or 0.0))
        unit = "bits flipped" if method == LUT else "L-inf radius"
        budget = (f"greedy: up to {max(map(int, radii))} rounds over the output cone's inputs; random: "
                  f"{lut['probes']} flip sets per radius" if method == LUT else
                  f"{mlp['steps']} gradient-sign steps + {mlp['probes']} random box corners per radius")
        tables.append({"title": f"{'Lut networks' if method == LUT else 'MLP (2 hidden layers)'}: critical "
                                f"sample ratio by {unit} r (budget per example: {budget})",
                       "columns": ["Learner", "Training labels", "Training accuracy", "Test accuracy",
                                   *[f"r = {r}" for r in radii]], "rows": rows})
    notes = [
        "Critical sample ratio: share of test examples for which the search found an input within radius r "
        "with another prediction (a lower bound: the search has a budget). Arpit et al. find more critical "
        "samples for networks fit to noise, i.e. a more complex decision surface.",
        "Random labels: every training label replaced by a uniformly random one (randY = 1); the test data "
        "are real.",
        f"Means (± std) over {cfg.seeds} seed(s), each with its own random labels and learner.",
    ]
    figures = [{"file": "critical_vs_k.png", "kind": "line", "title": "Lut networks: critical sample ratio",
                "xlabel": "k (inputs per lut)", "ylabel": "critical sample ratio", "series": series}]
    return {"name": NAME, "title": TITLE, "tables": tables, "notes": notes, "figures": figures}
