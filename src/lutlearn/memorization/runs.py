"""Runs of the memorization lab: which learner, which measurement, and the fit-and-measure step.

Every experiment plans :class:`~lutlearn.experiments.runner.Run` objects and
hands them to :func:`lutlearn.experiments.runner.execute` with
:func:`fit_and_measure`, so records, resuming, failure records and the
progress bar are the reproduce command's. The randomization of the training
data (randX, randY, subsample) lives in the task name (see
:mod:`lutlearn.datasets`); the learner's seed is the run's seed, so learners
that differ only in seed see exactly the same data.

A record's ``extra`` holds, besides the learner's settings:
``clean_train_accuracy`` / ``noisy_train_accuracy`` (training accuracy on the
untouched examples and on those whose label or input was randomized; None
when a part is empty), ``n_noisy``, ``n_test_used``, and, per measurement,
``train_errors`` / ``test_errors`` (``errors``: per-example mistakes as
base64 packed bits) or ``critical`` (``critical``: the critical sample ratio
per radius and the search budget).
"""

from __future__ import annotations

import base64
import dataclasses

import numpy as np

from lutlearn.experiments.learners import LUT_NETWORK as LUT, layers_setting, lut_network
from lutlearn.experiments.runner import Run, fit_and_predict

MLP = "mlp"


def lut_run(task: str, k: int, seed: int, measure: str = "accuracy", layers: int = 5, width: int = 1024,
            **settings) -> Run:
    """A lut network run: ``layers`` hidden layers of ``width`` luts of ``k`` inputs."""
    settings.update(k=k, layers=layers_setting(layers, width), measure=measure)
    return Run(task, LUT, _settings(settings), seed)


def mlp_run(task: str, hidden: int, seed: int, epochs: int, measure: str = "accuracy", **settings) -> Run:
    """An MLP run: 2 hidden layers of ``hidden`` ReLU units, ``epochs`` passes of SGD."""
    settings.update(hidden=hidden, epochs=epochs, measure=measure)
    return Run(task, MLP, _settings(settings), seed)


def _settings(settings: dict) -> tuple:
    """Sorted (key, value) pairs, leaving out settings that are None (their defaults)."""
    return tuple(sorted((k, v) for k, v in settings.items() if v is not None))


def task_name(base: str, n_train: int | None = None, randY: float = 0.0, randX: float = 0.0, seed: int = 0) -> str:
    """``base`` with the subsample and randomization options of :func:`lutlearn.datasets.get_task`.

    ``seed`` seeds the subsample and the randomizations (it is left out when
    there are none, as :func:`~lutlearn.datasets.get_task` names tasks).
    """
    parts = [base]
    if n_train:
        parts.append(f"n={n_train}")
    if randX:
        parts.append(f"randX={randX:g}")
    if randY:
        parts.append(f"randY={randY:g}")
    if seed and len(parts) > 1:
        parts.append(f"seed={seed}")
    return ",".join(parts)


def replicate(run: Run, base: str, seeds: int, **task_options) -> list[Run]:
    """``run`` repeated for seeds 0..seeds-1: each draws its own data (subsample, randomization) and learner."""
    return [Run(task_name(base, seed=s, **task_options), run.method, run.settings, s) for s in range(seeds)]


def pack_bits(flags: np.ndarray) -> str:
    """0/1 flags as base64 text of their packed bits (compact in JSON)."""
    return base64.b64encode(np.packbits(np.asarray(flags, dtype=np.uint8)).tobytes()).decode("ascii")


def unpack_bits(text: str, n: int) -> np.ndarray:
    """The ``n`` 0/1 flags packed by :func:`pack_bits`."""
    return np.unpackbits(np.frombuffer(base64.b64decode(text), dtype=np.uint8))[:n]


def test_subset(y_test: np.ndarray, n_test: int | None) -> np.ndarray:
    """Indices of the test examples measured: all, or a fixed stratified subsample of ``n_test``."""
    from lutlearn.datasets import stratified_subsample

    if not n_test or n_test >= len(y_test):
        return np.arange(len(y_test))
    return stratified_subsample(y_test, int(n_test), 0)


def noisy_rows(task) -> np.ndarray:
    """Training rows whose label or input was randomized (sorted)."""
    info = task.info or {}
    parts = [np.asarray(info.get(key, []), dtype=np.int64) for key in ("labels_replaced", "inputs_replaced")]
    return np.union1d(*parts)


