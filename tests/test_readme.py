"""The README runs as written: every Python block, and every ``lutlearn`` command line parses.

Each ```` ```python ```` block runs on its own in a fresh interpreter, in an
empty folder beside a ``shared/`` link to the data sets (the README's
``../shared/data``); blocks that read that data are skipped with a visible
reason when it is absent. Shell blocks are not run (they train on MNIST and
write files), but every ``lutlearn ...`` line in them must be accepted by the
command line's parser.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from lutlearn.cli import build_parser

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"

_FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.S | re.M)


def blocks(text: str, *languages: str) -> list[tuple[int, str]]:
    """``(line number, body)`` of the fenced blocks of ``text`` in the given languages."""
    return [(text.count("\n", 0, m.start()) + 1, m.group(2)) for m in _FENCE.finditer(text)
            if m.group(1) in languages]


def command_lines(text: str) -> list[tuple[int, list[str]]]:
    """Every ``lutlearn ...`` command of the shell blocks, as argument lists (without ``lutlearn``)."""
    commands = []
    typed = {n for n, _ in blocks(text, "console")}  # console blocks: only the "$ " lines are commands
    for line_no, body in blocks(text, "sh", "bash", "console", "shell"):
        joined = re.sub(r"\\\n", " ", body)  # continuation lines
        for offset, line in enumerate(joined.splitlines()):
            if line_no in typed and not line.startswith("$ "):
                continue  # the output a console block shows
            lexer = shlex.shlex(line.strip().removeprefix("$ "), posix=True, punctuation_chars=True)
            lexer.whitespace_split = True
            words: list[str] = []
            for token in [*lexer, ";"]:  # an operator (;, &&, |, >, ...) ends a command
                if set(token) <= set("();<>|&"):
                    if words and words[0] == "lutlearn":
                        commands.append((line_no + 1 + offset, words[1:]))
                    words = []
                else:
                    words.append(token)
    return commands


PYTHON_BLOCKS = blocks(README.read_text(encoding="utf-8"), "python")


def test_the_readme_has_its_blocks():
    assert len(PYTHON_BLOCKS) >= 5
    assert len(command_lines(README.read_text(encoding="utf-8"))) >= 40


@pytest.mark.parametrize("line_no,body", PYTHON_BLOCKS, ids=[f"line{n}" for n, _ in PYTHON_BLOCKS])
def test_python_block_runs_as_written(line_no, body, tmp_path):
    shared = REPO.parent / "shared"
    if "../shared/data" in body and not (shared / "data").is_dir():
        pytest.skip(f"README line {line_no} reads ../shared/data, which is not beside the checkout")
    work = tmp_path / "work"
    work.mkdir()
    if shared.is_dir():
        (tmp_path / "shared").symlink_to(shared)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")]),
               MPLBACKEND="Agg")
    result = subprocess.run([sys.executable, "-c", body], cwd=work, capture_output=True, text=True, env=env,
                            timeout=300)
    assert result.returncode == 0, f"README block at line {line_no} failed:\n{result.stderr[-3000:]}"
    printed = [float(v) for v in re.findall(r"^(-?\d+\.\d+)$", result.stdout, re.M)]
    for expected in expected_outputs(body):  # "print(...)  # 0.9578": a number printed, to the digits shown
        digits = len(expected.split(".")[1])
        assert any(round(v, digits) == float(expected) for v in printed), (
            f"README block at line {line_no}: the comment says {expected}, it printed {printed}")


def expected_outputs(body: str) -> list[str]:
    """The numbers a block's comments say its ``print`` lines show (``print(...)  # 0.9578 ...``)."""
    return re.findall(r"^\s*print\(.*\)\s+#\s*(-?\d+\.\d+)", body, re.M)


def test_the_first_python_example_shows_its_output():
    assert expected_outputs(PYTHON_BLOCKS[0][1]), "the README's first Python example shows no expected output"


def test_every_lutlearn_command_line_parses():
    parser = build_parser()
    failures = []
    for line_no, argv in command_lines(README.read_text(encoding="utf-8")):
        if "--help" in argv or "-h" in argv:
            continue
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:
            failures.append(f"line {line_no}: lutlearn {' '.join(argv)} (exit {exc.code})")
            continue
        if getattr(args, "_run", None) is None:
            failures.append(f"line {line_no}: lutlearn {' '.join(argv)} names no command")
    assert not failures, "README command lines the parser refuses:\n" + "\n".join(failures)


def test_the_checks_catch_a_broken_block_and_a_bad_option(tmp_path):
    """The two checks above can fail: an undefined name, and an option no command has."""
    text = "```python\nclf.fit(X_train_pixels, y_train)\n```\n\n```sh\nlutlearn train --no-such-option -o m.npz\n```\n"
    (line_no, body), = blocks(text, "python")
    result = subprocess.run([sys.executable, "-c", body], capture_output=True, text=True)
    assert result.returncode != 0 and "NameError" in result.stderr
    (_, argv), = command_lines(text)
    with pytest.raises(SystemExit):
        build_parser().parse_args(argv)
