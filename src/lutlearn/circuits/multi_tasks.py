"""Multi-output Boolean tasks: whole adders, multipliers and dividers, a three-way comparator, shared-term DNFs.

The contest-like tasks of :mod:`lutlearn.circuits.logic_tasks` each ask for
one output bit; the families here ask for every output bit of the circuit at
once, as multi-output Espresso PLA files do (see
:func:`lutlearn.datasets.pla.read_multi_pla`). A task is named by a spec
``FAMILY:ARGS``:

=====================  ===========================================================================
spec                   outputs (inputs are uniform random bits)
=====================  ===========================================================================
``add:K``              the K+1 bits of the sum of two K-bit numbers (2K inputs, K+1 outputs):
                       output 0 is ``add-carry:K``, output 1 is ``add-msb:K``
``mul:K``              the 2K bits of the product of two K-bit numbers (2K inputs): output 0 is
                       ``mul-msb:K``, output K-1 is ``mul-mid:K``
``div:K``              (K even) the K bits of the quotient a // b of a K-bit a by a K/2-bit b
                       (K + K/2 inputs; all ones when b = 0, as a restoring divider gives):
                       output K/2 - 1 is ``div-msb:K``
``cmp3:N``             (N even) three outputs: the first N/2 bits, as a number, are less than,
                       equal to, greater than the last N/2 (the third output is ``cmp:N``)
``mdnf:N:T:O:S``       O outputs over N inputs, each the OR of a random non-empty subset (seed S)
                       of T shared random terms (:func:`mdnf_terms`)
=====================  ===========================================================================

Numbers are read most significant bit first, inputs and outputs alike:
operand ``a`` is inputs ``0 .. K-1``, operand ``b`` the inputs after it, and
output 0 is the result's most significant bit. :func:`make_multi_task` draws
6,400 / 6,400 / 6,400 train / valid / test examples from a seed, the same
inputs as :func:`lutlearn.circuits.logic_tasks.make_task` draws for a task of
as many inputs and the same seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lutlearn.circuits.logic_tasks import N_SPLIT, _ints, family_of

__all__ = ["MULTI_FAMILIES", "MultiTask", "make_multi_task", "mdnf_terms"]


def _bits(values: list[int], width: int) -> np.ndarray:
    """The low ``width`` bits of each non-negative integer, one row each, most significant first."""
    n_bytes = (width + 7) // 8
    raw = b"".join((v & ((1 << width) - 1)).to_bytes(n_bytes, "big") for v in values)
    rows = np.unpackbits(np.frombuffer(raw, dtype=np.uint8).reshape(len(values), n_bytes), axis=1)
    return np.ascontiguousarray(rows[:, n_bytes * 8 - width:])


def _add(X, k):
    return _bits([x + y for x, y in zip(_ints(X[:, :k]), _ints(X[:, k:]))], k + 1)


def _mul(X, k):
    return _bits([x * y for x, y in zip(_ints(X[:, :k]), _ints(X[:, k:]))], 2 * k)


def _div(X, k):
    return _bits([x // y if y else (1 << k) - 1 for x, y in zip(_ints(X[:, :k]), _ints(X[:, k:]))], k)


def _cmp3(X, n):
    a, b = _ints(X[:, :n // 2]), _ints(X[:, n // 2:])
    return np.array([(x < y, x == y, x > y) for x, y in zip(a, b)], dtype=np.uint8).reshape(len(a), 3)


def mdnf_terms(n: int, t: int, o: int, seed: int) -> tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray]:
    """The shared terms of ``mdnf:N:T:O:S`` and which outputs OR which terms.

    Each term ANDs ``round(log2(t / 2 / ln 2))`` literals (plus -1, 0 or +1 at
    random, clipped to ``1 .. n``) of distinct random inputs and signs; each
    output uses each term with probability one half (at least one term), so
    an output ORs about ``t / 2`` terms and is 1 about half the time.

    Parameters
    ----------
    n, t, o : int
        Inputs, shared terms and outputs.
    seed : int
        Seed of the terms and of the outputs' choices.

    Returns
    -------
    terms : list of (indices, values)
        Per term, its input indices and the value each must have.
    uses : bool ndarray of shape (o, t)
        ``uses[j, i]``: output ``j`` ORs term ``i``.
    """
    rng = np.random.default_rng([seed, 0x6D646E66])  # "mdnf"
    base = round(math.log2(max(t / 2, 1) / math.log(2)))
    terms = []
    for _ in range(t):
        size = int(min(n, max(1, base + rng.integers(-1, 2))))
        terms.append((np.sort(rng.choice(n, size, replace=False)), rng.integers(0, 2, size).astype(np.uint8)))
    uses = rng.random((o, t)) < 0.5
    for j in np.flatnonzero(~uses.any(axis=1)):
        uses[j, rng.integers(t)] = True
    return terms, uses


def _mdnf(X, n, t, o, seed):
    terms, uses = mdnf_terms(n, t, o, seed)
    hits = np.stack([(X[:, inputs] == values).all(axis=1) for inputs, values in terms], axis=1)
    return (hits.astype(np.uint8) @ uses.T.astype(np.uint8) > 0).astype(np.uint8)


@dataclass(frozen=True)
class _MultiFamily:
    """A family of generated multi-output functions: argument count, inputs, output names, function, check."""

    n_args: int
    n_inputs: object
    names: object
    function: object
    check: object = None


def _even(n: int) -> bool:
    return n >= 2 and n % 2 == 0


#: The multi-output families, by name (see the module docstring).
MULTI_FAMILIES: dict[str, _MultiFamily] = {
    "add": _MultiFamily(1, lambda k: 2 * k, lambda k: [f"s{b}" for b in range(k, -1, -1)], _add),
    "mul": _MultiFamily(1, lambda k: 2 * k, lambda k: [f"p{b}" for b in range(2 * k - 1, -1, -1)], _mul),
    "div": _MultiFamily(1, lambda k: k + k // 2, lambda k: [f"q{b}" for b in range(k - 1, -1, -1)], _div, _even),
    "cmp3": _MultiFamily(1, lambda n: n, lambda n: ["lt", "eq", "gt"], _cmp3, _even),
    "mdnf": _MultiFamily(4, lambda n, t, o, s: n, lambda n, t, o, s: [f"f{j}" for j in range(o)], _mdnf,
                         lambda n, t, o, s: t >= 1 and o >= 1),
}


@dataclass
class MultiTask:
    """A generated multi-output task: 0/1 inputs and 0/1 outputs (one column each) for train, valid and test."""

    spec: str
    X_train: np.ndarray
    Y_train: np.ndarray
    X_valid: np.ndarray
    Y_valid: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray
    output_names: list[str]

    @property
    def family(self) -> str:
        return family_of(self.spec)


def _parse(spec: str) -> tuple[_MultiFamily, list[int]]:
    family, _, rest = spec.partition(":")
    if family not in MULTI_FAMILIES:
        raise ValueError(f"unknown multi-output family {family!r} in {spec!r}: one of {', '.join(MULTI_FAMILIES)}")
    fam = MULTI_FAMILIES[family]
    parts = rest.split(":") if rest else []
    if len(parts) != fam.n_args or not all(p.isdigit() for p in parts):
        raise ValueError(f"{spec!r}: {family} takes {fam.n_args} integer argument(s), e.g. "
                         f"{family}:{':'.join(['16', '8', '4', '0'][:fam.n_args])}")
    args = [int(p) for p in parts]
    if args[0] < 1 or (fam.check is not None and not fam.check(*args)):
        raise ValueError(f"{spec!r}: arguments out of range for {family}")
    return fam, args


def make_multi_task(spec: str, seed: int = 0, n_split: int = N_SPLIT) -> MultiTask:
    """Generate a multi-output task: ``n_split`` train, valid and test examples from ``seed``.

    Parameters
    ----------
    spec : str
        A multi-output task spec (see the module docstring), e.g. ``add:8``.
    seed : int, default=0
        Seeds the examples (for ``mdnf``, only the examples: the function is
        fixed by the spec's own seed).
    n_split : int, default=6400
        Examples per split.

    Returns
    -------
    MultiTask
        Inputs ``X_*`` of shape (n_split, n_inputs) and outputs ``Y_*`` of
        shape (n_split, n_outputs), uint8, and the outputs' names.
    """
    fam, args = _parse(spec)
    if n_split < 1:
        raise ValueError("n_split must be positive")
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 2, size=(3 * n_split, fam.n_inputs(*args)), dtype=np.uint8)
    Y = np.asarray(fam.function(X, *args), dtype=np.uint8)
    s = n_split
    return MultiTask(spec, X[:s], Y[:s], X[s:2 * s], Y[s:2 * s], X[2 * s:], Y[2 * s:], fam.names(*args))
