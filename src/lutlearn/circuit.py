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
:mod:`lutlearn.export.dontcare`: on functions of 16 inputs it generalises
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
from dataclasses import asdict, dataclass, field

import numpy as np

from lutlearn.inspection import fill_dont_cares, fill_unseen

__all__ = [
    "CARE_SUPPORT_MAX_FEATURES", "CASCADE_STAGES", "Candidate", "CareSupport", "CircuitSearch", "LutCascade",
    "RAW_SLACK", "SEARCH_DEFAULTS", "describe_circuit", "fill_dont_cares", "fill_unseen", "fit_care_support",
    "fit_cascade", "fit_circuit", "majority_aig", "table_inputs",
]

#: Candidates whose raw AIG exceeds this many times the budget are not sent to ABC.
RAW_SLACK = 4.0

#: The search settings ``lutlearn fit-circuit`` (and ``benchmarks/bench_circuits.py``'s ``fit-circuit``
#: learner) add to :func:`fit_circuit`'s defaults, chosen by measurement (see the README's circuits section).
SEARCH_DEFAULTS = {"wirings": ("random", "greedy"), "fill": "both", "greedy_ks": (10, 12), "refit": "table",
                   "cascades": ((8, 0.1), (10, 0.1), (8, 0.2), (10, 0.3)), "full_table": 16, "care_table": 20,
                   "care_support": 20}

#: Luts of a cascade tried by :func:`fit_circuit` (its last one decides every example left).
CASCADE_STAGES = 8


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


def _shapes(n_features: int, ks, depths, max_width: int):
    """(k, depth, widths generator) in search order."""
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


def _abc_count(aig_bytes: bytes, tmpdir: str, script: str) -> tuple[int, bytes]:
    from lutlearn.export.tools import abc_optimize

    src = os.path.join(tmpdir, "in.aig")
    dst = os.path.join(tmpdir, "out.aig")
    with open(src, "wb") as fh:
        fh.write(aig_bytes)
    n = abc_optimize(src, dst, script)
    with open(dst, "rb") as fh:
        return n, fh.read()


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


