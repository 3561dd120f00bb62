"""Contest-like Boolean learning tasks: generators of the IWLS 2020 function families, and a suite of them.

The IWLS 2020 contest "Logic Synthesis Meets Machine Learning" (Rai et al.,
DATE 2021) asks for a single-output circuit learned from 6,400 random
minterms, validated on 6,400 more and scored on 6,400 hidden ones. Its 100
functions come from ten families; this module generates tasks of the same
families, so that learners are developed and tuned on them and the contest's
own files stay a hold-out. A task is named by a spec ``FAMILY:ARGS``:

============================  ======================================================================
spec                          function (inputs are uniform random bits unless said otherwise)
============================  ======================================================================
``add-carry:K``               carry out (bit K) of the sum of two K-bit numbers (2K inputs)
``add-msb:K``                 bit K-1 of that sum
``div-msb:K``                 bit K/2 of the quotient a // b of a K-bit a by a K/2-bit b (K + K/2
                              inputs; all ones when b = 0, as a restoring divider gives): the top
                              bit of a typical quotient, set about half the time
``rem-msb:K``                 bit K/2 - 1 (the top bit) of the remainder a mod b (a when b = 0)
``mul-msb:K``                 bit 2K-1 of the product of two K-bit numbers
``mul-mid:K``                 bit K of that product
``cmp:N``                     1 when the first N/2 bits, as a number (MSB first), exceed the last N/2
``sqrt-lsb:K``                least significant bit of the integer square root of a K-bit number
``sqrt-mid:K``                bit K/4 of that square root (its middle bit)
``sym:N:S``                   a symmetric function of N inputs: a random truth table (seed S) of
                              the number of ones
``few:N:H:S``                 a random function (seed S) of H of the N inputs, chosen at random:
                              the stand-in for the contest's control-logic outputs
``xor-few:N:H:S``             the parity of H of the N inputs, chosen at random (seed S)
``dnf:N:T:L:S``               a random DNF (seed S) of T terms over N inputs, the stand-in for the
                              contest's control logic (MCNC, PicoJava): each term ANDs about
                              log2(T / ln 2) (at most L) literals of random inputs and signs, so
                              the output is 1 about half the time
``mnist:GROUPS``              MNIST images (pixel > 127, 784 inputs) of two groups of digits,
                              e.g. ``mnist:012-345``: output 1 for the second group
``cifar10:GROUPS``            CIFAR-10 images (each channel > 127, 3072 inputs) likewise
============================  ======================================================================

Numbers are read most significant bit first: operand ``a`` is inputs
``0 .. K-1``, operand ``b`` the inputs after it. :func:`make_task` draws
6,400 / 6,400 / 6,400 train / valid / test examples from a seed; image tasks
take train and valid from the data set's training images of the two groups
and test from its test images. :data:`SUITE` lists the task specs of the
suite (at least 60 across the families).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["SUITE", "FAMILIES", "IMAGE_SUITE", "LogicTask", "dnf_terms", "family_of", "make_task"]

#: Examples per split, as in the contest.
N_SPLIT = 6400


def _ints(bits: np.ndarray) -> list[int]:
    """Each row of 0/1 ``bits`` as a Python integer, the first bit most significant."""
    if bits.shape[1] == 0:
        return [0] * bits.shape[0]
    packed = np.packbits(bits.astype(np.uint8), axis=1)
    shift = packed.shape[1] * 8 - bits.shape[1]
    return [int.from_bytes(row.tobytes(), "big") >> shift for row in packed]


def _bit(values: list[int], b: int) -> np.ndarray:
    """Bit ``b`` (0 = least significant) of each integer."""
    return np.array([(v >> b) & 1 for v in values], dtype=np.uint8)


def _operands(X: np.ndarray, k: int) -> tuple[list[int], list[int]]:
    return _ints(X[:, :k]), _ints(X[:, k:2 * k])


def _add(X, k, b):
    a, c = _operands(X, k)
    return _bit([x + y for x, y in zip(a, c)], b)


def _div(X, k, remainder):
    h = k // 2
    a, c = _ints(X[:, :k]), _ints(X[:, k:k + h])
    if remainder:
        return _bit([x % y if y else x for x, y in zip(a, c)], h - 1)
    return _bit([x // y if y else (1 << k) - 1 for x, y in zip(a, c)], h)


def _mul(X, k, b):
    a, c = _operands(X, k)
    return _bit([x * y for x, y in zip(a, c)], b)


def _cmp(X, n):
    a, c = _operands(X, n // 2)
    return np.array([x > y for x, y in zip(a, c)], dtype=np.uint8)


def _sqrt(X, k, b):
    return _bit([math.isqrt(v) for v in _ints(X)], b)


def _sym(X, n, seed):
    table = np.random.default_rng(seed).integers(0, 2, n + 1).astype(np.uint8)
    return table[X.sum(axis=1)]


def _hidden(n, h, seed):
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n, h, replace=False)), rng


def _few(X, n, h, seed):
    support, rng = _hidden(n, h, seed)
    table = rng.integers(0, 2, 1 << h).astype(np.uint8)
    while table.min() == table.max() or any(  # every hidden input matters
        np.array_equal(table.reshape(-1, 2, 1 << (h - 1 - i))[:, 0], table.reshape(-1, 2, 1 << (h - 1 - i))[:, 1])
        for i in range(h)
    ):
        table = rng.integers(0, 2, 1 << h).astype(np.uint8)
    idx = np.zeros(X.shape[0], np.int64)
    for i in support:
        idx = (idx << 1) | X[:, i]
    return table[idx]


def _xor_few(X, n, h, seed):
    support, _ = _hidden(n, h, seed)
    return (X[:, support].sum(axis=1) % 2).astype(np.uint8)


def dnf_terms(n: int, t: int, most: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The terms of ``dnf:N:T:L:S``: per term, its input indices and the value each must have.

    Each term has ``round(log2(t / ln 2))`` literals, plus -1, 0 or +1 at
    random, clipped to ``1 .. most``: ``t`` terms of ``l`` literals are all
    false with probability ``(1 - 2**-l)**t``, about one half.
    """
    rng = np.random.default_rng([seed, 0x646E66])  # "dnf"
    base = round(math.log2(t / math.log(2)))
    terms = []
    for _ in range(t):
        size = int(min(most, max(1, base + rng.integers(-1, 2))))
        terms.append((np.sort(rng.choice(n, size, replace=False)), rng.integers(0, 2, size).astype(np.uint8)))
    return terms


