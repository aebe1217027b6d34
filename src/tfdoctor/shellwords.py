"""Words and command lines that are safe to paste into a POSIX shell (bash, zsh, dash).

``shlex.quote`` keeps a newline inside single quotes: pasted, it still ends the visible line and
hides the rest of the command. A word with a control character is written in ANSI-C quoting
(``$'a\\nb'``, understood by bash, zsh and ksh), where every control character is an escape.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def word(text: str) -> str:
    """One shell word that stands for ``text`` exactly, on one line."""
    if not _CONTROL.search(text):
        return shlex.quote(text)
    out = []
    for char in text:
        if char in "\\'":
            out.append("\\" + char)
        elif _CONTROL.match(char):
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "$'" + "".join(out) + "'"


def line(argv: Iterable[str]) -> str:
    """A command line for ``argv``: each argument one safe word."""
    return " ".join(word(a) for a in argv)


def source_line(activate: str) -> str:
    """``source PATH`` for an activate script."""
    return f"source {word(activate)}"
