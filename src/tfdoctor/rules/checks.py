"""Every check rule, listed once and explicitly (as deptry lists its violations): a rule runs
when it is here. ``tests/test_architecture.py`` fails when a ``@check`` function is missing."""

from tfdoctor.rules import (
    dependents,
    deps,
    gpu,
    install_state,
    keras_versions,
    paths,
    python_platform,
    settings,
)
from tfdoctor.rules.base import CheckFunction

CHECKS: tuple[CheckFunction, ...] = (
    dependents.dependent_packages,
    deps.numpy_range,
    deps.protobuf_range,
    deps.declared_requirements,
    gpu.cuda_wheels,
    gpu.nvidia_driver,
    gpu.cuda_wheels_cpu_build,
    gpu.windows_native_gpu,
    install_state.overlapping,
    install_state.duplicate_metadata,
    install_state.tilde_leftovers,
    install_state.broken_distributions,
    install_state.mixed_installers,
    keras_versions.keras_line,
    keras_versions.tf_keras_version,
    keras_versions.not_installed,
    paths.shadowed,
    python_platform.python_version,
    python_platform.requires_python,
    python_platform.cpu_features,
    settings.keras_backend,
    settings.legacy_keras,
    settings.keras_json,
)
