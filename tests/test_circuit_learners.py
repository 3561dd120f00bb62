"""The learners of fit_circuit: each proposes configurations, fits them, and its AIG computes its predictions;
a learner registered from outside takes part in the search."""

from __future__ import annotations

import numpy as np
import pytest

import lutlearn.circuits.learners as cl
from lutlearn.circuits.learners import (
    LEARNERS,
    CareSupportLearner,
    CareTableLearner,
    CascadeLearner,
    CircuitLearner,
    EnsembleLearner,
    Fitted,
    FullTableLearner,
    NetworkLearner,
    SearchTask,
    build_learners,
    fit_cascade,
    register_learner,
)
from lutlearn.circuits.search import Candidate, fit_circuit
from lutlearn.datasets.pla import function_examples
from lutlearn.export import tools
from lutlearn.export.aiger import Aig, parse_aiger


def task(spec="majority:7", n_train=600, n_valid=300, use_abc=False, seed=0):
    X, y = function_examples(spec, n_train + n_valid, random_state=seed)
    return SearchTask.from_arrays(X[:n_train], y[:n_train], X[n_train:], y[n_train:], use_abc)


def configs(families):
    return [c for family in families for step in family for c in step]


def needs_ttopt():
    if tools.find_abc() is None or not tools.abc_has_command("&ttopt"):
        pytest.skip("ABC with &ttopt not installed (Debian package 'berkeley-abc')")


def candidate(k, valid, gates, wiring="random", seed=0):
    return Candidate(k=k, hidden_layers=(), seed=seed, train_accuracy=valid, valid_accuracy=valid,
                     and_gates_raw=gates, and_gates=gates, fits=True, wiring=wiring)


def test_the_registry_runs_the_learners_in_search_order():
    assert list(LEARNERS) == ["networks", "full-table", "cascades", "care-table", "care-support", "boosted",
                              "ensemble"]
    default = build_learners({"ks": (1, 2)})
    assert [type(learner) for learner in default] == [NetworkLearner]
    every = build_learners({"full_table": 16, "cascades": ((8, 0.1),), "care_table": 20, "care_support": 20,
                            "boosted": (4,), "ensemble": True})
    assert [learner.name for learner in every] == list(LEARNERS)
    assert [learner.name for learner in build_learners({"ensemble": True}, ["ensemble"])] == ["ensemble"]
    with pytest.raises(ValueError, match="no circuit learner named 'trees'"):
        build_learners({}, ["trees"])
    with pytest.raises(TypeError, match="unexpected keyword argument 'depth'"):
        build_learners({"depth": 2})


def test_network_learner_proposes_growing_widths_and_each_fill_computes_its_network():
    t = task()
    learner = NetworkLearner(ks=(2, 4), depths=(0, 1), max_width=8, n_seeds=2, fill="both",
                             wirings=("random", "greedy"))
    families = learner.configurations(t, 100, [])
    # a family per (k, depth); widths double from k; every step has each seed with each wiring
    assert [[step[0][1] for step in f] for f in families] == [[()], [(2,), (4,), (8,)], [()], [(4,), (8,)]]
    assert families[1][0] == [(2, (2,), s, w) for s in (0, 1) for w in ("random", "greedy")]
    fitted = learner.fit((4, (4,), 1, "greedy"), t)
    assert [f.fill for f in fitted] == ["small", "neighbours"]
    for f in fitted:
        bits = f.aig.evaluate(t.X_valid)[:, 0]
        np.testing.assert_array_equal(f.model.classes_[bits], f.model.predict(t.X_valid))
        assert f.valid_accuracy == np.mean(f.model.predict(t.X_valid) == t.y_valid)
        assert (f.k, f.hidden_layers, f.seed, f.wiring) == (4, (4,), 1, "greedy")
    aig, model = learner.refit(fitted[1], t)
    X_all = np.concatenate([t.X, t.X_valid])
    np.testing.assert_array_equal(model.classes_[aig.evaluate(X_all)[:, 0]], model.predict(X_all))
    assert len(model.network_.tables[0]) == 4
    with pytest.raises(ValueError, match="n_seeds must be >= 1"):
        NetworkLearner(n_seeds=0)


