"""Guarantees of a plain check: offline, a crashing rule is a finding, settings files are read."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import specs
from cli_runner import Runner
from envs import EnvSpec
from tfdoctor.finding import Finding, Group, Severity
from tfdoctor.kb import load as load_kb
from tfdoctor.registry import RuleInfo
from tfdoctor.rules import base
from tfdoctor.target import load_snapshot

pytestmark = pytest.mark.realenv


def test_check_runs_without_a_network(
    real_env: Callable[[EnvSpec], Path], clean_environ: dict[str, str], tmp_path: Path
) -> None:
    """In a network namespace with no interfaces up, check gives the same answer."""
    if shutil.which("unshare") is None or subprocess.run(["unshare", "-rn", "true"]).returncode:
        pytest.skip("unshare -rn is not available here")
    env = real_env(specs.TF215_KERAS3)
    proc = subprocess.run(
        [
            "unshare",
            "-rn",
            sys.executable,
            "-m",
            "tfdoctor",
            "check",
            "--python",
            str(env),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        env=clean_environ,
        cwd=tmp_path,
    )
    data = json.loads(proc.stdout)
    assert [f["code"] for f in data["findings"]] == ["TFD101"], proc.stderr


def test_a_rule_that_raises_becomes_a_finding(
    real_env: Callable[[EnvSpec], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot = load_snapshot(str(real_env(specs.TF221)))
    info = RuleInfo(
        "TFD999", "always-crashes", "declared-conflict", Severity.ERROR, Group.ENVIRONMENT, "x"
    )

    def crashing(ctx: base.Context) -> Iterator[Finding]:
        raise KeyError("boom")
        yield  # pragma: no cover

    rules = [*base.check_rules(), base.CheckRule(info, crashing)]
    monkeypatch.setattr(base, "check_rules", lambda: rules)
    findings = base.run_checks(base.Context(snapshot=snapshot, kb=load_kb()))
    crashed = [f for f in findings if f.code == "TFD999"]
    assert len(crashed) == 1
    assert crashed[0].severity is Severity.WARNING
    assert "could not complete" in crashed[0].title
    assert crashed[0].evidence[0] == "KeyError: 'boom'"
    assert len(findings) == 1, "the other rules still ran and found nothing"


def test_keras_json_backend_without_jax(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    (tmp_path / "keras.json").write_text(json.dumps({"backend": "jax", "floatx": "float32"}))
    env = real_env(specs.TF221)
    result = tfdoctor(
        "check", "--python", str(env), "--format", "json", env={"KERAS_HOME": str(tmp_path)}
    )
    assert result.codes() == [("TFD501", "backend-misconfigured")]
    assert str(tmp_path / "keras.json") in result.json()["findings"][0]["title"]


def test_keras_json_that_is_not_json(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    (tmp_path / "keras.json").write_text('{"backend": "tensorflow",}')
    env = real_env(specs.TF221)
    result = tfdoctor(
        "check", "--python", str(env), "--format", "json", env={"KERAS_HOME": str(tmp_path)}
    )
    assert result.codes() == [("TFD503", "backend-misconfigured")]
    assert result.returncode == 0, "a warning does not fail the check"


def test_keras_backend_ignored_by_keras_2(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    """Keras 2 (TF 2.15) has only the TensorFlow backend: KERAS_BACKEND=jax changes nothing."""
    result = tfdoctor(
        "check",
        "--python",
        str(real_env(specs.TF215)),
        "--format",
        "json",
        env={"KERAS_BACKEND": "jax"},
    )
    assert result.codes() == []


def test_keras_json_naming_tensorflow_without_tensorflow(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    """Keras writes keras.json with the TensorFlow backend on first import: with TensorFlow
    missing, that is the not-installed finding alone, not a second one about the backend."""
    (tmp_path / "keras.json").write_text(json.dumps({"backend": "tensorflow"}))
    env = real_env(specs.KERAS_ONLY)
    result = tfdoctor(
        "check", "--python", str(env), "--format", "json", env={"KERAS_HOME": str(tmp_path)}
    )
    assert result.codes() == [("TFD103", "not-installed")]
