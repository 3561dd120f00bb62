"""A memorized truth table with don't-cares, synthesised by ABC's ``&ttopt``: the care-table circuit.

The table of a function of ``n`` inputs (a few tens at most) is learned by
counting: every input pattern of the training set gets the majority of its
examples' outputs (a pattern whose examples tie carries no information and
is left out). Every pattern no training example showed is a *don't-care*.
Instead of filling the don't-cares one way or another before synthesis
(:func:`lutlearn.core.inspection.fill_unseen`), the care set is handed to the
logic optimiser: ABC's ``&ttopt`` (Y. Miyasaka et al., "Synthesizing a
class of practical Boolean functions using truth tables", IWLS 2022, a
method from the IWLS 2020 learning contest) builds the table's BDD, reorders
its inputs by sifting (with random restarts from a fixed seed) and merges
the nodes that agree wherever both are cared for. The merged nodes decide
the unseen patterns: a function with structure (symmetric functions,
arithmetic bits) comes out small and generalises far beyond the examples.

The pieces: :func:`memorized_table` counts, :func:`pattern_trie` writes any
AIG that agrees with the table on the care set (a decision trie of the
patterns, ``&ttopt``'s starting point), :func:`care_file_bytes` writes the
care set in ABC's binary simulation format, and :func:`care_table_aig` runs
ABC and checks that its circuit gives every cared-for pattern its value; it
takes a table over all the inputs or over a chosen ``support`` of them
(:func:`lutlearn.circuits.search.fit_care_support` chooses one).
:func:`care_table_aigs` synthesises the tables of several supports in one
ABC process (``&ttopt`` seeds its random restarts afresh on every call, so
each circuit is the one :func:`care_table_aig` gives alone; only ABC's
start-up, about 20 ms a call, is saved).

ABC's simulation file (``Vec_WrdReadBin``): no header; for each input in
order, ``ceil(m / 64)`` little-endian 64-bit words whose bit ``j`` (bit
``j % 64`` of word ``j // 64``) is that input in pattern ``j``. The ``m``
patterns are padded to a multiple of 64 by repeating the first; ``&ttopt
-R 1`` takes a pattern seen at least once as cared for.

``&ttopt`` works on the whole truth table, ``2**n`` bits for each node of
the starting AIG it simulates: about 8 s and 1 GB of memory at 20 inputs,
4 GB at 22. :data:`MAX_INPUTS` bounds it.
"""

from __future__ import annotations

import copy
import os
import tempfile
from pathlib import Path

import numpy as np

from lutlearn.export.aiger import Aig, parse_aiger

__all__ = ["MAX_INPUTS", "care_file_bytes", "care_table_aig", "care_table_aigs", "care_table_multi_aig",
           "distinct_rows", "memorized_table", "memorized_tables", "pattern_trie"]

#: Most inputs :func:`care_table_aig` takes (``&ttopt``'s truth tables grow as ``2**n``).
MAX_INPUTS = 24

#: Most columns :func:`distinct_rows` packs into one 64-bit code per row (wider rows take NumPy's row sort).
PACKED_MAX_INPUTS = 62


