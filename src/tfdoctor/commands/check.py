"""``tfdoctor check``: diagnose an environment without changing it."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tfdoctor.errors import EXIT_FINDINGS, EXIT_OK


def add_parser(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "check",
        help="diagnose why TensorFlow and Keras do not work together in an environment",
        description="Read a Python environment (never changing it) and report every reason why "
        "TensorFlow and Keras will not work together, with evidence and the commands that fix it.",
    )
    add_target_arguments(p)
    p.add_argument("--select", metavar="CODES", help="only these rule codes (comma-separated)")
    p.add_argument("--ignore", metavar="CODES", help="skip these rule codes (comma-separated)")


def add_target_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--python",
        metavar="PATH",
        help="interpreter, venv folder or conda env folder to examine (default: this interpreter)",
    )
    p.add_argument(
        "--format", choices=("text", "json", "markdown"), default="text", help="output format"
    )
    p.add_argument("-v", "--verbose", action="store_true", help="show every fact collected")


def _codes(value: str | None) -> set[str]:
    return {c.strip().upper() for c in value.split(",") if c.strip()} if value else set()


def run(args: argparse.Namespace) -> int:
    from tfdoctor.target import RunningProbe, resolve

    # Start the probe in the target first: it runs while the rules are imported here.
    probe = RunningProbe(resolve(args.python), full_scan=args.verbose)
    from tfdoctor.diagnose import diagnose_probe
    from tfdoctor.report.render import render

    report = diagnose_probe(probe, select=_codes(args.select), ignore=_codes(args.ignore))
    render(report, args.format, verbose=args.verbose, stream=sys.stdout)
    return EXIT_FINDINGS if report.errors else EXIT_OK
