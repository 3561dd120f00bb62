"""The paper's tasks by name: the registry, the options, and the randomizations of the memorization literature.

A task name is a base name from :data:`TASKS` (``binary-mnist``,
``pairwise-cifar10:3-5``, ``multiclass-mnist``, ...) optionally followed by comma-separated
options, so that the command line reaches them too::

    binary-mnist,randY=1,seed=3        all training labels random coin flips (Arpit et al.'s randY)
    binary-mnist,permY=1,seed=3        the training labels randomly permuted (Table 3's "random data")
    binary-cifar10,grey,threshold=100  grey levels, quantized at 100
    pairwise-mnist:4-9,n=1000,randX=0.5

=============  ===================  ======================================================
option         :func:`get_task` kw  meaning
=============  ===================  ======================================================
``threshold``  ``threshold``        value > threshold is 1 (default 127; 8 for digits)
``grey``       ``grey``             CIFAR-10 only: one grey level per pixel (1024 bits)
``n``          ``n_train``          stratified subsample of n training examples
``randY``      ``random_labels``    fraction p of training labels replaced by random ones
``permY``      ``permuted_labels``  fraction p of training labels shuffled among themselves
``randX``      ``random_inputs``    fraction p of training inputs replaced by noise
``seed``       ``seed``             seed of the subsample and randomizations (default 0)
``levels``     ``levels``           M thermometer bits per value, value > (V + 1)(i + 1) / (M + 1) - 1
                                    for i < M, V the largest value (M=3 on MNIST: > 63, 127, 191)
=============  ===================  ======================================================

The test set is never subsampled or randomized. Each randomization draws from
its own stream of ``seed``, so e.g. changing ``randX`` leaves the subsample
and the random labels unchanged.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np

from lutlearn.datasets import _loaders


@dataclass
class Task:
    """A named learning task: Boolean inputs (uint8 0/1) and integer labels, split into train and test.

    ``info`` records how it was made: ``source``, ``classes`` (what labels 0,
    1, ... stand for), the options, ``train_indices`` (rows of the source's
    training set, in order), and ``labels_replaced`` / ``inputs_replaced``
    (rows of ``X_train`` whose label / input was randomized).
    """

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    description: str = ""
    info: dict = field(default_factory=dict)


@dataclass(frozen=True)
class TaskSpec:
    """A registry entry: a task name (or pattern) and what it is made of."""

    name: str
    source: str
    n_features: int
    description: str


TASKS: dict[str, TaskSpec] = {
    spec.name: spec for spec in [
        TaskSpec("binary-digits", "digits", 64,
                 "scikit-learn's bundled 8x8 digits, 0-4 v/s 5-9, pixel > 8 (of 0..16); "
                 "fixed stratified 75/25 split; no download"),
        TaskSpec("binary-mnist", "mnist", 784, "MNIST digits 0-4 v/s 5-9, pixel > 127"),
        TaskSpec("binary-cifar10", "cifar10", 3072,
                 "CIFAR-10 classes 0-4 v/s 5-9, each colour channel > 127 "
                 "(split and quantization inferred from the paper's numbers)"),
        TaskSpec("pairwise-digits:I-J", "digits", 64,
                 "scikit-learn's 8x8 digits, digit I (label 0) v/s digit J (label 1), pixel > 8; "
                 "same split as binary-digits"),
        TaskSpec("pairwise-mnist:I-J", "mnist", 784, "MNIST digit I (label 0) v/s digit J (label 1)"),
        TaskSpec("pairwise-cifar10:I-J", "cifar10", 3072, "CIFAR-10 class I (label 0) v/s class J (label 1)"),
        TaskSpec("multiclass-digits", "digits", 64,
                 "scikit-learn's 8x8 digits, all 10 classes (labels 0-9), pixel > 8; same split as binary-digits"),
        TaskSpec("multiclass-mnist", "mnist", 784, "MNIST, all 10 classes (labels 0-9), pixel > 127"),
        TaskSpec("multiclass-cifar10", "cifar10", 3072,
                 "CIFAR-10, all 10 classes (labels 0-9), each colour channel > 127"),
    ]
}

#: Examples per class of the canonical training and test sets (checked against the files by the tests).
CLASS_COUNTS = {
    "mnist": ([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
              [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]),
    "cifar10": ([5000] * 10, [1000] * 10),
    "digits": ([133, 136, 133, 137, 136, 136, 136, 134, 131, 135],
               [45, 46, 44, 46, 45, 46, 45, 45, 43, 45]),
}
_SOURCE_NAMES = {"digits": "8x8 digits", "mnist": "MNIST", "cifar10": "CIFAR-10"}
DEFAULT_THRESHOLD = {"digits": 8, "mnist": 127, "cifar10": 127}
MAX_VALUE = {"digits": 16, "mnist": 255, "cifar10": 255}

# option in a name -> (get_task keyword, parser, default)
_OPTIONS = {
    "threshold": ("threshold", int, None),
    "grey": ("grey", lambda v: v.lower() in ("", "1", "true", "yes"), False),
    "n": ("n_train", int, None),
    "randY": ("random_labels", float, 0.0),
    "permY": ("permuted_labels", float, 0.0),
    "randX": ("random_inputs", float, 0.0),
    "seed": ("seed", int, 0),
    "levels": ("levels", int, 1),
}

#: At most this many thermometer levels per value (``levels=M``).
MAX_LEVELS = 8
_KEYWORDS = {kw: (opt, default) for opt, (kw, _, default) in _OPTIONS.items()}
_BASE = re.compile(
    r"^(?:binary-(digits|mnist|cifar10)|pairwise-(digits|mnist|cifar10):(\d)-(\d)|multiclass-(digits|mnist|cifar10))$"
)


def task_names() -> list[str]:
    """The registered task names; pairwise tasks are patterns ``pairwise-DATA:I-J``
    (see :func:`pairwise_task_names`)."""
    return list(TASKS)


def pairwise_task_names(source: str) -> list[str]:
    """The 45 pairwise task names ``pairwise-SOURCE:I-J`` (I < J) of ``source``: ``digits``, ``mnist`` or
    ``cifar10``."""
    if source not in ("digits", "mnist", "cifar10"):
        raise ValueError(f"pairwise tasks exist for 'digits', 'mnist' and 'cifar10', not {source!r}")
    return [f"pairwise-{source}:{i}-{j}" for i in range(10) for j in range(i + 1, 10)]


def parse_task_name(name: str) -> tuple[str, dict]:
    """Split ``name`` into its base name and the options it carries, as :func:`get_task` keywords.

    >>> parse_task_name("binary-mnist,randY=1,seed=3")
    ('binary-mnist', {'random_labels': 1.0, 'seed': 3})
    """
    base, *parts = [p.strip() for p in name.split(",")]
    if not _BASE.match(base):
        raise ValueError(
            f"unknown task {base!r}; known tasks: {', '.join(task_names())} "
            "(I and J are different class numbers 0-9)"
        )
    options = {}
    for part in parts:
        key, _, value = part.partition("=")
        if key not in _OPTIONS:
            raise ValueError(f"task {name!r}: unknown option {key!r}; options are {', '.join(_OPTIONS)}")
        keyword, parse, _ = _OPTIONS[key]
        try:
            options[keyword] = parse(value)
        except ValueError:
            raise ValueError(f"task {name!r}: bad value {value!r} for option {key!r}") from None
    return base, options


def _resolve(name: str, keywords: dict) -> tuple[str, str, tuple[int, int] | None, dict]:
    """``(base, source, pair, options)`` from a name and the keywords given to :func:`get_task`."""
    base, options = parse_task_name(name)
    unknown = set(keywords) - set(_KEYWORDS)
    if unknown:
        raise TypeError(f"unknown task option(s) {', '.join(sorted(unknown))}; options are {', '.join(_KEYWORDS)}")
    for kw, value in keywords.items():
        default = _KEYWORDS[kw][1]
        if value != default:
            if kw in options and options[kw] != value:
                raise ValueError(f"task {name!r}: {kw} given both in the name and as {kw}={value!r}")
            options[kw] = value
    options = {kw: options.get(kw, default) for kw, (_, default) in _KEYWORDS.items()}
    m = _BASE.match(base)
    source = m.group(1) or m.group(2) or m.group(5)
    pair = (int(m.group(3)), int(m.group(4))) if m.group(2) else None
    if pair and pair[0] == pair[1]:
        raise ValueError(f"task {base!r}: the two classes must differ")
    if options["threshold"] is None:
        options["threshold"] = DEFAULT_THRESHOLD[source]
    if not 0 <= options["threshold"] < MAX_VALUE[source]:
        raise ValueError(
            f"task {base!r}: threshold {options['threshold']} would make every input bit constant; "
            f"its values are 0..{MAX_VALUE[source]} (use 0 <= threshold < {MAX_VALUE[source]})"
        )
    if options["seed"] < 0:
        raise ValueError(f"seed must be a non-negative integer, got {options['seed']}")
    if options["grey"] and source != "cifar10":
        raise ValueError(f"task {base!r}: the grey option is for CIFAR-10 tasks only")
    for kw in ("random_labels", "permuted_labels", "random_inputs"):
        if not 0.0 <= options[kw] <= 1.0:
            raise ValueError(f"{kw} must be a fraction in [0, 1], got {options[kw]}")
    if options["random_labels"] and options["permuted_labels"]:
        raise ValueError(f"task {base!r}: randY and permY are two ways of making random labels; give one of them")
    if not 1 <= options["levels"] <= MAX_LEVELS:
        raise ValueError(f"levels must be 1..{MAX_LEVELS} thermometer bits per value, got {options['levels']}")
    if options["levels"] > 1 and (options["threshold"] != DEFAULT_THRESHOLD[source] or options["random_inputs"]):
        raise ValueError(f"task {base!r}: levels sets its own thresholds; give it without threshold and randX")
    if options["n_train"] is not None and options["n_train"] < 1:
        raise ValueError(f"n_train must be a positive number of examples, got {options['n_train']}")
    return base, source, pair, options


def canonical_name(base: str, options: dict) -> str:
    """The task name that :func:`get_task` maps back to the same task: ``base`` plus its non-default options."""
    parts = [base]
    m = _BASE.match(base)
    source = m.group(1) or m.group(2) or m.group(5)
    for opt, (kw, _, default) in _OPTIONS.items():
        value = options.get(kw, default)
        if kw == "threshold" and value == DEFAULT_THRESHOLD[source]:
            continue
        if kw == "seed" and not (
            options.get("n_train") or options.get("random_labels") or options.get("random_inputs")
            or options.get("permuted_labels")
        ):
            continue
        if value != default:
            parts.append(opt if value is True else f"{opt}={value:g}" if isinstance(value, float) else f"{opt}={value}")
    return ",".join(parts)


def task_size(name: str) -> tuple[int, int, int]:
    """``(n_train, n_test, n_features)`` of a task, from the known class counts, without loading any data."""
    _, source, pair, options = _resolve(name, {})
    train, test = (np.asarray(c) for c in CLASS_COUNTS[source])
    if pair:
        train, test = train[list(pair)], test[list(pair)]
    n_train = int(train.sum()) if options["n_train"] is None else min(options["n_train"], int(train.sum()))
    n_features = 1024 if options["grey"] else TASKS[f"binary-{source}"].n_features
    return n_train, int(test.sum()), n_features * options["levels"]


def level_thresholds(source: str, levels: int) -> list[int]:
    """The thresholds of ``levels`` thermometer bits per value of ``source``: evenly spaced over its values."""
    top = MAX_VALUE[source] + 1
    return [top * (i + 1) // (levels + 1) - 1 for i in range(levels)]


def thermometer(X: np.ndarray, thresholds: list[int]) -> np.ndarray:
    """Bits ``X > t`` for every threshold, value-major: value ``f``'s bits are columns ``f * M .. f * M + M - 1``."""
    return np.stack([X > t for t in thresholds], axis=2).reshape(X.shape[0], -1).astype(np.uint8)


