"""tfdoctor's knowledge base: what each TensorFlow/Keras release declares and what really holds.

Offline data shipped in ``kb/data`` (declared.json from the registry, curated.json by hand);
``python -m tfdoctor.kb refresh`` regenerates the declared part. Usage::

    from tfdoctor.kb import load
    kb = load()
    tf = kb.tensorflow("2.15.1")   # TFRelease | None
    tf.keras_line, tf.numpy_spec, tf.spec("numpy", python="3.12")
"""

from __future__ import annotations

from tfdoctor.kb.loader import DATA_DIR, KnowledgeBase, KnowledgeBaseError, load
from tfdoctor.kb.model import (
    DeclaredRelease,
    DependentFact,
    DependentProblem,
    Fact,
    KerasRelease,
    Observation,
    TfKerasRelease,
    TFRelease,
)

__all__ = [
    "DATA_DIR",
    "DeclaredRelease",
    "DependentFact",
    "DependentProblem",
    "Fact",
    "KerasRelease",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "Observation",
    "TFRelease",
    "TfKerasRelease",
    "load",
]
