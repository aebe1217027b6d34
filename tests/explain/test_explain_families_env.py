"""The families that read what a text shows of the environment (leftover folders, installers,
files named like modules, the Keras backend) and of moved names, on the forms real reports
paste (each quoted from the report it comes from)."""

from __future__ import annotations

import pytest

from tfdoctor.explain import explain_text


def _top(text: str) -> tuple[str, str]:
    finding = explain_text(text).findings[0]
    return finding.cause, dict(finding.data)["signature"]


FOUND = {
    # https://github.com/tensorflow/tensorboard/issues/3536
    "pip lists a '~' leftover as '-name'": (
        "WARNING: Could not generate requirement for distribution -ensorboard 2.1.0 "
        "(.conda\\envs\\stan_env\\lib\\site-packages): Parse error at \"'-ensorbo'\"\n",
        ("broken-install", "pip-invalid-distribution"),
    ),
    # https://github.com/spyder-ide/spyder/issues/11404
    "conda's Python imports TensorFlow from pip's user site": (
        "Traceback (most recent call last):\n"
        '  File "C:\\Users\\S\\Anaconda3\\lib\\site-packages\\IPython\\core\\interactiveshell.py",'
        " line 3319, in run_code\n"
        "    exec(code_obj, self.user_global_ns, self.user_ns)\n"
        '  File "<ipython-input-1-ae8bdb06f97b>", line 15, in <module>\n'
        "    import tensorflow as tf\n"
        '  File "C:\\Users\\S\\AppData\\Roaming\\Python\\Python37\\site-packages\\tensorflow\\'
        '__init__.py", line 101, in <module>\n'
        "    from tensorflow_core import *\n",
        ("mixed-installers", "user-site-beside-conda"),
    ),
    # https://github.com/tensorflow/tensorflow/issues/40265
    "a script named like a standard module imports TensorFlow": (
        'Traceback (most recent call last):\n  File "code.py", line 1, in <module>\n'
        "    from tensorflow import keras\n  File\n",
        ("shadowed-module", "shadow-local-module"),
    ),
    # https://github.com/keras-team/keras-hub/issues/1172
    "keras.json names a backend Keras does not have": (
        '{\n    "floatx": "float32",\n    "epsilon": 1e-07,\n    "backend": "mxnet",\n'
        '    "image_data_format": "channels_first"\n}\n',
        ("backend-misconfigured", "keras-backend-set-unknown"),
    ),
    # https://github.com/tdeboissiere/DeepLearningImplementations/issues/9
    "Theano's K.T under the TensorFlow backend": (
        "    self.x = K.T.tensor4('x')\nAttributeError: 'module' object has no attribute 'T'\n",
        ("backend-misconfigured", "theano-backend-name"),
    ),
    # https://github.com/nl8590687/ASRT_SpeechRecognition/issues/210
    "a sub-module that became a plain module": (
        "ModuleNotFoundError: No module named 'keras.backend.tensorflow_backend'; "
        "'keras.backend' is not a package\n",
        ("removed-api", "api-change-keras"),
    ),
    # https://github.com/tensorflow/tensorflow/issues/33786
    "standalone Keras's engine imported from tf.keras": (
        "ModuleNotFoundError: No module named 'tensorflow.keras.engine'\n",
        ("removed-api", "api-change-keras"),
    ),
    # https://github.com/tensorflow/tensorflow/issues/51850: Keras 2.6 imports it from TF
    "a TensorFlow internal that Keras imports": (
        "AttributeError: module 'tensorflow.compat.v2.__internal__.tracking' has no attribute "
        "'DelegatingTrackableMixin'\n",
        ("keras-version-mismatch", "tf-internal"),
    ),
    # no Keras release imports it (the name from https://github.com/xmxoxo/BERT-Vector/issues/1)
    "a TensorFlow internal that no Keras imports": (
        "ImportError: cannot import name 'NewCheckpointReader' from "
        "'tensorflow.python.pywrap_tensorflow_internal'\n",
        ("dependent-package-incompatible", "tf-internal-not-keras"),
    ),
    # https://github.com/akshay107/CNN-QA/issues/1
    "a removed class without its module": (
        "ImportError: cannot import name 'Merge'\n",
        ("removed-api", "api-change-keras"),
    ),
    # https://github.com/Ebiquity/CASIE/issues/21: tf.set_random_seed, gone in TF 2
    "a removed function without its module": (
        "ImportError: cannot import name 'set_random_seed'\n",
        ("removed-api", "api-change-tf"),
    ),
    # https://github.com/xiph/LPCNet/issues/81: keras.layers no longer re-exports activations
    "a removed Keras module without its package": (
        "ImportError: cannot import name 'activations' \n",
        ("removed-api", "api-change-keras"),
    ),
    # https://github.com/huggingface/transformers/issues/7866: tf.keras gained swish in TF 2.2
    "a tf.keras name of a later TensorFlow": (
        "AttributeError: module 'tensorflow_core.keras.activations' has no attribute 'swish'\n",
        ("dependent-package-incompatible", "tf-name-added-later"),
    ),
    # https://github.com/keras-team/keras-tuner/issues/376: tf.distribute.TPUStrategy is 2.3's
    "a TensorFlow name of a later release": (
        "AttributeError: module 'tensorflow._api.v2.distribute' has no attribute 'TPUStrategy'\n",
        ("dependent-package-incompatible", "tf-name-added-later"),
    ),
    # https://github.com/google-deepmind/sonnet/issues/77 (TensorFlow 1.2.1; tf.nest is 1.14's)
    "a later TensorFlow's name in Python 2's message": (
        "AttributeError: 'module' object has no attribute 'nest'\n",
        ("dependent-package-incompatible", "tf-name-added-later"),
    ),
    # https://github.com/tensorflow/tensorflow/issues/6765: Python 2 names neither the module
    # nor, here, the source line
    "a moved TensorFlow module in Python 2's message": (
        "> AttributeError: 'module' object has no attribute 'rnn_cell'\n",
        ("removed-api", "api-change-tf"),
    ),
}