def test_network_learner_adds_greedy_ks_with_greedy_wiring_only():
    t = task("majority:11")
    learner = NetworkLearner(ks=(2,), depths=(0, 1, 2), max_width=16, wirings=("random", "greedy"), greedy_ks=(10, 2))
    assert configs(learner.configurations(t, 100, [])[-2:]) == [(10, (), 0, "greedy"), (10, (10,), 0, "greedy")]
    assert not any(c[0] == 10 for c in configs(NetworkLearner(ks=(2,), greedy_ks=(10,)).configurations(t, 9, [])))


def test_full_table_learner_memorizes_every_input_unless_the_grid_did():
    t = task("parity:6")
    learner = FullTableLearner.from_options({"full_table": 6, "n_seeds": 2, "fill": "small"})
    assert configs(learner.configurations(t, 100, [])) == [(6, (), 0, "random"), (6, (), 1, "random")]
    f, = learner.fit((6, (), 0, "random"), t)
    assert f.valid_accuracy == 1.0 and f.aig.n_inputs == 6
    np.testing.assert_array_equal(f.aig.evaluate(t.X_valid)[:, 0], f.model.predict(t.X_valid))
    assert learner.configurations(t, 100, [candidate(6, 1.0, 15)]) == []  # the grid tried it
    assert FullTableLearner.from_options({"full_table": 5}).configurations(t, 100, []) == []
    assert FullTableLearner.from_options({"full_table": 0}) is None


def test_cascade_learner_fits_the_cascade_its_aig_computes():
    t = task("comparator:12", 1500, 500)
    learner = CascadeLearner.from_options({"cascades": [(4, 0.2), (13, 0.1)], "random_state": 3})
    assert configs(learner.configurations(t, 100, [])) == [(4, 0.2)]  # k above the inputs: not proposed
    f, = learner.fit((4, 0.2), t)
    cascade = fit_cascade(t.X, t.y_index, 4, cl.CASCADE_STAGES, 0.2, 3)
    np.testing.assert_array_equal(f.aig.evaluate(t.X_valid)[:, 0], cascade.predict(t.X_valid))
    assert f.valid_accuracy == np.mean(cascade.predict(t.X_valid) == t.y_valid_index)
    assert (f.wiring, f.threshold, f.seed, f.model) == ("cascade", 0.2, 3, None)
    assert CascadeLearner.from_options({"cascades": ()}) is None
    with pytest.raises(ValueError, match="cascades are"):
        CascadeLearner.from_options({"cascades": [(4, 0.5)]})


@pytest.mark.parametrize("spec,wiring_candidates", [("comparator:12", None), ("majority:15", 5)])
def test_greedy_networks_sharing_their_first_layer_are_those_fitted_alone(spec, wiring_candidates):
    from lutlearn.core.estimator import LutNetworkClassifier

    t = task(spec, 800, 300)
    learner = NetworkLearner(ks=(3, 4), depths=(0, 1, 2), max_width=16, wirings=("random", "greedy"),
                             greedy_ks=(6,), fill="both", wiring_candidates=wiring_candidates)
    plan = learner.configurations(t, 10**6, [])
    assert learner._widest == {3: 12, 4: 16, 6: 12}
    fitted = [(config, learner.fit(config, t)) for config in configs(plan)]
    assert len(learner._wirings) == 3  # one first layer per k, chosen once
    for (k, hidden, seed, wiring), fits in fitted:
        alone = LutNetworkClassifier(k=k, hidden_layers=hidden, random_state=seed, n_jobs=1, wiring=wiring,
                                     wiring_candidates=wiring_candidates).fit(t.X, t.y)
        for f, (rule, m, aig) in zip(fits, cl._with_fills(alone, t.X, t.y, learner.fills), strict=True):
            assert type(f.model) is LutNetworkClassifier and not hasattr(f.model, "_shared_wirings")
            assert f.model.get_params() == alone.get_params() and f.fill == rule
            for a, b in zip(f.model.network_.wires + f.model.network_.tables, m.network_.wires + m.network_.tables,
                            strict=True):
                np.testing.assert_array_equal(a, b)
            assert f.aig.to_bytes() == aig.to_bytes()
        assert fits[0].train_accuracy == alone.score(t.X, t.y)
    other = task("majority:9", 500, 200)
    f = learner.fit((4, (8,), 0, "greedy"), other)[0]  # another task: its own first layer
    alone = LutNetworkClassifier(k=4, hidden_layers=(8,), random_state=0, n_jobs=1, wiring="greedy",
                                 wiring_candidates=wiring_candidates).fit(other.X, other.y)
    np.testing.assert_array_equal(f.model.network_.wires[0], alone.wires_[0])


