"""Functions of several outputs as one AIG under an AND budget: a circuit per output, the budget spent where it pays.

:func:`fit_multioutput_circuit` learns every output of a multi-output PLA
file (an adder's sum bits, a comparator's three outputs, ...) and returns
one AIG whose outputs are the file's, in order, within ``max_and_gates``:

1. every output gets a menu of circuits: :func:`~lutlearn.circuits.search.fit_circuit`
   (with the search options given, on the examples whose output is cared
   for) under budgets of ``shares`` times an equal split of the whole budget,
   the largest first, a smaller one searched only when the circuit found
   under the one above does not fit it;
2. the budget is spent where validation gains most: every output starts
   with its smallest circuit, then the upgrade with the most validation
   accuracy per extra gate is taken while the sum of gates fits (a circuit
   chosen for several outputs, such as two equal outputs, counted once);
3. the chosen circuits become one AIG over the shared inputs, with
   structural hashing, and ABC optimises the whole when it is installed,
   so that outputs share logic (``and_gates_separate`` is the sum before
   merging, ``and_gates`` the whole circuit's);
4. the gates merging saved are spent again: the upgrades step 2 could
   not afford are taken while the merged circuit stays within the budget
   (at most :data:`MAX_RESPENDS` times).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import numpy as np

from lutlearn.circuits.search import _abc_settings, _abc_smaller, fit_circuit

__all__ = ["JOINT_GROUP_MAX", "JOINT_PREFIXES", "JOINT_TABLE_INPUTS", "MAX_RESPENDS", "MultiOutputCircuit",
           "OutputCircuit", "fit_multioutput_circuit", "joint_support", "merge_aigs"]

#: Times the gates that merging saved are spent again on upgrades (each a merge and an ABC run).
MAX_RESPENDS = 3

#: Most inputs of the joint care table (``&ttopt`` works on whole truth tables, ``2**n`` bits a node).
JOINT_TABLE_INPUTS = 20

#: Prefixes of :func:`joint_support`'s order that are screened (the longest and the shorter ones, two apart).
JOINT_PREFIXES = 6

#: Most outputs ``&ttopt`` optimises as one group in the joint care table; above, one by one only (16 product bits
#: of ``mul:8`` took 5 times longer grouped, for 4% more gates; 24 shared-term DNFs 10 times longer, for 14% fewer).
JOINT_GROUP_MAX = 12


@dataclass
class OutputCircuit:
    """One output's circuit in the menu: its budget, gates, validation accuracy and AIGER file."""

    output: int
    budget: int
    and_gates: int
    valid_accuracy: float
    aig: bytes = field(repr=False)
    chosen: str = ""
    #: The output of ``aig`` that computes this one (a joint circuit has one per output of the data).
    port: int = 0
    #: Gates of the whole of ``aig`` when it computes more than this output (``and_gates`` is this output's cone).
    circuit_gates: int | None = None


@dataclass
class MultiOutputCircuit:
    """The circuit of every output, merged.

    Attributes
    ----------
    aig : bytes
        The whole circuit, a binary AIGER file (output ``o`` is the data's output ``o``).
    and_gates : int
        AND gates of ``aig``.
    and_gates_separate : int
        The chosen per-output circuits' gates, summed (before merging and ABC; a
        circuit chosen for several outputs counted for each, and an output of
        the joint care table counted as its own cone of it).
    outputs : list of OutputCircuit
        The circuit chosen for each output.
    menu : list of list of OutputCircuit
        Every output's circuits tried, smallest budget first.
    abc : bool
        Whether ABC counted and optimised the circuits.
    budgets : list of int
        The budgets every output was searched under.
    """

    aig: bytes = field(repr=False)
    and_gates: int
    and_gates_separate: int
    outputs: list
    menu: list = field(default_factory=list, repr=False)
    abc: bool = False
    budgets: list = field(default_factory=list)

    @property
    def valid_accuracy(self) -> list[float]:
        """Each output's validation accuracy (on its cared examples)."""
        return [o.valid_accuracy for o in self.outputs]

    def evaluate(self, X) -> np.ndarray:
        """Output bits for each row of ``X``, by simulating the AIG: uint8 (n_samples, n_outputs)."""
        from lutlearn.export.aiger import parse_aiger

        return parse_aiger(self.aig).evaluate(np.asarray(X, np.uint8))


