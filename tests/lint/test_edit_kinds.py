"""Each kind of planned rewrite (lint/edits.py), from the analyzer's decision to the text the
fixer writes, on both of its paths (plain text per statement, and libcst on the whole file);
inserted imports all go in, in files and in notebooks."""

from __future__ import annotations

import ast
import json
import textwrap
from pathlib import Path
from typing import get_args

import pytest

from tfdoctor.lint import resolve_target
from tfdoctor.lint.edits import (
    ChainRename,
    ChainSwap,
    Edit,
    FromRename,
    FromRenameName,
    FromSwap,
    FromToImport,
    ImportInsert,
    ImportRename,
    ImportSwap,
    ImportToFrom,
    KeywordRename,
    Position,
    PrefixSwap,
)
from tfdoctor.lint.fixer import apply_edits, fix_source
from tfdoctor.lint.notebook_fix import fix_notebook
from tfdoctor.lint.rules import LINT_CODES
from tfdoctor.lint.runner import LintOptions, lint_file
from tfdoctor.lint.sources import read_notebook

# (the kind, the file, what --fix makes of it), Keras 3 with TensorFlow 2.16
CASES: list[tuple[type[Edit], str, str]] = [
    (
        ChainRename,
        """
        import tensorflow as tf
        zoom = tf.keras.layers.experimental.preprocessing.RandomZoom(
            0.1
        )
        """,
        "import tensorflow as tf\nzoom = tf.keras.layers.RandomZoom(\n    0.1\n)\n",
    ),
    (
        ChainSwap,
        """
        import keras
        import tensorflow as tf
        m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])
        m.add(tf.keras.layers.Dense(1))
        """,
        "import keras\nimport tensorflow as tf\n"
        "m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])\n"
        "m.add(keras.layers.Dense(1))\n",
    ),
    (
        ImportRename,
        """
        import keras.utils.np_utils as u
        y = u.to_categorical([0, 1])
        """,
        "import keras.utils as u\ny = u.to_categorical([0, 1])\n",
    ),
    (
        ImportSwap,
        """
        import keras
        import tensorflow.keras.layers as L  # the layers
        m = keras.Sequential([keras.layers.Dense(1), keras.Input((2,))])
        L.Dense(1)
        """,
        "import keras\nimport keras.layers as L  # the layers\n"
        "m = keras.Sequential([keras.layers.Dense(1), keras.Input((2,))])\nL.Dense(1)\n",
    ),
    (
        ImportToFrom,
        """
        import tensorflow as tf
        import keras.layers as L
        from tensorflow.keras.models import Sequential
        from tensorflow.keras import Input
        m = Sequential([Input((2,)), L.Dense(1)])
        """,
        "import tensorflow as tf\nfrom tensorflow.keras import layers as L\n"
        "from tensorflow.keras.models import Sequential\nfrom tensorflow.keras import Input\n"
        "m = Sequential([Input((2,)), L.Dense(1)])\n",
    ),
    (
        FromRename,
        """
        from tensorflow.keras.layers.experimental.preprocessing import (
            Rescaling,  # scale
        )
        """,
        "from tensorflow.keras.layers import (\n    Rescaling,  # scale\n)\n",
    ),
    (
        FromSwap,
        """
        import keras
        from tensorflow.keras import layers as L
        m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4)])
        m.add(L.Dense(1))
        """,
        "import keras\nfrom keras import layers as L\n"
        "m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4)])\nm.add(L.Dense(1))\n",
    ),
    (
        FromRenameName,
        """
        from keras.utils import np_utils
        y = np_utils.to_categorical([0, 1])
        """,
        "from keras import utils as np_utils\ny = np_utils.to_categorical([0, 1])\n",
    ),
    (
        FromToImport,
        """
        import keras
        from tensorflow import keras as tfk
        m = keras.Sequential([keras.layers.Dense(1), keras.Input((2,))])
        tfk.layers.Dense(1)
        """,
        "import keras\nimport keras as tfk\n"
        "m = keras.Sequential([keras.layers.Dense(1), keras.Input((2,))])\ntfk.layers.Dense(1)\n",
    ),
    (
        KeywordRename,
        """
        import keras
        opt = keras.optimizers.Adam(
            lr=1e-3,  # rate
        )
        """,
        "import keras\nopt = keras.optimizers.Adam(\n    learning_rate=1e-3,  # rate\n)\n",
    ),
    (
        ImportInsert,
        """
        import tensorflow as tf
        from keras.layers import Dense
        from keras.models import Sequential

        m = Sequential([Dense(2), tf.keras.layers.Dense(1)])
        """,
        "import tensorflow as tf\nfrom keras.layers import Dense\n"
        "from keras.models import Sequential\nimport keras\n\n"
        "m = Sequential([Dense(2), keras.layers.Dense(1)])\n",
    ),
]


