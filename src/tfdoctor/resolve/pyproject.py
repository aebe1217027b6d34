"""``pyproject.toml``: PEP 621 dependencies and optional groups, PEP 735 dependency groups and
Poetry's ``[tool.poetry]`` tables, as PEP 508 requirements."""

from __future__ import annotations

import re
from typing import Any

from tfdoctor.errors import UsageError
from tfdoctor.pep508 import canonical
from tfdoctor.resolve.sources import Requirement, parse_requirement, read_toml

_CLAUSE = re.compile(r"^(\^|~=|~|==|!=|>=|<=|>|<|=)?\s*([0-9][0-9A-Za-z.*+!-]*)$")


def read(path: str, label: str) -> tuple[list[Requirement], list[str], str | None, list[str]]:
    """(requirements, uv lines, Python hint, notes) of a pyproject.toml: the dependencies, every
    optional group and every dependency group (what a user may install from it)."""
    data = read_toml(path)
    project = data.get("project") or {}
    name = canonical(str(project.get("name", "")))
    found: list[Requirement] = []
    notes: list[str] = []
    for line in project.get("dependencies") or ():
        found.append(parse_requirement(str(line), f"{label} [project.dependencies]"))
    for group, lines in (project.get("optional-dependencies") or {}).items():
        for line in lines:
            found.append(
                parse_requirement(str(line), f"{label} [project.optional-dependencies.{group}]")
            )
    groups = data.get("dependency-groups") or {}
    for group in groups:
        found += _dependency_group(groups, str(group), label, ())
    poetry = (data.get("tool") or {}).get("poetry") or {}
    hint = None
    if poetry:
        poetry_found, hint, poetry_notes = _poetry(poetry, label)
        found += poetry_found
        notes += poetry_notes
    # `name[extra]` inside the project's own groups means "also that group": already included.
    found = [r for r in found if not (name and r.name == name)]
    if not found:
        raise UsageError(
            f"{label} declares no dependencies ([project.dependencies], optional groups, "
            "[dependency-groups] or [tool.poetry.dependencies])"
        )
    return found, [r.line for r in found], hint, notes


def _dependency_group(
    groups: dict[str, Any], group: str, label: str, seen: tuple[str, ...]
) -> list[Requirement]:
    """PEP 735: strings are requirements, ``{include-group = "x"}`` includes another group."""
    if group in seen:
        raise UsageError(f"{label}: dependency group {group!r} includes itself")
    out: list[Requirement] = []
    for item in groups.get(group) or ():
        if isinstance(item, dict) and "include-group" in item:
            out += _dependency_group(groups, str(item["include-group"]), label, (*seen, group))
        elif isinstance(item, str):
            out.append(parse_requirement(item, f"{label} [dependency-groups.{group}]"))
    return out


def _poetry(poetry: dict[str, Any], label: str) -> tuple[list[Requirement], str | None, list[str]]:
    tables: list[tuple[str, dict[str, Any]]] = [("dependencies", poetry.get("dependencies") or {})]
    tables.append(("dev-dependencies", poetry.get("dev-dependencies") or {}))
    for group, body in (poetry.get("group") or {}).items():
        tables.append((f"group.{group}.dependencies", (body or {}).get("dependencies") or {}))
    found: list[Requirement] = []
    notes: list[str] = []
    hint: str | None = None
    for where, table in tables:
        for name, value in table.items():
            origin = f"{label} [tool.poetry.{where}]"
            if canonical(name) == "python":
                hint = str(value)
                continue
            line, note = poetry_requirement(name, value)
            if line is None:
                notes.append(f"{origin}: {name} is {note}; it is not checked")
                continue
            if note:
                notes.append(f"{origin}: {note}")
            found.append(parse_requirement(line, origin))
    return found, hint, notes


def poetry_requirement(name: str, value: Any) -> tuple[str | None, str]:
    """A Poetry dependency as a PEP 508 line, and a note when it had to be approximated."""
    if isinstance(value, list):  # several constraints by marker: the first one stands for all
        return poetry_requirement(name, value[0]) if value else (name, "")
    if isinstance(value, str):
        spec, note = poetry_constraint(value)
        return f"{name}{spec}", note
    if not isinstance(value, dict):
        return name, ""
    for source in ("path", "git", "url"):
        if source in value:
            return None, f"a {source} dependency"
    extras = value.get("extras") or ()
    spec, note = poetry_constraint(str(value.get("version", "*")))
    markers = []
    if value.get("markers"):
        markers.append(f"({value['markers']})")
    if value.get("python"):
        markers.append(f"({python_marker(str(value['python']))})")
    line = f"{name}{'[' + ','.join(extras) + ']' if extras else ''}{spec}"
    if markers:
        line += " ; " + " and ".join(markers)
    return line, note


def poetry_constraint(text: str) -> tuple[str, str]:
    """Poetry's version constraint (``^2.15``, ``~1.2``, ``1.2.*``, ``>=1,<2``, ``2.15.1``) as a
    PEP 440 specifier. An ``||`` union has no PEP 440 form: its first alternative is used."""
    note = ""
    text = text.strip()
    if "||" in text:
        note = f"the union {text!r} is checked as its first alternative"
        text = text.split("||")[0].strip()
    if text in ("", "*"):
        return "", note
    clauses = [c.strip() for c in re.split(r",|\s+(?=[<>=!~^])", text) if c.strip()]
    out: list[str] = []
    for clause in clauses:
        match = _CLAUSE.match(clause.replace(" ", ""))
        if match is None:
            raise UsageError(f"not a Poetry version constraint: {text!r}")
        op, version = match.group(1) or "", match.group(2)
        out += _pep440(op, version)
    return ",".join(out), note


def _pep440(op: str, version: str) -> list[str]:
    if op == "^":
        parts = [int(p) for p in version.split(".") if p.isdigit()]
        index = next((i for i, p in enumerate(parts) if p != 0), len(parts) - 1)
        upper = [*parts[:index], parts[index] + 1] + [0] * max(0, len(parts) - index - 1)
        return [f">={version}", f"<{'.'.join(map(str, upper))}"]
    if op == "~":
        parts = [int(p) for p in version.split(".") if p.isdigit()]
        if len(parts) == 1:
            return [f">={version}", f"<{parts[0] + 1}"]
        return [f">={version}", f"<{parts[0]}.{parts[1] + 1}"]
    if op in ("", "="):
        return [f"=={version}"]
    return [f"{op}{version}"]


def python_marker(constraint: str) -> str:
    """A Poetry Python constraint (``^3.10``, ``>=3.9,<3.12``) as a marker on python_full_version."""
    spec, _ = poetry_constraint(constraint)
    clauses = [c for c in spec.split(",") if c]
    if not clauses:
        return 'python_version >= "3"'
    out = []
    for clause in clauses:
        match = re.match(r"^(~=|==|!=|>=|<=|>|<)(.+)$", clause)
        assert match is not None
        out.append(f'python_full_version {match.group(1)} "{match.group(2)}"')
    return " and ".join(out)
