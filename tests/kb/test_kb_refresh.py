"""The maintainer command: regenerating declared.json from the real registry."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from tfdoctor.kb import DATA_DIR
from tfdoctor.kb.refresh import Selection, refresh_package

CURATED = Path(DATA_DIR) / "curated.json"


def _registry_reachable() -> bool:
    try:
        with socket.create_connection(("pypi.org", 443), timeout=5):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def registry() -> None:
    if not _registry_reachable():
        pytest.skip("the package registry (pypi.org) cannot be reached")


def run_kb(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tfdoctor.kb", *args], capture_output=True, text=True, timeout=600
    )


def test_refresh_fails_with_one_line_when_the_registry_is_unreachable(tmp_path: Path) -> None:
    # Port 9 (discard) on localhost refuses the connection: as good as being offline.
    result = run_kb("refresh", "--index", "http://127.0.0.1:9/pypi", "--output", str(tmp_path))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("tfdoctor.kb: refresh needs the registry: cannot reach")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "declared.json").exists()


@pytest.mark.network
def test_refresh_reads_tf_keras_from_the_registry(registry: None) -> None:
    package = refresh_package(Selection("tf-keras", "tf-keras"))
    release = package["releases"]["2.16.0"]
    assert release["source"] == "https://pypi.org/pypi/tf-keras/2.16.0/json"
    (tensorflow,) = [line for line in release["requires_dist"] if line.startswith("tensorflow")]
    assert SpecifierSet(tensorflow.removeprefix("tensorflow").strip()) == SpecifierSet(
        "<2.17,>=2.16"
    )
    assert release["pure"] and release["requires_python"] == ">=3.9"


@pytest.mark.network
def test_refresh_command_writes_only_declared_json(registry: None, tmp_path: Path) -> None:
    curated_before = CURATED.read_bytes()
    result = run_kb("refresh", "--only", "tf-keras", "--output", str(tmp_path))
    assert result.returncode == 0, result.stderr
    written = json.loads((tmp_path / "declared.json").read_text())
    assert list(written["packages"]) == ["tf-keras"]
    assert "2.16.0" in written["packages"]["tf-keras"]["releases"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["declared.json"]
    assert CURATED.read_bytes() == curated_before


def test_check_command_on_the_shipped_data() -> None:
    result = run_kb("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("ok: ")
