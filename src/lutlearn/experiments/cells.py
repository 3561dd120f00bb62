"""From run records to table cells: means and standard deviations over seeds, next to the paper's number.

A *cell* is a plain dict, ready for JSON and for :mod:`lutlearn.experiments.report`:
``mean``, ``std``, ``n`` (runs averaged), ``status`` (``ok``, ``no data``,
``failed`` or ``not run``), ``error`` (first error, if any), ``paper`` (the
paper's number or None), ``diff`` (``mean - paper``), ``tol`` and ``off``
(True when ``|diff| > tol``).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np


class Records:
    """Records indexed by (task, method, settings) for averaging over seeds."""

    def __init__(self, records: list[dict]):
        self._groups: dict[tuple, list[dict]] = defaultdict(list)
        for rec in records:
            self._groups[self._key(rec["task"], rec["method"], rec.get("settings") or {})].append(rec)

    @staticmethod
    def _key(task: str, method: str, settings: dict) -> tuple:
        return (task, method, tuple(sorted((k, str(v)) for k, v in dict(settings).items())))

    def group(self, task: str, method: str, settings: dict | tuple = ()) -> list[dict]:
        """All records (every seed) of ``method`` on ``task`` with ``settings``."""
        return self._groups.get(self._key(task, method, dict(settings)), [])

    def values(self, task: str, method: str, settings: dict | tuple = (), field: str = "test_accuracy") -> list[float]:
        """``field`` of every successful record of the group."""
        return [r[field] for r in self.group(task, method, settings) if r.get("status") == "ok"]

    def cell(self, task: str, method: str, settings: dict | tuple = (), field: str = "test_accuracy",
             paper: float | None = None, tol: float | None = None) -> dict:
        """Mean and standard deviation of ``field`` over the group's seeds, compared with ``paper``."""
        return make_cell(self.group(task, method, settings), field, paper, tol)


def make_cell(group: list[dict], field: str, paper: float | None = None, tol: float | None = None) -> dict:
    """A cell from the records of one configuration (one per seed); see the module docstring."""
    ok = [r[field] for r in group if r.get("status") == "ok" and r.get(field) is not None]
    cell = {"mean": None, "std": None, "n": len(ok), "paper": paper, "diff": None, "tol": tol, "off": False,
            "status": "not run", "error": None}
    errors = [r for r in group if r.get("status") != "ok"]
    if ok:
        cell.update(mean=float(np.mean(ok)), std=float(np.std(ok)), status="ok")
        if paper is not None:
            cell["diff"] = cell["mean"] - paper
            cell["off"] = tol is not None and abs(cell["diff"]) > tol + 1e-12
    elif errors:
        cell["status"] = "no data" if all(r.get("status") == "no data" for r in errors) else "failed"
    if errors:
        cell["error"] = errors[0].get("error")
    return cell


def value_cell(value: float | None, paper: float | None = None, tol: float | None = None) -> dict:
    """A cell holding one derived value (e.g. a worst case over tasks)."""
    cell = make_cell([], "x", paper, tol)
    if value is not None:
        cell.update(mean=float(value), std=0.0, n=1, status="ok")
        if paper is not None:
            cell["diff"] = float(value) - paper
            cell["off"] = tol is not None and abs(cell["diff"]) > tol + 1e-12
    return cell
