"""foreign-keras-object: an error raised by one Keras implementation's code that names an object
of another (tfdoctor/explain/families.py)."""

from __future__ import annotations

from tfdoctor.explain import explain_text
from tfdoctor.explain.families import Frame, foreign_keras_object
from tfdoctor.explain.frames import site_path


def _frame(path: str, function: str = "") -> Frame:
    return Frame(site_path(path), "", function)


# the last frames and the message of https://github.com/ECP-CANDLE/Benchmarks/issues/92: a
# standalone-keras model compiled with a tf.keras (tensorflow.python.keras) optimizer
CANDLE_FRAMES = (
    _frame(
        "/nfs/gce/software/custom/linux-ubuntu18.04-x86_64/anaconda3/rolling/envs/candle-tf1/"
        "lib/python3.7/site-packages/keras/engine/training.py",
        "compile",
    ),
    _frame(
        "/nfs/gce/software/custom/linux-ubuntu18.04-x86_64/anaconda3/rolling/envs/candle-tf1/"
        "lib/python3.7/site-packages/keras/optimizers.py",
        "get",
    ),
)
CANDLE_MESSAGE = (
    "ValueError: Could not interpret optimizer identifier: "
    "<tensorflow.python.keras.optimizer_v2.adam.Adam object at 0x7f06fa323d90>"
)


def test_an_object_of_another_keras_in_keras_code_is_found() -> None:
    hit = foreign_keras_object(CANDLE_MESSAGE, CANDLE_FRAMES)
    assert hit is not None and hit.family == "foreign-keras-object"
    assert "tensorflow.python.keras.optimizer_v2.adam.Adam" in hit.detail
    assert "reached the code of keras 2" in hit.detail


def test_an_object_of_the_raising_keras_is_not_foreign() -> None:
    own = "ValueError: Could not interpret optimizer identifier: <keras.optimizers.Adam object>"
    assert foreign_keras_object(own, CANDLE_FRAMES) is None


def test_without_keras_frames_nothing_is_said() -> None:
    assert foreign_keras_object(CANDLE_MESSAGE, ()) is None
    user = (Frame(None, "/home/me/train.py", "<module>"),)
    assert foreign_keras_object(CANDLE_MESSAGE, user) is None


def test_keras3_layer_repr_in_tf_keras_code_is_foreign() -> None:
    frames = (
        _frame(
            "/env/lib/python3.11/site-packages/tf_keras/src/layers/rnn/bidirectional.py",
            "__init__",
        ),
    )
    message = (
        "ValueError: Please initialize `Bidirectional` layer with a `tf.keras.layers.Layer` "
        "instance. Received: <LSTM name=lstm, built=False>"
    )
    hit = foreign_keras_object(message, frames)
    assert hit is not None and "(keras) reached the code of tf_keras 2" in hit.detail
    # the same repr in Keras 3's own code is its own object
    keras3 = (_frame("/env/lib/python3.11/site-packages/keras/src/models/sequential.py", "add"),)
    assert foreign_keras_object(message, keras3) is None


def test_a_more_specific_detector_sets_the_family_aside() -> None:
    text = (
        '  File "/env/lib/python3.7/site-packages/keras/optimizers.py", line 873, in get\n'
        "    str(identifier))\n" + CANDLE_MESSAGE + "\n"
    )
    result = explain_text(text)
    assert result.findings[0].cause == "mixed-keras-objects"
    assert dict(result.findings[0].data)["signature"] == "mixed-optimizer"
    assert "foreign-keras-object" not in result.detectors


def test_the_family_alone_names_the_cause() -> None:
    text = (
        '  File "/env/lib/python3.11/site-packages/keras/src/layers/rnn/time_distributed.py", '
        "line 49, in __init__\n"
        "    raise ValueError(\n"
        "ValueError: Please initialize `TimeDistributed` layer with a `keras.layers.Layer` "
        "instance. Received: <tf_keras.src.layers.core.dense.Dense object at 0x7fa3bc1b2bd0>\n"
    )
    result = explain_text(text)
    assert result.findings[0].cause == "mixed-keras-objects"
    assert dict(result.findings[0].data)["signature"] == "foreign-keras-object"


def test_an_attribute_an_older_release_had_is_read_from_what_building_the_objects_found() -> None:
    # kb/data/object_attributes.json: Sequential.uses_learning_phase is in keras 2.3.1 and in no
    # later release built; with no frame, whose code asked is not known
    one_liner = "AttributeError: 'Sequential' object has no attribute 'uses_learning_phase'\n"
    result = explain_text(one_liner)
    assert result.findings[0].cause == "dependent-package-incompatible"
    assert result.uncertain and "mixed-keras-objects" in result.alternatives
    # a dataset class of any name is a tf.data.Dataset
    dataset = "AttributeError: 'PrefetchDataset' object has no attribute 'make_one_shot_iterator'\n"
    assert explain_text(dataset).findings[0].cause == "dependent-package-incompatible"
    # a package's frame asks: a dependent, certain
    package = (
        "Traceback (most recent call last):\n"
        '  File "/env/lib/python3.8/site-packages/rl/agents/ddpg.py", line 1, in backward\n'
        "    self.actor.uses_learning_phase\n"
        "AttributeError: 'Sequential' object has no attribute 'uses_learning_phase'\n"
    )
    assert explain_text(package).findings[0].cause == "dependent-package-incompatible"
    assert not explain_text(package).uncertain
    # the release stated is one that has it: not what is wrong
    stated = "tensorflow==1.15.5\nkeras==2.3.1\n" + one_liner
    assert all(f.cause != "dependent-package-incompatible" for f in explain_text(stated).findings)
    # a class that is not Keras's or TensorFlow's (PyTorch's Sequential has no such table)
    assert not explain_text("AttributeError: 'Sequential' object has no attribute 'foo'\n").findings
