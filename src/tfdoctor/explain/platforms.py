"""pip found no release of a package at all: for this Python, or for this platform?

``No matching distribution found for tensorflow-text`` says only that none of the package's files
fits the interpreter that asked. Which of two causes that is the knowledge base can tell for the
packages whose wheels it records (declared.json, read from the registry): when the text shows the
platform (a Windows path or prompt, macOS, an ARM board) and none of the package's recent
releases has a wheel for it, or when those releases have no Windows wheel at all and the text
shows nothing else, the platform is the cause (platform-unsupported) rather than the Python
(python-unsupported, what the message means for TensorFlow itself on a new Python).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from tfdoctor.explain import knowledge
from tfdoctor.pep508 import canonical

_REQUESTED = re.compile(
    r"(?:No matching distribution found for|satisfies the requirement) ([A-Za-z0-9][\w.-]{0,100})"
)
# What a text shows of the machine, in the '/'-separated form of its lines: the platform
# families of declared.json's wheel platforms ("windows-x86_64", "macos-arm64", "linux-aarch64").
# Only what a machine prints (paths, prompts, wheel tags, uname), not prose ("I also tried on
# Windows") or environment markers (platform_system == "Windows"), which name other machines.
_SHOWN: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "windows",
        re.compile(
            r"(?:^|[\s\"'(>])[A-Za-z]:/(?:Users|Program|Python|ProgramData|Anaconda|Miniconda|tools|[\w.-]{1,60}/)|win_amd64|\bwin32\b|\bPS [A-Z]:/"
        ),
    ),
    (
        "macos",
        re.compile(
            r"(?<!== [\"'])\b[Dd]arwin\b|\bmacOS\b|\bMac ?OS\b|/opt/homebrew/"
            r"|\bApple M\d|(?<![A-Za-z]:)(?<![\w.])/Users/"
        ),
    ),
    ("linux-aarch64", re.compile(r"\baarch64\b|\b[Jj]etson\b")),
    ("linux-armv7", re.compile(r"\barmv[67]l?\b|[Rr]aspberry ?[Pp]i")),
    (
        "linux-x86_64",
        re.compile(
            r"(?<![\w.])/home/|(?<![\w.])/usr/(?:local/)?lib/python|\b\w{1,32}@[\w.-]{1,64}:[~/]"
            r"|\bmanylinux|\blinux_x86_64\b"
        ),
    ),
)


class NoWheel(NamedTuple):
    package: str
    platform: str  # the platform family the text shows, "" when it shows none
    has: tuple[str, ...]  # the platforms the package's recent releases have wheels for
    # the TensorFlow distribution whose requirement it is ("... (from tensorflow)"), "" when none
    required_by: str = ""


# "requirement tensorflow-io-gcs-filesystem>=0.23.1 (from tensorflow) (from versions: none)": pip
# resolved TensorFlow itself for this interpreter, so its Python is one TensorFlow supports
# (pip listing releases it did find, "(from versions: 0.34.0, ...)", means the pin, not the
# machine, excludes them: only "none" or no list at all counts)
_FROM_TENSORFLOW = re.compile(
    r"satisfies the requirement ([A-Za-z0-9][\w.-]{0,100})[^()\n]{0,60}"
    r"\(from (tensorflow(?:-cpu|-gpu|-macos|-intel)?|tf-nightly)(?:[=<>!~][^)\n]{0,40})?\)"
    r"(?! {0,3}\(from versions: (?!none\)))"
)
_TF_DISTRIBUTIONS = frozenset({"tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tf-nightly"})


def shown_platform(text: str) -> str:
    """The one platform family the text shows ("windows", "macos", "linux-aarch64",
    "linux-armv7", "linux-x86_64"); "" when it shows none, or several (a Linux prompt inside
    WSL beside a Windows path: which machine ran pip is not said)."""
    return _one(_shown(text))


def _shown(text: str) -> list[str]:
    return [family for family, pattern in _SHOWN if pattern.search(text)]


def _one(shown: list[str]) -> str:
    if len(shown) == 2 and "linux-x86_64" in shown and shown != ["windows", "linux-x86_64"]:
        # an ARM board's prompt (pi@raspberrypi:~) looks like any Linux prompt
        return next(family for family in shown if family != "linux-x86_64")
    return shown[0] if len(shown) == 1 else ""


def no_wheel_for_platform(line: str, context: str) -> NoWheel | None:
    """The package pip found nothing of, when its recent releases have no wheel for the platform
    the text shows (or, the text showing no machine at all, no Windows wheel); None otherwise."""
    found = _REQUESTED.search(line)
    if found is None:
        return None
    package = canonical(found.group(1).rstrip("."))
    if package not in _TF_DISTRIBUTIONS:
        for dependency in _FROM_TENSORFLOW.finditer(context):
            if canonical(dependency.group(1).rstrip(".")) == package:
                has = knowledge.wheel_platforms(package)
                return NoWheel(package, _one(_shown(context)), has, dependency.group(2))
    has = knowledge.wheel_platforms(package)
    if not has:
        return None  # unknown to the knowledge base, or pure Python: wheels for every platform
    shown = _shown(context)
    platform = _one(shown)
    if platform and not any(p.startswith(platform) for p in has):
        return NoWheel(package, platform, has)
    if not shown and not any(p.startswith("windows") for p in has):
        return NoWheel(package, "", has)
    return None


# ----- "X.whl is not a supported wheel on this platform": which of the wheel's tags misfits ------
# A wheel's file name carries the Python it was built for (cp36: CPython 3.6) and its platform
# (linux_aarch64, win_amd64); pip says the same words whichever does not fit. What the text shows
# of the machine (a path's pythonX.Y, a banner, `arch` output, a Windows prompt), read after the
# message as well, tells which.
_WHEEL = re.compile(
    r"(?<![\w.-])[A-Za-z0-9][\w.]{0,100}-\d[\w.!+]{0,40}(?:-\d\w{0,20})?"
    r"-((?:cp|py|pp)\d[\w.]{0,40})-\w[\w.]{0,40}-(\w[\w.]{0,200})\.whl\b"
)
_ANY_WHEEL = re.compile(r"\S{0,300}\.whl\b")
_SHOWN_PYTHON = re.compile(r"\b[Pp]ython ?([23])\.(\d{1,2})\b|\b[Pp]ython([23])(\d{1,2})\b")


class WheelTags(NamedTuple):
    file: str
    pythons: tuple[str, ...]  # ("3.6",) for cp36; () when the tag fits any minor (py3, py2.py3)
    platform: str  # the platform family of _SHOWN; "" for "any" or a tag not placed here


class WheelMisfit(NamedTuple):
    cause: str  # "python" or "platform"
    detail: str


def wheel_tags(line: str) -> WheelTags | None:
    found = _WHEEL.search(line)
    if found is None:
        return None
    pythons = tuple(
        f"{tag[2]}.{tag[3:]}"
        for tag in found.group(1).split(".")
        if tag.startswith("cp") and len(tag) >= 4 and tag[2:].isdigit()
    )
    return WheelTags(found.group(0), pythons, _platform_of_tag(found.group(2)))


def _platform_of_tag(tag: str) -> str:
    tag = tag.lower()
    if tag.startswith("win"):
        return "windows"
    if tag.startswith("macosx"):
        return "macos"
    if not tag.startswith(("linux", "manylinux", "musllinux")):
        return ""
    if tag.endswith("aarch64"):
        return "linux-aarch64"
    if tag.endswith(("armv7l", "armv6l")):
        return "linux-armv7"
    if tag.endswith(("x86_64", "i686")):
        return "linux-x86_64"
    return ""


def wheel_misfit(wheel: WheelTags, context: str, python: str) -> WheelMisfit | None:
    """Which of the wheel's tags the text shows not to fit ("python" before "platform"); None
    when the text shows neither the Python nor the machine (pip's words alone say no more)."""
    shown_text = _ANY_WHEEL.sub(" ", context)  # the wheel's own tags are not the machine
    pythons = {f"{m[0] or m[2]}.{m[1] or m[3]}" for m in _SHOWN_PYTHON.findall(shown_text)}
    if python:
        pythons.add(python)
    platform = _one(_shown(shown_text))
    if wheel.pythons and len(pythons) == 1 and not pythons & set(wheel.pythons):
        return WheelMisfit(
            "python",
            f"{wheel.file} is built for Python {', '.join(wheel.pythons)}; the text shows"
            f" Python {next(iter(pythons))}",
        )
    if wheel.platform and platform and not platform.startswith(wheel.platform):
        return WheelMisfit(
            "platform",
            f"{wheel.file} is built for {wheel.platform}; the text shows {platform}",
        )
    if wheel.pythons and wheel.platform and platform and platform.startswith(wheel.platform):
        return WheelMisfit(
            "python",
            f"{wheel.file} is built for {wheel.platform}, the machine the text shows: its Python"
            f" tag ({', '.join(wheel.pythons)}) is what does not fit",
        )
    if wheel.platform and len(pythons) == 1 and pythons & set(wheel.pythons):
        return WheelMisfit(
            "platform",
            f"{wheel.file} is built for Python {next(iter(pythons))}, the one the text shows: its"
            f" platform ({wheel.platform}) is what does not fit",
        )
    return None
