"""Every command's ``--format json`` against its published JSON Schema (docs/schema/), from real
runs of the command line on real environments; and the schemas themselves."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

import specs
from cli_runner import Runner
from envs import EnvSpec
from json_schemas import COMMANDS, SCHEMA_DIR, assert_valid, problems, registry

DATA = Path(__file__).parent / "data"
ENVELOPE = ("schema", "tool", "command", "target", "summary", "findings")


@pytest.mark.parametrize("command", COMMANDS)
def test_the_schema_files_are_valid_json_schemas(command: str) -> None:
    for name in ("common", command):
        Draft202012Validator.check_schema(json.loads((SCHEMA_DIR / f"{name}.json").read_text()))
    assert registry().contents(f"{command}.json")["properties"]["command"] == {"const": command}


def test_a_document_without_the_envelope_is_refused() -> None:
    """The schemas can fail: the old shapes (explain without tool/summary, an `errors` list in
    summary) are reported."""
    old_explain = {"schema": "tfdoctor/1", "command": "explain", "findings": [], "input": {}}
    assert any("'tool' is a required property" in p for p in problems(old_explain))
    old_summary = {
        "schema": "tfdoctor/1",
        "tool": {"name": "tfdoctor", "version": "0"},
        "command": "rules",
        "target": None,
        "summary": {"errors": [], "warnings": 0, "infos": 0},
        "findings": [],
        "rules": [],
    }
    assert any(p.startswith("summary/errors") for p in problems(old_summary))


def _envelope(doc: dict[str, object], command: str) -> None:
    assert_valid(doc)
    assert list(doc)[: len(ENVELOPE)] == list(ENVELOPE) and doc["command"] == command


@pytest.mark.realenv
def test_check_explain_and_fix_of_a_real_broken_env(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    env = str(real_env(specs.TF215_KERAS3))
    check = tfdoctor("check", "--python", env, "--format", "json", "-v")
    assert check.returncode == 1, check.stderr
    doc = json.loads(check.stdout)
    _envelope(doc, "check")
    assert doc["summary"]["errors"] >= 1 and doc["target"]["prefix"] == env
    build = doc["facts"]["tensorflow_build"]  # tensorflow-cpu's build_info.py, read
    assert build["is_cuda_build"] is False and build["error"] == "", build
    log = (DATA / "explain" / "real_pip_check_keras3.txt").read_text()
    alone = json.loads(tfdoctor("explain", "-", "--format", "json", stdin=log).stdout)
    _envelope(alone, "explain")
    assert alone["target"] is None
    joined = json.loads(
        tfdoctor("explain", "-", "--python", env, "--format", "json", stdin=log).stdout
    )
    _envelope(joined, "explain")
    assert joined["target"] == doc["target"] and joined["environment_source"] == "--python"
    fix = tfdoctor("fix", "--dry-run", "--python", env, "--format", "json")
    assert fix.returncode == 0, fix.stderr
    planned = json.loads(fix.stdout)
    _envelope(planned, "fix")
    assert planned["target"] == doc["target"] and planned["summary"] == doc["summary"]
    assert planned["result"]["status"] == "planned" and planned["plan"]["steps"]


def test_lint_and_rules(tfdoctor: Runner, tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(
        "import keras\nfrom tensorflow import keras as tfk\nx = keras.layers.Dense(1)(tfk.Input((2,)))\n"
    )
    (tmp_path / "bad.py").write_bytes(b"\xff\xfe\x00 not text")
    lint = tfdoctor("lint", "--keras", "3", "--format", "json", str(tmp_path))
    doc = json.loads(lint.stdout)
    _envelope(doc, "lint")
    assert doc["target"]["kind"] == "code" and doc["target"]["keras"].startswith("3.")
    assert doc["summary"]["errors"] == sum(f["severity"] == "error" for f in doc["findings"])
    assert doc["skipped"] == doc["errors"] and doc["files"] == 2
    every = json.loads(tfdoctor("rules", "--format", "json").stdout)
    _envelope(every, "rules")
    assert len(every["rules"]) > 20 and every["target"] is None
    one = json.loads(tfdoctor("rules", "TFD101", "--format", "json").stdout)
    _envelope(one, "rules")
    assert [r["code"] for r in one["rules"]] == ["TFD101"] and one["rules"][0]["doc"]


@pytest.mark.realenv
def test_report_json_is_checks_document_redacted(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    env = real_env(specs.TF215_KERAS3)
    result = tfdoctor("report", "--python", str(env), "--format", "json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    _envelope(doc, "report")
    home = str(Path.home())
    assert doc["facts"] and home not in result.stdout  # the env lives under the home folder
    assert doc["target"]["prefix"] == str(env).replace(home, "~", 1)
    assert doc["summary"]["errors"] >= 1
    kept = json.loads(
        tfdoctor("report", "--python", str(env), "--format", "json", "--no-redact").stdout
    )
    assert kept["target"]["prefix"] == str(env)
