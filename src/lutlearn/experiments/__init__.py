"""The paper's experiments, one module per table or figure.

Each module defines ``NAME``, ``TITLE``, ``plan(quick, seeds, slow) -> list[Run]``
(the runs it needs) and ``summarize(records, quick, slow) -> dict`` (a report
section built from the stored records: tables of cells and figure data).
:mod:`lutlearn.experiments.runner` runs plans into JSON records
(:func:`~lutlearn.experiments.runner.run_suite`: plan, run, report);
:mod:`lutlearn.experiments.report` renders sections as Markdown and PNG.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from lutlearn.experiments.registry import Registry

#: Experiment ids, in report order.
EXPERIMENTS: tuple[str, ...] = ("table1", "table2", "table3", "table4", "figure1", "depth")


@dataclass(frozen=True)
class PaperConfig:
    """What the paper's experiments depend on: ``quick`` stand-in tasks, ``seeds`` per setting, ``slow`` members."""

    quick: bool = False
    seeds: int = 1
    slow: bool = False


@dataclass(frozen=True)
class _PaperExperiments(Registry):
    """The paper's experiments take their options as keywords."""

    def plan(self, module: ModuleType, options: PaperConfig) -> list:
        return module.plan(quick=options.quick, seeds=options.seeds, slow=options.slow)

    def summarize(self, module: ModuleType, records: list[dict], options: PaperConfig, **inputs) -> dict:
        return module.summarize(records, quick=options.quick, slow=options.slow, **inputs)

    def quick_note(self, options: PaperConfig) -> str | None:
        if not options.quick:
            return None
        return ("**Quick mode**: small stand-in tasks (scikit-learn's 8x8 digits) and fewer settings; "
                "these numbers check the pipeline and are not comparable with the paper's.")


#: The paper's experiments as a family for :func:`~lutlearn.experiments.runner.run_suite`.
REGISTRY = _PaperExperiments(
    package="lutlearn.experiments", names=EXPERIMENTS, kind="experiment", report="report", desc="reproduce",
    title="Reproducing Chatterjee (2018), \"Learning and Memorization\"",
    closing="Each accuracy is ours (mean ± std over seeds when there are several), then the paper's "
            "number and the difference; `!` marks a difference beyond the target (0.02 on MNIST, "
            "0.03 on CIFAR-10). One JSON record per run is under `runs/`.",
)


def get_experiment(name: str) -> ModuleType:
    """The module of experiment ``name``."""
    return REGISTRY.get(name)
