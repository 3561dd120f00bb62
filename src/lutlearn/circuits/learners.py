"""The learners of :func:`lutlearn.circuits.search.fit_circuit`: every kind of candidate circuit behind one protocol.

:func:`lutlearn.circuits.search.fit_circuit` is one loop over learners: it asks
every enabled learner for configurations, has it fit each one on the
training examples, counts the gates of each circuit once (after ABC when it
is over budget), keeps the best validation accuracy within the budget, and
refits the winner on training + validation examples when the winner's
learner allows it. A learner (a subclass of :class:`CircuitLearner`) only
knows how to make circuits of its kind:

* :meth:`CircuitLearner.from_options` builds it from the search's options
  (None: not enabled); the options it reads are named in ``options``;
* :meth:`CircuitLearner.configurations` proposes what to fit for a
  :class:`SearchTask`, as families of steps of growing size (the search
  stops a family once a step's circuit overflows the budget);
* :meth:`CircuitLearner.fit` fits one configuration on the training
  examples and returns its circuits as :class:`Fitted` (one per variant,
  e.g. per fill of unseen patterns), with their AIG and accuracies;
* :meth:`CircuitLearner.refit` fits the winner again on training +
  validation examples, when ``refit_when`` allows;
* :meth:`CircuitLearner.observe` sees every candidate the search counted
  (the ensemble keeps the three best).

Learners are registered by name in :data:`LEARNERS`
(:func:`register_learner`); the search runs them in registration order,
the ``challenger`` learners (whose candidate is kept only when it beats the
best so far) last. Adding a kind of circuit is one class here, its
registration and its tests.

The registered learners: ``networks`` (lut networks of a grid of shapes,
random and greedy wiring, each fill of unseen patterns), ``full-table``
(one lut of all the inputs), ``cascades`` (:func:`fit_cascade`),
``care-table`` and ``care-support`` (the truth table of all or of chosen
inputs with the unseen patterns as don't-cares, :func:`fit_care_support`)
and ``ensemble`` (the majority of the three best, :func:`majority_aig`).
"""

from __future__ import annotations

import functools
import hashlib
import warnings
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from lutlearn.core.inspection import fill_unseen

__all__ = [
    "CARE_SUPPORT_MAX_FEATURES", "CASCADE_INTERACTIONS_MAX_FEATURES", "CASCADE_STAGES", "LEARNERS", "CareSupport",
    "CareSupportLearner", "CareTableLearner", "CascadeLearner", "CircuitLearner", "EnsembleLearner", "Fitted",
    "FullTableLearner", "LutCascade", "NetworkLearner", "SearchTask", "accuracy", "build_learners", "fit_care_support",
    "fit_cascade", "majority_aig", "register_learner",
]

#: Luts of a cascade tried by :func:`lutlearn.circuits.search.fit_circuit` (its last one decides every example left).
CASCADE_STAGES = 8

#: :func:`fit_cascade` looks for inputs that matter only together (parities of 2 to 4 inputs) on tasks of at most
#: this many inputs (the suite's adders of two 256-bit operands, not its images): the search grows with the square
#: of the inputs and more; on CIFAR-10's 3,072 pixel bits it took about 15 s per lut, more than half of a
#: fit-circuit search's time, and on MNIST's 784 about a third, and the image tasks' circuits were the same
#: without it (see the docs).
CASCADE_INTERACTIONS_MAX_FEATURES = 512

#: The registered learners by name, in the order the search runs them (challengers last).
LEARNERS: dict[str, type[CircuitLearner]] = {}


@dataclass(frozen=True)
class SearchTask:
    """The examples of one search, as every learner sees them.

    Attributes
    ----------
    X, y : ndarray
        Training inputs (0/1) and outputs (two classes).
    X_valid, y_valid : ndarray
        Validation inputs and outputs.
    classes : ndarray
        The sorted output values of ``y``.
    y_index, y_valid_index : ndarray
        The outputs as indices into ``classes`` (0/1).
    use_abc : bool
        Whether the search counts gates after ABC (the care tables need it).
    """

    X: np.ndarray
    y: np.ndarray
    X_valid: np.ndarray
    y_valid: np.ndarray
    classes: np.ndarray
    y_index: np.ndarray
    y_valid_index: np.ndarray
    use_abc: bool

    @classmethod
    def from_arrays(cls, X, y, X_valid, y_valid, use_abc: bool) -> SearchTask:
        """The task of training and validation examples; raises ValueError unless both are 2-D of one width."""
        X, X_valid = np.asarray(X), np.asarray(X_valid)
        y, y_valid = np.asarray(y), np.asarray(y_valid)
        if X.ndim != 2 or X_valid.ndim != 2 or X.shape[1] != X_valid.shape[1]:
            raise ValueError(
                f"training and validation inputs must be 2-D with the same width; got {X.shape}, {X_valid.shape}"
            )
        classes = np.unique(y)
        return cls(X, y, X_valid, y_valid, classes, np.searchsorted(classes, y), np.searchsorted(classes, y_valid),
                   bool(use_abc))

    @property
    def n_features(self) -> int:
        """The number of inputs."""
        return self.X.shape[1]

    def index_accuracy(self, aig, X, y_index) -> float:
        """The accuracy of the single output of ``aig`` on inputs ``X`` against class indices ``y_index``."""
        return float(np.mean(aig.evaluate(X)[:, 0] == y_index))


