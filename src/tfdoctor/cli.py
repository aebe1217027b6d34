"""Command line: parse arguments and hand them to the command modules, nothing more."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from tfdoctor import __version__
from tfdoctor.errors import EXIT_INTERNAL, EXIT_USAGE, UsageError

# Each command lives in tfdoctor.commands.<name> with add_parser() and run().
COMMANDS: tuple[str, ...] = ("check", "explain", "lint", "fix", "new", "rules")


def _load(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"tfdoctor.commands.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"tfdoctor.commands.{name}":
            return None
        raise


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"tfdoctor: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="tfdoctor",
        description="Find out why TensorFlow and Keras do not work together, and fix it.",
    )
    parser.add_argument("--version", action="version", version=f"tfdoctor {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        module = _load(name)
        if module is not None:
            module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    module = _load(args.command)
    assert module is not None
    try:
        result: int = module.run(args)
        return result
    except UsageError as exc:
        print(f"tfdoctor: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("tfdoctor: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug in tfdoctor: one line, the traceback only on request
        if os.environ.get("TFDOCTOR_DEBUG"):
            raise
        print(
            f"tfdoctor: internal error: {type(exc).__name__}: {exc} "
            "(set TFDOCTOR_DEBUG=1 for the traceback and please report it)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
