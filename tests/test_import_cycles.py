"""No package imports a module of its own that imports the package back (a parent-child import cycle).

import-linter's ``acyclic_siblings`` contract (``pyproject.toml``) finds
cycles among the modules of a package, but not between a package's
``__init__`` and one of its descendants (``lutlearn.export`` imported
``lutlearn.export.top``, which imported ``split_pipeline`` from
``lutlearn.export``). Imports inside functions count (grimp reads them all).
"""

from __future__ import annotations

import grimp


def parent_child_cycles(package: str = "lutlearn") -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Every (chain from a package to its descendant, chain back) in ``package``'s import graph."""
    graph = grimp.build_graph(package, include_external_packages=False)
    found = []
    for parent in sorted(graph.modules):
        for child in sorted(graph.find_descendants(parent)):
            down = graph.find_shortest_chain(importer=parent, imported=child)
            up = graph.find_shortest_chain(importer=child, imported=parent)
            if down and up:
                found.append((down, up))
    return found


def test_no_package_and_descendant_import_each_other():
    cycles = parent_child_cycles()
    assert not cycles, "parent-child import cycles:\n" + "\n".join(
        f"  {' -> '.join(down)} and back {' -> '.join(up)}" for down, up in cycles)


def test_the_check_sees_a_function_level_import_of_the_parent(tmp_path, monkeypatch):
    pkg = tmp_path / "cyclepkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("def f():\n    from cyclepkg.child import g\n    return g\n")
    (pkg / "child.py").write_text("def g():\n    from cyclepkg import f\n    return f\n")
    (pkg / "other.py").write_text("from cyclepkg import f\n")  # imports the parent, which does not import it
    monkeypatch.syspath_prepend(str(tmp_path))
    assert parent_child_cycles("cyclepkg") == [(("cyclepkg", "cyclepkg.child"), ("cyclepkg.child", "cyclepkg"))]