@dataclass
class Fitted:
    """One circuit a learner fitted, before the search counts its gates.

    Attributes
    ----------
    aig : lutlearn.export.aiger.Aig
        The circuit (single output: 1 means ``classes[1]``).
    train_accuracy, valid_accuracy : float
        Its accuracy on the training and the validation examples.
    k, hidden_layers, seed, wiring, fill, threshold, support, n_output_luts
        What the search records of it (:class:`lutlearn.circuits.search.Candidate`).
    model : object or None
        The fitted network, when the circuit is one (what
        :attr:`lutlearn.circuits.search.CircuitSearch.model` returns).
    members : list of Candidate or None
        The candidates an ensemble votes over.
    """

    aig: object
    train_accuracy: float
    valid_accuracy: float
    k: int
    hidden_layers: tuple = ()
    seed: int = 0
    wiring: str = "random"
    fill: str = "small"
    threshold: float | None = None
    support: tuple | None = None
    model: object = None
    members: list | None = None
    n_output_luts: int | None = None

    def figures(self) -> dict:
        """The fields of :class:`lutlearn.circuits.search.Candidate` the learner fixed (the search adds the gate
        counts)."""
        return {"k": self.k, "hidden_layers": self.hidden_layers, "seed": self.seed,
                "train_accuracy": self.train_accuracy, "valid_accuracy": self.valid_accuracy,
                "wiring": self.wiring, "fill": self.fill, "threshold": self.threshold, "support": self.support,
                "n_output_luts": self.n_output_luts}


class CircuitLearner:
    """One kind of candidate circuit of :func:`lutlearn.circuits.search.fit_circuit`.

    Subclasses set ``name`` (the registry key), ``options`` (the keyword
    options of the search they read), ``refit_when`` (``"never"``;
    ``"all"``: refitted when the search's ``refit`` is True; ``"table"``:
    also when it is ``"table"``, the default of ``lutlearn fit-circuit``) and
    ``challenger`` (its candidates run after every other learner's and are
    recorded only when they fit and validate better than the best so far),
    and implement :meth:`from_options`, :meth:`configurations` and
    :meth:`fit`. ``grow_patience`` (0 here) is how many steps of a family
    in a row may leave its best validation accuracy where it was before the
    search skips the family's later steps (0: only the budget stops it).
    """

    name: ClassVar[str] = ""
    options: ClassVar[tuple[str, ...]] = ()
    refit_when: ClassVar[str] = "never"
    challenger: ClassVar[bool] = False
    grow_patience: int = 0

    @classmethod
    def from_options(cls, options: dict) -> CircuitLearner | None:
        """The learner the search's keyword ``options`` ask for, or None when they do not enable it.

        Raises ValueError on an invalid option it reads.
        """
        raise NotImplementedError

    def configurations(self, task: SearchTask, max_and_gates: int, table: list) -> list:
        """What to fit, as a list of families, each a list of steps, each a list of configurations.

        Within a family the steps grow (wider networks): once a step has a
        circuit over the budget, the search skips the family's later steps.
        ``table`` holds the candidates counted so far
        (:class:`lutlearn.circuits.search.Candidate`), for a learner that depends on
        them. Called once per search, when the learner's turn comes.
        """
        raise NotImplementedError

    def fit(self, config, task: SearchTask) -> list[Fitted]:
        """The circuits of one configuration fitted on the training examples (one per variant)."""
        raise NotImplementedError

    def refit(self, fitted: Fitted, task: SearchTask) -> tuple:
        """``(aig, model)`` of the same configuration fitted on training + validation examples.

        Only called when ``refit_when`` allows it.
        """
        raise NotImplementedError(f"the {self.name} learner does not refit")

    def observe(self, index: int, candidate, aig, abc_data: bytes | None) -> None:
        """See the search's ``index``-th candidate (1-based), its circuit and ABC's file of it (None: not run)."""


def register_learner(cls: type[CircuitLearner]) -> type[CircuitLearner]:
    """Register a learner class under its ``name`` (a class decorator); challengers stay after the others."""
    if not cls.name:
        raise ValueError(f"{cls.__name__} has no name")
    items = [(n, c) for n, c in LEARNERS.items() if n != cls.name] + [(cls.name, cls)]
    LEARNERS.clear()
    LEARNERS.update(sorted(items, key=lambda item: item[1].challenger))  # stable: registration order otherwise
    return cls


def build_learners(options: dict, names=None) -> list[CircuitLearner]:
    """The enabled learners for the search's keyword ``options``, in search order.

    Parameters
    ----------
    options : dict
        The search's options (every learner reads those named in its ``options``).
    names : sequence of str or None, default=None
        The registered learners to consider (None: all of :data:`LEARNERS`).

    Returns
    -------
    list of CircuitLearner
    """
    known = {o for c in LEARNERS.values() for o in c.options}
    unknown = sorted(set(options) - known)
    if unknown:
        raise TypeError(f"fit_circuit() got an unexpected keyword argument {unknown[0]!r}")
    missing = [n for n in names or () if n not in LEARNERS]
    if missing:
        raise ValueError(f"no circuit learner named {missing[0]!r}; the registered ones: {', '.join(LEARNERS)}")
    chosen = [c.from_options(options) for n, c in LEARNERS.items() if names is None or n in names]
    return [learner for learner in chosen if learner is not None]


def _fills(fill) -> tuple[str, ...]:
    """The fill rules a ``fill`` argument names."""
    if fill is True:
        return ("small",)
    if fill is False or fill == "none":
        return ("none",)
    if fill == "both":
        return ("small", "neighbours")
    if fill in ("small", "neighbours"):
        return (fill,)
    raise ValueError(f"fill must be True, False, 'none', 'small', 'neighbours' or 'both'; got {fill!r}")


