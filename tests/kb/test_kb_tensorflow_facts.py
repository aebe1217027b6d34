"""What the shipped knowledge base says about real TensorFlow releases."""

from __future__ import annotations

import pytest
from packaging.specifiers import SpecifierSet

from tfdoctor.kb import KnowledgeBase, load


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load()


def test_tf_2_15_1_expects_bundled_keras_2(kb: KnowledgeBase) -> None:
    tf = kb.tensorflow("2.15.1")
    assert tf is not None and tf.exact and not tf.extrapolated
    assert tf.keras_line == 2
    assert SpecifierSet(tf.keras_requirement) == SpecifierSet("<2.16,>=2.15.0")
    assert tf.tf_keras_module == "keras.api._v2.keras"
    assert tf.legacy_keras_env  # TF_USE_LEGACY_KERAS=1 switches tf.keras to tf_keras
    assert tf.pythons == ("3.9", "3.10", "3.11")
    assert (tf.cuda, tf.cudnn) == ("12.2", "8.9")
    assert tf.linux_glibc["x86_64"] == "2.17"


def test_tf_2_16_1_expects_keras_3_and_tf_keras_2_16(kb: KnowledgeBase) -> None:
    tf = kb.tensorflow("2.16.1")
    assert tf is not None
    assert tf.keras_line == 3
    assert SpecifierSet(tf.keras_requirement) == SpecifierSet(">=3.0.0")
    assert tf.tf_keras_module == "keras._tf_keras.keras"
    spec = SpecifierSet(tf.tf_keras_spec)
    assert "2.16.0" in spec and "2.17.0" not in spec and "2.15.1" not in spec
    tf_keras = kb.tf_keras_for_tensorflow("2.16.1")
    assert tf_keras is not None and tf_keras.version.startswith("2.16.")
    assert "2.16.1" in SpecifierSet(tf_keras.tensorflow_spec)


def test_numpy_2_is_excluded_where_the_build_uses_numpy_1(kb: KnowledgeBase) -> None:
    # 2.14.0 declares numpy>=1.23.5 with no upper bound, but `import tensorflow` fails with
    # NumPy 2 (observed): the curated constraint narrows the effective range.
    tf = kb.tensorflow("2.14.0")
    assert tf is not None
    assert "2.0.2" in SpecifierSet(tf.numpy_declared)
    assert "2.0.2" not in SpecifierSet(tf.numpy_spec)
    assert "1.26.4" in SpecifierSet(tf.numpy_spec)
    assert tf.sources["numpy"].startswith("https://")
    assert "2.0.2" in tf.verified["constraint:numpy"]


def test_numpy_2_is_allowed_from_tf_2_18(kb: KnowledgeBase) -> None:
    tf = kb.tensorflow("2.18.1")
    assert tf is not None
    assert "2.0.2" in SpecifierSet(tf.numpy_spec)
    assert "numpy" not in tf.constraints


def test_declared_ranges_depend_on_python(kb: KnowledgeBase) -> None:
    # TF 2.16 declares numpy>=1.23.5 for Python <= 3.11 and numpy>=1.26.0 for 3.12.
    tf = kb.tensorflow("2.16.2")
    assert tf is not None
    assert "1.24.0" in SpecifierSet(tf.spec("numpy", python="3.10"))
    assert "1.24.0" not in SpecifierSet(tf.spec("numpy", python="3.12"))


def test_old_releases_get_the_protobuf_bound_they_lacked(kb: KnowledgeBase) -> None:
    tf = kb.tensorflow("2.7.1")  # declares protobuf>=3.9.2; protobuf 4.21 breaks its import
    assert tf is not None
    assert "4.21.0" in SpecifierSet(tf.protobuf_declared)
    assert "4.21.0" not in SpecifierSet(tf.protobuf_spec)


def test_ml_dtypes_and_cuda_come_from_the_data(kb: KnowledgeBase) -> None:
    tf = kb.tensorflow("2.18.0")
    assert tf is not None
    assert "0.4.1" in SpecifierSet(tf.ml_dtypes_spec)
    assert (tf.cuda, tf.cudnn) == ("12.5", "9.3")
    assert tf.sources["cuda"] == "https://www.tensorflow.org/install/source#gpu"


def test_versions_that_are_not_releases_map_to_their_minor(kb: KnowledgeBase) -> None:
    rc = kb.tensorflow("2.16.0rc0")
    assert rc is not None and rc.minor == "2.16" and not rc.exact and not rc.extrapolated
    local = kb.tensorflow("2.15.1+nv24.3")
    assert local is not None and local.version == "2.15.1" and not local.exact
    rocm = kb.tensorflow("2.14.0.600")  # tensorflow-rocm numbers its builds like this
    assert rocm is not None and rocm.version == "2.14.0"


def test_nightly_of_an_unreleased_minor_is_extrapolated(kb: KnowledgeBase) -> None:
    nightly = kb.tensorflow("2.99.0.dev20990101")
    newest = kb.newest_tensorflow()
    assert nightly is not None and nightly.extrapolated
    assert nightly.version == newest.version
    assert nightly.requested == "2.99.0.dev20990101"


def test_not_tensorflow_2(kb: KnowledgeBase) -> None:
    assert kb.tensorflow("1.15.0") is None
    assert kb.tensorflow("not a version") is None


def test_newest_release_for_a_python(kb: KnowledgeBase) -> None:
    py38 = kb.newest_tensorflow_for_python("3.8")
    assert py38 is not None and py38.minor == "2.13"
    py37 = kb.newest_tensorflow_for_python("3.7")
    assert py37 is not None and py37.minor == "2.11"
    newest = kb.newest_tensorflow()
    assert kb.newest_tensorflow_for_python(newest.pythons[-1]) == newest
    assert kb.newest_tensorflow_for_python("3.4") is None
    assert "3.11" in kb.supported_pythons()


def test_newest_keras_a_release_asks_for_on_a_python(kb: KnowledgeBase) -> None:
    # TF 2.20 asks for keras>=3.10.0; Keras 3.11 and later need Python 3.10
    assert kb.newest_keras_for("2.20.0", "3.9.18") == "3.10.0"
    # TF 2.21 asks for keras>=3.12.0; Keras 3.13 and later need Python 3.11
    assert kb.newest_keras_for("2.21.0", "3.10") == "3.12.4"
    assert kb.newest_keras_for("2.21.0", "3.13") == kb.newest_keras_line(3)
    assert kb.newest_keras_for("2.11.0", "3.7") == "2.11.0"
    assert kb.newest_keras_for("1.0", "3.7") == ""


def test_every_minor_from_2_0_has_keras_facts(kb: KnowledgeBase) -> None:
    for minor in kb.tensorflow_minors():
        tf = kb.tensorflow(f"{minor}.0")
        assert tf is not None, minor
        assert tf.keras_line == (3 if tuple(map(int, minor.split("."))) >= (2, 16) else 2), minor
        assert tf.tf_keras_resolves_to, minor
        assert tf.facts_minor == minor
