"""Text from the target reaches no output raw: a METADATA Version or a RECORD path holding a
terminal escape (`ESC[2J` clears the screen) is printed without its control characters.

No installer writes such metadata, so the dist-info is made by hand, laid out exactly as pip
installs one (METADATA, WHEEL, INSTALLER, RECORD with hashes and sizes, the package folder)."""

from __future__ import annotations

import base64
import hashlib
import subprocess
from pathlib import Path

import pytest

from cli_runner import Runner
from envs import interpreter

ESC = "\x1b[2J"


def _record_line(root: Path, relative: str) -> str:
    data = (root / relative).read_bytes()
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{relative},sha256={digest},{len(data)}"


@pytest.fixture(scope="module")
def hostile_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    env = tmp_path_factory.mktemp("ctl") / "env"
    subprocess.run([interpreter("3.12"), "-m", "venv", "--without-pip", str(env)], check=True)
    (site,) = env.glob("lib/python3.*/site-packages")
    (site / "keras").mkdir()
    (site / "keras" / "__init__.py").write_text('__version__ = "3.15.1"\n')
    info = site / "keras-3.15.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.4\nName: keras\nVersion: 3.15.1{ESC}\nSummary: Multi-backend Keras\n"
        "Requires-Python: >=3.10\n\nKeras 3\n"
    )
    (info / "WHEEL").write_text(
        "Wheel-Version: 1.0\nGenerator: setuptools (80.9.0)\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    (info / "INSTALLER").write_text("pip\n")
    lines = [_record_line(site, f"keras-3.15.1.dist-info/{n}") for n in ("METADATA", "WHEEL")]
    lines += [_record_line(site, "keras/__init__.py"), "keras-3.15.1.dist-info/INSTALLER,,"]
    lines += [f"keras/gone{ESC}.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0"]
    lines += ["keras-3.15.1.dist-info/RECORD,,"]
    (info / "RECORD").write_text("\n".join(lines) + "\n")
    return env


@pytest.mark.parametrize(
    "args",
    [(), ("-v",), ("--format", "markdown"), ("--format", "json"), ("-v", "--format", "json")],
    ids=["text", "verbose", "markdown", "json", "json-verbose"],
)
def test_no_control_character_from_the_target_is_printed(
    tfdoctor: Runner, hostile_env: Path, args: tuple[str, ...]
) -> None:
    result = tfdoctor("check", "--python", str(hostile_env), *args)
    assert result.returncode in (0, 1), result.stderr
    assert "\x1b" not in result.stdout and "\x1b" not in result.stderr
    assert "3.15.1[2J" in result.stdout or "3.15.1" in result.stdout, "the rest is still shown"


def test_fix_dry_run_prints_no_control_character(tfdoctor: Runner, hostile_env: Path) -> None:
    result = tfdoctor("fix", "--dry-run", "--python", str(hostile_env))
    assert "\x1b" not in result.stdout and "\x1b" not in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("form", ["text", "markdown"])
def test_bidirectional_controls_of_a_pasted_text_are_shown_not_obeyed(
    tfdoctor: Runner, tmp_path: Path, form: str
) -> None:
    """A right-to-left override (U+202E) in a pasted traceback would make the terminal show a
    path or a command in another order than it is ("Trojan Source"): it is written out."""
    text = tmp_path / "paste.txt"
    text.write_text(
        "Traceback (most recent call last):\n"
        '  File "/home/u/proj/\u202etxt.py", line 1, in <module>\n'
        "    import tensorflow as tf\n"
        "ModuleNotFoundError: No module named 'tensorflow\u202e'\n",
        encoding="utf-8",
    )
    result = tfdoctor("explain", "--text-only", "--format", form, str(text))
    assert result.returncode == 1, result.stderr
    assert "\u202e" not in result.stdout and "\\u202e" in result.stdout
