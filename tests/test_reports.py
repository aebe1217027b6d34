"""The report formats and guarantees of a plain check: JSON schema, Markdown, terminal, no writes."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

import specs
from cli_runner import Runner
from envs import EnvSpec

pytestmark = pytest.mark.realenv

FINDING_KEYS = {"code", "cause", "severity", "title", "group", "evidence", "why", "fix"}


def causes_vocabulary() -> set[str]:
    from tfdoctor.causes import CAUSES

    return set(CAUSES)


def test_json_schema(tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]) -> None:
    env = real_env(specs.TF215_KERAS3)
    data = tfdoctor("check", "--python", str(env), "--format", "json").json()
    assert data["schema"] == "tfdoctor/1"
    assert data["command"] == "check"
    assert data["target"]["prefix"] == str(env)
    assert data["target"]["installer"] == "uv"
    assert data["packages"]["tensorflow"]["distribution"] == "tensorflow-cpu"
    assert data["packages"]["tensorflow"]["version"] == "2.15.1"
    assert data["packages"]["keras"]["version"] == "3.15.1"
    assert data["packages"]["tf-keras"] is None
    assert data["summary"] == {"errors": 1, "warnings": 0, "infos": 0}
    (finding,) = data["findings"]
    assert set(finding) >= FINDING_KEYS
    assert finding["cause"] in causes_vocabulary()
    assert finding["fix"] == [f"uv pip install --python {env}/bin/python 'keras<2.16,>=2.15.0'"]
    assert "facts" not in data


def test_verbose_json_has_every_fact(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    env = real_env(specs.TF215)
    data = tfdoctor(
        "check", "--python", str(env), "--format", "json", "-v", env={"KERAS_HOME": str(tmp_path)}
    ).json()
    facts = data["facts"]
    names = {d["name"] for d in facts["distributions"]}
    assert {"tensorflow-cpu", "keras", "numpy", "protobuf"} <= names
    assert facts["imports"]["tensorflow"]["origin"].endswith("site-packages/tensorflow/__init__.py")
    origins = {e["origin"] for e in facts["sys_path"]}
    assert {"working-directory", "stdlib", "site-packages"} <= origins
    assert facts["keras_config"]["exists"] is False


def test_markdown_report(tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]) -> None:
    env = real_env(specs.TF215_NUMPY2)
    result = tfdoctor("check", "--python", str(env), "--format", "markdown")
    assert result.returncode == 1
    text = result.stdout
    # Headed by its command (it once said "tfdoctor report", the name of another command) and
    # counted in words, not "1 error(s)".
    assert text.startswith("## tfdoctor check\n")
    assert "\n**1 error, 0 warnings**\n" in text
    assert "**tensorflow (tensorflow-cpu)**: 2.15.1" in text
    assert "TFD201 `numpy-incompatible`" in text
    assert "```sh\n" in text
    assert re.search(r"'numpy<2(\.0\.0)?,>=1\.23\.5'", text), text


def test_terminal_groups_like_flutter_doctor(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    env = real_env(specs.TF221_KERAS2)
    result = tfdoctor("check", "--python", str(env), env={"COLUMNS": "200"})
    lines = result.stdout.splitlines()
    heads = [line for line in lines if line.startswith("[")]
    assert [h.split("]")[0] + "]" for h in heads] == ["[✓]", "[✓]", "[✗]", "[✓]", "[✓]", "[✓]"]
    assert heads[2].startswith("[✗] Keras (keras 2.15.0)")
    assert any("$ uv pip install" in line and "keras>=3" in line for line in lines)
    assert "Found 1 error and 0 warnings" in result.stdout


def test_healthy_terminal_says_no_issues(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    result = tfdoctor("check", "--python", str(real_env(specs.TF221)))
    assert result.returncode == 0
    assert "No issues found." in result.stdout


def test_terminal_styles_only_where_asked(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    """A pipe gets plain text (rich is not even imported); FORCE_COLOR gets rich's styles,
    with the same characters once the escape codes are removed."""
    env = str(real_env(specs.TF221_KERAS2))
    plain = tfdoctor("check", "--python", env, env={"COLUMNS": "120"})
    styled = tfdoctor("check", "--python", env, env={"COLUMNS": "120", "FORCE_COLOR": "1"})
    assert "\x1b[" not in plain.stdout
    assert "\x1b[1m" in styled.stdout and "\x1b[31m" in styled.stdout  # bold, red
    assert re.sub(r"\x1b\[[0-9;]*m", "", styled.stdout) == plain.stdout
    assert plain.returncode == styled.returncode == 1


@pytest.mark.parametrize(
    "spelling",
    [("--python", "{env}"), ("--python={env}",), ("--pyt={env}",), ("-v", "--python", "{env}")],
)
def test_every_spelling_of_python_checks_that_env(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], spelling: tuple[str, ...]
) -> None:
    """The probe is started before argparse runs, from the plain spellings; whatever argparse
    then reads (an abbreviation, -v) is what gets checked."""
    env = str(real_env(specs.TF221_KERAS2))
    args = [a.format(env=env) for a in spelling]
    result = tfdoctor("check", *args, "--format", "json")
    if args[0].startswith("--pyt="):
        # --python-version (check -r) made every abbreviation of --python ambiguous
        assert result.returncode == 2 and "ambiguous option" in result.stderr
        return
    assert result.json()["target"]["prefix"] == env
    assert ("TFD101", "keras-version-mismatch") in result.codes()
    assert ("facts" in result.json()) == ("-v" in args)


def _tree_state(root: Path) -> str:
    digest = hashlib.sha256()
    for dirpath, dirnames, filenames in sorted(os.walk(root)):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            stat = path.lstat()
            digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def test_check_writes_nothing(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    env = real_env(specs.TF215_TILDE)
    home = tmp_path / "home"
    home.mkdir()
    before = _tree_state(env)
    for fmt in ("text", "json", "markdown"):
        tfdoctor("check", "--python", str(env), "--format", fmt, env={"HOME": str(home)})
    assert _tree_state(env) == before
    assert list(home.iterdir()) == []
