"""TFD12x/13x: the Python version and the platform can run the installed TensorFlow."""

from __future__ import annotations

from collections.abc import Iterator

from tfdoctor.finding import Finding, Group, Severity
from tfdoctor.rules.base import Context, check, finding
from tfdoctor.rules.registry import RuleInfo

PYTHON = RuleInfo(
    "TFD120",
    "python-version",
    "python-unsupported",
    Severity.ERROR,
    Group.PYTHON,
    "This Python version has no TensorFlow release for what is installed or asked for.",
)
CPU = RuleInfo(
    "TFD130",
    "cpu-features",
    "platform-unsupported",
    Severity.ERROR,
    Group.PYTHON,
    "The CPU lacks instructions (AVX) that the TensorFlow build uses.",
)


@check(PYTHON)
def python_version(ctx: Context) -> Iterator[Finding]:
    snap = ctx.snapshot
    minor = snap.python.minor
    tf = ctx.tensorflow
    release = ctx.tf_release
    if tf is not None and release is not None and release.pythons and minor not in release.pythons:
        newest = ctx.kb.newest_tensorflow_for_python(minor)
        yield finding(
            PYTHON,
            f"TensorFlow {tf.version} has no build for Python {minor}",
            evidence=(
                f"Python {snap.python.version} at {snap.python.executable}",
                f"TensorFlow {release.minor} supports Python {', '.join(release.pythons)}",
            ),
            why="Its compiled modules were built for other Python versions: import fails.",
            fix=(ctx.installer.install(f"{tf.key}=={newest.version}"),) if newest else (),
            fix_note=""
            if newest
            else "Use a Python that TensorFlow supports: tfdoctor new DIR --python 3.12",
        )
        return
    if tf is None and ctx.kb.newest_tensorflow_for_python(minor) is None:
        supported = ctx.kb.supported_pythons()
        yield finding(
            PYTHON,
            f"no TensorFlow release supports Python {minor}",
            evidence=(
                f"Python {snap.python.version} at {snap.python.executable}",
                f"TensorFlow releases exist for Python {supported[0]} to {supported[-1]}"
                if supported
                else "",
            ),
            why="pip finds no matching distribution: `pip install tensorflow` fails with "
            "'No matching distribution found for tensorflow'.",
            fix=(f"tfdoctor new ./tf-env --python {supported[-1]}",) if supported else (),
            fix_note="Create the environment with a supported Python.",
        )


@check(CPU)
def cpu_features(ctx: Context) -> Iterator[Finding]:
    snap = ctx.snapshot
    tf = ctx.tensorflow
    flags = snap.platform.cpu_flags
    if tf is None or flags is None or snap.platform.machine.lower() not in ("x86_64", "amd64"):
        return
    if "avx" in flags:
        return
    yield finding(
        CPU,
        f"this CPU has no AVX instructions, which TensorFlow {tf.version}'s x86-64 build requires",
        evidence=(f"CPU flags: {' '.join(flags) or '(none of avx, avx2, fma, sse4)'}",),
        why="`import tensorflow` dies with 'Illegal instruction (core dumped)'.",
        fix_note="Use a machine with AVX, or a TensorFlow built from source without AVX.",
    )
