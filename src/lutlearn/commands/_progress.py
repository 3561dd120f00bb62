"""Progress bars of the long commands: on standard error, only on a terminal, off with ``--no-progress``."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator, Sequence


def add_progress_arg(p: argparse.ArgumentParser) -> None:
    """Add ``--no-progress``."""
    p.add_argument("--no-progress", action="store_true",
                   help="no progress bar (shown on standard error when it is a terminal)")


def progress_enabled(args: argparse.Namespace) -> bool | None:
    """The ``progress`` argument of a long step: None (a bar when standard error is a terminal) or False."""
    return False if getattr(args, "no_progress", False) else None


@contextlib.contextmanager
def phases(desc: str, names: Sequence[str], progress: bool | None) -> Iterator:
    """A bar over the named phases of a long step; yields ``start(name)``, called as each phase begins.

    ``progress`` is None (a bar only when standard error is a terminal), True or False.
    """
    from tqdm.auto import tqdm

    disable = None if progress is None else not progress
    bar = tqdm(total=len(names), desc=desc, unit="phase", leave=False, disable=disable,
               bar_format="{desc} [{n_fmt}/{total_fmt}]{postfix}, {elapsed}")
    started = [0]

    def start(name: str) -> None:
        if started[0]:
            bar.update(1)
        started[0] += 1
        bar.set_postfix_str(name)

    try:
        yield start
        if started[0]:
            bar.update(1)
    finally:
        bar.close()
