"""The README and the documentation pages run as written: every Python block, and every ``lutlearn`` line parses.

The README is the landing page; the pages under ``docs/`` own the long
sections, so both are checked the same way. Each ```` ```python ```` block
runs on its own in a fresh interpreter, in an empty folder beside a
``shared/`` link to the data sets (the pages' ``../shared/data``); blocks that
read that data are skipped with a visible reason when it is absent. A
``print(...)  # 0.9578`` comment is checked against what the block prints.
Shell blocks are not run (they train on MNIST and write files), but every
``lutlearn ...`` line in them must be accepted by the command line's parser;
the README's console example is run, and its output compared.
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
#: The README and every Markdown page of the documentation (which own the long sections).
PAGES = [README, *sorted((REPO / "docs").glob("*.md"))]

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


def _name(page: Path) -> str:
    return page.relative_to(REPO).as_posix()


#: ``(page, line number, body)`` of every Python block of the README and the docs.
PYTHON_BLOCKS = [(_name(page), n, body) for page in PAGES
                 for n, body in blocks(page.read_text(encoding="utf-8"), "python")]


def test_the_pages_have_their_blocks():
    assert len(PYTHON_BLOCKS) >= 5
    assert sum(len(command_lines(page.read_text(encoding="utf-8"))) for page in PAGES) >= 40
    assert {"README.md", "docs/getting_started.md", "docs/frontier.md"} <= {page for page, _, _ in PYTHON_BLOCKS}


@pytest.mark.parametrize("page,line_no,body", PYTHON_BLOCKS, ids=[f"{p}:{n}" for p, n, _ in PYTHON_BLOCKS])
def test_python_block_runs_as_written(page, line_no, body, tmp_path):
    shared = REPO.parent / "shared"
    if "../shared/data" in body and not (shared / "data").is_dir():
        pytest.skip(f"{page} line {line_no} reads ../shared/data, which is not beside the checkout")
    work = tmp_path / "work"
    work.mkdir()
    if shared.is_dir():
        (tmp_path / "shared").symlink_to(shared)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")]),
               MPLBACKEND="Agg")
    result = subprocess.run([sys.executable, "-c", body], cwd=work, capture_output=True, text=True, env=env,
                            timeout=300)
    assert result.returncode == 0, f"{page} block at line {line_no} failed:\n{result.stderr[-3000:]}"
    printed = [float(v) for v in re.findall(r"^(-?\d+\.\d+)$", result.stdout, re.M)]
    for expected in expected_outputs(body):  # "print(...)  # 0.9578": a number printed, to the digits shown
        digits = len(expected.split(".")[1])
        assert any(round(v, digits) == float(expected) for v in printed), (
            f"{page} block at line {line_no}: the comment says {expected}, it printed {printed}")


def expected_outputs(body: str) -> list[str]:
    """The numbers a block's comments say its ``print`` lines show (``print(...)  # 0.9578 ...``)."""
    return re.findall(r"^\s*print\(.*\)\s+#\s*(-?\d+\.\d+)", body, re.M)


def test_the_first_python_example_shows_its_output():
    page, _, body = PYTHON_BLOCKS[0]
    assert page == "README.md" and expected_outputs(body), "the README's first Python example shows no expected output"


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_every_lutlearn_command_line_parses(page):
    parser = build_parser()
    failures = []
    for line_no, argv in command_lines(page.read_text(encoding="utf-8")):
        if "--help" in argv or "-h" in argv:
            continue
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:
            failures.append(f"line {line_no}: lutlearn {' '.join(argv)} (exit {exc.code})")
            continue
        if getattr(args, "_run", None) is None:
            failures.append(f"line {line_no}: lutlearn {' '.join(argv)} names no command")
    assert not failures, f"{_name(page)} command lines the parser refuses:\n" + "\n".join(failures)


def test_the_checks_catch_a_broken_block_and_a_bad_option(tmp_path):
    """The two checks above can fail: an undefined name, and an option no command has."""
    text = "```python\nclf.fit(X_train_pixels, y_train)\n```\n\n```sh\nlutlearn train --no-such-option -o m.npz\n```\n"
    (line_no, body), = blocks(text, "python")
    result = subprocess.run([sys.executable, "-c", body], capture_output=True, text=True)
    assert result.returncode != 0 and "NameError" in result.stderr
    (_, argv), = command_lines(text)
    with pytest.raises(SystemExit):
        build_parser().parse_args(argv)


# ---------------------------------------------------------------- the landing page
def test_the_readme_is_a_landing_page():
    """At most about 250 lines; the two set-up commands first; pip install; a link to each docs page it names."""
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 250
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert headings[0] == "Two commands on a fresh machine", headings
    first = blocks(text, "sh")[0][1]
    assert first.startswith("make demo") and "\nmake test" in first
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, re.M), ".ci/run no longer runs the README's test command"
    assert "pip install ." in text
    assert "Project layout" in headings and "Citing" in headings
    for target in re.findall(r"\]\((docs/[^)#]+)", text):
        assert (REPO / target).is_file(), f"the README links to {target}, which does not exist"


#: Internal references: issue numbers, commit hashes, a machine's paths.
_INTERNAL = re.compile(r"\bissues? #?\d+|\bcommit [0-9a-f]{6,}"
                       r"|(?<!sha1 )\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{7,40}\b"  # a hash, not a tool's version
                       r"|/work/|/home/\w", re.I)


def internal_references(text: str) -> list[str]:
    return [m.group(0) for m in _INTERNAL.finditer(text)]


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_no_internal_references(page):
    found = internal_references(page.read_text(encoding="utf-8"))
    assert not found, f"{_name(page)} names internal history or machine paths: {found}"


def test_the_internal_reference_check_can_fail():
    assert internal_references("as in issue 14, at commit 90949df, from /work/shared/data") == [
        "issue 14", "commit 90949df", "/work/"]
    assert internal_references("Yosys 0.23 (git sha1 7ce5011c24b), 1,715 luts, 0x1f") == []


def console_example(text: str) -> list[tuple[str, list[str]]]:
    """The README's first console block as ``(command, lines it shows)`` pairs."""
    body = blocks(text, "console")[0][1]
    steps: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            steps[-1][1].append(line)
    return steps


def _timeless(line: str) -> str:
    return re.sub(r"\d+(\.\d+)? s\b", "<time> s", line)


def differences(steps: list[tuple[str, list[str]]], run) -> list[str]:
    """Shown lines that the command does not print (times aside); ``run(argv) -> stdout``."""
    problems = []
    for command, shown in steps:
        printed = [_timeless(line) for line in run(shlex.split(command)[1:]).splitlines()]
        problems += [f"{command}: shows {line!r}, prints {printed}" for line in shown if _timeless(line) not in printed]
    return problems


def test_the_readme_console_example_prints_what_it_shows(tmp_path):
    steps = console_example(README.read_text(encoding="utf-8"))
    assert steps and all(command.startswith("lutlearn ") for command, _ in steps)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")]))

    def run(argv):
        result = subprocess.run([sys.executable, "-m", "lutlearn", *argv], cwd=tmp_path, capture_output=True,
                                text=True, env=env, timeout=300)
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    assert not differences(steps, run)
    wrong = [(command, [line.replace("0.9200", "0.9300") for line in shown]) for command, shown in steps]
    assert differences(wrong, lambda argv: run(argv) if argv[0] != "train" else
                       "trained on 1347 examples x 64 bits in 1 s\ntest accuracy 0.9200 (450 examples)\n")
