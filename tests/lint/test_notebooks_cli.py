"""Notebooks, output formats, exit status, pyproject settings and usage errors, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lint_helpers import Lint, Write, codes, run_cli, run_json

from tfdoctor.lint.rules import LINT_RULES


def _notebook(cells: list[tuple[str, str]]) -> str:
    return json.dumps(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {},
            "cells": [
                {
                    "cell_type": kind,
                    "metadata": {},
                    "source": source.splitlines(True),
                    **({"outputs": [], "execution_count": None} if kind == "code" else {}),
                }
                for kind, source in cells
            ],
        },
        indent=1,
    )


def test_notebook_cells_magics_and_cell_numbers(write: Write, lint: Lint) -> None:
    path = write(
        "train.ipynb",
        _notebook(
            [
                ("markdown", "# from keras.utils import np_utils is old\n"),
                (
                    "code",
                    "!pip install tensorflow\n%matplotlib inline\n"
                    "import keras\nimport tensorflow as tf",
                ),
                ("code", "x = 1\nmodel = keras.Sequential([tf.keras.layers.Dense(2)])"),
                ("code", "model.fit_generator(gen)\nhelp?"),
                ("code", "for i in range(3):\n    print(i))"),  # a cell that does not parse
                ("code", "model.save('saved_model_dir')"),
                ("code", "%%bash\npip install 'keras<3'"),  # a cell magic: not Python, not said
            ]
        ),
    )
    result = lint(path)
    # the cell that does not parse is named: nothing in it was checked
    assert result.errors == [
        (
            str(path),
            "cell 5 not linted: cannot parse (line 2: unmatched ')'); the other cells were linted",
        )
    ]
    found = [
        (f.code, dict(f.data).get("cell"), f.location.line) for f in result.findings if f.location
    ]
    assert found == [("TFD701", "3", 2), ("TFD703", "3", 2), ("TFD712", "4", 1), ("TFD711", "6", 1)]
    text = run_cli("lint", "--keras", "3", str(path))
    assert f"{path}:cell 3:2:27: warning: TFD703 " in text.stdout
    # the lines the message names are the notebook's too, not those of the joined cells
    mixed = next(f for f in result.findings if f.code == "TFD701")
    assert "keras (cell 2, line 3), tf.keras (cell 3, line 2)" in mixed.title


def test_python_2_cells_are_named_as_not_linted(write: Write, tmp_path: Path) -> None:
    """A Python 2 notebook (print statements) used to pass as clean: its cells were dropped."""
    path = write(
        "py2.ipynb",
        _notebook(
            [
                ("code", "import keras\nprint 'start'"),
                ("code", "from keras.layers import Merge"),
                ("code", "print model.summary()"),
            ]
        ),
    )
    out = run_cli("lint", "--keras", "3", str(path))
    assert out.returncode == 1
    assert f"{path}:cell 2:1:1: error: TFD710 " in out.stdout
    # the wording of Python's message varies between versions
    assert (
        f"{path}: skipped, cells 1, 3 not linted: cannot parse (cell 1, line 2: Missing "
        "parentheses in call to 'print'"
    ) in out.stdout
    assert "); the other cells were linted\n" in out.stdout
    data = run_json("lint", "--keras", "3", str(path))
    assert [s["path"] for s in data["skipped"]] == [str(path)]


def test_ipython_assignments_and_help_do_not_hide_a_cell(write: Write, lint: Lint) -> None:
    """`files = !ls`, `t = %timeit -o f()` and `model.summary??` are IPython, not Python: the
    cell's other lines are still linted (the cell was dropped as unparsable)."""
    path = write(
        "ipython.ipynb",
        _notebook(
            [
                ("code", "import tensorflow as tf\nfiles = !ls\nsess = tf.Session()"),
                ("code", "import keras\nmodel = keras.Sequential()\nmodel.summary??"),
                ("code", "t = %timeit -o model.fit_generator(g)\nmodel.fit_generator(g)"),
                ("code", "a, b = !echo 1 2\nx = y % 2\nok = x != y"),
            ]
        ),
    )
    result = lint(path)
    assert result.errors == []
    found = [
        (f.code, dict(f.data).get("cell"), f.location.line) for f in result.findings if f.location
    ]
    assert ("TFD710", "1", 3) in found
    assert ("TFD712", "3", 2) in found