def _shapes(n_features: int, ks, depths, max_width: int):
    """(k, depth, widths) in search order."""
    for k in ks:
        if k > n_features:
            continue
        for depth in depths:
            if depth == 0:
                yield k, depth, [()]
            else:
                widths = []
                w = k
                while w <= max_width:
                    widths.append((w,) * depth)
                    w *= 2
                yield k, depth, widths


@register_learner
class NetworkLearner(CircuitLearner):
    """Lut networks (``LutNetworkClassifier``) of a grid of shapes, each wiring and each fill of unseen patterns.

    For every ``k`` of ``ks`` (at most the inputs) and depth of ``depths``, a
    family of widths growing from ``k`` by doubling up to ``max_width`` (or,
    with ``grow_patience`` N > 0, until N widths in a row have not raised
    the family's best validation accuracy: on the generated suite's 75
    tasks of the performance page a wider network after such a step never
    became the chosen circuit but on one MNIST task);
    every width with ``n_seeds`` seeds and every wiring of ``wirings``; every
    network gives one candidate per fill rule (:func:`lutlearn.core.inspection.fill_unseen`). With
    greedy wiring, the sizes of ``greedy_ks`` not in ``ks`` are tried with 0
    or 1 hidden layer. Refitted (same configuration, same seed) when the
    search's ``refit`` is True.
    """

    name = "networks"
    options = ("ks", "depths", "max_width", "n_seeds", "random_state", "fill", "wirings", "wiring_candidates",
               "greedy_ks", "grow_patience")
    refit_when = "all"

    def __init__(self, ks=(1, 2, 3, 4, 5, 6, 7, 8), depths=(0, 1, 2, 3), max_width: int = 512, n_seeds: int = 1,
                 random_state: int = 0, fill: bool | str = True, wirings=("random",),
                 wiring_candidates: int | None = None, greedy_ks=(), grow_patience: int = 0):
        if n_seeds < 1:
            raise ValueError(f"n_seeds must be >= 1, got {n_seeds}")
        if isinstance(grow_patience, bool) or not isinstance(grow_patience, (int, np.integer)) or grow_patience < 0:
            raise ValueError(f"grow_patience must be a whole number >= 0, got {grow_patience!r}")
        self.grow_patience = int(grow_patience)  # widths in a row without a gain before a family stops widening
        wirings = tuple(wirings)
        if not wirings or any(w not in ("random", "greedy") for w in wirings):
            raise ValueError(f"wirings must be a non-empty sequence of 'random' and 'greedy'; got {wirings!r}")
        self.fills = _fills(fill)
        self.ks, self.depths, self.max_width, self.greedy_ks = ks, depths, max_width, greedy_ks
        self.seeds = range(random_state, random_state + n_seeds)
        self.wirings, self.wiring_candidates = wirings, wiring_candidates
        self._task: SearchTask | None = None
        self._wirings: dict = {}  # the first layer's greedy wiring by (k, seed, candidates), on self._task
        self._widest: dict = {}  # the widest first layer of every k with greedy wiring

    @classmethod
    def from_options(cls, options: dict) -> NetworkLearner:
        """The network grid of the options it names (always enabled)."""
        return cls(**{o: options[o] for o in cls.options if o in options})

    def _plan(self, task: SearchTask, table: list) -> list:
        """(k, widths, wirings) of every family."""
        n = task.n_features
        plan = [(k, w, self.wirings) for k, _, w in _shapes(n, self.ks, self.depths, self.max_width)]
        if "greedy" in self.wirings:
            plan += [(k, w, ("greedy",)) for k, _, w in _shapes(n, [g for g in self.greedy_ks if g not in self.ks],
                                                                [d for d in self.depths if d <= 1], self.max_width)]
        return plan

    def configurations(self, task: SearchTask, max_and_gates: int, table: list) -> list:
        """A family per shape (k, depth): its widths in growing order, each (k, hidden, seed, wiring) per seed
        and wiring."""
        plan = self._plan(task, table)
        self._widest = {}
        for k, widths, wirings in plan:
            if "greedy" in wirings:
                self._widest[k] = max([self._widest.get(k, 1)] + [h[0] for h in widths if h])
        return [[[(k, hidden, seed, wiring) for seed in self.seeds for wiring in wirings] for hidden in widths]
                for k, widths, wirings in plan]

    def fit(self, config, task: SearchTask) -> list[Fitted]:
        """The network ``(k, hidden, seed, wiring)`` fitted on the training examples, once per fill rule.

        Greedy-wired networks of one ``k`` and seed share their first layer:
        its wiring is chosen once, for the widest first layer the search
        plans, and a narrower network takes its first luts (the luts of a
        layer are wired one by one from the same draws, so these are the
        wirings it would choose alone; the tests compare the networks).
        """
        k, hidden, seed, wiring = config
        model = _network(k, hidden, seed, wiring, self.wiring_candidates)
        if wiring == "greedy":
            if self._task is not task:
                self._task, self._wirings = task, {}
            model = _fit_sharing_wiring(model, task.X, task.y, self._wirings, self._widest.get(k, 1))
        else:
            model.fit(task.X, task.y)
        train = accuracy(model, task.X, task.y)
        return [Fitted(aig, train, accuracy(m, task.X_valid, task.y_valid), k=k, hidden_layers=tuple(hidden),
                       seed=seed, wiring=wiring, fill=rule, model=m)
                for rule, m, aig in _with_fills(model, task.X, task.y, self.fills)]

    def refit(self, fitted: Fitted, task: SearchTask) -> tuple:
        """The same network (same seed and fill) fitted on training + validation examples."""
        X_all, y_all = np.concatenate([task.X, task.X_valid]), np.concatenate([task.y, task.y_valid])
        full = _network(fitted.k, fitted.hidden_layers, fitted.seed, fitted.wiring,
                        self.wiring_candidates).fit(X_all, y_all)
        _, model, aig = _with_fills(full, X_all, y_all, (fitted.fill,))[0]
        return aig, model


