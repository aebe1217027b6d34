"""Text that is safe to print: no control characters from the target reach a terminal.

Names, versions and paths come from the examined environment (METADATA, RECORD, sys.path), which
anyone may have written: an ESC sequence there would drive the user's terminal (clear the
screen, rewrite earlier lines, set the title). Every writer of text output passes its text
through ``clean``; JSON escapes them by itself."""

from __future__ import annotations

import re

# C0 controls but tab and newline (lines are split on newlines before this), DEL, C1 controls.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Unicode's bidirectional controls: invisible, they reorder what a terminal shows ("Trojan
# Source"), so a path or command would read otherwise than it is; shown as \u202e instead
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """``text`` without control characters (a tab and a newline are kept), its bidirectional
    controls written out (``\\u202e``)."""
    if _CONTROLS.search(text):
        text = _CONTROLS.sub("", text)
    if _BIDI.search(text):
        text = _BIDI.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text
