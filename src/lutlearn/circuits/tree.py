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
    """The AIG of a fitted ``DecisionTreeClassifier`` trained on 0/1 inputs.

    Two classes: its one output is 1 where the tree predicts
    ``tree.classes_[1]``. More classes: output ``b`` is bit ``b`` (least
    significant first) of the predicted class index, as in every lutlearn
    circuit (:mod:`lutlearn.export.netlist`). At a leaf the class is the one
    with the largest weight (the first on ties, as ``predict``). A split on
    feature ``f`` sends ``x_f = 0`` left (the tree's thresholds on 0/1 data
    lie between 0 and 1); every output bit is one multiplexer per split.

    Raises
    ------
    ValueError
        If the tree splits at a threshold outside (0, 1) (inputs that are
        not bits).
    """
    t = tree.tree_
    n_classes = len(tree.classes_)
    n_bits = max(1, (n_classes - 1).bit_length())
    aig = Aig(n_inputs)
    lits: dict[int, tuple] = {}
    stack = [0]
    while stack:  # post-order without recursion (trees may be deep)
        node = stack[-1]
        left, right = t.children_left[node], t.children_right[node]
        if left == -1:  # a leaf
            c = int(np.argmax(t.value[node][0])) if n_classes > 1 else 0
            lits[node] = tuple((c >> b) & 1 for b in range(n_bits))
            stack.pop()
            continue
        if left not in lits or right not in lits:
            stack.extend(c for c in (right, left) if c not in lits)
            continue
        if not 0 <= t.threshold[node] < 1:
            raise ValueError(f"split at {t.threshold[node]} on feature {t.feature[node]}: the tree saw non-0/1 inputs")
        x = aig.input(int(t.feature[node]))
        lits[node] = tuple(aig.mux(x, r, lft) for r, lft in zip(lits[right], lits[left]))
        stack.pop()
    aig.outputs = list(lits[0])
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
                     random_state: int = 0, patience: int | None = None) -> TreeCircuit:
    """The depth-limited decision tree with the best validation accuracy whose AIG fits the budget.

    Trees of each ``max_depth`` (scikit-learn's ``DecisionTreeClassifier``,
    Gini, ``random_state`` fixed) are fit on ``X, y`` and turned into AIGs
    (any number of classes: the outputs of :func:`aig_from_tree`); among
    those of at most ``max_and_gates`` ANDs the best on ``X_valid,
    y_valid`` wins (fewer ANDs on ties). Depths stop growing once a tree
    no longer changes (it fits the training set), or, with ``patience``,
    once that many depths in a row are over the budget (deeper trees only
    refine them: on ten-class images each depth costs a minute).
    """
    from sklearn.tree import DecisionTreeClassifier

    X, X_valid = np.asarray(X, np.uint8), np.asarray(X_valid, np.uint8)
    best, tried, previous, over = None, [], None, 0
    for depth in depths:
        tree = DecisionTreeClassifier(max_depth=depth, random_state=random_state).fit(X, y)
        aig = aig_from_tree(tree, X.shape[1])
        valid = float((tree.predict(X_valid) == np.asarray(y_valid)).mean())
        tried.append({"max_depth": depth, "and_gates": aig.n_ands, "valid_accuracy": valid})
        if aig.n_ands <= max_and_gates and (
                best is None or (valid, -aig.n_ands) > (best.valid_accuracy, -best.and_gates)):
            best = TreeCircuit(tree, aig, depth, valid, aig.n_ands, tried)
        over = over + 1 if aig.n_ands > max_and_gates else 0
        if (previous is not None and tree.get_depth() == previous) or (patience is not None and over >= patience):
            break
        previous = tree.get_depth()
    if best is None:
        raise ValueError(f"no tree fits in {max_and_gates} AND gates")
    return best
