"""The ``lutlearn-summary`` directive: a table of a module's public names at the top of its API page.

``.. lutlearn-summary:: lutlearn.core.model`` becomes an ``autosummary`` table (name
and the first line of its docstring, linked to its entry below) of the
module's ``__all__``, or else of the functions and classes it defines whose
names do not start with ``_``: the names the API reference documents.
``.. lutlearn-summary::`` without a module lists the API pages' modules.
"""

from __future__ import annotations

import importlib
import inspect

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

#: The modules of the API reference (``lutlearn.<name>``), in the order of its index.
API_MODULES = (
    "core.estimator", "core.model", "core.training", "core.encoders", "core.inspection", "core.persistence",
    "core.saving", "core.scale", "datasets", "datasets.io", "datasets.pla", "export", "circuits.search",
    "circuits.learners", "circuits.boosting", "circuits.tree", "circuits.dontcare", "circuits.logic_tasks",
    "circuits.multi_tasks", "circuits.multiclass", "circuits.multioutput", "experiments", "experiments.baselines",
    "experiments.report", "memorization",
)


def public_names(module) -> list[str]:
    """A module's documented names: ``__all__``, or the functions and classes it defines (no leading ``_``)."""
    names = getattr(module, "__all__", None)
    if names is not None:
        return [n for n in names if n != "__version__"]
    return [name for name, obj in vars(module).items()
            if not name.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj))
            and obj.__module__ == module.__name__]


class LutlearnSummary(SphinxDirective):
    optional_arguments = 1

    def run(self):
        if self.arguments:
            module = importlib.import_module(self.arguments[0])
            targets = [f"{module.__name__}.{name}" for name in public_names(module)]
        else:
            targets = [f"lutlearn.{name}" for name in API_MODULES]
        if not targets:
            return []
        lines = [".. autosummary::", "   :nosignatures:", ""] + [f"   {t}" for t in targets]
        holder = nodes.container()
        self.state.nested_parse(StringList(lines, source=self.get_source_info()[0]), self.content_offset, holder)
        return holder.children


def setup(app):
    app.add_directive("lutlearn-summary", LutlearnSummary)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
