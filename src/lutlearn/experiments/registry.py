"""Experiment families: their modules by name, and how :func:`~lutlearn.experiments.runner.run_suite` drives them.

A family is a package with one module per experiment, each defining ``NAME``,
``TITLE``, ``plan`` and ``summarize``, and optionally ``report_inputs(options,
data_home) -> dict``: keyword arguments of its ``summarize`` that come from
somewhere other than the records (e.g. the images shown beside per-example
results). ``options`` is the family's configuration object (e.g.
:class:`~lutlearn.experiments.PaperConfig`,
:class:`~lutlearn.memorization.LabConfig`); a family's :class:`Registry` says how
its modules' ``plan`` and ``summarize`` take it, what its report is called and
how its header opens and closes.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import Iterable


@dataclass(frozen=True)
class Registry:
    """The experiments of one family, in report order, and the texts of its report.

    ``package`` holds one module per name of ``names``; ``kind`` names an
    experiment in error messages; ``report`` is the report's file name (no
    suffix) when several experiments run; ``desc`` labels the progress bar;
    ``title`` and ``closing`` open and close the report's header.
    """

    package: str
    names: tuple[str, ...]
    kind: str = "experiment"
    report: str = "report"
    desc: str = "runs"
    title: str = ""
    closing: str = ""

    def get(self, name: str) -> ModuleType:
        """The module of experiment ``name``."""
        if name not in self.names:
            raise ValueError(f"unknown {self.kind} {name!r}; choose one of {', '.join(self.names)} or all")
        return importlib.import_module(f"{self.package}.{name}")

    def select(self, names: str | Iterable[str]) -> list[str]:
        """``names`` as a list: ``"all"`` is every experiment, another text one experiment."""
        if isinstance(names, str):
            return list(self.names) if names == "all" else [names]
        return list(names)

    # -- how the family's modules take its options (override in a family whose modules differ)
    def plan(self, module: ModuleType, options) -> list:
        """The runs ``module`` needs under ``options``."""
        return module.plan(options)

    def summarize(self, module: ModuleType, records: list[dict], options, **inputs) -> dict:
        """The report section of ``module`` from its ``records`` (and ``inputs``, see :meth:`report_inputs`)."""
        return module.summarize(records, options, **inputs)

    def report_inputs(self, module: ModuleType, options, data_home) -> dict:
        """What ``module``'s own ``report_inputs`` hook adds to its ``summarize`` call (nothing without one)."""
        hook = getattr(module, "report_inputs", None)
        return {} if hook is None else hook(options, data_home)

    # -- the family's side of a sweep
    @property
    def fit(self):
        """``fit(run, task, n_jobs)`` of :func:`~lutlearn.experiments.runner.execute` (None: its built-in methods)."""
        return None

    def prepare(self, options) -> None:
        """Called once before runs are executed (e.g. to import an optional library first)."""

    def quick_note(self, options) -> str | None:
        """The header's paragraph on quick mode (None when ``options`` are not quick)."""
        return None
