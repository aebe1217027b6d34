"""Apply a Plan as a transaction: journal + snapshot first, then the steps, then ``check --deep``;
any failure after that (an install step, the verification, a full disk while writing the journal,
Ctrl-C, SIGTERM, a bug) restores the recorded state, or says exactly how to."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from tfdoctor import shellwords
from tfdoctor.fix import activate, children, kernels
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
    notes: list[str] = field(default_factory=list)  # what the user should know or do next

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "message": self.message,
            "steps": self.steps,
            "verification": self.verification,
            "journal": self.journal,
            "notes": self.notes,
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
    token = journal.token if journal is not None else ""
    if step.kind == "uninstall":
        return _run(tool.uninstall(list(step.targets)), say, token)
    if step.kind in ("install", "reinstall"):
        cmd = tool.install(list(step.targets), reinstall=step.kind == "reinstall")
        return _run(cmd, say, token)
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


def _run(cmd: list[str], say: Say, token: str = "") -> str:
    """Run an installer (see fix/children.py); '' on success, else why it failed."""
    say("$ " + shellwords.line(cmd))
    proc = children.popen(cmd, token)
    try:
        out, _ = proc.communicate(timeout=INSTALL_TIMEOUT_S)
    except BaseException:
        # Interrupted (or timed out): the installer ends before the snapshot comes back.
        children.stop(proc)
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
    python: str, environ: dict[str, str], manual_codes: set[str], imports: tuple[str, ...] = ()
) -> tuple[bool, dict[str, Any]]:
    """``check --deep`` of the repaired environment, with the variables the plan sets; it also
    imports ``imports`` (the requested packages the plan moved) after TensorFlow, and a failing
    one blocks like any error."""
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
        # The verification writes nothing into the environment (no byte-code of the modules it
        # imports): what the fix changed is then known before it ends (apply() reads it meanwhile).
        deep = RunningDeep(target, imports=imports, write_bytecode=False)
        report = diagnose_probe(probe, deep=deep)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    errors = [f for f in report.findings if f.severity.value == "error"]
    blocking = [f"{f.code} {f.title}" for f in errors if f.code not in manual_codes]
    deep_run = report.extra.get("deep")
    # A moved package that does not import blocks, whatever the rules make of its message.
    for step in (deep_run or {}).get("steps", []) if isinstance(deep_run, dict) else []:
        name = str(step.get("step", ""))
        if step.get("status") == "fail" and name.removeprefix("import ") in imports:
            lines = str(step.get("error", "")).strip().splitlines()
            why = f"`{name}` fails after the repair: {lines[-1] if lines else 'no message'}"
            if not any(name in b for b in blocking):
                blocking.append(why)
    summary = {
        "imports": list(imports),
        "errors": [f"{f.code} {f.title}" for f in errors],
        "blocking": blocking,
        "deep": deep_run,
    }
    return not blocking, summary


def apply(plan: Plan, snapshot: Snapshot, tool: Tool, stamp: str, say: Say) -> Outcome:
    """Journal, snapshot, apply, verify; restore on any failure. The caller holds the lock."""
    prefix = plan.prefix
    try:
        journal = journal_mod.start(prefix, stamp, snapshot, plan.to_json())
    except OSError as exc:
        folder = journal_mod.journal_dir(prefix)
        shutil.rmtree(folder / f"snapshot-{stamp}", ignore_errors=True)
        with suppress(OSError):
            (folder / f"journal-{stamp}.json").unlink(missing_ok=True)
        return Outcome(
            status="failed",
            message=f"could not record the environment in {folder} ({exc}); nothing was changed "
            "(use --into DIR to build a repaired copy elsewhere)",
        )
    say(f"recorded the environment in {journal.path}")
    for old in journal_mod.forget_old(prefix, keep=stamp):
        say(f"removed {old}, the snapshot of the previous fix (only the last fix can be undone)")
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
            _persist_variables(plan, snapshot.is_conda, outcome, journal)
            also = f" and importing {', '.join(plan.verify_imports)}" if plan.verify_imports else ""
            say(f"verifying with check --deep{also} ...")
            # What changed is read while the target imports TensorFlow (it waits on a child).
            pool = ThreadPoolExecutor(max_workers=1)
            differ = pool.submit(journal_mod.diff, journal.prefix, journal.snapshot_dir)
            pool.shutdown(wait=False)
            ok, summary = verify(plan.python, plan.environ, manual_codes, plan.verify_imports)
            outcome.verification = summary
            if not ok:
                raise StepFailed("verification failed: " + "; ".join(summary["blocking"]))
            changes = differ.result()
            journal.data["changes"] = changes.to_json()
            journal.set_state("verified")
    except BaseException as exc:  # anything after the first change: put the environment back
        if isinstance(exc, SystemExit):
            raise
        return _restore_after(exc, journal, outcome, say)
    outcome.status = "verified"
    outcome.message = "repaired and verified with check --deep"
    outcome.notes += _after_fix_notes(journal, len(changes))
    return outcome


def _persist_variables(
    plan: Plan, conda: bool, outcome: Outcome, journal: journal_mod.Journal
) -> None:
    """TF_USE_LEGACY_KERAS=1 goes into the environment's activate scripts (fix/activate.py)."""
    if not activate.wants_legacy(plan):
        return
    written = activate.persist_legacy_keras(plan.prefix, conda)
    scripts = activate.scripts(plan.prefix, conda)
    if written:
        outcome.steps.append(
            {
                "kind": "activate",
                "targets": [str(p) for p in written],
                "ok": True,
                "error": "",
            }
        )
        journal.record("done", outcome.steps[-1])
    if scripts:
        names = ", ".join(os.path.relpath(p, plan.prefix) for p in scripts)
        outcome.notes.append(
            f"{activate.LEGACY}=1 is set by the environment's activate scripts ({names}); in a "
            f"shell where the environment is already active, run `export {activate.LEGACY}=1` "
            "or activate it again"
        )
    else:
        outcome.notes.append(
            f"the environment has no activate script: set {activate.LEGACY}=1 wherever it runs"
        )


