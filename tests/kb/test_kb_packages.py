"""Keras, tf-keras, providers and dependents in the shipped knowledge base."""

from __future__ import annotations

import pytest
from packaging.specifiers import SpecifierSet

from tfdoctor.kb import KnowledgeBase, load


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load()


def test_keras_lines(kb: KnowledgeBase) -> None:
    keras3 = kb.keras("3.6.0")
    keras2 = kb.keras("2.15.0")
    assert keras3 is not None and keras3.exact and keras3.line == 3
    assert keras2 is not None and keras2.line == 2
    assert keras3.source == "https://pypi.org/pypi/keras/3.6.0/json"


def test_tf_keras_pins_its_tensorflow(kb: KnowledgeBase) -> None:
    tf_keras = kb.tf_keras("2.16.0")
    assert tf_keras is not None and tf_keras.exact
    assert SpecifierSet(tf_keras.tensorflow_declared) == SpecifierSet("<2.17,>=2.16")
    # tf-keras 2.15.0 declares nothing; its TensorFlow is still 2.15.
    old = kb.tf_keras("2.15.0")
    assert old is not None and old.tensorflow_declared == ""
    assert "2.15.1" in SpecifierSet(old.tensorflow_spec)
    assert "2.16.0" not in SpecifierSet(old.tensorflow_spec)


def test_providers_of_import_packages(kb: KnowledgeBase) -> None:
    assert {"tensorflow", "tensorflow-cpu", "tensorflow-intel", "tf-nightly"} <= kb.providers(
        "tensorflow"
    )
    assert kb.providers("keras") == frozenset({"keras", "keras-nightly"})
    assert "keras-core" not in kb.providers("keras")
    assert kb.providers("tf_keras") == frozenset({"tf-keras", "tf-keras-nightly"})
    assert kb.providers("no_such_module") == frozenset()


def test_every_variant_in_the_data_is_a_tensorflow_provider(kb: KnowledgeBase) -> None:
    variants = {
        name
        for name, package in kb.declared_data["packages"].items()
        if package["group"] in ("tensorflow", "variant") or name == "tf-nightly"
    }
    assert variants <= kb.tf_variants()
    assert variants <= kb.stack_names()
    assert {"numpy", "protobuf", "keras", "tf-keras"} <= kb.stack_names()


def test_transformers_needs_tf_keras_with_tf_2_16(kb: KnowledgeBase) -> None:
    facts = kb.dependent_facts("transformers", "4.44.0", tensorflow="2.16.1")
    problems = [p for f in facts if (p := f.check("4.44.0", {"keras": "3.6.0"}, "2.16.1"))]
    assert [p.install for p in problems] == [("tf-keras~=2.16.0",)]
    satisfied = [f.check("4.44.0", {"tf-keras": "2.16.0"}, "2.16.1") for f in facts]
    assert satisfied == [None]
    assert kb.dependent_facts("transformers", "4.44.0", tensorflow="2.15.1") == ()


def test_transformers_5_has_no_tensorflow(kb: KnowledgeBase) -> None:
    (fact,) = kb.dependent_facts("transformers", "5.0.0")
    assert not fact.supports_tensorflow
    problem = fact.check("5.0.0", {}, "2.18.0")
    assert problem is not None and problem.install == ("transformers<5",)


def test_probability_0_24_needs_tf_keras(kb: KnowledgeBase) -> None:
    (fact,) = kb.dependent_facts("tensorflow_probability", "0.24.0")
    assert fact.requires["tf-keras"] == ">=2.16"
    assert fact.check("0.24.0", {"tf-keras": "2.16.0"}, "2.16.1") is None
    assert fact.check("0.24.0", {}, "2.15.1") is not None


def test_all_dependent_facts_without_arguments(kb: KnowledgeBase) -> None:
    facts = kb.dependent_facts()
    assert len(facts) == len(kb.curated_data["dependents"])
    assert {"transformers", "tensorflow-probability", "tensorflow-addons", "keras-hub"} <= {
        f.package for f in facts
    }
    assert "tensorflow-text" in kb.dependent_names()  # declared-only dependents count too


def test_dependents_metadata_is_declared(kb: KnowledgeBase) -> None:
    text = kb.declared("tensorflow-text", kb.declared_versions("tensorflow-text")[-1])
    assert text is not None
    assert text.declared_spec("tensorflow")  # tensorflow-text pins its TensorFlow minor
