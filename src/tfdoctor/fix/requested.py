"""What the user asked for: the packages a whole-environment solve keeps as requirements.

Three sources, each only read (never run): the ``REQUESTED`` marker that pip and uv write into
the dist-info of a package named on their command line; the project's requirement files
(``requirements.txt``, ``pyproject.toml``) when the environment lives inside the working
directory (an in-project ``.venv``); conda's history (``# update specs``) when the environment
has one. Without any of them, the packages nothing else requires stand in for what was asked.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field

from tfdoctor.pep508 import canonical
from tfdoctor.snapshot import Snapshot

REQUIREMENT_FILES = ("requirements.txt", "requirements.in", "pyproject.toml")
MAX_FILE_BYTES = 1 << 20
_SPECS = re.compile(r"^#\s*update specs:\s*\[(.*)\]\s*$")
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass
class Requested:
    """``names``: canonical names of installed packages asked for (-> why, for the plan);
    ``lines``: requirement lines from project files (kept as written, with their origin)."""

    names: dict[str, str] = field(default_factory=dict)
    lines: list[tuple[str, str]] = field(default_factory=list)  # (requirement, "file:line")
    notes: list[str] = field(default_factory=list)

    def line_names(self) -> set[str]:
        return {canonical(m.group(1)) for line, _ in self.lines if (m := _NAME.match(line))}


def find_requested(snap: Snapshot) -> Requested:
    out = Requested()
    installed = {d.key for d in snap.distributions if not d.error}
    blind = _marks_everything(snap)
    for dist in snap.distributions:
        if dist.requested and not dist.error and dist.installer not in blind:
            out.names.setdefault(dist.key, "REQUESTED marker")
    if blind:
        top = set(leaves(snap))
        for dist in snap.distributions:
            if dist.installer in blind and dist.key in top:
                out.names.setdefault(dist.key, "nothing else requires it")
    if snap.cwd and _inside(snap.python.prefix, snap.cwd):
        for name in REQUIREMENT_FILES:
            _read_file(os.path.join(snap.cwd, name), out)
    if snap.is_conda:
        for name in _conda_history(snap.python.prefix):
            if name in installed:
                out.names.setdefault(name, "conda history")
    if not out.names and not out.lines:
        for name in leaves(snap):
            out.names[name] = "nothing else requires it"
    return out


def _marks_everything(snap: Snapshot) -> set[str]:
    """Installers whose every distribution carries REQUESTED (uv writes it for dependencies
    too): their markers say nothing about what was asked for."""
    by: dict[str, list[bool]] = {}
    for dist in snap.distributions:
        if not dist.error:
            by.setdefault(dist.installer, []).append(dist.requested)
    return {inst for inst, marks in by.items() if len(marks) > 3 and all(marks)}


def leaves(snap: Snapshot) -> list[str]:
    """Installed packages no other installed package declares (extras included)."""
    required: set[str] = set()
    for dist in snap.distributions:
        for line in dist.requires_dist:
            match = _NAME.match(line)
            if match:
                required.add(canonical(match.group(1)))
    return sorted({d.key for d in snap.distributions if not d.error} - required - {"pip"})


def _inside(prefix: str, folder: str) -> bool:
    prefix, folder = os.path.realpath(prefix), os.path.realpath(folder)
    return prefix == folder or prefix.startswith(folder.rstrip(os.sep) + os.sep)


def regular_text(path: str) -> str | None:
    """The file's text when it is a regular file of sane size: a FIFO would block, a device never
    ends; a symlink is followed only to a regular file."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_FILE_BYTES:
        return None
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        return handle.read(MAX_FILE_BYTES).decode("utf-8", "replace")


def _read_file(path: str, out: Requested) -> None:
    text = regular_text(path)
    if text is None:
        return
    base = os.path.basename(path)
    if base == "pyproject.toml":
        for i, line in _pyproject_lines(text):
            out.lines.append((line, f"{base}:{i}"))
        return
    for i, raw in enumerate(text.splitlines(), 1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-", ".", "/")) or "://" in line or " @ " in line:
            continue  # options, includes, paths and URLs are left to the user's own installer
        if _NAME.match(line):
            out.lines.append((line, f"{base}:{i}"))


def _pyproject_lines(text: str) -> list[tuple[int, str]]:
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return []
    deps = data.get("project", {}).get("dependencies", [])
    if not isinstance(deps, list):
        return []
    return [(0, str(d)) for d in deps if isinstance(d, str) and _NAME.match(d) and "@" not in d]


def _conda_history(prefix: str) -> list[str]:
    text = regular_text(os.path.join(prefix, "conda-meta", "history"))
    if text is None:
        return []
    names: list[str] = []
    for line in text.splitlines():
        match = _SPECS.match(line.strip())
        if not match:
            continue
        for spec in match.group(1).split(","):
            found = _NAME.match(spec.strip().strip("'\""))
            if found:
                names.append(canonical(found.group(1)))
    return names
