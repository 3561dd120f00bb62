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

import numpy as np

from lutlearn.memorization import LabConfig
from lutlearn.memorization.runs import (
    LUT, MLP, lab_cell, lab_records, learner_label, lut_run, mlp_run, replicate,
)
from lutlearn.network import output_cone

NAME = "critical"
TITLE = "Critical sample ratio on test data: networks fit to real and to random labels"
KS, QUICK_KS = (4, 8, 12), (8,)
RADII, QUICK_RADII = (1, 2, 4, 8), (1, 2)
PROBES, QUICK_PROBES = 64, 16
N_TEST = 1000
MLP_RADII = (0.01, 0.02, 0.05)
MLP_HIDDEN, MLP_EPOCHS, QUICK_MLP_EPOCHS = 256, 20, 5
MLP_STEPS, MLP_PROBES = 10, 20


def _outputs(clf, V: np.ndarray, other: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Predicted class index of each row of ``V`` and its search score for class ``other`` (per row)."""
    from lutlearn import kernels

    A = clf._last_hidden(clf._validate_predict(V))
    wires, tables = clf._cone[-1]
    idx = kernels.pattern_index(A, wires[0])
    pred = tables[0][idx]
    counts = clf.output_counts_[idx].astype(np.float64)
    totals = counts.sum(axis=1)
    p_other = np.where(totals > 0, counts[np.arange(len(V)), other] / np.maximum(totals, 1), 0.5)
    vote = (A == other[None, :]).mean(axis=0) if A.shape[0] else np.zeros(len(V))
    return pred, p_other + 1e-3 * vote


def lut_critical(clf, X: np.ndarray, radii, n_random: int = 64, seed: int = 0, chunk_rows: int = 40000) -> dict:
    """Which rows of ``X`` change prediction when at most r input bits flip, for each r in ``radii``.

    Parameters
    ----------
    clf : LutNetworkClassifier
        A fitted two-class network.
    X : array of shape (n_samples, n_features)
        0/1 test inputs.
    radii : sequence of int
        Hamming radii r.
    n_random : int, default=64
        Random flip sets tried per example and radius.
    seed : int, default=0
        Seeds the random flips and tie-breaks.

    Returns
    -------
    dict
        ``radii``, ``ratio`` (critical share per radius), ``critical``
        (per radius, 0/1 flag per example), ``budget`` (greedy rounds and
        evaluations per round, random probes per radius) and ``found_by``
        (per radius, how many examples each search found).
    """
    radii = [int(r) for r in radii]
    X = np.ascontiguousarray(X, dtype=np.uint8)
    rng = np.random.default_rng(seed)
    cone, _, _ = output_cone(clf.wires_)
    n, m = len(X), len(cone)
    base_pred, _ = _outputs(clf, X, np.zeros(n, np.int64))
    other = 1 - base_pred.astype(np.int64)
    greedy_step = np.full(n, np.iinfo(np.int64).max)
    cur = X.copy()
    flipped = np.zeros((n, m), bool)
    per_chunk = max(1, chunk_rows // max(m, 1))
    for step in range(1, max(radii) + 1):
        active = np.flatnonzero(greedy_step > step)
        for start in range(0, len(active), per_chunk):
            rows = active[start:start + per_chunk]
            V = np.repeat(cur[rows], m, axis=0).reshape(len(rows), m, -1)
            V[:, np.arange(m), cone] ^= 1
            pred, score = _outputs(clf, V.reshape(len(rows) * m, -1), np.repeat(other[rows], m))
            pred, score = pred.reshape(len(rows), m), score.reshape(len(rows), m)
            score = np.where(flipped[rows], -np.inf, score + 1e-9 * rng.random(score.shape))
            hit = pred != base_pred[rows, None]
            greedy_step[rows[hit.any(axis=1)]] = step
            best = score.argmax(axis=1)
            cur[rows, cone[best]] ^= 1
            flipped[rows, best] = True
    flags, found_by = [], []
    for r in radii:
        random_hit = np.zeros(n, bool)
        if m and r <= m:
            per = max(1, chunk_rows // max(n_random, 1))
            for start in range(0, n, per):
                rows = np.arange(start, min(n, start + per))
                picks = np.argsort(rng.random((len(rows) * n_random, m)), axis=1)[:, :r]
                V = np.repeat(X[rows], n_random, axis=0)
                V[np.arange(len(V))[:, None], cone[picks]] ^= 1
                pred, _ = _outputs(clf, V, np.repeat(other[rows], n_random))
                random_hit[rows] = (pred.reshape(len(rows), n_random) != base_pred[rows, None]).any(axis=1)
        greedy_hit = greedy_step <= r
        crit = greedy_hit | random_hit
        flags.append(crit.astype(np.uint8))
        found_by.append({"greedy": int(greedy_hit.sum()), "random": int(random_hit.sum()),
                         "random_only": int((random_hit & ~greedy_hit).sum())})
    return {"radii": radii, "ratio": [float(f.mean()) if n else 0.0 for f in flags], "critical": flags,
            "budget": {"greedy_rounds": max(radii), "evaluations_per_round": m, "random_probes_per_radius": n_random},
            "found_by": found_by}


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
