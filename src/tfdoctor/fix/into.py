"""``fix --into DIR``: build the repaired environment as a new venv; the old one is never touched."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tfdoctor import shellwords
from tfdoctor.errors import UsageError
from tfdoctor.fix import activate, envlock
from tfdoctor.fix.executor import Outcome, Say, _run, verify
from tfdoctor.fix.plan import Plan
from tfdoctor.fix.resolver import Tool


def base_interpreter(python: str) -> str:
    """The interpreter a venv was made from (so the new venv has the same Python)."""
    proc = subprocess.run(
        [python, "-I", "-c", "import sys; print(getattr(sys, '_base_executable', sys.executable))"],
        capture_output=True,
        text=True,
        check=False,
    )
    return proc.stdout.strip() or python


def check_new_folder(folder: Path, what: str, locked: bool = False) -> None:
    """``folder`` may be made into a new environment: absent, or empty but for tfdoctor's lock
    (which nobody else holds; ``locked``: this process holds it)."""
    busy = "" if locked else envlock.holder(folder)
    if busy:
        raise UsageError(f"{folder} is being changed by {busy}; wait until it ends")
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise UsageError(f"{folder} is a file, not a folder; {what} needs a new folder")
    if folder.is_dir() and any(e.name != envlock.FOLDER for e in folder.iterdir()):
        raise UsageError(f"{folder} exists and is not empty; {what} needs a new folder")


def create_venv(tool: Tool, python: str, folder: Path, say: Say) -> str:
    """Create ``folder`` as a venv of ``python``'s base interpreter; returns its interpreter."""
    base = base_interpreter(python)
    if tool.kind == "uv":
        cmd = [tool.uv, "venv", "--quiet", "--allow-existing", "--python", base, str(folder)]
        error = _run(cmd, say)
    else:
        error = _run([base, "-m", "venv", str(folder)], say)
    if error:
        raise UsageError(f"could not create {folder}: {error}")
    return str(folder / "bin" / "python")


def build_into(plan: Plan, tool: Tool, folder: Path, say: Say) -> Outcome:
    check_new_folder(folder, "--into")
    if Path(plan.prefix).resolve() == folder.resolve():
        raise UsageError("--into must name a new folder, not the environment itself")
    with envlock.hold(folder, "fix --into"):
        check_new_folder(folder, "--into", locked=True)  # again, now that no one else can
        return _build(plan, tool, folder, say)


def _build(plan: Plan, tool: Tool, folder: Path, say: Say) -> Outcome:
    new_python = create_venv(tool, plan.python, folder, say)
    into_tool = Tool(tool.kind, new_python, tool.uv)
    outcome = Outcome(status="failed")
    error = _run(into_tool.install(list(plan.final_pins)), say)
    outcome.steps.append(
        {"kind": "install", "targets": list(plan.final_pins), "ok": not error, "error": error}
    )
    if error:
        outcome.message = f"{error}; {folder} is incomplete, the original is unchanged"
        return outcome
    if activate.wants_legacy(plan):
        written = activate.persist_legacy_keras(str(folder), conda=False)
        outcome.notes.append(
            f"{activate.LEGACY}=1 is set by the activate scripts of {folder} "
            f"({', '.join(p.name for p in written)})"
        )
    say("verifying the new environment with check --deep ...")
    manual = {c for s in plan.manual for c in s.reason_codes}
    ok, summary = verify(new_python, plan.environ, manual, plan.verify_imports)
    outcome.verification = summary
    if not ok:
        outcome.message = (
            "the new environment fails its check: "
            + "; ".join(summary["blocking"])
            + f"; {folder} is kept for inspection, the original is unchanged"
        )
        return outcome
    outcome.status = "verified"
    activate_line = shellwords.source_line(str(folder / "bin" / "activate"))
    outcome.message = (
        f"built and verified {folder}; switch with `{activate_line}` "
        f"(the old environment {plan.prefix} is unchanged)"
    )
    return outcome
