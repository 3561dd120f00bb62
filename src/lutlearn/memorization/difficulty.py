"""Per-example difficulty (Arpit et al. 2017, Section 3): are some examples easy and others hard?

Many learners that differ only in their seed (lut networks: wiring and tie
breaks; MLP: initialization and minibatch order, one epoch as in Arpit et al.)
are trained on the same real, randX (all inputs noise) and randY (all labels
random) training sets. Each example's misclassification rate over the
learners is compared with the Binomial distribution with the same mean, which
is what pure chance (every example equally hard) predicts: on real data
Arpit et al. find many more always-right and always-wrong examples than the
Binomial allows; on randX the spread is close to it.
"""

from __future__ import annotations

import math

import numpy as np

from lutlearn.memorization import LabConfig
from lutlearn.memorization.runs import LUT, MLP, lut_run, mlp_run, task_name, test_subset, unpack_bits

NAME = "difficulty"
TITLE = "Per-example difficulty over learners that differ only in their seed"
K = 8
QUICK_LEARNERS = 5
MLP_HIDDEN, MLP_EPOCHS = 256, 1
SETTINGS = {"real": {}, "randX": {"randX": 1.0}, "randY": {"randY": 1.0}}
GRID = 10


def _learners(cfg: LabConfig, method: str) -> int:
    if cfg.quick:
        return min(QUICK_LEARNERS, cfg.learners)
    return cfg.learners if method == LUT else cfg.mlp_learners


def _runs(cfg: LabConfig, method: str, setting: str) -> list:
    if method == LUT:
        task = task_name(cfg.task, cfg.n_train, **SETTINGS[setting])
        return [lut_run(task, K, s, measure="errors", n_test=cfg.n_test, **cfg.lut_layers)
                for s in range(_learners(cfg, LUT))]
    task = task_name(cfg.task, cfg.mlp_train, **SETTINGS[setting])
    return [mlp_run(task, MLP_HIDDEN, s, MLP_EPOCHS, measure="errors", n_test=cfg.n_test)
            for s in range(_learners(cfg, MLP))]


def _methods(cfg: LabConfig) -> tuple[str, ...]:
    return (LUT, MLP) if cfg.mlp else (LUT,)


def plan(cfg: LabConfig) -> list:
    """``learners`` seeds per learner kind and setting (real, randX, randY)."""
    return [r for m in _methods(cfg) for s in SETTINGS for r in _runs(cfg, m, s)]


def error_counts(records: list[dict], split: str) -> np.ndarray | None:
    """Per example, how many of the successful ``records`` misclassified it (``split``: train or test)."""
    ok = [r for r in records if r.get("status") == "ok"]
    if not ok:
        return None
    n = ok[0]["n_train"] if split == "train" else ok[0]["extra"]["n_test_used"]
    return np.sum([unpack_bits(r["extra"][f"{split}_errors"], n).astype(np.int64) for r in ok], axis=0)


def binomial_pmf(n: int, p: float) -> np.ndarray:
    """P(X = j) for j = 0..n, X ~ Binomial(n, p)."""
    j = np.arange(n + 1)
    logc = np.array([math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) for i in j])
    with np.errstate(divide="ignore"):
        logp = logc + j * np.log(p) + (n - j) * np.log1p(-p) if 0 < p < 1 else None
    if logp is None:
        pmf = np.zeros(n + 1)
        pmf[0 if p <= 0 else n] = 1.0
        return pmf
    return np.exp(logp)


def compare_with_binomial(counts: np.ndarray, n_learners: int) -> dict:
    """How far the per-example error counts are from the Binomial with the same mean.

    Returns the mean misclassification rate, the observed and the Binomial
    standard deviation of the per-example rate, the shares of examples that
    every learner got right (``always_right``) or wrong (``always_wrong``)
    beside the Binomial's, the total variation distance between the two
    histograms, and both histograms (share of examples per error count).
    """
    hist = np.bincount(counts, minlength=n_learners + 1)[: n_learners + 1] / len(counts)
    p = float(counts.mean() / n_learners)
    pmf = binomial_pmf(n_learners, p)
    rates = counts / n_learners
    return {
        "learners": n_learners, "examples": int(len(counts)), "mean_rate": p,
        "std_rate": float(rates.std()), "binomial_std_rate": math.sqrt(p * (1 - p) / n_learners),
        "always_right": float(hist[0]), "binomial_always_right": float(pmf[0]),
        "always_wrong": float(hist[-1]), "binomial_always_wrong": float(pmf[-1]),
        "total_variation": float(0.5 * np.abs(hist - pmf).sum()),
        "histogram": hist.tolist(), "binomial": pmf.tolist(),
    }


