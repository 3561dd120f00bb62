"""Boosted luts as circuit candidates of :func:`~lutlearn.circuits.search.fit_circuit` (the frontier's learner).

:class:`BoostedLearner` (registered as ``boosted``) fits
``LutNetworkClassifier(wiring="boosted")`` on the search's training
examples: output luts of ``k`` inputs grown one at a time by boosting by
counting, each choosing its inputs greedily on the weighted examples, each a
one-bit vote for its class; the circuit is the luts, a popcount per class
and their comparison (:class:`lutlearn.export.netlist.LutNetlist` of the
model, as every exported boosted design). On image-sized tasks, many weakly
informative inputs, they beat single networks and cascades at fewer gates.

Each lut size is a family whose steps double the number of luts (from
:data:`BOOSTED_START`), so the search stops a family once its circuit
overflows the budget. A doubling must also pay for its gates: a step that
gains less than ``boosted_min_gain`` validation accuracy over the step
before it is not proposed, and its family stops there. Otherwise the search,
which keeps the best validation accuracy within the budget, would keep the
largest circuit that fits for a few hundredths of a point more. The learner
applies to tasks of at least ``boosted_min_inputs`` inputs.
"""

from __future__ import annotations

import numpy as np

from lutlearn.circuits.learners import CircuitLearner, Fitted, SearchTask, _aig_of, accuracy, register_learner

__all__ = ["BOOSTED_CANDIDATES", "BOOSTED_LEARNING_RATE", "BOOSTED_MAX_LUTS", "BOOSTED_START", "BoostedLearner"]

#: Luts of a family's first step (two classes: half each).
BOOSTED_START = 8
#: The shrinkage of every boosted circuit candidate (``LutNetworkClassifier``'s ``learning_rate``).
BOOSTED_LEARNING_RATE = 0.5
#: Candidate inputs every lut chooses among (``wiring_candidates``).
BOOSTED_CANDIDATES = 256
#: Most luts a family grows to.
BOOSTED_MAX_LUTS = 1024


def _boosted(k: int, n_luts: int, seed: int):
    from lutlearn.core.estimator import LutNetworkClassifier

    return LutNetworkClassifier(wiring="boosted", n_output_luts=n_luts, output_k=k, learning_rate=BOOSTED_LEARNING_RATE,
                                wiring_candidates=BOOSTED_CANDIDATES, random_state=seed, n_jobs=1)


@register_learner
class BoostedLearner(CircuitLearner):
    """Boosted one-bit luts of each size in ``boosted`` (:mod:`lutlearn.circuits.boosting`).

    Parameters
    ----------
    boosted : sequence of int
        Lut sizes, a family each; empty: the learner is off.
    boosted_min_inputs : int, default=0
        Only tasks with at least this many inputs.
    boosted_min_gain : float, default=0.0
        A doubling of a family's luts that gains less validation accuracy
        than this over the step before is dropped (not a candidate) and its
        family stops (0: only the budget stops it).
    random_state : int, default=0
        The seed of every fit.
    """

    name = "boosted"
    options = ("boosted", "boosted_min_inputs", "boosted_min_gain", "random_state")
    refit_when = "all"

    def __init__(self, boosted=(), boosted_min_inputs: int = 0, boosted_min_gain: float = 0.0,
                 random_state: int = 0):
        self.ks = tuple(int(k) for k in boosted)
        if any(not 1 <= k <= 16 for k in self.ks):
            raise ValueError(f"boosted lut sizes must be between 1 and 16; got {self.ks}")
        if boosted_min_inputs < 0 or not 0.0 <= boosted_min_gain < 1.0:
            raise ValueError("boosted_min_inputs must be >= 0 and 0 <= boosted_min_gain < 1; got "
                             f"{boosted_min_inputs} and {boosted_min_gain}")
        self.min_inputs = int(boosted_min_inputs)
        self.min_gain = float(boosted_min_gain)
        self.random_state = random_state
        self._last: dict[int, float | None] = {}  # every family's last proposed validation accuracy (None: stopped)

    @classmethod
    def from_options(cls, options: dict) -> BoostedLearner | None:
        """Enabled when ``boosted`` names at least one lut size."""
        learner = cls(options.get("boosted", ()), options.get("boosted_min_inputs", 0),
                      options.get("boosted_min_gain", 0.0), options.get("random_state", 0))
        return learner if learner.ks else None

    def configurations(self, task: SearchTask, max_and_gates: int, table: list) -> list:
        """A family per lut size (at most the inputs): ``(k, n_luts)`` steps, the luts doubling from
        :data:`BOOSTED_START` to :data:`BOOSTED_MAX_LUTS`."""
        self._last = {}
        if task.n_features < max(self.min_inputs, 1):
            return []
        steps = []
        n = BOOSTED_START
        while n <= BOOSTED_MAX_LUTS:
            steps.append(n)
            n *= 2
        return [[[(k, n)] for n in steps] for k in self.ks if k <= task.n_features]

    def fit(self, config, task: SearchTask) -> list[Fitted]:
        """The boosted design ``(k, n_luts)`` fitted on the training examples; nothing when it gains less
        than ``boosted_min_gain`` over its family's step before, or its family has stopped."""
        k, n_luts = config
        if k in self._last and self._last[k] is None:
            return []
        model = _boosted(k, n_luts, self.random_state).fit(task.X, task.y)
        fitted = self._fitted(model, task, k, n_luts)
        last = self._last.get(k)
        if self.min_gain and last is not None and fitted.valid_accuracy - last < self.min_gain:
            self._last[k] = None
            return []
        self._last[k] = fitted.valid_accuracy
        return [fitted]

    def _fitted(self, model, task: SearchTask, k: int, n_luts: int) -> Fitted:
        train, valid = accuracy(model, task.X, task.y), accuracy(model, task.X_valid, task.y_valid)
        return Fitted(_aig_of(model), train, valid, k=k, seed=self.random_state, wiring="boosted", fill="-",
                      model=model, n_output_luts=n_luts)

    def refit(self, fitted: Fitted, task: SearchTask) -> tuple:
        """The same design (same seed) fitted on training + validation examples."""
        X_all, y_all = np.concatenate([task.X, task.X_valid]), np.concatenate([task.y, task.y_valid])
        model = _boosted(fitted.k, fitted.n_output_luts, fitted.seed).fit(X_all, y_all)
        return _aig_of(model), model
