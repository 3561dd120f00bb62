"""No package imports a module of its own that imports the package back (a parent-child import cycle).

The check is :func:`_import_contracts.parent_child_cycles`, which ``lint-imports``
also runs as the ``acyclic_parent_child`` contract of ``pyproject.toml``.
"""

from __future__ import annotations

import grimp

from _import_contracts import ParentChildAcyclicContract, parent_child_cycles


def _cycles(package: str):
    return parent_child_cycles(grimp.build_graph(package, include_external_packages=False), package)


def test_no_package_and_descendant_import_each_other():
    cycles = _cycles("lutlearn")
    assert not cycles, "parent-child import cycles:\n" + "\n".join(
        f"  {' -> '.join(down)} and back {' -> '.join(up)}" for down, up in cycles)


def _cyclic_package(tmp_path, monkeypatch) -> str:
    pkg = tmp_path / "cyclepkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("def f():\n    from cyclepkg.child import g\n    return g\n")
    (pkg / "child.py").write_text("def g():\n    from cyclepkg import f\n    return f\n")
    (pkg / "other.py").write_text("from cyclepkg import f\n")  # imports the parent, which does not import it
    monkeypatch.syspath_prepend(str(tmp_path))
    return "cyclepkg"


def test_the_check_sees_a_function_level_import_of_the_parent(tmp_path, monkeypatch):
    assert _cycles(_cyclic_package(tmp_path, monkeypatch)) == [
        (("cyclepkg", "cyclepkg.child"), ("cyclepkg.child", "cyclepkg"))]


def test_the_contract_breaks_on_a_cycle(tmp_path, monkeypatch):
    package = _cyclic_package(tmp_path, monkeypatch)
    contract = ParentChildAcyclicContract("cycles", {"root_packages": [package]}, {"packages": [package]})
    check = contract.check(grimp.build_graph(package), verbose=False)
    assert not check.kept and check.metadata["cycles"] == [
        (("cyclepkg", "cyclepkg.child"), ("cyclepkg.child", "cyclepkg"))]
