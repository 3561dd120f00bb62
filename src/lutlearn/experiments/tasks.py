"""Tasks for the experiments: the paper's, their small stand-ins for ``--quick``, and random labels.

The tasks are :func:`lutlearn.datasets.get_task`'s, by name. ``--quick``
replaces MNIST and CIFAR-10 by scikit-learn's bundled 8x8 digits (no
download): ``binary-digits`` for the binary tasks and ``pairwise-digits:I-J``
for the pairwise ones.
"""

from __future__ import annotations

import numpy as np

#: Task families of the paper and their ``--quick`` stand-ins.
QUICK_STANDIN = {"binary-mnist": "binary-digits", "binary-cifar10": "binary-digits"}


def pairwise_name(family: str, i: int, j: int, quick: bool) -> str:
    """Name of the pairwise task ``i`` v/s ``j`` of ``family`` (``mnist``/``cifar10``), or its quick stand-in."""
    return f"pairwise-{'digits' if quick else family}:{i}-{j}"


def binary_name(name: str, quick: bool) -> str:
    """The task ``name`` (``binary-mnist``/``binary-cifar10``), or its quick stand-in."""
    return QUICK_STANDIN[name] if quick else name


_READABLE = {"digits": "Digits", "mnist": "MNIST", "cifar10": "CIFAR-10"}


def readable_task(name: str) -> str:
    """A task name for titles and captions: ``binary-mnist`` -> ``Binary-MNIST``, ``pairwise-cifar10:3-5`` ->
    ``Pairwise-CIFAR-10 3 v/s 5``; options follow in parentheses (``Binary-Digits (n=500)``)."""
    base, *options = name.split(",")
    kind, _, rest = base.partition("-")
    source, _, pair = rest.partition(":")
    text = f"{kind.capitalize()}-{_READABLE.get(source, source)}"
    if pair:
        text += " " + pair.replace("-", " v/s ")
    return text + (f" ({', '.join(options)})" if options else "")


def random_labels(n: int, seed: int) -> np.ndarray:
    """Uniformly random 0/1 labels for ``n`` examples, fixed by ``seed`` (Arpit et al.'s randY).

    The stream is independent of the network's wiring, which is drawn from the
    same seed through a different generator.
    """
    from lutlearn.datasets import randomize_labels

    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0x72616E64]))  # "rand"
    labels, _ = randomize_labels(np.zeros(n, np.int64), 1.0, rng, classes=[0, 1])
    return labels


def permuted_labels(y: np.ndarray, seed: int) -> np.ndarray:
    """The labels ``y`` randomly permuted, fixed by ``seed`` (Zhang et al.'s random labels, the paper's Table 3).

    The class counts are the real ones (Binary-MNIST: 49.0% of class 1). The
    stream is independent of the network's wiring and of :func:`random_labels`.
    """
    from lutlearn.datasets import permute_labels

    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0x7065726D]))  # "perm"
    labels, _ = permute_labels(np.asarray(y), 1.0, rng)
    return labels


def labels_with_balance(n: int, ones: float, seed: int) -> np.ndarray:
    """Random 0/1 labels for ``n`` examples with exactly ``round(ones * n)`` ones at random places, fixed by
    ``seed`` (the label-balance sweep behind Table 3's random-label note)."""
    if not 0.0 <= ones <= 1.0:
        raise ValueError(f"the fraction of ones must be in [0, 1], got {ones}")
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0x62616C61]))  # "bala"
    labels = np.zeros(n, np.int64)
    labels[: int(round(ones * n))] = 1
    return labels[rng.permutation(n)]
