"""Importing this module registers every check rule."""

from tfdoctor.rules import (  # noqa: F401
    dependents,
    deps,
    gpu,
    install_state,
    keras_versions,
    paths,
    python_platform,
    settings,
)
