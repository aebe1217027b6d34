"""Shadowing: a keras.py in the working directory, a PYTHONPATH entry hiding the real package."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import specs
from cli_runner import Runner
from envs import EnvSpec

pytestmark = pytest.mark.realenv


def test_keras_py_in_working_directory(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    env = real_env(specs.TF221)
    (tmp_path / "keras.py").write_text("# my experiments\nimport tensorflow as tf\n")
    result = tfdoctor("check", "--python", str(env), "--format", "json", cwd=tmp_path)
    assert result.codes() == [("TFD401", "shadowed-module")]
    finding = result.json()["findings"][0]
    assert str(tmp_path / "keras.py") in finding["title"]
    assert "working directory" in finding["title"]
    assert finding["fix"] == [f"mv {tmp_path / 'keras.py'} {tmp_path / 'my_keras.py'}"]
    assert (tmp_path / "keras.py").exists(), "check must never change anything"


def test_pythonpath_entry_shadows_keras(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    env = real_env(specs.TF215)
    vendored = tmp_path / "vendor"
    (vendored / "keras").mkdir(parents=True)
    (vendored / "keras" / "__init__.py").write_text("__version__ = '2.3.1'\n")
    result = tfdoctor(
        "check", "--python", str(env), "--format", "json", env={"PYTHONPATH": str(vendored)}
    )
    assert result.codes() == [("TFD401", "shadowed-module")]
    finding = result.json()["findings"][0]
    assert "PYTHONPATH" in finding["title"]
    assert any("keras 2.15.0" in e for e in finding["evidence"])


def test_same_folder_without_shadow_is_clean(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    env = real_env(specs.TF221)
    (tmp_path / "train.py").write_text("import keras\n")
    result = tfdoctor("check", "--python", str(env), "--format", "json", cwd=tmp_path)
    assert result.codes() == []


def _site(env: Path) -> Path:
    return next(env.glob("lib/python3*/site-packages"))


def test_pythonpath_to_another_env_shadows_the_whole_stack(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    # A TF 2.21 env run with PYTHONPATH pointing at a TF 2.15 env: `import tensorflow` silently
    # loads TF 2.15 from there. One finding names both copies; the fix removes the entry.
    env, other = real_env(specs.TF221), real_env(specs.TF215)
    environ = {"PYTHONPATH": str(_site(other))}
    result = tfdoctor("check", "--python", str(env), "--format", "json", env=environ)
    assert result.codes() == [("TFD401", "shadowed-module")]
    finding = result.json()["findings"][0]
    assert "tensorflow-cpu 2.15.1" in finding["title"]
    assert "tensorflow-cpu 2.21.0" in finding["title"]
    assert "PYTHONPATH" in finding["title"]
    evidence = "\n".join(finding["evidence"])
    assert "keras 2.15.0" in evidence and "keras 3.15.1" in evidence
    assert str(_site(other)) in evidence and str(_site(env)) in evidence
    assert "set in the shell" in evidence
    assert finding["fix"] == ["unset PYTHONPATH"]

    plan = tfdoctor("fix", "--dry-run", "--python", str(env), "--format", "json", env=environ)
    steps = plan.json()["plan"]["steps"]
    assert [(s["kind"], s["reasons"]) for s in steps] == [("setenv", ["TFD401"])], steps


def test_pythonpath_folder_with_old_keras_is_not_fixed_by_installing(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    # A folder holding keras 2.15 (as `pip install --target` makes it) on PYTHONPATH, listed
    # after another folder: the env's own keras 3.15.1 is hidden. Installing keras>=3 changes
    # nothing; removing that one entry does.
    from envs import install

    env = real_env(specs.TF221)
    folder = tmp_path / "vendor"
    install(env, ["keras==2.15.0"], "--no-deps", "--target", str(folder))
    unrelated = tmp_path / "mine"
    unrelated.mkdir()
    environ = {"PYTHONPATH": f"{unrelated}:{folder}"}
    result = tfdoctor("check", "--python", str(env), "--format", "json", env=environ)
    assert result.codes() == [("TFD401", "shadowed-module")]
    finding = result.json()["findings"][0]
    assert "keras 2.15.0" in finding["title"] and "keras 3.15.1" in finding["title"]
    assert not any("install" in line for line in finding["fix"]), finding["fix"]
    assert finding["fix"] == [f"export PYTHONPATH={unrelated}"]

    plan = tfdoctor("fix", "--dry-run", "--python", str(env), "--format", "json", env=environ)
    steps = plan.json()["plan"]["steps"]
    assert [s["kind"] for s in steps] == ["setenv"], steps
    assert steps[0]["commands"] == [f"export PYTHONPATH={unrelated}"]


def test_pythonpath_set_by_conda_activate_script_is_named(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    # `conda env config vars set PYTHONPATH=...` writes an activate.d script; the finding says
    # where the entry comes from so that the user removes it there, not only in this shell.
    import subprocess

    env = tmp_path / "env"
    subprocess.run(["cp", "-al", str(real_env(specs.TF221)), str(env)], check=True)
    other = _site(real_env(specs.TF215))
    script = env / "etc" / "conda" / "activate.d" / "env_vars.sh"
    script.parent.mkdir(parents=True)
    script.write_text(f'export PYTHONPATH="{other}"\n', encoding="utf-8")
    result = tfdoctor(
        "check", "--python", str(env), "--format", "json", env={"PYTHONPATH": str(other)}
    )
    assert result.codes() == [("TFD401", "shadowed-module")]
    finding = result.json()["findings"][0]
    assert any(str(script) in e for e in finding["evidence"]), finding["evidence"]
    assert any(str(script) in line for line in finding["fix"]), finding["fix"]


def test_pth_file_that_puts_another_env_first_is_set_aside(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    # A .pth file (as old `setup.py develop` installs wrote them) that inserts another env's
    # site-packages at the front of sys.path: the fix and the plan move that file aside into a
    # backup folder (never delete it, never install).
    import subprocess

    env = tmp_path / "env"
    subprocess.run(["cp", "-al", str(real_env(specs.TF221)), str(env)], check=True)
    other = _site(real_env(specs.TF215))
    pth = _site(env) / "zz_vendor.pth"
    pth.unlink(missing_ok=True)
    pth.write_text(f"import sys; sys.path.insert(0, {str(other)!r})\n", encoding="utf-8")
    result = tfdoctor("check", "--python", str(env), "--format", "json")
    assert result.codes() == [("TFD401", "shadowed-module")]
    finding = result.json()["findings"][0]
    assert finding["remedies"] == [
        {"kind": "backup", "target": str(pth), "value": "~/tfdoctor-backup", "reason": ""}
    ]
    assert finding["fix"] == [f"mkdir -p ~/tfdoctor-backup && mv {pth} ~/tfdoctor-backup/"]

    plan = tfdoctor("fix", "--dry-run", "--python", str(env), "--format", "json")
    steps = plan.json()["plan"]["steps"]
    assert [(s["kind"], s["reasons"]) for s in steps] == [("move", ["TFD401"])], steps
    assert str(pth) in steps[0]["commands"][0]
    assert pth.exists(), "a dry run changes nothing"
