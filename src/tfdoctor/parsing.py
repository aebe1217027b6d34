"""The argument parser class of every tfdoctor command line (imported only when parsing)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tfdoctor.errors import EXIT_USAGE
from tfdoctor.report.styled import terminal_width


class Formatter(argparse.HelpFormatter):
    """argparse's help formatter with the width worked out here: argparse asks shutil, whose
    import (bz2, lzma, zlib) costs ~3 ms of every run, help or not."""

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ):
        if width is None:
            width = terminal_width() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


class Parser(argparse.ArgumentParser):
    """argparse's parser, but a usage error exits with tfdoctor's status 2 and names tfdoctor,
    and help is formatted by Formatter."""

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("formatter_class", Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"tfdoctor: error: {message}\n")