def _load(source: str, data_home, download: bool):
    if source == "digits":
        return _loaders.load_digits_raw()
    loader = _loaders.load_mnist if source == "mnist" else _loaders.load_cifar10
    return loader(data_home, download=download)


def get_task(
    name: str,
    data_home: str | os.PathLike | None = None,
    threshold: int | None = None,
    *,
    grey: bool = False,
    n_train: int | None = None,
    random_labels: float = 0.0,
    permuted_labels: float = 0.0,
    random_inputs: float = 0.0,
    seed: int = 0,
    levels: int = 1,
    download: bool = True,
) -> Task:
    """Build the task called ``name``, loading (and if needed downloading) its data set.

    Parameters
    ----------
    name : str
        A task name (see :data:`TASKS`), e.g. ``binary-mnist`` or
        ``pairwise-cifar10:3-5``, optionally with options in the name
        (``binary-mnist,randY=1``; see the module docstring).
    data_home : path-like, optional
        Folder holding ``mnist/`` and ``cifar10/`` (default:
        ``$LUTLEARN_DATA``, else ``~/.cache/lutlearn``).
    threshold : int, optional
        A value above ``threshold`` becomes 1 (default 127; 8 for
        ``binary-digits``, whose pixels are 0..16).
    grey : bool, default=False
        CIFAR-10 only: quantize one grey level per pixel,
        ``round(0.299 R + 0.587 G + 0.114 B)``, giving 1024 bits instead of 3072.
    n_train : int, optional
        Keep a stratified random subsample of ``n_train`` training examples.
    random_labels : float, default=0.0
        Fraction p of training labels replaced by uniformly random labels
        ("randY", Arpit et al. 2017): fair coin flips for a binary task, whatever
        the real labels' class balance.
    permuted_labels : float, default=0.0
        Fraction p of training labels shuffled among themselves ("permY"):
        ``round(p * n)`` rows are chosen and their labels randomly permuted, so
        the class counts stay exactly the real ones. p=1 is Zhang et al.'s
        (2017) random labels and the paper's random data (Table 3).
    random_inputs : float, default=0.0
        Fraction p of training inputs replaced by Gaussian noise with the
        training data's per-feature mean and variance, then quantized like
        the real inputs ("randX").
    seed : int, default=0
        Seed of the subsample and the randomizations.
    levels : int, default=1
        Thermometer bits per value: with ``M > 1``, each value gives ``M``
        bits, ``value > (V + 1)(i + 1) / (M + 1) - 1`` for ``i < M`` (``V``
        the largest value: 63, 127 and 191 for ``M = 3`` on MNIST), value
        by value (:func:`thermometer`), instead of one bit at ``threshold``.
    download : bool, default=True
        Download missing data files (see :func:`lutlearn.datasets.load_mnist`).

    Returns
    -------
    Task
        Its ``name`` is canonical: ``get_task(task.name)`` rebuilds the same task.
    """
    keywords = dict(threshold=threshold, grey=grey, n_train=n_train, random_labels=random_labels,
                    permuted_labels=permuted_labels, random_inputs=random_inputs, seed=seed, levels=levels)
    base, source, pair, options = _resolve(name, keywords)
    return _build(base, source, pair, options, _load(source, data_home, download))


