"""The ``lutlearn-cli`` directive: the command-line reference, generated from the parser.

Every sub-command of :func:`lutlearn.cli.build_parser` becomes a section with
its one-line help and its complete ``--help`` text, so the reference cannot
drift from the command line.
"""

from __future__ import annotations

import argparse
import os
import re

from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

#: Width of the rendered ``--help`` texts (argparse reads $COLUMNS).
HELP_WIDTH = "88"


def _escape(text: str) -> str:
    """Escape reStructuredText markup characters in a plain-text line."""
    return re.sub(r"([\\`*_|\[\]<>])", r"\\\1", text)


def _help_text(parser: argparse.ArgumentParser) -> str:
    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = HELP_WIDTH
    try:
        return parser.format_help()
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def cli_reference_lines() -> list[str]:
    """The reStructuredText of the command-line reference (one section per sub-command)."""
    from lutlearn.cli import build_parser

    parser = build_parser()
    helps = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
    lines = ["``lutlearn --help``:", "", ".. code-block:: text", ""]
    lines += ["    " + line for line in _help_text(parser).splitlines()]
    lines.append("")
    for name, sub in _subparsers(parser).items():
        title = f"lutlearn {name}"
        lines += [title, "-" * len(title), ""]
        if helps.get(name):
            lines += [_escape(helps[name]), ""]
        lines += [".. code-block:: text", ""]
        lines += ["    " + line if line.strip() else "" for line in _help_text(sub).splitlines()]
        lines.append("")
    return lines


class LutlearnCli(SphinxDirective):
    """``.. lutlearn-cli::`` renders :func:`cli_reference_lines`."""

    has_content = False

    def run(self):
        from pathlib import Path

        from docutils import nodes

        import lutlearn

        # the page is the parser's: rebuild it whenever a command's source changes (an incremental build
        # would otherwise keep the options of the last full build)
        package = Path(lutlearn.__file__).parent
        for path in [package / "cli.py", *sorted((package / "commands").glob("*.py"))]:
            self.env.note_dependency(str(path))
        node = nodes.section()
        node.document = self.state.document
        nested_parse_with_titles(self.state, StringList(cli_reference_lines(), source="lutlearn.cli"), node)
        return node.children


def setup(app):
    app.add_directive("lutlearn-cli", LutlearnCli)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