def fit_circuit(
    X, y, X_valid, y_valid, max_and_gates: int, *, ks=(1, 2, 3, 4, 5, 6, 7, 8), depths=(0, 1, 2, 3),
    max_width: int = 512, n_seeds: int = 1, random_state: int = 0, use_abc: bool | None = None,
    abc_script: str | None = None, fill: bool | str = True, progress: bool | None = None,
    wirings=("random",), wiring_candidates: int | None = None, greedy_ks=(), refit: bool = False,
    ensemble: bool = False, cascades=(), full_table: int = 0, care_table: int = 0, care_support: int = 0,
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
        :data:`lutlearn.export.dontcare.MAX_INPUTS`) and ABC is used, also
        try the truth table of all of them memorized, every pattern no
        training example showed left as a don't-care for ABC's ``&ttopt``
        (:func:`lutlearn.export.dontcare.care_table_aig`; ``wiring``
        ``"table"``, ``fill`` ``"dont-care"``, ``model`` None when it
        wins). 0: never. About 8 s and 1 GB of memory at 20 inputs.
    care_support : int, default=0
        When there are more inputs than ``care_table`` but at most
        :data:`CARE_SUPPORT_MAX_FEATURES`, and ABC is used, also try a care
        table over at most this many inputs chosen by :func:`fit_care_support`
        (``support`` says which). 0: never. 5-15 s on the suite's tasks.

    Returns
    -------
    CircuitSearch
    """
    from tqdm.auto import tqdm

    from lutlearn.export.tools import ToolNotFoundError, abc_has_command, find_abc

    if max_and_gates < 0:
        raise ValueError(f"max_and_gates must be >= 0, got {max_and_gates}")
    if n_seeds < 1:
        raise ValueError(f"n_seeds must be >= 1, got {n_seeds}")
    wirings = tuple(wirings)
    if not wirings or any(w not in ("random", "greedy") for w in wirings):
        raise ValueError(f"wirings must be a non-empty sequence of 'random' and 'greedy'; got {wirings!r}")
    fills = _fills(fill)
    from lutlearn.export.tools import ABC_SCRIPT

    abc_script = abc_script or ABC_SCRIPT
    if use_abc is None:
        use_abc = find_abc() is not None
    elif use_abc and find_abc() is None:
        raise ToolNotFoundError("ABC is not installed (Debian package 'berkeley-abc')")
    X, X_valid = np.asarray(X), np.asarray(X_valid)
    y, y_valid = np.asarray(y), np.asarray(y_valid)
    if X.ndim != 2 or X_valid.ndim != 2 or X.shape[1] != X_valid.shape[1]:
        raise ValueError(
            f"training and validation inputs must be 2-D with the same width; got {X.shape}, {X_valid.shape}"
        )
    if len(y) and np.all(y == y[0]):
        return _constant_search(X, y, y_valid, random_state, use_abc)
    if refit not in (False, True, "table"):
        raise ValueError(f"refit must be False, True or 'table'; got {refit!r}")
    from lutlearn.export.dontcare import MAX_INPUTS, care_table_aig

    if not 0 <= care_table <= MAX_INPUTS:
        raise ValueError(f"care_table must be between 0 and {MAX_INPUTS}, got {care_table}")
    if not 0 <= care_support <= MAX_INPUTS:
        raise ValueError(f"care_support must be between 0 and {MAX_INPUTS}, got {care_support}")
    care = use_abc and 0 < X.shape[1] <= care_table
    care_sub = use_abc and care_support > 0 and max(care_table, 0) < X.shape[1] <= CARE_SUPPORT_MAX_FEATURES
    if (care or care_sub) and not abc_has_command("&ttopt"):
        import warnings

        warnings.warn("this ABC has no &ttopt (it came in 2022): the search goes on without the care table",
                      RuntimeWarning, stacklevel=2)
        care = care_sub = False
    cascades = [(int(k), float(t)) for k, t in cascades]
    for k, t in cascades:
        if not 1 <= k <= 24 or not 0 <= t < 0.5:
            raise ValueError(f"cascades are (k, threshold) with 1 <= k <= 24 and 0 <= threshold < 0.5; got {(k, t)}")
    classes = np.unique(y)
    plan = [(k, d, w, wirings) for k, d, w in _shapes(X.shape[1], ks, depths, max_width)]
    if "greedy" in wirings:
        plan += [(k, d, w, ("greedy",)) for k, d, w in _shapes(X.shape[1], [g for g in greedy_ks if g not in ks],
                                                                 [d for d in depths if d <= 1], max_width)]
    n_in = X.shape[1]
    if 0 < n_in <= full_table and not any(k == n_in and d == 0 and "random" in wi for k, d, _, wi in plan):
        plan.append((n_in, 0, [()], ("random",)))  # every input in one lut: the truth table
    total = sum(len(w) * n_seeds * len(wi) for _, _, w, wi in plan) + len(cascades) + care + care_sub
    candidates: list[Candidate] = []
    best: tuple | None = None  # (candidate, model, aig bytes, gates, optimised by ABC)
    top: list = []  # the 3 best networks within budget, for the ensemble
    disable = None if progress is None else not progress  # None: only on a terminal
    with (
        tempfile.TemporaryDirectory() as tmp,
        tqdm(total=total, disable=disable, desc="fit-circuit", unit="net") as bar,
    ):
        def measure(model, Xf, yf, rules):
            """(rule, model, aig) of each fill rule of a network fitted on ``Xf``, ``yf``."""
            out = []
            for rule in rules:
                m = model
                if rule != "none":
                    m = _clone_fitted(model)
                    m.network_ = fill_unseen(model.network_, Xf, model.n_jobs, rule=rule,
                                             y=np.searchsorted(model.classes_, yf))
                aig = _aig_of(m)
                out.append((rule, m, aig))
            return out

        def count(aig, valid):
            """Gates of ``aig`` (after ABC when it is over budget and may fit) and ABC's file, if run."""
            raw = aig.n_ands
            if raw <= max_and_gates:
                return raw, None
            if use_abc and raw <= RAW_SLACK * max_and_gates and (best is None or valid > best[0].valid_accuracy):
                gates, data = _abc_count(aig.to_bytes(), tmp, abc_script)
                return gates, data
            return None, None

        def consider(cand, m, aig, data, gates, fits):
            """Record ``cand`` (model ``m``, circuit ``aig``, ABC's file ``data``); the new best."""
            candidates.append(cand)
            if fits and ensemble:
                _keep_top(top, (cand.valid_accuracy, -gates, len(candidates)), cand, data or aig.to_bytes())
            if fits and (best is None or cand.valid_accuracy > best[0].valid_accuracy
                         or (cand.valid_accuracy == best[0].valid_accuracy and gates < best[3])):
                return (cand, m, data or aig.to_bytes(), gates, data is not None)
            return best

        for k, _depth, widths, shape_wirings in plan:
            n_tries = n_seeds * len(shape_wirings)
            for hidden in widths:
                stop = False
                for seed, wiring in ((s, w) for s in range(random_state, random_state + n_seeds)
                                     for w in shape_wirings):
                    bar.update(1)
                    model = _network(k, hidden, seed, wiring, wiring_candidates).fit(X, y)
                    train = float(model.score(X, y))
                    for rule, m, aig in measure(model, X, y, fills):
                        valid = float(m.score(X_valid, y_valid))
                        raw = aig.n_ands
                        gates, data = count(aig, valid)
                        fits = gates is not None and gates <= max_and_gates
                        cand = Candidate(
                            k=k, hidden_layers=tuple(hidden), seed=seed, train_accuracy=train,
                            valid_accuracy=valid, and_gates_raw=raw, and_gates=gates, fits=fits, wiring=wiring,
                            fill=rule,
                        )
                        best = consider(cand, m, aig, data, gates, fits)
                        if raw > RAW_SLACK * max_and_gates or (gates is not None and not fits):
                            stop = True
                bar.set_postfix(best=f"{best[0].valid_accuracy:.4f}" if best else "-")
                if stop:  # wider networks of this k and depth only grow
                    bar.update(n_tries * (len(widths) - widths.index(hidden) - 1))
                    break
        y_index, y_valid_index = np.searchsorted(classes, y), np.searchsorted(classes, y_valid)
        for k, threshold in cascades:
            bar.update(1)
            if k > X.shape[1]:
                continue
            cascade = fit_cascade(X, y_index, k, CASCADE_STAGES, threshold, random_state)
            aig = cascade.to_aig(X.shape[1])
            valid = float(np.mean(cascade.predict(X_valid) == y_valid_index))
            gates, data = count(aig, valid)
            fits = gates is not None and gates <= max_and_gates
            cand = Candidate(k=k, hidden_layers=(), seed=random_state,
                             train_accuracy=float(np.mean(cascade.predict(X) == y_index)), valid_accuracy=valid,
                             and_gates_raw=aig.n_ands, and_gates=gates, fits=fits, wiring="cascade", fill="-",
                             threshold=threshold)
            best = consider(cand, None, aig, data, gates, fits)
        if care or care_sub:
            bar.update(1)
            if care:
                aig, support = care_table_aig(X, y_index), None
                valid = float(np.mean(aig.evaluate(X_valid)[:, 0] == y_valid_index))
            else:
                found = fit_care_support(X, y_index, X_valid, y_valid_index, max_support=care_support,
                                         random_state=random_state)
                aig, support, valid = found.aig, tuple(found.support), found.valid_accuracy
            gates, data = count(aig, valid)
            fits = gates is not None and gates <= max_and_gates
            cand = Candidate(k=X.shape[1] if support is None else len(support), hidden_layers=(), seed=random_state,
                             train_accuracy=float(np.mean(aig.evaluate(X)[:, 0] == y_index)), valid_accuracy=valid,
                             and_gates_raw=aig.n_ands, and_gates=gates, fits=fits, wiring="table", fill="dont-care",
                             support=support)
            best = consider(cand, None, aig, data, gates, fits)
        if best is None:
            raise ValueError(
                f"no network tried fits in {max_and_gates} AND gates; allow more gates or include k=1"
            )
        cand, model, data, gates, optimised = best
        trained_on = "train"
        members = None
        if ensemble and len(top) == 3:
            vote = majority_aig([_parse(d) for *_, d in top])
            vote_valid = float(np.mean(vote.evaluate(X_valid)[:, 0] == y_valid_index))
            vote_gates, vote_data = count(vote, vote_valid)
            if vote_gates is not None and vote_gates <= max_and_gates and vote_valid > cand.valid_accuracy:
                members = [c for _, c, _ in top]
                cand = Candidate(k=max(c.k for c in members), hidden_layers=(), seed=members[0].seed,
                                 train_accuracy=float(np.mean(vote.evaluate(X)[:, 0] == y_index)),
                                 valid_accuracy=vote_valid, and_gates_raw=vote.n_ands, and_gates=vote_gates,
                                 fits=True, wiring="ensemble", fill="-")
                candidates.append(cand)
                model, data, gates, optimised = None, vote_data or vote.to_bytes(), vote_gates, vote_data is not None
        if refit and members is None and (cand.wiring == "table" or (refit is True and cand.wiring != "cascade")):
            X_all = np.concatenate([X, X_valid])
            if cand.wiring == "table":  # the care table of all the examples, over the same inputs
                m2 = None
                aig2 = care_table_aig(X_all, np.concatenate([y_index, y_valid_index]), support=cand.support)
            else:  # the same network (same seed) fitted on all the examples
                y_all = np.concatenate([y, y_valid])
                full = _network(cand.k, cand.hidden_layers, cand.seed, cand.wiring, wiring_candidates).fit(X_all, y_all)
                _, m2, aig2 = measure(full, X_all, y_all, (cand.fill,))[0]
            gates2, data2 = aig2.n_ands, None
            if gates2 > max_and_gates and use_abc and gates2 <= RAW_SLACK * max_and_gates:
                gates2, data2 = _abc_count(aig2.to_bytes(), tmp, abc_script)
            if gates2 is not None and gates2 <= max_and_gates:
                model, data, gates, trained_on = m2, data2 or aig2.to_bytes(), gates2, "train+valid"
                optimised = data2 is not None
        if use_abc and not optimised:
            # the winner fit before ABC: still hand over the optimised circuit
            opt_gates, opt = _abc_count(data, tmp, abc_script)
            if opt_gates <= gates:
                data, gates = opt, opt_gates
    return CircuitSearch(model=model, best=cand, aig=data, and_gates=gates, candidates=candidates, abc=use_abc,
                         trained_on=trained_on, summary=describe_circuit(_parse(data)), members=members)


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
                random_state: int = 0) -> LutCascade:
    """Learn a :class:`LutCascade` by counting: each lut memorizes what the luts before it were unsure of.

    Lut ``i`` is chosen by greedy wiring (:func:`lutlearn.training.greedy_wiring`,
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
    single lut or a network stays below 0.99 (see the README's circuits section).

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

    Returns
    -------
    LutCascade
    """
    from lutlearn import training

    X = np.asarray(X, np.uint8)
    y = np.asarray(y, np.uint8)
    if X.ndim != 2 or len(X) != len(y) or not len(y):
        raise ValueError(f"X must be 2-D with one row per output; got {X.shape} and {y.shape}")
    if np.any(X > 1) or np.any(y > 1):
        raise ValueError("fit_cascade takes 0/1 inputs and outputs")
    if not 1 <= k <= min(X.shape[1], 24) or n_stages < 1 or not 0 <= threshold < 0.5:
        raise ValueError(f"need 1 <= k <= min(n_features, 24), n_stages >= 1 and 0 <= threshold < 0.5; "
                         f"got k={k}, n_stages={n_stages}, threshold={threshold}")
    A = np.ascontiguousarray(X.T)
    left = np.arange(len(y))
    wires, confident, values = [], [], []
    for stage in range(n_stages):
        A_left, y_left = np.ascontiguousarray(A[:, left]), y[left]
        fold = training.example_folds(A_left, random_state)
        w = training.greedy_wiring(A_left, y_left, fold, None, np.random.default_rng(random_state + stage), 1, k,
                                   seed=random_state)[0]
        w = np.array(list(dict.fromkeys(w.tolist())), np.int32)  # a lut keeping m < k inputs repeats its last
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


