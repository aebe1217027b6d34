"""Without --python, tfdoctor examines the environment the user means, never its own.

Plain real venvs (no TensorFlow needed to see which one is examined); the variables are set in
the environment of the subprocess that runs the real command line.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import specs
from cli_runner import Runner
from envs import EnvSpec, interpreter

OWN = Path(sys.prefix)


@pytest.fixture(scope="module")
def venvs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("active")
    made = {}
    for name in ("virtual", "conda", "onpath"):
        subprocess.run(
            [interpreter("3.12"), "-m", "venv", "--without-pip", str(root / name)], check=True
        )
        made[name] = root / name
    return made


def _no_python_path(tmp_path: Path) -> str:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    return str(empty)


def _target(result: object) -> dict[str, str]:
    assert result.returncode in (0, 1), result.stderr  # type: ignore[attr-defined]
    target: dict[str, str] = result.json()["target"]  # type: ignore[attr-defined]
    return target


def test_virtual_env_first(tfdoctor: Runner, venvs: dict[str, Path], tmp_path: Path) -> None:
    env = {
        "VIRTUAL_ENV": str(venvs["virtual"]),
        "CONDA_PREFIX": str(venvs["conda"]),
        "PATH": f"{venvs['onpath'] / 'bin'}{os.pathsep}{os.environ['PATH']}",
    }
    result = tfdoctor("check", "--format", "json", env=env)
    target = _target(result)
    assert Path(target["prefix"]) == venvs["virtual"]
    assert "$VIRTUAL_ENV" in target["chosen"]
    text = tfdoctor("check", env=env)
    first = text.stdout.splitlines()[0]
    assert str(venvs["virtual"]) in first and "active virtual environment ($VIRTUAL_ENV)" in first


def test_conda_prefix_when_no_virtual_env(
    tfdoctor: Runner, venvs: dict[str, Path], tmp_path: Path
) -> None:
    env = {
        "CONDA_PREFIX": str(venvs["conda"]),
        "PATH": f"{venvs['onpath'] / 'bin'}{os.pathsep}{os.environ['PATH']}",
    }
    target = _target(tfdoctor("check", "--format", "json", env=env))
    assert Path(target["prefix"]) == venvs["conda"]
    assert "$CONDA_PREFIX" in target["chosen"]


def test_python3_first_on_path(tfdoctor: Runner, venvs: dict[str, Path]) -> None:
    env = {"PATH": f"{venvs['onpath'] / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    target = _target(tfdoctor("check", "--format", "json", env=env))
    assert Path(target["prefix"]) == venvs["onpath"]
    assert "python3, the first on PATH" in target["chosen"]


def test_own_interpreter_last(tfdoctor: Runner, tmp_path: Path) -> None:
    target = _target(tfdoctor("check", "--format", "json", env={"PATH": _no_python_path(tmp_path)}))
    assert Path(target["prefix"]).resolve() == OWN.resolve()
    assert "tfdoctor's own interpreter" in target["chosen"]


def test_explicit_python_says_nothing_more(tfdoctor: Runner, venvs: dict[str, Path]) -> None:
    result = tfdoctor("check", "--python", str(venvs["onpath"]), "--format", "json")
    assert "chosen" not in _target(result)


def test_lint_uses_the_active_environment(
    tfdoctor: Runner, venvs: dict[str, Path], tmp_path: Path
) -> None:
    (tmp_path / "train.py").write_text("import tensorflow as tf\n")
    env = {"VIRTUAL_ENV": str(venvs["virtual"])}
    result = tfdoctor("lint", str(tmp_path / "train.py"), "--format", "json", env=env)
    assert result.returncode in (0, 1), result.stderr
    assert str(venvs["virtual"] / "bin" / "python") in result.stdout
    assert "$VIRTUAL_ENV" in result.stdout


@pytest.mark.parametrize("how", ["virtual_env", "path"])
@pytest.mark.parametrize("command", [("fix", "--dry-run"), ("fix", "--yes"), ("fix", "--rollback")])
def test_fix_never_changes_its_own_environment_unless_named(
    tfdoctor: Runner, tmp_path: Path, how: str, command: tuple[str, ...]
) -> None:
    env = {"VIRTUAL_ENV": str(OWN)} if how == "virtual_env" else {"PATH": _no_python_path(tmp_path)}
    result = tfdoctor(*command, env=env)
    assert result.returncode == 2, result.stdout + result.stderr
    err = result.stderr.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert "tfdoctor's own environment" in err and "--python" in err
    assert not (OWN / ".tfdoctor").exists()


def test_paths_print_resolved(tfdoctor: Runner, venvs: dict[str, Path], tmp_path: Path) -> None:
    (tmp_path / "work").mkdir()
    given = f"{tmp_path}/work/../{os.path.relpath(venvs['onpath'], tmp_path)}/bin/python"
    result = tfdoctor("check", "--python", given, "--format", "json")
    target = _target(result)
    assert ".." not in target["executable"], target
    assert target["executable"] == str(venvs["onpath"].resolve() / "bin" / "python")
    assert ".." not in tfdoctor("check", "--python", given).stdout.splitlines()[0]


@pytest.mark.realenv
def test_explain_joins_the_active_environment(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    env = real_env(specs.TF215_KERAS3)
    text = "ModuleNotFoundError: No module named 'keras.api._v2'\n"
    result = tfdoctor("explain", "--format", "json", "-", stdin=text, env={"VIRTUAL_ENV": str(env)})
    assert result.returncode in (0, 1), result.stderr
    data = result.json()
    assert "$VIRTUAL_ENV" in data["environment_source"]
    assert Path(data["target"]["prefix"]) == env


def test_report_uses_the_active_environment(tfdoctor: Runner, venvs: dict[str, Path]) -> None:
    result = tfdoctor("report", env={"VIRTUAL_ENV": str(venvs["virtual"])})
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("- **Environment**"))
    assert f"/{venvs['virtual'].parent.name}/virtual`" in line and "$VIRTUAL_ENV" in line, line
