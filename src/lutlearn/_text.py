"""Text from the user (class labels, names, messages) made safe to write into a line of an output file.

A label or a name may hold any character. Written raw into a comment of a
circuit (Verilog or C99 ``//``, BLIF ``#``, AIGER), a row of a Markdown table
or a line of a report, a line break would end the comment and let the rest
of the label be read as code (a Verilog module that a simulator runs). Every
writer therefore passes such text through :func:`one_line`.
"""

from __future__ import annotations

import unicodedata

__all__ = ["comment_lines", "one_line"]


def _escape(c: str) -> str:
    o = ord(c)
    return f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}" if o < 0x10000 else f"\\U{o:08x}"


def one_line(text: object) -> str:
    """``str(text)`` with every control, format, line or paragraph separator (or unassigned) character
    escaped as ``\\xNN`` (``\\uNNNN``), so the result is one line of printable text.

    >>> one_line("a\\nmodule evil;")
    'a\\\\x0amodule evil;'
    """
    return "".join(
        _escape(c) if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn")
        else c
        for c in str(text)
    )


def comment_lines(text: str, prefix: str) -> str:
    """``text`` as comment lines: each of its lines passed through :func:`one_line` and started with ``prefix``."""
    return "\n".join(prefix + one_line(line) for line in str(text).split("\n"))
