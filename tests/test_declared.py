"""Declared requirements: everything ``pip check`` reports, plus what it misses (extras, variants)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import specs
from cli_runner import Runner
from envs import EnvSpec, python_of

pytestmark = pytest.mark.realenv


def pip_check(env: Path) -> list[str]:
    # Without PYTHONPATH & co., so that only the environment itself is checked.
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith("PYTHON") and k != "VIRTUAL_ENV"
    }
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "--python", python_of(env), "check"],
        capture_output=True,
        text=True,
        env=clean,
    )
    return [
        line for line in proc.stdout.splitlines() if "requires" in line or "has requirement" in line
    ]


def test_extras_are_checked_where_pip_check_is_silent(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    env = real_env(specs.PY310_COV_NO_TOMLI)
    pip_lines = pip_check(env)
    result = tfdoctor("check", "--python", str(env), "--format", "json", "--select", "TFD210")
    titles = [f["title"] for f in result.json()["findings"]]
    # Everything pip check reports is reported ...
    for line in pip_lines:
        name = re.match(r"(\S+) ", line)
        assert name and any(t.startswith(name.group(1)) and "tomli" in t for t in titles), (
            line,
            titles,
        )
    # ... and the requirement that comes through pytest-cov's `coverage[toml]` as well.
    assert any(t.startswith("coverage 7.6.10 (extra [toml]) requires tomli") for t in titles), (
        titles
    )
    assert not any("coverage" in line for line in pip_lines)


def test_markers_are_evaluated_for_the_target_python(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    """On Python 3.11 the same packages need no tomli (markers false): no finding, none missing."""
    env = real_env(specs.PY311_COV)
    assert not list((env / "lib" / "python3.11" / "site-packages").glob("tomli*"))
    result = tfdoctor("check", "--python", str(env), "--format", "json", "--select", "TFD210")
    assert result.json()["target"]["python"].startswith("3.11.")
    assert result.codes() == []


def test_tensorflow_requirement_met_by_a_variant(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    """tf-keras declares `tensorflow`; tensorflow-cpu provides it. pip check says it is missing,
    and a plain install of tf-keras would bring tensorflow in beside tensorflow-cpu: a warning
    (the environment works), with the --no-deps install the planner uses."""
    env = real_env(specs.TF221_LEGACY)
    assert any("tf-keras" in line and "tensorflow" in line for line in pip_check(env))
    legacy = {"TF_USE_LEGACY_KERAS": "1"}
    result = tfdoctor("check", "--python", str(env), "--format", "json", env=legacy)
    assert result.returncode == 0, result.stdout
    [warning] = result.json()["findings"]
    assert (warning["code"], warning["severity"]) == ("TFD210", "warning")
    assert warning["title"] == (
        "tf-keras 2.21.0 requires tensorflow<2.22,>=2.21, which is not installed: "
        "tensorflow-cpu 2.21.0 stands in for it"
    )
    assert any(
        "`pip check` reports: tf-keras 2.21.0 requires tensorflow, which is not installed" in e
        for e in warning["evidence"]
    )
    assert warning["fix"] == [
        f"uv pip install --python {env}/bin/python --no-deps tf-keras==2.21.0"
    ]
    assert (
        "override file holding the line `tensorflow ; python_version < '0'`"
        in (warning["fix_note"])
    )
    # The plan keeps tensorflow out and says so.
    plan = tfdoctor(
        "fix", "--dry-run", "--python", str(env), "--format", "json", env=legacy
    ).json()["plan"]
    assert plan["steps"] == []
    assert any(n.startswith("tf-keras 2.21.0 declares tensorflow, which tensorflow-cpu stands in")
               for n in plan["notes"]), plan["notes"]  # fmt: skip
