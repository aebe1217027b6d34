"""Shadowing: a keras.py in the working directory, a PYTHONPATH entry hiding the real package."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import specs
from cli_runner import Runner
from envs import EnvSpec

pytestmark = pytest.mark.realenv


def test_keras_py_in_working_directory(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    env = real_env(specs.TF221)
    (tmp_path / "keras.py").write_text("# my experiments\nimport tensorflow as tf\n")
    result = tfdoctor("check", "--python", str(env), "--format", "json", cwd=tmp_path)
    assert result.codes() == [("TFD401", "shadowed-module")]
    finding = result.json()["findings"][0]
    assert str(tmp_path / "keras.py") in finding["title"]
    assert "working directory" in finding["title"]
    assert finding["fix"] == [f"mv {tmp_path / 'keras.py'} {tmp_path / 'my_keras.py'}"]
    assert (tmp_path / "keras.py").exists(), "check must never change anything"


def test_pythonpath_entry_shadows_keras(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    env = real_env(specs.TF215)
    vendored = tmp_path / "vendor"
    (vendored / "keras").mkdir(parents=True)
    (vendored / "keras" / "__init__.py").write_text("__version__ = '2.3.1'\n")
    result = tfdoctor(
        "check", "--python", str(env), "--format", "json", env={"PYTHONPATH": str(vendored)}
    )
    assert result.codes() == [("TFD401", "shadowed-module")]
    finding = result.json()["findings"][0]
    assert "PYTHONPATH" in finding["title"]
    assert any("keras 2.15.0" in e for e in finding["evidence"])


def test_same_folder_without_shadow_is_clean(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    env = real_env(specs.TF221)
    (tmp_path / "train.py").write_text("import keras\n")
    result = tfdoctor("check", "--python", str(env), "--format", "json", cwd=tmp_path)
    assert result.codes() == []
