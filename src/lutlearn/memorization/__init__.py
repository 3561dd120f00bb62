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
:mod:`lutlearn.experiments.report`); :mod:`lutlearn.memorization.runs` fits and measures.
:data:`REGISTRY` is the family that
:func:`lutlearn.experiments.runner.run_suite` plans, runs and reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from lutlearn.experiments.registry import Registry

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


@dataclass(frozen=True)
class _LabExperiments(Registry):
    """The lab's experiments: fitted and measured by :func:`lutlearn.memorization.runs.fit_and_measure`."""

    @property
    def fit(self):
        from lutlearn.memorization.runs import fit_and_measure

        return fit_and_measure

    def prepare(self, options: LabConfig) -> None:
        if options.mlp:
            from lutlearn.experiments._torch import require_torch

            require_torch("the MLP")  # imported before the records' provenance is taken, so they name its version

    def quick_note(self, options: LabConfig) -> str | None:
        if not options.quick:
            return None
        return (f"**Quick mode**: {options.quick_n_train} training and {options.quick_n_test} test examples, small "
                "networks, few settings: these numbers check the pipeline, not the claims.")


#: The lab's experiments as a family for :func:`~lutlearn.experiments.runner.run_suite`.
REGISTRY = _LabExperiments(
    package="lutlearn.memorization", names=EXPERIMENTS, kind="memorization experiment", report="memorization",
    desc="memorization", title="Memorization lab: real versus random data",
    closing="Protocols of Zhang et al. (2017) and Arpit et al. (2017). One JSON record per run is under "
            "`runs/`; 'paper' columns do not apply here (there are no published numbers for these settings).",
)


def get_experiment(name: str) -> ModuleType:
    """The module of experiment ``name``."""
    return REGISTRY.get(name)
