"""--fix: safe, mechanical rewrites that keep formatting and comments and still parse."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from lint_helpers import Lint, Write, codes


def test_fix_renames_and_keeps_comments(write: Write, lint: Lint) -> None:
    path = write(
        "train.py",
        """
        # Training script (comment at the top)
        import tensorflow as tf
        from keras.utils import np_utils  # one-hot helpers
        from tensorflow.keras.layers.experimental.preprocessing import (
            Rescaling,  # scale pixels
            RandomFlip,
        )

        def build():
            # layers
            aug = tf.keras.layers.experimental.preprocessing.RandomZoom(0.1)
            opt = tf.keras.optimizers.Adam(lr=1e-3)  # keep this note
            return aug, opt

        sess = tf.Session()
        y = np_utils.to_categorical([0, 1])
    """,
    )
    result = lint(path, tensorflow="2.16", keras="3", fix=True)
    # five renames, and the one keras import joins the file's tf.keras (one Keras per file)
    assert result.fixed == {str(path): 6}
    new = path.read_text()
    ast.parse(new)
    assert new == (
        "# Training script (comment at the top)\n"
        "import tensorflow as tf\n"
        "from tensorflow.keras import utils as np_utils  # one-hot helpers\n"
        "from tensorflow.keras.layers import (\n"
        "    Rescaling,  # scale pixels\n"
        "    RandomFlip,\n"
        ")\n"
        "\n"
        "def build():\n"
        "    # layers\n"
        "    aug = tf.keras.layers.RandomZoom(0.1)\n"
        "    opt = tf.keras.optimizers.Adam(learning_rate=1e-3)  # keep this note\n"
        "    return aug, opt\n"
        "\n"
        "sess = tf.compat.v1.Session()\n"
        "y = np_utils.to_categorical([0, 1])\n"
    )
    # nothing left that --fix can do; linting again finds nothing
    assert codes(result.findings) == []
    again = lint(path, tensorflow="2.16", keras="3", fix=True)
    assert again.fixed == {} and path.read_text() == new


def test_fix_one_keras_per_file(write: Write, lint: Lint) -> None:
    mostly_keras = write(
        "a.py",
        """
        import tensorflow as tf
        from tensorflow.keras import layers as L  # functional bits
        import keras

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4)])
        model.add(tf.keras.layers.Dense(1))  # head
        model.add(L.Dense(1))
        ds = tf.data.Dataset.range(3)
    """,
    )
    mostly_tf = write(
        "b.py",
        """
        import keras
        from keras.layers import Dense
        from tensorflow import keras as tfk

        model = tfk.Sequential([tfk.Input((3,)), tfk.layers.Dense(4), tfk.layers.Dense(2)])
        model.add(Dense(1))
    """,
    )
    for path in (mostly_keras, mostly_tf):
        assert codes(lint(path, keras="3", fix=True).findings) == []
    assert mostly_keras.read_text() == (
        "import tensorflow as tf\n"
        "from keras import layers as L  # functional bits\n"
        "import keras\n"
        "\n"
        "model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4)])\n"
        "model.add(keras.layers.Dense(1))  # head\n"
        "model.add(L.Dense(1))\n"
        "ds = tf.data.Dataset.range(3)\n"
    )
    assert mostly_tf.read_text() == (
        "from tensorflow import keras\n"
        "from tensorflow.keras.layers import Dense\n"
        "from tensorflow import keras as tfk\n"
        "\n"
        "model = tfk.Sequential([tfk.Input((3,)), tfk.layers.Dense(4), tfk.layers.Dense(2)])\n"
        "model.add(Dense(1))\n"
    )


def test_fix_adds_keras_import_when_needed(write: Write, lint: Lint) -> None:
    path = write(
        "c.py",
        """
        import tensorflow as tf
        from keras.layers import Dense
        from keras.models import Sequential

        model = Sequential([Dense(2), tf.keras.layers.Dense(1)])
    """,
    )
    lint(path, keras="3", fix=True)
    new = path.read_text()
    ast.parse(new)
    assert new == (
        "import tensorflow as tf\n"
        "from keras.layers import Dense\n"
        "from keras.models import Sequential\n"
        "import keras\n"
        "\n"
        "model = Sequential([Dense(2), keras.layers.Dense(1)])\n"
    )


def test_fix_does_not_capture_a_local_named_keras(write: Write, lint: Lint) -> None:
    path = write(
        "d.py",
        """
        import keras
        import tensorflow as tf

        def build(keras_config, keras=None):
            return tf.keras.layers.Dense(1)

        model = keras.Sequential([keras.layers.Dense(2)])
    """,
    )
    before = path.read_text()
    result = lint(path, keras="3", fix=True)
    assert path.read_text() == before
    assert codes(result.findings) == [("TFD701", 5)]


def test_fix_leaves_tf_keras_and_unparsable_files(write: Write, lint: Lint, tmp_path: Path) -> None:
    legacy = write(
        "legacy.py",
        """
        import tf_keras
        import keras
        model = keras.Sequential([tf_keras.layers.Dense(1)])
    """,
    )
    broken = write("broken.py", "from keras.utils import np_utils\nif True print(1)\n")
    before = {p: p.read_text() for p in (legacy, broken)}
    result = lint(legacy, broken, keras="3", fix=True)
    assert result.fixed == {}
    assert {p: p.read_text() for p in (legacy, broken)} == before
    assert ("TFD703", 3) in codes(result.findings)
    assert [Path(p).name for p, _ in result.errors] == ["broken.py"]


def test_fix_skips_guarded_imports(write: Write, lint: Lint) -> None:
    path = write(
        "g.py",
        """
        try:
            from keras.utils import np_utils
        except ImportError:
            from keras.src.utils import numerical_utils as np_utils
    """,
    )
    before = path.read_text()
    lint(path, keras="3", fix=True)
    assert path.read_text() == before


def test_fix_keeps_tf_keras_that_is_another_keras_line(
    write: Write, lint: Lint, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With TF_USE_LEGACY_KERAS=1 on TensorFlow 2.21, tf.keras is tf-keras (Keras 2) and keras is
    Keras 3: tf.keras.optimizers.legacy.Adam() runs (checked in the real tf221-legacy env) and
    keras.optimizers.legacy.Adam() raises ImportError, so --fix must not respell one as the other
    (it did: one TFD701 warning became two TFD710 errors and an ImportError at run time)."""
    source = """
        import keras
        import tensorflow as tf

        inputs = keras.Input((4,))
        model = keras.Model(inputs, keras.layers.Dense(1)(inputs))
        opt = tf.keras.optimizers.legacy.Adam()
        layer = tf.keras.layers.experimental.preprocessing.Rescaling(1.0)
    """
    path = write("legacy_mix.py", source)
    before = path.read_text()
    monkeypatch.setenv("TF_USE_LEGACY_KERAS", "1")
    result = lint(path, keras="3", tensorflow="2.21", fix=True)
    assert path.read_text() == before and result.fixed == {} and result.changes == []
    (mixed,) = result.findings
    assert mixed.code == "TFD701" and mixed.fix_note == "pick one implementation by hand"
    # the same file without the switch: tf.keras is Keras 3 as keras is, and --diff rewrites it
    monkeypatch.delenv("TF_USE_LEGACY_KERAS")
    assert lint(path, keras="3", tensorflow="2.21", diff=True).changes


