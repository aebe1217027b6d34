"""``tfdoctor fix``: turn the findings into a plan, show it, apply it as a transaction."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tfdoctor.errors import EXIT_FINDINGS, EXIT_OK, UsageError

if TYPE_CHECKING:
    from tfdoctor.finding import Finding


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
        help="2: keep Keras 2 code (tf-keras on TF >= 2.16); 3: move to Keras 3",
    )
    p.add_argument(
        "--choose",
        type=int,
        metavar="N",
        help="when the whole environment has to be solved and there are alternatives, apply "
        "alternative N (--yes alone takes the one that changes the fewest requested packages)",
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
        help="put back what the last fix of this environment changed (nothing else)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="with --rollback: move files changed since the fix to ENV/.tfdoctor/kept-STAMP/ "
        "instead of refusing",
    )


def run(args: argparse.Namespace) -> int:
    from tfdoctor.fix.executor import print_line

    if args.latest and args.tensorflow:
        raise UsageError("--latest and --tensorflow exclude each other")
    if args.tensorflow and not _is_minor(args.tensorflow):
        raise UsageError(f"--tensorflow takes a version like 2.15, not {args.tensorflow!r}")
    if args.choose is not None and args.choose < 1:
        raise UsageError(f"--choose takes an alternative's number (1, 2, ...), not {args.choose}")
    if args.force and not args.rollback:
        raise UsageError("--force goes with --rollback only")
    if args.rollback:
        _rollback_alone(args)
    if args.into:
        into = Path(args.into).expanduser()
        if into.exists() and not into.is_dir():
            raise UsageError(f"--into {args.into}: that is a file; name a new folder")
        from tfdoctor.fix.into import check_new_folder

        check_new_folder(into, "--into")  # before planning: a dry run says it too
    say = print_line(sys.stderr)
    if args.rollback:
        return _rollback(args, say)
    return _fix(args, say)


def _rollback_alone(args: argparse.Namespace) -> None:
    """--rollback puts back what the journal records; an option of a plan would be ignored, and
    --dry-run ignored is a rollback the user did not want."""
    if args.dry_run:
        raise UsageError(
            "--rollback has no dry run: it puts back at once what the last fix changed (the "
            "journal ENV/.tfdoctor/journal-STAMP.json lists it); leave out --dry-run to roll back"
        )
    plan_options = (
        ("--into", args.into),
        ("--tensorflow", args.tensorflow),
        ("--latest", args.latest),
        ("--keras", args.keras is not None),
        ("--choose", args.choose is not None),
        ("--rename-shadowing", args.rename_shadowing),
    )
    for option, given in plan_options:
        if given:
            raise UsageError(
                f"{option} does not go with --rollback, which only puts back what the last "
                "fix changed"
            )


def _is_minor(text: str) -> bool:
    parts = text.split(".")
    return 2 <= len(parts) <= 3 and all(p.isdigit() for p in parts)


def _prefix_of(python: str | None) -> str:
    import subprocess

    from tfdoctor.target import resolve

    target = resolve(python)
    proc = subprocess.run(
        [target.executable, "-I", "-c", "import sys; print(sys.prefix)"],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise UsageError(f"{target.label} is not a working Python interpreter")
    return proc.stdout.strip()


def _not_own(python: str | None, prefix: str, why: object) -> None:
    """fix never changes tfdoctor's own environment unless it is named with --python."""
    from tfdoctor.shellwords import word as shell_word
    from tfdoctor.target import is_own

    if python is None and is_own(prefix):
        chosen = f" ({why})" if why else ""
        raise UsageError(
            f"{prefix} is tfdoctor's own environment{chosen}; activate the environment to "
            f"repair or name it with --python (--python {shell_word(prefix)} to change this one)"
        )


def _rollback(args: argparse.Namespace, say: Any) -> int:
    from tfdoctor.fix import envlock, journal
    from tfdoctor.fix.executor import Outcome, rollback

    prefix = _prefix_of(args.python)
    _not_own(args.python, prefix, "")
    if not journal.journal_dir(prefix).is_dir():
        outcome = Outcome(status="failed", message=f"no tfdoctor journal in {prefix}/.tfdoctor")
    else:
        with envlock.hold(prefix, "fix --rollback"):
            outcome = rollback(prefix, say, force=args.force)
    done = outcome.status in ("rolled-back", "nothing-to-do")  # already rolled back: done too
    _emit(
        args,
        None,
        outcome.to_json(),
        succeeded=done,
        target={"prefix": prefix},
    )
    return EXIT_OK if done else EXIT_FINDINGS


def _journal_seen(prefix: str) -> tuple[str, int, int] | None:
    """The newest journal as a file (name, size, mtime): any change by another fix alters it."""
    from tfdoctor.fix import journal

    found = sorted(journal.journal_dir(prefix).glob("journal-*.json"))
    if not found:
        return None
    st = found[-1].stat()
    return (found[-1].name, st.st_size, st.st_mtime_ns)


