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
circuit small instead. On MNIST 3 v/s 8 this cuts the AND gates of a
network 2 to 5 times at about the same validation accuracy
(``benchmarks/bench_circuit_fill.py``), so deeper networks fit a budget.

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
    "Candidate", "CircuitSearch", "RAW_SLACK", "fill_dont_cares", "fill_unseen", "fit_circuit",
]

#: Candidates whose raw AIG exceeds this many times the budget are not sent to ABC.
RAW_SLACK = 4.0


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
    wiring: str = "random"


@dataclass
class CircuitSearch:
    """The result of :func:`fit_circuit`.

    Attributes
    ----------
    model : LutNetworkClassifier
        The chosen network, fitted on the training set.
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
    """

    model: object
    best: Candidate
    aig: bytes
    and_gates: int
    candidates: list = field(default_factory=list)
    abc: bool = False

    def to_dict(self) -> dict:
        """The search as plain JSON-able data (no model)."""
        return {
            "best": asdict(self.best),
            "and_gates": self.and_gates,
            "abc": self.abc,
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
        comment = (f"lutlearn fit-circuit: k={b.k} hidden layers {list(b.hidden_layers)} seed {b.seed}"
                   + ("" if b.wiring == "random" else f" wiring {b.wiring}"))
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


def fit_circuit(
    X, y, X_valid, y_valid, max_and_gates: int, *, ks=(1, 2, 3, 4, 5, 6, 7, 8), depths=(0, 1, 2, 3),
    max_width: int = 512, n_seeds: int = 1, random_state: int = 0, use_abc: bool | None = None,
    abc_script: str | None = None, fill: bool = True, progress: bool | None = None,
    wirings=("random",), wiring_candidates: int | None = None,
) -> CircuitSearch:
    """Search lut networks for the best validation accuracy whose AIG has at most ``max_and_gates`` ANDs.

    Parameters
    ----------
    X, y : array-like
        Training examples (0/1 inputs, two classes).
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
    fill : bool, default=True
        Choose the table entries of patterns unseen in training for a small
        circuit (:func:`fill_unseen`) instead of keeping the random tie-breaks.
    progress : bool or None, default=None
        Show a progress bar (None: when stderr is a terminal).
    wirings : sequence of {"random", "greedy"}, default=("random",)
        Wirings tried for every shape and seed (``LutNetworkClassifier``'s
        ``wiring``): the paper's random wiring, and/or chosen support.
    wiring_candidates : int or None, default=None
        ``LutNetworkClassifier``'s ``wiring_candidates`` for greedy wiring.

    Returns
    -------
    CircuitSearch
    """
    from tqdm.auto import tqdm

    from lutlearn.estimator import LutNetworkClassifier
    from lutlearn.export.aiger import Aig
    from lutlearn.export.netlist import LutNetlist
    from lutlearn.export.tools import ToolNotFoundError, find_abc

    if max_and_gates < 0:
        raise ValueError(f"max_and_gates must be >= 0, got {max_and_gates}")
    if n_seeds < 1:
        raise ValueError(f"n_seeds must be >= 1, got {n_seeds}")
    wirings = tuple(wirings)
    if not wirings or any(w not in ("random", "greedy") for w in wirings):
        raise ValueError(f"wirings must be a non-empty sequence of 'random' and 'greedy'; got {wirings!r}")
    from lutlearn.export.tools import ABC_SCRIPT

    abc_script = abc_script or ABC_SCRIPT
    if use_abc is None:
        use_abc = find_abc() is not None
    elif use_abc and find_abc() is None:
        raise ToolNotFoundError("ABC is not installed (Debian package 'berkeley-abc')")
    X, X_valid = np.asarray(X), np.asarray(X_valid)
    if X.ndim != 2 or X_valid.ndim != 2 or X.shape[1] != X_valid.shape[1]:
        raise ValueError(
            f"training and validation inputs must be 2-D with the same width; got {X.shape}, {X_valid.shape}"
        )
    shapes = list(_shapes(X.shape[1], ks, depths, max_width))
    n_tries = n_seeds * len(wirings)  # networks per shape
    total = sum(len(w) for _, _, w in shapes) * n_tries
    candidates: list[Candidate] = []
    best: tuple | None = None  # (candidate, model, aig bytes, gates)
    disable = None if progress is None else not progress  # None: only on a terminal
    with (
        tempfile.TemporaryDirectory() as tmp,
        tqdm(total=total, disable=disable, desc="fit-circuit", unit="net") as bar,
    ):
        for k, _depth, widths in shapes:
            for hidden in widths:
                stop = False
                for seed, wiring in ((s, w) for s in range(random_state, random_state + n_seeds) for w in wirings):
                    bar.update(1)
                    model = LutNetworkClassifier(
                        k=k, hidden_layers=hidden, random_state=seed, n_jobs=1, wiring=wiring,
                        wiring_candidates=wiring_candidates,
                    )
                    model.fit(X, y)
                    if fill:
                        model.network_ = fill_unseen(model.network_, X, model.n_jobs)
                    valid = float(model.score(X_valid, y_valid))
                    aig = Aig.from_netlist(LutNetlist.from_model(model))
                    raw = aig.n_ands
                    data, gates = None, None
                    if raw <= max_and_gates:
                        gates = raw
                    elif use_abc and raw <= RAW_SLACK * max_and_gates and (
                        best is None or valid > best[0].valid_accuracy
                    ):
                        gates, data = _abc_count(aig.to_bytes(), tmp, abc_script)
                    fits = gates is not None and gates <= max_and_gates
                    cand = Candidate(
                        k=k, hidden_layers=tuple(hidden), seed=seed,
                        train_accuracy=float(model.score(X, y)), valid_accuracy=valid,
                        and_gates_raw=raw, and_gates=gates, fits=fits, wiring=wiring,
                    )
                    candidates.append(cand)
                    if fits and (
                        best is None
                        or valid > best[0].valid_accuracy
                        or (valid == best[0].valid_accuracy and gates < best[3])
                    ):
                        best = (cand, model, data or aig.to_bytes(), gates)
                    if raw > RAW_SLACK * max_and_gates or (gates is not None and not fits):
                        stop = True
                bar.set_postfix(best=f"{best[0].valid_accuracy:.4f}" if best else "-")
                if stop:  # wider networks of this k and depth only grow
                    bar.update(n_tries * (len(widths) - widths.index(hidden) - 1))
                    break
        if best is None:
            raise ValueError(
                f"no network tried fits in {max_and_gates} AND gates; allow more gates or include k=1"
            )
        cand, model, data, gates = best
        if use_abc and data is not None and gates == cand.and_gates_raw:
            # the winner fit before ABC: still hand over the optimised circuit
            opt_gates, opt = _abc_count(data, tmp, abc_script)
            if opt_gates <= gates:
                data, gates = opt, opt_gates
    return CircuitSearch(model=model, best=cand, aig=data, and_gates=gates, candidates=candidates, abc=use_abc)