def iter_pairwise_tasks(source: str, data_home: str | os.PathLike | None = None, **options) -> Iterator[Task]:
    """Yield the 45 pairwise tasks of ``source`` (``I < J``), loading the data set once.

    ``options`` are :func:`get_task`'s keywords (``threshold``, ``grey``,
    ``n_train``, ``random_labels``, ``permuted_labels``, ``random_inputs``, ``seed``, ``download``).
    """
    download = options.pop("download", True)
    names = pairwise_task_names(source)
    resolved = [_resolve(name, options) for name in names]  # bad options fail before loading
    raw = _load(source, data_home, download)
    for base, _, pair, opts in resolved:
        yield _build(base, source, pair, opts, raw)


def to_grey(X: np.ndarray, chunk: int = 4096) -> np.ndarray:
    """Grey levels ``round(0.299 R + 0.587 G + 0.114 B)`` of channel-major RGB rows (n, 3 * P) as uint8 (n, P).

    Integer arithmetic, in row chunks to bound memory.
    """
    planes = X.shape[1] // 3
    grey = np.empty((len(X), planes), dtype=np.uint8)
    for start in range(0, len(X), chunk):
        R, G, B = (X[start:start + chunk, c * planes:(c + 1) * planes].astype(np.uint32) for c in range(3))
        grey[start:start + chunk] = (299 * R + 587 * G + 114 * B + 500) // 1000
    return grey


