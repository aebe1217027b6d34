"""``tfdoctor check``: diagnose an environment without changing it."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tfdoctor.errors import EXIT_FINDINGS, EXIT_OK, UsageError


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
    p.add_argument(
        "--deep",
        action="store_true",
        help="also import TensorFlow/Keras and run the reference smoke test in the target",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=180.0,
        metavar="SECONDS",
        help="time limit of the --deep run (default: 180)",
    )


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

    # Start the probes in the target first: they run while the rules are imported here.
    target = resolve(args.python)
    probe = RunningProbe(target, full_scan=args.verbose)
    deep = None
    if args.deep:
        from tfdoctor.deep import RunningDeep

        if args.timeout <= 0:
            raise UsageError("--timeout must be a positive number of seconds")
        deep = RunningDeep(target, timeout=args.timeout)
    from tfdoctor.diagnose import diagnose_probe
    from tfdoctor.report.render import render

    progress = None
    if deep is not None and sys.stderr.isatty():
        from tfdoctor.report.progress import LiveProgress

        progress = LiveProgress(sys.stderr)
    try:
        report = diagnose_probe(
            probe,
            select=_codes(args.select),
            ignore=_codes(args.ignore),
            deep=deep,
            progress=progress,
        )
    finally:
        if progress is not None:
            progress.close()
    render(report, args.format, verbose=args.verbose, stream=sys.stdout)
    return EXIT_FINDINGS if report.errors else EXIT_OK
