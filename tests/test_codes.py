"""--select / --ignore with a code no rule has: a usage error, not a silent no-op."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import specs
from cli_runner import Runner
from envs import EnvSpec


@pytest.mark.parametrize("option", ["--select", "--ignore"])
@pytest.mark.parametrize("command", ["check", "lint"])
def test_unknown_code_is_a_usage_error(
    tfdoctor: Runner, tmp_path: Path, option: str, command: str
) -> None:
    (tmp_path / "a.py").write_text("import tensorflow as tf\n")
    args = [command, option, "TFD101,TFD999" if command == "check" else "TFD71,TFD999"]
    if command == "lint":
        args.append(str(tmp_path / "a.py"))
    result = tfdoctor(*args, cwd=tmp_path)
    assert result.returncode == 2, (result.returncode, result.stderr)
    err = result.stderr.strip()
    assert len(err.splitlines()) == 1 and "TFD999" in err and "tfdoctor rules" in err, err


@pytest.mark.parametrize("command", ["check", "lint"])
def test_known_codes_are_accepted(tfdoctor: Runner, tmp_path: Path, command: str) -> None:
    (tmp_path / "a.py").write_text("import tensorflow as tf\n")
    args = [command, "--select", "tfd101,TFD401" if command == "check" else "TFD7"]
    if command == "lint":
        args += ["--keras", "3", str(tmp_path / "a.py")]
    result = tfdoctor(*args, "--format", "json", cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr


@pytest.mark.realenv
def test_check_takes_code_prefixes_as_lint_does(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    """check once took exact codes only ('--select TFD2: no rule has this code') and an empty
    --select checked everything, where lint takes prefixes and refuses an empty list."""
    env = str(real_env(specs.TF215_JAX))  # NumPy 2 (TFD201) and ml-dtypes 0.7 (TFD210)

    def codes(*args: str) -> list[str]:
        result = tfdoctor("check", "--python", env, "--format", "json", *args)
        assert result.returncode in (0, 1), result.stderr
        return sorted(f["code"] for f in result.json()["findings"])

    assert codes() == ["TFD201", "TFD210"]
    assert codes("--select", "tfd2") == ["TFD201", "TFD210"]
    assert codes("--select", "TFD21,TFD1") == ["TFD210"]
    assert codes("--ignore", "TFD20") == ["TFD210"]
    assert codes("--select", "TFD4") == []
    for empty in ("", ","):
        result = tfdoctor("check", "--python", env, "--select", empty)
        assert result.returncode == 2 and "selects none" in result.stderr, result.stderr