def stratified_subsample(y: np.ndarray, n: int, rng) -> np.ndarray:
    """Sorted indices of ``n`` rows drawn without replacement, keeping the class proportions of ``y``.

    Each class gets its proportional share, rounded by largest remainder
    (ties to the smaller class label), so the total is exactly ``n``.
    ``rng`` is a seed or a :class:`numpy.random.Generator`.
    """
    rng = np.random.default_rng(rng)
    if not 0 < n <= len(y):
        raise ValueError(f"cannot draw {n} examples from {len(y)}")
    classes, counts = np.unique(y, return_counts=True)
    exact = counts * (n / len(y))
    take = np.floor(exact).astype(np.int64)
    take[np.argsort(-(exact - take), kind="stable")[: n - int(take.sum())]] += 1
    chosen = [rng.choice(np.flatnonzero(y == c), size=t, replace=False) for c, t in zip(classes, take)]
    return np.sort(np.concatenate(chosen))


def _choose_fraction(n: int, p: float, rng: np.random.Generator) -> np.ndarray:
    return np.sort(rng.choice(n, size=int(round(p * n)), replace=False))


def randomize_labels(y: np.ndarray, p: float, rng, classes=None) -> tuple[np.ndarray, np.ndarray]:
    """Replace a fraction ``p`` of the labels by labels drawn uniformly from ``classes`` ("randY").

    Exactly ``round(p * len(y))`` labels, chosen at random, are redrawn (a
    redrawn label may equal the old one by chance, as in Zhang et al. 2017).
    Returns the new labels and the sorted indices that were redrawn.
    """
    rng = np.random.default_rng(rng)
    classes = np.unique(y) if classes is None else np.asarray(classes)
    idx = _choose_fraction(len(y), p, rng)
    y = y.copy()
    y[idx] = classes[rng.integers(0, len(classes), size=len(idx))]
    return y, idx


