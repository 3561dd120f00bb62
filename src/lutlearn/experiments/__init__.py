"""The paper's experiments, one module per table or figure.

Each module defines ``NAME``, ``TITLE``, ``plan(quick, seeds, slow) -> list[Run]``
(the runs it needs) and ``summarize(records, quick, slow) -> dict`` (a report
section built from the stored records: tables of cells and figure data).
:mod:`lutlearn.experiments.runner` runs plans into JSON records;
:mod:`lutlearn.report` renders sections as Markdown and PNG.
"""

from __future__ import annotations

import importlib
from types import ModuleType

#: Experiment ids, in report order.
EXPERIMENTS: tuple[str, ...] = ("table1", "table2", "table3", "table4", "figure1", "depth")


def get_experiment(name: str) -> ModuleType:
    """The module of experiment ``name``."""
    if name not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {name!r}; choose one of {', '.join(EXPERIMENTS)} or all")
    return importlib.import_module(f"lutlearn.experiments.{name}")
