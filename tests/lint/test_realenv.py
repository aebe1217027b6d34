"""Against real TensorFlow 2.21 / Keras 3.15 / tf-keras 2.21 installed from the registry."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lint_helpers import run_json
from lintenv import env_python, site_packages
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from envs import build, python_of
from specs import TF215, TF215_KERAS3
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
            # tf.keras of TF 2.21 is Keras 3's keras._tf_keras, which keeps some Keras 2 names
            for impl, root, version in (
                ("keras", "keras", "3.15"),
                ("tf_keras", "tf_keras", "2.21"),
                ("tf.keras", "tensorflow.keras", "3.15"),
            ):
                if not change.applies_to(impl):
                    continue  # the entry says nothing about it (tf.keras never had keras.src.*)
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
    # a name can have several entries, each for its own releases (keras 2.6-2.12, derived from
    # the probes, and Keras 3, curated): it breaks where any of them, or one of a module above
    # it (lint reads the longest prefix that is active), says so
    says: dict[str, bool] = {}  # broken name -> whether it still imports (fails when used)
    for change, name, broken in plan:
        if broken:
            says[name] = says.get(name, True) and change.still_importable

    def covering(name: str) -> list[bool]:
        parts = name.split(".")
        prefixes = (".".join(parts[:end]) for end in range(2, len(parts) + 1))
        return [says[prefix] for prefix in prefixes if prefix in says]

    wrong = [
        (name, bool(covering(name)))
        for _, name, _ in plan
        if resolves[name] == bool(covering(name)) and not (covering(name) and all(covering(name)))
    ]
    assert wrong == []
    # renames point at names that exist in Keras 3 / TF 2.21
    renames = [
        in_implementation(c.replacement, "keras")
        for c in load_api_data().changes
        if c.kind == "name"
        and c.renamable
        and c.package == "keras"
        and Version("3.15") in SpecifierSet(c.breaks)
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
        "kind": "code",
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


def _run_in(python: Path, code: str, **environ: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a real environment (TensorFlow's start-up noise silenced)."""
    env = {"PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "3", **environ}
    return subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True, env=env, timeout=300
    )