def permute_labels(y: np.ndarray, p: float, rng) -> tuple[np.ndarray, np.ndarray]:
    """Shuffle a fraction ``p`` of the labels among themselves ("permY", Zhang et al. 2017).

    Exactly ``round(p * len(y))`` rows, chosen at random, get their labels
    randomly permuted among them, so the number of examples of each class is
    unchanged (a row may keep its label by chance). Returns the new labels and
    the sorted indices of the shuffled rows.
    """
    rng = np.random.default_rng(rng)
    idx = _choose_fraction(len(y), p, rng)
    y = y.copy()
    y[idx] = y[idx][rng.permutation(len(idx))]
    return y, idx


def feature_moments(X: np.ndarray, chunk: int = 4096) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature mean and variance of ``X`` (float64), computed in row chunks to bound memory."""
    total = np.zeros(X.shape[1])
    squares = np.zeros(X.shape[1])
    for start in range(0, len(X), chunk):
        block = X[start:start + chunk].astype(np.float64)
        total += block.sum(axis=0)
        squares += (block * block).sum(axis=0)
    mean = total / len(X)
    return mean, np.maximum(squares / len(X) - mean * mean, 0.0)


def randomize_inputs(
    X: np.ndarray, p: float, threshold: float, rng, chunk: int = 4096
) -> tuple[np.ndarray, np.ndarray]:
    """Quantized inputs ``X > threshold`` with a fraction ``p`` of rows replaced by quantized noise ("randX").

    The noise is i.i.d. Gaussian with each feature's mean and variance over
    the rows of ``X`` (Arpit et al. 2017), drawn in row chunks, then quantized
    with the same threshold. Returns the uint8 0/1 inputs and the sorted
    indices of the replaced rows.
    """
    rng = np.random.default_rng(rng)
    bits = (X > threshold).astype(np.uint8)
    idx = _choose_fraction(len(X), p, rng)
    if len(idx):
        mean, var = feature_moments(X)
        std = np.sqrt(var)
        for start in range(0, len(idx), chunk):
            rows = idx[start:start + chunk]
            bits[rows] = rng.normal(mean, std, size=(len(rows), X.shape[1])) > threshold
    return bits, idx


def _build(base: str, source: str, pair, options: dict, raw) -> Task:
    X_train, y_train, X_test, y_test = raw
    if pair:
        i, j = pair
        train_rows = np.flatnonzero(np.isin(y_train, pair))
        test_rows = np.isin(y_test, pair)
        X_train, y_train = X_train[train_rows], (y_train[train_rows] == j).astype(np.int64)
        X_test, y_test = X_test[test_rows], (y_test[test_rows] == j).astype(np.int64)
        classes = [f"class {i}", f"class {j}"]
    elif base.startswith("multiclass-"):
        train_rows = np.arange(len(y_train))
        y_train, y_test = y_train.astype(np.int64), y_test.astype(np.int64)
        classes = [f"class {c}" for c in range(10)]
    else:
        train_rows = np.arange(len(y_train))
        y_train, y_test = (y_train >= 5).astype(np.int64), (y_test >= 5).astype(np.int64)
        classes = ["classes 0-4", "classes 5-9"]
    if options["grey"]:
        X_train, X_test = to_grey(X_train), to_grey(X_test)
    # spawn(4)'s first three children are spawn(3)'s: adding permY's stream changed no other draw
    rng_subsample, rng_labels, rng_inputs, rng_permuted = (
        np.random.default_rng(s) for s in np.random.SeedSequence(options["seed"]).spawn(4)
    )
    if options["n_train"] is not None and options["n_train"] < len(y_train):
        keep = stratified_subsample(y_train, options["n_train"], rng_subsample)
        X_train, y_train, train_rows = X_train[keep], y_train[keep], train_rows[keep]
    threshold = options["threshold"]
    B_train, inputs_replaced = randomize_inputs(X_train, options["random_inputs"], threshold, rng_inputs)
    y_train, labels_replaced = randomize_labels(
        y_train, options["random_labels"], rng_labels, classes=list(range(len(classes)))
    )
    if options["permuted_labels"]:
        y_train, labels_replaced = permute_labels(y_train, options["permuted_labels"], rng_permuted)
    levels = options["levels"]
    if levels > 1:
        cuts = level_thresholds(source, levels)
        B_train, B_test = thermometer(X_train, cuts), thermometer(X_test, cuts)
        extras = [f"{levels} bits per value: > {', '.join(map(str, cuts))}"]
    else:
        B_test = (X_test > threshold).astype(np.uint8)
        extras = [f"value > {threshold}"]
    extras += ["grey levels"] if options["grey"] else []
    if options["n_train"]:
        extras.append(f"{len(y_train)} training examples")
    if options["random_labels"]:
        extras.append(f"{len(labels_replaced)} random labels")
    if options["permuted_labels"]:
        extras.append(f"{len(labels_replaced)} labels permuted")
    if options["random_inputs"]:
        extras.append(f"{len(inputs_replaced)} noise inputs")
    info = dict(
        source=source, classes=classes, **options, train_indices=train_rows,
        labels_replaced=labels_replaced, inputs_replaced=inputs_replaced,
    )
    what = "10 classes" if len(classes) > 2 else f"{classes[0]} v/s {classes[1]}"
    return Task(canonical_name(base, options), B_train, y_train, B_test, y_test,
                f"{_SOURCE_NAMES[source]} {what}; {', '.join(extras)}", info)
