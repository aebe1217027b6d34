"""Against real TensorFlow 2.21 / Keras 3.15 / tf-keras 2.21 installed from the registry."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from lint_helpers import run_json
from lintenv import env_python, site_packages
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from tfdoctor.lint import lint_paths, resolve_target
from tfdoctor.lint.api_changes import load_api_data
from tfdoctor.lint.knowledge import in_implementation
from tfdoctor.lint.rules import LINT_CODES
from tfdoctor.lint.runner import LintOptions, lint_file
from tfdoctor.lint.sources import discover

pytestmark = pytest.mark.realenv
HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def python() -> Path:
    return env_python()


def test_data_matches_the_real_libraries(python: Path) -> None:
    """Each name is missing (or raises) where the data says it breaks, present where not."""
    plan = []
    for change in load_api_data().changes:
        if change.kind != "name":
            continue
        spec = SpecifierSet(change.breaks)
        if change.package == "keras":
            for root, version in (("keras", "3.15"), ("tf_keras", "2.21")):
                name = root + change.old[len("keras") :]
                plan.append((change, name, Version(version) in spec))
        else:
            plan.append((change, change.old, Version("2.21") in spec))
    out = subprocess.run(
        [str(python), str(HERE / "resolve_names.py")],
        input=json.dumps({"names": [name for _, name, _ in plan]}),
        capture_output=True,
        text=True,
        check=True,
        env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"},
    )
    resolves = json.loads(out.stdout.strip().splitlines()[-1])
    wrong = [
        (name, broken)
        for change, name, broken in plan
        if resolves[name] == broken and not (broken and change.still_importable)
    ]
    assert wrong == []
    # renames point at names that exist in Keras 3 / TF 2.21
    renames = [
        in_implementation(c.replacement, "keras")
        for c in load_api_data().changes
        if c.kind == "name" and c.renamable and "3" in c.breaks
    ]
    out = subprocess.run(
        [str(python), str(HERE / "resolve_names.py")],
        input=json.dumps({"names": renames}),
        capture_output=True,
        text=True,
        check=True,
        env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"},
    )
    assert [n for n, ok in json.loads(out.stdout.strip().splitlines()[-1]).items() if not ok] == []


def test_python_flag_reads_installed_versions(python: Path, tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("import tensorflow as tf\nest = tf.estimator.Estimator\n")
    data = run_json("lint", "--python", str(python), str(tmp_path))
    assert data["target"] == {
        "tensorflow": "2.21.0",
        "keras": "3.15.1",
        "tf_keras": "2.21.0",
        "legacy_keras": False,
        "origin": f"installed in {python}",
        "assumed": False,
    }
    assert [f["code"] for f in data["findings"]] == ["TFD710"]


def test_prefilter_hides_nothing_on_real_sources(python: Path) -> None:
    """Every 7th file of TF/Keras/tf-keras: pre-filter + ast == ast on every file."""
    root = site_packages(python)
    files = discover([str(root / d) for d in ("tensorflow", "keras", "tf_keras")])[::7]
    options = LintOptions(resolve_target(None, "3", None), LINT_CODES)
    for path in files:
        fast = lint_file(path, options)
        full = lint_file(path, options, force=True)
        assert fast.findings == full.findings, path
        assert set(fast.implementations) == set(full.implementations), path


def test_whole_packages_in_parallel(python: Path) -> None:
    root = site_packages(python)
    paths = [str(root / d) for d in ("tensorflow", "keras", "tf_keras")]
    target = resolve_target(None, "3", None)
    parallel = lint_paths(paths, target, jobs=2)
    serial = lint_paths(paths, target, jobs=1)
    assert parallel.files > 3000 and parallel.errors == []
    assert parallel.findings == serial.findings
    # Keras 3's own sources re-export the legacy optimizer stubs
    assert any(f.code == "TFD710" and "optimizers.legacy" in f.title for f in parallel.findings)
