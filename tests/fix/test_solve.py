"""Whole-environment solves on real environments: other packages never block a repair.

TensorFlow 2.15.1, then `pip install jax` (jax 0.10.2 pulls NumPy 2 and ml-dtypes 0.6): keeping
TensorFlow moves jax/jaxlib back to a release for NumPy 1, keeping jax moves TensorFlow to a release
built for NumPy 2. Both are shown side by side; `--yes` applies the one that changes the fewest
requested packages and the user's example then runs.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from packaging.version import Version

sys.path.insert(0, str(Path(__file__).parent))

from fixenv import copy_env, records

import specs
from conftest import Runner
from envs import EnvSpec, python_of

pytestmark = pytest.mark.realenv

JAX_EXAMPLE = (
    "import tensorflow as tf, jax.numpy as jnp\n"
    "x = tf.keras.layers.Dense(2)(tf.ones((1, 3)))\n"
    "print('ok', tf.__version__, x.shape, float(jnp.ones(3).sum()))\n"
)
TORCH_EXAMPLE = (
    "import tensorflow as tf, torch\n"
    "x = tf.keras.layers.Dense(2)(tf.ones((1, 3)))\n"
    "print('ok', tf.__version__, x.shape, torch.ones(2).numpy().sum())\n"
)


def _versions(env: Path) -> dict[str, str]:
    out = subprocess.run(
        [python_of(env), "-c", "import importlib.metadata as m; [print(d.metadata['Name'], "
         "d.version) for d in m.distributions()]"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return {line.split()[0].lower().replace("_", "-"): line.split()[1] for line in out.splitlines()}


def _example(env: Path, code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [python_of(env), "-c", code], capture_output=True, text=True, timeout=300, check=False
    )


def test_jax_pulling_numpy2_shows_both_alternatives_side_by_side(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    env = real_env(specs.TF215_JAX)
    assert _versions(env)["numpy"].startswith("2.")
    doc = tfdoctor("fix", "--dry-run", "--python", str(env), "--format", "json").json()
    plan = doc["plan"]
    alternatives = plan["alternatives"]
    assert len(alternatives) == 2, plan
    keep_tf, keep_jax = alternatives
    moves_tf = {m["name"]: m for m in keep_tf["moves"]}
    assert keep_tf["tensorflow"] == "tensorflow-cpu==2.15.1"
    assert Version(moves_tf["jax"]["to"]) < Version("0.5"), moves_tf
    assert moves_tf["jaxlib"]["to"] == moves_tf["jax"]["to"]
    assert Version(moves_tf["numpy"]["to"]) < Version("2") and moves_tf["numpy"]["from"] == "2.4.6"
    assert keep_tf["requested_moved"] == ["jax"], keep_tf
    moves_jax = {m["name"]: m for m in keep_jax["moves"]}
    assert "jax" not in moves_jax and "numpy" not in moves_jax, moves_jax
    tf_after = Version(keep_jax["tensorflow"].split("==")[1])
    assert tf_after >= Version("2.18"), keep_jax
    assert "tf.keras becomes Keras 3" in keep_jax["gives_up"]
    assert keep_jax["requested_moved"] == ["tensorflow-cpu"]
    assert plan["chosen"] == 1
    install = [s for s in plan["steps"] if s["kind"] == "install"]
    assert install and "--no-deps" in install[0]["commands"][0]
    assert any(n.startswith("solved for the whole environment: jax") for n in plan["notes"])
    assert doc["result"]["status"] == "planned" and not (env / ".tfdoctor").exists()

    text = tfdoctor("fix", "--dry-run", "--python", str(env)).stdout
    assert "Alternatives" in text and "you give up" in text and "keep jax 0.10.2" in text
    assert "jax 0.10.2 -> 0.4" in text and "tensorflow-cpu 2.15.1 -> 2." in text


def test_yes_applies_the_alternative_that_keeps_tensorflow_and_the_example_runs(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    env = copy_env(real_env(specs.TF215_JAX), tmp_path / "env")
    assert _example(env, JAX_EXAMPLE).returncode != 0  # the failure is real
    result = tfdoctor("fix", "--yes", "--python", str(env), "--format", "json")
    doc = result.json()
    assert result.returncode == 0 and doc["result"]["status"] == "verified", doc["result"]
    versions = _versions(env)
    assert versions["tensorflow-cpu"] == "2.15.1"
    assert Version(versions["jax"]) < Version("0.5") and versions["jaxlib"] == versions["jax"]
    assert versions["numpy"].startswith("1.")
    run = _example(env, JAX_EXAMPLE)
    assert run.returncode == 0 and "ok 2.15.1 (1, 2) 3.0" in run.stdout, run.stderr[-2000:]
    after = tfdoctor("check", "--python", str(env), "--format", "json").json()
    assert after["summary"]["errors"] == 0, after["findings"]


def test_choose_2_keeps_jax_and_moves_tensorflow(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    env = copy_env(real_env(specs.TF215_JAX), tmp_path / "env")
    result = tfdoctor("fix", "--yes", "--choose", "2", "--python", str(env), "--format", "json")
    doc = result.json()
    assert result.returncode == 0 and doc["result"]["status"] == "verified", doc["result"]
    assert doc["plan"]["chosen"] == 2
    versions = _versions(env)
    assert versions["jax"] == "0.10.2" and versions["numpy"].startswith("2.")
    assert Version(versions["tensorflow-cpu"]) >= Version("2.18")
    assert versions["keras"].startswith("3.")
    run = _example(env, JAX_EXAMPLE)
    assert run.returncode == 0 and "ok 2." in run.stdout, run.stderr[-2000:]


def test_choose_out_of_range_is_a_usage_error(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    env = real_env(specs.TF215_JAX)
    result = tfdoctor("fix", "--dry-run", "--choose", "3", "--python", str(env))
    assert result.returncode == 2 and "alternatives 1 to 2" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    result = tfdoctor("fix", "--dry-run", "--choose", "1", "--python", str(real_env(specs.TF215)))
    assert result.returncode == 2 and "no alternatives" in result.stderr, result.stderr


def test_numpy2_beside_torch_keeps_torch_and_the_example_runs(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    env = copy_env(real_env(specs.TF215_TORCH_NUMPY2), tmp_path / "env")
    before = _versions(env)
    assert before["torch"] == "2.13.0+cpu" and before["numpy"].startswith("2.")
    result = tfdoctor("fix", "--yes", "--python", str(env), "--format", "json")
    doc = result.json()
    assert result.returncode == 0 and doc["result"]["status"] == "verified", doc["result"]
    targets = [t for s in doc["plan"]["steps"] for t in s["targets"]]
    assert not any(t.startswith("torch") for t in targets), targets
    after = _versions(env)
    assert after["torch"] == "2.13.0+cpu" and after["numpy"].startswith("1.")
    run = _example(env, TORCH_EXAMPLE)
    assert run.returncode == 0 and "ok 2.15.1 (1, 2) 2.0" in run.stdout, run.stderr[-2000:]


def _deep_steps(doc: dict[str, object]) -> dict[str, str]:
    verification = doc["result"]["verification"] or {}  # type: ignore[index]
    deep = verification.get("deep") or {}
    return {s["step"]: s["status"] for s in deep.get("steps", [])}


def test_verification_imports_the_moved_jax_beside_tensorflow(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    env = copy_env(real_env(specs.TF215_JAX), tmp_path / "env")
    result = tfdoctor("fix", "--yes", "--python", str(env), "--format", "json")
    doc = result.json()
    assert result.returncode == 0 and doc["result"]["status"] == "verified", doc["result"]
    assert doc["plan"]["verify_imports"] == ["jax"], doc["plan"]["verify_imports"]
    assert doc["result"]["verification"]["imports"] == ["jax"]
    steps = _deep_steps(doc)
    assert steps["import tensorflow"] == "ok" and steps["import jax"] == "ok", steps
    for code in ("import jax", "import tensorflow"):
        assert _example(env, code).returncode == 0, code
    assert "verifying with check --deep and importing jax ..." in result.stderr, result.stderr


def test_a_moved_package_that_no_longer_imports_rolls_the_fix_back(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    # jaxlib 0.4.30 from a wheel file is kept as installed; keeping TensorFlow 2.15.1 moves jax
    # to a release for NumPy 1 (0.4.34) that checks its jaxlib on import and refuses this one.
    # TensorFlow 2.15 imports an installed jax itself, so `import tensorflow` fails here too;
    # test_a_failing_import_blocks_the_verification_while_tensorflow_works has TF working.
    env = copy_env(real_env(specs.TF215_JAX_JAXLIB_FILE), tmp_path / "env")
    before = records(env)
    assert _versions(env)["jaxlib"] == "0.4.30"
    result = tfdoctor("fix", "--yes", "--python", str(env), "--format", "json")
    doc = result.json()
    plan, outcome = doc["plan"], doc["result"]
    installs = [t for s in plan["steps"] if s["kind"] == "install" for t in s["targets"]]
    assert any(t.startswith("jax==") for t in installs), plan["steps"]
    assert not any(t.startswith(("jaxlib", "tensorflow")) for t in installs), installs
    assert "jax" in plan["verify_imports"]
    assert result.returncode != 0 and outcome["status"] == "rolled-back", outcome
    steps = _deep_steps(doc)
    assert steps["import jax"] == "fail", steps
    assert "`import jax` fails after the repair" in outcome["message"], outcome["message"]
    assert records(env) == before  # every installed package is back as it was
    assert _versions(env)["jax"] == "0.10.2"


def test_requirement_files_of_the_working_directory_are_read_for_an_env_elsewhere(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    env = real_env(specs.TF215_JAX)
    project = tmp_path / "project"
    project.mkdir()
    (project / "requirements.txt").write_text("jax[cpu]\nnot-installed-here==1.0\n")
    (project / "requirements-dev.txt").write_text("pytest\nnumpy\n")
    doc = tfdoctor("fix", "--dry-run", "--python", str(env), "--format", "json", cwd=project).json()
    notes = doc["plan"]["notes"]
    read = [n for n in notes if n.startswith("project files read")]
    assert len(read) == 1, notes
    note = read[0]
    assert "(the working directory is a project)" in note
    assert f"{project / 'requirements.txt'} (jax[cpu])" in note, note
    assert f"{project / 'requirements-dev.txt'} (numpy)" in note, note
    assert "left out (not installed here): not-installed-here==1.0, pytest" in note, note
    # jax (with its extra) and numpy, named by the files, are what the solve keeps as asked for.
    keep_tf = doc["plan"]["alternatives"][0]
    assert keep_tf["tensorflow"] == "tensorflow-cpu==2.15.1"
    assert keep_tf["requested_moved"] == ["jax", "numpy"], keep_tf
    # Without a project in the working directory no file is read.
    doc = tfdoctor("fix", "--dry-run", "--python", str(env), "--format", "json").json()
    assert not [n for n in doc["plan"]["notes"] if n.startswith("project files read")]


def test_an_extra_shown_only_by_its_installed_packages_is_kept_in_the_solve(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    from tfdoctor.diagnose import diagnose_context
    from tfdoctor.fix.requested import find_requested

    env = real_env(specs.TF215_JAX_K8S)
    ctx, _ = diagnose_context(str(env))
    requested = find_requested(ctx.snapshot)
    assert requested.extras == {"jax": ("k8s",)}, requested.extras
    assert requested.requirement("jax") == "jax[k8s]"
    # jax[cpu] adds only jaxlib, which jax requires anyway: nothing tells it apart.
    plain = find_requested(diagnose_context(str(real_env(specs.TF215_JAX)))[0].snapshot)
    assert plain.extras == {} and plain.requirement("jax") == "jax"
    doc = tfdoctor("fix", "--dry-run", "--python", str(env), "--format", "json").json()
    notes = doc["plan"]["notes"]
    assert any(
        n.startswith("extras kept: jax[k8s] (installers record no extras; inferred") for n in notes
    ), notes
    keep_tf = doc["plan"]["alternatives"][0]
    assert keep_tf["tensorflow"] == "tensorflow-cpu==2.15.1" and "jax" in keep_tf["requested_moved"]
    assert "kubernetes" not in {m["name"] for m in keep_tf["moves"]}, keep_tf["moves"]


def test_a_failing_import_blocks_the_verification_while_tensorflow_works(
    real_env: Callable[[EnvSpec], Path],
) -> None:
    from tfdoctor.fix.executor import verify

    env = real_env(specs.TF215)  # healthy: check --deep passes
    ok, summary = verify(python_of(env), {}, set(), ("numpy",))
    steps = {s["step"]: s["status"] for s in summary["deep"]["steps"]}
    assert ok and steps["import tensorflow"] == "ok" and steps["import numpy"] == "ok", summary
    # A moved package that is gone (or broken) blocks although TensorFlow works.
    ok, summary = verify(python_of(env), {}, set(), ("numpy", "jax"))
    steps = {s["step"]: s["status"] for s in summary["deep"]["steps"]}
    assert not ok and steps["import tensorflow"] == "ok" and steps["import jax"] == "fail", summary
    assert summary["imports"] == ["numpy", "jax"]
    assert any(
        b.startswith("`import jax` fails after the repair: ModuleNotFoundError")
        or ("import jax fails" in b and "No module named 'jax'" in b)
        for b in summary["blocking"]
    ), summary["blocking"]
