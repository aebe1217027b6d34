"""TFD121 on a release with a local version label (``2.1.0+cu118``, what the PyTorch index
serves): the requirement it prints must be one that pip and uv accept."""

from __future__ import annotations

import base64
import hashlib
import subprocess
import zipfile
from pathlib import Path

from packaging.requirements import Requirement

from cli_runner import Runner
from envs import interpreter, uv


def _wheel(folder: Path, version: str, requires_python: str) -> Path:
    """A minimal, valid wheel of ``localpkg`` with this version and Requires-Python."""
    info = f"localpkg-{version}.dist-info"
    files = {
        "localpkg.py": b"VALUE = 1\n",
        f"{info}/METADATA": (
            f"Metadata-Version: 2.1\nName: localpkg\nVersion: {version}\n"
            f"Requires-Python: {requires_python}\n"
        ).encode(),
        f"{info}/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    record = []
    for name, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append(f"{info}/RECORD,,")
    path = folder / f"localpkg-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return path


def test_a_release_with_a_local_label_is_replaced_by_a_requirement_installers_accept(
    tfdoctor: Runner, tmp_path: Path
) -> None:
    # installed into Python 3.9 the way uv lets a user do it: resolved for Python 3.11
    env = tmp_path / "env"
    python = env / "bin" / "python"
    subprocess.run([uv(), "venv", "-q", str(env), "--python", interpreter("3.9")], check=True)
    wheel = _wheel(tmp_path, "1.0+cu118", ">=3.11")
    install = [uv(), "pip", "install", "-q", "--python", str(python), "--no-deps"]
    subprocess.run([*install, "--python-version", "3.11", str(wheel)], check=True)
    data = tfdoctor("check", "--python", str(env), "--format", "json").json()
    (finding,) = [f for f in data["findings"] if f["code"] == "TFD121"]
    assert finding["title"].startswith("localpkg 1.0+cu118 requires Python >=3.11, not 3.9.")
    # `<1.0+cu118` is no specifier: pip and uv refuse it ("Operator < is incompatible with
    # versions containing non-empty local segments"), and so did the plan of tfdoctor fix
    assert finding["fix"] == [f"uv pip install --python {python} 'localpkg<1.0'"]
    [remedy] = finding["remedies"]
    assert str(Requirement(remedy["target"])) == "localpkg<1.0"
