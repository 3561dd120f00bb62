"""A scikit-learn decision tree on 0/1 inputs as an and-inverter graph: the baseline circuit learner.

Depth-limited decision trees turned into AIGs are the strong simple baseline
of the IWLS 2020 contest (about 84-85% average test accuracy with 100-300
ANDs). :func:`aig_from_tree` writes a fitted tree as one multiplexer per
split (``x_f ? right : left``, with constant folding and structural hashing
by :class:`~lutlearn.export.aiger.Aig`); :func:`fit_tree_circuit` chooses
the depth on validation data under an AND-gate budget.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lutlearn.export.aiger import Aig

__all__ = ["TreeCircuit", "aig_from_tree", "fit_tree_circuit"]


def aig_from_tree(tree, n_inputs: int) -> Aig:
    """The AIG of a fitted two-class ``DecisionTreeClassifier`` trained on 0/1 inputs.

    Its one output is 1 where the tree predicts ``tree.classes_[1]``: at a
    leaf, the class with the largest weight (the first on ties, as
    ``predict``). A split on feature ``f`` sends ``x_f = 0`` left (the
    tree's thresholds on 0/1 data lie between 0 and 1).

    Raises
    ------
    ValueError
        If the tree was not fitted on two classes, or splits at a threshold
        outside (0, 1) (inputs that are not bits).
    """
    t = tree.tree_
    if len(tree.classes_) != 2 and t.node_count > 1:
        raise ValueError(f"a two-class tree is needed; this one has {len(tree.classes_)} classes")
    aig = Aig(n_inputs)
    lits: dict[int, int] = {}
    stack = [0]
    while stack:  # post-order without recursion (trees may be deep)
        node = stack[-1]
        left, right = t.children_left[node], t.children_right[node]
        if left == -1:  # a leaf
            lits[node] = int(np.argmax(t.value[node][0]) == 1 and len(tree.classes_) == 2)
            stack.pop()
            continue
        if left not in lits or right not in lits:
            stack.extend(c for c in (right, left) if c not in lits)
            continue
        if not 0 <= t.threshold[node] < 1:
            raise ValueError(f"split at {t.threshold[node]} on feature {t.feature[node]}: the tree saw non-0/1 inputs")
        lits[node] = aig.mux(aig.input(int(t.feature[node])), lits[right], lits[left])
        stack.pop()
    aig.outputs = [lits[0]]
    return aig.cleanup()


@dataclass
class TreeCircuit:
    """The tree chosen by :func:`fit_tree_circuit`, its circuit and the depths tried."""

    tree: object
    aig: Aig
    max_depth: int
    valid_accuracy: float
    and_gates: int
    tried: list


def fit_tree_circuit(X, y, X_valid, y_valid, max_and_gates: int, depths=range(1, 41),
                     random_state: int = 0) -> TreeCircuit:
    """The depth-limited decision tree with the best validation accuracy whose AIG fits the budget.

    Trees of each ``max_depth`` (scikit-learn's ``DecisionTreeClassifier``,
    Gini, ``random_state`` fixed) are fit on ``X, y`` and turned into AIGs;
    among those of at most ``max_and_gates`` ANDs the best on ``X_valid,
    y_valid`` wins (fewer ANDs on ties). Depths stop growing once a tree
    no longer changes (it fits the training set).
    """
    from sklearn.tree import DecisionTreeClassifier

    X, X_valid = np.asarray(X, np.uint8), np.asarray(X_valid, np.uint8)
    best, tried, previous = None, [], None
    for depth in depths:
        tree = DecisionTreeClassifier(max_depth=depth, random_state=random_state).fit(X, y)
        aig = aig_from_tree(tree, X.shape[1])
        valid = float((tree.predict(X_valid) == np.asarray(y_valid)).mean())
        tried.append({"max_depth": depth, "and_gates": aig.n_ands, "valid_accuracy": valid})
        if aig.n_ands <= max_and_gates and (
                best is None or (valid, -aig.n_ands) > (best.valid_accuracy, -best.and_gates)):
            best = TreeCircuit(tree, aig, depth, valid, aig.n_ands, tried)
        if previous is not None and tree.get_depth() == previous:
            break
        previous = tree.get_depth()
    if best is None:
        raise ValueError(f"no tree fits in {max_and_gates} AND gates")
    return best
