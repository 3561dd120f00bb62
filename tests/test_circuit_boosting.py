"""The boosted learner of fit_circuit: its families, its circuit against its model, its stopping rule, refits."""

from __future__ import annotations

import numpy as np
import pytest

from lutlearn import LutNetworkClassifier
from lutlearn.circuits.boosting import BOOSTED_MAX_LUTS, BOOSTED_START, BoostedLearner
from lutlearn.circuits.learners import SearchTask, build_learners
from lutlearn.circuits.search import fit_circuit


def _images(n=900, d=64, seed=0):
    """Many weakly informative inputs: the output is a noisy vote of 16 of them."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 2, size=(n, d)).astype(np.uint8)
    m = min(d, 16)
    score = X[:, :m].sum(axis=1) + rng.normal(0, 1.5, n)
    return X, (score > m / 2).astype(np.uint8)


def _task(n_train=600):
    X, y = _images()
    return SearchTask.from_arrays(X[:n_train], y[:n_train], X[n_train:], y[n_train:], False)


def _task_of_width(d):
    X, y = _images(d=d)
    return SearchTask.from_arrays(X[:600], y[:600], X[600:], y[600:], False)


def test_options_enable_and_check_it():
    assert build_learners({}, ["boosted"]) == []
    (learner,) = build_learners({"boosted": (4, 6), "boosted_min_gain": 0.01}, ["boosted"])
    assert learner.ks == (4, 6) and learner.min_gain == 0.01
    with pytest.raises(ValueError, match="between 1 and 16"):
        BoostedLearner((0,))
    with pytest.raises(ValueError, match="boosted_min_gain"):
        BoostedLearner((4,), boosted_min_gain=1.5)


def test_a_family_per_lut_size_doubling_its_luts():
    task = _task()
    families = BoostedLearner((4, 6)).configurations(task, 5000, [])
    assert len(families) == 2
    assert BoostedLearner((4, 6)).configurations(_task_of_width(5), 5000, []) != []
    assert len(BoostedLearner((4, 6)).configurations(_task_of_width(5), 5000, [])) == 1  # no 6-input luts on 5
    steps = [config for (config,) in families[0]]
    assert steps[0] == (4, BOOSTED_START) and steps[-1][1] == BOOSTED_MAX_LUTS
    assert all(b[1] == 2 * a[1] for a, b in zip(steps, steps[1:]))
    assert BoostedLearner((4,), boosted_min_inputs=65).configurations(task, 5000, []) == []


def test_its_circuit_computes_its_model():
    task = _task()
    (fitted,) = BoostedLearner((4,), random_state=3).fit((4, 16), task)
    ref = LutNetworkClassifier(wiring="boosted", n_output_luts=16, output_k=4, learning_rate=0.5,
                               wiring_candidates=256, random_state=3).fit(task.X, task.y)
    np.testing.assert_array_equal(fitted.model.tables_[-1], ref.tables_[-1])
    for X in (task.X, task.X_valid):
        np.testing.assert_array_equal(fitted.aig.evaluate(X)[:, 0], fitted.model.predict(X))
    assert fitted.valid_accuracy == ref.score(task.X_valid, task.y_valid) > 0.75
    assert (fitted.wiring, fitted.n_output_luts, fitted.k) == ("boosted", 16, 4)


def test_a_doubling_that_gains_too_little_is_dropped_and_stops_its_family():
    task = _task()
    learner = BoostedLearner((4,), boosted_min_gain=0.5)  # no doubling gains half the examples
    learner.configurations(task, 5000, [])
    assert len(learner.fit((4, 8), task)) == 1
    assert learner.fit((4, 16), task) == [] and learner.fit((4, 32), task) == []
    # each step is compared with the step before it: 16 luts gain much over 8, 32 little over 16
    gains = np.diff([BoostedLearner((4,)).fit((4, n), task)[0].valid_accuracy for n in (8, 16, 32)])
    assert gains[0] > 0.05 > gains[1]
    mid = BoostedLearner((4,), boosted_min_gain=0.05)
    mid.configurations(task, 5000, [])
    assert [len(mid.fit((4, n), task)) for n in (8, 16, 32, 64)] == [1, 1, 0, 0]
    patient = BoostedLearner((4,))
    patient.configurations(task, 5000, [])
    assert all(len(patient.fit((4, n), task)) == 1 for n in (8, 16, 32))


def test_search_keeps_it_within_budget_and_refits_it():
    X, y = _images()
    Xv, yv = _images(seed=1)
    kw = dict(learners=["boosted"], boosted=(4,), progress=False, use_abc=False)
    s = fit_circuit(X, y, Xv, yv, 400, **kw)
    assert s.best.wiring == "boosted" and s.and_gates <= 400 and s.model is not None
    assert max(c.and_gates_raw for c in s.candidates) > 400  # the family grew until it overflowed
    again = fit_circuit(X, y, Xv, yv, 400, **kw)  # deterministic
    assert again.candidates == s.candidates and again.aig == s.aig
    r = fit_circuit(X, y, Xv, yv, 400, refit=True, **kw)
    assert r.trained_on == "train+valid" and r.and_gates <= 400
    assert r.model.n_output_luts == s.best.n_output_luts and len(r.model.network_.head.counts) == s.best.n_output_luts
    from lutlearn.export.aiger import parse_aiger

    np.testing.assert_array_equal(parse_aiger(r.aig).evaluate(Xv)[:, 0], r.model.predict(Xv))
    assert "boosted luts" in s.to_aiger(binary=False).decode(errors="replace")
