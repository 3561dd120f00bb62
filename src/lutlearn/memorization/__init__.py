"""The memorization lab: the literature's protocols for real versus random data, for lut networks and an MLP.

Experiments (one module each; Zhang et al. 2017, Arpit et al. 2017):

``noise``
    A fraction p of training labels randomized (randY) or inputs replaced by
    noise (randX): training accuracy on the clean and the noisy part, test
    accuracy, against k (lut networks) and hidden units (MLP).
``difficulty``
    Many learners differing only in their seed; per-example misclassification
    rates against the Binomial that pure chance predicts.
``critical``
    The critical sample ratio: test points whose prediction some nearby input
    changes (bit flips for lut networks, an L-infinity box for the MLP).
``capacity``
    The lut size k or hidden units needed to reach a training accuracy on real
    versus random labels, across training-set sizes.

Each module defines ``NAME``, ``TITLE``, ``plan(config) -> list[Run]`` and
``summarize(records, config) -> dict`` (a report section for
:mod:`lutlearn.report`); :mod:`lutlearn.memorization.runs` fits and measures.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

#: Experiment ids, in report order.
EXPERIMENTS: tuple[str, ...] = ("noise", "difficulty", "critical", "capacity")


@dataclass(frozen=True)
class LabConfig:
    """What every experiment's plan depends on.

    ``task`` is the base task (e.g. ``binary-mnist``); ``quick`` shrinks every
    sweep and subsamples ``quick_n_train`` training and ``quick_n_test`` test
    examples; ``learners`` is the number of seeds of ``difficulty``
    (``mlp_learners`` for the MLP); ``mlp`` adds the MLP runs;
    ``mlp_n_train`` subsamples the MLP's training set (None: all); ``seeds``
    replicates the noise, critical and capacity runs, each replicate with its
    own data draw (subsample, randomization) and learner seed.
    """

    task: str = "binary-mnist"
    quick: bool = False
    seeds: int = 1
    learners: int = 100
    mlp: bool = True
    mlp_learners: int = 20
    mlp_n_train: int | None = 10000
    quick_n_train: int = 1000
    quick_n_test: int = 500

    @property
    def n_train(self) -> int | None:
        """Training examples of the lut networks (None: the whole training set)."""
        return self.quick_n_train if self.quick else None

    @property
    def n_test(self) -> int | None:
        """Test examples measured (None: the whole test set)."""
        return self.quick_n_test if self.quick else None

    @property
    def mlp_train(self) -> int | None:
        """Training examples of the MLP."""
        return min(self.quick_n_train, self.mlp_n_train or self.quick_n_train) if self.quick else self.mlp_n_train

    @property
    def lut_layers(self) -> dict:
        """Depth and width of the lut networks (5 x 1024 as in the paper; 3 x 256 when quick)."""
        return dict(layers=3, width=256) if self.quick else dict(layers=5, width=1024)


def get_experiment(name: str) -> ModuleType:
    """The module of experiment ``name``."""
    if name not in EXPERIMENTS:
        raise ValueError(f"unknown memorization experiment {name!r}; choose one of {', '.join(EXPERIMENTS)} or all")
    return importlib.import_module(f"lutlearn.memorization.{name}")
