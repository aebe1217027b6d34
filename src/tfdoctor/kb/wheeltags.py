"""What a wheel's file name says: the CPython versions and the platforms it is built for."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Optional

_CPYTHON = re.compile(r"^cp(\d)(\d+)$")


_MANYLINUX = re.compile(r"^manylinux_(\d+)_(\d+)_(\w+)$")
_LEGACY_MANYLINUX = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}


def _version_key(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split("."))


@dataclass(frozen=True)
class WheelTags:
    """Pythons as "3.11", platforms as "linux-x86_64"; pure means a py3-none-any wheel.

    glibc maps a Linux architecture to the oldest glibc the wheel runs on ("2.17"); after
    merge() it is the newest of those minimums over the release's wheels (the strictest).
    """

    pythons: tuple[str, ...]
    platforms: tuple[str, ...]
    pure: bool
    glibc: tuple[tuple[str, str], ...] = ()

    @staticmethod
    def merge(tags: Iterable[WheelTags]) -> WheelTags:
        items = list(tags)
        pythons = {p for t in items for p in t.pythons}
        glibc: dict[str, str] = {}
        for item in items:
            for arch, version in item.glibc:
                if arch not in glibc or _version_key(version) > _version_key(glibc[arch]):
                    glibc[arch] = version
        return WheelTags(
            pythons=tuple(sorted(pythons, key=_version_key)),
            platforms=tuple(sorted({p for t in items for p in t.platforms})),
            pure=any(t.pure for t in items),
            glibc=tuple(sorted(glibc.items())),
        )


def glibc_minimum(tag: str) -> Optional[tuple[str, tuple[int, int]]]:
    """(architecture, glibc version) a manylinux platform tag promises; None for others."""
    match = _MANYLINUX.match(tag)
    if match:
        return match.group(3), (int(match.group(1)), int(match.group(2)))
    for legacy, version in _LEGACY_MANYLINUX.items():
        if tag.startswith(legacy + "_"):
            return tag[len(legacy) + 1 :], version
    return None


def platform_name(tag: str) -> Optional[str]:
    """Normalise one platform tag (manylinux2014_x86_64, macosx_11_0_arm64, win_amd64, ...)."""
    if tag == "any":
        return None
    if tag.startswith(("manylinux", "musllinux", "linux")):
        system = "musllinux" if tag.startswith("musllinux") else "linux"
        for arch in ("x86_64", "aarch64", "i686", "ppc64le", "s390x", "armv7l"):
            if tag.endswith(arch):
                return f"{system}-{arch}"
        return system
    if tag.startswith("macosx"):
        for arch in ("arm64", "x86_64", "universal2", "intel"):
            if tag.endswith(arch):
                return f"macos-{arch}"
        return "macos"
    if tag in ("win_amd64", "win32", "win_arm64"):
        return {
            "win_amd64": "windows-x86_64",
            "win32": "windows-x86",
            "win_arm64": "windows-arm64",
        }[tag]
    return tag


def parse_wheel_filename(filename: str) -> Optional[WheelTags]:
    """Tags of a wheel file name; None for sdists and names that are not wheels."""
    if not filename.endswith(".whl"):
        return None
    parts = filename[: -len(".whl")].split("-")
    if len(parts) not in (5, 6):
        return None
    python_tags, _abi, platform_tags = parts[-3], parts[-2], parts[-1]
    pythons = []
    for tag in python_tags.split("."):
        match = _CPYTHON.match(tag)
        if match:
            pythons.append(f"{match.group(1)}.{match.group(2)}")
    platforms = {p for tag in platform_tags.split(".") if (p := platform_name(tag)) is not None}
    pure = platform_tags == "any"
    glibc: dict[str, tuple[int, int]] = {}
    for tag in platform_tags.split("."):
        found = glibc_minimum(tag)
        if found is not None:
            arch, version = found
            # One wheel with several manylinux tags runs where any of them is satisfied.
            glibc[arch] = min(glibc.get(arch, version), version)
    return WheelTags(
        tuple(sorted(set(pythons), key=_version_key)),
        tuple(sorted(platforms)),
        pure,
        tuple(sorted((arch, f"{v[0]}.{v[1]}") for arch, v in glibc.items())),
    )