def test_cascades_sharing_their_wirings_are_those_fitted_alone():
    t = task("comparator:16", 1500, 500)
    cache: dict = {}
    for k, threshold in [(6, 0.1), (6, 0.3), (4, 0.1), (6, 0.1)]:
        shared = fit_cascade(t.X, t.y_index, k, 5, threshold, 2, cache)
        alone = fit_cascade(t.X, t.y_index, k, 5, threshold, 2)
        assert all(np.array_equal(a, b) for a, b in zip(shared.wires + shared.confident + shared.values,
                                                        alone.wires + alone.confident + alone.values))
        assert len(shared.wires) == len(alone.wires)
    first = [key for key in cache if key[0] == 0]
    assert sorted(key[1] for key in first) == [4, 6]  # one first lut per k: the other thresholds reused it
    learner = CascadeLearner.from_options({"cascades": [(6, 0.1), (6, 0.3)], "random_state": 2})
    learner.fit((6, 0.1), t)
    assert any(key[0] == 0 and key[1] == 6 for key in learner.wiring_cache)
    other = task("comparator:12", 1500, 500)
    f, = learner.fit((6, 0.3), other)  # another task: its own wirings
    cascade = fit_cascade(other.X, other.y_index, 6, cl.CASCADE_STAGES, 0.3, 2)
    np.testing.assert_array_equal(f.aig.evaluate(other.X_valid)[:, 0], cascade.predict(other.X_valid))


def test_cascades_look_for_interactions_on_tasks_of_at_most_so_many_inputs(monkeypatch):
    t = task("comparator:16", 600, 100)
    wide = np.concatenate([t.X, np.zeros((len(t.X), 8), np.uint8)], axis=1)
    calls = []
    from lutlearn.core import training

    greedy = training.greedy_wiring
    monkeypatch.setattr(training, "greedy_wiring",
                        lambda *a, **kw: calls.append(kw["interactions"]) or greedy(*a, **kw))
    fit_cascade(t.X, t.y_index, 6, 2, 0.2)
    monkeypatch.setattr(cl, "CASCADE_INTERACTIONS_MAX_FEATURES", t.X.shape[1])
    narrow = fit_cascade(t.X, t.y_index, 6, 2, 0.2)
    wide_default = fit_cascade(wide, t.y_index, 6, 2, 0.2)
    wide_without = fit_cascade(wide, t.y_index, 6, 2, 0.2, interactions=False)
    assert calls == [True] * len(narrow.wires) * 2 + [False] * len(wide_default.wires) * 2
    assert all(np.array_equal(a, b) for a, b in zip(wide_default.wires, wide_without.wires, strict=True))


def test_care_table_learner_memorizes_the_training_examples():
    needs_ttopt()
    t = task("majority:9", 300, 300, use_abc=True)
    learner = CareTableLearner.from_options({"care_table": 9})
    assert learner.configurations(task("majority:9"), 100, []) == []  # without ABC
    assert CareTableLearner(8).configurations(t, 100, []) == []  # too many inputs
    f, = learner.fit(learner.configurations(t, 100, [])[0][0][0], t)
    np.testing.assert_array_equal(f.aig.evaluate(t.X)[:, 0], t.y_index)  # every training pattern as given
    assert f.train_accuracy == 1.0 and f.valid_accuracy == t.index_accuracy(f.aig, t.X_valid, t.y_valid_index)
    assert (f.k, f.wiring, f.fill, f.support) == (9, "table", "dont-care", None)
    aig, model = learner.refit(f, t)
    assert model is None
    np.testing.assert_array_equal(aig.evaluate(t.X_valid)[:, 0], t.y_valid_index)
    with pytest.raises(ValueError, match="care_table must be between 0 and 24"):
        CareTableLearner(25)


def test_care_support_learner_chooses_inputs_on_wider_tasks():
    needs_ttopt()
    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, (1600, 30), dtype=np.uint8)
    y = (X[:, [3, 17, 25]].sum(axis=1) >= 2).astype(np.uint8)
    t = SearchTask.from_arrays(X[:1000], y[:1000], X[1000:], y[1000:], True)
    learner = CareSupportLearner.from_options({"care_support": 6, "care_table": 20})
    assert CareSupportLearner(6, care_table=30).configurations(t, 100, []) == []
    f, = learner.fit(learner.configurations(t, 100, [])[0][0][0], t)
    assert {3, 17, 25} <= set(f.support) and f.k == len(f.support) <= 6 and f.valid_accuracy == 1.0
    assert f.valid_accuracy == t.index_accuracy(f.aig, t.X_valid, t.y_valid_index)
    aig, _ = learner.refit(f, t)
    assert t.index_accuracy(aig, t.X_valid, t.y_valid_index) == 1.0


