"""Re-verify curated facts in a real environment built from the registry (slow the first time).

The venv lives under TFDOCTOR_TEST_ENVS (default ~/.cache/tfdoctor-test-envs) and is reused;
uv hardlinks from its cache, so a rebuild costs seconds once the wheels are cached.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from tfdoctor.kb import KnowledgeBase, load

ROOT = Path(os.environ.get("TFDOCTOR_TEST_ENVS", Path.home() / ".cache" / "tfdoctor-test-envs"))
PROBE = "import tensorflow as tf; print(tf.keras.__name__)"

pytestmark = pytest.mark.realenv


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load()


def _uv() -> str:
    found = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if found is None:
        pytest.skip("uv is needed to build real environments")
    return found


def _pip(python: Path, *args: str) -> None:
    subprocess.run(
        [_uv(), "pip", "install", "--python", str(python), *args],
        check=True,
        capture_output=True,
        text=True,
        timeout=1800,
    )


@pytest.fixture(scope="module")
def tf215() -> Path:
    """A venv with tensorflow-cpu 2.15.1 and what it declares (numpy 1.26.x)."""
    venv = ROOT / "kb-tensorflow-cpu-2.15.1-py3.11"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run(
            [_uv(), "venv", str(venv), "--python", "3.11"],
            check=True,
            capture_output=True,
            text=True,
            timeout=600,
        )
    _pip(python, "tensorflow-cpu==2.15.1", "numpy<2")
    return python


def _run(python: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TF_USE_LEGACY_KERAS", "PYTHONPATH")}
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    return subprocess.run(
        [str(python), "-c", PROBE], capture_output=True, text=True, env=env, timeout=600
    )


def test_tf_keras_resolution_matches_the_curated_fact(kb: KnowledgeBase, tf215: Path) -> None:
    result = _run(tf215)
    assert result.returncode == 0, result.stderr
    tf = kb.tensorflow("2.15.1")
    assert tf is not None
    assert result.stdout.strip().splitlines()[-1] == tf.tf_keras_module


def test_numpy_2_breaks_the_import_as_curated(kb: KnowledgeBase, tf215: Path) -> None:
    tf = kb.tensorflow("2.15.1")
    assert tf is not None and "2.0.2" not in SpecifierSet(tf.numpy_spec)
    _pip(tf215, "--no-deps", "numpy==2.0.2")
    try:
        result = _run(tf215)
    finally:
        _pip(tf215, "--no-deps", "numpy==1.26.4")
    assert result.returncode != 0
    assert "A module that was compiled using NumPy 1.x cannot be run in" in result.stderr
    assert "_ARRAY_API not found" in result.stderr
