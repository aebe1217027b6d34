"""Nothing from the working directory or PYTHONPATH runs in the target during a static check.

A real venv, a real wheel installed by uv (so it has direct_url.json, which makes the probe read
JSON), and payload modules named like the standard library ones the probe imports. Each payload
writes the ``sys.prefix`` of the interpreter that imported it to a marker file, then loads the real
module so that whatever imported it goes on working (tfdoctor's own process is started with
``-m`` and so does import the working directory's copy: only the target's prefix counts).
"""

from __future__ import annotations

import base64
import hashlib
import subprocess
import zipfile
from pathlib import Path

import pytest

from cli_runner import Runner
from envs import interpreter, uv

PAYLOAD = """\
import os, sys
with open({marker!r}, "a") as _f:
    _f.write(sys.prefix + "\\n")
_here = os.path.dirname(os.path.abspath(__file__))
_saved = sys.path[:]
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _here]
del sys.modules[__name__]
try:
    import {name} as _real
finally:
    sys.path[:] = _saved
sys.modules[__name__] = _real
"""
MODULES = ("json", "sysconfig", "site", "platform", "importlib", "encodings")


def _wheel(folder: Path) -> Path:
    """A minimal, valid wheel of a one-module distribution."""
    files = {
        "tinypkg.py": b"VALUE = 1\n",
        "tinypkg-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: tinypkg\nVersion: 1.0\n",
        "tinypkg-1.0.dist-info/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    record = []
    for name, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append("tinypkg-1.0.dist-info/RECORD,,")
    path = folder / "tinypkg-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr("tinypkg-1.0.dist-info/RECORD", "\n".join(record) + "\n")
    return path


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    python = interpreter("3.12")
    root = tmp_path_factory.mktemp("trust")
    env = root / "env"
    subprocess.run([python, "-m", "venv", str(env)], check=True)
    subprocess.run(
        [
            uv(),
            "pip",
            "install",
            "--quiet",
            "--python",
            str(env / "bin" / "python"),
            str(_wheel(root)),
        ],
        check=True,
    )
    assert list((env / "lib").glob("python3.*/site-packages/tinypkg-1.0.dist-info/direct_url.json"))
    return env


def _payloads(folder: Path, marker: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in MODULES:
        if name in ("importlib", "encodings"):  # packages: a module file would not shadow them
            continue
        (folder / f"{name}.py").write_text(PAYLOAD.format(marker=str(marker), name=name))


@pytest.mark.parametrize(
    "command",
    [
        ("check",),
        ("check", "--format", "json"),
        ("fix", "--dry-run"),
        ("explain", "--python"),
    ],
    ids=["check", "check-json", "fix-dry-run", "explain"],
)
@pytest.mark.parametrize("where", ["cwd", "pythonpath"])
def test_no_module_of_the_working_directory_or_pythonpath_runs_in_the_target(
    tfdoctor: Runner, venv: Path, tmp_path: Path, command: tuple[str, ...], where: str
) -> None:
    marker = tmp_path / "marker"
    work = tmp_path / "work"
    vendor = tmp_path / "vendor"
    _payloads(work if where == "cwd" else vendor, marker)
    work.mkdir(exist_ok=True)
    args = [*command, str(venv)] if command[-1] == "--python" else [*command, "--python", str(venv)]
    stdin = None
    if command[0] == "explain":
        stdin = "ModuleNotFoundError: No module named 'tensorflow'\n"
        args.append("-")
    env = {"PYTHONPATH": str(vendor)} if where == "pythonpath" else {}
    result = tfdoctor(*args, cwd=work, env=env, stdin=stdin)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    prefixes = marker.read_text().split() if marker.exists() else []
    assert str(venv) not in prefixes, f"a payload ran in the target: {prefixes}"
