"""An import-linter contract type of our own: no package and its descendant import each other.

import-linter's ``acyclic_siblings`` contract finds cycles among the modules of
a package, but not between a package's ``__init__`` and one of its descendants
(``lutlearn.export`` imported ``lutlearn.export.top``, which imported
``split_pipeline`` from ``lutlearn.export``). ``pyproject.toml`` registers
:class:`ParentChildAcyclicContract` (``lint-imports`` runs from the repository
root, which it puts on the path); ``test_import_cycles.py`` runs the same check.
Imports inside functions count (grimp reads them all).
"""

from __future__ import annotations

import grimp
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


def parent_child_cycles(graph: grimp.ImportGraph, package: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Every (chain from a package to its descendant, chain back) among ``package`` and its modules."""
    found = []
    for parent in sorted(m for m in graph.modules if m == package or m.startswith(package + ".")):
        for child in sorted(graph.find_descendants(parent)):
            down = graph.find_shortest_chain(importer=parent, imported=child)
            up = graph.find_shortest_chain(importer=child, imported=parent)
            if down and up:
                found.append((down, up))
    return found


class ParentChildAcyclicContract(Contract):
    """No package of ``packages`` (or below them) imports a descendant that imports the package back."""

    type_name = "acyclic_parent_child"

    packages = fields.ListField(subfield=fields.StringField())

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        cycles = [cycle for package in self.packages for cycle in parent_child_cycles(graph, package)]
        return ContractCheck(kept=not cycles, warnings=[], metadata={"cycles": cycles})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for down, up in check.metadata["cycles"]:
            output.print_error(f"{down[0]} imports its descendant {down[-1]}, which imports it back:")
            output.print_error(f"- {' -> '.join(down)}", bold=False)
            output.print_error(f"- {' -> '.join(up)}", bold=False)
            output.new_line()
