"""No function of the package has a body (its docstring aside) of more than 100 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import lutlearn

MAX_BODY_LINES = 100


def long_functions(root: Path, limit: int = MAX_BODY_LINES) -> list[tuple[int, str]]:
    """(body lines, ``path:line name``) of every function under ``root`` whose body, docstring aside, is longer."""
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            body = node.body
            if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                body = body[1:]
            if body and body[-1].end_lineno - body[0].lineno + 1 > limit:
                found.append((body[-1].end_lineno - body[0].lineno + 1,
                              f"{path.relative_to(root.parent)}:{node.lineno} {node.name}"))
    return found


def test_no_function_body_over_100_lines():
    assert long_functions(Path(lutlearn.__file__).parent) == []


def test_the_count_leaves_out_the_docstring(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "m.py").write_text('def f():\n    """Doc."""\n' + "    x = 1\n" * 3 + "\n\ndef g():\n    pass\n")
    assert long_functions(pkg, 2) == [(3, "pkg/m.py:1 f")]
    assert long_functions(pkg, 3) == []
