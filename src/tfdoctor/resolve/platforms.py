"""The interpreter and platform a requirement set is checked for (``--python-version``,
``--platform``, ``--arch``), spelled the ways each consumer needs: uv's ``--python-platform``, the
PEP 508 marker environment, and the snapshot records the rules read."""

from __future__ import annotations

import re
from typing import NamedTuple

from tfdoctor.errors import UsageError
from tfdoctor.snapshot import PlatformInfo, PythonInfo

PLATFORMS = ("linux", "macos", "windows")
# --arch spellings -> the machine name each OS reports (platform.machine()).
_ARCHES = {
    "x86_64": "x86_64",
    "amd64": "x86_64",
    "x64": "x86_64",
    "aarch64": "arm64",
    "arm64": "arm64",
}
_MACHINE = {
    ("linux", "x86_64"): "x86_64",
    ("linux", "arm64"): "aarch64",
    ("macos", "x86_64"): "x86_64",
    ("macos", "arm64"): "arm64",
    ("windows", "x86_64"): "AMD64",
    ("windows", "arm64"): "ARM64",
}
_UV_PLATFORM = {
    ("linux", "x86_64"): "x86_64-unknown-linux-gnu",
    ("linux", "arm64"): "aarch64-unknown-linux-gnu",
    ("macos", "x86_64"): "x86_64-apple-darwin",
    ("macos", "arm64"): "aarch64-apple-darwin",
    ("windows", "x86_64"): "x86_64-pc-windows-msvc",
    ("windows", "arm64"): "aarch64-pc-windows-msvc",
}
_SYSTEM = {"linux": "Linux", "macos": "Darwin", "windows": "Windows"}
_SYS_PLATFORM = {"linux": "linux", "macos": "darwin", "windows": "win32"}
_PYTHON = re.compile(r"^3\.(\d{1,2})(\.\d{1,2})?$")
# A late patch release of each minor (uv's download list, 2026-12): a Python given as X.Y is
# resolved as one, since that is what an X.Y interpreter is today. uv reads a bare X.Y as X.Y.0,
# and some releases exclude early patches (cryptography 50: Requires-Python >=3.9,!=3.9.0,
# !=3.9.1), so a set that installs on every Python 3.9 in use was reported unresolvable. Any late
# patch serves; a minor not listed here is taken as X.Y.0.
LATE_PATCH = {
    "3.7": "3.7.17", "3.8": "3.8.20", "3.9": "3.9.25", "3.10": "3.10.22", "3.11": "3.11.18",
    "3.12": "3.12.16", "3.13": "3.13.18", "3.14": "3.14.10", "3.15": "3.15.2",
}  # fmt: skip


class WouldBe(NamedTuple):
    """CPython ``python`` (X.Y.Z) on ``system`` (linux | macos | windows) and ``arch``
    (x86_64 | arm64)."""

    python: str
    system: str
    arch: str

    @property
    def minor(self) -> str:
        return ".".join(self.python.split(".")[:2])

    @property
    def machine(self) -> str:
        return _MACHINE[(self.system, self.arch)]

    @property
    def uv_platform(self) -> str:
        return _UV_PLATFORM[(self.system, self.arch)]

    @property
    def label(self) -> str:
        return f"CPython {self.minor}, {_SYSTEM[self.system]} {self.machine}"

    def markers(self) -> dict[str, str]:
        """The PEP 508 marker environment of such an interpreter."""
        return {
            "implementation_name": "cpython",
            "implementation_version": self.python,
            "os_name": "nt" if self.system == "windows" else "posix",
            "platform_machine": self.machine,
            "platform_release": "",
            "platform_system": _SYSTEM[self.system],
            "platform_version": "",
            "python_full_version": self.python,
            "platform_python_implementation": "CPython",
            "python_version": self.minor,
            "sys_platform": _SYS_PLATFORM[self.system],
        }

    def python_info(self, label: str) -> PythonInfo:
        return PythonInfo(
            version=self.python,
            implementation="CPython",
            executable=f"python{self.minor}",
            prefix=label,
            base_prefix=label,
            is_venv=True,
            pyvenv_cfg=None,
            bits=64,
        )

    def platform_info(self) -> PlatformInfo:
        return PlatformInfo(
            system=_SYSTEM[self.system],
            machine=self.machine,
            sys_platform=_SYS_PLATFORM[self.system],
            release="",
            libc=None,
            mac_ver=None,
            cpu_flags=None,  # unknown: no CPU-feature finding for a machine not looked at
            nvidia_driver=None,
        )


def parse_python_version(text: str) -> str:
    """``--python-version``: 3.Y or 3.Y.Z, returned as X.Y.Z (3.Y as a late patch of it)."""
    match = _PYTHON.match(text.strip())
    if match is None:
        raise UsageError(f"--python-version takes a version like 3.12, not {text!r}")
    return text.strip() if match.group(2) else full_version(text.strip())


def full_version(version: str) -> str:
    """X.Y.Z as given; X.Y as a late patch release of that minor (LATE_PATCH), else X.Y.0."""
    if version.count(".") >= 2:
        return version
    return LATE_PATCH.get(version, f"{version}.0")


def parse_arch(text: str) -> str:
    arch = _ARCHES.get(text.strip().lower())
    if arch is None:
        raise UsageError(f"--arch takes x86_64 or arm64 (aarch64), not {text!r}")
    return arch


def from_target(system: str, machine: str) -> tuple[str, str]:
    """(platform, arch) of an examined interpreter's ``platform.system()``/``machine()``."""
    platform = {"Linux": "linux", "Darwin": "macos", "Windows": "windows"}.get(system, "linux")
    return platform, _ARCHES.get(machine.lower(), "x86_64")


def would_be(
    python_version: str | None,
    platform: str | None,
    arch: str | None,
    target_python: str,
    target_system: str,
    target_machine: str,
) -> WouldBe:
    """The options, each defaulting to the examined interpreter's own value. A platform other
    than the target's takes that platform's usual architecture unless --arch says otherwise."""
    own_platform, own_arch = from_target(target_system, target_machine)
    chosen = platform or own_platform
    if arch is not None:
        chosen_arch = parse_arch(arch)
    elif chosen == own_platform:
        chosen_arch = own_arch
    else:
        chosen_arch = "arm64" if chosen == "macos" else "x86_64"
    version = parse_python_version(python_version) if python_version else target_python
    return WouldBe(version, chosen, chosen_arch)
