"""The repair transaction under faults and concurrency, on real environments with real processes:
a rollback puts back only what the fix changed; what an interrupted fix started ends before a
rollback restores; one tfdoctor at a time changes an environment; a full disk after the install
rolls back; bad input is one line; printed commands are safe to paste."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fixenv import alive, copy_env, differences, executable, pids_in, tree_hash
from test_fix_transaction import _start_fix, _wait_for, _wrapper

import specs
from conftest import Runner
from envs import EnvSpec, replace_text, site_packages, uv

pytestmark = pytest.mark.realenv


def _kernel_spec(folder: Path, name: str, python: Path) -> None:
    spec = folder / "kernels" / name / "kernel.json"
    spec.parent.mkdir(parents=True)
    argv = [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec.write_text(json.dumps({"argv": argv, "display_name": name, "language": "python"}))


def test_rollback_after_a_fix_keeps_everything_else(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    env = copy_env(real_env(specs.TF215_NUMPY2), tmp_path / "env")
    site = site_packages(env)
    in_place, atomic = site / "six.py", site / "absl" / "__init__.py"
    replace_text(
        in_place, in_place.read_text()
    )  # private: an in-place edit must not reach the cache
    before = tree_hash(env)
    jupyter = tmp_path / "jupyter"
    _kernel_spec(jupyter, "tf-work", env / "bin" / "python")
    _kernel_spec(jupyter, "other", tmp_path / "elsewhere" / "bin" / "python")
    seen_by = {"JUPYTER_DATA_DIR": str(jupyter)}

    fixed = tfdoctor("fix", "--yes", "--python", str(env), env=seen_by)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "versions chosen and installed by uv" in fixed.stdout
    assert "commands for" not in fixed.stdout
    (snapshot,) = (env / ".tfdoctor").glob("snapshot-*")
    assert f"the state before this fix is kept in {snapshot}" in fixed.stdout
    assert f"rm -rf {snapshot}" in fixed.stdout
    assert "restart the Jupyter kernel that runs on this environment: tf-work (" in fixed.stdout
    assert "other (" not in fixed.stdout

    # The user goes on working in the environment.
    (env / "notes.txt").write_text("my notes\n")
    (site / "mine.py").write_text("X = 1\n")
    saved = atomic.with_name("__init__.py.swp")
    saved.write_text(atomic.read_text() + "# saved by an editor\n")
    os.replace(saved, atomic)
    with in_place.open("a") as handle:
        handle.write("# edited in place\n")
    mine = {
        k: v
        for k, v in tree_hash(env).items()
        if k == "notes.txt" or k.endswith(("/mine.py", "/six.py", "absl/__init__.py"))
    }
    assert len(mine) == 4

    # --rollback with --dry-run or an option of a plan is a usage error: it once rolled back
    # without a word, --dry-run and all.
    kept = tree_hash(env)
    for extra in (["--dry-run"], ["--keras", "3"], ["--into", str(tmp_path / "new")]):
        refused = tfdoctor("fix", "--rollback", *extra, "--python", str(env))
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert refused.stdout == "" and len(refused.stderr.splitlines()) == 1, refused.stderr
        assert extra[0] in refused.stderr
    assert differences(kept, tree_hash(env)) == [] and snapshot.exists()
    assert not (tmp_path / "new").exists()

    undo = tfdoctor("fix", "--rollback", "--python", str(env), env=seen_by)
    assert undo.returncode == 0, undo.stderr
    assert undo.stdout.startswith("✓ rolled-back: put back the "), undo.stdout
    assert "✗" not in undo.stdout
    assert "restart the Jupyter kernel that runs on this environment: tf-work" in undo.stdout
    assert differences({**before, **mine}, tree_hash(env)) == []
    assert not snapshot.exists()

    # Once more: nothing left to do, and it says so (it once said "✗ failed: ... state
    # rolled-back has no snapshot left to restore", exit 1).
    again = tfdoctor("fix", "--rollback", "--python", str(env))
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.startswith("✓ nothing-to-do: the last fix (journal-"), again.stdout
    assert "was already rolled back" in again.stdout and "✗" not in again.stdout
    assert differences({**before, **mine}, tree_hash(env)) == []


def test_rollback_refuses_files_changed_since_the_fix(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    env = copy_env(real_env(specs.TF215_NUMPY2), tmp_path / "env")
    before = tree_hash(env)
    fixed = tfdoctor("fix", "--yes", "--python", str(env))
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    version = site_packages(env) / "numpy" / "version.py"  # the fix's numpy 1.26.4
    replace_text(version, version.read_text() + "# patched by me\n")
    edited = tree_hash(env)

    refused = tfdoctor("fix", "--rollback", "--python", str(env))
    assert refused.returncode == 1
    assert "✗ rolled-back" not in refused.stdout
    assert "not rolled back: 1 of the files the fix changed have changed again" in refused.stdout
    assert "numpy/version.py" in refused.stdout and "--rollback --force" in refused.stdout
    assert tree_hash(env) == edited

    forced = tfdoctor("fix", "--rollback", "--force", "--python", str(env))
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert differences(before, tree_hash(env)) == []
    (kept,) = (env / ".tfdoctor").glob("kept-*")
    assert "# patched by me" in (kept / version.relative_to(env)).read_text()


def test_kill9_of_tfdoctor_then_rollback_ends_what_it_started(
    tfdoctor: Runner,
    real_env: Callable[[EnvSpec], Path],
    tmp_path: Path,
    clean_environ: dict[str, str],
) -> None:
    env = copy_env(real_env(specs.TF215_NUMPY2), tmp_path / "env")
    before = tree_hash(env)
    pids, ready, late = tmp_path / "pids", tmp_path / "ready", tmp_path / "late"
    # An installer that outlives tfdoctor: it waits for tfdoctor to die, then installs.
    wrapper = executable(
        tmp_path / "uv-wrapper",
        f"""#!/bin/bash