def test_ensemble_learner_votes_the_three_best_it_observed():
    t = task("majority:5")
    wires = []
    for i in range(4):  # circuits of one input each
        aig = Aig(5)
        aig.outputs = [aig.input(i)]
        wires.append(aig)
    learner = EnsembleLearner.from_options({"ensemble": True})
    for i, (aig, valid) in enumerate(zip(wires, (0.7, 0.6, 0.8, 0.75))):
        learner.observe(i + 1, candidate(1, valid, 0, seed=i), aig, None)
        assert learner.configurations(t, 10, []) == ([] if i < 2 else [[[None]]])
    f, = learner.fit(None, t)
    assert [c.seed for c in f.members] == [2, 3, 0]
    bits = np.array([w.evaluate(t.X_valid)[:, 0] for w in wires])
    np.testing.assert_array_equal(f.aig.evaluate(t.X_valid)[:, 0], (bits[[0, 2, 3]].sum(axis=0) >= 2))
    assert f.wiring == "ensemble" and EnsembleLearner.challenger
    assert EnsembleLearner.from_options({}) is None


class XorPairs(CircuitLearner):
    """A toy learner: the XOR of each pair of the first ``xor_inputs`` inputs."""

    name = "xor-pairs"
    options = ("xor_inputs",)
    refit_when = "all"

    def __init__(self, n):
        self.n, self.refits = n, 0

    @classmethod
    def from_options(cls, options):
        return cls(options["xor_inputs"]) if options.get("xor_inputs") else None

    def configurations(self, task, max_and_gates, table):
        return [[[(i, j)]] for i in range(self.n) for j in range(i + 1, self.n)]

    def _aig(self, pair, n_inputs):
        aig = Aig(n_inputs)
        a, b = aig.input(pair[0]), aig.input(pair[1])
        aig.outputs = [aig.mux(a, b ^ 1, b)]
        return aig

    def fit(self, config, task):
        aig = self._aig(config, task.n_features)
        return [Fitted(aig, task.index_accuracy(aig, task.X, task.y_index),
                       task.index_accuracy(aig, task.X_valid, task.y_valid_index), k=2, wiring="xor", fill="-",
                       support=config)]

    def refit(self, fitted, task):
        self.refits += 1
        return self._aig(fitted.support, task.n_features), None


def test_a_registered_learner_takes_part_in_the_search(monkeypatch):
    monkeypatch.setattr(cl, "LEARNERS", dict(LEARNERS))
    register_learner(XorPairs)
    assert list(cl.LEARNERS)[-2:] == ["xor-pairs", "ensemble"]  # challengers stay last
    rng = np.random.default_rng(1)
    X = rng.integers(0, 2, (900, 8), dtype=np.uint8)
    y = X[:, 2] ^ X[:, 5]
    kw = dict(ks=(1,), depths=(0,), use_abc=False, progress=False)
    s = fit_circuit(X[:600], y[:600], X[600:], y[600:], 10, xor_inputs=6, **kw)
    assert [c.wiring for c in s.candidates].count("xor") == 15  # every pair of the first 6 inputs
    assert s.best.wiring == "xor" and s.best.support == (2, 5) and s.best.valid_accuracy == 1.0
    assert s.model is None and s.trained_on == "train"
    np.testing.assert_array_equal(parse_aiger(s.aig).evaluate(X)[:, 0], y)
    assert s.to_dict()["candidates"][-1]["support"] == (4, 5)  # every candidate's figures in the table
    # refitted when the search's refit is True, as its refit_when allows
    assert fit_circuit(X[:600], y[:600], X[600:], y[600:], 10, xor_inputs=6, refit=True, **kw).trained_on == \
        "train+valid"
    assert all(c.wiring != "xor" for c in fit_circuit(X[:600], y[:600], X[600:], y[600:], 10, **kw).candidates)
    only = fit_circuit(X[:600], y[:600], X[600:], y[600:], 10, xor_inputs=3, learners=["xor-pairs"], **kw)
    assert {c.wiring for c in only.candidates} == {"xor"} and len(only.candidates) == 3
