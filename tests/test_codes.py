"""--select / --ignore with a code no rule has: a usage error, not a silent no-op."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_runner import Runner


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
