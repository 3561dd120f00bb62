"""Learning a circuit under a gate budget: pick the lut network whose AIG fits and validates best.

This is the setting of the IWLS "learning from examples" contests: given
training and validation examples of a Boolean function, produce an AIG of at
most a given number of AND gates that generalises best. :func:`fit_circuit`
tries lut networks of several shapes (lut size ``k``, number of hidden
layers, their width), counts the AND gates of each one's exported AIG
(:mod:`lutlearn.export.aiger`; after ABC's optimisation when ABC is
installed and the raw count is over budget), and keeps the one with the
best validation accuracy among those within budget (fewest gates on ties).

Every candidate first gets :func:`fill_unseen`: the table entries of input
patterns that no training example showed a lut are free choices of the
learner (the paper breaks them at random), so they are chosen to make the
circuit small instead (``fill="small"``), or set to the majority of the
nearest seen patterns (``fill="neighbours"``; ``"both"`` makes two
candidates of each network). On MNIST 3 v/s 8 the small fill cuts the AND
gates of a network 2 to 5 times at about the same validation accuracy
(``benchmarks/bench_circuit_fill.py``), so deeper networks fit a budget.

Options beyond the shape grid: ``greedy_ks`` (large luts with greedy
wiring), ``full_table`` (one lut of all the inputs, when they are few),
``care_table`` (the truth table of all the inputs memorized, the unseen
patterns left as don't-cares to ABC's ``&ttopt``,
:mod:`lutlearn.circuits.dontcare`: on functions of 16 inputs it generalises
far better than any network, e.g. 0.84 against 0.54 test accuracy on the
middle bit of an 8-bit multiplier), ``care_support`` (the same over inputs
chosen by :func:`fit_care_support`, on wider tasks),
``cascades`` (decision lists of greedy-wired luts,
:func:`fit_cascade`), ``refit`` (the chosen network fitted again on training +
validation examples), ``ensemble`` (the majority of the three best networks
as one AIG, :func:`majority_aig`). A constant training output gives the
constant circuit; :attr:`CircuitSearch.summary` names a circuit that is a
constant or an input wire (:func:`describe_circuit`).
:data:`SEARCH_DEFAULTS` holds the settings ``lutlearn fit-circuit`` adds.

Every kind of candidate is a learner of :mod:`lutlearn.circuits.learners`
(:class:`~lutlearn.circuits.learners.CircuitLearner`, registered by name);
:func:`fit_circuit` is one loop over them that counts gates, validates,
keeps the best within the budget and refits the winner.

Search order: for every ``k`` and depth, widths grow from ``k`` by doubling
until the circuit no longer fits (more than the budget after ABC, or more
than :data:`RAW_SLACK` times the budget before it), as wider networks have
larger cones. A single ``k``-input lut reading the inputs directly (depth 0)
is always tried; with ``k = 1`` it costs no gate at all, so some circuit
always fits.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from lutlearn.circuits import boosting  # noqa: F401  (registers the boosted learner)
from lutlearn.circuits.learners import (
    CARE_SUPPORT_MAX_FEATURES,
    CASCADE_STAGES,
    CareSupport,
    CircuitLearner,
    Fitted,
    LutCascade,
    SearchTask,
    build_learners,
    fit_care_support,
    fit_cascade,
    majority_aig,
)
from lutlearn.core.inspection import fill_dont_cares, fill_unseen
from lutlearn.core.training import expecting_unseen_patterns

__all__ = [
    "CARE_SUPPORT_MAX_FEATURES", "CASCADE_STAGES", "Candidate", "CareSupport", "CircuitSearch", "LutCascade",
    "RAW_SLACK", "SEARCH_DEFAULTS", "describe_circuit", "fill_dont_cares", "fill_unseen", "fit_care_support",
    "fit_cascade", "fit_circuit", "majority_aig", "table_inputs",
]

#: Candidates whose raw AIG exceeds this many times the budget are not sent to ABC.
RAW_SLACK = 4.0

#: The search settings ``lutlearn fit-circuit`` (and ``benchmarks/bench_circuits.py``'s ``fit-circuit``
#: learner) add to :func:`fit_circuit`'s defaults, chosen by measurement (see the docs' circuits page).
SEARCH_DEFAULTS = {"wirings": ("random", "greedy"), "fill": "both", "greedy_ks": (10, 12), "refit": "table",
                   "cascades": ((8, 0.1), (10, 0.1), (8, 0.2), (10, 0.3)), "full_table": 16, "care_table": 20,
                   "care_support": 20, "boosted": (4, 6), "boosted_min_gain": 0.01, "grow_patience": 1}



@dataclass
class Candidate:
    """One network tried by :func:`fit_circuit`."""

    k: int
    hidden_layers: tuple
    seed: int
    train_accuracy: float
    valid_accuracy: float
    and_gates_raw: int
    and_gates: int | None  # after ABC when it ran, else the raw count; None: not measured
    fits: bool
    wiring: str = "random"  # "random", "greedy", "cascade", "table" (the care table) or "ensemble"
    fill: str = "small"  # how unseen patterns were filled: "small", "neighbours", "none", "dont-care" (table), "-"
    threshold: float | None = None  # a cascade's (``wiring="cascade"``) confidence threshold
    support: tuple | None = None  # the inputs a care table (``wiring="table"``) reads, None: all
    n_output_luts: int | None = None  # a boosted design's (``wiring="boosted"``) luts of ``k`` inputs
    #: Wall seconds of its fit (a fit that made several candidates counts once, for the first) and gate count;
    #: not compared (``==`` says whether two searches found the same candidates)
    seconds: float | None = field(default=None, compare=False)


@dataclass
class CircuitSearch:
    """The result of :func:`fit_circuit`.

    Attributes
    ----------
    model : LutNetworkClassifier or None
        The chosen network, fitted on ``trained_on``; None when the
        training outputs are constant (the circuit is that constant).
    best : Candidate
        Its search record.
    aig : bytes
        Its circuit as a binary AIGER file (ABC-optimised when ABC ran).
    and_gates : int
        AND gates of ``aig``.
    candidates : list of Candidate
        Every network tried, in order.
    abc : bool
        Whether ABC was used.
    trained_on : {"train", "train+valid"}
        The examples the returned circuit was fitted on (``best`` keeps the
        figures measured with the training set alone).
    summary : str or None
        ``"constant 0"``, ``"input x17"`` ... when the circuit is a constant
        or a single input wire (:func:`describe_circuit`), else None.
    members : list of Candidate or None
        The three networks whose majority the circuit is, when the
        ensemble won (``ensemble=True``); else None.
    seconds_by_learner : dict
        Wall seconds each learner spent: its candidates' ``seconds`` and
        its fits that proposed no candidate.
    """

    model: object
    best: Candidate
    aig: bytes
    and_gates: int
    candidates: list = field(default_factory=list)
    abc: bool = False
    trained_on: str = "train"
    summary: str | None = None
    members: list | None = None
    seconds_by_learner: dict = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict:
        """The search as plain JSON-able data (no model)."""
        return {
            "best": asdict(self.best),
            "and_gates": self.and_gates,
            "abc": self.abc,
            "trained_on": self.trained_on,
            "summary": self.summary,
            "members": None if self.members is None else [asdict(c) for c in self.members],
            "candidates": [asdict(c) for c in self.candidates],
            "seconds_by_learner": dict(self.seconds_by_learner),
        }

    def to_aiger(self, binary: bool = True) -> bytes:
        """The chosen circuit as an AIGER file: binary (``aig``, :attr:`aig` itself) or ASCII (``aag``).

        The ASCII file's comment names the chosen network (``k``, hidden
        layers, seed).
        """
        if binary:
            return self.aig
        from lutlearn.export.aiger import parse_aiger

        b = self.best
        if self.summary is not None:
            comment = f"lutlearn fit-circuit: the circuit is {self.summary}"
        elif self.members is not None:
            comment = "lutlearn fit-circuit: majority of " + "; ".join(
                f"k={c.k} hidden layers {list(c.hidden_layers)} seed {c.seed} wiring {c.wiring} fill {c.fill}"
                for c in self.members)
        elif b.wiring == "table":
            comment = (f"lutlearn fit-circuit: the truth table of {table_inputs(b)} memorized, unseen patterns "
                       f"don't-cares for ABC's &ttopt, trained on {self.trained_on}")
        elif b.wiring == "cascade":
            comment = (f"lutlearn fit-circuit: cascade of luts of at most k={b.k} inputs threshold {b.threshold}"
                       f" seed {b.seed}")
        elif b.wiring == "boosted":
            comment = (f"lutlearn fit-circuit: {b.n_output_luts} boosted luts of k={b.k} inputs seed {b.seed}, "
                       f"trained on {self.trained_on}")
        else:
            comment = (f"lutlearn fit-circuit: k={b.k} hidden layers {list(b.hidden_layers)} seed {b.seed}"
                       + ("" if b.wiring == "random" else f" wiring {b.wiring}")
                       + ("" if b.fill == "small" else f" fill {b.fill}")
                       + ("" if self.trained_on == "train" else f" trained on {self.trained_on}"))
        return parse_aiger(self.aig).to_bytes(binary=False, comment=comment)

    def to_record(self, config: dict, abc_script: str | None = None) -> dict:
        """The search with its provenance, as plain JSON-able data (what ``lutlearn fit-circuit --json`` writes).

        Parameters
        ----------
        config : dict
            The settings the search ran with (the command's options).
        abc_script : str or None, default=None
            The ABC commands the search ran (None: :data:`lutlearn.export.tools.ABC_SCRIPT`).

        Returns
        -------
        dict
            ``command``, ``config``, ``lutlearn_version``, ``date`` (UTC),
            ``abc_tool`` (ABC's path and script, or None when ABC was not
            used), then the entries of :meth:`to_dict`.
        """
        import datetime

        from lutlearn._version import __version__
        from lutlearn.export.tools import ABC_SCRIPT, find_abc

        return {
            "command": "fit-circuit",
            "config": config,
            "lutlearn_version": __version__,
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "abc_tool": {"path": find_abc(), "script": abc_script or ABC_SCRIPT} if self.abc else None,
            **self.to_dict(),
        }


def table_inputs(cand: Candidate) -> str:
    """The inputs of a care table candidate in words: ``the 16 inputs`` or ``12 chosen inputs (x0, x5, ...)``."""
    if cand.support is None:
        return f"the {cand.k} inputs"
    return f"{len(cand.support)} chosen inputs (" + ", ".join(f"x{c}" for c in cand.support) + ")"


def _abc_count(aig_bytes: bytes, tmpdir: str, script: str) -> tuple[int, bytes]:
    from lutlearn.export.tools import abc_optimize

    src = os.path.join(tmpdir, "in.aig")
    dst = os.path.join(tmpdir, "out.aig")
    with open(src, "wb") as fh:
        fh.write(aig_bytes)
    n = abc_optimize(src, dst, script)
    with open(dst, "rb") as fh:
        return n, fh.read()


def _abc_smaller(data: bytes, gates: int, tmpdir: str, script: str) -> tuple[bytes, int]:
    """``(data, gates)``, or ABC's optimisation of the AIGER file ``data`` when it has no more gates."""
    opt_gates, opt = _abc_count(data, tmpdir, script)
    return (opt, opt_gates) if opt_gates <= gates else (data, gates)


def describe_circuit(aig) -> str | None:
    """What a single-output AIG is when it is a constant or an input wire, else None.

    ``"constant 0"``, ``"constant 1"``, ``"input x17"`` or ``"NOT input
    x17"`` (inputs numbered from 0, as the PLA columns).

    Parameters
    ----------
    aig : lutlearn.export.aiger.Aig

    Returns
    -------
    str or None
    """
    if len(aig.outputs) != 1:
        return None
    lit = aig.outputs[0]
    var, neg = lit >> 1, lit & 1
    if var == 0:
        return f"constant {neg}"
    if var <= aig.n_inputs:
        return f"{'NOT ' if neg else ''}input x{var - 1}"
    return None


@expecting_unseen_patterns()  # the search tries luts as large as the inputs on purpose (the full tables)
def fit_circuit(
    X, y, X_valid, y_valid, max_and_gates: int, *, ks=(1, 2, 3, 4, 5, 6, 7, 8), depths=(0, 1, 2, 3),
    max_width: int = 512, n_seeds: int = 1, random_state: int = 0, use_abc: bool | None = None,
    abc_script: str | None = None, fill: bool | str = True, progress: bool | None = None,
    wirings=("random",), wiring_candidates: int | None = None, greedy_ks=(), refit: bool = False,
    ensemble: bool = False, cascades=(), full_table: int = 0, care_table: int = 0, care_support: int = 0,
    learners=None, **options,
) -> CircuitSearch:
    """Search lut networks for the best validation accuracy whose AIG has at most ``max_and_gates`` ANDs.

    Parameters
    ----------
    X, y : array-like
        Training examples (0/1 inputs, two classes; one class gives the
        constant circuit, with ``model`` None).
    X_valid, y_valid : array-like
        Validation examples, which choose the network.
    max_and_gates : int
        The budget of AND gates.
    ks : sequence of int, default=(1, ..., 8)
        Lut sizes tried (those above the number of inputs are skipped).
    depths : sequence of int, default=(0, 1, 2, 3)
        Numbers of hidden layers tried.
    max_width : int, default=512
        Widest hidden layer tried.
    n_seeds : int, default=1
        Wirings tried per shape (seeds ``random_state .. random_state + n_seeds - 1``).
    random_state : int, default=0
        First seed.
    use_abc : bool or None, default=None
        Count gates after ABC's optimisation (:data:`lutlearn.export.tools.ABC_SCRIPT`);
        None means when ABC is installed.
    abc_script : str or None, default=None
        ABC commands run on each AIG read (``;``-separated); None means
        :data:`lutlearn.export.tools.ABC_SCRIPT`.
    fill : bool or {"none", "small", "neighbours", "both"}, default=True
        The table entries of patterns unseen in training: ``"small"`` (or
        True) chooses them for a small circuit, ``"neighbours"`` sets them
        to the majority of the nearest seen patterns (:func:`fill_unseen`),
        ``"both"`` tries both on every network (one training, two
        candidates), ``"none"`` (or False) keeps the random tie-breaks.
    progress : bool or None, default=None
        Show a progress bar (None: when stderr is a terminal).
    wirings : sequence of {"random", "greedy"}, default=("random",)
        Wirings tried for every shape and seed (``LutNetworkClassifier``'s
        ``wiring``): the paper's random wiring, and/or chosen support.
    wiring_candidates : int or None, default=None
        ``LutNetworkClassifier``'s ``wiring_candidates`` for greedy wiring.
    greedy_ks : sequence of int, default=()
        Further lut sizes tried with greedy wiring only, with 0 or 1 hidden
        layer (large luts, such as 10 and 12, whose random-wired networks
        seldom fit a budget and whose deeper greedy networks cost time).
    refit : bool or "table", default=False
        Once the validation set has chosen a network, fit the same
        configuration (same seed) on training + validation examples and
        return that circuit when it fits the budget (``trained_on`` says
        which); the validation accuracy reported stays the one measured
        before the refit. ``"table"``: only when the care table won (it has
        no wiring to choose again, and more examples only add to its care
        set).
    ensemble : bool, default=False
        Also try the majority vote of the three best networks within the
        budget (one per network, as one AIG: :func:`majority_aig`), and
        return it when it fits and validates better than the best network
        (``best.wiring`` is then ``"ensemble"``, ``members`` the three, and
        ``model`` None).
    cascades : sequence of (int, float), default=()
        Also try, for each ``(k, threshold)``, the :func:`fit_cascade` of
        :data:`CASCADE_STAGES` luts of at most ``k`` inputs (seed
        ``random_state``) as one more candidate (``wiring`` ``"cascade"``,
        ``model`` None when it wins; ``refit`` does not apply to it).
    full_table : int, default=0
        When there are at most this many inputs, also try one lut reading
        all of them (no hidden layer): the whole truth table memorized, its
        unseen entries filled by ``fill`` (the small fill leaves them to the
        logic optimiser as don't-cares). 0: never.
    care_table : int, default=0
        When there are at most this many inputs (at most
        :data:`lutlearn.circuits.dontcare.MAX_INPUTS`) and ABC is used, also
        try the truth table of all of them memorized, every pattern no
        training example showed left as a don't-care for ABC's ``&ttopt``
        (:func:`lutlearn.circuits.dontcare.care_table_aig`; ``wiring``
        ``"table"``, ``fill`` ``"dont-care"``, ``model`` None when it
        wins). 0: never. About 8 s and 1 GB of memory at 20 inputs.
    care_support : int, default=0
        When there are more inputs than ``care_table`` but at most
        :data:`CARE_SUPPORT_MAX_FEATURES`, and ABC is used, also try a care
        table over at most this many inputs chosen by :func:`fit_care_support`
        (``support`` says which). 0: never. 5-15 s on the suite's tasks.
    learners : sequence of str or None, default=None
        The registered learners (:data:`lutlearn.circuits.learners.LEARNERS`)
        the search may run; None: all of them. Each runs when the options
        it reads enable it (the networks always).
    **options
        Options of further registered learners (each learner names those it
        reads in its ``options``): ``grow_patience`` (the networks: widths
        in a row that did not raise a family's best validation accuracy
        before it stops widening; default 0, never), ``boosted`` and
        ``boosted_min_gain`` (:class:`lutlearn.circuits.boosting.BoostedLearner`).

    Returns
    -------
    CircuitSearch
    """
    from tqdm.auto import tqdm

    if max_and_gates < 0:
        raise ValueError(f"max_and_gates must be >= 0, got {max_and_gates}")
    chosen = build_learners({
        **options, "ks": ks, "depths": depths, "max_width": max_width, "n_seeds": n_seeds,
        "random_state": random_state, "fill": fill, "wirings": wirings, "wiring_candidates": wiring_candidates,
        "greedy_ks": greedy_ks, "ensemble": ensemble, "cascades": cascades, "full_table": full_table,
        "care_table": care_table, "care_support": care_support,
    }, learners)
    if refit not in (False, True, "table"):
        raise ValueError(f"refit must be False, True or 'table'; got {refit!r}")
    use_abc, abc_script = _abc_settings(use_abc, abc_script)
    task = SearchTask.from_arrays(X, y, X_valid, y_valid, use_abc)
    if len(task.y) and np.all(task.y == task.y[0]):
        return _constant_search(task.X, task.y, task.y_valid, random_state, use_abc)
    disable = None if progress is None else not progress  # None: only on a terminal
    with (
        tempfile.TemporaryDirectory() as tmp,
        tqdm(total=0, disable=disable, desc="fit-circuit", unit="net") as bar,
    ):
        search = _Search(task, chosen, max_and_gates, use_abc, abc_script, tmp, bar)
        for learner in chosen:
            search.run(learner)
        return search.result(refit)


def _abc_settings(use_abc: bool | None, abc_script: str | None) -> tuple[bool, str]:
    """Whether the search uses ABC (None: when it is installed) and its script (None: the default)."""
    from lutlearn.export.tools import ABC_SCRIPT, ToolNotFoundError, find_abc

    abc_script = abc_script or ABC_SCRIPT
    if use_abc is None:
        use_abc = find_abc() is not None
    elif use_abc and find_abc() is None:
        raise ToolNotFoundError("ABC is not installed (Debian package 'berkeley-abc')")
    return use_abc, abc_script


@dataclass
class _Best:
    """The best candidate within budget so far: its record, circuit, learner, file and gate count."""

    candidate: Candidate
    fitted: Fitted
    learner: CircuitLearner
    data: bytes  # the circuit's AIGER file (ABC's when it ran)
    gates: int
    optimised: bool  # whether ``data`` is ABC's


class _Search:
    """One run of :func:`fit_circuit`: the table of candidates, the best within budget, the gate counting.

    Every learner's circuits go through :meth:`evaluate`, which counts
    gates once (ABC only when over budget, within :data:`RAW_SLACK` and
    better on validation than the best so far), records the candidate and
    keeps the best (fewest gates on ties; the first on full ties).
    """

    def __init__(self, task: SearchTask, learners: list, max_and_gates: int, use_abc: bool, abc_script: str,
                 tmpdir: str, bar):
        self.task, self.learners, self.budget = task, learners, max_and_gates
        self.use_abc, self.abc_script, self.tmpdir, self.bar = use_abc, abc_script, tmpdir, bar
        self.candidates: list[Candidate] = []
        self.best: _Best | None = None
        self.seconds: dict[str, float] = {}  # every learner's seconds: its candidates' and fits that proposed none

    def count(self, aig, valid: float) -> tuple[int | None, bytes | None]:
        """Gates of ``aig`` (after ABC when it is over budget and may fit) and ABC's file, if run."""
        raw = aig.n_ands
        if raw <= self.budget:
            return raw, None
        if self.use_abc and raw <= RAW_SLACK * self.budget and (
                self.best is None or valid > self.best.candidate.valid_accuracy):
            return _abc_count(aig.to_bytes(), self.tmpdir, self.abc_script)
        return None, None

    def run(self, learner: CircuitLearner) -> None:
        """Fit and evaluate every configuration ``learner`` proposes, family by family.

        A family's later (larger) steps are skipped once a step's circuit is
        over the budget (or over :data:`RAW_SLACK` times it before ABC), and,
        for a learner with a positive ``grow_patience``, once that many steps
        in a row have not raised the family's best validation accuracy.
        """
        families = learner.configurations(self.task, self.budget, self.candidates)
        self.bar.total += sum(len(step) for family in families for step in family)
        self.bar.refresh()
        for family in families:
            family_best, since = None, 0
            for i, step in enumerate(family):
                stop, valid = False, []
                for config in step:
                    self.bar.update(1)
                    t0 = time.perf_counter()
                    for fitted in learner.fit(config, self.task):
                        stop |= self.evaluate(learner, fitted, t0)
                        valid.append(fitted.valid_accuracy)
                        t0 = time.perf_counter()
                    # a fit that proposed nothing (or work after its last candidate) still cost the learner time
                    self.seconds[learner.name] = self.seconds.get(learner.name, 0.0) + time.perf_counter() - t0
                self.bar.set_postfix(best=f"{self.best.candidate.valid_accuracy:.4f}" if self.best else "-")
                if valid:
                    if family_best is None or max(valid) > family_best:
                        family_best, since = max(valid), 0
                    else:
                        since += 1
                if stop or 0 < learner.grow_patience <= since:  # wider networks of this k and depth only grow
                    self.bar.update(sum(len(s) for s in family[i + 1:]))
                    break

    def evaluate(self, learner: CircuitLearner, fitted: Fitted, t0: float) -> bool:
        """Count, record and maybe keep one circuit (made since ``t0``, a ``time.perf_counter()``); whether it
        overflows the budget (ends its family)."""
        gates, data = self.count(fitted.aig, fitted.valid_accuracy)
        fits = gates is not None and gates <= self.budget
        seconds = round(time.perf_counter() - t0, 4)
        self.seconds[learner.name] = self.seconds.get(learner.name, 0.0) + seconds
        cand = Candidate(**fitted.figures(), and_gates_raw=fitted.aig.n_ands, and_gates=gates, fits=fits,
                         seconds=seconds)
        best = self.best
        if learner.challenger:  # recorded only when it beats the best
            if fits and best is not None and cand.valid_accuracy > best.candidate.valid_accuracy:
                self.candidates.append(cand)
                self.best = _Best(cand, fitted, learner, data or fitted.aig.to_bytes(), gates, data is not None)
            return False
        self.candidates.append(cand)
        for other in self.learners:
            other.observe(len(self.candidates), cand, fitted.aig, data)
        if fits and (best is None or cand.valid_accuracy > best.candidate.valid_accuracy
                     or (cand.valid_accuracy == best.candidate.valid_accuracy and gates < best.gates)):
            self.best = _Best(cand, fitted, learner, data or fitted.aig.to_bytes(), gates, data is not None)
        return fitted.aig.n_ands > RAW_SLACK * self.budget or (gates is not None and not fits)

    def result(self, refit: bool | str) -> CircuitSearch:
        """The winner, refitted on training + validation examples when ``refit`` and its learner allow it,
        and optimised by ABC when it was not yet."""
        if self.best is None:
            raise ValueError(
                f"no network tried fits in {self.budget} AND gates; allow more gates or include k=1"
            )
        b = self.best
        model, data, gates, optimised, trained_on = b.fitted.model, b.data, b.gates, b.optimised, "train"
        if refit and (b.learner.refit_when == "table" or (refit is True and b.learner.refit_when == "all")):
            aig2, m2 = b.learner.refit(b.fitted, self.task)
            gates2, data2 = aig2.n_ands, None
            if gates2 > self.budget and self.use_abc and gates2 <= RAW_SLACK * self.budget:
                gates2, data2 = _abc_count(aig2.to_bytes(), self.tmpdir, self.abc_script)
            if gates2 is not None and gates2 <= self.budget:
                model, data, gates, trained_on = m2, data2 or aig2.to_bytes(), gates2, "train+valid"
                optimised = data2 is not None
        if self.use_abc and not optimised:
            # the winner fit before ABC: still hand over the optimised circuit
            data, gates = _abc_smaller(data, gates, self.tmpdir, self.abc_script)
        return CircuitSearch(model=model, best=b.candidate, aig=data, and_gates=gates, candidates=self.candidates,
                             abc=self.use_abc, trained_on=trained_on, summary=describe_circuit(_parse(data)),
                             members=b.fitted.members,
                             seconds_by_learner={k: round(v, 3) for k, v in self.seconds.items()})


def _parse(data: bytes):
    from lutlearn.export.aiger import parse_aiger

    return parse_aiger(data)


def _constant_search(X, y, y_valid, seed: int, use_abc: bool) -> CircuitSearch:
    """The search result when every training example has the same output: the constant circuit."""
    from lutlearn.export.aiger import Aig

    value = y[0]
    if value not in (0, 1):
        raise ValueError(f"every training example has output {value!r}; a constant circuit needs it to be 0 or 1")
    aig = Aig(X.shape[1])
    aig.outputs = [int(value)]
    valid = float(np.mean(y_valid == value)) if len(y_valid) else 0.0
    cand = Candidate(k=0, hidden_layers=(), seed=seed, train_accuracy=1.0, valid_accuracy=valid, and_gates_raw=0,
                     and_gates=0, fits=True, wiring="none", fill="none")
    return CircuitSearch(model=None, best=cand, aig=aig.to_bytes(), and_gates=0, candidates=[cand], abc=use_abc,
                         trained_on="train", summary=f"constant {int(value)}")