@register_learner
class FullTableLearner(NetworkLearner):
    """One lut reading every input (the truth table memorized), with at most ``full_table`` inputs.

    Its unseen entries are filled as the networks' (``fill``); skipped when
    the network grid already tried that lut with random wiring.
    """

    name = "full-table"
    options = ("full_table", "n_seeds", "random_state", "fill", "wiring_candidates")

    def __init__(self, full_table: int, n_seeds: int = 1, random_state: int = 0, fill: bool | str = True,
                 wiring_candidates: int | None = None):
        super().__init__(ks=(), n_seeds=n_seeds, random_state=random_state, fill=fill,
                         wiring_candidates=wiring_candidates)
        self.full_table = full_table

    @classmethod
    def from_options(cls, options: dict) -> FullTableLearner | None:
        """Enabled when ``full_table`` is positive."""
        if options.get("full_table", 0) <= 0:
            return None
        return cls(**{o: options[o] for o in cls.options if o in options})

    def _plan(self, task: SearchTask, table: list) -> list:
        n = task.n_features
        tried = any(c.k == n and c.hidden_layers == () and c.wiring == "random" for c in table)
        return [(n, [()], ("random",))] if 0 < n <= self.full_table and not tried else []


@register_learner
class CascadeLearner(CircuitLearner):
    """Cascades of luts (:func:`fit_cascade`), one per ``(k, threshold)`` of ``cascades``; never refitted."""

    name = "cascades"
    options = ("cascades", "random_state")

    def __init__(self, cascades, random_state: int = 0):
        self.cascades = [(int(k), float(t)) for k, t in cascades]
        for k, t in self.cascades:
            if not 1 <= k <= 24 or not 0 <= t < 0.5:
                raise ValueError(
                    f"cascades are (k, threshold) with 1 <= k <= 24 and 0 <= threshold < 0.5; got {(k, t)}")
        self.random_state = random_state
        self.wiring_cache: dict = {}  # the luts' wirings, shared by the cascades of one task
        self._task: SearchTask | None = None

    @classmethod
    def from_options(cls, options: dict) -> CascadeLearner | None:
        """Enabled when ``cascades`` is not empty."""
        learner = cls(options.get("cascades", ()), options.get("random_state", 0))
        return learner if learner.cascades else None

    def configurations(self, task: SearchTask, max_and_gates: int, table: list) -> list:
        """A family of one ``(k, threshold)`` per cascade whose ``k`` is at most the inputs."""
        return [[[(k, t)]] for k, t in self.cascades if k <= task.n_features]

    def fit(self, config, task: SearchTask) -> list[Fitted]:
        """The cascade of :data:`CASCADE_STAGES` luts of at most ``k`` inputs with confidence ``threshold``."""
        k, threshold = config
        if self._task is not task:  # the wirings are those of one task's examples
            self._task, self.wiring_cache = task, {}
        cascade = fit_cascade(task.X, task.y_index, k, CASCADE_STAGES, threshold, self.random_state,
                              self.wiring_cache)
        return [Fitted(cascade.to_aig(task.n_features), float(np.mean(cascade.predict(task.X) == task.y_index)),
                       float(np.mean(cascade.predict(task.X_valid) == task.y_valid_index)), k=k,
                       seed=self.random_state, wiring="cascade", fill="-", threshold=threshold)]


def _ttopt_available() -> bool:
    """Whether ABC has ``&ttopt``; warns (the search goes on without the care table) when it has not."""
    from lutlearn.export.tools import abc_has_command

    if abc_has_command("&ttopt"):
        return True
    warnings.warn("this ABC has no &ttopt (it came in 2022): the search goes on without the care table",
                  RuntimeWarning, stacklevel=4)
    return False


@register_learner
class CareTableLearner(CircuitLearner):
    """The truth table of all the inputs (at most ``care_table``) memorized, unseen patterns don't-cares to ABC.

    :func:`lutlearn.circuits.dontcare.care_table_aig`; needs ABC with
    ``&ttopt``. Refitted on training + validation examples under the
    search's ``refit="table"`` (the default of ``lutlearn fit-circuit``) or
    True.
    """

    name = "care-table"
    options = ("care_table", "random_state")
    refit_when = "table"

    def __init__(self, care_table: int, random_state: int = 0):
        from lutlearn.circuits.dontcare import MAX_INPUTS

        if not 0 <= care_table <= MAX_INPUTS:
            raise ValueError(f"care_table must be between 0 and {MAX_INPUTS}, got {care_table}")
        self.care_table, self.random_state = care_table, random_state

    @classmethod
    def from_options(cls, options: dict) -> CareTableLearner | None:
        """Enabled when ``care_table`` is positive."""
        learner = cls(options.get("care_table", 0), options.get("random_state", 0))
        return learner if learner.care_table > 0 else None

    def _applies(self, task: SearchTask) -> bool:
        return task.use_abc and 0 < task.n_features <= self.care_table

    def configurations(self, task: SearchTask, max_and_gates: int, table: list) -> list:
        """One table, when ABC is used and has ``&ttopt`` and the task has at most ``care_table`` inputs."""
        return [[[None]]] if self._applies(task) and _ttopt_available() else []

    def _fitted(self, aig, task: SearchTask, support, valid: float | None = None) -> Fitted:
        valid = task.index_accuracy(aig, task.X_valid, task.y_valid_index) if valid is None else valid
        return Fitted(aig, task.index_accuracy(aig, task.X, task.y_index), valid,
                      k=task.n_features if support is None else len(support), seed=self.random_state,
                      wiring="table", fill="dont-care", support=support)

    def fit(self, config, task: SearchTask) -> list[Fitted]:
        """The care table of the training examples."""
        from lutlearn.circuits.dontcare import care_table_aig

        return [self._fitted(care_table_aig(task.X, task.y_index), task, None)]

    def refit(self, fitted: Fitted, task: SearchTask) -> tuple:
        """The care table of training + validation examples, over the same inputs."""
        from lutlearn.circuits.dontcare import care_table_aig

        X_all, y_all = np.concatenate([task.X, task.X_valid]), np.concatenate([task.y_index, task.y_valid_index])
        return care_table_aig(X_all, y_all, support=fitted.support), None