#: :func:`fit_circuit` searches a support for a care table (``care_support``) on tasks of at most this many
#: inputs: on more (adders of 256 and 512 inputs), choosing among them on the validation set picked noise inputs
#: and lost to the networks, at a higher cost.
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
        (:func:`lutlearn.export.dontcare.care_table_aig`), over all inputs.
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
                     patience: int = 3, random_state: int = 0) -> CareSupport:
    """Choose the inputs of a care table by forward selection on the validation accuracy of its circuit.

    A care table (:mod:`lutlearn.export.dontcare`) reads at most 20-odd inputs;
    on a wider task it needs a support, and the one that serves ``&ttopt``
    best is not the one a lut's own counts prefer (greedy wiring keeps 7-9
    inputs, and the don't-cares generalise from more). So: start from the
    first ``start`` inputs of a greedy-wired lut of 8 inputs
    (:func:`lutlearn.training.greedy_wiring`, which finds inputs that only
    matter together); then, until ``max_support`` inputs or ``patience``
    additions without a better validation accuracy, rank every other input
    by the two-fold cross-validated score of the lut reading the support and
    it (:func:`lutlearn.kernels.extension_scores`), synthesise the care
    table of each of the ``n_candidates`` best, and add the one whose
    circuit validates best (the first in rank on ties). The support kept is
    the prefix with the best validation accuracy (the shortest on ties).

    On the suite's dividers, square roots and adders of 24-128 inputs it
    chose 12-18 inputs (the operands' top bits) and validated 0.5-5 points
    above the best network (see the README's circuits section). As the
    validation set chooses among many supports, its accuracy is optimistic.

    Parameters
    ----------
    X, y : array-like
        0/1 training inputs and outputs.
    X_valid, y_valid : array-like
        0/1 validation inputs and outputs.
    max_support : int, default=20
        Most inputs (at most :data:`lutlearn.export.dontcare.MAX_INPUTS`).
    n_candidates : int, default=8
        Inputs whose care table is synthesised at each step.
    start : int, default=6
        Inputs taken from greedy wiring to start with.
    patience : int, default=3
        Additions without a better validation accuracy before stopping.
    random_state : int, default=0
        Seeds the greedy wiring and the folds.

    Returns
    -------
    CareSupport
    """
    from lutlearn import kernels, training
    from lutlearn.export.dontcare import MAX_INPUTS, care_table_aig

    X, X_valid = np.asarray(X, np.uint8), np.asarray(X_valid, np.uint8)
    y, y_valid = np.asarray(y, np.uint8), np.asarray(y_valid, np.uint8)
    n_in = X.shape[1]
    if not 1 <= max_support <= MAX_INPUTS or n_candidates < 1 or start < 1 or patience < 1:
        raise ValueError(f"need 1 <= max_support <= {MAX_INPUTS}, n_candidates, start and patience >= 1; got "
                         f"{max_support}, {n_candidates}, {start}, {patience}")
    A = np.ascontiguousarray(X.T)
    fold = training.example_folds(A, random_state)
    w = np.ones(len(y), np.int64)
    first = training.greedy_wiring(A, y, fold, None, np.random.default_rng(random_state), 1, min(8, n_in),
                                   seed=random_state)[0]
    support = list(dict.fromkeys(int(c) for c in first))[:min(start, max_support)]

    def validate(s):
        aig = care_table_aig(X, y, support=s)
        return aig, float(np.mean(aig.evaluate(X_valid)[:, 0] == y_valid))

    aig, valid = validate(support)
    best = (list(support), aig, valid)
    history = [(list(support), valid)]
    since = 0
    scores = np.empty(n_in, np.float64)
    while len(support) < min(max_support, n_in) and since < patience:
        _, ids = np.unique(X[:, support], axis=0, return_inverse=True)
        ids = np.ascontiguousarray(ids.ravel(), dtype=np.int64)
        kernels.extension_scores(ids, int(ids.max()) + 1, A, y, fold, w, scores)
        scores[support] = -np.inf
        ranked = [int(c) for c in np.argsort(-scores, kind="stable")[:n_candidates] if np.isfinite(scores[c])]
        step = None
        for c in ranked:
            aig, valid = validate(support + [c])
            if step is None or valid > step[2]:
                step = (support + [c], aig, valid)
        support = step[0]
        history.append((list(support), step[2]))
        if step[2] > best[2]:
            best, since = step, 0
        else:
            since += 1
    return CareSupport(support=best[0], aig=best[1], valid_accuracy=best[2], history=history)


def _keep_top(top: list, key: tuple, cand: Candidate, data: bytes) -> None:
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
    from lutlearn.estimator import LutNetworkClassifier

    return LutNetworkClassifier(k=k, hidden_layers=tuple(hidden), random_state=seed, n_jobs=1, wiring=wiring,
                                wiring_candidates=wiring_candidates)


def _clone_fitted(model):
    """A shallow copy of a fitted estimator, whose ``network_`` can be replaced without touching ``model``."""
    import copy

    return copy.copy(model)


def _aig_of(model):
    from lutlearn.export.aiger import Aig
    from lutlearn.export.netlist import LutNetlist

    return Aig.from_netlist(LutNetlist.from_model(model))


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
