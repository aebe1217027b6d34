"""Fuzzing ``tfdoctor lint``: random and adversarial files never make it crash or hang.

Whatever the files hold, lint exits 0, 1 or 2 (never 3, an internal error), prints no
traceback, finishes in bounded time and memory, and ``--fix`` leaves every file either as it
was or still valid Python.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import resource
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tfdoctor.cli import main

# Pieces of real Keras/TF code and of the syntax around it, recombined at random.
_WORDS = [
    "import keras",
    "import tensorflow as tf",
    "import tf_keras",
    "from tensorflow import keras",
    "from keras.utils import np_utils",
    "from tensorflow.keras.layers.experimental import preprocessing",
    "from keras import (layers,\n  models)",
    "tf.keras.layers.Dense(1)",
    "keras.Sequential([",
    "tf.Session()",
    "model.fit_generator(x)",
    "model.save('m')",
    "keras.optimizers.Adam(lr=1)",
    "tf.keras.__version__",
    "try:\n    import keras\nexcept ImportError:\n    keras = None",
    "def f(keras):\n    return keras.layers",
    "class M(keras.Model):\n    pass",
    "x = 1 + 2 + 3",
    "# noqa: TFD710",
    "'''doc from keras.utils import np_utils'''",
    "%matplotlib inline",
    "!pip install tf",
    "\\",
    "(",
    ")",
    "[",
    "]",
    ":",
    "\t",
    "    ",
    "é",
    "\x00",
    "\r",
    "\n",
    "\r\n",
    "\ufeff",
    ";",
    ".",
    "=",
    "lambda: ",
    "async def g():\n    await keras.ops.add(1, 2)",
    "match x:\n    case 1:\n        tf.Session()",
]


def _adversarial(kind: int, size: int) -> str:
    """Shapes that broke lint before: deep nesting, long chains, long lines."""
    head = (
        "import keras\nimport tensorflow as tf\nm = keras.Sequential([tf.keras.layers.Dense(1)])\n"
    )
    shapes = (
        "x = " + " + ".join(["1"] * size),
        "x = " + "(" * size + "1" + ")" * size,
        "x = " + "[" * size + "]" * size,
        "y = a" + ".b" * size,
        "z = " + "f(" * size + ")" * size,
        "s = '" + "é" * size + "'; tf.Session()",
        "if x:\n"
        + "".join(" " * (i + 1) + "if x:\n" for i in range(min(size, 90)))
        + " " * 92
        + "pass",
        "tf.keras.layers.Dense(1); " * size,
    )
    return head + shapes[kind % len(shapes)] + "\n"


_SOURCES = st.one_of(
    st.lists(st.sampled_from(_WORDS), max_size=30).map("\n".join),
    st.lists(st.sampled_from(_WORDS), max_size=30).map(" ".join),
    st.text(max_size=300),
    st.tuples(st.integers(0, 7), st.integers(1, 3000)).map(lambda a: _adversarial(*a)),
)


def _notebook(cells: list[str], raw: bool) -> bytes:
    if raw:
        return "".join(cells).encode("utf-8", "surrogatepass")
    notebook = {
        "cells": [
            {"cell_type": "code", "metadata": {}, "outputs": [], "source": cell.splitlines(True)}
            for cell in cells
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return (json.dumps(notebook, indent=1, ensure_ascii=False) + "\n").encode(
        "utf-8", "surrogatepass"
    )


_FILES = st.lists(
    st.one_of(
        st.tuples(st.just("py"), _SOURCES.map(lambda s: s.encode("utf-8", "surrogatepass"))),
        st.tuples(st.just("py"), st.binary(max_size=300)),
        st.tuples(
            st.just("ipynb"),
            st.builds(_notebook, st.lists(_SOURCES, max_size=4), st.booleans()),
        ),
    ),
    min_size=1,
    max_size=4,
)


def _write(folder: Path, files: list[tuple[str, bytes]]) -> list[Path]:
    paths = []
    for index, (suffix, data) in enumerate(files):
        path = folder / f"f{index}.{suffix}"
        path.write_bytes(data)
        paths.append(path)
    return paths


def _lint(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["lint", *args])
        except SystemExit as exc:  # argparse
            code = int(exc.code or 0)
    return code, err.getvalue()


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(files=_FILES, target=st.sampled_from(["2.15", "2.16"]))
def test_lint_and_fix_never_crash(tmp_path_factory, files, target) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("fuzz")
    paths = _write(folder, files)
    code, err = _lint("--tensorflow", target, "--format", "json", "--jobs", "1", str(folder))
    assert code in (0, 1), err
    assert "Traceback" not in err and "internal error" not in err
    before = {path: path.read_bytes() for path in paths}
    code, err = _lint("--fix", "--tensorflow", target, "--jobs", "1", str(folder))
    assert code in (0, 1), err
    assert "internal error" not in err
    for path, data in before.items():
        after = path.read_bytes()
        if after != data and path.suffix == ".py":
            ast.parse(after)  # a rewritten file is still Python
        if after != data and path.suffix == ".ipynb":
            json.loads(after)


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1 << 31, 1 << 31))  # 2 GiB


@settings(max_examples=12, deadline=None)
@given(files=_FILES)
def test_cli_exit_status_time_and_memory(tmp_path_factory, files) -> None:  # type: ignore[no-untyped-def]
    """The real command line under a 2 GiB address-space limit and a time limit."""
    folder = tmp_path_factory.mktemp("cli")
    _write(folder, files)
    for extra in ([], ["--fix"]):
        out = subprocess.run(
            [sys.executable, "-m", "tfdoctor", "lint", "--keras", "3", *extra, str(folder)],
            capture_output=True,
            text=True,
            timeout=120,
            preexec_fn=_limited,
        )
        assert out.returncode in (0, 1, 2), out.stderr
        assert "Traceback" not in out.stderr