def _part_accuracy(correct: np.ndarray, rows: np.ndarray) -> float | None:
    return float(correct[rows].mean()) if len(rows) else None


def make_learner(run: Run, n_jobs: int | None):
    """The unfitted learner of ``run``."""
    opts = run.options
    if run.method == LUT:
        return lut_network(opts, run.seed, n_jobs)
    if run.method == MLP:
        from lutlearn.memorization.mlp import MLPClassifier

        h = int(opts["hidden"])
        return MLPClassifier(hidden_layers=(h, h), epochs=int(opts["epochs"]), random_state=run.seed or 0)
    raise ValueError(f"unknown learner {run.method!r}")


def fit_and_measure(run: Run, task, n_jobs: int | None = None) -> dict:
    """Fit ``run``'s learner on ``task`` and measure what its ``measure`` setting asks (see the module docstring)."""
    opts = run.options
    model = make_learner(run, n_jobs)
    test_rows = test_subset(task.y_test, opts.get("n_test"))
    X_test, y_test = task.X_test[test_rows], task.y_test[test_rows]
    train_pred, test_pred, t_fit, t_pred = fit_and_predict(
        model, dataclasses.replace(task, X_test=X_test, y_test=y_test), task.y_train)
    train_correct, test_correct = train_pred == task.y_train, test_pred == y_test
    noisy = noisy_rows(task)
    clean = np.setdiff1d(np.arange(len(task.y_train)), noisy)
    extra = {
        "clean_train_accuracy": _part_accuracy(train_correct, clean),
        "noisy_train_accuracy": _part_accuracy(train_correct, noisy),
        "n_noisy": int(len(noisy)),
        "n_test_used": int(len(test_rows)),
    }
    measure = opts.get("measure", "accuracy")
    if measure == "errors":
        extra["train_errors"] = pack_bits(~train_correct)
        extra["test_errors"] = pack_bits(~test_correct)
    elif measure == "critical":
        extra["critical"] = _critical(run, model, X_test)
    elif measure != "accuracy":
        raise ValueError(f"unknown measurement {measure!r}")
    return {run.method: (float(train_correct.mean()), float(test_correct.mean()), t_fit, t_pred, extra)}


def _critical(run: Run, model, X_test: np.ndarray) -> dict:
    opts = run.options
    radii = [float(r) if run.method == MLP else int(r) for r in str(opts["radii"]).split("/")]
    if run.method == LUT:
        from lutlearn.core.inspection import lut_critical

        res = lut_critical(model.network_, X_test, radii, n_random=int(opts["probes"]), seed=run.seed or 0)
    else:
        res = model.critical(X_test, radii, n_steps=int(opts["steps"]), n_random=int(opts["probes"]),
                             seed=run.seed or 0)
    res["critical"] = [pack_bits(f) for f in res["critical"]]
    return res


def lab_cell(recs, runs: list[Run], field: str) -> dict:
    """Mean and std of ``field`` over the records of ``runs`` (replicates) in ``recs`` (:func:`lab_records`).

    The status is ``n/a`` when the runs succeeded but the field has no value
    (e.g. the noisy part of a training set without noise).
    """
    from lutlearn.experiments.cells import make_cell

    group = [rec for r in runs for rec in recs.group(r.task, r.method, r.settings) if rec.get("seed") == r.seed]
    cell = make_cell(group, field)
    if cell["status"] == "not run" and any(r.get("status") == "ok" for r in group):
        cell["status"] = "n/a"
    return cell


def lab_records(records: list[dict]):
    """:class:`~lutlearn.experiments.cells.Records` of ``records`` with their ``extra`` fields lifted to the top.

    So that ``cell(..., field="noisy_train_accuracy")`` averages a measurement
    over seeds like the reproduce command's accuracies.
    """
    from lutlearn.experiments.cells import Records

    return Records([{**(r.get("extra") or {}), **r} for r in records])


def learner_label(run: Run) -> str:
    """A short name of ``run``'s learner for tables and legends: ``k=8`` or ``MLP 256``."""
    opts = run.options
    return f"k={opts['k']}" if run.method == LUT else f"MLP {opts['hidden']}"
