"""No consistent set: the requested packages that exclude each other, in plain words, and what to
drop or pin; nothing is changed. Also what counts as requested, and files that are never read."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fixenv import copy_env, tree_hash

import specs
from conftest import Runner
from envs import EnvSpec
from tfdoctor.fix.conflict import asked_in, describe
from tfdoctor.fix.requested import Requested, regular_text

# uv 0.13's explanation of `tensorflow-cpu==2.15.1` with `jax>=0.5` (NO_COLOR, as fix runs it).
UV_MESSAGE = """\
error: No solution found when resolving dependencies:
  cause: Because jax>=0.5.0,<=0.5.3 depends on ml-dtypes>=0.4.0 and jax>=0.6.0,<=0.10.2 depends on ml-dtypes>=0.5.0, we can conclude that jax>=0.5.0,<=0.10.2 depends on ml-dtypes>=0.4.0.
         And because tensorflow-cpu==2.15.1 depends on ml-dtypes>=0.3.1,<0.4.dev0, we can conclude that jax>=0.5.0,<=0.10.2 and tensorflow-cpu==2.15.1 are incompatible.
         And because you require tensorflow-cpu==2.15.1 and jax>=0.5, we can conclude that your requirements are unsatisfiable.
"""


def test_uv_explanation_in_plain_words() -> None:
    assert asked_in(UV_MESSAGE) == ["tensorflow-cpu==2.15.1", "jax>=0.5"]
    requested = Requested(lines=[("jax>=0.5", "requirements.txt:3")])
    sentence, advice = describe(UV_MESSAGE, requested, "tensorflow-cpu", tf_free=False)
    assert sentence.startswith(
        "tensorflow-cpu==2.15.1 (kept by this fix) and jax>=0.5 (requirements.txt:3) exclude "
        "each other: "
    ), sentence
    assert "ml-dtypes" in sentence and "no ml-dtypes release satisfies both" in sentence
    assert advice[0] == (
        "drop jax>=0.5 from requirements.txt:3, or pin jax to a release that works with "
        "tensorflow-cpu 2.15.1"
    )
    assert advice[1].startswith("or let TensorFlow move: tfdoctor fix --latest")
    _, free = describe(UV_MESSAGE, requested, "tensorflow-cpu", tf_free=True)
    assert len(free) == 1


def test_a_fifo_or_device_is_never_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "requirements.txt")
    assert regular_text(str(tmp_path / "requirements.txt")) is None  # returns, does not block
    assert regular_text("/dev/zero") is None
    (tmp_path / "ok.txt").write_text("jax\n")
    assert regular_text(str(tmp_path / "ok.txt")) == "jax\n"


def _project(real_env: Callable[[EnvSpec], Path], tmp_path: Path, line: str) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    copy_env(real_env(specs.TF215_JAX), project / ".venv")
    (project / "requirements.txt").write_text(f"# the project's own\n{line}\n")
    return project


@pytest.mark.realenv
def test_no_consistent_set_says_which_requested_packages_exclude_each_other(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    project = _project(real_env, tmp_path, "jax>=0.5")
    env = project / ".venv"
    before = tree_hash(env)
    result = tfdoctor(
        "fix", "--yes", "--tensorflow", "2.15", "--python", str(env), "--format", "json",
        cwd=project,
    )  # fmt: skip
    doc = result.json()
    assert result.returncode == 1 and doc["result"]["status"] == "unresolved", doc["result"]
    unresolved = doc["plan"]["unresolved"]
    assert unresolved[0].startswith(
        "tensorflow-cpu==2.15.1 (kept by this fix) and jax>=0.5 (requirements.txt:2) exclude "
        "each other"
    ), unresolved
    assert "ml-dtypes" in unresolved[0]
    assert "to repair: drop jax>=0.5 from requirements.txt:2" in unresolved[1]
    assert any("tfdoctor fix --latest" in u for u in unresolved)
    assert any(u.startswith("to repair: or pin jax==0.4.") for u in unresolved), unresolved
    assert not [s for s in doc["plan"]["steps"] if s["kind"] == "install"]
    assert tree_hash(env) == before and not (env / ".tfdoctor").exists()

    text = tfdoctor("fix", "--dry-run", "--tensorflow", "2.15", "--python", str(env), cwd=project)
    assert "cannot resolve: tensorflow-cpu==2.15.1 (kept by this fix) and jax>=0.5" in text.stdout


@pytest.mark.realenv
def test_without_a_fixed_tensorflow_the_only_way_out_moves_it(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    project = _project(real_env, tmp_path, "jax>=0.5")
    env = project / ".venv"
    doc = tfdoctor("fix", "--dry-run", "--python", str(env), "--format", "json", cwd=project).json()
    plan = doc["plan"]
    assert len(plan["alternatives"]) == 1, plan
    assert plan["tensorflow"] != "tensorflow-cpu==2.15.1"
    assert any(
        n.startswith("keeping tensorflow-cpu 2.15.1 is impossible") for n in plan["notes"]
    ), plan["notes"]
    assert any("requirements.txt" in n for n in plan["notes"])


@pytest.mark.realenv
def test_a_fifo_in_metadata_never_blocks_check_or_the_solve(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    # No installer makes this; a FIFO where METADATA belongs would block every reader for ever.
    env = copy_env(real_env(specs.TF215_JAX), tmp_path / "env")
    meta = next((env / "lib" / "python3.11" / "site-packages").glob("jaxlib-*.dist-info"))
    (meta / "METADATA").unlink()
    os.mkfifo(meta / "METADATA")
    check = tfdoctor("check", "--python", str(env), "--format", "json", timeout=120)
    assert ("TFD304", "the metadata of jaxlib cannot be read") in [
        (f["code"], f["title"]) for f in check.json()["findings"]
    ], check.stdout
    doc = tfdoctor("fix", "--dry-run", "--python", str(env), "--format", "json", timeout=180).json()
    assert doc["result"]["status"] == "planned", doc["result"]
    assert len(doc["plan"]["alternatives"]) == 2
