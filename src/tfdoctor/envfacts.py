"""The flat map of environment facts that explain's fix templates are filled with."""

from __future__ import annotations

from tfdoctor.installers import Installer
from tfdoctor.shellwords import word as shell_word
from tfdoctor.snapshot import Distribution, Snapshot


def environment_facts(
    snapshot: Snapshot, tensorflow: Distribution | None, installer: Installer
) -> dict[str, str]:
    facts = {
        "python": snapshot.python.minor,
        "installer": installer.kind,
        "keras": snapshot.version_of("keras") or "",
        "tf_keras": snapshot.version_of("tf-keras") or "",
        "numpy": snapshot.version_of("numpy") or "",
        "protobuf": snapshot.version_of("protobuf") or "",
    }
    if tensorflow is not None:
        facts["tensorflow"] = tensorflow.version
        facts["tensorflow_dist"] = tensorflow.key
    if installer.kind != "requirements":  # a requirement set (check -r) has no interpreter
        # every command aimed at this environment (explain.facts): `uv pip install --python X`,
        # `X -m pip` for pip, conda and poetry environments (a bare `uv pip`/`python -m pip` would
        # change the environment active where the command is pasted)
        facts["target"] = shell_word(snapshot.python.executable)
    return {k: v for k, v in facts.items() if v}
