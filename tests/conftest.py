"""Fixtures: real environments (built once, cached) and a way to run the real CLI against them."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from cli_runner import CliResult, Runner
from envs import EnvSpec, build


@pytest.fixture(scope="session")
def keras_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty KERAS_HOME, so the machine's own ~/.keras/keras.json never leaks into a test."""
    return tmp_path_factory.mktemp("keras-home")


@pytest.fixture(scope="session")
def clean_environ(keras_home: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in ("KERAS_BACKEND", "TF_USE_LEGACY_KERAS", "PYTHONPATH", "VIRTUAL_ENV", "CONDA_PREFIX")
    }
    env["KERAS_HOME"] = str(keras_home)
    return env


@pytest.fixture(scope="session")
def tfdoctor(clean_environ: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Runner:
    """Run the real ``tfdoctor`` command line in a subprocess."""
    default_cwd = tmp_path_factory.mktemp("cwd")

    def run(
        *args: str,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
        stdin: str | None = None,
        timeout: float = 600,
    ) -> CliResult:
        proc = subprocess.run(
            [sys.executable, "-m", "tfdoctor", *args],
            cwd=cwd or default_cwd,
            env={**clean_environ, **(env or {})},
            capture_output=True,
            text=True,
            input=stdin,
            timeout=timeout,
        )
        return CliResult(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture(scope="session")
def real_env() -> Callable[[EnvSpec], Path]:
    """Build (or reuse) a real environment from the registry."""
    return build
