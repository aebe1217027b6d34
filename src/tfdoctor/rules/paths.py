"""TFD4xx: what ``import tensorflow`` / ``keras`` / ``tf_keras`` would really load."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import NamedTuple

from tfdoctor.finding import Finding, Group, Remedy, Severity, uninstalls
from tfdoctor.registry import RuleInfo
from tfdoctor.rules.base import Context, check, finding
from tfdoctor.shellwords import word as shell_word
from tfdoctor.snapshot import Distribution, PathEntry, Snapshot

BACKUP = "~/tfdoctor-backup"

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


class Shadow(NamedTuple):
    """A sys.path entry outside the environment's own site-packages that comes first with
    copies of stack packages the environment has too: (outside copy, own copy) pairs."""

    entry: PathEntry
    pairs: tuple[tuple[Distribution, Distribution], ...]


_IMPORTS_OF_VARIANTS = frozenset(IMPORTS)


def shadows(snapshot: Snapshot, stack: frozenset[str]) -> list[Shadow]:
    """Entries (PYTHONPATH, .pth-added, user site, other) whose stack packages are imported
    instead of the environment's own: pure, from the snapshot's sys.path and distributions."""
    own = {os.path.realpath(p) for p in snapshot.site_packages}
    position: dict[str, int] = {}
    for index, entry in enumerate(snapshot.sys_path):
        position.setdefault(entry.resolved, index)
    entries = {e.resolved: e for e in snapshot.sys_path}
    inside = [
        d
        for d in snapshot.distributions
        if not d.error and os.path.realpath(d.location) in own and d.key in stack
    ]
    found: dict[str, list[tuple[Distribution, Distribution]]] = {}
    for dist in snapshot.distributions:
        where = os.path.realpath(dist.location)
        holder = entries.get(where)
        if dist.error or dist.key not in stack or holder is None or where in own:
            continue
        if holder.origin in ("stdlib", "site-packages", "working-directory"):
            continue
        names = set(dist.top_level) & _IMPORTS_OF_VARIANTS
        for mine in inside:
            if mine.key != dist.key and not names & set(mine.top_level):
                continue
            if position.get(os.path.realpath(mine.location), -1) > position[where]:
                found.setdefault(where, []).append((dist, mine))
                break
    return [Shadow(entries[w], tuple(pairs)) for w, pairs in found.items()]


def without_shadows(snapshot: Snapshot, found: list[Shadow]) -> Snapshot:
    """The environment as it is once the shadowing entries are gone: what the other rules and
    the fix planner judge (the shadow itself is one finding, TFD401)."""
    if not found:
        return snapshot
    gone = {s.entry.resolved for s in found}
    return snapshot._replace(
        distributions=tuple(
            d for d in snapshot.distributions if os.path.realpath(d.location) not in gone
        )
    )


def _where_words(entry: PathEntry) -> str:
    if entry.origin.startswith("pth:"):
        return f"a path added by {entry.origin[4:]}"
    return ORIGIN_WORDS.get(entry.origin, "a sys.path entry")


def _sources(snap: Snapshot, entry: PathEntry) -> list[str]:
    """Where the entry is set, as far as the environment shows it."""
    out = []
    if entry.origin == "pythonpath":
        if snap.environ.get("PYTHONPATH"):
            out.append(f"PYTHONPATH is set in the shell environment: {snap.environ['PYTHONPATH']}")
        for path, line in snap.pythonpath_sources:
            out.append(f"PYTHONPATH is set in {path}: {line}")
    elif entry.origin.startswith("pth:"):
        out.extend(f"added by {path}" for path, _ in _pth_paths(snap, entry))
    return out


def _pth_paths(snap: Snapshot, entry: PathEntry) -> list[tuple[str, str]]:
    name = entry.origin[4:]
    return [(p, head) for p, head in snap.pth_files if os.path.basename(p) == name]


def _shadow_finding(ctx: Context, shadow: Shadow) -> Finding:
    snap = ctx.full_snapshot
    entry = shadow.entry
    where = _where_words(entry)
    outside, mine = shadow.pairs[0]
    for pair in shadow.pairs:  # name TensorFlow (or Keras) in the title when it is shadowed
        if set(pair[0].top_level) & {"tensorflow"}:
            outside, mine = pair
            break
    more = len(shadow.pairs) - 1
    title = (
        f"`import {(set(outside.top_level) & _IMPORTS_OF_VARIANTS or {outside.key}).pop()}` "
        f"loads {_label(outside)} from {where} ({entry.path}), not this environment's "
        f"{_label(mine)}"
        + (f" (and {more} more stack package{'s' if more > 1 else ''})" if more else "")
    )
    return finding(
        SHADOWED,
        title,
        evidence=(
            *[
                f"{_label(o)} in {o.location} comes first on sys.path; "
                f"{_label(m)} in {m.location} is hidden"
                for o, m in shadow.pairs
            ],
            *_sources(snap, entry),
        ),
        why=(
            "Python takes the first match on sys.path, so these copies are imported instead of "
            "the environment's own packages: the versions pip, uv and tfdoctor see are not the "
            "ones that run, and installing or upgrading packages in the environment changes "
            "nothing while the entry is there."
        ),
        fix=_entry_fix(ctx, entry, outside.name),
        remedies=_remove_entry(ctx, entry)
        + (uninstalls(outside.name, user_site=True) if entry.origin == "user-site" else ()),
        fix_note="Remove the entry; do not install anything: the environment's own packages "
        "are what then imports.",
    )


def _remove_entry(ctx: Context, entry: PathEntry) -> tuple[Remedy, ...]:
    """The changes that take the entry away (PYTHONPATH, a .pth file), as remedies."""
    snap = ctx.full_snapshot
    if entry.origin == "pythonpath":
        current = snap.environ.get("PYTHONPATH", "")
        rest = [p for p in current.split(os.pathsep) if p and os.path.realpath(p) != entry.resolved]
        files = sorted({path for path, _ in snap.pythonpath_sources})
        reason = "\n".join(
            f"and remove {shell_word(entry.path)} from PYTHONPATH in {shell_word(path)}"
            for path in files
        )
        if rest:
            return (Remedy("setenv", "PYTHONPATH", os.pathsep.join(rest), reason),)
        return (Remedy("unsetenv", "PYTHONPATH", "", reason),)
    if entry.origin.startswith("pth:"):
        return tuple(Remedy("backup", path, BACKUP) for path, _ in _pth_paths(snap, entry))
    return ()


def _entry_fix(ctx: Context, entry: PathEntry, dist: str) -> tuple[str, ...]:
    """The shell text of `_remove_entry`'s remedies, or the step a person has to take."""
    remedies = _remove_entry(ctx, entry)
    if remedies:
        lines = [remedy.shell() for remedy in remedies]
        notes = [f"# {line}" for r in remedies for line in r.reason.splitlines()]
        return (*lines, *notes)
    if entry.origin.startswith("pth:"):
        return (f"# remove the line {entry.path} from {entry.origin[4:]}",)
    if entry.origin == "user-site":
        python = shell_word(ctx.full_snapshot.python.executable)
        return (
            f"{python} -m pip uninstall -y {dist}  # from the user site",
            "export PYTHONNOUSERSITE=1",
        )
    return (f"# remove {entry.path} from sys.path",)


