"""The byte-level pre-filter never hides a finding that the ast analysis would report."""

from __future__ import annotations

import textwrap

import pytest

from tfdoctor.lint import resolve_target
from tfdoctor.lint.knowledge import knowledge_for
from tfdoctor.lint.prefilter import bindings, scan

SNIPPETS = [
    "import keras\nfrom keras.utils import np_utils\n",
    "from tensorflow import (\n    keras,  # the TF one\n)\n"
    "keras.layers.experimental.preprocessing\n",
    "import os, tensorflow as tf\nsess = tf.Session()\n",
    "import tensorflow as tf; x = tf .  estimator\n",
    "if True: import keras\nkeras.backend.sum(1)\n",
    "from tensorflow.keras.layers import *\nexperimental.preprocessing.Rescaling\n",
    "from keras import optimizers as O\nO.Adam(lr=1)\n",
    "import keras\nm = keras.Sequential()\nm.fit_generator(g)\n",
    "import keras\nm.save('dir')\n",
    "from keras.models import save_model\nsave_model(m, 'dir')\n",
    "import keras\nkeras.models.load_model('dir')\n",
    "import keras, tensorflow as tf\nkeras.Sequential([tf.keras.layers.Dense(1)])\n",
    "import tf_keras\nimport keras\n",
    "from tensorflow \\\n    import keras\nimport keras as k2\n",
    "def f():\n    import tensorflow.compat.v2 as tf\n    return tf.estimator\n",
    "import tensorflow as tf\nkeras = tf.keras\nkeras.layers.CuDNNLSTM(3)\n",
    "import tensorflow as tf\nkeras = (tf.keras)  # TF's\nK = keras.backend\nK.set_learning_phase(0)\n",
]


@pytest.mark.parametrize("source", SNIPPETS)
def test_files_with_findings_are_analyzed(source: str) -> None:
    kb = knowledge_for(resolve_target(None, "3", None))
    needed, _ = scan(source.encode(), kb)
    assert needed, source


def test_skipped_files_report_their_implementation() -> None:
    kb = knowledge_for(resolve_target(None, "3", None))
    source = textwrap.dedent('''
        """Docs mention tf.keras.layers.Dense and `from tensorflow import keras`."""
        import keras
        layer = keras.layers.Dense(3)
    ''').encode()
    assert scan(source, kb) == (False, {"keras": (3, 1)})
    assert scan(b"x = 'import keras'\n", kb) == (False, {})


def test_bindings_read_aliases_and_parentheses() -> None:
    source = (
        b"from tensorflow.keras import (layers as L,\n  models)\nimport keras.src.engine as e\n"
    )
    assert [(q, b) for q, b, _ in bindings(source)] == [
        ("tensorflow.keras.layers", "L"),
        ("tensorflow.keras.models", "models"),
        ("keras.src.engine", "e"),
    ]
