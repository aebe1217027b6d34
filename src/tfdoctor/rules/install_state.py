"""TFD3xx: the state of the installation on disk (duplicates, leftovers, missing files, installers)."""

from __future__ import annotations

import os
from collections.abc import Iterator

from tfdoctor.finding import Finding, Group, Remedy, Severity, installs, reinstalls, uninstalls
from tfdoctor.pep508 import canonical
from tfdoctor.registry import RuleInfo
from tfdoctor.rules.base import Context, check, finding, keep_tensorflow, version_key
from tfdoctor.shellwords import word as shell_word
from tfdoctor.snapshot import Distribution, ImportOrigin, Snapshot

OVERLAP = RuleInfo(
    "TFD301",
    "overlapping-distributions",
    "duplicate-distribution",
    Severity.ERROR,
    Group.ENVIRONMENT,
    "Two distributions write the same import package into one folder.",
)
TWO_METADATA = RuleInfo(
    "TFD302",
    "duplicate-metadata",
    "duplicate-distribution",
    Severity.ERROR,
    Group.ENVIRONMENT,
    "One project has two metadata folders in the same place.",
)
LEFTOVER = RuleInfo(
    "TFD303",
    "tilde-leftover",
    "broken-install",
    Severity.WARNING,
    Group.ENVIRONMENT,
    "A `~name` folder left behind by an interrupted pip install or uninstall.",
)
BROKEN = RuleInfo(
    "TFD304",
    "broken-distribution",
    "broken-install",
    Severity.ERROR,
    Group.ENVIRONMENT,
    "Files listed in RECORD are missing, metadata is unreadable, or a package has no metadata.",
)
MIXED = RuleInfo(
    "TFD310",
    "mixed-installers",
    "mixed-installers",
    Severity.WARNING,
    Group.ENVIRONMENT,
    "pip (or uv) and conda both manage packages of the TensorFlow stack in one environment.",
)

STACK_IMPORTS = ("tensorflow", "keras", "tf_keras")
BACKUP = "~/tfdoctor-backup"


def _label(dist: Distribution) -> str:
    return f"{dist.name} {dist.version}"


def _keep(ctx: Context, group: list[Distribution]) -> Distribution:
    """Which of overlapping distributions to keep: for TensorFlow the context's one decision,
    else the one the user asked for, else the newest."""
    if ctx.tensorflow is not None and ctx.tensorflow in group:
        return ctx.tensorflow
    return keep_tensorflow(group)


def _variant_notes(ctx: Context, keep: Distribution, group: list[Distribution]) -> list[str]:
    """A change of TensorFlow variant is said, never silent; and packages that declare plain
    `tensorflow` (tf-keras...) would pull it back beside a kept variant."""
    variants = ctx.kb.tf_variants()
    if keep.key not in variants:
        return []
    notes = [
        f"To keep {d.name} instead (the variant you had before), reinstall {d.name} "
        f"{keep.version} after the uninstall: {ctx.for_dist(keep).install(f'{d.key}=={keep.version}')}"
        for d in group
        if d.key != keep.key and d.key in variants
    ]
    if keep.key != "tensorflow":
        needs = _plain_tensorflow_requirers(ctx, variants)
        if needs:
            notes.append(
                f"{', '.join(needs)} declare{'s' if len(needs) == 1 else ''} plain `tensorflow`: "
                f"beside {keep.name}, `pip check` says it is not installed, and installing "
                f"{'it' if len(needs) == 1 else 'them'} again without --no-deps brings the "
                "duplicate back (tfdoctor fix installs with --no-deps)."
            )
    return notes


def _plain_tensorflow_requirers(ctx: Context, variants: frozenset[str] | set[str]) -> list[str]:
    return sorted(
        {
            f"{d.name} {d.version}"
            for d in ctx.snapshot.distributions
            if d.key not in variants
            and any(canonical(r.name) == "tensorflow" for r in d.requirements())
        }
    )


def _set_plain_requirers(ctx: Context, keep: Distribution) -> list[str]:
    """In a requirement set, the packages that declare plain `tensorflow` and so bring it in
    beside the kept variant (tensorflow-cpu) whatever the file says; [] when none does."""
    variants = ctx.kb.tf_variants()
    if keep.key not in variants or keep.key == "tensorflow":
        return []
    return _plain_tensorflow_requirers(ctx, variants)