def test_text_format_and_exit_status(write: Write, tmp_path: Path) -> None:
    write("bad.py", "import tensorflow as tf\nsess = tf.Session()\n")
    write("good.py", "import keras\nkeras.layers.Dense(1)\n")
    write(
        "same.py",
        "import keras\nimport tensorflow as tf\nx = [keras.layers.Dense(1), tf.keras.layers.Dense(1)]\n",
    )
    out = run_cli("lint", "--tensorflow", "2.15", ".", cwd=tmp_path)
    assert out.returncode == 1
    lines = out.stdout.splitlines()
    # the severity is shown as gcc, mypy and editors' problem matchers read it
    assert lines[0] == (
        "bad.py:2:8: error: TFD710 `tf.Session`: tf.Session does not exist in "
        "TensorFlow 2.15; use tf.compat.v1.Session"
    )
    assert lines[1].startswith("same.py:3:29: warning: TFD701 this file uses 2 Keras")
    assert lines[-1].startswith(
        "Found 2 findings (1 error, 1 warning) in 3 files. Target: TensorFlow 2.15, Keras 2.15"
    )
    clean = run_cli("lint", "--keras", "3", "good.py", cwd=tmp_path)
    assert clean.returncode == 0, clean.stdout


def test_assumes_newest_and_says_so(write: Write, tmp_path: Path) -> None:
    write("a.py", "import keras\n")
    data = run_json("lint", str(tmp_path))
    # this test interpreter has no TensorFlow/Keras: newest assumed, reported
    assert data["target"]["assumed"] is True
    assert data["target"]["origin"].startswith("no TensorFlow installed in ")
    assert "; assuming TensorFlow 2." in data["target"]["origin"]
    assert data["target"]["keras"].startswith("3.")


def test_json_format(write: Write, tmp_path: Path) -> None:
    write("a.py", "from keras.utils import np_utils\n")
    data = run_json("lint", "--keras", "3", str(tmp_path))
    assert data["schema"] == "tfdoctor/1" and data["command"] == "lint"
    assert data["tool"]["name"] == "tfdoctor"
    assert data["summary"] == {"errors": 1, "warnings": 0, "infos": 0}
    assert data["files"] == 1 and data["parsed"] == 1
    (finding,) = data["findings"]
    assert finding["code"] == "TFD710" and finding["cause"] == "removed-api"
    assert finding["location"]["line"] == 1 and finding["location"]["column"] == 1
    assert finding["group"] == "code"
    assert dict(finding["data"])["replacement"] == "keras.utils"


def test_sarif_format(write: Write, tmp_path: Path) -> None:
    write("sub/a.py", "import keras\nm = keras.Sequential()\nm.save('folder')\n")
    out = run_cli("lint", "--keras", "3", "--format", "sarif", "sub", cwd=tmp_path)
    assert out.returncode == 1
    log = json.loads(out.stdout)
    assert log["version"] == "2.1.0" and "sarif-2.1.0" in log["$schema"]
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "tfdoctor"
    assert [r["id"] for r in driver["rules"]] == [r.code for r in LINT_RULES]
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
        assert "## How to fix" in rule["help"]["markdown"]
    (result,) = run["results"]
    assert result["ruleId"] == "TFD711" and result["level"] == "error"
    assert driver["rules"][result["ruleIndex"]]["id"] == "TFD711"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "sub/a.py"
    assert location["region"]["startLine"] == 3 and location["region"]["startColumn"] == 8


def test_pyproject_selects_rules_and_paths(write: Write, tmp_path: Path) -> None:
    write(
        "pyproject.toml",
        """
        [tool.tfdoctor]
        select = ["TFD71"]
        paths = ["src"]
        exclude = ["src/generated/*"]
    """,
    )
    write(
        "src/a.py",
        "import keras\nimport tensorflow as tf\n"
        "keras.Sequential([tf.keras.layers.Dense(1)])\n"
        "from keras.utils import np_utils\n",
    )
    write("src/generated/b.py", "from keras.utils import np_utils\n")
    write("other/c.py", "from keras.utils import np_utils\n")
    data = run_json("lint", "--keras", "3", cwd=tmp_path)
    assert [(f["code"], Path(f["location"]["path"]).name) for f in data["findings"]] == [
        ("TFD710", "a.py")
    ]
    # the command line wins over the file
    data = run_json("lint", "--keras", "3", "--select", "TFD7", "src/a.py", cwd=tmp_path)
    assert sorted(f["code"] for f in data["findings"]) == ["TFD701", "TFD703", "TFD710"]


