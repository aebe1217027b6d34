"""TFD6xx: the NVIDIA driver and CUDA/cuDNN libraries fit the TensorFlow build."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Optional

from tfdoctor.finding import Finding, Group, Severity, installs
from tfdoctor.kb.model import Fact
from tfdoctor.registry import RuleInfo
from tfdoctor.rules.base import Context, check, finding
from tfdoctor.rules.claims import claimed
from tfdoctor.rules.declared import Violation
from tfdoctor.version import InvalidVersion, Version

CUDA_WHEELS = RuleInfo(
    "TFD601",
    "cuda-wheels",
    "cuda-mismatch",
    Severity.ERROR,
    Group.GPU,
    "The nvidia-* CUDA/cuDNN wheels do not match what the TensorFlow build declares.",
)
DRIVER = RuleInfo(
    "TFD602",
    "nvidia-driver",
    "cuda-mismatch",
    Severity.ERROR,
    Group.GPU,
    "The NVIDIA driver is older than the CUDA version TensorFlow was built with needs.",
)

WINDOWS_GPU = RuleInfo(
    "TFD604",
    "windows-native-gpu",
    "platform-unsupported",
    Severity.INFO,
    Group.GPU,
    "On native Windows, TensorFlow after 2.10 runs on the CPU only (no GPU support there).",
)

# Minimum Linux driver per CUDA major (CUDA toolkit release notes, "CUDA Toolkit and Corresponding
# Driver Versions": https://docs.nvidia.com/cuda/cuda-toolkit-release-notes/index.html#id5).


@check(CUDA_WHEELS)
def cuda_wheels(ctx: Context) -> Iterator[Finding]:
    by_requirer: dict[str, list[Violation]] = {}
    for v in claimed(ctx.declared.violations, ctx.kb, CUDA_WHEELS.code):
        by_requirer.setdefault(v.requirer.key, []).append(v)
    for violations in by_requirer.values():
        yield _cuda_finding(ctx, violations)


def _cuda_finding(ctx: Context, violations: list[Violation]) -> Finding:
    requirer = violations[0].requirer
    is_tf = requirer.key in ctx.kb.tf_variants()
    wrong = [v for v in violations if not v.missing]
    missing = [v for v in violations if v.missing]
    parts = []
    if wrong:
        parts.append(f"{len(wrong)} of the wrong version")
    if missing:
        parts.append(f"{len(missing)} missing")
    specs = [str(v.requirement).split(";")[0].strip() for v in violations]
    release = ctx.tf_release
    built = (
        [f"TensorFlow {release.minor} is built with CUDA {release.cuda}, cuDNN {release.cudnn}"]
        if is_tf and release is not None and release.cuda
        else []
    )
    resolver = ctx.for_dist(requirer).install(f"{requirer.key}[and-cuda]=={requirer.version}")
    return finding(
        CUDA_WHEELS,
        f"the CUDA/cuDNN wheels do not match {requirer.name} {requirer.version}: "
        + " and ".join(parts),
        evidence=(*built, *[v.describe() for v in violations]),
        why="TensorFlow loads the CUDA/cuDNN libraries of these wheels at import; with another "
        "version or one missing it falls back to the CPU ('Could not load dynamic library', "
        "'Cannot dlopen some GPU libraries') or fails with a cuDNN version error.",
        fix=(ctx.for_dist(requirer).install(*specs),),
        remedies=installs(*specs, reason=f"the CUDA/cuDNN wheels {requirer.name} declares"),
        fix_note=f"Or let the resolver pick them: {resolver}" if is_tf else "",
    )


@check(DRIVER)
def nvidia_driver(ctx: Context) -> Iterator[Finding]:
    driver = ctx.snapshot.platform.nvidia_driver
    release = ctx.tf_release
    tf = ctx.tensorflow
    if not driver or release is None or tf is None or not release.cuda:
        return
    if tf.key.endswith("-cpu"):
        return  # a CPU-only build loads no CUDA library: the driver does not matter to it
    minimum = ctx.kb.cuda_driver_minimum(release.cuda)
    try:
        too_old = bool(minimum) and Version(driver) < Version(minimum)
    except InvalidVersion:
        return
    if not too_old:
        return
    yield finding(
        DRIVER,
        f"NVIDIA driver {driver} is too old for CUDA {release.cuda} (TensorFlow {tf.version})",
        evidence=(
            f"driver {driver} (/proc/driver/nvidia/version)",
            f"TensorFlow {release.minor} is built with CUDA {release.cuda}, cuDNN {release.cudnn}",
            f"CUDA {release.cuda.split('.')[0]} needs driver >= {minimum}",
        ),
        why="TensorFlow finds no usable GPU and runs on the CPU ('CUDA driver version is "
        "insufficient for CUDA runtime version').",
        fix_note=f"Update the NVIDIA driver to {minimum} or newer.",
    )


def windows_gpu_ended(ctx: Context) -> str:
    """On native Windows with a TensorFlow after the last release with GPU support there: that
    release ("2.10"); "" everywhere else."""
    fact = _windows_gpu_fact(ctx)
    return str(fact.value) if fact is not None else ""


def _windows_gpu_fact(ctx: Context) -> Optional[Fact]:
    """The knowledge base's last release with GPU support on native Windows, when the target
    is native Windows with a TensorFlow after it; None everywhere else."""
    tf = ctx.tensorflow
    if tf is None or ctx.snapshot.platform.system != "Windows":
        return None
    fact = ctx.kb.platform_fact("windows_native_gpu_last")
    if fact is None:
        return None
    try:
        after = Version(tf.version).release[:2] > Version(str(fact.value)).release[:2]
    except InvalidVersion:
        return None
    return fact if after else None


@check(WINDOWS_GPU)
def windows_native_gpu(ctx: Context) -> Iterator[Finding]:
    """A fact, not a fault: on native Windows, TensorFlow releases after the last one with GPU
    support there run on the CPU whatever GPU, driver or CUDA the machine has. Said once, so that
    nobody installs CUDA and cuDNN for it."""
    fact = _windows_gpu_fact(ctx)
    tf = ctx.tensorflow
    if fact is None or tf is None:
        return
    last = str(fact.value)
    yield finding(
        WINDOWS_GPU,
        f"TensorFlow {tf.version} has no GPU support on native Windows: it runs on the CPU",
        evidence=(
            f"{tf.name} {tf.version} in {tf.location}",
            f"platform: {ctx.snapshot.platform.system} {ctx.snapshot.platform.machine}",
            f"TensorFlow {last} was the last release with GPU support on native Windows "
            f"(source: {fact.source})",
        ),
        why="tf.config.list_physical_devices('GPU') returns [] and training runs on the CPU; "
        "installing CUDA or cuDNN on Windows does not change it.",
        fix_note=f"To use an NVIDIA GPU, run TensorFlow inside WSL2 (pip install "
        f'"tensorflow[and-cuda]" there), or install TensorFlow {last} ("tensorflow<'
        f'{_next_minor(last)}"{_release_needs(ctx, last)}) on native Windows.',
    )


def _release_needs(ctx: Context, minor: str) -> str:
    """What a TensorFlow minor needs, from the knowledge base: ", Python 3.7-3.10, CUDA 11.2,
    cuDNN 8.1"; "" when it does not know the minor."""
    release = ctx.kb.tensorflow(minor)
    if release is None:
        return ""
    parts = []
    if release.pythons:
        first, last = release.pythons[0], release.pythons[-1]
        parts.append(f"Python {first}-{last}" if first != last else f"Python {first}")
    if release.cuda:
        parts.append(f"CUDA {release.cuda}")
    if release.cudnn:
        parts.append(f"cuDNN {release.cudnn}")
    return "".join(f", {part}" for part in parts)


def _next_minor(version: str) -> str:
    major, minor = Version(version).release[:2]
    return f"{major}.{minor + 1}"