def _dnf(X, n, t, most, seed):
    y = np.zeros(X.shape[0], bool)
    for inputs, values in dnf_terms(n, t, most, seed):
        y |= (X[:, inputs] == values).all(axis=1)
    return y.astype(np.uint8)


@dataclass(frozen=True)
class _Family:
    """A family of generated functions: argument count, the number of inputs and the function."""

    n_args: int
    n_inputs: object
    function: object
    check: object = None


def _even(n: int) -> bool:
    return n >= 2 and n % 2 == 0


#: Generated families (image families are handled by :func:`make_task`).
FAMILIES: dict[str, _Family] = {
    "add-carry": _Family(1, lambda k: 2 * k, lambda X, k: _add(X, k, k)),
    "add-msb": _Family(1, lambda k: 2 * k, lambda X, k: _add(X, k, k - 1)),
    "div-msb": _Family(1, lambda k: k + k // 2, lambda X, k: _div(X, k, False), lambda k: _even(k)),
    "rem-msb": _Family(1, lambda k: k + k // 2, lambda X, k: _div(X, k, True), lambda k: _even(k)),
    "mul-msb": _Family(1, lambda k: 2 * k, lambda X, k: _mul(X, k, 2 * k - 1)),
    "mul-mid": _Family(1, lambda k: 2 * k, lambda X, k: _mul(X, k, k)),
    "cmp": _Family(1, lambda n: n, _cmp, lambda n: _even(n)),
    "sqrt-lsb": _Family(1, lambda k: k, lambda X, k: _sqrt(X, k, 0), lambda k: k >= 2),
    "sqrt-mid": _Family(1, lambda k: k, lambda X, k: _sqrt(X, k, k // 4), lambda k: k >= 4),
    "sym": _Family(2, lambda n, s: n, _sym),
    "few": _Family(3, lambda n, h, s: n, _few, lambda n, h, s: 1 <= h <= min(n, 16)),
    "xor-few": _Family(3, lambda n, h, s: n, _xor_few, lambda n, h, s: 1 <= h <= n),
    "dnf": _Family(4, lambda n, t, m, s: n, _dnf, lambda n, t, m, s: t >= 1 and 1 <= m <= n),
}

IMAGE_FAMILIES = {"mnist": 784, "cifar10": 3072}


@dataclass
class LogicTask:
    """A generated task: 0/1 inputs and one 0/1 output for train, valid and test."""

    spec: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_valid: np.ndarray
    y_valid: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray

    @property
    def family(self) -> str:
        return family_of(self.spec)


def family_of(spec: str) -> str:
    """The family name of a task spec (``add-msb:32`` -> ``add-msb``)."""
    return spec.partition(":")[0]


def _parse(spec: str) -> tuple[str, list]:
    family, _, rest = spec.partition(":")
    if family in IMAGE_FAMILIES:
        groups = rest.split("-")
        n_classes = 10
        if (len(groups) != 2 or not all(g.isdigit() for g in groups)
                or set(groups[0]) & set(groups[1]) or len(set(groups[0])) != len(groups[0])
                or len(set(groups[1])) != len(groups[1]) or max(map(int, rest.replace("-", ""))) >= n_classes):
            raise ValueError(f"{spec!r}: image tasks are {family}:GROUP-GROUP with two disjoint groups of digits, "
                             "e.g. mnist:012-345")
        return family, [[int(c) for c in g] for g in groups]
    if family not in FAMILIES:
        known = sorted(FAMILIES) + sorted(IMAGE_FAMILIES)
        raise ValueError(f"unknown task family {family!r} in {spec!r}: one of {', '.join(known)}")
    fam = FAMILIES[family]
    parts = rest.split(":") if rest else []
    if len(parts) != fam.n_args or not all(p.isdigit() for p in parts):
        raise ValueError(f"{spec!r}: {family} takes {fam.n_args} integer argument(s), e.g. "
                         f"{family}:{':'.join(['16', '4', '4', '0'][:fam.n_args])}")
    args = [int(p) for p in parts]
    if args[0] < 1 or (fam.check is not None and not fam.check(*args)):
        raise ValueError(f"{spec!r}: arguments out of range for {family}")
    return family, args


def make_task(spec: str, seed: int = 0, n_split: int = N_SPLIT, data_home=None) -> LogicTask:
    """Generate a task: ``n_split`` train, valid and test examples from ``seed``.

    Parameters
    ----------
    spec : str
        A task spec (see the module docstring).
    seed : int, default=0
        Seeds the examples (and, for ``sym``/``few``/``xor-few``, only the
        examples: the function is fixed by the spec's own seed).
    n_split : int, default=6400
        Examples per split.
    data_home : str or path, optional
        Where MNIST and CIFAR-10 are, for image tasks (see :mod:`lutlearn.datasets`).

    Returns
    -------
    LogicTask
    """
    family, args = _parse(spec)
    if n_split < 1:
        raise ValueError("n_split must be positive")
    rng = np.random.default_rng(seed)
    if family in IMAGE_FAMILIES:
        return _image_task(spec, family, args, rng, n_split, data_home)
    fam = FAMILIES[family]
    X = rng.integers(0, 2, size=(3 * n_split, fam.n_inputs(*args)), dtype=np.uint8)
    y = np.asarray(fam.function(X, *args), dtype=np.uint8)
    s = n_split
    return LogicTask(spec, X[:s], y[:s], X[s:2 * s], y[s:2 * s], X[2 * s:], y[2 * s:])


def _image_task(spec, family, groups, rng, n_split, data_home) -> LogicTask:
    from lutlearn.datasets import load_cifar10, load_mnist

    X_tr, y_tr, X_te, y_te = (load_mnist if family == "mnist" else load_cifar10)(data_home=data_home)

    def pick(X, y, n, replace):
        keep = np.flatnonzero(np.isin(y, groups[0] + groups[1]))
        rows = rng.choice(keep, n, replace=replace or n > len(keep))
        return (X[rows] > 127).astype(np.uint8), np.isin(y[rows], groups[1]).astype(np.uint8)

    X, y = pick(X_tr, y_tr, 2 * n_split, False)
    Xt, yt = pick(X_te, y_te, n_split, False)
    return LogicTask(spec, X[:n_split], y[:n_split], X[n_split:], y[n_split:], Xt, yt)


#: The generated suite: specs across the families (image tasks need the data sets).
SUITE: tuple[str, ...] = (
    *(f"add-carry:{k}" for k in (16, 32, 64, 128, 256)),
    *(f"add-msb:{k}" for k in (16, 32, 64, 128, 256)),
    *(f"div-msb:{k}" for k in (8, 16, 32, 64, 128)),
    *(f"rem-msb:{k}" for k in (8, 16, 32, 64, 128)),
    *(f"mul-msb:{k}" for k in (8, 16, 32, 64, 128)),
    *(f"mul-mid:{k}" for k in (8, 16, 32, 64, 128)),
    *(f"cmp:{n}" for n in range(10, 101, 10)),
    *(f"sqrt-lsb:{k}" for k in (16, 32, 64, 128, 256)),
    *(f"sqrt-mid:{k}" for k in (16, 32, 64, 128, 256)),
    *(f"sym:16:{s}" for s in range(5)),
    *(f"few:{n}:{h}:{s}" for s, (n, h) in enumerate([(32, 2), (64, 3), (128, 4), (256, 4), (64, 6), (128, 8)])),
    *(f"xor-few:{n}:{h}:{s}" for s, (n, h) in enumerate([(128, 2), (256, 3), (100, 4), (512, 2)])),
    *(f"dnf:{n}:{t}:{m}:{s}" for s, (n, t, m) in enumerate([(16, 8, 6), (32, 16, 8), (64, 12, 8), (128, 24, 10),
                                                            (256, 16, 10)])),
    *(f"mnist:{g}" for g in ("01234-56789", "0-1", "3-8", "012-345", "4-9")),
    *(f"cifar10:{g}" for g in ("01234-56789", "0-1", "3-5", "012-345", "1-9")),
)

#: The image families: the suite's group comparisons and three more of each (``bench_circuits.py --images``).
IMAGE_SUITE: tuple[str, ...] = (
    *(s for s in SUITE if family_of(s) in IMAGE_FAMILIES),
    *(f"mnist:{g}" for g in ("1-7", "5-6", "2-7")),
    *(f"cifar10:{g}" for g in ("2-6", "4-7", "8-9")),
)
