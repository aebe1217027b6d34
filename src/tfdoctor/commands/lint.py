"""``tfdoctor lint [PATH...]``: find Keras/TensorFlow incompatibilities in source code."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from tfdoctor.errors import EXIT_FINDINGS, EXIT_OK, UsageError

FORMATS = ("text", "json", "sarif")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "lint",
        help="find Keras/TF incompatibilities in Python files and notebooks",
        description="Read Python files and notebooks (never executing them) and report mixed "
        "Keras implementations and APIs the target Keras/TensorFlow does not have.",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="files or folders (default: [tool.tfdoctor] paths, else .)",
    )
    parser.add_argument(
        "--python",
        metavar="PATH",
        help="interpreter whose installed Keras/TF is the target (default: the active "
        "environment; without TensorFlow: the newest release for its Python)",
    )
    parser.add_argument("--keras", metavar="VERSION", help="target Keras: 2, 3 or X.Y")
    parser.add_argument("--tensorflow", metavar="X.Y", help="target TensorFlow version")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format")
    parser.add_argument(
        "--select", metavar="CODES", help="comma-separated code prefixes to report (e.g. TFD71)"
    )
    parser.add_argument("--ignore", metavar="CODES", help="comma-separated code prefixes to skip")
    parser.add_argument("--exclude", metavar="GLOBS", help="comma-separated glob patterns to skip")
    parser.add_argument(
        "--fix",
        action="store_true",
        help="apply the safe, mechanical rewrites and show them as a diff (needs libcst)",
    )
    parser.add_argument(
        "--diff",
        action="store_true",
        help="only show the rewrites --fix would make, as a unified diff; change no file",
    )
    parser.add_argument(
        "--jobs", type=int, metavar="N", help="worker processes (default: one per CPU)"
    )


def _known_prefixes(option: str, prefixes: list[str] | None) -> None:
    """A prefix that no lint rule's code starts with is a usage error (a typo filters nothing)."""
    from tfdoctor.lint.rules import LINT_CODES

    for prefix in prefixes or ():
        if not any(code.startswith(prefix.upper()) for code in LINT_CODES):
            raise UsageError(
                f"{option} {prefix}: no lint rule's code starts with it; "
                "`tfdoctor rules` lists them (lint rules are TFD7xx)"
            )


def _split(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [part.strip() for part in value.split(",") if part.strip()]


def run(args: argparse.Namespace) -> int:
    from tfdoctor import __version__
    from tfdoctor.lint import lint_paths, resolve_target
    from tfdoctor.lint.sources import load_config

    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.diff and args.format != "text":
        raise UsageError("--diff prints a unified diff: it cannot be combined with --format")
    if args.fix or args.diff:
        try:
            import libcst  # noqa: F401
        except ImportError:
            raise UsageError("--fix needs libcst: pip install 'tfdoctor[lint]'") from None
    start = Path(args.paths[0]) if args.paths else Path.cwd()
    config = load_config(start if start.exists() else Path.cwd())
    paths = list(args.paths)
    if not paths:
        root = config.root or Path.cwd()
        paths = [str(root / p) for p in config.paths] if config.paths else ["."]
    if args.select is not None and not _split(args.select):
        raise UsageError(
            "--select needs code prefixes, e.g. --select TFD71 (empty, it selects none)"
        )
    select = _split(args.select) if args.select is not None else config.select
    ignore = _split(args.ignore) if args.ignore is not None else config.ignore
    _known_prefixes("--select", _split(args.select))
    _known_prefixes("--ignore", _split(args.ignore))
    if config.root is not None:  # a typo there would filter out every finding just the same
        where = f"{config.root / 'pyproject.toml'}: [tool.tfdoctor]"
        if args.select is None:
            _known_prefixes(f"{where} select", config.select)
        if args.ignore is None:
            _known_prefixes(f"{where} ignore", config.ignore)
    exclude = [
        p if config.root is None or Path(p).is_absolute() else str(config.root / p)
        for p in config.exclude
    ]
    exclude.extend(_split(args.exclude) or [])
    target = resolve_target(args.python, args.keras, args.tensorflow)
    result = lint_paths(
        paths,
        target,
        select=select,
        ignore=ignore or [],
        exclude=exclude,
        jobs=args.jobs,
        fix=args.fix and not args.diff,
        diff=args.diff,
    )
    out = sys.stdout
    if args.diff:
        from tfdoctor.report.lint import render_diff

        render_diff(result, out, sys.stderr)
        return EXIT_FINDINGS if result.changes else EXIT_OK
    if args.format == "json":
        from tfdoctor.report.lint import document

        payload = document(result)
        out.write(json.dumps(payload, indent=2) + "\n")
    elif args.format == "sarif":
        from tfdoctor.lint.rules import LINT_RULES
        from tfdoctor.report.sarif import render_sarif

        out.write(render_sarif(result.findings, LINT_RULES, __version__, result.errors) + "\n")
    else:
        from tfdoctor.report.lint import render_text

        render_text(result, out)
    if args.format != "text":
        for path, message in [*result.errors, *result.fix_errors]:
            print(f"tfdoctor: {path}: {message}", file=sys.stderr)
    return EXIT_FINDINGS if result.findings else EXIT_OK