def _set_fix(
    ctx: Context, keep: Distribution, group: list[Distribution]
) -> tuple[str, tuple[str, ...], tuple[Remedy, ...], list[str]]:
    """What to change in a requirement set, which has nothing to uninstall: (the distribution it
    keeps, the lines to change, their remedies, the notes). Where packages of the set declare
    plain `tensorflow`, that is the one to keep: it comes in anyway, so the set names it and
    drops the other variants."""
    needs = _set_plain_requirers(ctx, keep)
    if not needs:
        others = [d.key for d in group if d.key != keep.key]
        remedies = uninstalls(*others, reason=f"keep {keep.name}")
        return _label(keep), (ctx.installer.uninstall(*others),), remedies, []
    pin = f"tensorflow=={keep.version}"
    drop = [d.key for d in group if d.key != "tensorflow"]
    note = (
        f"{', '.join(needs)} declare{'s' if len(needs) == 1 else ''} plain `tensorflow`, so "
        f"resolving the set brings it in beside {keep.name}: require tensorflow=={keep.version} "
        f"instead of {keep.name} in {ctx.installer.files_named}. To keep {keep.name} instead, "
        "install the set with uv and an override file holding the line "
        "`tensorflow ; python_version < '0'` (uv pip install --override FILE)."
    )
    return (
        f"tensorflow {keep.version}",
        (ctx.installer.install(pin), ctx.installer.uninstall(*drop)),
        (
            *installs(pin, reason="the variant the set's packages declare"),
            *uninstalls(*drop, reason="tensorflow comes in anyway"),
        ),
        [note],
    )


@check(OVERLAP)
def overlapping(ctx: Context) -> Iterator[Finding]:
    owners: dict[tuple[str, str], list[Distribution]] = {}
    for dists in ctx.snapshot.by_name.values():
        for dist in dists[:1]:
            for package in dist.record_packages or ():
                owners.setdefault((dist.location, package), []).append(dist)
    groups: dict[tuple[str, ...], tuple[list[Distribution], list[str]]] = {}
    for (_, package), dists in sorted(owners.items()):
        if len(dists) < 2:
            continue
        key = tuple(sorted(d.key for d in dists))
        groups.setdefault(key, (dists, []))[1].append(package)
    for dists, packages in groups.values():
        keep = _keep(ctx, dists)
        versions = {d.version for d in dists}
        same = len(versions) == 1
        names = (
            " and ".join(_label(d) for d in dists)
            if len(dists) == 2
            else ", ".join(_label(d) for d in dists)
        )
        remove = [d.name for d in dists]
        if ctx.installer.kind == "requirements":  # check -r: a file to change, no files
            kept, fix, remedies, notes = _set_fix(ctx, keep, dists)
            notes = [f"Keep only {kept} in the set.", *notes]
        else:
            fix = (
                ctx.for_dist(keep).uninstall(*remove),
                ctx.for_dist(keep).install(f"{keep.key}=={keep.version}"),
            )
            remedies = (
                *uninstalls(*remove, reason="removes the mixed files first"),
                *installs(f"{keep.key}=={keep.version}", reason=f"keep only {_label(keep)}"),
            )
            notes = [
                f"Keep only {_label(keep)}; the uninstall removes the mixed files first.",
                *_variant_notes(ctx, keep, dists),
            ]
        yield finding(
            OVERLAP,
            f"{names} {'both' if len(dists) == 2 else 'all'} write the package{'s' if len(packages) > 1 else ''} "
            f"{', '.join(packages)} into one folder",
            severity=Severity.WARNING if same else Severity.ERROR,
            group=ctx.group_of(*dists),
            evidence=tuple(
                f"{_label(d)}: RECORD in {d.metadata_dir} lists {', '.join(packages)}/"
                for d in dists
            ),
            why=(
                "The files on disk come from whichever was installed last"
                + (
                    "; they are the same version today, but uninstalling or upgrading one deletes "
                    "or replaces files the other still lists, and `import` then fails."
                    if same
                    else ", so the package is a mix of versions; imports fail or behave "
                    "unpredictably, and uninstalling one breaks the other."
                )
            ),
            fix=fix,
            remedies=remedies,
            fix_note=" ".join(notes),
        )


