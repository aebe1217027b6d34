"""explain --python: the text joined with the environment it came from (concrete fixes)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import specs
from cli_runner import Runner
from envs import EnvSpec

pytestmark = pytest.mark.realenv
CAPTURES = Path(__file__).parent / "data" / "explain"


def test_numpy2_traceback_with_its_environment(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    env = real_env(specs.TF215_NUMPY2)
    result = tfdoctor(
        "explain", str(CAPTURES / "real_tf215_numpy2.txt"), "--python", str(env), "--format", "json"
    )
    data = result.json()
    assert data["schema"] == "tfdoctor/1"
    assert data["packages"]["numpy"]["version"] == "2.1.3"
    top = data["findings"][0]
    assert top["cause"] == "numpy-incompatible"
    assert any(e.startswith("in this environment: TFD201") for e in top["evidence"])
    assert top["fix"] == [f"uv pip install --python {env}/bin/python 'numpy<2.0.0,>=1.23.5'"]
    assert [f["code"] for f in data["environment_findings"]] == ["TFD201"]
    assert result.returncode == 1


def test_without_an_environment_the_fix_is_generic(tfdoctor: Runner) -> None:
    """tfdoctor's own interpreter has no TensorFlow: the text alone is explained."""
    data = tfdoctor("explain", str(CAPTURES / "real_tf215_numpy2.txt"), "--format", "json").json()
    assert "target" not in data
    assert data["findings"][0]["cause"] == "numpy-incompatible"
    assert not any("uv pip install --python" in c for c in data["findings"][0]["fix"])


def test_bad_python_for_explain(tfdoctor: Runner, tmp_path: Path) -> None:
    result = tfdoctor(
        "explain", str(CAPTURES / "real_tf215_numpy2.txt"), "--python", str(tmp_path / "x")
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