@register_learner
class CareSupportLearner(CareTableLearner):
    """A care table over at most ``care_support`` inputs chosen by :func:`fit_care_support`.

    On tasks of more inputs than ``care_table`` but at most
    :data:`CARE_SUPPORT_MAX_FEATURES`; refitted as the care table.
    """

    name = "care-support"
    options = ("care_support", "care_table", "random_state")

    def __init__(self, care_support: int, care_table: int = 0, random_state: int = 0):
        from lutlearn.circuits.dontcare import MAX_INPUTS

        if not 0 <= care_support <= MAX_INPUTS:
            raise ValueError(f"care_support must be between 0 and {MAX_INPUTS}, got {care_support}")
        self.care_support, self.care_table, self.random_state = care_support, care_table, random_state

    @classmethod
    def from_options(cls, options: dict) -> CareSupportLearner | None:
        """Enabled when ``care_support`` is positive."""
        learner = cls(options.get("care_support", 0), options.get("care_table", 0), options.get("random_state", 0))
        return learner if learner.care_support > 0 else None

    def _applies(self, task: SearchTask) -> bool:
        return task.use_abc and max(self.care_table, 0) < task.n_features <= CARE_SUPPORT_MAX_FEATURES

    def fit(self, config, task: SearchTask) -> list[Fitted]:
        """The care table over the inputs :func:`fit_care_support` chooses on the validation examples."""
        found = fit_care_support(task.X, task.y_index, task.X_valid, task.y_valid_index,
                                 max_support=self.care_support, random_state=self.random_state)
        return [self._fitted(found.aig, task, tuple(found.support), found.valid_accuracy)]


@register_learner
class EnsembleLearner(CircuitLearner):
    """The majority of the three best candidates within budget (one per network), as one AIG.

    A challenger: kept only when it fits and validates better than the best
    candidate; never refitted.
    """

    name = "ensemble"
    options = ("ensemble",)
    challenger = True

    def __init__(self):
        self.top: list = []  # the 3 best (key, candidate, AIG bytes) within budget

    @classmethod
    def from_options(cls, options: dict) -> EnsembleLearner | None:
        """Enabled when ``ensemble`` is true."""
        return cls() if options.get("ensemble", False) else None

    def observe(self, index: int, candidate, aig, abc_data: bytes | None) -> None:
        """Keep the three best candidates within budget."""
        if candidate.fits:
            _keep_top(self.top, (candidate.valid_accuracy, -candidate.and_gates, index), candidate,
                      abc_data or aig.to_bytes())

    def configurations(self, task: SearchTask, max_and_gates: int, table: list) -> list:
        """One vote, when three candidates fit."""
        return [[[None]]] if len(self.top) == 3 else []

    def fit(self, config, task: SearchTask) -> list[Fitted]:
        """The majority of the three kept circuits."""
        from lutlearn.export.aiger import parse_aiger

        vote = majority_aig([parse_aiger(d) for *_, d in self.top])
        members = [c for _, c, _ in self.top]
        return [Fitted(vote, task.index_accuracy(vote, task.X, task.y_index),
                       task.index_accuracy(vote, task.X_valid, task.y_valid_index), k=max(c.k for c in members),
                       seed=members[0].seed, wiring="ensemble", fill="-", members=members)]


def accuracy(model, X, y) -> float:
    """``model.score(X, y)`` (scikit-learn's accuracy) without scikit-learn's checks of its arguments, which took
    a tenth of a mid-sized search's time: the share of rows of ``X`` whose prediction is their label in ``y``."""
    return float(np.mean(model.predict(X) == y))


def _with_fills(model, X, y, rules) -> list:
    """(rule, model, aig) of each fill rule of a network fitted on ``X``, ``y``."""
    out = []
    for rule in rules:
        m = model
        if rule != "none":
            m = _clone_fitted(model)
            m.network_ = fill_unseen(model.network_, X, model.n_jobs, rule=rule,
                                     y=np.searchsorted(model.classes_, y))
        out.append((rule, m, _aig_of(m)))
    return out


@dataclass
class LutCascade:
    """A decision list of luts, each learned by counting on the examples the luts before it are unsure of.

    Lut ``i`` reads inputs ``wires[i]`` (first = most significant pattern
    bit); on its pattern ``p`` it decides ``values[i][p]`` when
    ``confident[i][p]``, else hands the example to lut ``i + 1``. The last
    lut is confident on every pattern. Built by :func:`fit_cascade`.
    """

    wires: list
    confident: list
    values: list

    def predict(self, X) -> np.ndarray:
        """The output (0/1, uint8) for every row of 0/1 inputs ``X``."""
        X = np.asarray(X)
        out = np.zeros(len(X), np.uint8)
        todo = np.ones(len(X), bool)
        for w, conf, val in zip(self.wires, self.confident, self.values):
            p = _patterns(X, w)
            now = todo & conf[p]
            out[now] = val[p[now]]
            todo &= ~now
        return out

    def to_aig(self, n_inputs: int):
        """The cascade as a :class:`lutlearn.export.aiger.Aig` over ``n_inputs`` inputs: a chain of multiplexers."""
        from lutlearn.export.aiger import Aig

        aig = Aig(n_inputs)
        out = None
        for w, conf, val in zip(self.wires[::-1], self.confident[::-1], self.values[::-1]):
            lits = [aig.input(int(c)) for c in w]
            v = aig.add_lut(lits, val)
            out = v if out is None else aig.mux(aig.add_lut(lits, conf.astype(np.uint8)), v, out)
        aig.outputs = [out]
        return aig.cleanup()


