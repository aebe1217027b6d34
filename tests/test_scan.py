"""``tfdoctor scan``: real environments laid out the ways users have them, found and checked."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

import specs
from cli_runner import Runner
from envs import python_of
from json_schemas import assert_valid

pytestmark = pytest.mark.realenv


def _copy(env: Path, to: Path) -> Path:
    to.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["cp", "-al", str(env), str(to)], check=True)  # hardlinks: a real venv, cheap
    return to


@pytest.fixture(scope="module")
def machine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A home folder with a project's .venv, a conda installation with an env inside it, a
    venv in ~/.virtualenvs, a broken venv, and a Jupyter kernel naming an env outside."""
    from envs import build

    root = tmp_path_factory.mktemp("machine")
    _copy(build(specs.TF215_KERAS3), root / "projects" / "vision" / ".venv")
    _copy(build(specs.TF215_CONDA), root / "miniconda3")
    _copy(build(specs.TF221), root / "miniconda3" / "envs" / "tf221")
    _copy(build(specs.TF221_KERAS2), root / ".virtualenvs" / "old-keras")
    broken = _copy(build(specs.KERAS_ONLY), root / ".virtualenvs" / "broken")
    (broken / "bin" / "python").unlink()
    (broken / "bin" / "python").symlink_to("/nonexistent/python3.11")
    kernel_env = build(specs.TF221_TFKERAS220)
    kernels = root / ".local" / "share" / "jupyter" / "kernels" / "tf-legacy"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(
        json.dumps({"argv": [python_of(kernel_env), "-m", "ipykernel_launcher", "-f", "{c}"]})
    )
    (root / "projects" / "vision" / "node_modules").mkdir()
    return root, kernel_env


def test_scan_finds_every_kind_and_writes_json_lines(
    tfdoctor: Runner, machine: tuple[Path, Path]
) -> None:
    root, kernel_env = machine
    result = tfdoctor("scan", str(root), "--format", "jsonl", "--jobs", "3")
    assert result.returncode == 1, result.stderr
    rows = {json.loads(line)["env"]: json.loads(line) for line in result.stdout.splitlines()}
    expected = {
        str(root / "projects" / "vision" / ".venv"): ("venv", "TFD101"),
        str(root / "miniconda3"): ("conda", "TFD310"),
        str(root / "miniconda3" / "envs" / "tf221"): ("venv", None),
        str(root / ".virtualenvs" / "old-keras"): ("venv", "TFD101"),
        str(kernel_env): ("kernel", "TFD102"),
    }
    for row in rows.values():
        assert_valid(row)  # docs/schema/scan.json, the examined rows and the broken one
    for env, (kind, code) in expected.items():
        row = rows[env]
        assert row["schema"] == "tfdoctor/1" and row["command"] == "scan"
        assert row["kind"] == kind, row
        assert (row["worst"] or {}).get("code") == code, row
    assert rows[str(kernel_env)]["kernels"] == ["tf-legacy"]
    assert rows[str(root / ".virtualenvs" / "old-keras")]["keras"] == {
        "distribution": "keras",
        "version": "2.15.0",
    }
    broken = rows[str(root / ".virtualenvs" / "broken")]
    assert broken["python"] is None and "is broken" in broken["error"]
    assert len(rows) == 6


def test_scan_table_on_a_terminal_has_a_progress_bar(machine: tuple[Path, Path]) -> None:
    root, _ = machine
    main, secondary = pty.openpty()
    proc = subprocess.run(
        [sys.executable, "-m", "tfdoctor", "scan", str(root / ".virtualenvs")],
        stdout=subprocess.PIPE,
        stderr=secondary,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    os.close(secondary)
    progress = b""
    try:
        while chunk := os.read(main, 65536):
            progress += chunk
    except OSError:
        pass
    os.close(main)
    assert b"checking environments" in progress
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["env", "Python", "TensorFlow", "Keras", "worst", "finding"]
    old = next(line for line in lines if "old-keras" in line)
    assert "2.21.0 (tensorflow-cpu)" in old and "TFD101 keras 2.15.0 does not match" in old
    assert "cannot be examined" in next(line for line in lines if "broken" in line)
    assert lines[-1].startswith("2 environments: 1 with errors, 1 could not be examined.")


def test_scan_rejects_a_missing_root(tfdoctor: Runner, tmp_path: Path) -> None:
    result = tfdoctor("scan", str(tmp_path / "nowhere"))
    assert result.returncode == 2 and "no such folder" in result.stderr
    assert result.stdout == ""


def test_one_environment_is_counted_in_the_singular(tfdoctor: Runner, tmp_path: Path) -> None:
    """The table's last line once said "1 environments"."""
    from envs import interpreter

    env = tmp_path / "only"
    subprocess.run([interpreter("3.12"), "-m", "venv", "--without-pip", str(env)], check=True)
    result = tfdoctor("scan", str(tmp_path))
    assert result.stdout.splitlines()[-1].startswith("1 environment: "), result.stdout