def _after_fix_notes(journal: journal_mod.Journal, changed: int) -> list[str]:
    prefix = str(journal.prefix)
    notes = [
        f"the state before this fix is kept in {journal.snapshot_dir} ({changed} entries differ; "
        "hardlinks: it costs only the replaced files) so that "
        f"`tfdoctor fix --rollback --python {shellwords.word(prefix)}` can undo it; the next fix "
        f"removes it, or once the environment works for you, remove it yourself with "
        f"`rm -rf {shellwords.word(str(journal.snapshot_dir))}`"
    ]
    if journal.backup_dir.is_dir():
        notes.append(
            f"what this fix moved aside (never deleted) is in {journal.backup_dir}; the next fix "
            "keeps it: check that nothing there is yours, then remove it with "
            f"`rm -rf {shellwords.word(str(journal.backup_dir))}`"
        )
    restart = kernels.restart_note(prefix)
    return [*notes, restart] if restart else notes


def _describe(exc: BaseException) -> str:
    if isinstance(exc, (Interrupted, KeyboardInterrupt)):
        return f"interrupted ({exc or type(exc).__name__})"
    if isinstance(exc, StepFailed):
        return str(exc)
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror or exc}{where}"
    if isinstance(exc, subprocess.TimeoutExpired):
        return f"the installer did not finish within {INSTALL_TIMEOUT_S:.0f} s"
    if os.environ.get("TFDOCTOR_DEBUG"):
        traceback.print_exception(type(exc), exc, exc.__traceback__)
    return f"internal error ({type(exc).__name__}: {exc})"


def _restore_after(
    exc: BaseException, journal: journal_mod.Journal, outcome: Outcome, say: Say
) -> Outcome:
    why = _describe(exc)
    say(f"{why}; restoring the recorded state ...")
    journal.data["error"] = why
    quiet = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    held = {s: signal.signal(s, signal.SIG_IGN) for s in quiet}  # a second Ctrl-C waits
    try:
        children.end_marked(journal.token, say)
        journal_mod.restore(journal, precise=False)
    except Exception as again:
        outcome.status = "failed"
        outcome.message = (
            f"{why}; then the restore failed too ({_describe(again)}): the environment may be "
            "half-changed. Remove the cause (free disk space, ...), then run "
            f"`tfdoctor fix --rollback --python {shellwords.word(str(journal.prefix))}`"
        )
        return outcome
    finally:
        for sig, handler in held.items():
            signal.signal(sig, handler)
    outcome.status = "rolled-back"
    outcome.message = why + "; the environment was restored to the recorded state"
    return outcome


class StepFailed(Exception):
    pass


def rollback(prefix: str, say: Say, force: bool = False) -> Outcome:
    """Undo the last fix (the caller holds the lock); JournalError when its journal is unreadable."""
    last = journal_mod.latest(prefix)
    if last is None:
        return Outcome(status="failed", message=f"no tfdoctor journal in {prefix}/.tfdoctor")
    if last.state == "rolled-back":
        return Outcome(
            status="nothing-to-do",
            message=f"the last fix ({last.path.name}) was already rolled back; only the last fix "
            "can be undone",
            journal=str(last.path),
        )
    if last.state != "planned" and not last.snapshot_dir.is_dir():
        return Outcome(
            status="failed",
            message=f"the last fix ({last.path.name}, state {last.state}) has no snapshot left "
            "to restore",
            journal=str(last.path),
        )
    say(f"restoring {prefix} to the state recorded in {last.path.name} ({last.state}) ...")
    outcome = Outcome(status="failed", journal=str(last.path))
    try:
        children.end_marked(last.token, say)
        restored = journal_mod.restore(last, force=force)
    except journal_mod.Conflict as conflict:
        outcome.message = _conflict_message(last, conflict.paths)
        return outcome
    except (OSError, RuntimeError) as exc:
        outcome.message = f"the rollback stopped: {_describe(exc)}; nothing more was changed"
        return outcome
    outcome.status = "rolled-back"
    if restored.precise:
        outcome.message = (
            f"put back the {restored.changed} entries the fix changed; everything else in the "
            "environment was left as it is"
        )
    else:
        outcome.message = "restored the state recorded before the interrupted fix"
    if restored.set_aside:
        outcome.notes.append(
            f"what had changed since the fix was moved to {restored.set_aside} (not deleted)"
        )
    if restored.kept:
        outcome.notes.append(
            "kept folders the fix had made, because they hold files it did not make: "
            + ", ".join(restored.kept[:10])
        )
    restart = kernels.restart_note(prefix)
    if restart:
        outcome.notes.append(restart)
    return outcome


def _conflict_message(journal: journal_mod.Journal, paths: list[str]) -> str:
    shown = ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
    prefix = shellwords.word(str(journal.prefix))
    return (
        f"not rolled back: {len(paths)} of the files the fix changed have changed again since "
        f"({shown}); a rollback would overwrite them. Move them out of the environment, or run "
        f"`tfdoctor fix --rollback --force --python {prefix}` to move them to "
        f"{journal.prefix / journal_mod.FOLDER / ('kept-' + str(journal.data['stamp']))} and "
        "restore the rest"
    )


def print_line(stream: Any = sys.stderr) -> Say:
    from tfdoctor.printable import clean
    from tfdoctor.redact import credentials

    def say(text: str) -> None:
        print(clean(credentials(text)), file=stream, flush=True)

    return say