def _patterns(X: np.ndarray, wires) -> np.ndarray:
    """The pattern (int64, first wire most significant) each row of ``X`` shows a lut reading ``wires``."""
    p = np.zeros(len(X), np.int64)
    for c in wires:
        p = (p << 1) | X[:, c]
    return p


def fit_cascade(X, y, k: int = 8, n_stages: int = CASCADE_STAGES, threshold: float = 0.2,
                random_state: int = 0, wiring_cache: dict | None = None,
                interactions: bool | None = None) -> LutCascade:
    """Learn a :class:`LutCascade` by counting: each lut memorizes what the luts before it were unsure of.

    Lut ``i`` is chosen by greedy wiring (:func:`lutlearn.core.training.greedy_wiring`,
    one lut of at most ``k`` inputs, seed ``random_state + i``) on the training
    examples no earlier lut was confident on, then counts their classes for
    each of its patterns: its value is the majority (0 on ties and unseen
    patterns) and it is confident on a seen pattern whose Laplace-smoothed
    frequency of class 1, ``(n1 + 1) / (n + 2)``, is at most ``threshold`` or
    at least ``1 - threshold``. The examples it is unsure of go on to the next
    lut; the last lut (the ``n_stages``-th, or the one that leaves no example)
    decides everything left. Luts fit to the label lose a block's "undecided"
    state (equal top bits of a comparator); the cascade keeps it: on the
    comparators ``cmp:20..100`` it reaches 0.996-0.999 test accuracy where a
    single lut or a network stays below 0.99 (see the documentation's page on learning circuits from examples).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        0/1 inputs.
    y : array-like of shape (n_samples,)
        0/1 outputs.
    k : int, default=8
        Most inputs of a lut.
    n_stages : int, default=CASCADE_STAGES
        Most luts.
    threshold : float, default=0.2
        Confidence threshold, in ``[0, 0.5)``.
    random_state : int, default=0
    wiring_cache : dict or None, default=None
        The luts' greedy wirings by stage, ``k``, seed and examples left,
        shared by the cascades fitted on the same ``X`` and ``y`` (filled in
        here): cascades of the same ``k`` and other thresholds have the same
        first lut, chosen once (the greedy wiring is the costly part; the
        cascades are those fitted without it).
    interactions : bool or None, default=None
        Whether each lut's greedy wiring first looks for inputs that matter
        only together (:func:`lutlearn.core.training.greedy_wiring`); None:
        when there are at most :data:`CASCADE_INTERACTIONS_MAX_FEATURES`
        inputs.

    Returns
    -------
    LutCascade
    """
    from lutlearn.core import training

    X = np.asarray(X, np.uint8)
    y = np.asarray(y, np.uint8)
    if X.ndim != 2 or len(X) != len(y) or not len(y):
        raise ValueError(f"X must be 2-D with one row per output; got {X.shape} and {y.shape}")
    if np.any(X > 1) or np.any(y > 1):
        raise ValueError("fit_cascade takes 0/1 inputs and outputs")
    if not 1 <= k <= min(X.shape[1], 24) or n_stages < 1 or not 0 <= threshold < 0.5:
        raise ValueError(f"need 1 <= k <= min(n_features, 24), n_stages >= 1 and 0 <= threshold < 0.5; "
                         f"got k={k}, n_stages={n_stages}, threshold={threshold}")
    if interactions is None:
        interactions = X.shape[1] <= CASCADE_INTERACTIONS_MAX_FEATURES
    A = np.ascontiguousarray(X.T)
    left = np.arange(len(y))
    wires, confident, values = [], [], []
    for stage in range(n_stages):
        y_left = y[left]
        key = (stage, k, random_state, bool(interactions), hashlib.sha256(left.tobytes()).hexdigest())
        w = None if wiring_cache is None else wiring_cache.get(key)
        if w is None:
            A_left = np.ascontiguousarray(A[:, left])
            fold = training.example_folds(A_left, random_state)
            w = training.greedy_wiring(A_left, y_left, fold, None, np.random.default_rng(random_state + stage), 1,
                                       k, seed=random_state, interactions=interactions)[0]
            w = np.array(list(dict.fromkeys(w.tolist())), np.int32)  # a lut keeping m < k inputs repeats its last
            if wiring_cache is not None:
                wiring_cache[key] = w
        p = _patterns(X[left], w)
        n = np.bincount(p, minlength=1 << len(w))
        n1 = np.bincount(p, weights=y_left, minlength=1 << len(w)).astype(np.int64)
        freq = (n1 + 1) / (n + 2)
        conf = (n > 0) & ((freq <= threshold) | (freq >= 1 - threshold))
        wires.append(w)
        confident.append(conf)
        values.append((2 * n1 > n).astype(np.uint8))
        left = left[~conf[p]]
        if not len(left):
            break
    confident[-1] = np.ones_like(confident[-1])
    return LutCascade(wires, confident, values)


