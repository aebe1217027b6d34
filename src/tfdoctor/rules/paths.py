"""TFD4xx: what ``import tensorflow`` / ``keras`` / ``tf_keras`` would really load."""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterator

from tfdoctor.finding import Finding, Group, Remedy, Severity
from tfdoctor.registry import RuleInfo
from tfdoctor.rules.base import Context, check, finding
from tfdoctor.snapshot import Distribution, PathEntry, Snapshot

SHADOWED = RuleInfo(
    "TFD401",
    "shadowed-module",
    "shadowed-module",
    Severity.ERROR,
    Group.ENVIRONMENT,
    "`import tensorflow`/`keras`/`tf_keras` would load something other than the installed package.",
)

IMPORTS = {"tensorflow": "tensorflow", "keras": "keras", "tf_keras": "tf-keras"}
ORIGIN_WORDS = {
    "working-directory": "the working directory (sys.path[0])",
    "pythonpath": "a PYTHONPATH entry",
    "user-site": "the user site-packages (pip install --user)",
    "other": "a sys.path entry",
}


def _entry_for(snapshot: Snapshot, path: str) -> PathEntry | None:
    real = os.path.realpath(path)
    best: PathEntry | None = None
    for entry in snapshot.sys_path:
        base = entry.resolved.rstrip(os.sep) + os.sep
        if real.startswith(base) and (best is None or len(entry.resolved) > len(best.resolved)):
            best = entry
    return best


def _providers(snapshot: Snapshot, name: str) -> list[Distribution]:
    return [d for d in snapshot.distributions if name in (d.record_packages or d.top_level)]


@check(SHADOWED)
def shadowed(ctx: Context) -> Iterator[Finding]:
    snap = ctx.snapshot
    for name in IMPORTS:
        origin = snap.importable(name)
        if origin is None or origin.error:
            continue
        loaded = origin.origin or (origin.locations[0] if origin.locations else "")
        if not loaded:
            continue
        entry = _entry_for(snap, loaded)
        providers = _providers(snap, name)
        inside = [
            d
            for d in providers
            if entry is not None and os.path.realpath(d.location) == entry.resolved
        ]
        if inside:
            continue
        if entry is not None and entry.origin == "site-packages":
            continue  # an unowned folder in site-packages is a broken install (TFD304)
        where = ORIGIN_WORDS.get(entry.origin if entry else "other", "a sys.path entry")
        if entry is not None and entry.origin.startswith("pth:"):
            where = f"a path added by {entry.origin[4:]}"
        installed = [f"installed: {d.name} {d.version} in {d.location}" for d in providers]
        yield finding(
            SHADOWED,
            f"`import {name}` loads {loaded} from {where}, not the installed package",
            evidence=(
                f"{name} resolves to {loaded}",
                f"sys.path entry: {entry.path or '(empty: the working directory)'}"
                if entry
                else "",
                *installed,
            ),
            why=(
                "Python takes the first match on sys.path, so this file or folder hides the real "
                f"{name}: imports fail with AttributeError/ImportError ('partially initialized "
                "module', 'has no attribute') or run the wrong code."
            ),
            fix=_fix(ctx, entry, loaded, name),
            remedies=_remedies(entry, loaded),
        )


def _remedies(entry: PathEntry | None, loaded: str) -> tuple[Remedy, ...]:
    """What the planner may do: move the shadowing file aside, or unset PYTHONPATH."""
    origin = entry.origin if entry else "other"
    if origin == "working-directory":
        target = loaded if not loaded.endswith("__init__.py") else os.path.dirname(loaded)
        stem, ext = os.path.splitext(target)
        return (
            Remedy("move", target, f"{os.path.dirname(stem)}/my_{os.path.basename(stem)}{ext}"),
        )
    if origin == "pythonpath":
        return (Remedy("unsetenv", "PYTHONPATH"),)
    return ()


def _fix(ctx: Context, entry: PathEntry | None, loaded: str, name: str) -> tuple[str, ...]:
    origin = entry.origin if entry else "other"
    if origin in ("working-directory", "pythonpath"):
        return tuple(remedy.shell() for remedy in _remedies(entry, loaded))
    if origin == "user-site":
        dist = IMPORTS[name]
        return (
            f"{shlex.quote(ctx.snapshot.python.executable)} -m pip uninstall -y {dist}  # from the user site",
            "export PYTHONNOUSERSITE=1",
        )
    return (f"# remove {loaded} from sys.path (it comes from {entry.path if entry else '?'})",)
