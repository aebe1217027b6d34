"""Which TensorFlow internals Keras imports: the extraction over source text, and the lookup."""

from __future__ import annotations

import pytest

from tfdoctor.explain.families import keras_uses
from tfdoctor.explain.signatures import load_detectors
from tfdoctor.kb.keras_internals import tf_internals_used
from tfdoctor.tfnames import normalize_tf_name

SOURCE = """
import tensorflow.compat.v2 as tf
from tensorflow.python.eager import context
from tensorflow.python.framework import ops as tf_ops
from tensorflow.python.util.tf_export import (
    keras_export,
    get_canonical_name_for_symbol as canonical,
)
import numpy as np

x = tf_ops._TensorLike
tf.__internal__.tracking.DelegatingTrackableMixin
tf.nn.relu  # public: not an internal
"""


def test_imports_aliases_and_tf_internal_attributes_are_read() -> None:
    used = tf_internals_used(SOURCE)
    assert {
        "tensorflow.python.eager.context",
        "tensorflow.python.framework.ops._TensorLike",
        "tensorflow.python.util.tf_export.keras_export",
        "tensorflow.python.util.tf_export.get_canonical_name_for_symbol",
        "tensorflow.__internal__.tracking.DelegatingTrackableMixin",
    } <= used
    assert not any(name.startswith(("tensorflow.nn", "numpy")) for name in used)


def test_names_after_a_comment_or_a_backslash_in_an_import_are_read() -> None:
    used = tf_internals_used(
        "from tensorflow.python.ops import (\n"
        "    array_ops,  # pylint: disable=unused-import\n"
        "    math_ops,\n"
        ")\n"
        "from tensorflow.python.util import nest, \\\n"
        "    tf_inspect\n"
    )
    assert {
        "tensorflow.python.ops.array_ops",
        "tensorflow.python.ops.math_ops",
        "tensorflow.python.util.nest",
        "tensorflow.python.util.tf_inspect",
    } <= used


def test_spellings_of_one_name_are_one() -> None:
    assert (
        normalize_tf_name(
            "tensorflow._api.v2.compat.v2.__internal__.register_load_context_function"
        )
        == normalize_tf_name("tensorflow.compat.v2.__internal__.register_load_context_function")
        == "tensorflow.__internal__.register_load_context_function"
    )


def test_the_data_knows_what_keras_imports_and_what_it_never_did() -> None:
    internals = load_detectors().keras_internals
    assert len(internals) > 100
    assert keras_uses("tensorflow.compat.v2.experimental.dtensor", internals)
    assert keras_uses("tensorflow.python.eager.context.get_config", internals)
    assert keras_uses("tensorflow.compat.v2.__internal__", internals)  # a module Keras reads from
    assert not keras_uses(
        "tensorflow.python.pywrap_tensorflow_internal.NewCheckpointReader", internals
    )
    assert keras_uses("tensorflow._api.v1.compat.v2", internals)  # public once spelled plainly


def test_keras_own_names_are_read_from_its_serialisable_modules_only() -> None:
    from tfdoctor.kb.keras_internals import builtin_names

    source = "class DepthwiseConv2D(Conv2D):\n    pass\n\ndef swish(x):\n    return x\n"
    assert builtin_names("keras/src/layers/convolutional/depthwise_conv2d.py", source) == {
        "DepthwiseConv2D",
        "swish",
    }
    assert builtin_names("keras/src/utils/io_utils.py", source) == set()


@pytest.mark.parametrize(
    ("message", "cause"),
    [
        ("ValueError: Unknown layer: DepthwiseConv2D\n", "model-format"),
        ("Unknown initializer: GlorotUniform\n", "model-format"),
        # the user's own objects (missing from custom_objects) are not the environment
        ("ValueError: Unknown layer: AttentionWithContext\n", None),
        ("ValueError: Unknown loss function:binary_crossentropy + jaccard_loss\n", None),
    ],
)
def test_an_unknown_name_that_some_keras_defines_is_a_file_of_another_keras(
    message: str, cause: str | None
) -> None:
    from tfdoctor.explain import explain_text

    findings = explain_text(message).findings
    assert (findings[0].cause if findings else None) == cause


def test_helpers_are_read_from_backend_and_utils_modules_only() -> None:
    from tfdoctor.kb.keras_internals import helper_names

    source = "def is_tensor(x):\n    return x\n\ndef _private():\n    pass\n"
    assert helper_names("keras/backend/tensorflow_backend.py", source) == {"is_tensor"}
    assert helper_names("keras/src/utils/data_utils.py", source) == {"is_tensor"}
    assert helper_names("keras/src/layers/core/dense.py", source) == set()


@pytest.mark.parametrize(
    ("message", "family"),
    [
        # a helper another Keras release defines: the asker is most often a library
        (
            "AttributeError: module 'keras.backend' has no attribute 'is_tensor'\n",
            "keras-helper-missing",
        ),
        # a name no Keras backend ever defined is not this family's
        ("AttributeError: module 'keras.backend' has no attribute 'my_own_helper'\n", None),
    ],
)
def test_a_missing_keras_helper_points_at_a_library(message: str, family: str | None) -> None:
    from tfdoctor.explain import explain_text

    found = explain_text(message).findings
    assert (dict(found[0].data).get("signature") if found else None) == family
