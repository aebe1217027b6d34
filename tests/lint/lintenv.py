"""A real environment with TensorFlow, Keras 3 and tf-keras for the lint tests and benchmark.

Built once with uv from the registry (pinned versions) under TFDOCTOR_TEST_ENVS (default
~/.cache/tfdoctor-test-envs), or taken from TFDOCTOR_LINT_ENV when that names an existing venv.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

PACKAGES = ("tensorflow-cpu==2.21.0", "keras==3.15.1", "tf-keras==2.21.0")
ROOT = Path(os.environ.get("TFDOCTOR_TEST_ENVS", Path.home() / ".cache" / "tfdoctor-test-envs"))
MARKER = ".tfdoctor-lint-complete"


def _uv() -> str:
    found = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if found is None:
        raise RuntimeError("uv is needed to build the lint test environment: pip install uv")
    return found


def env_python() -> Path:
    """The interpreter of the environment, built on first use."""
    given = os.environ.get("TFDOCTOR_LINT_ENV")
    if given:
        python = Path(given) / "bin" / "python"
        if not python.exists():
            raise RuntimeError(f"TFDOCTOR_LINT_ENV={given} has no bin/python")
        return python
    env = ROOT / "lint-tf2.21-keras3.15"
    python = env / "bin" / "python"
    if (env / MARKER).exists():
        return python
    if env.exists():
        shutil.rmtree(env)
    subprocess.run([_uv(), "venv", str(env), "--python", "3.11", "--quiet"], check=True)
    subprocess.run(
        [_uv(), "pip", "install", "--quiet", "--python", str(python), *PACKAGES], check=True
    )
    (env / MARKER).write_text(" ".join(PACKAGES) + "\n")
    return python


def site_packages(python: Path) -> Path:
    script = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    out = subprocess.run([str(python), "-c", script], capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())
