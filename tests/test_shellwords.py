"""Printed paths and commands are safe to paste: each word stands for itself in a real shell, on
one line, whatever it holds (quotes, `$()`, `;`, newlines, escape sequences)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tfdoctor import shellwords

TRICKY = [
    "plain/path",
    "with space",
    "it's",
    "$(touch PWNED)",
    "a; touch PWNED",
    "line\ntouch PWNED",
    "cr\rback",
    "\x1b[2Jclear",
    "tab\there",
    "c1\x85control",
    "back\\slash and 'quote'",
    "ünïcødé",
]


@pytest.mark.parametrize("text", TRICKY)
def test_a_word_is_read_back_exactly_by_bash(text: str, tmp_path: Path) -> None:
    quoted = shellwords.word(text)
    assert "\n" not in quoted and "\r" not in quoted and "\x1b" not in quoted
    out = subprocess.run(["bash", "-c", "printf %s " + quoted], capture_output=True, cwd=tmp_path)
    assert out.returncode == 0 and out.stdout.decode() == text


def test_a_command_line_splits_back_into_its_arguments() -> None:
    argv = ["/usr/bin/uv", "pip", "install", "--python", "/e nv;$(x)\n/bin/python", "numpy==1"]
    line = shellwords.line(argv)
    echoed = subprocess.run(
        ["bash", "-c", 'f() { for a in "$@"; do printf \'%s\\0\' "$a"; done; }; f ' + line],
        capture_output=True,
        text=True,
        check=True,
    )
    assert echoed.stdout.split("\0")[:-1] == argv
    assert shellwords.source_line("/a b/bin/activate") == "source '/a b/bin/activate'"
