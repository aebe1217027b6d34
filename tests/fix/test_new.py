"""tfdoctor new: a clean environment from the knowledge base, proven by the smoke test, with a lock
file that rebuilds the same set; Pythons without a TensorFlow are refused with the nearest choice."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import Runner
from envs import interpreter, uv


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--python", "3.14"), "nearest working choice: --python 3.13"),
        (("--python", "4.0"), "nearest working choice: --python 3.13"),  # not 3.5 (minor 0)
        # uv refuses these (exit 1 after the folder was made), or tfdoctor could not examine them.
        (("--python", "2.7"), "Python 2 is not supported"),
        (("--python", interpreter("2.7")), "Python 2 is not supported"),
        (("--python", "3.5"), "Python 3.5 is not supported"),
        (("--python", "3.6.15"), "Python 3.6 is not supported"),
        (("--python", "/no/such/python"), "not a Python version (3.12) or a working interpreter"),
        (("--python", "3.12", "--tensorflow", "2.15"), "nearest working choice: --python 3.11"),
        (("--tensorflow", "2.15", "--keras", "3"), "Keras 3 needs TensorFlow 2.16"),
        (("--tensorflow", "1.15"), "not a known release"),
    ],
)
def test_refused_with_the_nearest_choice(
    tfdoctor: Runner, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    result = tfdoctor("new", str(tmp_path / "env"), *args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and len(result.stderr.splitlines()) == 1, result.stderr
    assert not (tmp_path / "env").exists()


def _freeze(python: Path) -> list[str]:
    out = subprocess.run(
        [uv(), "pip", "freeze", "--python", str(python)], capture_output=True, text=True, check=True
    ).stdout
    return sorted(out.split())


@pytest.mark.realenv
def test_new_tf215_is_proven_and_rebuildable(tfdoctor: Runner, tmp_path: Path) -> None:
    env = tmp_path / "tf215"
    result = tfdoctor(
        "new", str(env), "--tensorflow", "2.15", "--python", interpreter("3.11"), "--format", "json"
    )
    doc = result.json()["result"]
    assert result.returncode == 0, (doc, result.stderr)
    assert doc["status"] == "verified" and doc["verification"]["errors"] == []
    assert all(s["status"] == "ok" for s in doc["verification"]["deep"]["steps"])
    lock = (env / "requirements.lock").read_text(encoding="utf-8")
    pins = [line for line in lock.splitlines() if line and not line.startswith("#")]
    assert "tensorflow-cpu==2.15.1" in pins and "keras==2.15.0" in pins
    assert any(p.startswith("numpy==1.") for p in pins)
    # pip is there, as after `python -m venv`: `pip install` after `activate` goes into it.
    assert any(p.startswith("pip==") for p in pins)
    pip = subprocess.run(
        ["bash", "-c", f"source {env}/bin/activate && command -v pip && pip --version"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert pip.returncode == 0 and pip.stdout.startswith(f"{env}/bin/pip\n"), pip
    assert f"from {env}/lib/python3.11/site-packages/pip" in pip.stdout
    # The lock file rebuilds the same set elsewhere, without a resolver, as its header says.
    recipes = [line[4:] for line in lock.splitlines() if line.startswith("#   ")]
    assert len(recipes) == 2, lock
    for recipe, folder in zip(recipes, ("with-uv", "with-pip")):
        command = recipe.replace("NEWDIR", str(tmp_path / folder))
        command = command.replace("python3.11 -m venv", f"{interpreter('3.11')} -m venv")
        command = command.replace("uv venv", f"{uv()} venv").replace("&& uv pip", f"&& {uv()} pip")
        subprocess.run(["bash", "-c", command], cwd=env, check=True, capture_output=True)
        rebuilt = _freeze(tmp_path / folder / "bin" / "python")
        assert rebuilt == sorted(pins), folder
        check = tfdoctor("check", "--python", str(tmp_path / folder), "--format", "json").json()
        assert check["summary"]["errors"] == 0


@pytest.mark.realenv
def test_new_keras2_on_tf221_uses_tf_keras(tfdoctor: Runner, tmp_path: Path) -> None:
    env = tmp_path / "legacy"
    result = tfdoctor(
        "new", str(env), "--keras", "2", "--no-pip", "--python", interpreter("3.11"),
        "--format", "json",
    )  # fmt: skip
    doc = result.json()["result"]
    assert result.returncode == 0, (doc, result.stderr)
    assert doc["legacy_keras"] and doc["status"] == "verified"
    lock = (env / "requirements.lock").read_text(encoding="utf-8")
    assert "tf-keras==2.21." in lock and "\ntensorflow==" not in lock
    assert "\npip==" not in lock and not (env / "bin" / "pip").exists()  # --no-pip
    for script, line in (
        ("activate", "export TF_USE_LEGACY_KERAS=1"),
        ("activate.fish", "set -gx TF_USE_LEGACY_KERAS 1"),
        ("activate.csh", "setenv TF_USE_LEGACY_KERAS 1"),
    ):
        assert line in (env / "bin" / script).read_text()
    resolution = doc["verification"]["deep"]["steps"]
    assert all(s["status"] == "ok" for s in resolution)


@pytest.mark.parametrize(
    ("gpu", "system", "variant"),
    [
        (False, "Linux", "tensorflow-cpu"),
        (True, "Linux", "tensorflow[and-cuda]"),
        (False, "Darwin", "tensorflow"),
    ],
)
def test_the_set_comes_from_the_knowledge_base(gpu: bool, system: str, variant: str) -> None:
    from tfdoctor.fix.new import choose
    from tfdoctor.kb import load

    kb = load()
    choice = choose(kb, "3.12", None, None, gpu, system=system)
    newest = kb.newest_tensorflow_for_python("3.12")
    assert newest is not None and choice.release.version == newest.version
    assert choice.requirements[0] == f"{variant}=={newest.version}"
    assert f"keras{newest.keras_requirement}" in choice.requirements
    assert f"numpy{newest.spec('numpy', python='3.12')}" in choice.requirements
    legacy = choose(kb, "3.12", "2.21", 2, gpu, system=system)
    assert legacy.legacy and any(r.startswith("tf-keras") for r in legacy.requirements)
    assert bool(legacy.overrides) == (variant == "tensorflow-cpu")


@pytest.mark.realenv
def test_new_without_uv_uses_venv_and_pip(tfdoctor: Runner, tmp_path: Path) -> None:
    env = tmp_path / "pip-built"
    result = tfdoctor(
        "new", str(env), "--python", interpreter("3.11"), "--format", "json",
        env={"TFDOCTOR_UV": "none"},
    )  # fmt: skip
    doc = result.json()["result"]
    assert result.returncode == 0, (doc, result.stderr)
    assert doc["status"] == "verified"
    assert (env / "bin" / "pip").exists()  # made by `python -m venv`, not uv
    lock = (env / "requirements.lock").read_text(encoding="utf-8")
    assert "pip install --no-deps -r requirements.lock" in lock
    assert "tensorflow-cpu==2.21.0" in lock.splitlines()


def _path_without_pythons() -> str:
    """PATH with no pyenv and no Python of another minor than the system's own."""
    return "/usr/local/bin:/usr/bin:/bin"


