"""Apply a Plan as a transaction: journal + snapshot first, then the steps, then ``check --deep``;
any failure (an install step, the verification, Ctrl-C, SIGTERM) restores the recorded state."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from tfdoctor.fix import journal as journal_mod
from tfdoctor.fix.plan import Plan, Step
from tfdoctor.fix.resolver import Tool
from tfdoctor.snapshot import Snapshot

Say = Callable[[str], None]
INSTALL_TIMEOUT_S = 1800.0


class Interrupted(Exception):
    """SIGTERM (or SIGINT) arrived while the plan was being applied."""


@dataclass
class Outcome:
    status: str  # verified | rolled-back | failed | nothing-to-do
    message: str = ""
    steps: list[dict[str, Any]] = field(default_factory=list)
    verification: dict[str, Any] | None = None
    journal: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "message": self.message,
            "steps": self.steps,
            "verification": self.verification,
            "journal": self.journal,
        }


@contextmanager
def _signals_raise() -> Iterator[None]:
    def handler(signum: int, frame: FrameType | None) -> None:
        raise Interrupted(signal.Signals(signum).name)

    old = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def run_step(step: Step, tool: Tool, say: Say, journal: journal_mod.Journal | None) -> str:
    """Do one step; '' on success, else why it failed."""
    if step.kind == "uninstall":
        return _run(tool.uninstall(list(step.targets)), say)
    if step.kind in ("install", "reinstall"):
        return _run(tool.install(list(step.targets), reinstall=step.kind == "reinstall"), say)
    if step.kind in ("move", "rename"):
        for src, dst in step.moves:
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            if os.path.lexists(dst):
                return f"{dst} exists already; nothing was overwritten"
            os.rename(src, dst)
            if step.kind == "rename" and journal is not None:
                journal.record("renames", [src, dst])
        return ""
    return ""  # setenv and manual steps change nothing on disk


def _run(cmd: list[str], say: Say) -> str:
    say("$ " + " ".join(cmd))
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace"
    )
    try:
        out, _ = proc.communicate(timeout=INSTALL_TIMEOUT_S)
    except BaseException:
        # Interrupted (or timed out): let the installer end before the snapshot comes back.
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        raise
    if proc.returncode != 0:
        tail = " | ".join(line for line in out.strip().splitlines()[-5:])
        how = (
            f"killed by {signal.Signals(-proc.returncode).name}"
            if proc.returncode < 0
            else f"exit status {proc.returncode}"
        )
        return f"`{cmd[0]} {' '.join(cmd[1:3])}` failed ({how}): {tail}"
    return ""


def verify(
    python: str, environ: dict[str, str], manual_codes: set[str]
) -> tuple[bool, dict[str, Any]]:
    """``check --deep`` of the repaired environment, with the variables the plan sets."""
    from tfdoctor.deep import RunningDeep
    from tfdoctor.diagnose import diagnose_probe
    from tfdoctor.target import RunningProbe, resolve

    saved = dict(os.environ)
    try:
        for name, value in environ.items():
            if value:
                os.environ[name] = value
            else:
                os.environ.pop(name, None)
        target = resolve(python)
        probe = RunningProbe(target)
        deep = RunningDeep(target)
        report = diagnose_probe(probe, deep=deep)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    errors = [f for f in report.findings if f.severity.value == "error"]
    blocking = [f for f in errors if f.code not in manual_codes]
    summary = {
        "errors": [f"{f.code} {f.title}" for f in errors],
        "blocking": [f"{f.code} {f.title}" for f in blocking],
        "deep": report.extra.get("deep"),
    }
    return not blocking, summary


def apply(plan: Plan, snapshot: Snapshot, tool: Tool, stamp: str, say: Say) -> Outcome:
    """Journal, snapshot, apply, verify; restore on any failure."""
    prefix = plan.prefix
    try:
        journal = journal_mod.start(prefix, stamp, snapshot, plan.to_json())
    except OSError as exc:
        folder = journal_mod.journal_dir(prefix)
        shutil.rmtree(folder / f"snapshot-{stamp}", ignore_errors=True)
        try:
            last = journal_mod.latest(prefix)
            if last is not None and last.data.get("stamp") == stamp:
                last.set_state("failed", str(exc))
        except (OSError, ValueError):
            pass
        return Outcome(
            status="failed",
            message=f"could not record the environment in {folder} ({exc}); nothing was changed "
            "(use --into DIR to build a repaired copy elsewhere)",
        )
    say(f"recorded the environment in {journal.path}")
    outcome = Outcome(status="failed", journal=str(journal.path))
    manual_codes = {c for s in plan.manual for c in s.reason_codes}
    try:
        with _signals_raise():
            journal.set_state("applying")
            for step in plan.changes:
                error = run_step(step, tool, say, journal)
                outcome.steps.append(
                    {
                        "kind": step.kind,
                        "targets": list(step.targets),
                        "ok": not error,
                        "error": error,
                    }
                )
                journal.record("done", outcome.steps[-1])
                if error:
                    raise StepFailed(error)
            say("verifying with check --deep ...")
            ok, summary = verify(plan.python, plan.environ, manual_codes)
            outcome.verification = summary
            if not ok:
                raise StepFailed("verification failed: " + "; ".join(summary["blocking"]))
            journal.set_state("verified")
            outcome.status = "verified"
            outcome.message = "repaired and verified with check --deep"
            return outcome
    except (StepFailed, Interrupted, KeyboardInterrupt) as exc:
        why = str(exc) or type(exc).__name__
        if isinstance(exc, (Interrupted, KeyboardInterrupt)):
            why = f"interrupted ({why})"
        say(f"{why}; restoring the recorded state ...")
        journal.data["error"] = why
        journal_mod.restore(journal)
        outcome.status = "rolled-back"
        outcome.message = why + "; the environment was restored to the recorded state"
        return outcome


class StepFailed(Exception):
    pass


def rollback(prefix: str, say: Say) -> Outcome:
    last = journal_mod.latest(prefix)
    if last is None:
        return Outcome(status="failed", message=f"no tfdoctor journal in {prefix}/.tfdoctor")
    if last.state == "rolled-back" or (last.state != "planned" and not last.snapshot_dir.is_dir()):
        return Outcome(
            status="failed",
            message=f"the last fix ({last.path.name}, state {last.state}) has no snapshot left "
            "to restore",
            journal=str(last.path),
        )
    say(f"restoring {prefix} to the state recorded in {last.path.name} ({last.state}) ...")
    journal_mod.restore(last)
    return Outcome(
        status="rolled-back", message="restored the recorded state", journal=str(last.path)
    )


def print_line(stream: Any = sys.stderr) -> Say:
    def say(text: str) -> None:
        print(text, file=stream, flush=True)

    return say