def report_inputs(cfg: LabConfig, data_home=None) -> dict:
    """The keywords of :func:`summarize` beyond the records: the measured test ``images`` of the base task.

    None when the task cannot be loaded (the report then has no image grid).
    """
    from lutlearn.datasets import get_task

    try:
        task = get_task(cfg.task, data_home=data_home)
    except (OSError, ValueError):
        return {"images": None}
    return {"images": task.X_test[test_subset(task.y_test, cfg.n_test)]}


def summarize(records: list[dict], cfg: LabConfig, images: np.ndarray | None = None) -> dict:
    """Per learner kind, setting and split: the spread of per-example difficulty beside the Binomial's.

    ``images``, the test inputs of the task (``X_test``), adds a grid of the
    easiest and hardest test images of the real-data learners.
    """
    from lutlearn.experiments.cells import value_cell

    by_path = {}
    for r in records:
        by_path.setdefault((r["task"], r["method"], tuple(sorted((r.get("settings") or {}).items())), r["seed"]), r)
    columns = ["Learner", "Setting", "Examples", "Learners", "Mean error rate", "Std of rate", "Binomial std",
               "Always right", "Binomial", "Always wrong", "Binomial", "Total variation"]
    tables, figures, grid_rows, stats = [], [], [], {}
    for method in _methods(cfg):
        name = f"lut k={K}" if method == LUT else f"MLP {MLP_HIDDEN}x2, {MLP_EPOCHS} epoch"
        for split in ("train", "test"):
            rows, series = [], {}
            for setting in SETTINGS:
                runs = _runs(cfg, method, setting)
                recs = [by_path.get((r.task, r.method, tuple(sorted(r.settings)), r.seed)) for r in runs]
                recs = [r for r in recs if r is not None]
                counts = error_counts(recs, split)
                if counts is None:
                    status = "failed" if recs else "not run"
                    rows.append([name, setting, *[{**value_cell(None), "status": status}] * 10])
                    continue
                n_ok = sum(r.get("status") == "ok" for r in recs)
                s = compare_with_binomial(counts, n_ok)
                stats[(method, split, setting)] = s
                rows.append([name, setting, str(s["examples"]), str(n_ok)] + [value_cell(s[f]) for f in (
                    "mean_rate", "std_rate", "binomial_std_rate", "always_right", "binomial_always_right",
                    "always_wrong", "binomial_always_wrong", "total_variation")])
                xs = np.arange(n_ok + 1) / n_ok
                series[f"{setting}"] = [(x, h, 0.0) for x, h in zip(xs, s["histogram"])]
                series[f"expected: {setting}"] = [(x, b, 0.0) for x, b in zip(xs, s["binomial"])]
                if split == "test" and setting == "real" and images is not None:
                    rates = counts / n_ok
                    order = np.argsort(rates, kind="stable")
                    for label, pick in (("easiest", order[:GRID]), ("hardest", order[::-1][:GRID])):
                        grid_rows.append((f"{'lut' if method == LUT else 'MLP'}: {label}",
                                          [(_pixels(images[i]), f"#{i} {rates[i]:.2f}") for i in pick]))
            tables.append({"title": f"{name}, {split} examples: per-example misclassification rate",
                           "columns": columns, "rows": rows})
            figures.append({"file": f"difficulty_{'lut' if method == LUT else 'mlp'}_{split}.png", "kind": "line",
                            "title": f"{name}, {split}: share of examples per misclassification rate "
                                     "(dashed: Binomial with the same mean)",
                            "xlabel": "misclassification rate over learners", "ylabel": "share of examples",
                            "series": series})
    if grid_rows:
        side = int(round(math.sqrt(len(grid_rows[0][1][0][0]))))
        figures.append({"file": "difficulty_examples.png", "kind": "images", "shape": (side, side),
                        "title": "Easiest and hardest test images (real data; caption: test index, error rate)",
                        "rows": grid_rows})
    notes = [
        "Each learner sees the same training set (the randomization's seed is fixed); learners differ only in "
        "their own seed. 'Binomial' columns are what pure chance predicts for the same mean error rate: every "
        "example equally hard. Shares far above the Binomial's 'always right' / 'always wrong' mean some "
        "examples are consistently easy or hard (dashed lines in the plots: the Binomial).",
        "randX: every training input replaced by Gaussian noise with the data's per-feature mean and variance "
        "(then quantized); randY: every training label uniformly random. Test data are real.",
    ]
    return {"name": NAME, "title": TITLE, "tables": tables, "notes": notes, "figures": figures, "stats": {
        f"{m}/{sp}/{se}": {k: v for k, v in s.items() if k not in ("histogram", "binomial")}
        for (m, sp, se), s in stats.items()}}


def _pixels(x: np.ndarray) -> list:
    x = np.asarray(x, dtype=float)
    side2 = int(round(math.sqrt(len(x)))) ** 2
    if side2 != len(x) and len(x) % 3 == 0:  # channel-major colour: show the mean of the channels
        x = x.reshape(3, -1).mean(axis=0)
    return x.tolist()
