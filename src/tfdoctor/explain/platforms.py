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