def test_fix_leaves_noqa_lines_alone(write: Write, lint: Lint) -> None:
    """`# noqa: TFD710` silences a line: --fix rewrote it anyway (the README calls noqa the way
    to keep a line). A bare noqa or one naming a tfdoctor code keeps the line as written; a
    noqa for another tool's code does not; a noqa line inside the one-implementation rewrite
    keeps the whole file's keras/tf.keras as they are (half a rewrite would mix again)."""
    path = write(
        "kept.py",
        """
        import keras
        from keras.utils import np_utils  # noqa: TFD710
        opt = keras.optimizers.Adam(lr=0.1)  # noqa
        opt3 = keras.optimizers.Adam(lr=0.1)  # NOQA:TFD713
        opt4 = keras.optimizers.Adam(lr=0.1)  # noqa: E501
        """,
    )
    mixed = write(
        "mixed.py",
        """
        import keras
        import tensorflow as tf

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4)])
        model.add(tf.keras.layers.Dense(1))  # noqa: TFD703
        """,
    )
    before = mixed.read_text()
    result = lint(path, mixed, keras="3", fix=True)
    assert path.read_text() == (
        "import keras\n"
        "from keras.utils import np_utils  # noqa: TFD710\n"
        "opt = keras.optimizers.Adam(lr=0.1)  # noqa\n"
        "opt3 = keras.optimizers.Adam(lr=0.1)  # NOQA:TFD713\n"
        "opt4 = keras.optimizers.Adam(learning_rate=0.1)  # noqa: E501\n"
    )
    assert mixed.read_text() == before
    assert result.fixed == {str(path): 1}