REAL={uv()}
if [[ "$1 $2" == "pip install" && " $* " != *" --dry-run "* ]]; then
  parent=$PPID
  echo $$ >> {pids}
  (
    while kill -0 $parent 2>/dev/null; do sleep 0.05; done
    sleep 1
    "$REAL" "$@" > {tmp_path}/late.log 2>&1
    touch {late}
  ) &
  echo $! >> {pids}
  touch {ready}
  wait
  exit 0
fi
exec "$REAL" "$@"
""",
    )
    proc = _start_fix(env, wrapper, clean_environ)
    try:
        _wait_for(ready, proc)
        os.kill(proc.pid, signal.SIGKILL)  # tfdoctor alone, not its process group
        proc.communicate()
        undo = tfdoctor("fix", "--rollback", "--python", str(env))
        assert undo.returncode == 0, undo.stderr
        assert "ending what the interrupted fix started" in undo.stderr
        deadline = time.monotonic() + 120
        while any(alive(p) for p in pids_in(pids)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not late.exists() and not [p for p in pids_in(pids) if alive(p)]
        assert differences(before, tree_hash(env)) == []
    finally:
        for pid in pids_in(pids):
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_one_tfdoctor_at_a_time_changes_an_environment(
    tfdoctor: Runner,
    real_env: Callable[[EnvSpec], Path],
    tmp_path: Path,
    clean_environ: dict[str, str],
) -> None:
    env = copy_env(real_env(specs.TF215_PROTOBUF5), tmp_path / "env")
    before = tree_hash(env)
    first = _start_fix(env, _wrapper(tmp_path, site_packages(env), "hang"), clean_environ)
    try:
        _wait_for(tmp_path / "ready", first)
        held = f"is being changed by `tfdoctor fix --yes --python {env}` (pid {first.pid}, since "
        second = tfdoctor("fix", "--yes", "--python", str(env))
        assert second.returncode == 2 and held in second.stderr, second.stderr
        undo = tfdoctor("fix", "--rollback", "--python", str(env))
        assert undo.returncode == 2 and held in undo.stderr, undo.stderr
        look = tfdoctor("fix", "--dry-run", "--python", str(env))
        assert look.returncode == 0 and f"note: {env} {held}" in look.stderr, look.stderr
        assert len(list((env / ".tfdoctor").glob("snapshot-*"))) == 1
    finally:
        first.send_signal(signal.SIGTERM)
        out, err = first.communicate(timeout=120)
    assert first.returncode == 1 and "interrupted (SIGTERM)" in out, (out, err)
    assert differences(before, tree_hash(env)) == []


def test_new_holds_the_lock_of_the_folder_it_makes(
    tfdoctor: Runner, tmp_path: Path, clean_environ: dict[str, str]
) -> None:
    target, ready = tmp_path / "made", tmp_path / "ready"
    wrapper = executable(
        tmp_path / "uv-wrapper",
        f"""#!/bin/bash
