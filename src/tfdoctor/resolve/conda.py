"""``environment.yml``: the ``pip:`` part as it is, and the conda packages of the TensorFlow stack
by name (their conda builds are checked as the registry releases of the same version).

A conda spec is ``[channel::]name[ version[ build]]`` or ``name=version[=build]``; ``=1.2`` means
1.2 and anything after it (``1.2.*``), ``==1.2`` exactly 1.2 (conda's MatchSpec)."""

from __future__ import annotations

import os
import re

from tfdoctor.errors import UsageError
from tfdoctor.pep508 import canonical
from tfdoctor.resolve.sources import Requirement, parse_requirement, read_requirements_text

# conda package names that differ from the registry's; None: conda-only, no registry twin.
CONDA_NAMES: dict[str, str | None] = {
    "pytorch": "torch",
    "ml_dtypes": "ml-dtypes",
    "libprotobuf": None,
    "tensorflow-base": None,
    "_tflow_select": None,
}
_SPEC = re.compile(r"^([A-Za-z0-9_.\-]+)\s*(.*)$")


def read(path: str, label: str) -> tuple[list[Requirement], list[str], str | None, list[str]]:
    """(requirements, uv lines, Python version, notes) of an environment.yml."""
    import yaml

    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except FileNotFoundError:
        raise UsageError(f"no such file: {label}") from None
    except (OSError, yaml.YAMLError) as exc:
        raise UsageError(f"{label} is not a readable YAML file ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("dependencies"), list):
        raise UsageError(f"{label} has no `dependencies:` list; is it a conda environment.yml?")
    stack = _stack_names()
    found: list[Requirement] = []
    lines: list[str] = []
    notes: list[str] = []
    python: str | None = None
    skipped: list[str] = []
    for item in data["dependencies"]:
        if isinstance(item, dict) and "pip" in item:
            text = "\n".join(str(line) for line in item.get("pip") or ())
            pip_found, pip_lines = read_requirements_text(
                text, f"{label} (pip)", os.path.dirname(path)
            )
            found += pip_found
            lines += pip_lines
            continue
        if not isinstance(item, str):
            continue
        name, spec = conda_spec(item)
        if name == "python":
            python = _exact(spec)
            continue
        registry = CONDA_NAMES.get(name, name)
        if registry is None or canonical(registry) not in stack:
            if name != "pip":
                skipped.append(name)
            continue
        requirement = parse_requirement(f"{registry}{spec}", f"{label} (conda: {item})")
        found.append(requirement)
        lines.append(requirement.line)
    if skipped:
        notes.append(
            f"{label}: conda packages outside the TensorFlow stack are not checked: "
            + ", ".join(skipped)
        )
    return found, lines, python, notes


def _stack_names() -> frozenset[str]:
    from tfdoctor.kb import load
    from tfdoctor.report.model import KEY_PACKAGES

    kb = load()
    return kb.stack_names() | kb.dependent_names() | frozenset(KEY_PACKAGES)


def conda_spec(text: str) -> tuple[str, str]:
    """(name, PEP 440 specifier) of a conda MatchSpec such as ``conda-forge::numpy>=1.26,<2``,
    ``tensorflow=2.15`` or ``keras 3.3.*``; an ``|`` alternative keeps its first choice."""
    spec = text.split("::")[-1].strip()
    match = _SPEC.match(spec)
    if match is None:
        raise UsageError(f"not a conda package spec: {text!r}")
    name, rest = match.group(1).lower(), match.group(2).strip()
    if rest.startswith("=") and not rest.startswith("=="):
        version = rest[1:].split("=")[0].strip()  # name=version=build
        return name, _prefix(version)
    rest = rest.split(" ")[0] if " " in rest and not re.match(r"^[<>=!]", rest) else rest
    rest = rest.split("|")[0].strip()
    if not rest:
        return name, ""
    if re.match(r"^[<>=!~]", rest):
        return name, ",".join(c.strip() for c in rest.split(",") if c.strip())
    return name, _prefix(rest)


def _prefix(version: str) -> str:
    """conda's ``=1.2`` / ``1.2``: 1.2 or any release that starts with it."""
    version = version.split("|")[0].strip()
    if not version or version == "*":
        return ""
    if version.endswith("*"):
        return f"=={version.rstrip('.*')}.*"
    return f"=={version}.*" if version.count(".") < 2 else f"=={version}"


def _exact(spec: str) -> str | None:
    match = re.match(r"^==(\d+\.\d+)(\.\d+)?(\.\*)?$", spec)
    return match.group(1) + (match.group(2) or "") if match else None
