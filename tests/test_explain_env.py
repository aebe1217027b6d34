"""explain --python: the text joined with the environment it came from (concrete fixes)."""

from __future__ import annotations

import os
import subprocess
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
    assert data["target"] is None  # no environment joined in
    assert data["findings"][0]["cause"] == "numpy-incompatible"
    assert not any("uv pip install --python" in c for c in data["findings"][0]["fix"])


def test_bad_python_for_explain(tfdoctor: Runner, tmp_path: Path) -> None:
    result = tfdoctor(
        "explain", str(CAPTURES / "real_tf215_numpy2.txt"), "--python", str(tmp_path / "x")
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1


def _explain_json(tfdoctor: Runner, text_file: Path, *args: str) -> dict[str, object]:
    result = tfdoctor("explain", str(text_file), "--format", "json", *args)
    assert result.returncode in (0, 1), result.stderr
    data: dict[str, object] = result.json()
    return data


def _causes(data: dict[str, object]) -> list[tuple[str, str]]:
    findings = data["findings"]
    assert isinstance(findings, list)
    return [(f["code"], f["cause"]) for f in findings]


def test_tf215_keras3_save_dir_error_names_the_keras_mismatch_first(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    """The text alone says model-format (Keras 3 refuses a folder); the environment proves the
    root cause: Keras 3 beside TensorFlow 2.15 (TFD101)."""
    env = real_env(specs.TF215_KERAS3)
    text = CAPTURES / "real_tf215_keras3_save_dir.txt"
    alone = _explain_json(tfdoctor, text)
    if alone.get("environment_source") is None:
        assert _causes(alone)[0] == ("TFD815", "model-format")
    data = _explain_json(tfdoctor, text, "--python", str(env))
    assert data["environment_source"] == "--python"
    causes = _causes(data)
    assert causes[0][1] == "keras-version-mismatch"
    assert causes[0][0] == "TFD101"
    assert ("TFD815", "model-format") in causes
    first = data["findings"][0]  # type: ignore[index]
    assert first["data"]["proven_by"] == "TFD101"
    assert first["fix"][0].startswith("uv pip install --python")


def test_tf214_keras3_keras_api_error_is_tfd101(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    env = real_env(specs.TF214_KERAS3)
    data = _explain_json(tfdoctor, CAPTURES / "real_tf214_keras3.txt", "--python", str(env))
    first = data["findings"][0]  # type: ignore[index]
    assert (first["cause"], first["data"]["signature"]) == (
        "keras-version-mismatch",
        "keras3-under-old-tf",
    )
    assert first["data"]["proven_by"] == "TFD101"
    codes = [f["code"] for f in data["environment_findings"]]  # type: ignore[union-attr]
    assert "TFD101" in codes


def test_mixed_tensorflow_binaries_undefined_symbol_is_tfd301(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    env = real_env(specs.TF215_PLUS_TF221)
    text = CAPTURES / "real_tf215_plus_tf221.txt"
    assert "undefined symbol" in text.read_text(encoding="utf-8")
    data = _explain_json(tfdoctor, text, "--python", str(env))
    first = data["findings"][0]  # type: ignore[index]
    assert first["cause"] == "duplicate-distribution"
    assert first["data"]["proven_by"] == "TFD301"
    assert "TFD301" in [f["code"] for f in data["environment_findings"]]  # type: ignore[union-attr]


def test_a_text_explain_cannot_place_still_gets_the_environments_errors(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    env = real_env(specs.TF215_KERAS3)
    text = CAPTURES / "negative_user_keyerror.txt"
    alone = tfdoctor("explain", str(text), "--format", "json")
    assert alone.json()["findings"] == [] and alone.returncode == 0
    result = tfdoctor("explain", str(text), "--format", "json", "--python", str(env))
    data = result.json()
    assert [f["code"] for f in data["findings"]] == ["TFD101"]
    assert result.returncode == 1
    # the cause is the environment's, not one "in" the text (it said "1 known cause in FILE")
    out = tfdoctor("explain", str(text), "--python", str(env)).stdout.splitlines()
    assert (
        "No known TensorFlow/Keras failure found in the text. The environment checked has 1 "
        "known cause, most likely first:"
    ) in out
    # the capture ran on TensorFlow 2.21 (its first line says so), not in this environment
    assert out[1] == (
        "The text shows tensorflow 2.21.0 (this environment has 2.15.1): it may come from "
        "another environment, or from before a change."
    )


def test_text_only_looks_at_no_environment(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    """A support engineer explains someone else's text: with --text-only neither the active
    environment nor the one the traceback shows is examined or joined."""
    env = real_env(specs.TF214_KERAS3)
    captured = (CAPTURES / "real_tf214_keras3.txt").read_text(encoding="utf-8")
    shown = captured.split('File "', 2)[2].split("/lib/python3.11/", 1)[0]
    text = tmp_path / "paste.txt"
    text.write_text(captured.replace(shown, str(env)), encoding="utf-8")
    active = {"VIRTUAL_ENV": str(real_env(specs.TF215_KERAS3))}
    joined = tfdoctor("explain", str(text), "--format", "json", env=active)
    assert joined.json()["environment_source"] == "traceback"
    alone = tfdoctor("explain", "--text-only", str(text), "--format", "json", env=active)
    data = alone.json()
    assert "environment_source" not in data and data["target"] is None
    assert data["findings"] and "proven_by" not in data["findings"][0].get("data", {})
    both = tfdoctor("explain", "--text-only", "--python", str(env), str(text))
    assert both.returncode == 2 and "exclude each other" in both.stderr


def test_the_environment_the_traceback_shows_is_checked_without_python(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    """The interpreter that printed the text is found from its paths when it is on this
    machine: the capture's environment path is replaced by where the test env really is."""
    env = real_env(specs.TF214_KERAS3)
    captured = (CAPTURES / "real_tf214_keras3.txt").read_text(encoding="utf-8")
    shown = captured.split('File "', 2)[2].split("/lib/python3.11/", 1)[0]
    text = tmp_path / "paste.txt"
    text.write_text(captured.replace(shown, str(env)), encoding="utf-8")
    data = _explain_json(tfdoctor, text)
    assert data["environment_source"] == "traceback"
    assert data["findings"][0]["data"]["proven_by"] == "TFD101"  # type: ignore[index]
    assert data["next"] == f"tfdoctor check --python {env}"
    # an environment the text names that is not on this machine: the text alone
    gone = tmp_path / "gone.txt"
    gone.write_text(captured.replace(shown, str(tmp_path / "elsewhere")), encoding="utf-8")
    alone = _explain_json(tfdoctor, gone)
    assert "environment_source" not in alone
    assert alone["next"] == f"tfdoctor check --python {tmp_path / 'elsewhere'}"


def _module_exists(site: Path, dotted: str) -> bool:
    path = site.joinpath(*dotted.split("."))
    return path.is_dir() or path.with_suffix(".py").is_file()


def test_keras_src_layout_matches_the_installed_wheels(
    real_env: Callable[[EnvSpec], Path],
) -> None:
    """knowledge.keras_src_layout in signatures.json: keras3 modules exist in keras 3.15.1 and
    not in 2.15.0, keras2 modules the other way round."""
    from envs import site_packages
    from tfdoctor.explain.signatures import load_detectors

    layout = load_detectors().layout
    keras2 = site_packages(real_env(specs.TF215))
    keras3 = site_packages(real_env(specs.TF221))
    for module in layout["keras3"]:
        assert _module_exists(keras3, module) and not _module_exists(keras2, module), module
    for module in layout["keras2"]:
        assert _module_exists(keras2, module) and not _module_exists(keras3, module), module


def test_tf_core_names_are_in_every_tensorflow(real_env: Callable[[EnvSpec], Path]) -> None:
    from envs import python_of
    from tfdoctor.explain.signatures import load_detectors

    names = sorted(load_detectors().tf_core)
    probe = "import sys, tensorflow as tf; print([n for n in sys.argv[1:] if not hasattr(tf, n)])"
    for spec in (specs.TF215, specs.TF221):
        out = subprocess.run(
            [python_of(real_env(spec)), "-c", probe, *names],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        )
        assert out.stdout.strip().splitlines()[-1] == "[]", spec.name


def test_a_text_fix_the_environment_does_not_prove_is_aimed_at_that_environment(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    """The healthy TensorFlow 2.15 environment (uv) shows no NumPy 2: the text's cause stays a
    text cause, its fix filled with the environment's versions, and aimed at it: a bare
    `uv pip install` would change the venv active where it is pasted (or a .venv of the working
    folder, tfdoctor's own in a clone of it), `tfdoctor check` would check that one."""
    env = real_env(specs.TF215)
    data = _explain_json(tfdoctor, CAPTURES / "real_tf215_numpy2.txt", "--python", str(env))
    top = data["findings"][0]  # type: ignore[index]
    assert top["cause"] == "numpy-incompatible" and "proven_by" not in top["data"]
    python = f"{env}/bin/python"
    assert top["fix"] == [
        f'uv pip install --python {python} "tensorflow-cpu==2.15.1" "numpy<2.0.0,>=1.23.5"',
        f"uv pip check --python {python}",
    ]


def test_an_uncertainty_the_environment_settles_is_not_reported(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    """The demo's error: the KerasTensor message alone is Keras 2 code under Keras 3 or, beside
    TensorFlow 2.15, the wrong Keras (uncertain, with keras-version-mismatch an alternative).
    TensorFlow 2.15 with Keras 3 proves the second: first, and no longer 'uncertain' (it said
    'It may also be: keras-version-mismatch' under a first finding of that very cause)."""
    text = tmp_path / "demo.txt"
    text.write_text(
        "Traceback (most recent call last):\n"
        '  File "/home/u/example.py", line 3, in <module>\n'
        '    print("output:", tf.nn.relu(tf.keras.layers.Dense(8)(inputs)).shape)\n'
        "ValueError: A KerasTensor cannot be used as input to a TensorFlow function. A "
        "KerasTensor is a symbolic placeholder for a shape and dtype, used when constructing "
        "Keras Functional models or Keras Functions. You can only use it as input to a Keras "
        "layer or a Keras operation (from the namespaces `keras.layers` and `keras.operations`)."
        " You are likely doing something like:\n",
        encoding="utf-8",
    )
    alone = _explain_json(tfdoctor, text, "--text-only")
    assert alone["uncertain"] is True and "keras-version-mismatch" in alone["alternatives"]  # type: ignore[operator]
    env = real_env(specs.TF215_KERAS3)
    data = _explain_json(tfdoctor, text, "--python", str(env))
    assert _causes(data)[0] == ("TFD101", "keras-version-mismatch")
    assert data["uncertain"] is False and data["alternatives"] == []
    assert data["uncertain_reason"] == ""
    assert not any("uncertain" in f["data"] for f in data["findings"])  # type: ignore[union-attr]
    out = tfdoctor("explain", str(text), "--python", str(env)).stdout
    assert "Uncertain" not in out


def test_the_output_names_the_environment_joined_and_a_traceback_of_another_one(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    """Which environment was checked and how it was found is said (it was only in JSON); with
    --python naming another environment than the one the traceback's paths show, the output
    says so and the command that confirms the diagnosis names the --python one (it named the
    traceback's, an environment that was not checked)."""
    keras3 = real_env(specs.TF215_KERAS3)
    healthy = real_env(specs.TF215)
    captured = (CAPTURES / "real_tf215_keras3_save_dir.txt").read_text(encoding="utf-8")
    shown = captured.split('File "', 2)[2].split("/lib/python3.11/", 1)[0]
    text = tmp_path / "paste.txt"
    text.write_text(captured.replace(shown, str(keras3)), encoding="utf-8")
    found = tfdoctor("explain", str(text)).stdout
    assert found.startswith(
        f"Environment: {keras3} (the one the traceback's paths show); tfdoctor check finds 1 "
        "error in it.\n"
    ), found
    named = tfdoctor("explain", str(text), "--python", str(healthy))
    lines = named.stdout.splitlines()
    assert lines[0] == (
        f"Environment: {healthy} (named with --python); tfdoctor check finds no errors in it."
    )
    assert lines[1].startswith(f"The text's paths show another environment, {keras3}: ")
    assert lines[-1].endswith(f"tfdoctor check --python {healthy}")
    data = _explain_json(tfdoctor, text, "--python", str(healthy))
    assert data["next"] == f"tfdoctor check --python {healthy}"
    markdown = tfdoctor("explain", str(text), "--python", str(healthy), "--format", "markdown")
    assert f"Environment: {healthy} (named with --python)" in markdown.stdout


def test_versions_the_text_states_that_the_environment_has_otherwise_are_said(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    """A NumPy 2 traceback (the capture states NumPy 2.0.2) explained against TensorFlow 2.15
    with its NumPy 1.26.4: the environment contradicts the text, and explain says so instead of
    presenting the text's cause as this environment's; a text that states no version agrees."""
    env = str(real_env(specs.TF215))
    text = CAPTURES / "real_tf215_numpy2.txt"
    data = _explain_json(tfdoctor, text, "--python", env)
    assert data["environment_differs"] == [
        {"package": "numpy", "text": "2.0.2", "environment": "1.26.4"}
    ]
    shown = tfdoctor("explain", str(text), "--python", env).stdout
    assert (
        "The text shows numpy 2.0.2 (this environment has 1.26.4): it may come from another "
        "environment, or from before a change." in shown
    )
    agreeing = _explain_json(tfdoctor, CAPTURES / "real_tf215_keras3_save_dir.txt", "--python", env)
    assert agreeing["environment_differs"] == []


def test_a_stated_version_is_the_installed_one_to_the_precision_it_is_stated_with() -> None:
    from tfdoctor.explain.join import _same

    assert _same("2.15", "2.15.1") and _same("3.11", "3.11.7") and _same("2.15.1", "2.15.1")
    assert _same("2.0", "2") and _same("2", "2.0.0")
    assert not _same("2.15.0", "2.15.1") and not _same("2.16", "2.15.1")
    assert not _same("2.16.0rc0", "2.16.0") and _same("2.16.0rc0", "2.16.0rc0")


@pytest.mark.parametrize(
    "failure",
    [
        "ERROR: Could not find a version that satisfies the requirement tensorflow==2.12.0 "
        "(from versions: 2.16.0rc0, 2.16.1, 2.17.0, 2.21.0)\n"
        "ERROR: No matching distribution found for tensorflow==2.12.0\n",
        "  \u00d7 No solution found when resolving dependencies:\n"
        "  \u2570\u2500\u25b6 Because tensorflow==2.12.0 has no wheels with a matching Python ABI "
        "tag and you require tensorflow==2.12.0, we can conclude that your requirements are "
        "unsatisfiable.\n",
    ],
    ids=["pip", "uv"],
)
def test_a_release_the_installer_could_not_install_is_no_version_the_text_shows(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path, failure: str
) -> None:
    """pip or uv failing to install tensorflow==2.12.0 into an environment with TensorFlow 2.21
    asked for that release; the text shows no TensorFlow 2.12.0 installed anywhere, so it is no
    'it may come from another environment' (it said 'The text shows tensorflow 2.12.0')."""
    env = str(real_env(specs.TF221))
    text = tmp_path / "pip.txt"
    text.write_text("$ pip install tensorflow==2.12.0\n" + failure, encoding="utf-8")
    data = _explain_json(tfdoctor, text, "--python", env)
    assert data["environment_differs"] == []
    assert [f["cause"] for f in data["findings"]][:1] == ["python-unsupported"]
    assert "The text shows" not in tfdoctor("explain", str(text), "--python", env).stdout


def test_a_version_uv_uninstalled_is_no_version_the_text_shows(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    """uv's " - keras==2.15.0" under "Uninstalled 1 package" is a version removed, as pip's
    "Successfully uninstalled keras-2.15.0" (it said 'The text shows keras 2.15.0 (this
    environment has 3.15.1)'); the same line in a list the user wrote still states it."""
    env = str(real_env(specs.TF221))
    text = tmp_path / "uv.txt"
    removed = (
        "$ uv pip uninstall keras\nUninstalled 1 package in 12ms\n - keras==2.15.0\n"
        "$ python train.py\nModuleNotFoundError: No module named 'keras'\n"
    )
    text.write_text(removed, encoding="utf-8")
    assert _explain_json(tfdoctor, text, "--python", env)["environment_differs"] == []
    text.write_text(
        "My versions:\n - keras==2.15.0\n - tensorflow==2.21.0\n"
        "ModuleNotFoundError: No module named 'keras'\n",
        encoding="utf-8",
    )
    assert _explain_json(tfdoctor, text, "--python", env)["environment_differs"] == [
        {"package": "keras", "text": "2.15.0", "environment": "3.15.1"}
    ]
