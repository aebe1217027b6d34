"""Lock files read as they are, offline: ``uv.lock``, ``poetry.lock`` and ``pylock.toml``.

A lock already says which release of each package gets installed; what applies to the checked
Python and platform is chosen by evaluating its markers there (and, for ``uv.lock``, by walking
the dependency graph from the project). Nothing is resolved and nothing is downloaded."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import Any, NamedTuple

from tfdoctor.errors import UsageError
from tfdoctor.pep508 import canonical, evaluate, parse
from tfdoctor.resolve.platforms import WouldBe
from tfdoctor.resolve.sources import read_toml
from tfdoctor.resolve.would_be import Planned


class Locked(NamedTuple):
    label: str
    kind: str  # uv.lock | poetry.lock | pylock.toml
    packages: tuple[Planned, ...]


def read_lock(path: str, label: str, target: WouldBe) -> Locked:
    data = read_toml(os.path.abspath(os.path.expanduser(path)))
    name = os.path.basename(path)
    if name == "uv.lock":
        return Locked(label, "uv.lock", tuple(_uv_lock(data, target, label)))
    if name == "poetry.lock":
        roots = _poetry_roots(os.path.dirname(os.path.abspath(path)))
        return Locked(label, "poetry.lock", tuple(_poetry_lock(data, target, roots)))
    return Locked(label, "pylock.toml", tuple(_pylock(data, target, label)))


# -- markers and wheels -----------------------------------------------------------------------
def _holds(marker: str | None, target: WouldBe, extra: str = "") -> bool:
    if not marker:
        return True
    try:
        return evaluate(marker, {**target.markers(), "extra": extra})
    except Exception:  # a marker this evaluator cannot read (PEP 751 `in extras`): keep it
        return True


def wheel_tags(filename: str) -> tuple[str, ...]:
    """The compressed tag set of a wheel file name (``cp311-cp311-manylinux_2_17_x86_64...``)."""
    stem = filename.rsplit("/", 1)[-1].split("#")[0]
    if not stem.endswith(".whl"):
        return ()
    parts = stem[:-4].split("-")
    return ("-".join(parts[-3:]),) if len(parts) >= 5 else ()


def _platform_fits(platform_tag: str, target: WouldBe) -> bool:
    tags = platform_tag.split(".")
    arch = {"x86_64": ("x86_64", "amd64"), "arm64": ("aarch64", "arm64")}[target.arch]
    for tag in tags:
        if tag == "any":
            return True
        if target.system == "linux" and ("linux" in tag) and tag.endswith(arch):
            return True
        if (
            target.system == "macos"
            and tag.startswith("macosx")
            and tag.endswith((*arch, "universal2", "universal"))
        ):
            return True
        if target.system == "windows" and tag in (f"win_{arch[1]}",):
            return True
    return False


def _python_fits(python_tag: str, abi: str, target: WouldBe) -> bool:
    minor = int(target.minor.split(".")[1])
    for interpreter in python_tag.split("."):
        if interpreter in ("py3", f"py3{minor}"):
            return True
        if interpreter.startswith("cp3") and interpreter[3:].isdigit():
            built = int(interpreter[3:])
            if built == minor or ("abi3" in abi.split(".") and built <= minor):
                return True
    return False


def chosen_tags(filenames: Iterable[str], target: WouldBe) -> tuple[str, ...]:
    """The tags of the wheel an installer would pick here; when none fits the Python, those
    built for this platform (so the Python rule can say which Pythons they are for)."""
    tags = [t for name in filenames for t in wheel_tags(name)]
    on_platform = [t for t in tags if _platform_fits(t.split("-")[2], target)]
    usable = [t for t in on_platform if _python_fits(t.split("-")[0], t.split("-")[1], target)]
    return tuple(usable[:1] or on_platform or tags)


# -- uv.lock ----------------------------------------------------------------------------------
def _uv_lock(data: dict[str, Any], target: WouldBe, label: str) -> list[Planned]:
    packages = data.get("package") or []
    by_name: dict[str, list[dict[str, Any]]] = {}
    for package in packages:
        by_name.setdefault(canonical(str(package.get("name", ""))), []).append(package)
    roots = [p for p in packages if _is_project(p.get("source") or {})]
    if not roots:
        raise UsageError(f"{label} has no project package (source virtual or editable)")
    chosen: dict[str, tuple[dict[str, Any], set[str]]] = {}
    requested: set[str] = set()
    queue: list[tuple[dict[str, Any], str]] = []
    for root in roots:
        edges = list(root.get("dependencies") or ())
        for group in (root.get("optional-dependencies") or {}).values():
            edges += group
        for group in (root.get("dev-dependencies") or {}).values():
            edges += group
        for edge in edges:
            requested.add(canonical(str(edge.get("name", ""))))
            queue.append((edge, ""))
    root_names = {canonical(str(r.get("name", ""))) for r in roots}
    while queue:
        edge, _extra = queue.pop()
        if not _holds(edge.get("marker"), target):
            continue
        name = canonical(str(edge.get("name", "")))
        if name in root_names:
            continue
        candidates = by_name.get(name, [])
        version = edge.get("version")
        package = next((p for p in candidates if not version or p.get("version") == version), None)
        if package is None:
            continue
        extras = {canonical(str(e)) for e in edge.get("extra") or ()}
        seen = chosen.get(name)
        if seen is not None and extras <= seen[1]:
            continue
        known = seen[1] if seen else set()
        new_extras = extras - known
        chosen[name] = (package, known | extras)
        if seen is None:
            queue += [(e, "") for e in package.get("dependencies") or ()]
        for extra in new_extras:
            queue += [
                (e, extra) for e in (package.get("optional-dependencies") or {}).get(extra, ())
            ]
    out = []
    for name, (package, extras) in sorted(chosen.items()):
        files = [
            str(w.get("url") or w.get("filename") or w.get("path") or "")
            for w in package.get("wheels") or ()
        ]
        out.append(
            Planned(
                name=name,
                version=str(package.get("version", "")),
                wheel_tags=chosen_tags(files, target),
                requested=name in requested,
                extras=tuple(sorted(extras)),
            )
        )
    return out


def _is_project(source: dict[str, Any]) -> bool:
    return "virtual" in source or "editable" in source


# -- poetry.lock ------------------------------------------------------------------------------
def _poetry_roots(folder: str) -> set[str] | None:
    """Names the project itself depends on (pyproject.toml beside the lock), if it is there."""
    path = os.path.join(folder, "pyproject.toml")
    if not os.path.isfile(path):
        return None
    from tfdoctor.resolve import pyproject

    try:
        found, _, _, _ = pyproject.read(path, path)
    except UsageError:
        return None
    return {r.name for r in found if r.name}


def _poetry_lock(data: dict[str, Any], target: WouldBe, roots: set[str] | None) -> list[Planned]:
    from tfdoctor.resolve.pyproject import poetry_constraint

    packages = [p for p in data.get("package") or () if _poetry_applies(p, target)]
    by_name: dict[str, list[dict[str, Any]]] = {}
    for package in packages:
        by_name.setdefault(canonical(str(package.get("name", ""))), []).append(package)
    if roots is None:
        selected = {name: group[-1] for name, group in by_name.items()}
    else:
        selected = {}
        queue = [(name, "") for name in roots]
        while queue:
            name, spec = queue.pop()
            if name in selected or name not in by_name:
                continue
            package = _pick(by_name[name], spec)
            selected[name] = package
            for dep, value in (package.get("dependencies") or {}).items():
                requirement = parse(_poetry_dependency_line(dep, value, poetry_constraint))
                if requirement is None or (isinstance(value, dict) and value.get("optional")):
                    continue  # optional: only with an extra the lock does not say was chosen
                if _holds(requirement.marker, target):
                    queue.append((canonical(dep), requirement.specifier))
    out = []
    for name, package in sorted(selected.items()):
        requires = [
            _poetry_dependency_line(dep, value, poetry_constraint)
            for dep, value in (package.get("dependencies") or {}).items()
        ]
        for extra, lines in (package.get("extras") or {}).items():
            for item in lines:
                requires.append(_extra_line(str(item), str(extra)))
        files = [str(f.get("file", "")) for f in package.get("files") or ()]
        out.append(
            Planned(
                name=name,
                version=str(package.get("version", "")),
                requires_dist=tuple(requires),
                requires_python=poetry_constraint(str(package.get("python-versions", "*")))[0],
                wheel_tags=chosen_tags(files, target),
                requested=roots is not None and name in roots,
            )
        )
    return out


def _poetry_applies(package: dict[str, Any], target: WouldBe) -> bool:
    from tfdoctor.pep508 import allows
    from tfdoctor.resolve.pyproject import poetry_constraint

    try:
        spec, _ = poetry_constraint(str(package.get("python-versions", "*")))
    except UsageError:
        spec = ""
    if spec and not allows(spec, target.python):
        return False
    markers = package.get("markers")
    if isinstance(markers, dict):
        return any(_holds(str(m), target) for m in markers.values())
    return _holds(str(markers) if markers else "", target)


def _pick(candidates: list[dict[str, Any]], spec: str) -> dict[str, Any]:
    from tfdoctor.pep508 import allows

    matching = [p for p in candidates if not spec or allows(spec, str(p.get("version", "")))]
    return (matching or candidates)[-1]


def _poetry_dependency_line(name: str, value: Any, convert: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else "*"
    if isinstance(value, dict):
        spec = convert(str(value.get("version", "*")))[0]
        extras = value.get("extras") or ()
        line = f"{name}{'[' + ','.join(extras) + ']' if extras else ''}{spec}"
        if value.get("markers"):
            line += f" ; {value['markers']}"
        return line
    return f"{name}{convert(str(value))[0]}"


def _extra_line(item: str, extra: str) -> str:
    """``nvidia-cublas-cu12 (==12.2.5.6)`` of a Poetry extras table as a Requires-Dist line."""
    match = re.match(r"^([A-Za-z0-9_.\-\[\],]+)\s*(?:\((.*)\))?\s*(?:;(.*))?$", item.strip())
    if match is None:
        return f'{item} ; extra == "{extra}"'
    name, spec, marker = match.group(1), match.group(2) or "", match.group(3)
    condition = f'extra == "{extra}"' + (f" and ({marker.strip()})" if marker else "")
    return f"{name}{spec} ; {condition}"


# -- pylock.toml (PEP 751) ---------------------------------------------------------------------
def _pylock(data: dict[str, Any], target: WouldBe, label: str) -> list[Planned]:
    if "packages" not in data:
        raise UsageError(f"{label} has no [[packages]]; is it a PEP 751 pylock.toml?")
    out = []
    for package in data["packages"]:
        if not _holds(package.get("marker"), target):
            continue
        files = [
            str(w.get("name") or w.get("url") or w.get("path") or "")
            for w in package.get("wheels") or ()
        ]
        out.append(
            Planned(
                name=canonical(str(package.get("name", ""))),
                version=str(package.get("version", "")),
                requires_python=str(package.get("requires-python", "")),
                wheel_tags=chosen_tags(files, target),
            )
        )
    return out
