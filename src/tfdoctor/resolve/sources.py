"""Read the requirement sets ``check -r`` takes into one form: the lines to hand to uv, the
requirements the user named directly, and a lock file's packages as they are.

Formats: requirements files (``-r``/``-c`` includes and pip options, any name), ``pyproject.toml``
(PEP 621 dependencies and optional groups, PEP 735 dependency groups, Poetry's table),
``environment.yml`` (its ``pip:`` part and the conda packages of the TensorFlow stack) and the
lock files ``uv.lock``, ``poetry.lock`` and ``pylock.toml`` (read by :mod:`.locks`)."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from tfdoctor.errors import UsageError
from tfdoctor.pep508 import canonical

LOCK_NAMES = ("uv.lock", "poetry.lock")
_PYLOCK = re.compile(r"^pylock\.([^.]+\.)?toml$")
_INCLUDES = {"-r": "r", "--requirement": "r", "-c": "c", "--constraint": "c"}
# Options that are handed on to uv unchanged (uv reads them in requirements files too).
_PASSED = (
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "--no-index",
    "--pre",
    "--only-binary",
    "--no-binary",
)


class Requirement(NamedTuple):
    """One requirement the user wrote; ``name`` is "" for a URL or path without a name."""

    line: str
    name: str
    extras: tuple[str, ...]
    specifier: str
    marker: str
    origin: str  # file:line


class InputSet(NamedTuple):
    """Requirement sets to resolve: uv reads ``uv_lines`` (the original files' lines, their
    includes made absolute, and converted lines); ``direct`` are the requirements named directly."""

    labels: tuple[str, ...]
    uv_lines: tuple[str, ...]
    direct: tuple[Requirement, ...]
    python_hint: str | None
    notes: tuple[str, ...]
    folder: str


def is_lock(path: str) -> bool:
    name = os.path.basename(path)
    return name in LOCK_NAMES or bool(_PYLOCK.match(name))


def parse_requirement(text: str, origin: str) -> Requirement:
    """A PEP 508 requirement; a bad one is a usage error naming the file and line."""
    from packaging.requirements import InvalidRequirement
    from packaging.requirements import Requirement as Parsed

    try:
        parsed = Parsed(text)
    except InvalidRequirement as exc:
        reason = str(exc).splitlines()[0] if str(exc) else "unreadable"
        raise UsageError(f"{origin}: not a requirement: {text!r} ({reason})") from None
    return Requirement(
        line=text,
        name=canonical(parsed.name),
        extras=tuple(sorted(canonical(e) for e in parsed.extras)),
        specifier=str(parsed.specifier),
        marker=str(parsed.marker) if parsed.marker else "",
        origin=origin,
    )


def _logical_lines(text: str) -> Iterable[tuple[int, str]]:
    """Lines with continuations joined and comments removed, as pip reads them."""
    pending = ""
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        if not pending:
            start = number
        line = raw
        if line.endswith("\\"):
            pending += line[:-1]
            continue
        line = pending + line
        pending = ""
        line = re.sub(r"(^|\s+)#.*$", "", line).strip()
        if line:
            yield start, line
    if pending.strip():
        yield start, pending.strip()


def _without_options(line: str) -> str:
    """The requirement of a line without its per-requirement options (``--hash=...`` after each
    pin, as pip-compile --generate-hashes writes them; ``--config-settings``): like pip, the
    requirement ends at the first word that starts with a dash."""
    words = []
    for word in line.split(" "):
        if word.startswith("-"):
            break
        words.append(word)
    return " ".join(words).strip()


def _split_option(line: str) -> tuple[str, str]:
    if line.startswith("--"):
        option, sep, value = line.partition("=")
        if not sep:
            option, _, value = line.partition(" ")
        return option.strip(), value.strip()
    return line[:2], line[2:].strip()


def read_requirements_text(
    text: str, label: str, folder: str, seen: set[str] | None = None
) -> tuple[list[Requirement], list[str]]:
    """(direct requirements, lines uv gets) of a requirements file, following ``-r`` includes
    (constraints from ``-c`` are handed to uv but are not requirements the user asked for)."""
    seen = set() if seen is None else seen
    direct: list[Requirement] = []
    uv_lines: list[str] = []
    for number, line in _logical_lines(text):
        origin = f"{label}:{number}"
        if line.startswith("-"):
            option, value = _split_option(line)
            if option in ("-e", "--editable") and value:
                target = _absolute(value, folder) if _is_path(value) else value
                uv_lines.append(f"{option} {target}")
                direct.append(Requirement(value, "", (), "", "", origin))
            elif option in _INCLUDES and value:
                target = _absolute(value, folder)
                uv_lines.append(f"{option} {target}")
                if _INCLUDES[option] == "r":
                    direct += _include(target, origin, seen)
            elif option in _PASSED:
                uv_lines.append(line)
            # other pip options (--hash, --trusted-host, ...) do not change the resolution
            continue
        line = _without_options(line)
        url_only = "://" in line.split(";")[0] and " @ " not in line
        if _is_path(line) or url_only:
            uv_lines.append(_absolute(line, folder) if _is_path(line) else line)
            direct.append(Requirement(line, "", (), "", "", origin))
            continue
        direct.append(parse_requirement(line, origin))
        uv_lines.append(line)
    return direct, uv_lines


def _include(path: str, origin: str, seen: set[str]) -> list[Requirement]:
    real = os.path.realpath(path)
    if real in seen:
        return []
    seen.add(real)
    text = _read(path, origin)
    direct, _ = read_requirements_text(text, path, os.path.dirname(path), seen)
    return direct


def _is_path(value: str) -> bool:
    return value.startswith((".", "/", "~")) or value.endswith((".whl", ".tar.gz", ".zip"))


def _absolute(value: str, folder: str) -> str:
    if "://" in value:
        return value
    return os.path.normpath(os.path.join(folder, os.path.expanduser(value)))


def _read(path: str, origin: str = "") -> str:
    try:
        with open(path, encoding="utf-8-sig") as handle:
            return handle.read()
    except FileNotFoundError:
        where = f"{origin}: " if origin else ""
        raise UsageError(f"{where}no such file: {path}") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a folder; give the requirements file in it") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None


def read_toml(path: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    text = _read(path)
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path} is not valid TOML ({exc})") from None
    return data


def read_inputs(paths: Sequence[str], stdin_text: str | None, cwd: str) -> InputSet:
    """Requirement sets (no lock files): each file as its format says."""
    from tfdoctor.resolve import conda, pyproject

    labels: list[str] = []
    uv_lines: list[str] = []
    direct: list[Requirement] = []
    notes: list[str] = []
    hint: str | None = None
    for given in paths:
        if given == "-":
            label = "<stdin>"
            found, lines = read_requirements_text(stdin_text or "", label, cwd)
        else:
            path = os.path.abspath(os.path.expanduser(given))
            label = given
            name = os.path.basename(path)
            if name == "pyproject.toml":
                found, lines, hint_here, more = pyproject.read(path, label)
            elif name.endswith((".yml", ".yaml")):
                found, lines, hint_here, more = conda.read(path, label)
            else:
                found, lines = read_requirements_text(
                    _read(path), label, os.path.dirname(path), {os.path.realpath(path)}
                )
                hint_here, more = None, []
            hint = hint or hint_here
            notes += more
        labels.append(label)
        uv_lines += lines
        direct += found
    if not direct and not uv_lines:
        raise UsageError(f"no requirements found in {', '.join(labels)}")
    first = next((p for p in paths if p != "-"), None)
    folder = os.path.dirname(os.path.abspath(first)) if first else cwd
    return InputSet(
        labels=tuple(labels),
        uv_lines=tuple(uv_lines),
        direct=tuple(direct),
        python_hint=hint,
        notes=tuple(notes),
        folder=folder,
    )
