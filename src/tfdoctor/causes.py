"""The root-cause vocabulary (shared/causes.md). Part of the public JSON interface: never rename."""

from __future__ import annotations

CAUSES: dict[str, str] = {
    "keras-version-mismatch": "the installed keras is not the line the installed TensorFlow expects",
    "tf-keras-mismatch": "tf-keras is missing where needed or its major.minor differs from TensorFlow's",
    "dependent-package-incompatible": "another package of the stack needs a TensorFlow or Keras "
    "that is not the installed one",
    "mixed-keras-objects": "code combines objects from different Keras implementations",
    "removed-api": "code uses a TensorFlow/Keras API that the installed version no longer has",
    "numpy-incompatible": "the installed NumPy is outside what the installed TensorFlow supports",
    "protobuf-incompatible": "the installed protobuf is outside what TensorFlow supports",
    "cuda-mismatch": "driver, CUDA or cuDNN do not match the TensorFlow build",
    "duplicate-distribution": "two distributions provide the same top-level package",
    "broken-install": "leftovers of an interrupted install or uninstall",
    "shadowed-module": "an import would load something other than the installed distribution",
    "python-unsupported": "the Python version has no supported TensorFlow (or Keras) release",
    "platform-unsupported": "the OS, CPU architecture or CPU features are not supported",
    "backend-misconfigured": "KERAS_BACKEND or keras.json selects a backend that is not usable",
    "model-format": "a saved model's format does not match what the installed Keras can load",
    "mixed-installers": "pip (or uv) and conda both manage packages of the stack",
    "declared-conflict": "an installed package's declared requirement is not met",
    "not-installed": "TensorFlow or Keras (or a required dependency) is not installed",
}


def check_cause(cause: str) -> str:
    if cause not in CAUSES:
        raise ValueError(
            f"unknown cause {cause!r}: add it to shared/causes.md through an issue first"
        )
    return cause
