"""Write styled lines: with rich where someone looks at them, as plain text everywhere else.

A terminal (or ``FORCE_COLOR``, or a Jupyter kernel) gets rich's colours and styles. A pipe, a
file or a CI log gets the same characters without them, as rich itself would write them there,
but without importing rich, which costs about a fifth of a whole ``tfdoctor check``."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import IO, Protocol

Piece = tuple[str, str]  # (text, rich style such as "bold red"; "" for none)
Line = list[Piece]


class Sink(Protocol):
    width: int

    def write(self, lines: Sequence[Line]) -> None: ...


class PlainSink:
    def __init__(self, stream: IO[str]):
        self.stream = stream
        self.width = terminal_width()

    def write(self, lines: Sequence[Line]) -> None:
        from tfdoctor.printable import clean

        self.stream.write(clean("".join("".join(t for t, _ in line) + "\n" for line in lines)))


class RichSink:
    def __init__(self, stream: IO[str]):
        from rich.console import Console

        self.console = Console(file=stream, highlight=False, soft_wrap=True)
        self.width = self.console.width

    def write(self, lines: Sequence[Line]) -> None:
        from rich.text import Text

        from tfdoctor.printable import clean

        for line in lines:
            pieces = [(clean(text), style) for text, style in line]
            self.console.print(Text.assemble(*pieces), soft_wrap=True)


def open_sink(stream: IO[str] | None) -> Sink:
    out = stream if stream is not None else sys.stdout
    return RichSink(out) if wants_styles(out) else PlainSink(out)


def wants_styles(stream: IO[str]) -> bool:
    environ = os.environ
    if environ.get("FORCE_COLOR") or environ.get("TTY_COMPATIBLE") == "1":
        return True
    if "ipykernel" in sys.modules and stream is sys.stdout:
        return True
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def terminal_width() -> int:
    """The width rich uses when it does not write to a terminal (and argparse's help): ``COLUMNS``,
    else the size of a terminal on standard input/output/error, else 80."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    for fd in (0, 1, 2):
        try:
            return os.get_terminal_size(fd).columns or 80
        except (AttributeError, ValueError, OSError):
            continue
    return 80
