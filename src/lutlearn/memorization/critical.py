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
from lutlearn.memorization.runs import LUT, MLP, lab_records, learner_label, lut_run, mlp_run, task_name, unpack_bits
from lutlearn.network import output_cone

NAME = "critical"
TITLE = "Critical sample ratio on test data: networks fit to real and to random labels"
KS, QUICK_KS = (4, 8, 12), (8,)
RADII, QUICK_RADII = (1, 2, 4, 8), (1, 2)
PROBES, QUICK_PROBES = 64, 16
N_TEST = 1000
MLP_RADII = (0.05, 0.1, 0.2)
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


def plan(cfg: LabConfig) -> list:
    """Per k (and for the MLP), a network on real labels and one on random labels (randY = 1), measured on test data."""
    lut, mlp = _settings(cfg)
    runs = []
    for labels in ("real", "random"):
        randY = 1.0 if labels == "random" else 0.0
        name = task_name(cfg.task, cfg.n_train, randY=randY)
        runs += [lut_run(name, k, 0, measure="critical", **lut) for k in (QUICK_KS if cfg.quick else KS)]
        if cfg.mlp:
            runs.append(mlp_run(task_name(cfg.task, cfg.mlp_train, randY=randY), MLP_HIDDEN, 0,
                                QUICK_MLP_EPOCHS if cfg.quick else MLP_EPOCHS, measure="critical", **mlp))
    return runs


def summarize(records: list[dict], cfg: LabConfig) -> dict:
    """Critical sample ratio per radius for each learner, on real and on random labels."""
    from lutlearn.experiments.cells import value_cell

    recs = lab_records(records)
    lut, mlp = _settings(cfg)
    tables, series = [], {}
    for method, radii_text in ((LUT, lut["radii"]), (MLP, mlp["radii"])):
        runs = [r for r in plan(cfg) if r.method == method]
        if not runs:
            continue
        radii = radii_text.split("/")
        rows = []
        for run in runs:
            labels = "random" if "randY" in run.task else "real"
            group = [g for g in recs.group(run.task, run.method, run.settings) if g.get("status") == "ok"]
            acc = [recs.cell(run.task, run.method, run.settings, f) for f in ("train_accuracy", "test_accuracy")]
            crit = group[0]["critical"] if group else None
            ratios = [value_cell(None if crit is None else crit["ratio"][i]) for i in range(len(radii))]
            if crit is None and acc[0]["status"] != "not run":
                for c in ratios:
                    c.update(status=acc[0]["status"], error=acc[0]["error"])
            rows.append([learner_label(run), labels, *acc, *ratios])
            if method == LUT:
                for i, r in enumerate(radii):
                    series.setdefault(f"{labels} labels, r={r}", []).append(
                        (int(run.options["k"]), ratios[i]["mean"], 0.0))
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
    ]
    figures = [{"file": "critical_vs_k.png", "kind": "line", "title": "Lut networks: critical sample ratio",
                "xlabel": "k (inputs per lut)", "ylabel": "critical sample ratio", "series": series}]
    return {"name": NAME, "title": TITLE, "tables": tables, "notes": notes, "figures": figures}


def critical_flags(record: dict) -> list[np.ndarray]:
    """The per-example critical flags, one array per radius, stored in a record."""
    crit = record["extra"]["critical"]
    n = record["extra"]["n_test_used"]
    return [unpack_bits(text, n) for text in crit["critical"]]
