"""The grid of `tfdoctor matrix`: grid.toml expanded into cells, each keyed by its content."""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from packaging.specifiers import SpecifierSet
from packaging.version import Version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.9/3.10
    import tomli as tomllib

# Bumped when the probe or the way cells are built changes: every cell is then new.
PROBE_VERSION = "1"
KERAS_CHOICES = ("declared", "keras3", "keras2", "too_old", "nightly")


@dataclass(frozen=True)
class Stage:
    """One `uv pip install` of a cell: packages, with or without their dependencies."""

    packages: tuple[str, ...]
    no_deps: bool = False
    overrides: tuple[str, ...] = ()  # uv --override lines


@dataclass(frozen=True)
class Cell:
    family: str
    tensorflow: str  # the release, e.g. 2.15.1
    python: str  # a minor, e.g. 3.11
    stages: tuple[Stage, ...]
    axes: tuple[tuple[str, str], ...] = ()  # what this cell varies, for people: (("numpy", "2"),)
    settings: tuple[tuple[str, str], ...] = ()
    checks: tuple[tuple[str, str], ...] = ()  # (name, statement) run after the smoke test
    api: bool = False
    flags: tuple[str, ...] = field(default=(), compare=False)

    def content(self) -> dict[str, Any]:
        """What decides the outcome; the family name is a label and not part of it."""
        return {
            "probe": PROBE_VERSION,
            "python": self.python,
            "stages": [
                {"packages": list(s.packages), "no_deps": s.no_deps, "overrides": list(s.overrides)}
                for s in self.stages
            ],
            "settings": dict(self.settings),
            "checks": [list(c) for c in self.checks],
            "api": self.api,
        }

    def key(self) -> str:
        blob = json.dumps(self.content(), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def label(self) -> str:
        parts = [f"TF {self.tensorflow}", f"py{self.python}"]
        parts += [f"{k}={v}" for k, v in self.axes]
        parts += [f"{k}={v}" for k, v in self.settings]
        return " ".join(parts)


def load_declared() -> dict[str, Any]:
    text = (resources.files("tfdoctor.kb") / "data" / "declared.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def default_grid() -> Path:
    return Path(str(resources.files("tfdoctor.matrix") / "grid.toml"))


def load_grid(path: Path | None = None) -> dict[str, Any]:
    with open(path or default_grid(), "rb") as fh:
        data: dict[str, Any] = tomllib.load(fh)
    return data


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _vt(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(".")[:2])


class Releases:
    """Versions from declared.json: newest patch per minor, Pythons, declared requirements."""

    def __init__(self, declared: dict[str, Any]) -> None:
        self.packages: dict[str, Any] = declared["packages"]

    def finals(self, name: str) -> list[Version]:
        releases = self.packages.get(name, {}).get("releases", {})
        found = []
        for text, info in releases.items():
            version = Version(text)
            if not version.is_prerelease and not info.get("yanked"):
                found.append(version)
        return sorted(found)

    def newest_per_minor(self, name: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for version in self.finals(name):
            out[f"{version.major}.{version.minor}"] = str(version)
        return out

    def info(self, name: str, version: str) -> dict[str, Any]:
        info: dict[str, Any] = self.packages[name]["releases"][version]
        return info

    def requirement(self, name: str, version: str, dist: str, python: str) -> SpecifierSet | None:
        """The specifier TF `version` declares for `dist` (markers evaluated for `python`)."""
        from packaging.requirements import Requirement

        lines = self.info(name, version).get("requires_dist") or []
        if (
            not lines
            and name != "tensorflow"
            and version in self.packages["tensorflow"]["releases"]
        ):
            lines = self.info("tensorflow", version).get("requires_dist") or []
        for line in lines:
            req = Requirement(line.replace(" (", "").replace(")", "") if "(" in line else line)
            if req.name != dist:
                continue
            if req.marker and not req.marker.evaluate(
                {"python_version": python, "extra": "", "sys_platform": "linux"}
            ):
                continue
            return req.specifier
        return None

    def newest_in(self, name: str, spec: SpecifierSet) -> str | None:
        matching = [v for v in self.finals(name) if v in spec]
        return str(matching[-1]) if matching else None

    def newest_below(self, name: str, spec: SpecifierSet) -> str | None:
        """The newest release below every release the specifier admits ("one too old")."""
        finals = self.finals(name)
        admitted = [v for v in finals if v in spec]
        if not admitted:
            return None
        below = [v for v in finals if v < admitted[0]]
        return str(below[-1]) if below else None


def _pythons(releases: Releases, tf: str, grid: dict[str, Any], available: set[str]) -> list[str]:
    floor = _vt(grid["grid"].get("min_python", "3.7"))
    pythons = [
        p
        for p in releases.info(grid["grid"]["variant"], tf).get("pythons", [])
        if _vt(p) >= floor and p in available
    ]
    return sorted(pythons, key=_vt)


def available_pythons() -> set[str]:
    """CPython minors this machine has (pyenv), else 3.7-3.13 (uv finds or fetches them)."""
    import subprocess

    try:
        out = subprocess.run(
            ["pyenv", "versions", "--bare"], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return {f"3.{m}" for m in range(7, 14)}
    return {_minor(v) for v in out.split() if v[:1] == "3"}


def _keras_choice(releases: Releases, choice: str, tf: str, python: str) -> Stage | None:
    declared = releases.requirement("tensorflow-cpu", tf, "keras", python)
    if choice == "declared":
        return None
    if choice == "keras3":
        return Stage(("keras>=3,<4",))  # the newest Keras 3 for the cell's Python
    if choice == "keras2":
        return Stage((f"keras=={releases.newest_in('keras', SpecifierSet('<3'))}",))
    if choice == "nightly":
        return Stage(("keras-nightly",))
    if choice == "too_old" and declared is not None:
        old = releases.newest_below("keras", declared)
        return Stage((f"keras=={old}",)) if old else None
    return None


def _tf_keras(releases: Releases, choice: str, tf: str) -> str | None:
    minors = releases.newest_per_minor("tf-keras")
    minor = _minor(tf)
    if choice == "same":
        return minors.get(minor)
    ordered = sorted(minors, key=_vt)
    if minor not in ordered:
        return None
    i = ordered.index(minor)
    other = ordered[i - 1] if i > 0 else (ordered[i + 1] if i + 1 < len(ordered) else None)
    return minors[other] if other else None


def _numpy(releases: Releases, choice: str, tf: str, python: str) -> str | None:
    if choice == "1":
        return "numpy<2"
    if choice == "2":
        return "numpy>=2,<3"
    declared = releases.requirement("tensorflow-cpu", tf, "numpy", python)
    for spec in declared or ():
        if spec.operator in (">=", "~="):
            return f"numpy=={spec.version}"
    return None


def _protobuf_above(releases: Releases, tf: str, python: str, newest_major: int) -> str | None:
    declared = releases.requirement("tensorflow-cpu", tf, "protobuf", python)
    uppers = [Version(s.version) for s in declared or () if s.operator in ("<", "<=")]
    if not uppers:
        return None
    upper = min(uppers)
    # `<3.20` allows 3.19 (the major above is 4); `<5.0.0dev` allows 4.x (the major above is 5)
    above = upper.major + 1 if upper.minor or upper.micro else upper.major
    if above > newest_major:
        return None
    return f"protobuf>={above},<{above + 1}"


def expand(
    grid: dict[str, Any], declared: dict[str, Any] | None = None, pythons: set[str] | None = None
) -> list[Cell]:
    """Every cell of the grid, pruned by its rules, each once (first family wins)."""
    releases = Releases(declared if declared is not None else load_declared())
    available = pythons if pythons is not None else available_pythons()
    g = grid["grid"]
    variant = g["variant"]
    flags = tuple(g.get("install_flags", ()))
    tf_minors = {
        m: v
        for m, v in releases.newest_per_minor(variant).items()
        if _vt(m) >= _vt(g.get("tf_from", "2.6"))
    }
    cells: dict[str, Cell] = {}
    for family in grid.get("family", []):
        for minor, tf in sorted(tf_minors.items(), key=lambda kv: _vt(kv[0])):
            if _vt(minor) < _vt(family.get("tf_min", "0.0")):
                continue
            if _vt(minor) > _vt(family.get("tf_max", "99.0")):
                continue
            pys = _pythons(releases, tf, grid, available)
            if not pys:
                continue
            chosen = {"oldest": pys[0], "newest": pys[-1]}
            for which in family.get("python", ["newest"]):
                python = chosen[which]
                for cell in _family_cells(family, grid, releases, tf, python, flags):
                    cells.setdefault(cell.key(), cell)
    return list(cells.values())


def _family_cells(
    family: dict[str, Any],
    grid: dict[str, Any],
    releases: Releases,
    tf: str,
    python: str,
    flags: tuple[str, ...],
) -> list[Cell]:
    variant = grid["grid"]["variant"]
    base = Stage((f"{variant}=={tf}",))
    minor = _minor(tf)
    out: list[Cell] = []
    options: list[
        tuple[tuple[tuple[str, str], ...], tuple[Stage, ...], tuple[tuple[str, str], ...]]
    ] = []
    if "keras" in family:
        for choice in family["keras"]:
            stage = _keras_choice(releases, choice, tf, python)
            if stage is not None:
                options.append(((("keras", choice),), (stage,), ()))
    elif "tf_keras" in family:
        for choice in family["tf_keras"]:
            version = _tf_keras(releases, choice, tf)
            if version:
                stage = Stage((f"tf-keras=={version}",), no_deps=True)
                options.append(((("tf_keras", choice),), (stage,), ()))
    elif "numpy" in family:
        for choice in family["numpy"]:
            req = _numpy(releases, choice, tf, python)
            if req:
                options.append(((("numpy", choice),), (Stage((req,), no_deps=True),), ()))
    elif "protobuf" in family:
        newest = int(grid.get("protobuf", {}).get("newest_major", 6))
        req = _protobuf_above(releases, tf, python, newest)
        if req:
            options.append(((("protobuf", "above"),), (Stage((req,), no_deps=True),), ()))
    elif "dependent" in family:
        table = grid.get("dependents", {})
        for name in family["dependent"]:
            dep = table[name]
            if _vt(minor) < _vt(dep.get("tf_min", "0.0")):
                continue
            stage = Stage(
                (dep["require"].format(minor=minor),),
                overrides=("tensorflow; sys_platform == 'never'",),
            )
            options.append(((("dependent", name),), (stage,), ((name, dep["check"]),)))
    else:
        options.append(((), (), ()))
    settings_list = family.get("settings", [{}])
    # the TensorFlow distribution itself as an axis: `tensorflow`, `tensorflow[and-cuda]`, ...
    bases: list[tuple[tuple[tuple[str, str], ...], Stage]] = [((), base)]
    if "variants" in family:
        bases = [((("variant", v),), Stage((f"{v}=={tf}",))) for v in family["variants"]]
    for (variant_axis, first), (axes, stages, checks) in ((b, o) for b in bases for o in options):
        for settings in settings_list:
            out.append(
                Cell(
                    family=family["name"],
                    tensorflow=tf,
                    python=python,
                    stages=(first, *stages),
                    axes=variant_axis + axes,
                    settings=tuple(sorted(settings.items())),
                    checks=checks,
                    api=bool(family.get("api")),
                    flags=flags,
                )
            )
    return out
