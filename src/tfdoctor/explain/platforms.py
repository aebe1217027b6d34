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
# of the machine (a path's pythonX.Y, a banner, `arch` output, a Windows prompt), before the
# message and after it, tells which. The tags are read as pip reads them: cp37-abi3 is CPython 3.7
# and later, py3 any Python 3.
_WHEEL = re.compile(
    r"(?<![\w.-])[A-Za-z0-9][\w.]{0,100}-\d[\w.!+]{0,40}(?:-\d\w{0,20})?"
    r"-((?:cp|py|pp)\d[\w.]{0,40})-(\w[\w.]{0,40})-(\w[\w.]{0,200})\.whl\b"
)
_ANY_WHEEL = re.compile(r"\S{0,300}\.whl\b")
_SHOWN_PYTHON = re.compile(r"\b[Pp]ython ?([23])\.(\d{1,2})\b|\b[Pp]ython([23])(\d{1,2})\b")
_PYTHON_TAG = re.compile(r"(cp|py|pp)(\d)(\d{0,2})")
# the families of _SHOWN that name the CPU too: a Windows path or a Mac does not show whether the
# Python is 32-bit (win32) or 64-bit (win_amd64), arm64 or x86_64 (Rosetta)
_WITH_CPU = ("linux-",)


class WheelTags(NamedTuple):
    file: str
    python_tag: str  # "cp36", "py2.py3", "cp37" (with the abi3 ABI: CPython 3.7 and later)
    abi: str  # "cp36m", "abi3", "none"
    platform_tag: str  # "win_amd64", "manylinux2014_x86_64", "any"
    platform: str  # the platform family of _SHOWN; "" for "any" or a tag not placed here

    def _cpython_tags(self) -> list[tuple[str, int, int | None]]:
        """(kind, major, minor) of each tag that speaks of CPython: PyPy's ppXY do not."""
        out = []
        for tag in self.python_tag.split("."):
            found = _PYTHON_TAG.fullmatch(tag)
            if found is not None and found.group(1) != "pp":
                kind, major, minor = found.groups()
                out.append((kind, int(major), int(minor) if minor else None))
        return out

    def _or_later(self, kind: str) -> bool:
        return kind == "py" or self.abi == "abi3"

    def fits(self, python: str) -> bool | None:
        """Whether CPython ``python`` ("3.11") is one the Python tag accepts, as pip reads it:
        cpXY that minor (XY and later with the abi3 ABI), pyXY XY and later, pyX any X.Y; None
        when the tag says nothing of CPython (PyPy's ppXY)."""
        major, _, minor = python.partition(".")
        if not (major.isdigit() and minor.isdigit()):
            return None
        verdicts = [
            tag_major == int(major)
            and (
                tag_minor is None
                or (int(minor) >= tag_minor if self._or_later(kind) else int(minor) == tag_minor)
            )
            for kind, tag_major, tag_minor in self._cpython_tags()
        ]
        return any(verdicts) if verdicts else None

    def one_major(self) -> bool:
        """The tag accepts Pythons of one major only (cp36, py3; not py2.py3): some misfit it."""
        return len({major for _, major, _ in self._cpython_tags()}) == 1

    def pythons(self) -> str:
        """The Pythons the tag accepts, in words ("Python 3.6", "Python 3.7 or later")."""
        words = [
            f"{major}.{minor}{' or later' if self._or_later(kind) else ''}"
            if minor is not None
            else str(major)
            for kind, major, minor in self._cpython_tags()
        ]
        return f"Python {', '.join(words)}" if words else f"the Python tag {self.python_tag}"


class WheelMisfit(NamedTuple):
    cause: str  # "python" or "platform"
    detail: str


def wheel_tags(line: str) -> WheelTags | None:
    found = _WHEEL.search(line)
    if found is None:
        return None
    python_tag, abi, platform_tag = found.groups()
    return WheelTags(found.group(0), python_tag, abi, platform_tag, _platform_of_tag(platform_tag))


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
    when the text shows neither the Python nor the machine, or shows both fitting (pip's words
    alone say no more)."""
    shown_text = _ANY_WHEEL.sub(" ", context)  # the wheel's own tags are not the machine
    pythons = {f"{m[0] or m[2]}.{m[1] or m[3]}" for m in _SHOWN_PYTHON.findall(shown_text)}
    if python:
        pythons.add(python)
    shown_python = next(iter(pythons)) if len(pythons) == 1 else ""
    fits = wheel.fits(shown_python) if shown_python else None
    platform = _one(_shown(shown_text))
    if fits is False:
        return WheelMisfit(
            "python",
            f"{wheel.file} is built for {wheel.pythons()}; the text shows Python {shown_python}",
        )
    if wheel.platform and platform and not platform.startswith(wheel.platform):
        return WheelMisfit(
            "platform",
            f"{wheel.file} is built for {wheel.platform}; the text shows {platform}",
        )
    if wheel.platform_tag == "any" and fits is None and wheel.one_major():
        return WheelMisfit(
            "python",
            f"{wheel.file} is built for any platform: its Python tag ({wheel.python_tag}) is"
            " what does not fit",
        )
    # the machine the text shows is the wheel's, CPU included (not so for a Windows path or a
    # Mac): the Python tag is what misfits, unless the text shows a Python that fits it too
    machine = (
        bool(platform) and platform.startswith(wheel.platform) and platform.startswith(_WITH_CPU)
    )
    if wheel.platform and machine and fits is None and wheel.one_major():
        return WheelMisfit(
            "python",
            f"{wheel.file} is built for {wheel.platform}, the machine the text shows: its Python"
            f" tag ({wheel.python_tag}) is what does not fit",
        )
    if wheel.platform and fits and not machine:
        return WheelMisfit(
            "platform",
            f"{wheel.file} fits Python {shown_python}, the one the text shows: its platform"
            f" tag ({wheel.platform_tag}) is what does not fit",
        )
    return None


# ----- "TensorFlow lists no GPU": on which OS? -----------------------------------------------
# GitHub's TensorFlow issue template asks "OS Platform and Distribution" and the answer follows
# on the same or the next line; WSL anywhere means a Linux, not native Windows
_TEMPLATE_OS = re.compile(
    r"OS [Pp]latform(?: and [Dd]istribution| & [Dd]istribution)?\W{0,12}"
    r"(Windows|Win ?1[01]\b|mac ?OS|Mac ?OS|Darwin|Linux|Ubuntu|Debian|CentOS|Fedora)",
    re.IGNORECASE,
)


def shown_os(text: str) -> str:
    """The OS the text shows: "windows", "macos", "linux" or "" (several, or none); a machine's
    own lines first (paths, prompts), then the issue template's OS field."""
    if re.search(r"\bWSL2?\b", text):
        return "linux"
    platform = shown_platform(text)
    if platform:
        return "linux" if platform.startswith("linux") else platform
    found = _TEMPLATE_OS.search(text)
    if found is None:
        return ""
    name = found.group(1).lower()
    if name.startswith("win"):
        return "windows"
    if name.startswith(("mac", "darwin")):
        return "macos"
    return "linux"