def distinct_rows(X) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of a 0/1 matrix in increasing order (first column most significant) and each row's index.

    What ``np.unique(X, axis=0, return_inverse=True)`` returns, computed on
    one 64-bit code per row when there are at most :data:`PACKED_MAX_INPUTS`
    columns (several times faster than NumPy's sort of rows);
    :func:`distinct_rows_reference` is NumPy's, the oracle of the tests.

    Parameters
    ----------
    X : uint8 array of shape (n_samples, n_inputs)
        0/1 values.

    Returns
    -------
    rows : uint8 array of shape (n_distinct, n_inputs)
    inverse : int64 array of shape (n_samples,)
        ``rows[inverse]`` is ``X``.
    """
    X = np.asarray(X, np.uint8)
    n, n_in = X.shape
    if not n or not 0 < n_in <= PACKED_MAX_INPUTS:
        return distinct_rows_reference(X)
    codes = np.zeros(n, np.int64)
    for c in range(n_in):
        codes <<= 1
        codes |= X[:, c]
    uniq, inverse = np.unique(codes, return_inverse=True)
    shifts = np.arange(n_in - 1, -1, -1, dtype=np.int64)
    rows = ((uniq[:, None] >> shifts[None, :]) & 1).astype(np.uint8)
    return rows, np.asarray(inverse, np.int64).ravel()


def distinct_rows_reference(X) -> tuple[np.ndarray, np.ndarray]:
    """:func:`distinct_rows` by NumPy's sort of rows (any width)."""
    rows, inverse = np.unique(np.asarray(X, np.uint8), axis=0, return_inverse=True)
    return rows, np.asarray(inverse, np.int64).ravel()


def memorized_table(X, y) -> tuple[np.ndarray, np.ndarray]:
    """The care set learned by counting: each distinct input pattern and the majority of its outputs.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_inputs)
        0/1 inputs.
    y : array-like of shape (n_samples,)
        0/1 outputs.

    Returns
    -------
    patterns : ndarray of shape (n_patterns, n_inputs), uint8
        The distinct rows of ``X`` whose examples do not tie, in increasing
        order (first input most significant).
    values : ndarray of shape (n_patterns,), uint8
        The majority output of each pattern's examples.
    """
    X = np.asarray(X, np.uint8)
    y = np.asarray(y, np.uint8)
    if X.ndim != 2 or y.shape != (len(X),):
        raise ValueError(f"X must be 2-D with one output per row; got {X.shape} and {y.shape}")
    if np.any(X > 1) or np.any(y > 1):
        raise ValueError("a memorized table takes 0/1 inputs and outputs")
    patterns, inverse = distinct_rows(X)
    n = np.bincount(inverse, minlength=len(patterns))
    n1 = np.bincount(inverse, weights=y, minlength=len(patterns)).astype(np.int64)
    keep = 2 * n1 != n  # a tie says nothing: the pattern stays a don't-care
    return patterns[keep], (2 * n1 > n)[keep].astype(np.uint8)


def pattern_trie(patterns: np.ndarray, values: np.ndarray) -> Aig:
    """An AIG that gives every pattern its value: a decision trie on the inputs in order.

    A branch stops as soon as the patterns below it agree (its value, a
    constant: what the other patterns under it are does not matter), and
    a branch no pattern reaches is 0, so the trie is at most a few
    multiplexers per pattern. Outside the patterns its output is
    arbitrary, but it is where ``&ttopt`` starts its reordering from: with
    the unreached branches 0, rather than copies of their sibling
    branches, the care tables of the suite's tasks validated as well or
    better (``sqrt-lsb:16`` 0.953 against 0.941, ``mul-msb:8`` 0.994 against
    0.991, the other twelve tasks of at most 20 inputs within 0.0001).

    Parameters
    ----------
    patterns : ndarray of shape (n_patterns, n_inputs)
        Distinct 0/1 rows (as :func:`memorized_table` returns them).
    values : ndarray of shape (n_patterns,) or (n_patterns, n_outputs)
        0/1 values (of one output, or of each output: one trie each, in one AIG).

    Returns
    -------
    Aig
        One output (or ``n_outputs``) over ``n_inputs`` inputs.
    """
    patterns = np.asarray(patterns, np.uint8)
    values = np.asarray(values, np.uint8)
    columns = values[:, None] if values.ndim == 1 else values
    n_in = patterns.shape[1]
    aig = Aig(n_in)
    order = np.lexsort(patterns.T[::-1])  # rows in increasing order, first input most significant
    P = patterns[order]
    outputs = []
    for v in columns[order].T:  # one trie per output, in one AIG (identical branches shared)
        ones = np.concatenate([[0], np.cumsum(v, dtype=np.int64)])

        def build(lo: int, hi: int, level: int, ones=ones) -> int:
            """Literal of the patterns ``lo:hi`` (sorted, equal on inputs ``< level``)."""
            k = int(ones[hi] - ones[lo])
            if k == 0 or k == hi - lo:  # no pattern (0), or patterns that agree
                return int(k > 0)
            mid = lo + int(np.searchsorted(P[lo:hi, level], 1))  # rows with a 0 at ``level`` come first
            return aig.mux(aig.input(level), build(mid, hi, level + 1), build(lo, mid, level + 1))

        outputs.append(build(0, len(P), 0) if len(P) else 0)
    aig.outputs = outputs
    return aig.cleanup()


def care_file_bytes(patterns: np.ndarray) -> bytes:
    """The patterns as ABC's binary simulation file (the format in the module docstring)."""
    P = np.asarray(patterns, np.uint8)
    if P.ndim != 2 or not len(P):
        raise ValueError(f"need a non-empty 2-D array of patterns; got shape {P.shape}")
    pad = -len(P) % 64
    P = np.concatenate([P, np.repeat(P[:1], pad, axis=0)])
    return np.packbits(P.T, axis=1, bitorder="little").tobytes()


def care_table_aig(X, y, support=None, rounds: int = 20, timeout: float = 1800) -> Aig:
    """The memorized table of ``X``, ``y`` with every unseen pattern a don't-care, synthesised by ``&ttopt``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_inputs)
        0/1 training inputs.
    y : array-like of shape (n_samples,)
        0/1 outputs.
    support : sequence of int or None, default=None
        The inputs the table reads (distinct columns of ``X``, at most
        :data:`MAX_INPUTS`); None: all of them (then ``n_inputs`` is at most
        :data:`MAX_INPUTS`). The circuit has all ``n_inputs`` inputs either way.
    rounds : int, default=20
        ``&ttopt``'s random restarts of its input reordering (``-X``; ABC
        seeds them itself, with a fixed seed).
    timeout : float, default=1800
        Seconds ABC may take.

    Returns
    -------
    Aig
        One output over ``n_inputs`` inputs; it gives every cared-for
        pattern (:func:`memorized_table` of ``X[:, support]``) its value. The
        same data give the same AIG.

    Raises
    ------
    ToolNotFoundError
        If ABC is not installed.
    RuntimeError
        If ABC fails (also when it has no ``&ttopt``, which came in 2022:
        :func:`lutlearn.export.tools.abc_has_command`), or its circuit
        disagrees with the table on the care set.
    """
    return care_table_aigs(X, y, [support], rounds, timeout)[0]


def care_table_aigs(X, y, supports, rounds: int = 20, timeout: float = 1800) -> list[Aig]:
    """The care tables of ``X``, ``y`` over several supports, synthesised in one ABC process.

    Each circuit is the one :func:`care_table_aig` gives for that support
    alone: ``&ttopt`` seeds its random restarts on every call, so what ran
    before it in the same process does not matter (the tests compare the
    two). Only ABC's start-up is saved, about 20 ms a table.

    Parameters
    ----------
    X, y, rounds
        As :func:`care_table_aig`.
    supports : sequence of (sequence of int or None)
        The supports, as :func:`care_table_aig`'s ``support``.
    timeout : float, default=1800
        Seconds ABC may take per table.

    Returns
    -------
    list of Aig
        One circuit per support, in order.
    """
    X = np.asarray(X, np.uint8)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D; got shape {X.shape}")
    if rounds < 0:
        raise ValueError(f"rounds must be >= 0, got {rounds}")
    jobs = [_care_job(X, lambda Xs: memorized_table(Xs, y), support) for support in supports]
    return _synthesise(X, jobs, rounds, timeout, 1)


def memorized_tables(X, Y, care=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The care set of several outputs learned by counting, over the patterns they share.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_inputs)
        0/1 inputs.
    Y : array-like of shape (n_samples, n_outputs)
        0/1 outputs.
    care : bool array-like of the shape of ``Y``, or None
        False where an example's output is a don't-care (not counted); None: all cared for.

    Returns
    -------
    patterns : ndarray of shape (n_patterns, n_inputs), uint8
        The distinct rows of ``X`` where some output is known, in increasing order.
    values : ndarray of shape (n_patterns, n_outputs), uint8
        Each output's majority over the pattern's cared examples (0 where not known).
    known : ndarray of shape (n_patterns, n_outputs), bool
        Whether the output has cared examples at the pattern that do not tie.
    """
    X, Y = np.asarray(X, np.uint8), np.asarray(Y, np.uint8)
    care = np.ones(Y.shape, bool) if care is None else np.asarray(care, bool)
    if X.ndim != 2 or Y.ndim != 2 or len(Y) != len(X) or care.shape != Y.shape:
        raise ValueError(f"X must be 2-D, Y and care (n_samples, n_outputs); got {X.shape}, {Y.shape}, {care.shape}")
    if np.any(X > 1) or np.any(Y > 1):
        raise ValueError("a memorized table takes 0/1 inputs and outputs")
    patterns, inverse = distinct_rows(X)
    n = np.stack([np.bincount(inverse, weights=c, minlength=len(patterns)) for c in care.T], 1)
    n1 = np.stack([np.bincount(inverse, weights=y * c, minlength=len(patterns)) for y, c in zip(Y.T, care.T)], 1)
    known = (n > 0) & (2 * n1 != n)
    keep = known.any(axis=1)
    return patterns[keep], ((2 * n1 > n) & known)[keep].astype(np.uint8), known[keep]


def care_table_multi_aig(X, Y, care=None, support=None, rounds: int = 20, together: bool = True,
                         timeout: float = 1800) -> Aig:
    """The memorized table of every output of ``Y`` over one support, synthesised by ``&ttopt`` as one circuit.

    The joint care table: :func:`memorized_tables` counts each output on
    the patterns of the shared support, a pattern cared for when any output
    is known there (``&ttopt`` has one care set for all the outputs, so an
    output not known at a cared-for pattern is given 0 there). ``&ttopt``
    optimises the outputs together (one group, ``-O`` their number: they
    are reordered and merged together, so they share logic) or one by one
    (``-O 1``). Other group sizes are not offered: ABC 1.01 fails an
    assertion when the group size does not divide the number of outputs.

    Parameters
    ----------
    X, support, rounds, timeout
        As :func:`care_table_aig`.
    Y : array-like of shape (n_samples, n_outputs)
        0/1 outputs.
    care : bool array-like of the shape of ``Y``, or None
        As :func:`memorized_tables`.
    together : bool, default=True
        All the outputs optimised as one group; False: one by one.

    Returns
    -------
    Aig
        ``n_outputs`` outputs over ``n_inputs`` inputs; every known output
        of every cared-for pattern has its value (checked).
    """
    X, Y = np.asarray(X, np.uint8), np.asarray(Y, np.uint8)
    if X.ndim != 2 or Y.ndim != 2 or not Y.shape[1]:
        raise ValueError(f"X and Y must be 2-D with at least one output; got shapes {X.shape} and {Y.shape}")
    if rounds < 0:
        raise ValueError(f"rounds must be >= 0, got {rounds}")
    job = _care_job(X, lambda Xs: memorized_tables(Xs, Y, care), support, Y.shape[1])
    return _synthesise(X, [job], rounds, timeout, Y.shape[1] if together else 1)[0]


def _synthesise(X: np.ndarray, jobs: list, rounds: int, timeout: float, group: int) -> list[Aig]:
    """Every job's circuit over all the inputs of ``X``, its outputs in one ``&ttopt`` group (``group`` > 1: all
    of them) or one by one (``group`` 1).

    An output the trie gives as a constant or an input keeps it (no gate to
    save; ABC 1.01 also crashes on a constant output under ``-O 1``); the
    others of all the jobs go to ``&ttopt`` in one ABC process.
    """
    tries, todo = [], []
    for support, patterns, values, known, trie in jobs:
        if trie is None:  # nothing cared for
            trie = Aig(len(support))
            trie.outputs = [0] * values.shape[1]
        rest = [o for o, lit in enumerate(trie.outputs) if lit >= 2 * (trie.n_inputs + 1)]
        if rest:
            sub = copy.copy(trie)
            sub.outputs = [trie.outputs[o] for o in rest]
            todo.append((len(tries), rest, (support, patterns, values[:, rest], known[:, rest], sub.cleanup())))
        tries.append(trie)
    for (i, rest, _), aig in zip(todo, _ttopt([job for *_, job in todo], rounds, timeout, group) if todo else []):
        lits = dict(zip(rest, aig.outputs))
        aig.outputs = [lits.get(o, lit) for o, lit in enumerate(tries[i].outputs)]  # the same inputs, in order
        tries[i] = aig
    return [_lift(trie, job[0], X.shape[1]) for trie, job in zip(tries, jobs)]


def _care_job(X: np.ndarray, count, support, n_outputs: int = 1) -> tuple:
    """``(support, patterns, values, known, trie)`` of one care table, ``values`` and ``known`` one column per
    output (``trie`` None: nothing cared for); ``count(X[:, support])`` gives the table (``known`` optional)."""
    n_all = X.shape[1]
    if support is None:
        support = np.arange(n_all)
    support = np.asarray(support, np.int64)
    if (support.ndim != 1 or not 1 <= len(support) <= MAX_INPUTS or len(set(support.tolist())) != len(support)
            or support.min() < 0 or support.max() >= n_all):
        raise ValueError(f"a care table takes 1 to {MAX_INPUTS} distinct inputs of the {n_all}; "
                         f"got {support.tolist() if support.size <= 30 else support.shape}")
    patterns, values, *known = count(X[:, support])
    values = values.reshape(len(patterns), n_outputs)
    known = known[0] if known else np.ones(values.shape, bool)
    return support, patterns, values, known, pattern_trie(patterns, values) if len(values) else None


def _ttopt(jobs: list, rounds: int, timeout: float, group: int = 1) -> list[Aig]:
    """ABC's ``&ttopt`` circuit of every job of :func:`_care_job` (its outputs in one group when ``group`` is at
    least their number, else groups of ``group``, which must divide it), in one ABC process; each checked against
    its care set."""
    from lutlearn.export.tools import run_abc

    with tempfile.TemporaryDirectory() as tmp:
        script = []
        for i, (support, patterns, _, _, trie) in enumerate(jobs):
            trie_file, care, out = (os.path.join(tmp, f"{name}{i}") for name in ("trie.aig", "care.sim", "out.aig"))
            Path(trie_file).write_bytes(trie.to_bytes())
            Path(care).write_bytes(care_file_bytes(patterns))
            size = min(group, len(trie.outputs))
            script.append(f"&r {trie_file}; &ttopt -I {len(support)} -O {size} -R 1 -X {rounds} {care}; &put; "
                          f"write_aiger -s {out}")
        run_abc("; ".join(script), timeout=timeout * len(jobs))
        aigs = []
        for i in range(len(jobs)):
            out = os.path.join(tmp, f"out.aig{i}")
            if not os.path.exists(out):
                raise RuntimeError("ABC's &ttopt wrote no circuit")
            aigs.append(parse_aiger(Path(out).read_bytes(), out))
    for aig, (support, patterns, values, known, _) in zip(aigs, jobs):
        aig.comment = None
        if aig.n_inputs != len(support) or len(aig.outputs) != values.shape[1]:
            raise RuntimeError(f"ABC's &ttopt returned {aig.n_inputs} inputs and {len(aig.outputs)} outputs, "
                               f"not {len(support)} and {values.shape[1]}")
        wrong = int(np.count_nonzero((aig.evaluate(patterns) != values) & known))
        if wrong:
            raise RuntimeError(f"ABC's &ttopt circuit disagrees with the memorized table on {wrong} of "
                               f"{int(known.sum())} cared-for values")
    return aigs


def _lift(sub: Aig, support: np.ndarray, n_inputs: int) -> Aig:
    """``sub`` (input ``i`` = input ``support[i]``) as an AIG over all ``n_inputs`` inputs."""
    if n_inputs == sub.n_inputs and np.array_equal(support, np.arange(n_inputs)):
        return sub
    aig = Aig(n_inputs)
    lit = [0] * (sub.n_inputs + 1 + len(sub.ands))
    for i, s in enumerate(support):
        lit[i + 1] = aig.input(int(s))

    def get(x: int) -> int:
        return lit[x >> 1] ^ (x & 1)

    for g, (a, b) in enumerate(sub.ands):
        lit[sub.n_inputs + 1 + g] = aig.and_(get(a), get(b))
    aig.outputs = [get(o) for o in sub.outputs]
    return aig.cleanup()
