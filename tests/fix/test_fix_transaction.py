"""The transaction: --into never touches the original; an installer killed half-way, a SIGTERM and
a SIGKILL of tfdoctor itself all end with the environment exactly as it was recorded."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fixenv import copy_env, differences, records, tree_hash

import specs
from conftest import Runner
from envs import EnvSpec, site_packages, uv

pytestmark = pytest.mark.realenv


def _wrapper(tmp: Path, site: Path, action: str) -> Path:
    """A `uv` that runs the real one; on a real `pip install` it does ``action`` once the
    installer has started changing site-packages: `kill` (SIGKILL the installer and itself) or
    `hang` (let it finish, say so in a file, then never return)."""
    script = tmp / "uv-wrapper"
    mark = tmp / "mark"
    ready = tmp / "ready"
    script.write_text(
        f"""#!/bin/bash
REAL={uv()}
if [[ "$1 $2" == "pip install" && " $* " != *" --dry-run "* ]]; then
  touch {mark}; sleep 0.01
  "$REAL" "$@" &
  child=$!
  for i in $(seq 1 3000); do
    [ -n "$(find {site} -maxdepth 0 -newer {mark})" ] && break
    sleep 0.005
  done
  if [ {action} = kill ]; then
    kill -9 $child; kill -9 $$
  fi
  wait $child; touch {ready}; exec sleep 600
fi
exec "$REAL" "$@"
""",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_into_leaves_the_original_unchanged(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    env = copy_env(real_env(specs.TF215_NUMPY2), tmp_path / "env")
    hashes, recs = tree_hash(env), records(env)
    new = tmp_path / "env-fixed"
    result = tfdoctor("fix", "--yes", "--python", str(env), "--into", str(new), "--format", "json")
    doc = result.json()
    assert result.returncode == 0, (doc["result"], result.stderr)
    assert doc["result"]["status"] == "verified"
    assert f"source {new}/bin/activate" in doc["result"]["message"]
    assert tree_hash(env) == hashes and records(env) == recs
    assert not (env / ".tfdoctor").exists()
    check = tfdoctor("check", "--python", str(new), "--format", "json").json()
    assert check["summary"]["errors"] == 0, check["findings"]
    versions = {p["distribution"]: p["version"] for p in check["packages"].values() if p}
    assert versions["numpy"].startswith("1.") and versions["tensorflow-cpu"] == "2.15.1"


def test_installer_killed_half_way_is_rolled_back(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    env = copy_env(real_env(specs.TF221_PLUS_TENSORFLOW), tmp_path / "env")
    before = tree_hash(env)
    wrapper = _wrapper(tmp_path, site_packages(env), "kill")
    result = tfdoctor(
        "fix", "--yes", "--python", str(env), "--format", "json", env={"TFDOCTOR_UV": str(wrapper)}
    )
    doc = result.json()
    assert result.returncode == 1
    assert doc["result"]["status"] == "rolled-back", doc["result"]
    failed = [s for s in doc["result"]["steps"] if not s["ok"]]
    assert failed and "SIGKILL" in failed[0]["error"], doc["result"]["steps"]
    assert differences(before, tree_hash(env)) == []


def _start_fix(env: Path, wrapper: Path, clean_environ: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tfdoctor", "fix", "--yes", "--python", str(env)],
        env={**clean_environ, "TFDOCTOR_UV": str(wrapper)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _wait_for(path: Path, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 300
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_sigkill_of_tfdoctor_then_rollback_by_hand(
    tfdoctor: Runner,
    real_env: Callable[[EnvSpec], Path],
    tmp_path: Path,
    clean_environ: dict[str, str],
) -> None:
    env = copy_env(real_env(specs.TF215_NUMPY2), tmp_path / "env")
    before = tree_hash(env)
    proc = _start_fix(env, _wrapper(tmp_path, site_packages(env), "hang"), clean_environ)
    _wait_for(tmp_path / "ready", proc)
    assert differences(before, tree_hash(env)) != []  # numpy 1.26 is in place: half-done
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()

    refused = tfdoctor("fix", "--yes", "--python", str(env))
    assert refused.returncode == 2 and "did not finish" in refused.stderr
    result = tfdoctor("fix", "--rollback", "--python", str(env))
    assert result.returncode == 0, result.stderr
    assert differences(before, tree_hash(env)) == []
    again = tfdoctor("fix", "--rollback", "--python", str(env))
    assert again.returncode == 0 and "already rolled back" in again.stdout, again.stdout


def test_sigterm_during_install_rolls_back(
    real_env: Callable[[EnvSpec], Path], tmp_path: Path, clean_environ: dict[str, str]
) -> None:
    env = copy_env(real_env(specs.TF215_PROTOBUF5), tmp_path / "env")
    before = tree_hash(env)
    proc = _start_fix(env, _wrapper(tmp_path, site_packages(env), "hang"), clean_environ)
    _wait_for(tmp_path / "ready", proc)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err
    assert "rolled-back" in out and "interrupted (SIGTERM)" in out
    assert differences(before, tree_hash(env)) == []


def test_pip_fallback_repairs_and_rolls_back_by_hand(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    env = copy_env(real_env(specs.TF215_NUMPY2_PIP), tmp_path / "env")
    before = tree_hash(env)
    no_uv = {"TFDOCTOR_UV": "none"}
    result = tfdoctor("fix", "--yes", "--python", str(env), "--format", "json", env=no_uv)
    doc = result.json()
    assert result.returncode == 0, (doc["result"], result.stderr)
    assert doc["plan"]["tool"] == "pip"
    assert [s["targets"] for s in doc["plan"]["steps"]] == [["numpy==1.26.4"]]
    assert doc["result"]["status"] == "verified"
    # pip replaced files, never wrote into them: the snapshot gives back the exact bytes.
    undo = tfdoctor("fix", "--rollback", "--python", str(env), env=no_uv)
    assert undo.returncode == 0, undo.stderr
    assert differences(before, tree_hash(env)) == []


def test_shadowing_file_renamed_only_with_consent(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    env = copy_env(real_env(specs.TF221), tmp_path / "env")
    work = tmp_path / "project"
    work.mkdir()
    (work / "keras.py").write_text("print('my experiment')\n", encoding="utf-8")
    asked = tfdoctor("fix", "--dry-run", "--python", str(env), "--format", "json", cwd=work).json()
    assert [(s["kind"], s["reasons"]) for s in asked["plan"]["steps"]] == [("manual", ["TFD401"])]
    result = tfdoctor(
        "fix", "--yes", "--rename-shadowing", "--python", str(env), "--format", "json", cwd=work
    )
    doc = result.json()
    assert result.returncode == 0, (doc["result"], result.stderr)
    assert not (work / "keras.py").exists()
    assert (work / "my_keras.py").read_text(encoding="utf-8") == "print('my experiment')\n"
    undo = tfdoctor("fix", "--rollback", "--python", str(env), cwd=work)
    assert undo.returncode == 0 and (work / "keras.py").exists()