@pytest.mark.parametrize("name", sorted(FOUND))
def test_family_names_the_cause(name: str) -> None:
    text, expected = FOUND[name]
    assert _top(text) == expected


NOT_FOUND = {
    "a valid backend in keras.json": '{\n    "floatx": "float32",\n    "backend": "jax"\n}\n',
    "a script with an ordinary name imports TensorFlow": (
        'Traceback (most recent call last):\n  File "train.py", line 1, in <module>\n'
        "    from tensorflow import keras\n"
    ),
    "a standard-module name for a script that fails on its own": (
        'Traceback (most recent call last):\n  File "random.py", line 3, in <module>\n'
        "    x = y + 1\nNameError: name 'y' is not defined\n"
    ),
    "a class name the API table holds in several modules": (
        "ImportError: cannot import name 'Layer'\n"
    ),
    # https://github.com/tensorflow/tensorflow/issues/7157 (a copied tensorflow folder)
    "a name every TensorFlow has, in Python 2's message": (
        ">>> a = tf.constant('Hello')\nTraceback (most recent call last):\n"
        '  File "<stdin>", line 1, in <module>\n'
        "AttributeError: 'module' object has no attribute 'constant'\n"
    ),
    # https://github.com/yapic/yapic/issues/9: the name left Keras in 2.13, and TensorFlow 1.8
    # ran beside a Keras 2.2 (here one too new for it): not code written for an older Keras
    "a Keras change later than the Keras of the stated TensorFlow": (
        "Keras version conflict with tensorflow-gpu\n"
        "ImportError: cannot import name 'tf_utils'\ntensorflow-gpu==1.8.0\n"
    ),
    "a conda environment alone": (
        'Traceback (most recent call last):\n  File "/home/u/anaconda3/envs/tf/lib/python3.9/'
        'site-packages/keras/__init__.py", line 3, in <module>\n    x = 1\n'
    ),
}


