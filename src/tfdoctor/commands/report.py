"""``tfdoctor report``: a Markdown block for a bug report, personal details redacted."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from tfdoctor.errors import EXIT_OK, positive_seconds


def add_parser(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "report",
        help="print a Markdown block for a TensorFlow/Keras bug report (details folded, redacted)",
        description="Check an environment and print one Markdown block to paste into an issue: "
        "findings, key versions, sys.path origins and the last failing step, with the home "
        "folder, user and host names and URL credentials redacted.",
    )
    p.add_argument("--python", metavar="PATH", help="interpreter, venv or conda env to report on")
    p.add_argument(
        "--deep",
        action="store_true",
        help="also import TensorFlow/Keras and run the reference model (the failing step)",
    )
    p.add_argument(
        "--timeout", type=float, default=180.0, metavar="SECONDS", help=argparse.SUPPRESS
    )
    p.add_argument(
        "--format",
        choices=("markdown", "json"),
        default="markdown",
        help="markdown (to paste into an issue) or json (check's document with every fact, "
        "redacted the same way)",
    )
    p.add_argument(
        "--no-redact",
        action="store_true",
        help="keep the home folder, user and host names (URL credentials are always removed)",
    )


def run(args: argparse.Namespace) -> int:
    from tfdoctor.deep import RunningDeep
    from tfdoctor.diagnose import diagnose_probe
    from tfdoctor.report.bugreport import environment, keep, redacted, render_bug_report
    from tfdoctor.target import RunningProbe, resolve

    positive_seconds(args.timeout)
    target = resolve(args.python)
    probe = RunningProbe(target)
    deep = RunningDeep(target, timeout=args.timeout) if args.deep else None
    try:
        report = diagnose_probe(probe, deep=deep)
    except BaseException:
        probe.close()
        raise
    redact = keep if args.no_redact else redacted
    if args.format == "json":
        import json

        doc = {**report.to_json(verbose=True), "command": "report"}
        sys.stdout.write(json.dumps(_redact_strings(doc, redact), indent=2) + "\n")
        return EXIT_OK
    facts = report.facts() if report.facts is not None else {}
    text = render_bug_report(report, facts, environment(), redact)
    from tfdoctor.printable import clean

    sys.stdout.write(clean(text))
    return EXIT_OK


def _redact_strings(value: Any, redact: Callable[[str], str]) -> Any:
    """Every string in a JSON document redacted (keys too: paths can be keys)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact(k): _redact_strings(v, redact) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_strings(v, redact) for v in value]
    return value
