"""Test helper: a benchmark or example script (not a package module) loaded as a module, to call its functions."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]


def load_script(relative: str) -> ModuleType:
    """The script at ``relative`` (to the repository, e.g. ``"benchmarks/bench_frontier.py"``), executed as a
    module named after its file.

    It is in ``sys.modules`` while it runs, as an import would put it, so that its dataclasses can resolve their
    annotations, and not after: a function of a module no worker can import is then pickled by value (Dask).
    """
    path = REPO / relative
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module
