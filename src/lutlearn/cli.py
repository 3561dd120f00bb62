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
import signal
import sys
import threading
from typing import Sequence

from lutlearn._text import one_line
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


class _Interrupts:
    """Ctrl-C while the command runs: raised as KeyboardInterrupt, and remembered.

    A SIGINT that lands inside a C extension's import (numpy's, say) can come
    out as an ImportError instead of a KeyboardInterrupt; remembering it lets
    :func:`main` still report an interruption.
    """

    def __init__(self) -> None:
        self.seen = False
        self._old = None

    def _handle(self, signum, frame):
        self.seen = True
        raise KeyboardInterrupt

    def __enter__(self) -> "_Interrupts":
        if threading.current_thread() is threading.main_thread():
            self._old = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)


#: The exit status when stdout's reader went away: that of a process ended by SIGPIPE (128 + 13), as ``cat``'s.
_BROKEN_PIPE = 141


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    with _Interrupts() as interrupts:
        code = _main(argv, interrupts)
    if interrupts.seen and code != 130:  # Ctrl-C swallowed by the code it landed in (a library's optional import
        print("lutlearn: interrupted", file=sys.stderr)  # turns it into an ImportError it catches): still an
        code = 130  # interruption, whatever the command went on to do
    try:  # the last of the output, while a closed pipe can still be told apart
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        return _BROKEN_PIPE
    return code


def _main(argv: Sequence[str] | None, interrupts: _Interrupts) -> int:
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
    except BrokenPipeError:  # the reader of stdout stopped (``lutlearn info m.npz | head -1``): end quietly, as
        _silence_stdout()   # ``cat`` does, with the status of a process ended by SIGPIPE
        return _BROKEN_PIPE
    except Exception as exc:  # one clear line, not a traceback
        if interrupts.seen:  # Ctrl-C, turned into another error by the code it interrupted
            print("lutlearn: interrupted", file=sys.stderr)
            return 130
        if os.environ.get("LUTLEARN_DEBUG"):
            raise
        message = str(exc) or exc.__class__.__name__
        if isinstance(exc, FileNotFoundError) and exc.filename:
            message = f"no such file: {exc.filename}"
        where = f"lutlearn {args.command}" if getattr(args, "command", None) else "lutlearn"
        # a message may quote a file's text (a name, a label): control characters escaped, line by line
        message = "\n".join(one_line(line) for line in message.split("\n"))
        print(f"{where}: error: {message}", file=sys.stderr)
        return 1


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's final flush of a closed pipe raises nothing."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # stdout replaced by an object without a descriptor (a test)
        pass
