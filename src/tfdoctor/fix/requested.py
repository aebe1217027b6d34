"""What the user asked for: the packages a whole-environment solve keeps as requirements.

Three sources, each only read (never run): the ``REQUESTED`` marker that pip and uv write into
the dist-info of a package named on their command line; the project's requirement files
(``requirements*.txt``, ``requirements.in``, ``pyproject.toml``) in the working directory, when
the environment lives inside it (an in-project ``.venv``) or when the working directory is a
project of its own (then only the lines naming packages installed in the environment count: an
unrelated project must not add packages); conda's history (``# update specs``) when the
environment has one. Without any of them, the packages nothing else requires stand in for what
was asked.

Extras (``jax[cpu]``, ``transformers[tf]``) are recorded nowhere on disk: ``REQUESTED`` is an
empty file and ``direct_url.json`` exists only for URL installs. A project file gives them as
written; for a package known only by its marker, an extra counts as asked for when every
requirement it adds is installed and holds and it adds at least one package the distribution
does not require anyway (``infer_extras``). The plan's notes say which.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field

from tfdoctor.pep508 import canonical
from tfdoctor.snapshot import Distribution, Snapshot

REQUIREMENT_FILES = ("requirements.txt", "requirements.in", "pyproject.toml")
MAX_EXTRA_FILES = 8  # requirements-*.txt besides requirements.txt
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
    files: list[str] = field(default_factory=list)  # the project files read (paths)
    extras: dict[str, tuple[str, ...]] = field(default_factory=dict)  # inferred, by name

    def requirement(self, name: str) -> str:
        """``name`` with the extras inferred for it: ``transformers[tf]``."""
        extras = self.extras.get(name)
        return f"{name}[{','.join(extras)}]" if extras else name

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
    own_project = bool(snap.cwd) and _project_files(snap, installed, out)
    if snap.is_conda:
        for name in _conda_history(snap.python.prefix):
            if name in installed:
                out.names.setdefault(name, "conda history")
    # The files of the environment's own project may name all it asks for; another project's
    # (only the lines naming installed packages) leave the rest of the environment unknown.
    if not out.names and not (out.lines and own_project):
        for name in leaves(snap):
            out.names[name] = "nothing else requires it"
    written = out.line_names()
    by_key = {d.key: d for d in snap.distributions if not d.error}
    for name in sorted(out.names):
        if name not in written and name in by_key:
            extras = infer_extras(by_key[name], snap)
            if extras:
                out.extras[name] = extras
    if out.extras:
        shown = ", ".join(out.requirement(n) for n in sorted(out.extras))
        out.notes.append(
            f"extras kept: {shown} (installers record no extras; inferred from what is installed)"
        )
    return out


def infer_extras(dist: Distribution, snap: Snapshot) -> tuple[str, ...]:
    """The extras of ``dist`` that look asked for: each requirement the extra adds (for this
    platform) is installed and holds, and it adds a package the base requirements do not."""
    env = dict(snap.markers)
    now = {d.key: d.version for d in snap.distributions if not d.error}
    base = {r.name for r in dist.requirements() if r.applies(env)}
    found = []
    for extra in dist.provides_extra:
        adds = [r for r in dist.requirements(extra) if r.applies(env, extra)]
        if not adds or all(r.name in base or r.name == dist.key for r in adds):
            continue
        if all(r.name in now and r.allows(now[r.name]) for r in adds):
            found.append(canonical(extra))
    return tuple(sorted(set(found)))


def _project_files(snap: Snapshot, installed: set[str], out: Requested) -> bool:
    """The requirement files of the working directory: all of their lines when the environment
    lives inside it, else only those naming installed packages (the cwd may be another project).
    True when the environment lives inside the working directory."""
    cwd = snap.cwd
    inside = _inside(snap.python.prefix, cwd)
    try:
        extra = sorted(
            n
            for n in os.listdir(cwd)
            if n.startswith("requirements") and n.endswith(".txt") and n not in REQUIREMENT_FILES
        )[:MAX_EXTRA_FILES]
    except OSError:
        extra = []
    names = [n for n in REQUIREMENT_FILES if os.path.exists(os.path.join(cwd, n))] + extra
    if not names:
        return inside
    found = Requested()
    for name in names:
        _read_file(os.path.join(cwd, name), found)
    left: list[str] = []
    for line, origin in found.lines:
        match = _NAME.match(line)
        key = canonical(match.group(1)) if match else ""
        # Only the main files may ask for something not installed yet, and only for the
        # environment of this project (an in-project .venv).
        main = origin.split(":")[0] in REQUIREMENT_FILES
        if (inside and main) or key in installed:
            out.lines.append((line, origin))
        else:
            left.append(line)
    used: dict[str, list[str]] = {}
    for line, origin in out.lines:
        used.setdefault(origin.split(":")[0], []).append(line)
    out.files += [os.path.join(cwd, n) for n in used]
    where = "the environment lives in it" if inside else "the working directory is a project"
    shown = [f"{os.path.join(cwd, n)} ({', '.join(lines[:8])})" for n, lines in used.items()]
    note = f"project files read ({where}): " + (
        "; ".join(shown) if shown else f"none applied ({', '.join(names)} in {cwd})"
    )
    if left:
        note += f"; left out (not installed here): {', '.join(left[:5])}"
        note += f" and {len(left) - 5} more" if len(left) > 5 else ""
    out.notes.append(note)
    return inside


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