def merge_aigs(n_inputs: int, files: list[bytes], ports: list | None = None):
    """One :class:`~lutlearn.export.aiger.Aig` over ``n_inputs`` shared inputs whose outputs are those of every
    AIGER file in ``files``, in order (structural hashing shares identical gates); ``ports[i]``, when given and
    not None, keeps only that output of file ``i``."""
    from lutlearn.export.aiger import Aig, parse_aiger

    merged = Aig(n_inputs)
    for f, data in enumerate(files):
        part = parse_aiger(data)
        if part.n_inputs != n_inputs:
            raise ValueError(f"a circuit has {part.n_inputs} inputs; expected {n_inputs}")
        lits = [0] + [merged.input(i) for i in range(n_inputs)]  # by variable
        for a, b in part.ands:
            lits.append(merged.and_(lits[a >> 1] ^ (a & 1), lits[b >> 1] ^ (b & 1)))
        port = None if ports is None else ports[f]
        outs = part.outputs if port is None else [part.outputs[port]]
        merged.outputs += [lits[o >> 1] ^ (o & 1) for o in outs]
    return merged.cleanup()


def _menu(o: int, X, y, Xv, yv, budgets: list[int], options: dict, show: bool) -> list[OutputCircuit]:
    """Output ``o``'s circuits under each budget (those the search could fit), smallest first.

    The largest budget is searched first; a smaller one is searched only
    when the circuit found under the budget above it does not fit it.
    """
    menu: list[OutputCircuit] = []
    for b in sorted(budgets, reverse=True):
        if menu and menu[0].and_gates <= b:  # the larger budget's circuit fits this one too
            continue
        try:
            s = fit_circuit(X, y, Xv, yv, b, progress=False, **options)
        except ValueError:  # nothing fits so small a budget
            break
        chosen = s.summary or f"{s.best.wiring} k={s.best.k}"
        menu.insert(0, OutputCircuit(o, b, s.and_gates, s.best.valid_accuracy, s.aig, chosen))
        if show:
            print(f"  output {o}, budget {b}: valid {s.best.valid_accuracy:.4f} in {s.and_gates} ANDs ({chosen})",
                  file=sys.stderr)
    return menu


def joint_support(X, Y, care=None, max_support: int = JOINT_TABLE_INPUTS, patience: int = 3,
                  random_state: int = 0) -> list[int]:
    """The inputs of one care table for all the outputs: forward selection on their summed cross-validated scores.

    Every step adds the input that most raises the sum, over the outputs,
    of the two-fold cross-validated log-likelihood of a lut reading the
    inputs chosen so far and it (:func:`lutlearn.core.kernels.extension_scores`,
    counted on each output's cared examples; the first input on ties),
    until ``max_support`` inputs or ``patience`` additions in a row that
    did not raise the best sum; the prefix with the best sum is kept. An
    input that matters to several outputs counts for each, so the support is
    shared: on a function whose outputs OR shared terms it finds the terms'
    inputs.

    Parameters
    ----------
    X, Y, care
        As :func:`lutlearn.circuits.dontcare.memorized_tables`: 0/1 inputs,
        0/1 outputs (one column each) and the cared-for mask (None: all).
    max_support : int, default=JOINT_TABLE_INPUTS
        Most inputs.
    patience : int, default=3
        Additions without a better sum before stopping; 0: no stopping, the
        whole order of ``max_support`` inputs is returned (the caller
        chooses a prefix, as :func:`fit_multioutput_circuit` does on the
        validation examples: a care table generalises from more inputs than
        the counts of a lut prefer).
    random_state : int, default=0
        Seeds the folds.

    Returns
    -------
    list of int
        The chosen inputs, in the order chosen.
    """
    from lutlearn.circuits.dontcare import distinct_rows
    from lutlearn.core import kernels, training

    X, Y = np.asarray(X, np.uint8), np.asarray(Y, np.uint8)
    care = np.ones(Y.shape, bool) if care is None else np.asarray(care, bool)
    if X.ndim != 2 or Y.ndim != 2 or len(Y) != len(X) or care.shape != Y.shape or not len(X):
        raise ValueError(f"need X (n, n_inputs), Y and care (n, n_outputs), n >= 1; got {X.shape}, {Y.shape}, "
                         f"{care.shape}")
    if max_support < 1 or patience < 0:
        raise ValueError(f"max_support must be >= 1 and patience >= 0; got {max_support} and {patience}")
    A = np.ascontiguousarray(X.T)
    fold = training.example_folds(A, random_state)
    columns = [(np.ascontiguousarray(Y[:, o]), care[:, o].astype(np.int64)) for o in range(Y.shape[1])]
    scores, total = np.empty(X.shape[1]), np.empty(X.shape[1])
    support: list[int] = []
    best, best_len, since = -np.inf, 0, 0
    while len(support) < min(max_support, X.shape[1]) and (since < patience or not patience):
        ids = (np.ascontiguousarray(distinct_rows(X[:, support])[1]) if support
               else np.zeros(len(X), np.int64))
        total[:] = 0
        for y, w in columns:
            kernels.extension_scores(ids, int(ids.max()) + 1, A, y, fold, w, scores)
            total += scores
        total[support] = -np.inf
        c = int(np.argmax(total))
        support.append(c)
        if total[c] > best:
            best, best_len, since = float(total[c]), len(support), 0
        else:
            since += 1
    return support[:best_len] if patience else support


