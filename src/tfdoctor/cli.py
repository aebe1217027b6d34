"""Command line: parse arguments and hand them to the command modules, nothing more."""

from __future__ import annotations

import errno
import importlib
import os
import sys

from tfdoctor import __version__
from tfdoctor.errors import EXIT_INTERNAL, EXIT_USAGE, UsageError

# Nothing is imported for annotations only: `tfdoctor check` starts its probe before argparse
# (and typing) are even imported. mypy treats any name TYPE_CHECKING as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from types import ModuleType
    from typing import NoReturn

# Each command lives in tfdoctor.commands.<name> with add_parser() and run(), and may have
# start_early(argv), called before the arguments are parsed, to start slow work in the
# background. Only the module of the command asked for is imported (start-up time); the others
# are listed with this help line.
COMMANDS: dict[str, str] = {
    "demo": "build a broken TensorFlow/Keras environment and find, explain and fix it",
    "check": "diagnose why TensorFlow and Keras do not work together in an environment",
    "explain": "explain a TensorFlow/Keras error from a traceback, log or console session",
    "lint": "find mixed Keras imports and APIs the target Keras/TensorFlow no longer has",
    "fix": "plan and apply the repairs of an environment, as a transaction",
    "new": "create a clean environment with a known-good TensorFlow/Keras set",
    "rules": "list the rules, or explain one (tfdoctor rules TFD101)",
    "report": "print a Markdown block for a bug report (details folded, personal data redacted)",
    "scan": "find the Python environments under folders and check them all",
    "matrix": "build and run a grid of TensorFlow/Keras environments (maintainers)",
}


def _load(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"tfdoctor.commands.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"tfdoctor.commands.{name}":
            return None
        raise


def _chosen(argv: Sequence[str]) -> str | None:
    return next((a for a in argv if not a.startswith("-")), None)


def _guard_secrets() -> None:
    """No secret of the environment (a token variable, an index URL's password) is ever
    printed: the output streams filter them when there are any. Most runs have none, and this
    plain scan decides that without importing anything."""
    words = ("TOKEN", "SECRET", "PASSW", "KEY", "CREDENTIAL")
    for name, value in os.environ.items():
        if ("@" in value and "://" in value) or any(w in name.upper() for w in words):
            from tfdoctor.redact import guard_output

            guard_output(os.environ)
            return


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    from tfdoctor.parsing import Parser

    parser = Parser(
        prog="tfdoctor",
        description="Find out why TensorFlow and Keras do not work together, and fix it.",
    )
    parser.add_argument("--version", action="version", version=f"tfdoctor {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    chosen = _chosen(argv)
    for name, summary in COMMANDS.items():
        module = _load(name) if name == chosen else None
        if module is not None:
            module.add_parser(sub)
        elif name != chosen or chosen is None:
            sub.add_parser(name, help=summary)
    return parser


def _closed_streams_to_devnull() -> None:
    """A standard stream that was closed when tfdoctor started (``>&-``, a daemon) is None in
    Python: what would be written there goes nowhere instead of ending in an internal error."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    _closed_streams_to_devnull()
    chosen = _chosen(argv)
    early = _load(chosen) if chosen in COMMANDS else None
    if early is not None and hasattr(early, "start_early"):
        early.start_early(argv)
    _guard_secrets()
    parser = build_parser(argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit:  # a usage error, --help: nothing will be run
        if early is not None and hasattr(early, "cancel_early"):
            early.cancel_early()
        raise
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
        from tfdoctor.printable import clean

        print(f"tfdoctor: {clean(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("tfdoctor: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:
        if exc.errno not in _FULL_DEVICE:
            return _internal(exc)
        # the output goes to a full disk (`> /dev/full`, a quota): not a bug of tfdoctor
        print(f"tfdoctor: cannot write the output: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # a bug in tfdoctor: one line, the traceback only on request
        return _internal(exc)


_FULL_DEVICE = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def _internal(exc: Exception) -> int:
    if os.environ.get("TFDOCTOR_DEBUG"):
        raise exc
    print(
        f"tfdoctor: internal error: {type(exc).__name__}: {exc} "
        "(set TFDOCTOR_DEBUG=1 for the traceback and please report it)",
        file=sys.stderr,
    )
    return EXIT_INTERNAL


def entry() -> NoReturn:
    """The console script: ``main`` and then an immediate exit.

    Everything tfdoctor writes is closed by then, so the interpreter's teardown (freeing every
    module and object one by one, a real share of a check: bench/check_bench.py) is skipped;
    only the standard streams still need flushing."""
    code = main()
    import contextlib

    for stream in (sys.stdout, sys.stderr):
        # A closed pipe (`tfdoctor check | head`) or a closed stream has nothing left to flush.
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()