def _earlier_fix(args: argparse.Namespace, prefix: str, say: Any) -> None:
    """Refuse to start while another tfdoctor changes the environment, or while the last fix is
    unfinished or unreadable; a dry run (or --into) only says so."""
    from tfdoctor.fix import envlock, journal
    from tfdoctor.shellwords import word as shell_word

    only_note = bool(args.dry_run or args.into)
    busy = envlock.holder(prefix)
    if busy:
        message = f"{prefix} is being changed by {busy}"
        if not only_note:
            raise UsageError(f"{message}; wait until it ends, then run this again")
        say(f"note: {message}; this plan may be out of date")
    try:
        last = journal.latest(prefix)
    except journal.JournalError as exc:
        if not only_note:
            raise
        say(f"note: {exc}")
        return
    if last is not None and last.state in journal.UNFINISHED:
        message = (
            f"an earlier fix of {prefix} did not finish ({last.path.name}, state {last.state}); "
            f"run `tfdoctor fix --rollback --python {shell_word(prefix)}` first"
        )
        if not only_note:
            raise UsageError(message)
        if not args.into:
            say(f"note: {message}")


def _fix(args: argparse.Namespace, say: Any) -> int:
    from dataclasses import replace

    from tfdoctor.diagnose import diagnose_context
    from tfdoctor.fix import activate, envlock
    from tfdoctor.fix.choice import ask, check_choice
    from tfdoctor.fix.executor import apply
    from tfdoctor.fix.into import build_into
    from tfdoctor.fix.plan import Intent
    from tfdoctor.fix.planner import make_plan, stamp_now
    from tfdoctor.fix.resolver import pick_tool

    ctx, report = diagnose_context(args.python)
    snap = ctx.snapshot
    prefix = snap.python.prefix
    if not args.into:
        _not_own(args.python, prefix, report.target.get("chosen", ""))
    seen = _journal_seen(prefix)
    _earlier_fix(args, prefix, say)
    in_place_refused = not args.into and not (snap.python.is_venv or snap.is_conda)
    if in_place_refused and not args.dry_run:
        raise UsageError(
            f"{snap.python.executable} is not a virtual or conda environment; repair it into a "
            "new one with --into DIR (the system installation is never changed in place)"
        )
    intent = Intent(
        tensorflow=args.tensorflow,
        latest=args.latest,
        keras=args.keras,
        rename_shadowing=args.rename_shadowing,
        choose=args.choose,
    )
    stamp = stamp_now()
    tool = pick_tool(snap.python.executable)
    plan = make_plan(ctx, list(report.findings), intent, tool, stamp)
    check_choice(args.choose, plan)
    if _asks_choice(args, plan):
        _show_plan(args, plan)
        chosen = ask(plan)
        if chosen != plan.chosen + 1:
            intent = replace(intent, choose=chosen)
            plan = make_plan(ctx, list(report.findings), intent, tool, stamp, prior=plan.whole)
    emit = partial(_emit, args, plan, target=report.target, findings=report.sorted_findings())
    _show_plan(args, plan)
    if args.into and args.format == "text":
        print(
            f"--into {args.into}: the original stays as it is; the new environment gets the "
            f"repaired set of {len(plan.final_pins)} distributions (the uninstalls, moves and "
            "renames above only describe what differs from the original)"
        )
    if plan.unresolved:
        emit({"status": "unresolved", "message": "; ".join(plan.unresolved)})
        return EXIT_FINDINGS
    scripts = activate.wants_legacy(plan) and bool(activate.missing(prefix, snap.is_conda))
    if not plan.changes and not scripts and not args.into:
        emit({"status": "nothing-to-do", "message": _nothing_message(plan)})
        return EXIT_FINDINGS if plan.manual else EXIT_OK
    if args.dry_run:
        message = "dry run: nothing was changed"
        if in_place_refused:
            message += (
                f"; {snap.python.executable} is not a virtual or conda environment, so --yes "
                "refuses to change it in place: apply the plan into a new one with --into DIR"
            )
        emit({"status": "planned", "message": message})
        return EXIT_OK
    if not args.yes and not _confirm(args):
        emit({"status": "cancelled", "message": "nothing was changed"})
        return EXIT_FINDINGS
    assert tool is not None
    if args.into:
        outcome = build_into(plan, tool, Path(args.into).expanduser().absolute(), say)
    else:
        with envlock.hold(prefix, "fix"):
            if _journal_seen(prefix) != seen:
                raise UsageError(
                    f"another tfdoctor fix changed {prefix} while this one was planning; "
                    "run this again to plan from what is there now"
                )
            outcome = apply(plan, snap, tool, stamp, say)
    emit(outcome.to_json())
    return EXIT_OK if outcome.status == "verified" else EXIT_FINDINGS


def _asks_choice(args: argparse.Namespace, plan: Any) -> bool:
    """A terminal, no --yes and no --choose: ask which alternative to apply."""
    wanted = len(plan.alternatives) > 1 and args.choose is None and not args.yes
    return wanted and not args.dry_run and args.format == "text" and sys.stdin.isatty()


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
    from tfdoctor.report.fix import render_plan

    render_plan(plan, sys.stdout)


def _emit(
    args: argparse.Namespace,
    plan: Any,
    result: dict[str, Any],
    succeeded: bool | None = None,
    target: dict[str, Any] | None = None,
    findings: Sequence[Finding] = (),
) -> None:
    """The outcome; in JSON with the environment and the findings the plan was made from."""
    if args.format == "json":
        from tfdoctor.report.envelope import envelope

        doc = envelope(
            "fix",
            target,
            findings,
            plan=plan.to_json() if plan is not None else None,
            result=result,
        )
        print(json.dumps(doc, indent=2))
        return
    from tfdoctor.report.fix import render_result

    render_result(result, sys.stdout, succeeded=succeeded)