@check(TWO_METADATA)
def duplicate_metadata(ctx: Context) -> Iterator[Finding]:
    for name, dists in sorted(ctx.snapshot.by_name.items()):
        by_location: dict[str, list[Distribution]] = {}
        for dist in dists:
            by_location.setdefault(dist.location, []).append(dist)
        for location, group in by_location.items():
            if len(group) < 2:
                continue
            keep = max(group, key=version_key)
            yield finding(
                TWO_METADATA,
                f"{name} has {len(group)} metadata folders in {location}: "
                + ", ".join(d.version for d in group),
                evidence=tuple(d.metadata_dir for d in group),
                why=(
                    "Only one set of files can be on disk; tools disagree on which version is "
                    "installed (pip shows one, importlib.metadata another), and uninstalling "
                    "removes only one of them."
                ),
                fix=(
                    ctx.for_dist(keep).uninstall(name),
                    ctx.for_dist(keep).install(f"{name}=={keep.version}", reinstall=True),
                ),
                remedies=(
                    *uninstalls(name, reason="once per metadata folder"),
                    *reinstalls(f"{name}=={keep.version}", reason="one version, complete"),
                ),
                fix_note="Run the uninstall once per metadata folder, then reinstall one version.",
            )


@check(LEFTOVER)
def tilde_leftovers(ctx: Context) -> Iterator[Finding]:
    for path in ctx.snapshot.leftovers:
        name = os.path.basename(path)
        yield finding(
            LEFTOVER,
            f"leftover folder {name} from an interrupted install or uninstall",
            evidence=(path,),
            why=(
                f"pip renames a folder to `~...` while it replaces it; {name} stayed behind. "
                "For leftover metadata folders pip warns 'Ignoring invalid distribution' on every "
                "run; leftover package folders waste space and confuse tools that scan "
                "site-packages, and the next interrupted install can leave a half-removed package."
            ),
            fix=(f"mkdir -p {BACKUP} && mv {shell_word(path)} {BACKUP}/",),
            fix_note="Moving it away keeps a copy; tfdoctor fix does the same.",
        )


def folder_version(dist: Distribution) -> str:
    """The release a metadata folder's name gives (``numpy-1.26.4.dist-info``,
    ``foo-1.0-py3.11.egg-info``), or "" when it names none: what is left of a distribution whose
    METADATA cannot be read."""
    from tfdoctor.version import InvalidVersion, Version

    base = os.path.basename(dist.metadata_dir.rstrip("/"))
    for suffix in (".dist-info", ".egg-info"):
        if base.endswith(suffix):
            parts = base[: -len(suffix)].split("-")
            if len(parts) >= 2:
                try:
                    Version(parts[1])
                except InvalidVersion:
                    return ""
                return parts[1]
    return ""


@check(BROKEN)
def broken_distributions(ctx: Context) -> Iterator[Finding]:
    snap = ctx.snapshot
    for dist in snap.distributions:
        if dist.error:
            # the release its folder names: a bare `--reinstall numpy` installs the newest
            # numpy (2.x under TensorFlow 2.15), and its dependencies with it
            version = folder_version(dist)
            pin = f"{dist.key}=={version}" if version else dist.key
            yield finding(
                BROKEN,
                f"the metadata of {dist.name} cannot be read",
                evidence=(
                    dist.error,
                    *([f"its folder names release {version}"] if version else []),
                ),
                why="Installers and TensorFlow's own version checks cannot see this package.",
                fix=(ctx.for_dist(dist).install(pin, reinstall=True, no_deps=True),),
                remedies=reinstalls(pin, no_deps=True, reason="writes its metadata again"),
                fix_note=""
                if version
                else "Its folder names no release: reinstall the version you had, if you know it.",
            )
        elif dist.record_missing_count:
            leftovers = [
                f"`import {name}` finds {folder} without __init__.py: what the uninstall left"
                for name, folder, origin in stray_stack_folders(snap, owned=True)
                if origin.namespace and name in (dist.record_packages or ())
            ]
            yield finding(
                BROKEN,
                f"{_label(dist)} is incomplete: {dist.record_missing_count} of the "
                f"{dist.record_checked} files and folders checked from its RECORD are missing",
                group=ctx.group_of(dist),
                evidence=(
                    dist.metadata_dir,
                    *[f"missing: {p}" for p in dist.record_missing],
                    *leftovers,
                ),
                why="An interrupted install, uninstall or a manual deletion removed part of it; "
                "imports fail with ModuleNotFoundError or ImportError inside the package.",
                fix=(
                    ctx.for_dist(dist).install(
                        f"{dist.key}=={dist.version}", reinstall=True, no_deps=True
                    ),
                ),
                remedies=reinstalls(
                    f"{dist.key}=={dist.version}", no_deps=True, reason="restores the missing files"
                ),
            )
    yield from _packages_without_metadata(ctx)


