"""tfdoctor fix against the real broken environments of the check tests: each one is repaired
by `fix --yes` and then has no error left, in check --deep (fix's verification) and in check."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fixenv import copy_env

import specs
from conftest import Runner
from envs import EnvSpec, interpreter

pytestmark = pytest.mark.realenv

# (label, env, environment variables, the step kinds the plan must hold)
REPAIRED: list[tuple[str, EnvSpec, dict[str, str], set[str]]] = [
    ("keras 3 over TF 2.15", specs.TF215_KERAS3, {}, {"install"}),
    ("keras 2.15 under TF 2.21", specs.TF221_KERAS2, {}, {"install"}),
    ("tf-keras 2.20 beside TF 2.21", specs.TF221_TFKERAS220, {}, {"install"}),
    (
        "TF_USE_LEGACY_KERAS=1 without tf-keras",
        specs.TF221,
        {"TF_USE_LEGACY_KERAS": "1"},
        {"install"},
    ),
    ("NumPy 2 under TF 2.15", specs.TF215_NUMPY2, {}, {"install"}),
    ("protobuf 5 under TF 2.15", specs.TF215_PROTOBUF5, {}, {"install"}),
    ("tensorboard 2.14 under TF 2.15", specs.TF215_TENSORBOARD, {}, {"install"}),
    (
        "tf-keras pulled tensorflow beside tensorflow-cpu",
        specs.TF221_TFKERAS_PULLS_TF,
        {"TF_USE_LEGACY_KERAS": "1"},
        {"uninstall", "reinstall"},
    ),
    ("tensorflow and tensorflow-cpu", specs.TF221_PLUS_TENSORFLOW, {}, {"uninstall", "reinstall"}),
    ("keras and keras-nightly", specs.TF221_KERAS_NIGHTLY, {}, {"uninstall", "reinstall"}),
    (
        "tensorflow-cpu after tensorflow was uninstalled",
        specs.TF221_PLUS_TENSORFLOW_UNINSTALLED,
        {},
        {"reinstall"},
    ),
    ("~ensorflow leftover", specs.TF215_TILDE, {}, {"move"}),
    ("files of keras deleted", specs.TF221_KERAS_DAMAGED, {}, {"reinstall"}),
    # uv stopped at numpy's METADATA ("Failed to read metadata") and the plan did not resolve;
    # the reinstall is the release numpy's folder names (a bare name installed NumPy 2)
    ("numpy's METADATA cannot be read", specs.TF215_UNREADABLE_METADATA, {}, {"reinstall"}),
    ("two numpy metadata folders", specs.TF215_TWO_NUMPY, {}, {"move", "reinstall"}),
    ("absl-py uninstalled", specs.TF221_NO_ABSL, {}, {"install"}),
    ("tensorflow-text 2.15 beside TF 2.21", specs.TF221_TEXT215, {}, {"install"}),
    ("TF 2.15 for Python 3.11 in a 3.12 env", specs.PY312_TF215_FOR_311, {}, {"install"}),
    (
        "tensorflow-estimator left by an upgrade to TF 2.21",
        specs.TF215_UPGRADED_TF221,
        {},
        {"uninstall", "install"},
    ),
    ("a CUDA wheel beside tensorflow-cpu", specs.TF221_CUDA_RUNTIME, {}, {"uninstall"}),
    ("Keras without TensorFlow", specs.KERAS_ONLY, {}, {"install"}),
    ("transformers without tf-keras", specs.TF221_TRANSFORMERS, {}, {"install"}),
]


@pytest.mark.parametrize(
    ("spec", "environ", "kinds"),
    [pytest.param(s, e, k, id=label) for label, s, e, k in REPAIRED],
)
def test_fix_repairs(
    tfdoctor: Runner,
    real_env: Callable[[EnvSpec], Path],
    tmp_path: Path,
    spec: EnvSpec,
    environ: dict[str, str],
    kinds: set[str],
) -> None:
    env = copy_env(real_env(spec), tmp_path / "env")
    before = tfdoctor("check", "--python", str(env), "--format", "json", env=environ)
    assert before.json()["summary"]["errors"] + before.json()["summary"]["warnings"] > 0

    result = tfdoctor("fix", "--yes", "--python", str(env), "--format", "json", env=environ)
    doc = result.json()
    assert doc["schema"] == "tfdoctor/1" and doc["command"] == "fix"
    assert result.returncode == 0, (doc["result"], result.stderr)
    assert kinds <= {s["kind"] for s in doc["plan"]["steps"]}, doc["plan"]["steps"]
    assert doc["result"]["status"] == "verified"
    verification = doc["result"]["verification"]
    assert verification["errors"] == [], verification
    deep_steps = verification["deep"]["steps"]
    assert deep_steps and all(s["status"] == "ok" for s in deep_steps), deep_steps

    # The environment as the user sees it afterwards, with the variables the plan asked for.
    after_env = {**environ, **{k: v for k, v in _setenv(doc).items() if v}}
    after = tfdoctor("check", "--python", str(env), "--format", "json", env=after_env)
    assert after.json()["summary"]["errors"] == 0, after.stdout
    assert not [f for f in after.json()["findings"] if f["code"] in ("TFD301", "TFD302", "TFD303")]
    # Folders moved aside stay in the environment: the result says where, and how to remove them.
    moved = [m for s in doc["plan"]["steps"] for m in s.get("moves", [])]
    if moved:
        backup = Path(moved[0]["to"]).parent
        assert backup.is_dir()
        assert any(str(backup) in n and f"rm -rf {backup}" in n for n in doc["result"]["notes"])


def _setenv(doc: dict[str, object]) -> dict[str, str]:
    out: dict[str, str] = {}
    plan = doc["plan"]
    assert isinstance(plan, dict)
    for step in plan["steps"]:
        out.update(step.get("variables", {}))
    return out


def test_keras_backend_is_a_setenv_step(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    env = real_env(specs.TF221)
    result = tfdoctor(
        "fix", "--dry-run", "--python", str(env), "--format", "json", env={"KERAS_BACKEND": "jax"}
    )
    doc = result.json()
    steps = doc["plan"]["steps"]
    assert [s["kind"] for s in steps] == ["setenv"], steps
    assert steps[0]["commands"] == ["unset KERAS_BACKEND"] and steps[0]["reasons"] == ["TFD501"]
    assert "cannot change the shell" in steps[0]["note"]
    assert doc["result"]["status"] == "nothing-to-do"


def test_cuda_wheel_beside_tensorflow_cpu_is_removed_without_a_driver(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    # tensorflow-cpu never loads it (TFD605): with no NVIDIA driver the plan removes the wheel
    # instead of installing the and-cuda pins, and names the CUDA build as the other way.
    env = real_env(specs.TF221_CUDA_RUNTIME)
    doc = tfdoctor("fix", "--dry-run", "--python", str(env), "--format", "json").json()
    steps = doc["plan"]["steps"]
    assert [(s["kind"], s["targets"], s["reasons"]) for s in steps] == [
        ("uninstall", ["nvidia-cuda-runtime-cu12"], ["TFD605"])
    ], steps
    assert [o["flag"] for o in doc["plan"]["options"]] == [
        "replace tensorflow-cpu with tensorflow[and-cuda]==2.21.0 by hand"
    ]


def test_dry_run_changes_nothing_and_keras_choice_is_explained(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    env = real_env(specs.TF221_KERAS2)
    result = tfdoctor("fix", "--dry-run", "--python", str(env))
    assert result.returncode == 0, result.stderr
    assert "install keras==3." in result.stdout and "(TFD101)" in result.stdout
    assert "--keras 2: keep Keras 2 code working" in result.stdout
    assert not (env / ".tfdoctor").exists()


def test_dry_run_says_what_applying_would_refuse(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    """A dry run once said "planned" (exit 0) for plans that --yes then refuses: a Python that is
    no venv (never changed in place) and --into a folder that is not empty."""
    system = Path(interpreter("3.12"))
    if not system.exists():
        pytest.skip("no Python 3.12 installation on this machine")
    doc = tfdoctor("fix", "--dry-run", "--python", str(system), "--format", "json").json()
    assert doc["result"]["status"] == "planned", doc["result"]
    assert "not a virtual or conda environment" in doc["result"]["message"]
    assert "--into DIR" in doc["result"]["message"]
    refused = tfdoctor("fix", "--yes", "--python", str(system))
    assert refused.returncode == 2 and "--into DIR" in refused.stderr

    env = real_env(specs.TF215_KERAS3)
    full = tmp_path / "full"
    full.mkdir()
    (full / "notes.txt").write_text("mine\n")
    for how in ("--dry-run", "--yes"):
        result = tfdoctor("fix", how, "--python", str(env), "--into", str(full))
        assert result.returncode == 2, result.stdout + result.stderr
        assert result.stdout == "" and "is not empty" in result.stderr
    assert [p.name for p in full.iterdir()] == ["notes.txt"]


def test_keras2_intent_installs_tf_keras_and_sets_legacy_variable(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    env = real_env(specs.TF221_KERAS2)
    doc = tfdoctor(
        "fix", "--dry-run", "--keras", "2", "--python", str(env), "--format", "json"
    ).json()
    pins = [t for s in doc["plan"]["steps"] if s["kind"] == "install" for t in s["targets"]]
    assert any(p.startswith("tf-keras==2.21.") for p in pins), pins
    assert any(p.startswith("keras==3.") for p in pins), pins
    assert _setenv(doc) == {"TF_USE_LEGACY_KERAS": "1"}
    assert doc["plan"]["intent"].endswith("; keep Keras 2 code working (tf-keras)"), doc["plan"]


def test_keras2_intent_on_tf215_says_it_keeps_its_own_keras(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    """On a Keras 2 TensorFlow --keras 2 installs that TensorFlow's Keras 2 (keras 2.15), never
    tf-keras; the intent line once said "(tf-keras)" all the same."""
    env = real_env(specs.TF215_KERAS3)
    args = ("fix", "--dry-run", "--keras", "2", "--python", str(env))
    doc = tfdoctor(*args, "--format", "json").json()
    pins = [t for s in doc["plan"]["steps"] if s["kind"] == "install" for t in s["targets"]]
    assert pins == ["keras==2.15.0"], doc["plan"]["steps"]
    assert _setenv(doc) == {}
    said = "keep Keras 2 code working (TensorFlow 2.15's own Keras 2: keras<2.16,>=2.15.0)"
    assert doc["plan"]["intent"].endswith(said), doc["plan"]
    text = tfdoctor(*args).stdout
    assert said in text and "tf-keras" not in text, text


def test_tensorflow_intent_moves_tensorflow(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    env = real_env(specs.TF215_KERAS3)
    doc = tfdoctor(
        "fix", "--dry-run", "--keras", "3", "--python", str(env), "--format", "json"
    ).json()
    assert doc["plan"]["tensorflow"].startswith("tensorflow-cpu==2.21.")
    # The intent says what happens to the installed TensorFlow, not "keep" it.
    assert doc["plan"]["intent"].startswith("move TensorFlow from 2.15.1 to 2.21."), doc["plan"]
    assert doc["plan"]["intent"].endswith("; use Keras 3")
    text = tfdoctor("fix", "--dry-run", "--keras", "3", "--python", str(env)).stdout
    assert "intent: move TensorFlow from 2.15.1 to 2.21." in text
    assert "keep the installed TensorFlow" not in text
    # What TensorFlow 2.21 no longer has or declares does not stay behind at 2.15.
    steps = {s["kind"]: s for s in doc["plan"]["steps"]}
    assert steps["uninstall"]["targets"] == ["tensorflow-estimator"], doc["plan"]["steps"]
    assert any(t.startswith("tensorboard==2.20.") for t in steps["install"]["targets"])
    bad = tfdoctor("fix", "--dry-run", "--tensorflow", "2.15", "--keras", "3", "--python", str(env))
    assert bad.returncode == 2 and "Keras 3 needs TensorFlow 2.16" in bad.stderr


def test_unresolvable_offline_says_why(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    env = real_env(specs.TF215_NUMPY2)
    offline = {
        "UV_OFFLINE": "1", "UV_CACHE_DIR": str(tmp_path / "empty-cache"),
        "PIP_NO_INDEX": "1",
    }  # fmt: skip
    result = tfdoctor("fix", "--dry-run", "--python", str(env), "--format", "json", env=offline)
    doc = result.json()
    assert result.returncode == 1
    assert doc["result"]["status"] == "unresolved"
    assert "numpy" in doc["plan"]["unresolved"][0]


def test_healthy_environment_has_nothing_to_fix(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    env = real_env(specs.TF215)
    result = tfdoctor("fix", "--yes", "--python", str(env), "--format", "json")
    doc = result.json()
    assert result.returncode == 0, result.stderr
    assert doc["plan"]["steps"] == [] and doc["result"]["status"] == "nothing-to-do"
    assert not (env / ".tfdoctor").exists()


def test_keras3_over_tf215_names_both_choices(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    doc = tfdoctor(
        "fix", "--dry-run", "--python", str(real_env(specs.TF215_KERAS3)), "--format", "json"
    ).json()
    assert doc["plan"]["tensorflow"] == "tensorflow-cpu==2.15.1"
    assert [o["flag"] for o in doc["plan"]["options"]] == ["--keras 3"]
    assert "move TensorFlow from 2.15.1 to 2.21." in doc["plan"]["options"][0]["effect"]


def test_conda_mix_is_a_manual_step(tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]) -> None:
    env = real_env(specs.TF215_CONDA)
    result = tfdoctor("fix", "--yes", "--python", str(env), "--format", "json")
    doc = result.json()
    assert result.returncode == 1 and doc["result"]["status"] == "nothing-to-do"
    steps = doc["plan"]["steps"]
    assert [(s["kind"], s["reasons"]) for s in steps] == [("manual", ["TFD310"])]
    assert steps[0]["commands"][0].startswith("conda remove -p ")
    assert not (env / ".tfdoctor").exists()


def test_without_a_terminal_yes_is_required(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    env = real_env(specs.TF215_NUMPY2)
    result = tfdoctor("fix", "--python", str(env), stdin="y\n")
    assert result.returncode == 2 and "pass --yes" in result.stderr
    assert "install numpy==1.26.4" in result.stdout
    assert not (env / ".tfdoctor").exists()


def test_in_a_terminal_it_asks_once(
    real_env: Callable[[EnvSpec], Path], clean_environ: dict[str, str]
) -> None:
    env = real_env(specs.TF215_NUMPY2)
    leader, follower = os.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tfdoctor", "fix", "--python", str(env)],
            stdin=follower,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=clean_environ,
        )
        os.write(leader, b"n\n")
        out, err = proc.communicate(timeout=120)
    finally:
        os.close(leader)
        os.close(follower)
    assert proc.returncode == 1, err
    assert out.count("Apply this plan? [y/N]") == 1 and "cancelled: nothing was changed" in out
    assert not (env / ".tfdoctor").exists()


def test_after_an_upgrade_the_plan_removes_the_estimator_and_upgrades_tensorboard(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    """TensorFlow 2.15 -> 2.21 by uv: tensorflow-estimator 2.15 (gone since 2.16, per the kb)
    and tensorboard 2.15 stay; the plan removes the one and upgrades the other."""
    env = real_env(specs.TF215_UPGRADED_TF221)
    doc = tfdoctor("fix", "--dry-run", "--python", str(env), "--format", "json").json()
    plan = doc["plan"]
    assert plan["intent"] == "keep the installed TensorFlow and bring the rest in line with it"
    steps = {s["kind"]: s for s in plan["steps"]}
    assert steps["uninstall"]["targets"] == ["tensorflow-estimator"]
    assert steps["uninstall"]["reasons"] == ["TFD110"]
    assert "tensorboard==2.20.0" in steps["install"]["targets"], plan["steps"]
    assert not any(t.startswith("tensorflow") for t in steps["install"]["targets"])
    assert any("tensorflow-estimator 2.15.0 is removed" in n for n in plan["notes"])


def test_a_plan_that_installs_tf_keras_never_brings_tensorflow_in(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    """tf-keras declares plain `tensorflow`: beside tensorflow-cpu it goes in with --no-deps."""
    env = real_env(specs.TF221_TFKERAS220)
    plan = tfdoctor("fix", "--dry-run", "--python", str(env), "--format", "json").json()["plan"]
    [install] = [s for s in plan["steps"] if s["kind"] == "install"]
    assert install["targets"] == ["tf-keras==2.21.0"], plan["steps"]
    assert " --no-deps " in install["commands"][0]
    assert any(n.startswith("tensorflow would come in") for n in plan["notes"]), plan["notes"]


def test_a_package_whose_requires_python_leaves_this_python_out_is_solved_again(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    # keras 3.15.1 (Requires-Python >=3.11) in a Python 3.9 env: the plan replaces it by a keras
    # the solve for Python 3.9 picks, as an install that answers TFD121, not a manual step
    env = real_env(specs.PY39_KERAS_FOR_311)
    doc = tfdoctor("fix", "--dry-run", "--python", str(env), "--format", "json", timeout=300).json()
    steps = doc["plan"]["steps"]
    [step] = [s for s in steps if "TFD121" in s["reasons"]]
    assert step["kind"] == "install"
    [keras] = [t for t in step["targets"] if t.startswith("keras==")]
    assert keras.split("==")[1].startswith(("3.8.", "3.9.", "3.10.")), keras  # the 3.9 releases
    assert not any(s["kind"] == "manual" and "TFD121" in s["reasons"] for s in steps)
