"""The argument parser class of every tfdoctor command line (imported only when parsing)."""

from __future__ import annotations

import argparse
import sys

from tfdoctor.errors import EXIT_USAGE


class Parser(argparse.ArgumentParser):
    """argparse's parser, but a usage error exits with tfdoctor's status 2 and names tfdoctor."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"tfdoctor: error: {message}\n")