def _valid_accuracies(aig, Xv, Yv, care_valid) -> list[float]:
    """Each output's validation accuracy on its cared examples."""
    out = aig.evaluate(Xv)
    return [float(np.mean(out[care_valid[:, o], o] == Yv[care_valid[:, o], o])) for o in range(Yv.shape[1])]


def _joint_menu(X, Y, care, Xv, Yv, care_valid, order, refit: bool, tmp: str, abc_script: str,
                show: bool) -> list[OutputCircuit]:
    """Every output's entry of the joint care table, one circuit for all the outputs.

    Over all the inputs when ``order`` is None; else over a prefix of
    ``order`` (:func:`joint_support`'s): the longest and up to
    :data:`JOINT_PREFIXES` - 1 shorter ones, two inputs apart, are
    synthesised with one round of ``&ttopt`` and the one whose outputs
    validate best on average is kept (the shorter on ties). The table is
    then synthesised with its outputs optimised together (``&ttopt -O
    n_outputs``, at most :data:`JOINT_GROUP_MAX` outputs) and one by one
    (``-O 1``, still one circuit); the one that validates best (fewer gates
    on ties) is kept, refitted on training + validation examples when
    ``refit``.
    """
    from lutlearn.circuits.dontcare import care_table_multi_aig
    from lutlearn.export.aiger import parse_aiger

    n_out = Y.shape[1]
    groups = sorted({n_out, 1}, reverse=True) if n_out <= JOINT_GROUP_MAX else [1]
    support = None
    if order is not None:
        lengths = sorted(range(len(order), max(0, len(order) - 2 * JOINT_PREFIXES), -2))
        screened = [(np.mean(_valid_accuracies(care_table_multi_aig(X, Y, care, support=order[:n], rounds=1,
                                                                    together=groups[0] > 1), Xv, Yv, care_valid)),
                     -n) for n in lengths]
        support = order[:-max(screened)[1]]
    best = None
    for group in groups:
        aig = care_table_multi_aig(X, Y, care, support=support, together=group > 1)
        valid = _valid_accuracies(aig, Xv, Yv, care_valid)
        if best is None or (np.mean(valid), -aig.n_ands) > (np.mean(best[2]), -best[0].n_ands):
            best = (aig, group, valid)
    aig, group, valid = best
    if refit:
        aig = care_table_multi_aig(np.concatenate([X, Xv]), np.concatenate([Y, Yv]),
                                   np.concatenate([care, care_valid]), support=support, together=group > 1)
    data, gates = _abc_smaller(aig.to_bytes(), aig.n_ands, tmp, abc_script)
    what = f"joint care table over {X.shape[1] if support is None else len(support)} inputs, &ttopt -O {group}"
    whole = parse_aiger(data)
    entries = [OutputCircuit(o, gates, whole.cone(o).n_ands, valid[o], data, what, port=o, circuit_gates=gates)
               for o in range(n_out)]
    if show:
        print(f"  {what}: {gates} ANDs, validation "
              f"{' '.join(f'{v:.4f}' for v in valid)}", file=sys.stderr)
    return entries