def test_a_python_version_is_found_where_pyenv_keeps_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """`tfdoctor new DIR --python 3.10` on a machine whose 3.10 is a pyenv version but not on
    PATH: the venv is made from that interpreter (uv alone would try to download one)."""
    import shutil

    from tfdoctor.fix.new import _installed_python

    pyenv = shutil.which("pyenv")
    if pyenv is None or "3.10" not in interpreter("3.10"):
        pytest.skip("needs pyenv with a Python 3.10")
    monkeypatch.setenv("PATH", f"{Path(pyenv).parent}:{_path_without_pythons()}")
    found = _installed_python(uv(), "3.10")
    assert found.endswith("/bin/python") and "3.10" in found
    version = subprocess.run([found, "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith("Python 3.10.")


def test_a_failed_new_leaves_no_folder_behind(tfdoctor: Runner, tmp_path: Path) -> None:
    """uv can neither find nor download the Python: the run fails and leaves no folder (it
    left DIR/.tfdoctor, the lock of a run that made nothing)."""
    folder = tmp_path / "new38"
    result = tfdoctor(
        "new", str(folder), "--python", "3.8", "--no-smoke",
        env={"PATH": _path_without_pythons(), "UV_PYTHON_DOWNLOADS": "never"},
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "could not create the environment" in result.stdout
    assert not folder.exists()


def test_without_the_smoke_test_the_environment_is_created_not_verified(
    tfdoctor: Runner, tmp_path: Path
) -> None:
    """--no-smoke runs nothing in the new environment: it says "created", never "verified"."""
    env = tmp_path / "unverified"
    result = tfdoctor("new", str(env), "--python", interpreter("3.11"), "--no-smoke",
                      "--format", "json")  # fmt: skip
    assert result.returncode == 0, result.stderr
    doc = result.json()["result"]
    assert doc["status"] == "created" and doc["verification"] in (None, {})
    assert "(not verified: --no-smoke)" in doc["message"]
    again = tfdoctor("new", str(tmp_path / "text"), "--python", interpreter("3.11"), "--no-smoke")
    assert again.returncode == 0, again.stderr
    first = again.stdout.splitlines()[0]
    assert first.startswith(f"created {tmp_path / 'text'} (not verified: --no-smoke); use it"), (
        first
    )
