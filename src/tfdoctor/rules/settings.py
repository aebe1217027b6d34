"""TFD5xx: settings that change which Keras or backend is used."""

from __future__ import annotations

from collections.abc import Iterator

from tfdoctor.finding import Finding, Group, Remedy, Severity
from tfdoctor.registry import RuleInfo
from tfdoctor.rules.base import Context, check, finding
from tfdoctor.shellwords import word as shell_word

BACKEND = RuleInfo(
    "TFD501",
    "keras-backend",
    "backend-misconfigured",
    Severity.ERROR,
    Group.KERAS,
    "KERAS_BACKEND or keras.json selects a backend that is not installed or not valid.",
)
LEGACY = RuleInfo(
    "TFD502",
    "legacy-keras-without-tf-keras",
    "tf-keras-mismatch",
    Severity.ERROR,
    Group.KERAS,
    "TF_USE_LEGACY_KERAS asks for tf-keras, which is not installed.",
)
CONFIG = RuleInfo(
    "TFD503",
    "keras-json-invalid",
    "backend-misconfigured",
    Severity.WARNING,
    Group.KERAS,
    "~/.keras/keras.json cannot be read, so Keras silently ignores it.",
)

# Keras 3's backends and the distribution each one needs.
BACKEND_NEEDS = {
    "tensorflow": "tensorflow",
    "jax": "jax",
    "torch": "torch",
    "numpy": "",
    "openvino": "openvino",
}


def _keras3(ctx: Context) -> bool:
    keras = ctx.snapshot.get("keras") or ctx.snapshot.get("keras-nightly")
    version = keras.parsed_version if keras else None
    return version is not None and version.major >= 3


def _backend(ctx: Context) -> tuple[str, str]:
    env = ctx.snapshot.environ.get("KERAS_BACKEND")
    if env:
        return env, "KERAS_BACKEND"
    config = ctx.snapshot.keras_config
    if config.content and isinstance(config.content.get("backend"), str):
        return config.content["backend"], config.path
    return "tensorflow", ""


@check(BACKEND)
def keras_backend(ctx: Context) -> Iterator[Finding]:
    if not _keras3(ctx):
        return
    backend, source = _backend(ctx)
    if not source:
        return
    keras = ctx.snapshot.get("keras") or ctx.snapshot.get("keras-nightly")
    setting = (
        f"KERAS_BACKEND={backend}"
        if source == "KERAS_BACKEND"
        else f'"backend": "{backend}" in {source}'
    )
    remedies = (Remedy("unsetenv", "KERAS_BACKEND"),) if source == "KERAS_BACKEND" else ()
    unset = remedies[0].shell() if remedies else f'edit {source}: set "backend" to "tensorflow"'
    if backend not in BACKEND_NEEDS:
        yield finding(
            BACKEND,
            f"{setting} names no Keras backend",
            evidence=(setting, f"valid: {', '.join(BACKEND_NEEDS)}"),
            why="`import keras` raises ValueError: Unable to import backend.",
            fix=(unset,),
            remedies=remedies,
        )
        return
    needed = BACKEND_NEEDS[backend]
    if backend == "tensorflow":
        return  # the default backend: a missing TensorFlow is TFD103's finding
    if not needed or ctx.snapshot.get(needed) is not None:
        return
    yield finding(
        BACKEND,
        f"{setting}, but {needed} is not installed",
        evidence=(
            setting,
            f"keras {keras.version if keras else '?'} (Keras 3 reads this setting)",
            f"no {needed} distribution on sys.path",
        ),
        why=f"`import keras` fails with ModuleNotFoundError: No module named '{needed}'.",
        fix=(unset,),
        fix_note=f"Or install the backend: {ctx.installer.install(needed)}",
        remedies=remedies,
    )


@check(LEGACY)
def legacy_keras(ctx: Context) -> Iterator[Finding]:
    value = ctx.snapshot.environ.get("TF_USE_LEGACY_KERAS")
    tf = ctx.tensorflow
    release = ctx.tf_release
    on = ctx.kb.legacy_keras_switch(ctx.snapshot.environ)
    if not on or tf is None or release is None or release.keras_line < 3:
        return
    if ctx.snapshot.get("tf-keras") or ctx.snapshot.get("tf-keras-nightly"):
        return
    wanted = f"tf-keras{ctx.kb.tf_keras_requirement(tf.version)}"
    yield finding(
        LEGACY,
        f"TF_USE_LEGACY_KERAS={value} but tf-keras is not installed",
        evidence=(
            f"TF_USE_LEGACY_KERAS={value}",
            f"{tf.name} {tf.version}",
            "tf-keras: not installed",
        ),
        why="With this setting tf.keras loads tf_keras (Keras 2). Without it TensorFlow warns "
        "'Your environment has TF_USE_LEGACY_KERAS set to True, but you do not have the "
        "tf_keras package installed' and the first use of tf.keras raises 'ImportError: Keras "
        "cannot be imported. Check that it is installed.'",
        fix=(ctx.install_command(wanted),),
        remedies=ctx.install_remedies(wanted, reason="what TF_USE_LEGACY_KERAS loads"),
        fix_note="Or drop the setting to use Keras 3: unset TF_USE_LEGACY_KERAS",
    )


@check(CONFIG)
def keras_json(ctx: Context) -> Iterator[Finding]:
    config = ctx.snapshot.keras_config
    if not config.exists or not config.error:
        return
    yield finding(
        CONFIG,
        f"{config.path} is not valid JSON, so Keras ignores it",
        evidence=(config.error,),
        why="Keras falls back to its defaults without a word: the backend, float type and image "
        "format you set there are not used.",
        fix=(f"mv {shell_word(config.path)} {shell_word(config.path)}.bak",),
        fix_note="Keras writes a fresh default file on its next import.",
    )