def _label(dist: Distribution) -> str:
    return f"{dist.name} {dist.version}"


@check(SHADOWED)
def shadowed(ctx: Context) -> Iterator[Finding]:
    snap = ctx.full_snapshot
    reported = set()
    for shadow in ctx.shadows:
        reported.add(shadow.entry.resolved)
        yield _shadow_finding(ctx, shadow)
    for name in IMPORTS:
        origin = snap.importable(name)
        if origin is None or origin.error:
            continue
        loaded = origin.origin or (origin.locations[0] if origin.locations else "")
        if not loaded:
            continue
        entry = _entry_for(snap, loaded)
        if entry is not None and entry.resolved in reported:
            continue
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
        where = _where_words(entry) if entry else ORIGIN_WORDS["other"]
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
                *(_sources(snap, entry) if entry else ()),
            ),
            why=(
                "Python takes the first match on sys.path, so this file or folder hides the real "
                f"{name}: imports fail with AttributeError/ImportError ('partially initialized "
                "module', 'has no attribute') or run the wrong code."
            ),
            fix=_fix(ctx, entry, loaded, name),
            remedies=_remedies(ctx, entry, loaded, name),
        )


def _remedies(ctx: Context, entry: PathEntry | None, loaded: str, name: str) -> tuple[Remedy, ...]:
    """What the planner may do: rename the shadowing file, or take the path entry away."""
    origin = entry.origin if entry else "other"
    if origin == "working-directory":
        target = loaded if not loaded.endswith("__init__.py") else os.path.dirname(loaded)
        stem, ext = os.path.splitext(target)
        return (
            Remedy("move", target, f"{os.path.dirname(stem)}/my_{os.path.basename(stem)}{ext}"),
        )
    if entry is not None and origin == "pythonpath":
        return _remove_entry(ctx, entry)
    return ()


def _fix(ctx: Context, entry: PathEntry | None, loaded: str, name: str) -> tuple[str, ...]:
    origin = entry.origin if entry else "other"
    if origin == "working-directory":
        return tuple(remedy.shell() for remedy in _remedies(ctx, entry, loaded, name))
    if entry is not None and origin in ("pythonpath", "user-site"):
        return _entry_fix(ctx, entry, IMPORTS[name])
    source = shell_word(entry.path) if entry else "?"
    return (f"# remove {shell_word(loaded)} from sys.path (it comes from {source})",)
