"""The decision-tree baseline: its AIG computes the tree's predictions, and the budget is kept."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.tree import DecisionTreeClassifier

from lutlearn.circuits.logic_tasks import make_task
from lutlearn.circuits.tree import aig_from_tree, fit_tree_circuit


@pytest.mark.parametrize("depth", [1, 3, 8, None])
def test_aig_equals_the_tree(depth):
    t = make_task("few:40:5:1", seed=0, n_split=800)
    tree = DecisionTreeClassifier(max_depth=depth, random_state=0).fit(t.X_train, t.y_train)
    aig = aig_from_tree(tree, 40)
    for X in (t.X_test, t.X_train):
        np.testing.assert_array_equal(aig.evaluate(X)[:, 0], tree.predict(X))
    np.testing.assert_array_equal(aig.evaluate_reference(t.X_test)[:, 0], tree.predict(t.X_test))


def test_labels_other_than_0_1_and_constant_trees():
    X = np.random.default_rng(0).integers(0, 2, (200, 6)).astype(np.uint8)
    y = np.where(X[:, 2] & X[:, 4], "yes", "no")  # classes_ = ["no", "yes"]
    tree = DecisionTreeClassifier(random_state=0).fit(X, y)
    np.testing.assert_array_equal(tree.classes_[aig_from_tree(tree, 6).evaluate(X)[:, 0]], tree.predict(X))
    assert aig_from_tree(tree, 6).n_ands == 1
    one = DecisionTreeClassifier().fit(X, np.ones(200, int))
    assert aig_from_tree(one, 6).n_ands == 0 and aig_from_tree(one, 6).evaluate(X)[:, 0].sum() == 0


def test_non_binary_inputs_are_refused():
    X = np.random.default_rng(0).integers(0, 4, (100, 3))
    tree = DecisionTreeClassifier(random_state=0).fit(X, X[:, 0] > 1)
    with pytest.raises(ValueError, match="non-0/1"):
        aig_from_tree(tree, 3)


def test_search_keeps_the_budget_and_picks_on_validation():
    t = make_task("cmp:20", seed=0, n_split=1500)
    for budget in (5, 60, 2000):
        res = fit_tree_circuit(t.X_train, t.y_train, t.X_valid, t.y_valid, budget)
        assert res.and_gates == res.aig.n_ands <= budget
        fitting = [r for r in res.tried if r["and_gates"] <= budget]
        assert res.valid_accuracy == max(r["valid_accuracy"] for r in fitting)
    assert res.valid_accuracy > 0.9
    with pytest.raises(ValueError, match="no tree fits"):
        fit_tree_circuit(t.X_train, t.y_train, t.X_valid, t.y_valid, 0, depths=[3])


@pytest.mark.parametrize("n_classes", [3, 5, 10])
def test_a_multiclass_tree_outputs_the_class_index_bits(n_classes):
    from lutlearn.export.netlist import bits_to_index

    X = np.random.default_rng(1).integers(0, 2, (600, 12)).astype(np.uint8)
    y = (X[:, :4] @ np.array([1, 2, 4, 8])) % n_classes + 10  # labels 10 .. 10 + n_classes - 1
    tree = DecisionTreeClassifier(max_depth=6, random_state=0).fit(X, y)
    aig = aig_from_tree(tree, 12)
    assert len(aig.outputs) == (n_classes - 1).bit_length()
    np.testing.assert_array_equal(tree.classes_[bits_to_index(aig.evaluate(X))], tree.predict(X))
    res = fit_tree_circuit(X[:400], y[:400], X[400:], y[400:], 10_000)
    assert res.valid_accuracy == float((res.tree.predict(X[400:]) == y[400:]).mean()) > 0.9


def test_patience_stops_the_depths_over_budget_without_changing_the_choice():
    t = make_task("cmp:20", seed=0, n_split=1500)
    full = fit_tree_circuit(t.X_train, t.y_train, t.X_valid, t.y_valid, 60)
    quick = fit_tree_circuit(t.X_train, t.y_train, t.X_valid, t.y_valid, 60, patience=2)
    assert quick.max_depth == full.max_depth and quick.and_gates == full.and_gates
    assert len(quick.tried) < len(full.tried)
    assert [r["and_gates"] > 60 for r in quick.tried[-2:]] == [True, True]