@pytest.mark.parametrize("key", ["select", "ignore"])
def test_a_code_typo_in_pyproject_is_a_usage_error(write: Write, tmp_path: Path, key: str) -> None:
    """As --select XYZ is: a prefix no rule has would silently filter out every finding."""
    write("pyproject.toml", f'[tool.tfdoctor]\n{key} = ["TFD7", "TDF710"]\n')
    write("a.py", "from keras.utils import np_utils\n")
    out = run_cli("lint", "--keras", "3", ".", cwd=tmp_path)
    assert out.returncode == 2
    assert out.stderr == (
        f"tfdoctor: {tmp_path.resolve() / 'pyproject.toml'}: [tool.tfdoctor] {key} TDF710: no "
        "lint rule's code starts with it; `tfdoctor rules` lists them (lint rules are TFD7xx)\n"
    )
    # the command line's own list replaces the file's
    assert run_cli("lint", "--keras", "3", f"--{key}", "TFD71", ".", cwd=tmp_path).returncode in (
        0,
        1,
    )


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    out = run_cli("lint", "--keras", "banana", str(tmp_path))
    assert out.returncode == 2 and out.stderr.startswith("tfdoctor: --keras expects")
    out = run_cli("lint", "--keras", "3", "--select", "", str(tmp_path))
    assert out.returncode == 2
    assert out.stderr == (
        "tfdoctor: --select needs code prefixes, e.g. --select TFD71 (empty, it selects none)\n"
    )
    out = run_cli("lint", str(tmp_path / "missing"))
    assert out.returncode == 2 and "no such file or folder" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize("value", ["3", "3.0", "1.15", "2.x"])
def test_tensorflow_flag_takes_tensorflow_2_only(value: str) -> None:
    """There is no TensorFlow 3 to lint for, and TensorFlow 1 is not known: one line, exit 2."""
    out = run_cli("lint", "--tensorflow", value, ".")
    assert out.returncode == 2, out.stdout
    assert out.stderr == (
        f"tfdoctor: --tensorflow expects a TensorFlow 2 version like 2.15 or 2, not {value!r}"
        " (lint knows the Keras APIs of TensorFlow 2.0 and newer)\n"
    )


@pytest.mark.parametrize(
    ("flags", "tensorflow", "keras"),
    [
        (("--tensorflow", "2"), "2.21", "3."),  # any TensorFlow 2: the newest, as --keras 3
        (("--tensorflow", "2", "--keras", "2"), "2.15", "2.15"),
        (("--tensorflow", "2", "--keras", "2.12"), "2.12", "2.12"),
        (("--tensorflow", "2.0"), "2.0", "2.0"),
    ],
)
def test_a_bare_tensorflow_2_is_not_2_0(
    flags: tuple[str, ...], tensorflow: str, keras: str
) -> None:
    from tfdoctor.lint import resolve_target
    from tfdoctor.lint.target import _newest_tensorflow

    args = dict(zip(flags[::2], flags[1::2]))
    target = resolve_target(None, args.get("--keras"), args.get("--tensorflow"))
    if tensorflow == "2.21":
        tensorflow = str(_newest_tensorflow())
    assert target.tensorflow == tensorflow
    assert target.keras.startswith(keras)


RESCALING = """
    import tensorflow as tf

    rescale = tf.keras.layers.experimental.preprocessing.Rescaling(1 / 255)
"""


def test_python_flag_reads_other_interpreter(write: Write, tmp_path: Path) -> None:
    import subprocess
    import sys

    env = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    write("a.py", "import keras\n")
    data = run_json("lint", "--python", str(env / "bin" / "python"), str(tmp_path / "a.py"))
    python = env / "bin" / "python"
    minor = f"{sys.version_info.major}.{sys.version_info.minor}"
    origin = data["target"]["origin"]
    assert origin.startswith(f"no TensorFlow installed in {python}; assuming TensorFlow 2.")
    assert origin.endswith(f", the newest for Python {minor}")


@pytest.mark.realenv
def test_keras_2_without_tensorflow_says_the_tensorflow_is_assumed(
    write: Write, tmp_path: Path
) -> None:
    """Keras 2.15 alone: the code is checked against TensorFlow 2.15, the one of its minor, and
    the target says that TensorFlow was assumed, as it does for Keras 3 (it said "installed")."""
    from envs import build, python_of
    from specs import KERAS2_ONLY

    python = python_of(build(KERAS2_ONLY))
    write("a.py", RESCALING)
    target = run_json("lint", "--python", python, str(tmp_path / "a.py"))["target"]
    assert (target["tensorflow"], target["keras"]) == ("2.15", "2.15.0")
    assert target["origin"] == (
        f"no TensorFlow installed in {python}; assuming TensorFlow 2.15, the one keras 2.15.0 "
        "goes with"
    )


