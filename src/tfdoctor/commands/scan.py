"""``tfdoctor scan [ROOT...]``: find the Python environments under the roots and check them all."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from tfdoctor.errors import EXIT_FINDINGS, EXIT_OK, UsageError, positive_seconds


def add_parser(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "scan",
        help="find the Python environments under folders and check them all",
        description="Find venvs, conda envs, pyenv versions, projects' .venv and Jupyter kernel "
        "specs under the roots (default: this folder and the usual places), check them in "
        "parallel, and print one line each.",
    )
    p.add_argument("roots", nargs="*", metavar="ROOT", help="folders to search")
    p.add_argument("--format", choices=("text", "jsonl"), default="text", help="output format")
    p.add_argument("-j", "--jobs", type=int, metavar="N", help="checks at a time (default: CPUs)")
    p.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="time limit of each environment's check (default: 30)",
    )
    p.add_argument(
        "--max-depth", type=int, default=6, metavar="N", help="how deep to search (default: 6)"
    )


def run(args: argparse.Namespace) -> int:
    from tfdoctor.scan.discover import default_roots, walk
    from tfdoctor.scan.runner import Row, check_all

    for root in args.roots:
        if not os.path.isdir(os.path.expanduser(root)):
            raise UsageError(f"{root}: no such folder; give folders to search for environments")
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.max_depth < 0:
        raise UsageError("--max-depth takes a number of 0 or more")
    positive_seconds(args.timeout)
    found = list(walk(args.roots or default_roots(), args.max_depth))
    jobs = args.jobs or os.cpu_count() or 2
    progress = _progress(len(found)) if sys.stderr.isatty() and found else None
    rows: list[Row] = []
    try:
        for row in check_all(found, jobs, progress.advance if progress else None, args.timeout):
            rows.append(row)
            if args.format == "jsonl":
                sys.stdout.write(json.dumps(row.to_json()) + "\n")
                sys.stdout.flush()
    finally:
        if progress is not None:
            progress.close()
    if args.format == "text":
        from tfdoctor.report.scan import render_table

        order = {f.prefix: i for i, f in enumerate(found)}
        render_table(sorted(rows, key=lambda r: order[r.found.prefix]), sys.stdout)
    errors = any(r.report is not None and r.report.errors for r in rows)
    return EXIT_FINDINGS if errors else EXIT_OK


class _Progress:
    def __init__(self, total: int):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self._progress = Progress(
            TextColumn("checking environments"),
            BarColumn(),
            MofNCompleteColumn(),
            console=_console(),
            transient=True,
        )
        self._task = self._progress.add_task("scan", total=total)
        self._progress.start()

    def advance(self, row: object) -> None:
        self._progress.advance(self._task)

    def close(self) -> None:
        self._progress.stop()


def _console() -> Any:
    from rich.console import Console

    return Console(file=sys.stderr)


def _progress(total: int) -> _Progress:
    return _Progress(total)
