"""Spellings of TensorFlow's dotted names (shared by explain and the knowledge-base commands)."""

from __future__ import annotations

# TensorFlow builds its public modules under tensorflow._api.vN and tensorflow.compat.v2
# (TensorFlow 1.15-2.1 installed itself as tensorflow_core, which is folded first)
_TF_SPELLINGS = (
    "tensorflow._api.v2.compat.v2.",
    "tensorflow._api.v1.compat.v2.",
    "tensorflow._api.v2.",
    "tensorflow._api.v1.",
    "tensorflow.compat.v2.",
)


def normalize_tf_name(name: str) -> str:
    """One spelling of a TensorFlow name: ``tensorflow._api.v2.compat.v2.__internal__.x`` and
    ``tensorflow.compat.v2.__internal__.x`` are both ``tensorflow.__internal__.x``, and so is
    TensorFlow 2.0-2.1's ``tensorflow_core._api.v2.compat.v2.__internal__.x``."""
    if name.startswith("tensorflow_core."):
        name = "tensorflow." + name[len("tensorflow_core.") :]
    for prefix in _TF_SPELLINGS:
        if name.startswith(prefix):
            return "tensorflow." + name[len(prefix) :]
    return name
