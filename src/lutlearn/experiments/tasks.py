"""Tasks for the experiments: the paper's, their small stand-ins for ``--quick``, and random labels.

The paper's tasks come from :func:`lutlearn.datasets.get_task`. ``--quick``
replaces MNIST and CIFAR-10 by scikit-learn's bundled 8x8 digits (no
download): ``binary-digits`` for the binary tasks and ``pairwise-digits:I-J``
(built here, pixel > 8 as for ``binary-digits``) for the pairwise ones.
"""

from __future__ import annotations

import os
import re

import numpy as np

from lutlearn.datasets import Task, get_task, load_digits_raw

_PAIRWISE_DIGITS = re.compile(r"^pairwise-digits:(\d)-(\d)$")

#: Task families of the paper and their ``--quick`` stand-ins.
QUICK_STANDIN = {"binary-mnist": "binary-digits", "binary-cifar10": "binary-digits"}


def pairwise_name(family: str, i: int, j: int, quick: bool) -> str:
    """Name of the pairwise task ``i`` v/s ``j`` of ``family`` (``mnist``/``cifar10``), or its quick stand-in."""
    return f"pairwise-{'digits' if quick else family}:{i}-{j}"


def binary_name(name: str, quick: bool) -> str:
    """The task ``name`` (``binary-mnist``/``binary-cifar10``), or its quick stand-in."""
    return QUICK_STANDIN[name] if quick else name


def load_task(name: str, data_home: str | os.PathLike | None = None) -> Task:
    """Build a task by name: any :func:`~lutlearn.datasets.get_task` name, or ``pairwise-digits:I-J``."""
    m = _PAIRWISE_DIGITS.match(name)
    if not m:
        return get_task(name, data_home=data_home)
    i, j = int(m.group(1)), int(m.group(2))
    if i == j:
        raise ValueError(f"task {name!r}: the two classes must differ")
    Xtr, ytr, Xte, yte = load_digits_raw()
    tr, te = np.isin(ytr, (i, j)), np.isin(yte, (i, j))
    return Task(name, (Xtr[tr] > 8).astype(np.uint8), (ytr[tr] == j).astype(np.int64),
                (Xte[te] > 8).astype(np.uint8), (yte[te] == j).astype(np.int64),
                f"scikit-learn 8x8 digits, {i} v/s {j}, pixel > 8")


def random_labels(n: int, seed: int) -> np.ndarray:
    """Uniformly random 0/1 labels for ``n`` examples, fixed by ``seed`` (Arpit et al.'s randY).

    The stream is independent of the network's wiring, which is drawn from the
    same seed through a different generator.
    """
    from lutlearn._tasks import randomize_labels

    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0x72616E64]))  # "rand"
    labels, _ = randomize_labels(np.zeros(n, np.int64), 1.0, rng, classes=[0, 1])
    return labels
