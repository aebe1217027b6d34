"""Repairs that last and commands that run: uv comes with tfdoctor and repairs an environment that
has neither pip nor uv on PATH; `--keras 2` leaves TF_USE_LEGACY_KERAS=1 set wherever the
environment is activated; the plan says who installs and whose commands it shows."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fixenv import copy_env, differences, tree_hash

import specs
from conftest import Runner
from envs import EnvSpec, install, interpreter, uv

pytestmark = pytest.mark.realenv

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.network
def test_tfdoctor_installed_by_pip_repairs_an_env_without_pip_or_uv_on_path(
    real_env: Callable[[EnvSpec], Path], tmp_path: Path, clean_environ: dict[str, str]
) -> None:
    """`pip install .` into a fresh venv, no uv on PATH, a uv-made env without pip."""
    source = tmp_path / "source"
    shutil.copytree(
        ROOT, source, ignore=shutil.ignore_patterns(".*", "tests", "bench", "build", "*.egg-info")
    )
    home = tmp_path / "tfdoctor-home"
    subprocess.run([interpreter("3.11"), "-m", "venv", str(home)], check=True)
    subprocess.run(
        [str(home / "bin" / "python"), "-m", "pip", "install", "--quiet",
         "--disable-pip-version-check", str(source)],
        check=True,
    )  # fmt: skip
    env = copy_env(real_env(specs.TF215_NUMPY2), tmp_path / "env")
    assert not (env / "bin" / "pip").exists()
    path = os.pathsep.join(
        p for p in clean_environ["PATH"].split(os.pathsep) if not os.path.exists(f"{p}/uv")
    )
    environ = {**clean_environ, "PATH": path}
    environ.pop("TFDOCTOR_UV", None)
    assert shutil.which("uv", path=path) is None
    fix = subprocess.run(
        [str(home / "bin" / "tfdoctor"), "fix", "--yes", "--python", str(env)],
        capture_output=True, text=True, env=environ, cwd=tmp_path,
    )  # fmt: skip
    assert fix.returncode == 0, fix.stdout + fix.stderr
    assert "versions chosen and installed by uv" in fix.stdout
    assert f"$ {home}/bin/uv pip install " in fix.stderr  # the binary of the uv package
    check = subprocess.run(
        [str(home / "bin" / "tfdoctor"), "check", "--python", str(env)],
        capture_output=True, text=True, env=environ,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout


def _shell_value(shell: str, script: Path) -> str:
    """TF_USE_LEGACY_KERAS in a new shell of that kind after sourcing ``script``."""
    quoted = shlex.quote(str(script))
    command = {
        "bash": f'source {quoted} && printf %s "$TF_USE_LEGACY_KERAS"',
        "fish": f"source {quoted}; and printf %s $TF_USE_LEGACY_KERAS",
        "tcsh": f"source {quoted} && printf %s $TF_USE_LEGACY_KERAS",
    }[shell]
    environ = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
    done = subprocess.run([shell, "-c", command], capture_output=True, text=True, env=environ)
    return done.stdout


def test_keras2_keeps_the_legacy_variable_set_in_the_environment(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    env = copy_env(real_env(specs.TF221_KERAS2), tmp_path / "env")
    before = tree_hash(env)
    result = tfdoctor("fix", "--yes", "--keras", "2", "--python", str(env), "--format", "json")
    doc = result.json()
    assert result.returncode == 0, (doc["result"], result.stderr)
    assert doc["result"]["status"] == "verified"
    scripts = "(bin/activate, bin/activate.fish, bin/activate.csh)"
    said = [n for n in doc["result"]["notes"] if "TF_USE_LEGACY_KERAS=1 is set by" in n]
    assert said and scripts in said[0], doc["result"]["notes"]
    for shell, script in (
        ("bash", "activate"),
        ("fish", "activate.fish"),
        ("tcsh", "activate.csh"),
    ):
        if shutil.which(shell) is None:
            assert "TF_USE_LEGACY_KERAS 1" in (env / "bin" / script).read_text()
            continue
        assert _shell_value(shell, env / "bin" / script) == "1", shell
    # A new shell of the environment has the Keras the fix verified.
    new_shell = subprocess.run(
        ["bash", "-c", f"source {shlex.quote(str(env))}/bin/activate && {env}/bin/python -c "
         "'import tensorflow as tf; print(tf.keras.__name__)'"],
        capture_output=True, text=True,
        env={k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"},
    )  # fmt: skip
    assert new_shell.returncode == 0, new_shell.stderr
    assert new_shell.stdout.startswith("tf_keras."), new_shell.stdout

    undo = tfdoctor("fix", "--rollback", "--python", str(env))
    assert undo.returncode == 0, undo.stderr
    assert differences(before, tree_hash(env)) == []


def test_keras2_in_a_conda_env_writes_activate_d(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    env = copy_env(real_env(specs.TF221_KERAS2), tmp_path / "env")
    specs._conda_meta(env)  # conda's records, as conda writes them
    result = tfdoctor("fix", "--yes", "--keras", "2", "--python", str(env), "--format", "json")
    doc = result.json()
    assert result.returncode == 0, (doc["result"], result.stderr)
    activate_d = env / "etc" / "conda" / "activate.d" / "tfdoctor-legacy-keras.sh"
    deactivate_d = env / "etc" / "conda" / "deactivate.d" / "tfdoctor-legacy-keras.sh"
    assert any("etc/conda/activate.d/tfdoctor-legacy-keras.sh" in n for n in doc["result"]["notes"])
    assert _shell_value("bash", activate_d) == "1"
    both = f"source {shlex.quote(str(activate_d))} && source {shlex.quote(str(deactivate_d))}"
    gone = subprocess.run(
        ["bash", "-c", both + ' && printf %s "${TF_USE_LEGACY_KERAS-unset}"'],
        capture_output=True,
        text=True,
    )
    assert gone.stdout == "unset"


def test_plan_says_who_installs_when_the_env_has_another_installer(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    """`python -m venv` (pip is its installer) holding the distributions of a broken env."""
    cached = real_env(specs.TF215_NUMPY2)
    env = tmp_path / "venv"
    subprocess.run([interpreter("3.11"), "-m", "venv", str(env)], check=True)
    frozen = subprocess.run(
        [uv(), "pip", "freeze", "--python", str(cached / "bin" / "python")],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    (tmp_path / "set.txt").write_text(frozen)
    install(env, ["-r", str(tmp_path / "set.txt")], "--no-deps")
    result = tfdoctor("fix", "--dry-run", "--python", str(env))
    assert result.returncode == 0, result.stderr
    assert (
        "versions chosen and installed by uv; the commands shown are what pip, this "
        "environment's installer, would run"
    ) in result.stdout
    assert "commands for pip" not in result.stdout
    assert "-m pip install --no-deps numpy==1.26.4" in result.stdout
