"""`tfdoctor explain [FILE|-]`: read a traceback, log or console session; rank its root causes."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

from tfdoctor.errors import EXIT_FINDINGS, EXIT_OK, UsageError

if TYPE_CHECKING:
    from tfdoctor.finding import Finding
    from tfdoctor.report.model import Report

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
    parser.add_argument(
        "--python",
        metavar="PATH",
        help="join the text with this environment's facts (default: this interpreter, when "
        "TensorFlow is installed in it)",
    )
    return parser


@dataclass
class _Environment:
    facts: dict[str, str]
    report: Report


def _environment(args: argparse.Namespace) -> _Environment | None:
    """The environment the text came from: --python, else this interpreter if it has TensorFlow."""
    python = args.python
    if python is None and not _has_tensorflow_here():
        return None
    from tfdoctor.diagnose import diagnose_context
    from tfdoctor.envfacts import environment_facts

    ctx, report = diagnose_context(python)
    return _Environment(environment_facts(ctx.snapshot, ctx.tensorflow, ctx.installer), report)


def _has_tensorflow_here() -> bool:
    from importlib import metadata

    from tfdoctor.kb import load

    variants = load().tf_variants()
    for dist in metadata.distributions():
        name = (dist.metadata["Name"] or "").lower().replace("_", "-")
        if name in variants:
            return True
    return False


def _join(findings: tuple[Finding, ...], env: _Environment) -> tuple[Finding, ...]:
    """Where the environment shows the same cause, its concrete fix and evidence win."""
    joined = []
    for finding in findings:
        static = next((f for f in env.report.sorted_findings() if f.cause == finding.cause), None)
        if static is not None:
            finding = finding._replace(
                evidence=(*finding.evidence, f"in this environment: {static.code} {static.title}"),
                fix=static.fix or finding.fix,
                fix_note=static.fix_note or finding.fix_note,
            )
        joined.append(finding)
    return tuple(joined)


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

    env = _environment(args)
    stream, source = _open(args.file)
    try:
        result = explain_stream(stream, env.facts if env else None)
    except NotTextError as exc:
        raise UsageError(f"{source} is not text ({exc}); give a log or a traceback") from None
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    if env is not None:
        result = dataclasses.replace(result, findings=_join(result.findings, env))
    if args.format == "json":
        data = report.to_json(result, source)
        if env is not None:
            whole = env.report.to_json()
            data["target"] = whole["target"]
            data["packages"] = whole["packages"]
            data["environment_findings"] = whole["findings"]
        json.dump(data, sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif args.format == "markdown":
        sys.stdout.write(report.to_markdown(result, source))
    else:
        report.print_text(result, source, sys.stdout)
    if any(finding.severity is Severity.ERROR for finding in result.findings):
        return EXIT_FINDINGS
    return EXIT_OK
