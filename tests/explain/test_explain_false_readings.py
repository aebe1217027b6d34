"""Texts that look like a known failure but are not that failure (found in review): each must not
be read as the cause the detector would name."""

from __future__ import annotations

import pytest

from tfdoctor.explain import explain_text

NOT_THAT_CAUSE = {
    # PyMC3 imports Theano itself: not Keras's backend setting
    "theano imported by another library": (
        'Traceback (most recent call last):\n  File "model.py", line 1, in <module>\n'
        "    import pymc3 as pm\n"
        '  File "/env/lib/python3.8/site-packages/pymc3/__init__.py", line 23, in <module>\n'
        "    import theano\n"
        "ModuleNotFoundError: No module named 'theano'\n",
        "backend-misconfigured",
    ),
    # pybind11's message of another library, with its own signature on the next line
    "another pybind11 module": (
        "TypeError: Unable to convert function return value to a Python type! The signature was\n"
        "\t(self: open3d.cpu.pybind.geometry.PointCloud) -> numpy.ndarray[float64]\n",
        "numpy-incompatible",
    ),
    # NumPy's harmless RuntimeWarning in a healthy log
    "numpy size warning": (
        "/env/lib/python3.8/importlib/_bootstrap.py:219: RuntimeWarning: numpy.dtype size "
        "changed, may indicate binary incompatibility. Expected 96, got 88\n",
        "numpy-incompatible",
    ),
    # Keras 3 without Keras 2's backend function: not TensorFlow 1.x's _impl leftovers
    "keras 3 backend abs": (
        "ImportError: cannot import name 'abs' from 'keras.backend' "
        "(/env/lib/python3.11/site-packages/keras/backend/__init__.py)\n",
        "broken-install",
    ),
    # NumPy's abs missing: NumPy's own trouble, not TensorFlow 1.x's leftovers
    "numpy abs": ("ImportError: cannot import name 'abs' from 'numpy'\n", "broken-install"),
    # TensorFlow's own op, but only built with NCCL (Linux GPU): not a newer TensorFlow's graph
    "nccl op": (
        "tensorflow.python.framework.errors_impl.NotFoundError: Op type not registered "
        "'NcclAllReduce' in binary running on DESKTOP. Make sure the Op and Kernel are "
        "registered in the binary running in this process.\n",
        "model-format",
    ),
    # TensorFlow 1.15's own contrib op library (tensorflow_core), not another package's build
    "tensorflow_core contrib op": (
        "tensorflow.python.framework.errors_impl.NotFoundError: C:\\Users\\me\\Anaconda3\\lib"
        "\\site-packages\\tensorflow_core\\contrib\\resampler\\python\\ops"
        "\\_resampler_ops.so not found\n",
        "dependent-package-incompatible",
    ),
    "tensorflow_core contrib op, undefined symbol": (
        "tensorflow.python.framework.errors_impl.NotFoundError: /env/lib/python3.7/site-packages/"
        "tensorflow_core/contrib/resampler/python/ops/_resampler_ops.so: undefined symbol: "
        "_ZN10tensorflow8internal21CheckOpMessageBuilder9NewStringEv\n",
        "dependent-package-incompatible",
    ),
    # PyTorch's own module (torch.nn.Embedding, an old pickle): its __getattr__ raised, no
    # Keras object and no TensorFlow in sight
    "torch module private attribute": (
        "Traceback (most recent call last):\n"
        '  File "run.py", line 12, in <module>\n'
        "    out = model(x)\n"
        '  File "/home/u/env/lib/python3.9/site-packages/torch/nn/modules/module.py", line 1090, '
        "in _call_impl\n"
        "    for hook in self._backward_pre_hooks.values():\n"
        '  File "/home/u/env/lib/python3.9/site-packages/torch/nn/modules/module.py", line 1185, '
        "in __getattr__\n"
        "    raise AttributeError(\"'{}' object has no attribute '{}'\".format(\n"
        "AttributeError: 'Embedding' object has no attribute '_backward_pre_hooks'\n",
        "dependent-package-incompatible",
    ),
    # the keras.io VAE example's own layer, missing from custom_objects
    "the user's own layer": ("ValueError: Unknown layer: Sampling\n", "model-format"),
}


@pytest.mark.parametrize("name", sorted(NOT_THAT_CAUSE))
def test_a_look_alike_is_not_read_as_that_cause(name: str) -> None:
    text, cause = NOT_THAT_CAUSE[name]
    result = explain_text(text)
    assert cause not in [f.cause for f in result.findings], [f.cause for f in result.findings]


def test_a_keras_src_module_missing_is_the_packages_unless_keras_loader_asks() -> None:
    """A line elsewhere that loads a model does not make every missing keras.src module a
    saved file's: only Keras's loader importing it does."""
    text = (
        'model = keras.models.load_model("m.keras")\n'
        "Traceback (most recent call last):\n"
        '  File "run.py", line 2, in <module>\n'
        "    import keras_nlp\n"
        '  File "/env/lib/python3.11/site-packages/keras_nlp/__init__.py", line 8, in <module>\n'
        "    from keras_nlp import layers\n"
        '  File "/env/lib/python3.11/site-packages/keras_nlp/layers/__init__.py", line 3, '
        "in <module>\n"
        "    from keras.src.engine import base_layer\n"
        "ModuleNotFoundError: No module named 'keras.src.engine'\n"
    )
    assert explain_text(text).findings, "a package asking for Keras 2 internals is still read"


def test_the_pybind_handle_message_wrapped_to_its_signature_line_is_numpy() -> None:
    text = (
        "TypeError: Unable to convert function return value to a Python type! The signature was\n"
        "\t() -> handle\n"
    )
    assert explain_text(text).findings[0].cause == "numpy-incompatible"


def test_a_keyword_refused_by_another_class_is_not_kerass() -> None:
    keras = "TypeError: Embedding.__init__() got an unexpected keyword argument 'input_length'\n"
    other = "TypeError: MyLayer.__init__() got an unexpected keyword argument 'input_length'\n"
    assert explain_text(keras).findings[0].cause == "removed-api"
    assert not explain_text(other).findings


def test_keras_naming_the_class_that_refused_a_keyword_keeps_other_classes_changes_apart() -> None:
    # Embedding's input_length is the change; Keras 3 names the class it passed the keyword to
    embedding = (
        "ValueError: Unrecognized keyword arguments passed to Embedding: {'input_length': 5}\n"
    )
    dense = "ValueError: Unrecognized keyword arguments passed to Dense: {'input_length': 5}\n"
    assert explain_text(embedding).findings[0].cause == "removed-api"
    assert not explain_text(dense).findings


def test_python2_names_no_module_but_the_source_line_does() -> None:
    # TensorFlow 1.0 renamed tf.pack (scripts/tf1_renames.py); Python 2 says only 'module' object
    text = (
        "Traceback (most recent call last):\n"
        '  File "FCN.py", line 129, in inference\n'
        "    deconv_shape3 = tf.pack([shape[0], shape[1], shape[2], NUM_OF_CLASSESS])\n"
        "AttributeError: 'module' object has no attribute 'pack'\n"
    )
    finding = explain_text(text).findings[0]
    assert finding.cause == "removed-api" and "tensorflow.stack" in " ".join(finding.why.split())
    other = text.replace("tf.pack(", "np.pack(")
    assert not explain_text(other).findings


def test_tensorflow_1s_nn_module_is_tf_nn() -> None:
    text = "AttributeError: module 'tensorflow.python.ops.nn' has no attribute 'rnn_cell'\n"
    assert explain_text(text).findings[0].cause == "removed-api"
