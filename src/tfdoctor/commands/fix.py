"""``tfdoctor fix``: turn the findings into a plan, show it, apply it as a transaction."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from tfdoctor.errors import EXIT_FINDINGS, EXIT_OK, UsageError


def add_parser(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "fix",
        help="repair an environment: show the plan, apply it, verify, roll back on failure",
        description="Turn the findings of `check` into a plan (uninstall, install pinned "
        "versions chosen by uv or pip, move leftovers to a backup folder, variables to set), "
        "show it, and apply it as a transaction verified by `check --deep`.",
    )
    p.add_argument("--python", metavar="PATH", help="interpreter, venv or conda env to repair")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    p.add_argument("--dry-run", action="store_true", help="print the plan only")
    p.add_argument("-y", "--yes", action="store_true", help="apply without asking")
    p.add_argument("--tensorflow", metavar="X.Y", help="move TensorFlow to the newest X.Y.*")
    p.add_argument("--latest", action="store_true", help="move TensorFlow to the newest release")
    p.add_argument(
        "--keras",
        type=int,
        choices=(2, 3),
        help="2: keep Keras 2 code (tf-keras); 3: move to Keras 3",
    )
    p.add_argument(
        "--into",
        metavar="DIR",
        help="build the repaired environment as a new venv in DIR and leave the original untouched",
    )
    p.add_argument(
        "--rename-shadowing",
        action="store_true",
        help="consent to rename files in the working directory that shadow a package",
    )
    p.add_argument(
        "--rollback",
        action="store_true",
        help="restore the state recorded by the last fix of this environment",
    )


def run(args: argparse.Namespace) -> int:
    from tfdoctor.fix.executor import print_line

    if args.latest and args.tensorflow:
        raise UsageError("--latest and --tensorflow exclude each other")
    if args.tensorflow and not _is_minor(args.tensorflow):
        raise UsageError(f"--tensorflow takes a version like 2.15, not {args.tensorflow!r}")
    say = print_line(sys.stderr)
    if args.rollback:
        return _rollback(args, say)
    return _fix(args, say)


def _is_minor(text: str) -> bool:
    parts = text.split(".")
    return 2 <= len(parts) <= 3 and all(p.isdigit() for p in parts)


def _prefix_of(python: str | None) -> str:
    import subprocess

    from tfdoctor.target import resolve

    target = resolve(python)
    proc = subprocess.run(
        [target.executable, "-c", "import sys; print(sys.prefix)"],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise UsageError(f"{target.label} is not a working Python interpreter")
    return proc.stdout.strip()


def _rollback(args: argparse.Namespace, say: Any) -> int:
    from tfdoctor.fix.executor import rollback

    outcome = rollback(_prefix_of(args.python), say)
    _emit(args, None, outcome.to_json())
    return EXIT_OK if outcome.status == "rolled-back" else EXIT_FINDINGS


def _fix(args: argparse.Namespace, say: Any) -> int:
    from tfdoctor.diagnose import diagnose_context
    from tfdoctor.fix import journal
    from tfdoctor.fix.executor import apply
    from tfdoctor.fix.into import build_into
    from tfdoctor.fix.plan import Intent
    from tfdoctor.fix.planner import make_plan, stamp_now
    from tfdoctor.fix.resolver import pick_tool

    ctx, report = diagnose_context(args.python)
    snap = ctx.snapshot
    last = journal.latest(snap.python.prefix)
    if last is not None and last.state in journal.UNFINISHED and not args.into:
        raise UsageError(
            f"an earlier fix of {snap.python.prefix} did not finish ({last.path.name}, state "
            f"{last.state}); run `tfdoctor fix --rollback --python {snap.python.prefix}` first"
        )
    if not args.into and not args.dry_run and not (snap.python.is_venv or snap.is_conda):
        raise UsageError(
            f"{snap.python.executable} is not a virtual or conda environment; repair it into a "
            "new one with --into DIR (the system installation is never changed in place)"
        )
    intent = Intent(
        tensorflow=args.tensorflow,
        latest=args.latest,
        keras=args.keras,
        rename_shadowing=args.rename_shadowing,
    )
    stamp = stamp_now()
    tool = pick_tool(snap.python.executable)
    plan = make_plan(ctx, list(report.findings), intent, tool, stamp)
    _show_plan(args, plan)
    if args.into and args.format == "text":
        print(
            f"--into {args.into}: the original stays as it is; the new environment gets the "
            f"repaired set of {len(plan.final_pins)} distributions (the uninstalls, moves and "
            "renames above only describe what differs from the original)"
        )
    if plan.unresolved:
        _emit(args, plan, {"status": "unresolved", "message": "; ".join(plan.unresolved)})
        return EXIT_FINDINGS
    if not plan.changes and not args.into:
        _emit(args, plan, {"status": "nothing-to-do", "message": _nothing_message(plan)})
        return EXIT_FINDINGS if plan.manual else EXIT_OK
    if args.dry_run:
        _emit(args, plan, {"status": "planned", "message": "dry run: nothing was changed"})
        return EXIT_OK
    if not args.yes and not _confirm(args):
        _emit(args, plan, {"status": "cancelled", "message": "nothing was changed"})
        return EXIT_FINDINGS
    assert tool is not None
    if args.into:
        outcome = build_into(plan, tool, Path(args.into).expanduser().absolute(), say)
    else:
        outcome = apply(plan, snap, tool, stamp, say)
    _emit(args, plan, outcome.to_json())
    return EXIT_OK if outcome.status == "verified" else EXIT_FINDINGS


def _nothing_message(plan: Any) -> str:
    if plan.manual or plan.environ:
        return "no change to the environment's files; see the steps above for what is left to you"
    return "nothing to fix"


def _confirm(args: argparse.Namespace) -> bool:
    if not sys.stdin.isatty():
        raise UsageError("not a terminal: pass --yes to apply the plan, or --dry-run to see it")
    answer = input("Apply this plan? [y/N] ").strip().lower()
    return answer in ("y", "yes")


def _show_plan(args: argparse.Namespace, plan: Any) -> None:
    if args.format == "json":
        return
    from tfdoctor.fix.report import render_plan

    render_plan(plan, sys.stdout)


def _emit(args: argparse.Namespace, plan: Any, result: dict[str, Any]) -> None:
    if args.format == "json":
        doc = {
            "schema": "tfdoctor/1",
            "command": "fix",
            "plan": plan.to_json() if plan is not None else None,
            "result": result,
        }
        print(json.dumps(doc, indent=2))
        return
    from tfdoctor.fix.report import render_result

    render_result(result, sys.stdout)