@pytest.mark.realenv
def test_tf_keras_without_tensorflow_assumes_the_tensorflow_of_its_minor(
    write: Write, tmp_path: Path
) -> None:
    """tf-keras 2.15 alone: the TensorFlow it pins (2.15), not the newest TensorFlow beside a
    tf-keras two years older (an inconsistent pair)."""
    from envs import build, python_of
    from specs import TFKERAS_ONLY

    python = python_of(build(TFKERAS_ONLY))
    write("a.py", RESCALING)
    target = run_json("lint", "--python", python, str(tmp_path / "a.py"))["target"]
    assert target["tensorflow"] == "2.15"
    assert target["origin"] == (
        f"no TensorFlow installed in {python}; assuming TensorFlow 2.15, the one tf-keras 2.15.1 "
        "goes with"
    )


@pytest.mark.realenv
def test_python_without_tensorflow_assumes_the_newest_tensorflow_for_its_python(
    write: Write, tmp_path: Path
) -> None:
    """A Python 3.7 environment without TensorFlow: the code will run on TensorFlow 2.11 (the
    newest with wheels for 3.7) and its Keras 2.11, not on the newest TensorFlow and Keras 3."""
    from envs import build, python_of
    from specs import PY37

    python = python_of(build(PY37))
    write("a.py", RESCALING)
    data = run_json("lint", "--python", python, str(tmp_path / "a.py"))
    assert data["target"] == {
        "kind": "code",
        "tensorflow": "2.11",
        "keras": "2.11",
        "tf_keras": None,
        "legacy_keras": False,
        "origin": f"no TensorFlow installed in {python}; assuming TensorFlow 2.11, the newest "
        "for Python 3.7",
        "assumed": True,
    }
    # tf.keras of TensorFlow 2.11 still has the experimental preprocessing layers; Keras 3 not
    assert data["findings"] == []
    newest = run_json("lint", "--tensorflow", "2.21", str(tmp_path / "a.py"))
    assert [f["code"] for f in newest["findings"]] == ["TFD710"]
    last = run_cli("lint", "--python", python, str(tmp_path / "a.py")).stdout.splitlines()[-1]
    assert last.endswith(
        "Target: TensorFlow 2.11, Keras 2.11 (no TensorFlow installed in "
        f"{python}; assuming TensorFlow 2.11, the newest for Python 3.7)."
    )


def test_rule_list_has_codes() -> None:
    assert codes([]) == []
    assert {r.code for r in LINT_RULES} == {
        "TFD701",
        "TFD702",
        "TFD703",
        "TFD710",
        "TFD711",
        "TFD712",
        "TFD713",
        "TFD714",
    }


def test_nbformat_3_notebooks_are_linted_and_left_alone_by_fix(
    write: Write, tmp_path: Path
) -> None:
    """The notebooks of 2014-2016 (nbformat 3: cells in worksheets, code in "input") hold the
    Keras 1 / TensorFlow 1 code lint is for; --fix says why it does not rewrite them."""
    v3 = {
        "metadata": {},
        "nbformat": 3,
        "nbformat_minor": 0,
        "worksheets": [
            {
                "cells": [
                    {"cell_type": "markdown", "metadata": {}, "source": ["# old"]},
                    {
                        "cell_type": "code",
                        "input": ["import tensorflow as tf\n", "x = 1"],
                        "language": "python",
                        "metadata": {},
                        "outputs": [],
                    },
                    {
                        "cell_type": "code",
                        "input": "opt = tf.keras.optimizers.Adam(lr=0.1)",
                        "language": "python",
                        "metadata": {},
                        "outputs": [],
                    },
                ]
            }
        ],
    }
    text = json.dumps(v3, indent=1) + "\n"
    path = write("old.ipynb", text)
    data = run_json("lint", "--keras", "3", str(path))
    assert [(f["code"], f["location"]["line"]) for f in data["findings"]] == [("TFD713", 1)]
    out = run_cli("lint", "--keras", "3", "--fix", str(path))
    assert out.returncode == 1
    assert f"{path}:cell 3:1:32: error: TFD713 " in out.stdout
    assert "nbformat 3 notebook" in out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    assert path.read_text(encoding="utf-8") == text


def test_json_that_is_not_a_notebook_is_skipped_with_the_reason(
    write: Write, tmp_path: Path
) -> None:
    path = write("list.ipynb", "[1, 2]")
    data = run_json("lint", "--keras", "3", str(path))
    assert data["skipped"] == [
        {
            "path": str(path),
            "message": "cannot parse: not a notebook: its JSON has no list of cells",
        }
    ]