@pytest.mark.parametrize(("kind", "source", "expected"), CASES, ids=[c[0].__name__ for c in CASES])
def test_each_kind_of_edit_is_planned_and_applied(
    tmp_path: Path, kind: type[Edit], source: str, expected: str
) -> None:
    path = tmp_path / "case.py"
    path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
    options = LintOptions(resolve_target(None, "3", "2.16"), LINT_CODES, True)
    result = lint_file(str(path), options)
    assert kind in {type(edit) for edit in result.edits}, result.edits
    text = path.read_text(encoding="utf-8")
    assert fix_source(text, result.edits, result.spans) == expected
    assert apply_edits(text, result.edits) == expected


def test_every_kind_is_documented_and_has_a_case() -> None:
    kinds = set(get_args(Edit))
    assert kinds == {kind for kind, _, _ in CASES}
    assert all(kind.__doc__ and kind.__doc__.strip() for kind in kinds)


def _spans(source: str) -> list[tuple[int, int]]:
    return [(s.lineno, s.end_lineno or s.lineno) for s in ast.parse(source).body]


def test_every_insert_is_applied_statement_by_statement() -> None:
    """fix_source (the --fix path) puts each import after its line, at the top for line 0,
    beside the other edits; apply_edits (whole-file libcst) agrees."""
    source = "import tensorflow as tf\n\nx = tf.keras.layers.Dense(1)\nimport numpy\n\ny = 2\n"
    edits: list[Edit] = [
        ImportInsert(0, "keras"),
        ImportInsert(1, "tf_keras"),
        ImportInsert(4, "jax"),
        ImportInsert(6, "torch"),
        ChainSwap(Position(3, 4), Position(3, 25), PrefixSwap("tf.keras", "keras")),
    ]
    expected = (
        "import keras\nimport tensorflow as tf\nimport tf_keras\n\nx = keras.layers.Dense(1)\n"
        "import numpy\nimport jax\n\ny = 2\nimport torch\n"
    )
    assert fix_source(source, edits, _spans(source)) == expected
    assert apply_edits(source, edits) == expected


def test_every_insert_is_applied_in_a_notebook() -> None:
    """Imports inserted after lines of two code cells each land in their own cell."""
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Title"]},
        _code_cell("import tensorflow as tf\nx = 1"),
        _code_cell("%matplotlib inline\ny = tf.constant(1)"),
    ]
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    raw = (json.dumps(notebook, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
    joined = read_notebook(raw)
    # joined code: 1 import tensorflow, 2 x = 1, 3 (between cells), 4 (magic), 5 y = ...
    edits: list[Edit] = [ImportInsert(1, "keras"), ImportInsert(4, "tf_keras")]
    fixed = fix_notebook(raw, edits, _spans(joined.source.decode()), joined.cells)
    new = json.loads(fixed.data)
    assert [c["source"] for c in new["cells"]] == [
        ["# Title"],
        ["import tensorflow as tf\n", "import keras\n", "x = 1"],
        ["%matplotlib inline\n", "import tf_keras\n", "y = tf.constant(1)"],
    ]


def _code_cell(text: str) -> dict[str, object]:
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {},
        "outputs": [],
        "source": text.splitlines(keepends=True),
    }
