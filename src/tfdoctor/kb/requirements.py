"""Small helpers over Requires-Dist lines and TensorFlow minors; specifiers themselves are
``tfdoctor.pep508`` (combine, allows) and names ``pep508.canonical``."""

from __future__ import annotations

import re
from collections.abc import Iterable

from tfdoctor import pep508
from tfdoctor.version import InvalidVersion, Version


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


def _marker_holds(marker: str, python: str, extra: str) -> bool:
    if not marker:
        return True
    return pep508.evaluate(marker, _environment(python, extra))


def spec_for(lines: Iterable[str], name: str, python: str, extra: str = "") -> str:
    """Specifier on ``name`` among the lines whose markers hold on Linux x86_64 CPython ``python``.

    Several matching lines are intersected; "" when none names ``name``.
    """
    wanted = pep508.canonical(name)
    found: list[str] = []
    for line in lines:
        requirement = pep508.parse(line)
        if requirement is None or pep508.canonical(requirement.name) != wanted:
            continue
        if _marker_holds(requirement.marker, python, extra):
            found.append(requirement.specifier)
    return pep508.combine(*found)


def valid_spec(spec: str) -> bool:
    """Whether ``spec`` is a version specifier ("" counts: it allows anything)."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

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