#: :func:`lutlearn.circuits.search.fit_circuit` searches a support for a care table (``care_support``) on tasks of at
#: most this many inputs: on more (adders of 256 and 512 inputs), choosing among them on the validation set
#: picked noise inputs and lost to the networks, at a higher cost.
CARE_SUPPORT_MAX_FEATURES = 256


@dataclass
class CareSupport:
    """The result of :func:`fit_care_support`: a care table over chosen inputs.

    Attributes
    ----------
    support : list of int
        The inputs the table reads, in the order they were chosen.
    aig : Aig
        The table synthesised from the training examples
        (:func:`lutlearn.circuits.dontcare.care_table_aig`), over all inputs.
    valid_accuracy : float
        Its validation accuracy (which chose the support: an optimistic estimate).
    history : list of (list of int, float)
        Every support tried that was the best of its size, with its validation accuracy.
    """

    support: list
    aig: object
    valid_accuracy: float
    history: list


def fit_care_support(X, y, X_valid, y_valid, max_support: int = 20, n_candidates: int = 8, start: int = 6,
                     patience: int = 3, random_state: int = 0, screen_rounds: int | None = 1,
                     n_finalists: int = 2) -> CareSupport:
    """Choose the inputs of a care table by forward selection on the validation accuracy of its circuit.

    A care table (:mod:`lutlearn.circuits.dontcare`) reads at most 20-odd inputs;
    on a wider task it needs a support, and the one that serves ``&ttopt``
    best is not the one a lut's own counts prefer (greedy wiring keeps 7-9
    inputs, and the don't-cares generalise from more). So: start from the
    first ``start`` inputs of a greedy-wired lut of 8 inputs
    (:func:`lutlearn.core.training.greedy_wiring`, which finds inputs that only
    matter together); then, until ``max_support`` inputs or ``patience``
    additions without a better validation accuracy, rank every other input
    by the two-fold cross-validated score of the lut reading the support and
    it (:func:`lutlearn.core.kernels.extension_scores`), synthesise the care
    table of each of the ``n_candidates`` best, and add the one whose
    circuit validates best (the first in rank on ties). The support kept is
    the prefix with the best validation accuracy (the shortest on ties).

    Synthesis is the cost (ABC's ``&ttopt``, which grows about twofold with
    every input), so the candidates of a step are screened first: each
    table synthesised with ``screen_rounds`` rounds of ``&ttopt``, and only
    the ``n_finalists`` that validate best synthesised with the full 20
    rounds, which decide (less than half the time of synthesising every
    candidate in full, on the generated suite; the documentation's
    performance page has the side-by-side figures).

    On the suite's dividers, square roots and adders of 24-128 inputs it
    chose 12-18 inputs (the operands' top bits) and validated 0.5-5 points
    above the best network (see the documentation's page on learning circuits from examples). As the
    validation set chooses among many supports, its accuracy is optimistic.

    Parameters
    ----------
    X, y : array-like
        0/1 training inputs and outputs.
    X_valid, y_valid : array-like
        0/1 validation inputs and outputs.
    max_support : int, default=20
        Most inputs (at most :data:`lutlearn.circuits.dontcare.MAX_INPUTS`).
    n_candidates : int, default=8
        Inputs whose care table is synthesised at each step.
    start : int, default=6
        Inputs taken from greedy wiring to start with.
    patience : int, default=3
        Additions without a better validation accuracy before stopping.
    random_state : int, default=0
        Seeds the greedy wiring and the folds.
    screen_rounds : int or None, default=1
        ``&ttopt`` rounds of the screening synthesis; None: no screening
        (every candidate synthesised in full: slower, and what earlier releases did).
    n_finalists : int, default=2
        Candidates of a step synthesised in full after screening.

    Returns
    -------
    CareSupport
    """
    from lutlearn.circuits.dontcare import MAX_INPUTS, care_table_aigs, distinct_rows
    from lutlearn.core import kernels, training

    X, X_valid = np.asarray(X, np.uint8), np.asarray(X_valid, np.uint8)
    y, y_valid = np.asarray(y, np.uint8), np.asarray(y_valid, np.uint8)
    n_in = X.shape[1]
    if not 1 <= max_support <= MAX_INPUTS or n_candidates < 1 or start < 1 or patience < 1 or n_finalists < 1:
        raise ValueError(f"need 1 <= max_support <= {MAX_INPUTS}, n_candidates, start, patience and n_finalists "
                         f">= 1; got {max_support}, {n_candidates}, {start}, {patience}, {n_finalists}")
    if screen_rounds is not None and screen_rounds < 0:
        raise ValueError(f"screen_rounds must be None or >= 0, got {screen_rounds}")
    A = np.ascontiguousarray(X.T)
    fold = training.example_folds(A, random_state)
    w = np.ones(len(y), np.int64)
    first = training.greedy_wiring(A, y, fold, None, np.random.default_rng(random_state), 1, min(8, n_in),
                                   seed=random_state)[0]
    support = list(dict.fromkeys(int(c) for c in first))[:min(start, max_support)]

    def validate(supports, rounds=20):  # every support's (support, circuit, validation accuracy), in one ABC run
        return [(s, aig, float(np.mean(aig.evaluate(X_valid)[:, 0] == y_valid)))
                for s, aig in zip(supports, care_table_aigs(X, y, supports, rounds))]

    best = validate([list(support)])[0]
    valid = best[2]
    history = [(list(support), valid)]
    since = 0
    scores = np.empty(n_in, np.float64)
    while len(support) < min(max_support, n_in) and since < patience:
        ids = np.ascontiguousarray(distinct_rows(X[:, support])[1])
        kernels.extension_scores(ids, int(ids.max()) + 1, A, y, fold, w, scores)
        scores[support] = -np.inf
        ranked = [int(c) for c in np.argsort(-scores, kind="stable")[:n_candidates] if np.isfinite(scores[c])]
        step = None
        supports = [support + [c] for c in ranked]
        if screen_rounds is not None and len(supports) > n_finalists:
            screened = validate(supports, screen_rounds)
            order = sorted(range(len(supports)), key=lambda i: -screened[i][2])[:n_finalists]
            supports = [supports[i] for i in sorted(order)]  # in rank order, so ties go to the higher rank
        for cand in validate(supports):
            if step is None or cand[2] > step[2]:  # the first in rank on ties
                step = cand
        support = step[0]
        history.append((list(support), step[2]))
        if step[2] > best[2]:
            best, since = step, 0
        else:
            since += 1
    return CareSupport(support=best[0], aig=best[1], valid_accuracy=best[2], history=history)


