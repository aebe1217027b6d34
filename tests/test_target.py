"""Bad targets get one clear line and exit status 2, never a traceback."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from cli_runner import Runner
from envs import interpreter


def _assert_one_line_error(result: object, *needles: str) -> None:
    assert result.returncode == 2, result.stdout  # type: ignore[attr-defined]
    err = result.stderr.strip()  # type: ignore[attr-defined]
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("tfdoctor: ")
    for needle in needles:
        assert needle in err, err


def test_missing_path(tfdoctor: Runner, tmp_path: Path) -> None:
    result = tfdoctor("check", "--python", str(tmp_path / "nowhere"))
    _assert_one_line_error(result, "no such file or folder", "venv")


def test_folder_that_is_no_environment(tfdoctor: Runner, tmp_path: Path) -> None:
    result = tfdoctor("check", "--python", str(tmp_path))
    _assert_one_line_error(result, "not a Python environment")


def test_text_file_is_not_an_interpreter(tfdoctor: Runner, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hello\n")
    result = tfdoctor("check", "--python", str(notes))
    _assert_one_line_error(result, "not an executable file")


def test_executable_that_is_not_python(tfdoctor: Runner) -> None:
    result = tfdoctor("check", "--python", shutil.which("true") or "/bin/true")
    _assert_one_line_error(result, "not a working Python interpreter")


@pytest.mark.parametrize("version", ["2.7", "3.6"])
def test_too_old_python(tfdoctor: Runner, version: str) -> None:
    python = interpreter(version)
    if not Path(python).exists():
        pytest.skip(f"no Python {version} on this machine")
    result = tfdoctor("check", "--python", python)
    _assert_one_line_error(result, f"is Python {version}.", "3.7 or newer")


def _venv_of_a_removed_python(tmp_path: Path, name: str) -> Path:
    """A real venv made from a Python 3.9 installation that is removed afterwards."""
    source = Path(interpreter("3.9")).parent.parent
    if not source.exists():
        pytest.skip("no Python 3.9 on this machine")
    base = tmp_path / "python-3.9"
    subprocess.run(["cp", "-al", str(source), str(base)], check=True)
    venv = tmp_path / name
    subprocess.run(
        [str(base / "bin" / "python3.9"), "-m", "venv", "--without-pip", str(venv)], check=True
    )
    shutil.rmtree(base)
    return venv


def test_venv_whose_base_interpreter_is_gone(tfdoctor: Runner, tmp_path: Path) -> None:
    venv = _venv_of_a_removed_python(tmp_path, "venv")
    result = tfdoctor("check", "--python", str(venv))
    _assert_one_line_error(result, "is broken", "recreate it")


def test_broken_venv_command_pastes_and_a_dangling_link_is_no_venv(
    tfdoctor: Runner, tmp_path: Path
) -> None:
    """The command to recreate a broken venv is quoted and names its Python; a dangling link
    outside a venv's bin/ is not called a venv (it once read 'the virtual environment  is broken'
    and 'python -m venv --clear ' with no folder, and split a folder with a space in two)."""
    import re
    import shlex

    venv = _venv_of_a_removed_python(tmp_path, "my env")
    for given, cwd in ((str(venv), tmp_path), ("python", venv / "bin")):
        result = tfdoctor("check", "--python", given, cwd=cwd)
        _assert_one_line_error(result, "is broken", "recreate it")
        command = re.search(r"recreate it \(`(.*?)`\)", result.stderr)
        assert command is not None, result.stderr
        assert shlex.split(command.group(1)) == ["python3.9", "-m", "venv", "--clear", str(venv)]

    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    (tmp_path / "loop").symlink_to("loop")
    for name, why in (("dangling", "which does not exist"), ("loop", "leads back to itself")):
        result = tfdoctor("check", "--python", name, cwd=tmp_path)
        _assert_one_line_error(result, f"{name} is a symbolic link to ", why)
        assert "virtual environment" not in result.stderr


def test_python37_target_without_tensorflow(tfdoctor: Runner) -> None:
    """The probe runs on the oldest supported target and names the newest TF for it."""
    python = interpreter("3.7")
    if not Path(python).exists():
        pytest.skip("no Python 3.7 on this machine")
    result = tfdoctor("check", "--python", python, "--format", "json")
    data = result.json()
    assert data["target"]["python"].startswith("3.7.")
    assert result.codes() == [("TFD103", "not-installed")]
    assert "tensorflow==2.11" in data["findings"][0]["fix"][0]


def test_hint_when_another_environment_is_active(tfdoctor: Runner, tmp_path: Path) -> None:
    """tfdoctor run from pipx or another venv: the active one is suggested."""
    python = interpreter("3.9")
    if not Path(python).exists():
        pytest.skip("no Python 3.9 on this machine")
    result = tfdoctor(
        "check", "--python", python, "--format", "json", env={"VIRTUAL_ENV": str(tmp_path)}
    )
    (finding,) = result.json()["findings"]
    assert finding["code"] == "TFD103"
    assert finding["fix_note"].endswith(f"tfdoctor check --python {tmp_path}")
