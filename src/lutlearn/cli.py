"""The ``lutlearn`` command line: one sub-command per module in :mod:`lutlearn.commands`.

Each command module defines ``NAME``, ``HELP``, ``add_arguments(parser)`` and
``run(args) -> int``; heavy imports happen inside ``run`` so that ``--help``
stays fast. Errors a user can fix are printed as one line, with exit code 2
for bad usage and 1 for everything else; set ``LUTLEARN_DEBUG=1`` to see the
traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Sequence

from lutlearn._version import __version__

#: Sub-commands, in the order ``lutlearn --help`` lists them (module: ``-`` becomes ``_``).
COMMANDS: tuple[str, ...] = (
    "demo",
    "train",
    "evaluate",
    "predict",
    "info",
    "tasks",
    "export",
    "hw-report",
    "pla",
    "fit-circuit",
    "reproduce",
    "memorization",
    "completion",
)


def build_parser() -> argparse.ArgumentParser:
    """Build the top-level parser with one sub-parser per registered command."""
    parser = argparse.ArgumentParser(
        prog="lutlearn",
        description=(
            "Learning by memorization with networks of lookup tables "
            "(Chatterjee, 'Learning and Memorization', ICML 2018)."
        ),
        epilog="Run 'lutlearn COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"lutlearn {__version__}")
    parser.set_defaults(_root_parser=parser)  # for ``lutlearn completion``, which describes the whole parser
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"lutlearn.commands.{name.replace('-', '_')}")
        p = sub.add_parser(
            module.NAME,
            help=module.HELP,
            description=getattr(module, "DESCRIPTION", module.HELP),
            epilog=getattr(module, "EPILOG", None),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    args = None
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if getattr(args, "_run", None) is None:
            parser.print_help()
            return 2
        return int(args._run(args) or 0)
    except KeyboardInterrupt:
        print("lutlearn: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # one clear line, not a traceback
        if os.environ.get("LUTLEARN_DEBUG"):
            raise
        message = str(exc) or exc.__class__.__name__
        if isinstance(exc, FileNotFoundError) and exc.filename:
            message = f"no such file: {exc.filename}"
        where = f"lutlearn {args.command}" if getattr(args, "command", None) else "lutlearn"
        print(f"{where}: error: {message}", file=sys.stderr)
        return 1