def _lint_json(python: Path, path: Path, **environ: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
    env.update(environ)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "tfdoctor",
            "lint",
            "--python",
            str(python),
            "--format",
            "json",
            str(path),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert out.returncode in (0, 1), out.stderr
    data: dict[str, Any] = json.loads(out.stdout)
    return data


def test_image_data_generator_of_tf_keras_works_on_tf221(python: Path, tmp_path: Path) -> None:
    code = (
        "import numpy as np\n"
        "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
        "flow = ImageDataGenerator(rescale=1 / 255).flow(np.zeros((2, 4, 4, 3)), batch_size=2)\n"
        "print(next(flow).shape)\n"
    )
    ran = _run_in(python, code)
    assert ran.returncode == 0 and ran.stdout.strip() == "(2, 4, 4, 3)", ran.stderr
    (tmp_path / "aug.py").write_text(code)
    assert _lint_json(python, tmp_path / "aug.py")["findings"] == []
    keras3 = "from keras.preprocessing.image import ImageDataGenerator\n"
    assert "cannot import name 'ImageDataGenerator'" in _run_in(python, keras3).stderr
    (tmp_path / "k3.py").write_text(keras3)
    assert [f["code"] for f in _lint_json(python, tmp_path / "k3.py")["findings"]] == ["TFD710"]


def test_labels_from_to_categorical_are_not_keras_objects(python: Path, tmp_path: Path) -> None:
    """With TF_USE_LEGACY_KERAS=1 tf.keras is tf-keras (Keras 2), keras is Keras 3: a keras model
    trains on labels made by tf.keras.utils.to_categorical (a NumPy array)."""
    code = (
        "import numpy as np\n"
        "import keras\n"
        "import tensorflow as tf\n"
        "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])\n"
        "model.compile(optimizer='sgd', loss='categorical_crossentropy')\n"
        "y = tf.keras.utils.to_categorical([0, 1, 2, 1], 3)\n"
        "history = model.fit(np.zeros((4, 4)), y, epochs=1, verbose=0)\n"
        "print(type(y).__name__, tf.keras.__name__, len(history.history['loss']))\n"
    )
    ran = _run_in(python, code, TF_USE_LEGACY_KERAS="1")
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split() == ["ndarray", "tf_keras.api._v2.keras", "1"]
    (tmp_path / "fit.py").write_text(code)
    data = _lint_json(python, tmp_path / "fit.py", TF_USE_LEGACY_KERAS="1")
    assert data["target"]["legacy_keras"] is True
    assert [f["code"] for f in data["findings"]] == ["TFD701"]  # two Keras in one file, no TFD703


def test_lr_is_ignored_by_keras2_and_tf_keras(python: Path, tmp_path: Path) -> None:
    keras215 = python_of(build(TF215))
    code = (
        "import tensorflow as tf\n"
        "opt = tf.keras.optimizers.Adam(lr=0.1)\n"
        "print(round(float(opt.learning_rate.numpy()), 4))\n"
    )
    (tmp_path / "opt.py").write_text(code)
    for interpreter, environ in ((Path(keras215), {}), (python, {"TF_USE_LEGACY_KERAS": "1"})):
        ran = _run_in(interpreter, code, **environ)
        assert ran.returncode == 0 and ran.stdout.strip() == "0.001", ran.stderr
        assert "`lr` is deprecated" in ran.stderr
        (finding,) = _lint_json(interpreter, tmp_path / "opt.py", **environ)["findings"]
        assert finding["code"] == "TFD713" and finding["severity"] == "warning"
        assert "accepted with a deprecation warning and silently ignored" in finding["title"]
    # Keras 3 refuses it
    ran = _run_in(python, code)
    assert "Argument(s) not recognized: {'lr': 0.1}" in ran.stderr
    (finding,) = _lint_json(python, tmp_path / "opt.py")["findings"]
    assert finding["severity"] == "error" and "is not accepted by" in finding["title"]


def test_tf_keras_version_attribute(python: Path, tmp_path: Path) -> None:
    keras215 = Path(python_of(build(TF215)))
    (tmp_path / "v.py").write_text("import tensorflow as tf\nprint(tf.keras.__version__)\n")
    cases = (
        (keras215, {}, "keras.__version__", "import keras; print(keras.__version__)", "2.15.0"),
        (
            python,
            {"TF_USE_LEGACY_KERAS": "1"},
            "tf_keras.__version__",
            "import tf_keras; print(tf_keras.__version__)",
            "2.21.0",
        ),
    )
    for interpreter, environ, portable, check, version in cases:
        ran = _run_in(interpreter, (tmp_path / "v.py").read_text(), **environ)
        assert "has no attribute '__version__'" in ran.stderr
        (finding,) = _lint_json(interpreter, tmp_path / "v.py", **environ)["findings"]
        assert finding["code"] == "TFD710" and finding["title"].endswith(f"use {portable}")
        assert _run_in(interpreter, check, **environ).stdout.strip() == version
    # Keras 3's tf.keras has it: nothing to say
    assert _run_in(python, (tmp_path / "v.py").read_text()).stdout.strip() == "3.15.1"
    assert _lint_json(python, tmp_path / "v.py")["findings"] == []


def test_legacy_switch_is_read_as_tensorflow_reads_it(python: Path, tmp_path: Path) -> None:
    code = "import tensorflow as tf; print(tf.keras.__name__)"
    assert (
        _run_in(python, code, TF_USE_LEGACY_KERAS="yes").stdout.strip() == "keras._tf_keras.keras"
    )
    assert (
        _run_in(python, code, TF_USE_LEGACY_KERAS="True").stdout.strip() == "tf_keras.api._v2.keras"
    )
    (tmp_path / "a.py").write_text("import keras\n")
    assert (
        _lint_json(python, tmp_path / "a.py", TF_USE_LEGACY_KERAS="yes")["target"]["legacy_keras"]
        is False
    )
    assert (
        _lint_json(python, tmp_path / "a.py", TF_USE_LEGACY_KERAS="True")["target"]["legacy_keras"]
        is True
    )


def test_tf_keras_of_tf215_with_keras3_is_keras3(tmp_path: Path) -> None:
    """TensorFlow 2.15 with keras 3 installed in place of keras 2.15: tf.keras is Keras 3 itself
    (keras._tf_keras.keras). lint took it for Keras 2.15: a tf.keras layer passed to keras was a
    TFD703 error although it runs, Adam(lr=) was 'silently ignored' although Keras 3 raises, and
    .fit_generator() of a tf.keras model was not reported although it is gone."""
    python = Path(python_of(build(TF215_KERAS3)))
    code = (
        "import keras\n"
        "import tensorflow as tf\n"
        "inputs = tf.keras.Input((4,))\n"
        "model = keras.Model(inputs, keras.layers.Dense(1)(inputs))\n"
        "tf_model = tf.keras.Sequential([tf.keras.layers.Dense(1)])\n"
        "print(type(tf.keras.layers.Dense(1)).__module__, hasattr(tf_model, 'fit_generator'))\n"
        "tf.keras.optimizers.Adam(lr=0.1)\n"
    )
    ran = _run_in(python, code)
    assert ran.stdout.split() == ["keras.src.layers.core.dense", "False"], ran.stderr
    assert "Argument(s) not recognized: {'lr': 0.1}" in ran.stderr
    (tmp_path / "m.py").write_text(
        code.replace("print(", "tf_model.fit_generator(iter([]))\nprint(")
    )
    found = {
        (f["code"], f["location"]["line"]): f
        for f in _lint_json(python, tmp_path / "m.py")["findings"]
    }
    assert found[("TFD703", 4)]["severity"] == "warning"  # the same Keras: it runs
    gone = found[("TFD712", 6)]
    assert gone["severity"] == "error" and "Keras 3.15.1 models (tf.keras)" in gone["title"]
    lr = found[("TFD713", 8)]
    assert lr["severity"] == "error" and "is not accepted by tf.keras (Keras 3.15.1)" in lr["title"]
