"""lint says exactly what is wrong (issue 10): only Keras objects mix, ignored keywords are said
to be ignored, tf.keras.__version__, --fix shows a diff, --diff only shows it, notebooks."""

from __future__ import annotations

import json
from pathlib import Path

from lint_helpers import Lint, Write, codes, run_cli

from tfdoctor.finding import Severity


def test_numpy_arrays_from_keras_utils_do_not_mix(write: Write, lint: Lint) -> None:
    path = write(
        "train.py",
        """
        import keras
        import tensorflow as tf

        model = keras.Sequential([keras.layers.Dense(3)])
        y = tf.keras.utils.to_categorical([0, 1, 2])
        x = tf.keras.datasets.mnist.load_data()
        model.fit(x, y)
        model.fit(x, tf.keras.utils.to_categorical([0, 1]))
        preds = model.predict(x)
        keras.Sequential([keras.layers.Dense(1)]).fit(x, preds)
        model.fit(x, tf.keras.layers.Dense(1)(x))
    """,
    )
    # TF 2.14: tf.keras is Keras 2, keras is Keras 3; only the tf.keras tensor (line 11) mixes
    found = codes(lint(path, tensorflow="2.14", keras="3").findings)
    assert [c for c in found if c[0] == "TFD703"] == [("TFD703", 11)]


def test_ignored_keyword_is_said_to_be_ignored(write: Write, lint: Lint) -> None:
    path = write(
        "opt.py",
        """
        import tensorflow as tf
        opt = tf.keras.optimizers.Adam(lr=0.1)
    """,
    )
    (keras2,) = lint(path, tensorflow="2.15", keras=None).findings
    assert keras2.code == "TFD713" and keras2.severity is Severity.WARNING
    assert keras2.title == (
        "tf.keras.optimizers.Adam(lr=...) is accepted with a deprecation warning and silently "
        "ignored by tf.keras (Keras 2.15); use learning_rate="
    )
    assert "the learning rate stays at the default (0.001 for Adam)" in keras2.why
    (keras3,) = lint(path, tensorflow="2.16").findings
    assert keras3.severity is Severity.ERROR
    assert keras3.title.startswith("tf.keras.optimizers.Adam(lr=...) is not accepted by tf.keras")
    assert "Argument(s) not recognized" in keras3.why


def test_tf_keras_version_attribute(write: Write, lint: Lint) -> None:
    path = write("v.py", "import tensorflow as tf\nprint(tf.keras.__version__)\n")
    (old,) = lint(path, tensorflow="2.15", keras=None).findings
    assert old.title == (
        "`tf.keras.__version__`: tf.keras.__version__ does not exist in tf.keras (Keras 2.15); "
        "use keras.__version__"
    )
    # matrix cells: tf.keras of TF 2.13.1 has no __version__ either; 2.12 has it
    assert codes(lint(path, tensorflow="2.13").findings) == [("TFD710", 2)]
    assert codes(lint(path, tensorflow="2.12").findings) == []
    assert codes(lint(path, tensorflow="2.21").findings) == []  # Keras 3's tf.keras has it
    keras_itself = write("k.py", "import keras\nprint(keras.__version__)\n")
    assert codes(lint(keras_itself, tensorflow="2.15").findings) == []


def test_tf_keras_version_under_legacy_keras(write: Write, lint: Lint, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = write("v.py", "import tensorflow as tf\nprint(tf.keras.__version__)\n")
    monkeypatch.setenv("TF_USE_LEGACY_KERAS", "1")
    (finding,) = lint(path, tensorflow="2.21").findings
    assert finding.title.endswith(
        "does not exist in tf.keras (Keras 2.21); use tf_keras.__version__"
    )
    # TensorFlow reads only 1, true and True
    monkeypatch.setenv("TF_USE_LEGACY_KERAS", "yes")
    assert codes(lint(path, tensorflow="2.21").findings) == []


def test_fix_prints_a_diff_and_diff_only_shows_it(write: Write, tmp_path: Path) -> None:
    path = write("a.py", "import tensorflow as tf\nsess = tf.Session()\n")
    expected_diff = (
        "--- a/a.py\n+++ b/a.py\n@@ -1,2 +1,2 @@\n import tensorflow as tf\n"
        "-sess = tf.Session()\n+sess = tf.compat.v1.Session()\n"
    )
    shown = run_cli("lint", "--diff", "--tensorflow", "2.16", "a.py", cwd=tmp_path)
    assert shown.stdout == expected_diff
    assert shown.returncode == 1
    assert "Would apply 1 fix to 1 file (tfdoctor lint --fix writes them)." in shown.stderr
    assert path.read_text() == "import tensorflow as tf\nsess = tf.Session()\n"
    fixed = run_cli("lint", "--fix", "--tensorflow", "2.16", "a.py", cwd=tmp_path)
    assert fixed.stdout.startswith(expected_diff)
    assert "in 1 file after 1 fix in 1 file. Target:" in fixed.stdout and fixed.returncode == 0
    again = run_cli("lint", "--diff", "--tensorflow", "2.16", "a.py", cwd=tmp_path)
    assert again.stdout == "" and again.returncode == 0
    usage = run_cli("lint", "--diff", "--format", "json", "a.py", cwd=tmp_path)
    assert usage.returncode == 2 and "--diff" in usage.stderr


def _notebook(cells: list[dict[str, object]]) -> str:
    notebook = {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def test_notebook_fix_rewrites_code_cells_only(tmp_path: Path) -> None:
    output = {"output_type": "stream", "name": "stdout", "text": ["tf.Session é\n"]}
    cells: list[dict[str, object]] = [
        {"cell_type": "markdown", "metadata": {}, "source": ["Use `tf.Session()`\n"]},
        {
            "cell_type": "code",
            "execution_count": 3,
            "id": "c1",
            "metadata": {"tags": ["setup"]},
            "outputs": [output],
            "source": [
                "%matplotlib inline\n",
                "import tensorflow as tf\n",
                "!ls\n",
                "s = tf.Session()",
            ],
        },
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "c2",
            "metadata": {},
            "outputs": [],
            "source": "opt = tf.keras.optimizers.Adam(lr=1)\n",
        },
    ]
    path = tmp_path / "nb.ipynb"
    path.write_text(_notebook(cells), encoding="utf-8")
    out = run_cli("lint", "--fix", "--tensorflow", "2.16", "nb.ipynb", cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "-s = tf.Session()\n+s = tf.compat.v1.Session()\n" in out.stdout
    cells[1]["source"] = [
        "%matplotlib inline\n",
        "import tensorflow as tf\n",
        "!ls\n",
        "s = tf.compat.v1.Session()",
    ]
    cells[2]["source"] = "opt = tf.keras.optimizers.Adam(learning_rate=1)\n"
    assert path.read_text(encoding="utf-8") == _notebook(cells)


def test_notebook_whose_layout_cannot_be_kept_is_not_rewritten(tmp_path: Path) -> None:
    cell = {
        "cell_type": "code",
        "metadata": {},
        "outputs": [],
        "source": ["import tensorflow as tf\n", "s = tf.Session()"],
    }
    text = json.dumps(
        {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, separators=(",", ":")
    )
    path = tmp_path / "nb.ipynb"
    path.write_text(text, encoding="utf-8")
    out = run_cli("lint", "--fix", "--tensorflow", "2.16", "nb.ipynb", cwd=tmp_path)
    assert path.read_text(encoding="utf-8") == text
    assert (
        "nb.ipynb: not fixed, notebook not rewritten: its JSON layout cannot be kept" in out.stdout
    )
    assert out.returncode == 1