def _keep_top(top: list, key: tuple, cand, data: bytes) -> None:
    """Keep in ``top`` the 3 best (key, candidate, AIG bytes) by key, one per network (the better of its fills)."""
    net = (cand.k, cand.hidden_layers, cand.seed, cand.wiring)
    for i, (other, c, _) in enumerate(top):
        if (c.k, c.hidden_layers, c.seed, c.wiring) == net:
            if key > other:
                top[i] = (key, cand, data)
            break
    else:
        top.append((key, cand, data))
    top.sort(key=lambda t: t[0], reverse=True)
    del top[3:]


def majority_aig(aigs: list):
    """One AIG whose output is the majority of the single outputs of three AIGs over the same inputs.

    Parameters
    ----------
    aigs : list of three lutlearn.export.aiger.Aig

    Returns
    -------
    lutlearn.export.aiger.Aig
        The members' gates (structurally hashed together) and
        ``maj(a, b, c) = (a AND b) OR (c AND (a OR b))``.
    """
    from lutlearn.export.aiger import Aig

    if len(aigs) != 3 or any(len(a.outputs) != 1 for a in aigs) or len({a.n_inputs for a in aigs}) != 1:
        raise ValueError("majority_aig takes three single-output AIGs over the same inputs")
    out = Aig(aigs[0].n_inputs)
    outs = []
    for a in aigs:
        lits = list(range(2 * (a.n_inputs + 1)))  # literal in ``out`` of each literal of ``a``
        for x, y in a.ands:
            g = out.and_(lits[x], lits[y])
            lits += [g, g ^ 1]
        outs.append(lits[a.outputs[0]])
    a, b, c = outs
    out.outputs = [out.or_(out.and_(a, b), out.and_(c, out.or_(a, b)))]
    return out.cleanup()


def _network(k: int, hidden, seed: int, wiring: str, wiring_candidates):
    from lutlearn.core.estimator import LutNetworkClassifier

    return LutNetworkClassifier(k=k, hidden_layers=tuple(hidden), random_state=seed, n_jobs=1, wiring=wiring,
                                wiring_candidates=wiring_candidates)


def _fit_sharing_wiring(model, X, y, wirings: dict, widest: int):
    """``model`` (a greedy-wired ``LutNetworkClassifier``) fitted on ``X``, ``y`` with its first layer's wiring
    taken from ``wirings`` (by ``k``, seed and candidates), or chosen for ``widest`` luts and kept there."""
    from lutlearn.core.estimator import LutNetworkClassifier

    shared = _shared_wiring_classifier()(**model.get_params())
    shared._shared_wirings = (wirings, widest)
    shared.fit(X, y)
    del shared._shared_wirings
    shared.__class__ = LutNetworkClassifier  # the fitted model is a plain one (its class is saved in pipelines)
    return shared


@functools.cache
def _shared_wiring_classifier():
    """The ``LutNetworkClassifier`` whose first layer's greedy wiring comes from its ``_shared_wirings``
    ``(wirings, widest)`` (made on first use: the estimator imports scikit-learn)."""
    from lutlearn.core import training
    from lutlearn.core.estimator import LutNetworkClassifier

    class SharedWiringBackend(training.InMemoryBackend):
        """The first layer's greedy wiring chosen once for ``widest`` luts; a narrower layer takes its first rows."""

        def __init__(self, *args, wirings: dict, widest: int):
            super().__init__(*args)
            self.wirings, self.widest = wirings, widest

        def choose_wires(self, layer: int, n_luts: int, k: int, seed: int, n_candidates: int | None) -> np.ndarray:
            if layer != 1:
                return super().choose_wires(layer, n_luts, k, seed, n_candidates)
            key = (k, seed, n_candidates)
            wires = self.wirings.get(key)
            if wires is None or len(wires) < n_luts:
                wires = self.wirings[key] = super().choose_wires(layer, max(n_luts, self.widest), k, seed,
                                                                 n_candidates)
            else:  # the state the layers above read (the folds, drawn from the inputs whatever k): one 1-input lut
                super().choose_wires(layer, 1, 1, seed, n_candidates)
            return wires[:n_luts].copy()

    class SharedWiringClassifier(LutNetworkClassifier):
        def _in_memory_backend(self, *args):
            wirings, widest = self._shared_wirings
            return SharedWiringBackend(*args, wirings=wirings, widest=widest)

    return SharedWiringClassifier


def _clone_fitted(model):
    """A shallow copy of a fitted estimator, whose ``network_`` can be replaced without touching ``model``."""
    import copy

    return copy.copy(model)


def _aig_of(model):
    from lutlearn.export.aiger import Aig
    from lutlearn.export.netlist import LutNetlist

    return Aig.from_netlist(LutNetlist.from_model(model))
