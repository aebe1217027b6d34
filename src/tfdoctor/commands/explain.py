"""`tfdoctor explain [FILE|-]`: read a traceback, log or console session; rank its root causes."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from typing import Any, BinaryIO

from tfdoctor.errors import EXIT_FINDINGS, EXIT_OK, UsageError

FORMATS = ("text", "json", "markdown")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "explain",
        help="explain a TensorFlow/Keras error from a traceback, log or console session",
        description=(
            "Read a traceback, a log or a whole console session (pasted from an issue, a "
            "notebook, a CI log) and print the known root causes, most likely first, with the "
            "line that gave each away, why it happens and how to fix it."
        ),
    )
    parser.add_argument(
        "file",
        nargs="?",
        default="-",
        metavar="FILE",
        help="the text to explain; '-' or nothing reads standard input",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format")
    return parser


def _environment_facts(args: argparse.Namespace) -> Mapping[str, str] | None:
    # HOOK (lead): --python PATH / the current interpreter when it has TensorFlow.
    # Return a flat map such as {"tensorflow": "2.15.1", "tensorflow_dist": "tensorflow-cpu",
    # "keras": "3.3.3", "tf_keras": "", "numpy": "2.0.2", "protobuf": "4.25.3",
    # "installer": "pip", "python": "3.11"} so that the fix commands name concrete versions
    # (see tfdoctor.explain.facts for every key used). None: the environment is not known.
    return None


def _open(path: str) -> tuple[BinaryIO, str]:
    if path == "-":
        if sys.stdin.isatty():
            print("Paste the text, then press Ctrl-D (Ctrl-Z Enter on Windows).", file=sys.stderr)
        return sys.stdin.buffer, "<stdin>"
    try:
        return open(path, "rb"), path  # closed by run()
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a folder; give the file that holds the text") from None
    except PermissionError:
        raise UsageError(f"cannot read {path}: permission denied") from None


def run(args: argparse.Namespace) -> int:
    from tfdoctor.explain import NotTextError, explain_stream, report
    from tfdoctor.finding import Severity

    stream, source = _open(args.file)
    facts = _environment_facts(args)
    try:
        result = explain_stream(stream, facts)
    except NotTextError as exc:
        raise UsageError(f"{source} is not text ({exc}); give a log or a traceback") from None
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    if args.format == "json":
        json.dump(report.to_json(result, source), sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif args.format == "markdown":
        sys.stdout.write(report.to_markdown(result, source))
    else:
        report.print_text(result, source, sys.stdout)
    if any(finding.severity is Severity.ERROR for finding in result.findings):
        return EXIT_FINDINGS
    return EXIT_OK
