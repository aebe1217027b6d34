"""Findings about a requirement set itself, before any environment exists: a set uv cannot
resolve (TFD211) and a CUDA extra asked for on a platform without CUDA builds (TFD603). Every
other finding of ``check -r`` comes from the ordinary check rules run on the would-be
environment."""

from __future__ import annotations

from collections.abc import Sequence

from tfdoctor.finding import Finding, Group, Severity
from tfdoctor.registry import RuleInfo, register
from tfdoctor.resolve.conflict import Explanation
from tfdoctor.resolve.platforms import WouldBe
from tfdoctor.rules.base import finding

UNRESOLVABLE = register(
    RuleInfo(
        "TFD211",
        "unresolvable-set",
        "declared-conflict",
        Severity.ERROR,
        Group.DEPENDENCIES,
        "The requirement set cannot be installed together: two requirements exclude each other.",
    )
)
CUDA_PLATFORM = register(
    RuleInfo(
        "TFD603",
        "cuda-extra-platform",
        "platform-unsupported",
        Severity.ERROR,
        Group.GPU,
        "The and-cuda extra is asked for on a platform TensorFlow has no CUDA build for.",
    )
)
SET_RULES = (UNRESOLVABLE, CUDA_PLATFORM)
CUDA_EXTRA = "and-cuda"


def unresolvable(explanation: Explanation, labels: Sequence[str], target: WouldBe) -> Finding:
    kind = explanation.kind
    if kind == "python" and "has no wheel" in explanation.sentence:
        kind = "no-wheel"  # a wheel for other Pythons only, not a Requires-Python
    return finding(
        UNRESOLVABLE,
        f"the set cannot be installed on {target.label}: {explanation.sentence}",
        evidence=(
            f"uv pip compile {' '.join(labels)} --python-version {target.python} "
            f"--python-platform {target.uv_platform}",
            *explanation.details[-6:],
        ),
        why=_WHY.get(kind, _WHY["other"]),
        fix_note=_NEXT.get(kind, _NEXT["other"]),
    )


# What each kind of uv failure means, and the way out: only two requirements that exclude each
# other are a conflict ("Change one side of the conflict" said of `-e .` in a folder without a
# project, or of a release that supports no Python 3.9, pointed nowhere).
_WHY = {
    "conflict": "pip and uv refuse to install a set whose requirements exclude each other "
    "(ResolutionImpossible); installing the parts one by one instead leaves an environment in "
    "which one of the packages gets a version it was not built for.",
    "python": "The release's Requires-Python leaves this Python out: pip and uv install no "
    "release whose Requires-Python excludes the running Python, so the set does not install "
    "('requires a different Python', 'No solution found').",
    "platform": "The release has no wheel for this platform: pip finds no matching "
    "distribution, or builds it from source where the release has a source archive (a "
    "compiler and the library's headers needed; check -r builds nothing).",
    "no-wheel": "The release has no wheel for this Python or platform: pip finds no matching "
    "distribution, or builds it from source where the release has a source archive (a "
    "compiler and the library's headers needed; check -r builds nothing).",
    "missing": "pip and uv find no release to install: 'No matching distribution found'.",
    "other": "uv cannot resolve the set (its message is above); pip fails the same way.",
}
_NEXT = {
    "conflict": "Change one side of the conflict: relax or remove the pin that the other "
    "package does not accept, then run the check again.",
    "python": "Require an older release that supports this Python (the resolver picks it), or "
    "check the set for a Python the release supports (--python-version).",
    "platform": "Require a release with a wheel for this platform, leave the package out there "
    "with a marker (`; sys_platform == 'linux'`), or check for another platform.",
    "no-wheel": "Require a release with a wheel for this Python and platform, or check the set "
    "for a Python it has wheels for (--python-version).",
    "missing": "Correct the name or the version in the set, or name the index that has it "
    "(--index-url / --extra-index-url in the requirements file).",
    "other": "Correct what uv's message names, then run the check again.",
}


def cuda_extra_elsewhere(
    requirement: str, target: WouldBe, source: str, resolved: str | None, windows_gpu_last: str
) -> Finding:
    """``tensorflow[and-cuda]`` for macOS or Windows; ``resolved`` is the release uv fell back
    to when it found one (a release old enough not to have the extra); ``windows_gpu_last`` the
    knowledge base's last TensorFlow with GPU support on native Windows ("" unknown)."""
    where = "macOS" if target.system == "macos" else "native Windows"
    evidence = [f"{requirement} ({source})", f"checked for {target.label}"]
    if resolved:
        evidence.append(
            f"uv fell back to {resolved}, a release without the {CUDA_EXTRA} extra, instead of "
            "failing"
        )
    return finding(
        CUDA_PLATFORM,
        f"{requirement} asks for TensorFlow's CUDA build, which does not exist for {where}",
        evidence=tuple(evidence),
        why="The and-cuda extra pins NVIDIA's CUDA/cuDNN wheels, which TensorFlow loads only on "
        "Linux: there is no official GPU support on macOS"
        + (
            f", and TensorFlow {windows_gpu_last} was the last release with GPU support on "
            "native Windows"
            if windows_gpu_last
            else " nor on native Windows"
        )
        + ". The install fails (no CUDA wheels for the platform), or a resolver quietly picks "
        "an old TensorFlow without the extra.",
        fix_note="Drop the [and-cuda] extra on this platform (e.g. `tensorflow[and-cuda]; "
        "sys_platform == 'linux'` and `tensorflow; sys_platform != 'linux'`), or run on Linux "
        "or WSL2 for a GPU.",
    )