def _spent(pick: list[OutputCircuit]) -> int:
    """Gates of the chosen circuits, a circuit chosen for several outputs counted once (merging shares it)."""
    return sum({c.aig: c.and_gates if c.circuit_gates is None else c.circuit_gates for c in pick}.values())


def _allocate(menu: list[list[OutputCircuit]], budget: int) -> list[OutputCircuit]:
    """Each output's circuit: the cheapest first, then upgrades by validation accuracy per gate within the budget
    (a circuit already chosen for another output costs nothing more)."""
    pick = [min(m, key=lambda c: (c.and_gates, -c.valid_accuracy)) for m in menu]
    if _spent(pick) > budget:
        raise ValueError(f"the outputs' smallest circuits need {_spent(pick)} AND gates together; "
                         f"the budget is {budget}")
    while True:
        spent = _spent(pick)
        best, best_rate = None, 0.0
        for i, m in enumerate(menu):
            for c in m:
                gain = c.valid_accuracy - pick[i].valid_accuracy
                if gain <= 0:
                    continue
                cost = _spent(pick[:i] + [c] + pick[i + 1:]) - spent
                if spent + cost > budget:
                    continue
                rate = gain / max(cost, 1)
                if rate > best_rate:
                    best, best_rate = (i, c), rate
        if best is None:
            return _switch_to_shared(menu, pick)
        pick[best[0]] = best[1]


def _switch_to_shared(menu: list[list[OutputCircuit]], pick: list[OutputCircuit]) -> list[OutputCircuit]:
    """``pick`` with every output moved to a circuit already chosen for another output (the joint care table) when
    that validates at least as well in no more gates, one of the two strictly (so it ends)."""
    changed = True
    while changed:
        changed = False
        for i, m in enumerate(menu):
            chosen = {c.aig for j, c in enumerate(pick) if j != i}
            for c in m:
                if c is pick[i] or c.aig not in chosen or c.valid_accuracy < pick[i].valid_accuracy:
                    continue
                moved = pick[:i] + [c] + pick[i + 1:]
                better = c.valid_accuracy > pick[i].valid_accuracy
                if _spent(moved) < _spent(pick) or (better and _spent(moved) == _spent(pick)):
                    pick, changed = moved, True
                    break
    return pick


