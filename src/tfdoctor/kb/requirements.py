"""Small helpers over Requires-Dist lines and version specifiers (``packaging`` only)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from packaging.version import InvalidVersion, Version

from tfdoctor import pep508

_SEPARATORS = re.compile(r"[-_.]+")


def canonicalize_name(name: str) -> str:
    """PEP 503 normalised project name (``tf_keras`` -> ``tf-keras``)."""
    return _SEPARATORS.sub("-", name).lower()


def parse(line: str) -> pep508.Req | None:
    return pep508.parse(line)


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
    wanted = canonicalize_name(name)
    found: list[str] = []
    for line in lines:
        requirement = parse(line)
        if requirement is None or canonicalize_name(requirement.name) != wanted:
            continue
        if _marker_holds(requirement.marker, python, extra):
            found.append(requirement.specifier)
    return intersect(*found)


def intersect(*specs: str) -> str:
    """The specifiers combined (``">=1.23.5,<2.0.0"`` & ``"<2"``); "" when all are empty."""
    return pep508.combine(*specs)


def allows(spec: str, version: str) -> bool:
    """Whether ``version`` satisfies ``spec`` (pre-releases included; "" allows anything)."""
    return pep508.allows(spec, version)


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