@pytest.mark.parametrize("name", sorted(NOT_FOUND))
def test_family_stays_silent_without_its_evidence(name: str) -> None:
    assert not explain_text(NOT_FOUND[name]).findings


def test_a_distribution_named_with_a_version_is_not_two_tensorflows() -> None:
    # https://github.com/tensorflow/tensorboard/issues/3536: a list of names, none installed
    text = (
        "WARNING: no installation among: ['tensorflow', 'tensorflow-gpu', 'tf-nightly', "
        "'tf-nightly-2.0-preview', 'tf-nightly-gpu', 'tf-nightly-gpu-2.0-preview']\n"
    )
    assert not explain_text(text).findings


@pytest.mark.parametrize(
    "frame",
    [
        'File "C:\\Users\\me\\proj\\random.py", line 1, in <module>',
        "File ~/proj/random.py:1",
        "File C:\\Users\\me\\proj\\random.py:1",  # IPython >= 8 on Windows: no quotes
        "File c:\\users\\me\\proj\\random.py:1, in <module>",
    ],
)
def test_a_users_file_named_like_a_module_in_any_frame_form(frame: str) -> None:
    text = (
        f"Traceback (most recent call last):\n{frame}\n----> 1 import random\n"
        "AttributeError: partially initialized module 'random' has no attribute 'randint' "
        "(most likely due to a circular import)\n"
    )
    assert _top(text) == ("shadowed-module", "shadow-local-module")


def test_frames_of_the_microsoft_store_python_are_site_packages_frames() -> None:
    """The Store Python installs packages under LocalCache\\local-packages\\PythonXY\\
    site-packages: those frames are Keras's (not the user's), so a TensorFlow internal that
    Keras asks for is a Keras/TensorFlow mismatch, not the user's code reaching into TF."""
    site = (
        "C:\\Users\\me\\AppData\\Local\\Packages\\PythonSoftwareFoundation.Python.3.10_"
        "qbz5n2kfra8p0\\LocalCache\\local-packages\\Python310\\site-packages"
    )
    text = (
        "Traceback (most recent call last):\n"
        '  File "C:\\Users\\me\\proj\\train.py", line 3, in <module>\n'
        "    import keras\n"
        f'  File "{site}\\keras\\src\\backend\\__init__.py", line 3, in <module>\n'
        "AttributeError: module 'tensorflow.compat.v2.__internal__' has no attribute "
        "'register_load_context_function'\n"
    )
    assert _top(text) == ("keras-version-mismatch", "tf-internal-from-keras")


def test_tensorflow_core_spellings_of_an_internal_are_the_internal() -> None:
    """TensorFlow 2.0-2.1 (installed as tensorflow_core) under a Keras >= 2.6, which reads
    tf.__internal__: the same Keras/TensorFlow mismatch as with tensorflow._api.v2."""
    from tfdoctor.tfnames import normalize_tf_name

    name = "tensorflow_core._api.v2.compat.v2.__internal__.tracking"
    assert normalize_tf_name(name) == "tensorflow.__internal__.tracking"
    for module in ("tensorflow._api.v2.compat.v2", "tensorflow_core._api.v2.compat.v2"):
        text = f"AttributeError: module '{module}' has no attribute '__internal__'\n"
        assert _top(text) == ("keras-version-mismatch", "tf-internal"), module


def test_a_name_of_a_later_tensorflow_is_not_read_so_where_the_stated_release_has_it() -> None:
    text = "AttributeError: module 'tensorflow._api.v2.distribute' has no attribute 'TPUStrategy'\n"
    older = explain_text(text + "tensorflow==2.2.0\n")
    assert [f.cause for f in older.findings] == ["dependent-package-incompatible"]
    assert "2.3.4" in older.findings[0].why
    newer = explain_text(text + "tensorflow==2.4.1\n")
    assert all(dict(f.data)["signature"] != "tf-name-added-later" for f in newer.findings)