def fit_multioutput_circuit(
    X, Y, X_valid, Y_valid, max_and_gates: int, *, care=None, care_valid=None, shares=(0.5, 1.0, 2.0),
    joint_table: int = 0, use_abc: bool | None = None, abc_script: str | None = None, progress: bool | None = None,
    **search_options,
) -> MultiOutputCircuit:
    """Every output of ``Y`` learned, one AIG of at most ``max_and_gates`` ANDs (see the module docstring).

    Parameters
    ----------
    X, Y : array-like
        Training examples: 0/1 inputs (n, n_inputs) and outputs (n, n_outputs).
    X_valid, Y_valid : array-like
        Validation examples, which choose each output's circuit and spend the budget.
    max_and_gates : int
        The budget of the whole circuit.
    care, care_valid : bool array-like of the shape of ``Y`` / ``Y_valid``, or None
        False where an output is a don't-care (the example is left out of
        that output's learning and scoring); None: every output cared for.
    shares : sequence of float, default=(0.5, 1.0, 2.0)
        Each output's budgets, as multiples of ``max_and_gates / n_outputs``.
    joint_table : int, default=0
        When positive (and ABC has ``&ttopt``), the joint care table of
        all the outputs is learned first: one memorized table over at most
        this many inputs shared by the outputs (all of them when there are
        no more; else those :func:`joint_support` chooses), synthesised as
        one circuit and refitted on training + validation examples when
        ``refit`` is ``"table"`` or True (the prefix of :func:`joint_support`'s
        order that validates best). It is offered to every output,
        its gates counted once however many outputs use it, and an output
        it validates perfectly is not searched on its own. 0: no joint
        table (``lutlearn fit-circuit`` uses :data:`JOINT_TABLE_INPUTS`).
    use_abc, abc_script, progress
        As in :func:`~lutlearn.circuits.search.fit_circuit`.
    **search_options
        Passed to every :func:`~lutlearn.circuits.search.fit_circuit` call
        (for example ``lutlearn.circuits.search.SEARCH_DEFAULTS``).

    Returns
    -------
    MultiOutputCircuit
    """
    import tempfile

    from lutlearn.circuits.learners import _ttopt_available

    X, Xv = np.asarray(X, np.uint8), np.asarray(X_valid, np.uint8)
    Y, Yv = np.asarray(Y, np.uint8), np.asarray(Y_valid, np.uint8)
    if Y.ndim != 2 or Yv.ndim != 2 or Y.shape[1] != Yv.shape[1] or len(Y) != len(X) or len(Yv) != len(Xv):
        raise ValueError(f"Y and Y_valid must be (n_examples, n_outputs) beside X and X_valid; got {Y.shape} for "
                         f"{X.shape} and {Yv.shape} for {Xv.shape}")
    care = np.ones(Y.shape, bool) if care is None else np.asarray(care, bool)
    care_valid = np.ones(Yv.shape, bool) if care_valid is None else np.asarray(care_valid, bool)
    from lutlearn.circuits.dontcare import MAX_INPUTS

    if not 0 <= joint_table <= MAX_INPUTS:
        raise ValueError(f"joint_table must be between 0 and {MAX_INPUTS} inputs, got {joint_table}")
    if max_and_gates < 0 or not shares or min(shares) <= 0:
        raise ValueError(f"max_and_gates must be >= 0 and shares positive; got {max_and_gates} and {shares}")
    use_abc, abc_script = _abc_settings(use_abc, abc_script)
    show = sys.stderr.isatty() if progress is None else progress
    n_out = Y.shape[1]
    budgets = sorted({max(0, int(s * max_and_gates / n_out)) for s in shares})
    for o in range(n_out):
        if not care[:, o].any() or not care_valid[:, o].any():
            raise ValueError(f"output {o} has no cared {'training' if not care[:, o].any() else 'validation'} "
                             "example")
    with tempfile.TemporaryDirectory() as tmp:
        joint = []
        if use_abc and joint_table > 0 and _ttopt_available():
            order = None if X.shape[1] <= joint_table else joint_support(
                X, Y, care, joint_table, patience=0, random_state=search_options.get("random_state", 0))
            joint = _joint_menu(X, Y, care, Xv, Yv, care_valid, order,
                                search_options.get("refit") in ("table", True), tmp, abc_script, show)
            if joint[0].circuit_gates > max_and_gates:
                joint = []
        menu = []
        for o in range(n_out):
            menu.append([])
            if not joint or joint[o].valid_accuracy < 1:
                rows, vrows = care[:, o], care_valid[:, o]
                menu[-1] = _menu(o, X[rows], Y[rows, o], Xv[vrows], Yv[vrows, o], budgets,
                                 {"use_abc": use_abc, "abc_script": abc_script, **search_options}, show)
            menu[-1] += joint[o:o + 1]
            if not menu[-1]:
                raise ValueError(f"no circuit of output {o} fits in {max(budgets)} AND gates")

        def whole(pick: list[OutputCircuit]) -> tuple[bytes, int]:
            merged = merge_aigs(X.shape[1], [c.aig for c in pick], [c.port for c in pick])
            data, gates = merged.to_bytes(), merged.n_ands
            return _abc_smaller(data, gates, tmp, abc_script) if use_abc else (data, gates)

        pick = _allocate(menu, max_and_gates)
        data, gates = whole(pick)
        for _ in range(MAX_RESPENDS):  # what merging saved, spent again while the whole circuit fits
            more = _allocate(menu, max_and_gates + _spent(pick) - gates)
            if [c.aig for c in more] == [c.aig for c in pick]:
                break
            more_data, more_gates = whole(more)
            if more_gates > max_and_gates:
                break
            pick, data, gates = more, more_data, more_gates
    return MultiOutputCircuit(data, gates, sum(c.and_gates for c in pick), pick, menu, use_abc, budgets)
