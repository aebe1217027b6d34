"""Command line: parse arguments and hand them to the command modules, nothing more."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import NoReturn

from tfdoctor import __version__
from tfdoctor.errors import EXIT_INTERNAL, EXIT_USAGE, UsageError

# Each command lives in tfdoctor.commands.<name> with add_parser() and run(). Only the module of
# the command asked for is imported (start-up time); the others are listed with this help line.
COMMANDS: dict[str, str] = {
    "check": "diagnose why TensorFlow and Keras do not work together in an environment",
    "explain": "explain a TensorFlow/Keras error from a traceback, log or console session",
    "lint": "find mixed Keras imports and APIs the target Keras/TensorFlow no longer has",
    "fix": "plan and apply the repairs of an environment, as a transaction",
    "new": "create a clean environment with a known-good TensorFlow/Keras set",
    "rules": "list the rules, or explain one (tfdoctor rules TFD101)",
}


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


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    parser = _Parser(
        prog="tfdoctor",
        description="Find out why TensorFlow and Keras do not work together, and fix it.",
    )
    parser.add_argument("--version", action="version", version=f"tfdoctor {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    chosen = next((a for a in argv if not a.startswith("-")), None)
    for name, summary in COMMANDS.items():
        module = _load(name) if name == chosen else None
        if module is not None:
            module.add_parser(sub)
        elif name != chosen or chosen is None:
            sub.add_parser(name, help=summary)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    module = _load(args.command)
    if module is None:
        print(
            f"tfdoctor: the {args.command} command is not part of this installation",
            file=sys.stderr,
        )
        return EXIT_USAGE
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


def entry() -> NoReturn:
    """The console script: ``main`` and then an immediate exit.

    Everything tfdoctor writes is closed by then, so the interpreter's teardown (freeing every
    module and object one by one, ~20 ms of a ~150 ms check) is skipped; only the standard streams
    still need flushing."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        # A closed pipe (`tfdoctor check | head`) or a closed stream has nothing left to flush.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()