def stray_stack_folders(
    snap: Snapshot, owned: bool = False
) -> Iterator[tuple[str, str, ImportOrigin]]:
    """(import name, folder, origin) of each stack package in site-packages that is a leftover
    without __init__.py or that no installed distribution owns (the rule and fix both use it).

    A folder without __init__.py that an incomplete distribution lists is that distribution's
    problem (reinstalling it restores the file): it is left out unless ``owned``."""
    site = {os.path.realpath(p) for p in snap.site_packages}
    for name in STACK_IMPORTS:
        origin = snap.importable(name)
        if origin is None or not origin.locations:
            continue
        folder = origin.locations[0]
        if os.path.realpath(os.path.dirname(folder)) not in site:
            continue  # outside site-packages: a shadow, TFD401's business
        owners = [d for d in snap.distributions if name in (d.record_packages or d.top_level)]
        incomplete = any(d.record_missing_count for d in owners)
        if not owners or (origin.namespace and (owned or not incomplete)):
            yield name, folder, origin


def _packages_without_metadata(ctx: Context) -> Iterator[Finding]:
    for name, folder, origin in stray_stack_folders(ctx.snapshot):
        if origin.namespace:
            yield finding(
                BROKEN,
                f"{folder} is a leftover folder without __init__.py",
                evidence=(f"`import {name}` finds a namespace package at {folder}",),
                why=f"`import {name}` succeeds but gives an empty module; the real package was "
                "removed and only stray files remain.",
                fix=(f"mkdir -p {BACKUP} && mv {shell_word(folder)} {BACKUP}/",),
            )
        else:
            yield finding(
                BROKEN,
                f"{folder} belongs to no installed distribution",
                evidence=(f"`import {name}` loads {origin.origin}", "no RECORD lists it"),
                why="Its metadata was removed (or it was copied in by hand), so installers "
                "cannot see, upgrade or check it.",
                fix=(f"mkdir -p {BACKUP} && mv {shell_word(folder)} {BACKUP}/",),
                fix_note="Then install the package properly.",
            )


@check(MIXED)
def mixed_installers(ctx: Context) -> Iterator[Finding]:
    snap = ctx.snapshot
    if snap.conda_meta is None:
        return
    stack = ctx.kb.stack_names()
    conda = {canonical(r.name): r for r in snap.conda_meta}
    pip_managed = [
        d for d in snap.distributions if d.installer and d.installer != "conda" and d.key in stack
    ]
    conda_stack = [r for key, r in conda.items() if key in stack or key == "python"]
    removed = [r for r in conda_stack if r.name != "python"]
    if not pip_managed or not removed:
        return
    both = [d for d in pip_managed if d.key in conda]
    # What pip puts back after the removal: a package both claim has one set of files, which
    # `conda remove` deletes (its file list names them), so pip's release is reinstalled; a
    # conda-only one is installed by pip at the release conda had, so what needs it finds it.
    pip_versions = {d.key: d.version for d in pip_managed}
    again = [
        f"{canonical(r.name)}=={pip_versions.get(canonical(r.name), r.version)}" for r in removed
    ]
    tf = ctx.tensorflow
    side = tf.installer if tf is not None and tf in pip_managed else pip_managed[0].installer
    pip_side = ctx.installer.for_distribution(side)
    yield finding(
        MIXED,
        "pip/uv and conda both manage TensorFlow-stack packages in this conda environment",
        evidence=(
            "conda: " + ", ".join(f"{r.name} {r.version}" for r in removed),
            "pip/uv: " + ", ".join(f"{d.name} {d.version} ({d.installer})" for d in pip_managed),
            *[
                f"both: {d.name} (conda {conda[d.key].version}, {d.installer} {d.version})"
                for d in both
            ],
        ),
        why=(
            "conda does not see what pip installed: the next `conda install` or update can "
            "overwrite pip's files or pull a conflicting NumPy/protobuf, and the two records "
            "disagree on what is installed."
        ),
        fix=(
            ctx.installer.uninstall(*[r.name for r in removed], only_these=True),
            pip_side.install(*again, no_deps=True, reinstall=True),
        ),
        remedies=(
            *uninstalls(
                *[r.name for r in removed],
                reason="the conda copies: pip manages the TensorFlow stack",
            ),
            *reinstalls(*again, no_deps=True, reason="pip puts back what conda's removal took"),
        ),
        fix_note="Keep the TensorFlow stack under one installer: with pip inside conda, remove "
        "the conda copies and let pip manage tensorflow, keras and their dependencies. --force "
        "removes only these: a plain `conda remove` also removes every conda package that "
        "depends on them (scipy, pandas, ...). The removal deletes the files conda lists, which "
        "are also those of a package pip installed over it, so the second command puts them "
        "back, at pip's release (conda's where pip has none).",
    )
