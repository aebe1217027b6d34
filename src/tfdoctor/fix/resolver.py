"""Versions are chosen by a real resolver: uv (``uv pip install --dry-run``) or, without uv, pip
(``pip install --dry-run --report -``), run against the target interpreter so that its Python,
platform and installed distributions are what the answer is for."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tfdoctor.pep508 import canonical

RESOLVE_TIMEOUT_S = 300.0
_CHANGE = re.compile(r"^\s*([+-])\s+([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")
_NETWORK_WORDS = (
    "network",
    "dns",
    "connect",
    "timed out",
    "offline",
    "fetch",
    "tls",
    "resolve host",
)


def find_uv() -> str | None:
    """uv from TFDOCTOR_UV, else the binary of the `uv` package (a dependency of tfdoctor, so it
    is there however tfdoctor was installed), else PATH, else beside this interpreter.
    ``TFDOCTOR_UV=none`` (or any path that is not an executable) means: do without uv."""
    given = os.environ.get("TFDOCTOR_UV")
    if given:
        return given if os.access(given, os.X_OK) else None
    beside = str(Path(sys.executable).parent)
    return _packaged_uv() or shutil.which("uv") or shutil.which("uv", path=beside)


def _packaged_uv() -> str | None:
    try:
        from uv import find_uv_bin
    except ImportError:  # tfdoctor installed without its dependencies
        return None
    try:
        found = find_uv_bin()
    except (FileNotFoundError, OSError):
        return None
    return found if os.access(found, os.X_OK) else None


def has_pip(python: str) -> bool:
    try:
        proc = subprocess.run(
            [python, "-I", "-m", "pip", "--version"], capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0


@dataclass(frozen=True)
class Tool:
    """What runs the installs: ``uv`` (with its path) or the target's own ``pip``."""

    kind: str  # uv | pip
    python: str
    uv: str = ""

    def install(self, pins: list[str], reinstall: bool = False) -> list[str]:
        if self.kind == "uv":
            cmd = [self.uv, "pip", "install", "--python", self.python, "--no-deps"]
            return cmd + (["--reinstall"] if reinstall else []) + pins
        cmd = [
            self.python,
            "-I",
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--disable-pip-version-check",
        ]
        return cmd + (["--force-reinstall"] if reinstall else []) + pins

    def uninstall(self, names: list[str]) -> list[str]:
        if self.kind == "uv":
            return [self.uv, "pip", "uninstall", "--python", self.python, *names]
        return [self.python, "-I", "-m", "pip", "uninstall", "-y", *names]


def pick_tool(python: str) -> Tool | None:
    uv = find_uv()
    if uv:
        return Tool("uv", python, uv)
    if has_pip(python):
        return Tool("pip", python)
    return None


@dataclass(frozen=True)
class Resolution:
    """The distributions the resolver would install (name, version) and those it would replace."""

    installs: tuple[tuple[str, str], ...] = ()
    removes: tuple[tuple[str, str], ...] = ()
    error: str = ""
    offline: bool = False  # answered from the local cache only

    @property
    def ok(self) -> bool:
        return not self.error


def resolve(
    tool: Tool,
    requirements: list[str],
    overrides: tuple[str, ...] = (),
    unreadable: tuple[str, ...] = (),
) -> Resolution:
    """Ask the resolver what installing ``requirements`` into the target would change.
    ``unreadable``: installed distributions whose metadata cannot be read (uv stops at them,
    "Failed to read metadata"; pip skips them), resolved as if they were to be reinstalled."""
    if tool.kind == "uv":
        return _resolve_uv(tool, requirements, list(overrides), unreadable)
    return _resolve_pip(tool, requirements)


def _resolve_uv(
    tool: Tool, requirements: list[str], overrides: list[str], unreadable: tuple[str, ...] = ()
) -> Resolution:
    with tempfile.TemporaryDirectory(prefix="tfdoctor-resolve-") as tmp:
        cmd = [tool.uv, "pip", "install", "--dry-run", "--python", tool.python]
        for name in unreadable:
            cmd += ["--reinstall-package", name]
        if overrides:
            path = Path(tmp) / "overrides.txt"
            path.write_text("\n".join(overrides) + "\n", encoding="utf-8")
            cmd += ["--override", str(path)]
        cmd += requirements
        first = _run(cmd)
        if first[0] == 0:
            return _parse_uv(first[1])
        if not any(w in first[1].lower() for w in _NETWORK_WORDS):
            return Resolution(error=_tail(first[1]))
        second = _run([*cmd, "--offline"])
        if second[0] == 0:
            return _parse_uv(second[1], offline=True)
        return Resolution(
            error="the package index cannot be reached and uv's cache does not hold every "
            f"needed release ({_tail(second[1])})",
        )


def _parse_uv(output: str, offline: bool = False) -> Resolution:
    installs: list[tuple[str, str]] = []
    removes: list[tuple[str, str]] = []
    for line in output.splitlines():
        match = _CHANGE.match(line)
        if match:
            sign, name, version = match.groups()
            (installs if sign == "+" else removes).append((canonical(name), version))
    return Resolution(tuple(installs), tuple(removes), offline=offline)


def _resolve_pip(tool: Tool, requirements: list[str]) -> Resolution:
    cmd = [
        tool.python,
        "-m",
        "pip",
        "install",
        "--dry-run",
        "--quiet",
        "--disable-pip-version-check",
        "--report",
        "-",
        *requirements,
    ]
    code, out = _run(cmd, merge=False)
    if code != 0:
        words = out.lower()
        if any(w in words for w in _NETWORK_WORDS):
            return Resolution(error=f"the package index cannot be reached ({_tail(out)})")
        return Resolution(error=_tail(out))
    try:
        report = json.loads(out)
    except ValueError:
        return Resolution(error="pip's --report could not be read")
    installs = tuple(
        (canonical(item["metadata"]["name"]), str(item["metadata"]["version"]))
        for item in report.get("install", ())
    )
    return Resolution(installs)


def _run(cmd: list[str], merge: bool = True) -> tuple[int, str]:
    try:
        proc = subprocess.run(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT if merge else subprocess.PIPE,
            text=True,
            timeout=RESOLVE_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return 124, f"{cmd[0]} did not answer within {RESOLVE_TIMEOUT_S:.0f} s"
    except OSError as exc:
        return 127, f"{cmd[0]} cannot be run: {exc.strerror}"
    if not merge and proc.returncode != 0:
        return proc.returncode, (proc.stderr or "") + (proc.stdout or "")
    return proc.returncode, proc.stdout or ""


def _tail(text: str, lines: int = 6) -> str:
    kept = [line.rstrip() for line in text.strip().splitlines() if line.strip()]
    return " | ".join(kept[-lines:])[:800]
