"""Small helpers over Requires-Dist lines and version specifiers (``packaging`` only)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

if TYPE_CHECKING:  # packaging.requirements/markers are imported on first use (start-up time)
    from packaging.markers import Marker
    from packaging.requirements import Requirement

_SEPARATORS = re.compile(r"[-_.]+")


def canonicalize_name(name: str) -> str:
    """PEP 503 normalised project name (``tf_keras`` -> ``tf-keras``)."""
    return _SEPARATORS.sub("-", name).lower()


@lru_cache(maxsize=4096)
def parse(line: str) -> Requirement | None:
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return Requirement(line)
    except InvalidRequirement:
        return None


def _environment(python: str, extra: str) -> dict[str, str]:
    short = ".".join(python.split(".")[:2])
    full = python if python.count(".") >= 2 else f"{short}.0"
    return {
        "python_version": short,
        "python_full_version": full,
        "platform_system": "Linux",
        "sys_platform": "linux",
        "platform_machine": "x86_64",
        "os_name": "posix",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "extra": extra,
    }


def _marker_holds(marker: Marker | None, python: str, extra: str) -> bool:
    from packaging.markers import InvalidMarker, UndefinedComparison, UndefinedEnvironmentName

    if marker is None:
        return True
    try:
        return bool(marker.evaluate(_environment(python, extra)))
    except (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName):
        return False


def spec_for(lines: Iterable[str], name: str, python: str, extra: str = "") -> str:
    """Specifier on ``name`` among the lines whose markers hold on Linux x86_64 CPython ``python``.

    Several matching lines are intersected; "" when none names ``name``.
    """
    wanted = canonicalize_name(name)
    found: list[str] = []
    for line in lines:
        requirement = parse(line)
        if requirement is None or canonicalize_name(requirement.name) != wanted:
            continue
        if _marker_holds(requirement.marker, python, extra):
            found.append(str(requirement.specifier))
    return intersect(*found)


def intersect(*specs: str) -> str:
    """The specifiers combined (``">=1.23.5,<2.0.0"`` & ``"<2"``); "" when all are empty."""
    combined = SpecifierSet()
    for spec in specs:
        if spec:
            combined &= SpecifierSet(spec)
    return str(combined)


def allows(spec: str, version: str) -> bool:
    """Whether ``version`` satisfies ``spec`` (pre-releases included; "" allows anything)."""
    if not spec:
        return True
    try:
        return SpecifierSet(spec).contains(Version(version), prereleases=True)
    except (InvalidSpecifier, InvalidVersion):
        return False


def valid_spec(spec: str) -> bool:
    """Whether ``spec`` is a version specifier ("" counts: it allows anything)."""
    try:
        SpecifierSet(spec)
    except InvalidSpecifier:
        return False
    return True


def minor_of(version: str) -> str | None:
    """``"2.16"`` for ``"2.16.0rc1"`` or ``"2.23.0.dev20261026"``; None when not a version."""
    try:
        parsed = Version(version)
    except InvalidVersion:
        return None
    release = (*parsed.release, 0)
    return f"{release[0]}.{release[1]}"


def minor_key(minor: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", minor))
