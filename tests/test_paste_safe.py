"""Every printed command that holds a path is one line and safe to paste, and check -v prints no
credentials from direct_url.json.

A working directory named with a newline and a command substitution holds a keras.py (TFD401,
fix: mv). The fix is run by bash as printed: it renames exactly that file and runs nothing else.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

import specs
from cli_runner import Runner
from envs import EnvSpec, interpreter

EVIL = "work\n$(touch PWNED); touch PWNED2 #"


@pytest.mark.realenv
def test_fix_commands_with_hostile_paths_are_one_safe_line(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    env = real_env(specs.TF221)
    work = tmp_path / EVIL
    work.mkdir()
    (work / "keras.py").write_text("# experiments\n")
    result = tfdoctor("check", "--python", str(env), "--format", "json", cwd=work)
    (finding,) = [f for f in result.json()["findings"] if f["code"] == "TFD401"]
    (command,) = finding["fix"]
    assert "\n" not in command, command
    text = tfdoctor("check", "--python", str(env), cwd=work).stdout
    markdown = tfdoctor("check", "--python", str(env), "--format", "markdown", cwd=work).stdout
    assert command in text and command in markdown
    subprocess.run(["bash", "-c", command], cwd=tmp_path, check=True)
    assert not (work / "keras.py").exists() and (work / "my_keras.py").exists()
    assert not list(tmp_path.rglob("PWNED*")), "the printed command ran more than mv"


def test_check_verbose_redacts_credentials_in_direct_url(tfdoctor: Runner, tmp_path: Path) -> None:
    env = tmp_path / "env"
    subprocess.run([interpreter("3.12"), "-m", "venv", "--without-pip", str(env)], check=True)
    (site,) = env.glob("lib/python3.*/site-packages")
    info = site / "tinypkg-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: tinypkg\nVersion: 1.0\n")
    (info / "INSTALLER").write_text("pip\n")
    (info / "RECORD").write_text(
        "tinypkg-1.0.dist-info/METADATA,,\ntinypkg-1.0.dist-info/RECORD,,\n"
    )
    url = "https://alice:s3cr3tTOKEN@pypi.example.com/packages/tinypkg-1.0-py3-none-any.whl"
    (info / "direct_url.json").write_text(json.dumps({"url": url, "archive_info": {}}))
    for fmt in ("text", "json", "markdown"):
        result = tfdoctor("check", "-v", "--python", str(env), "--format", fmt)
        assert result.returncode in (0, 1), result.stderr
        assert "s3cr3tTOKEN" not in result.stdout and "alice" not in result.stdout, fmt
    assert "https://***@pypi.example.com" in tfdoctor("check", "-v", "--python", str(env)).stdout
