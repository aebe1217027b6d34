"""TFD6xx: the NVIDIA driver and CUDA/cuDNN libraries fit the TensorFlow build."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Optional

from tfdoctor.finding import Finding, Group, Severity, installs, uninstalls
from tfdoctor.kb.model import Fact
from tfdoctor.pep508 import canonical, parse
from tfdoctor.registry import RuleInfo
from tfdoctor.rules.base import Context, check, finding
from tfdoctor.rules.claims import claimed
from tfdoctor.rules.declared import Violation
from tfdoctor.snapshot import Distribution
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

CPU_BUILD_CUDA = RuleInfo(
    "TFD605",
    "cuda-wheels-cpu-build",
    "cuda-mismatch",
    Severity.WARNING,
    Group.GPU,
    "nvidia-* CUDA/cuDNN wheels are installed beside a TensorFlow built without CUDA.",
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


def not_cuda(ctx: Context) -> bool:
    """The TensorFlow that imports is built without CUDA: as its build_info.py says, or, where
    that is unknown, as its name says (tensorflow-cpu)."""
    cuda = ctx.cuda_build
    if cuda is not None:
        return not cuda
    read = ctx.snapshot.tensorflow_build
    if read is not None and not read.error and read.is_cuda_build:
        # the files `import tensorflow` loads say CUDA, though whose they are is unknown (two
        # distributions in one folder, TFD301): not CPU-only, whatever the name
        return False
    tf = ctx.tensorflow
    return tf is not None and tf.key.endswith("-cpu")


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
    if not_cuda(ctx):
        return  # a CPU-only build loads no CUDA library: the driver does not matter to it
    minimum = driver_too_old(ctx, release.cuda)
    if not minimum:
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


# NVIDIA's CUDA/cuDNN wheels: nvidia-cudnn-cu12, nvidia-cuda-runtime-cu11, ...
CUDA_WHEEL = re.compile(r"nvidia-[a-z0-9-]+-cu\d+")


def unused_cuda_wheels(ctx: Context) -> list[Distribution]:
    """The CUDA/cuDNN wheels beside a TensorFlow known to be built without CUDA that no other
    installed package names among its requirements (PyTorch's or JAX's own stay unsaid)."""
    if ctx.cuda_build is not False:
        return []
    wheels = {
        key: dists[0]
        for key, dists in ctx.snapshot.by_name.items()
        if CUDA_WHEEL.fullmatch(key) and not dists[0].error
    }
    if not wheels:
        return []
    variants = ctx.kb.tf_variants()

    def named(dist: Distribution) -> set[str]:
        """Every name ``dist`` requires, in any extra and on any platform."""
        return {canonical(r.name) for line in dist.requires_dist if (r := parse(line))}

    wanted = [
        name
        for d in ctx.snapshot.distributions
        if d.key not in variants and d.key not in wheels and not d.error
        for name in named(d)
    ]
    needed: set[str] = set()
    while wanted:
        name = wanted.pop()
        if name in wheels and name not in needed:
            needed.add(name)
            wanted.extend(named(wheels[name]))
    return [dist for key, dist in sorted(wheels.items()) if key not in needed]


def driver_too_old(ctx: Context, cuda: str) -> str:
    """The oldest driver CUDA ``cuda`` runs on when this machine's NVIDIA driver is older; ""
    when it is not (or either is unknown)."""
    driver = ctx.snapshot.platform.nvidia_driver
    minimum = ctx.kb.cuda_driver_minimum(cuda) if driver and cuda else ""
    try:
        return minimum if minimum and Version(driver or "") < Version(minimum) else ""
    except InvalidVersion:
        return ""


def gpu_route(ctx: Context, tf: Distribution) -> bool:
    """The CUDA build of the same release is worth installing instead of ``tf``: it is offered
    (cuda_switch_offered), and the machine has an NVIDIA driver new enough for its CUDA (check's
    fix and fix's plan both follow this)."""
    if not cuda_switch_offered(ctx, tf) or not ctx.snapshot.platform.nvidia_driver:
        return False
    release = ctx.tf_release
    return not driver_too_old(ctx, release.cuda if release is not None else "")


@check(CPU_BUILD_CUDA)
def cuda_wheels_cpu_build(ctx: Context) -> Iterator[Finding]:
    """nvidia-* wheels beside tensorflow-cpu: they suggest a GPU was wanted, and TensorFlow
    never loads them. The build is read from build_info.py, never guessed from the name."""
    tf, build = ctx.tensorflow, ctx.tf_build
    wheels = unused_cuda_wheels(ctx)
    if tf is None or build is None or not wheels:
        return
    names = [w.key for w in wheels]
    them = "them" if len(names) > 1 else "it"
    remove = (ctx.for_dist(wheels[0]).uninstall(*names),)
    plain = f"tensorflow[and-cuda]=={tf.version}"
    switch = (ctx.for_dist(tf).uninstall(tf.key), ctx.for_dist(tf).install(plain))
    if gpu_route(ctx, tf):
        fix: tuple[str, ...] = switch
        remedies = (
            *uninstalls(tf.key, reason="the build without CUDA"),
            *installs(plain, reason="the CUDA build of the same release"),
        )
        note = f"Or, for TensorFlow on the CPU only, remove the wheels: {remove[0]}"
    else:
        fix = remove
        remedies = uninstalls(*names, reason=f"{tf.name} never loads it")
        note = _gpu_way(ctx, tf, switch)
    yield finding(
        CPU_BUILD_CUDA,
        f"{len(names)} CUDA/cuDNN wheel{'s' if len(names) > 1 else ''} beside {tf.name} "
        f"{tf.version}, which is built without CUDA: TensorFlow never uses {them}",
        evidence=(
            f"{tf.name} {tf.version}: is_cuda_build is False in {build.path}",
            *[f"{w.name} {w.version} in {w.location}" for w in wheels],
        ),
        why=f"TensorFlow never uses {them}: {tf.name} is built without CUDA, so it runs on the "
        "CPU whatever CUDA libraries are installed (tf.config.list_physical_devices('GPU') "
        "returns []).",
        fix=fix,
        fix_note=note,
        remedies=remedies,
    )


def cuda_switch_offered(ctx: Context, tf: Distribution) -> bool:
    """The same release of plain `tensorflow[and-cuda]` is the GPU build: on Linux, for a
    variant (tensorflow-cpu) whose release declares the and-cuda extra."""
    return (
        ctx.snapshot.platform.system == "Linux"
        and tf.key != "tensorflow"
        and "and-cuda" in tf.provides_extra
    )


def _gpu_way(ctx: Context, tf: Distribution, switch: tuple[str, str]) -> str:
    """The way to a GPU build where the fix removes the wheels, or why there is none."""
    system = ctx.snapshot.platform.system
    if cuda_switch_offered(ctx, tf):
        release = ctx.tf_release
        cuda = f" (CUDA {release.cuda}, cuDNN {release.cudnn})" if release and release.cuda else ""
        driver = ctx.snapshot.platform.nvidia_driver
        minimum = driver_too_old(ctx, release.cuda if release is not None else "")
        if minimum:
            needs = f"with an NVIDIA driver {minimum} or newer: this machine's is {driver}"
        else:
            needs = "only with an NVIDIA driver: this machine shows none"
        return (
            f"For TensorFlow on the GPU ({needs}), "
            f"replace {tf.name} with the CUDA build of the same release{cuda}: "
            f"{switch[0]} && {switch[1]}"
        )
    if system == "Darwin":
        return "There is no CUDA build of TensorFlow for macOS."
    last = windows_gpu_ended(ctx)
    if last:
        return (
            f"There is no CUDA build of TensorFlow {tf.version} for native Windows (TensorFlow "
            f"{last} was the last with GPU support there): run it in WSL2 for the GPU."
        )
    return ""


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