if [[ "$1 $2" == "pip install" ]]; then touch {ready}; exec sleep 600; fi
exec {uv()} "$@"
""",
    )
    first = subprocess.Popen(
        [sys.executable, "-m", "tfdoctor", "new", str(target), "--no-smoke"],
        env={**clean_environ, "TFDOCTOR_UV": str(wrapper)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _wait_for(ready, first)
        held = f"is being changed by `tfdoctor new {target} --no-smoke` (pid {first.pid}, since "
        second = tfdoctor("new", str(target))
        assert second.returncode == 2 and held in second.stderr, second.stderr
        fix = tfdoctor("fix", "--yes", "--python", str(target))
        assert fix.returncode == 2 and held in fix.stderr, fix.stderr
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.communicate()


def _can_mount_tmpfs() -> bool:
    try:
        probe = subprocess.run(
            ["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt"],
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


@pytest.mark.skipif(not _can_mount_tmpfs(), reason="needs `unshare -m` and tmpfs mounts (root)")
def test_full_disk_while_writing_the_journal_rolls_back(
    real_env: Callable[[EnvSpec], Path], tmp_path: Path, clean_environ: dict[str, str]
) -> None:
    """The environment on a small tmpfs (in a private mount namespace); the installer succeeds,
    then the disk is full, so the journal write right after the install fails for real."""
    cached = real_env(specs.TF215_NUMPY2)
    used = subprocess.run(
        ["du", "-s", "--block-size=1M", str(cached)], capture_output=True, text=True, check=True
    )
    mount = tmp_path / "small-disk"
    mount.mkdir()
    wrapper = executable(
        tmp_path / "uv-wrapper",
        f"""#!/bin/bash
if [[ "$1 $2" == "pip install" && " $* " != *" --dry-run "* ]]; then
  {uv()} "$@"; status=$?
  cat /dev/zero > {mount}/filler 2>/dev/null
  exit $status
fi
exec {uv()} "$@"
""",
    )
    job = {
        "mount": str(mount),
        "size_mb": int(used.stdout.split()[0]) + 300,
        "env": str(cached),
        "python": sys.executable,
        "environ": {**clean_environ, "TFDOCTOR_UV": str(wrapper)},
        "result": str(tmp_path / "result.json"),
    }
    driver = Path(__file__).parent / "full_disk.py"
    subprocess.run(["unshare", "-m", sys.executable, str(driver), json.dumps(job)], check=True)
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["filled"] > 0  # the disk was really full
    assert result["returncode"] == 1, result["stderr"]
    doc = json.loads(result["stdout"])["result"]
    assert doc["status"] == "rolled-back", doc
    assert "No space left on device" in doc["message"], doc["message"]
    assert result["differences"] == []
    assert result["journal_state"] == "rolled-back"


def test_bad_input_is_one_line(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    env = copy_env(real_env(specs.TF215_NUMPY2), tmp_path / "env")
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder\n")
    for args in (
        ("fix", "--yes", "--python", str(env), "--into", str(a_file)),
        ("new", str(a_file)),
    ):
        result = tfdoctor(*args)
        assert result.returncode == 2, result.stderr
        assert "is a file" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert a_file.read_text() == "not a folder\n"

    journal = env / ".tfdoctor" / "journal-20260101T000000-1.json"
    journal.parent.mkdir()
    journal.write_text('{"stamp": "20260101T000000-1", "state": "appl')  # cut short
    for args in (("fix", "--yes"), ("fix", "--rollback")):
        result = tfdoctor(*args, "--python", str(env))
        assert result.returncode == 2, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "cannot be read (not valid JSON" in result.stderr
    clear = re.search(r"`(mv .*?)`", result.stderr)
    assert clear is not None
    # A dry run still shows the plan, and says what is wrong.
    look = tfdoctor("fix", "--dry-run", "--python", str(env))
    assert look.returncode == 0 and "install numpy==1.26.4" in look.stdout
    assert "note: the tfdoctor journal" in look.stderr
    # Cleared as the message says.
    subprocess.run(["bash", "-c", clear.group(1)], check=True)
    again = tfdoctor("fix", "--dry-run", "--python", str(env))
    assert again.returncode == 0 and "journal" not in again.stderr


def test_printed_commands_are_safe_to_paste(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    env = copy_env(real_env(specs.TF215_NUMPY2), tmp_path / "it's $(touch PWNED); env")
    new = tmp_path / "new env; touch PWNED2"
    result = tfdoctor("fix", "--yes", "--python", str(env), "--into", str(new), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    progress = [shlex.split(line[2:]) for line in result.stderr.splitlines() if line[:2] == "$ "]
    assert [str(new)] == [a for a in progress[0] if a.startswith(str(tmp_path))], progress
    assert any(str(new / "bin" / "python") in argv for argv in progress[1:]), progress
    switch = re.search(r"switch with `(.*?)` \(the old", result.stdout)
    assert switch is not None, result.stdout
    shown = subprocess.run(
        ["bash", "-c", switch.group(1) + ' && printf %s "$VIRTUAL_ENV"'],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert shown.stdout == str(new), shown.stderr

    made = tmp_path / "made; touch PWNED3"
    created = tfdoctor("new", str(made), "--no-smoke", cwd=tmp_path)
    assert created.returncode == 0, created.stdout + created.stderr
    use = re.search(r"use it with `(.*?)`", created.stdout)
    assert use is not None, created.stdout
    shown = subprocess.run(
        ["bash", "-c", use.group(1) + ' && printf %s "$VIRTUAL_ENV"'],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert shown.stdout == str(made), shown.stderr
    assert not list(tmp_path.glob("PWNED*"))
