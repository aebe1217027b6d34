"""Findings + intent -> Plan: the desired state, resolved to exact versions by uv or pip.

The planner works from the state of the environment, not from the text of the findings: it picks
the TensorFlow to end with (by default the installed one), asks for the Keras / tf-keras / NumPy /
protobuf that the knowledge base says belong to it (plus every installed package that builds on
TensorFlow, unpinned, so the resolver picks the release made for it), and hands that set to the
resolver. Duplicates, leftovers and damaged installs become uninstall / move / reinstall steps;
settings become setenv steps; what tfdoctor cannot do is listed as manual with the finding's fix.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

from tfdoctor.errors import UsageError
from tfdoctor.finding import Finding, Remedy, Severity
from tfdoctor.fix import whole
from tfdoctor.fix.plan import Intent, Option, Plan, Step
from tfdoctor.fix.resolver import Resolution, Tool, resolve
from tfdoctor.installers import Installer
from tfdoctor.kb import KnowledgeBase, TFRelease
from tfdoctor.kb import requirements as kbreq
from tfdoctor.pep508 import allows, canonical
from tfdoctor.rules.base import Context, version_key
from tfdoctor.rules.gpu import cuda_switch_offered, driver_too_old, gpu_route
from tfdoctor.rules.install_state import folder_version, stray_stack_folders
from tfdoctor.shellwords import word as shell_word
from tfdoctor.snapshot import Distribution

# Codes the planner repairs from the state of the environment (others become manual steps).
HANDLED = frozenset(
    {
        "TFD101", "TFD102", "TFD103", "TFD110", "TFD120", "TFD121", "TFD201", "TFD202", "TFD210",
        "TFD301", "TFD302", "TFD303", "TFD304", "TFD401", "TFD501", "TFD502", "TFD601",
        "TFD605",
    }
)  # fmt: skip
NEVER = "python_version < '0'"  # an override marker that is never true: drops a requirement


def backup_dir(prefix: str, stamp: str) -> str:
    return os.path.join(prefix, ".tfdoctor", "backup", stamp)


def stamp_now() -> str:
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + f"-{os.getpid()}"


@dataclass
class _Draft:
    """The plan while it is being built."""

    requirements: list[str] = field(default_factory=list)
    uninstall: dict[str, list[str]] = field(default_factory=dict)  # name -> reason codes
    reinstall: dict[str, tuple[str, list[str]]] = field(
        default_factory=dict
    )  # name -> (pin, codes)
    moves: list[tuple[str, str, str]] = field(default_factory=list)  # (from, to, code)
    renames: list[tuple[str, str, str]] = field(default_factory=list)
    setenv: list[tuple[str, str, str]] = field(default_factory=list)  # (name, value, code)
    manual: list[Finding] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    soft: set[str] = field(default_factory=set)  # pins of requirers, left out of a whole solve

    def require(self, requirement: str) -> None:
        name = canonical(kbreq_name(requirement))
        self.requirements = [r for r in self.requirements if canonical(kbreq_name(r)) != name]
        self.requirements.append(requirement)

    def remove(self, name: str, code: str) -> None:
        self.uninstall.setdefault(name, []).append(code)

    def redo(self, name: str, pin: str, code: str) -> None:
        codes = self.reinstall.get(name, ("", []))[1]
        self.reinstall[name] = (pin, [*codes, code])


def kbreq_name(requirement: str) -> str:
    for i, ch in enumerate(requirement):
        if not (ch.isalnum() or ch in "-_."):
            return requirement[:i]
    return requirement


@dataclass(frozen=True)
class PlannedTensorFlow:
    """The TensorFlow distribution and version the plan ends with."""

    variant: str
    version: str
    release: TFRelease
    moved: bool


def make_plan(
    ctx: Context,
    findings: list[Finding],
    intent: Intent,
    tool: Tool | None,
    stamp: str,
    prior: Any = None,
) -> Plan:
    """``prior``: the whole-environment solve of an earlier plan of the same state (to apply
    another of its alternatives without solving again)."""
    snap = ctx.snapshot
    draft = _Draft()
    codes = {f.code for f in findings}
    target = choose_tensorflow(ctx, intent, codes, draft)
    legacy = _wants_legacy(ctx, intent, target, draft, codes)
    _stack_requirements(ctx, target, legacy, draft)
    backup = backup_dir(snap.python.prefix, stamp)
    _install_state(ctx, target, draft, backup)
    _left_behind(ctx, target, draft, codes)  # after the duplicates: a removed one stays removed
    _settings_and_paths(ctx, findings, intent, draft, legacy, backup)
    _cuda(ctx, target, draft, codes)
    _cuda_beside_cpu_build(ctx, findings, draft)
    _requires_python(findings, draft)
    for f in findings:
        if f.code not in HANDLED and f.severity is not Severity.INFO:
            draft.manual.append(f)

    unresolved: list[str] = []
    resolution = Resolution()
    settled = None
    if tool is None:
        unresolved.append(
            "neither uv nor pip is available for this environment: install uv "
            "(https://docs.astral.sh/uv/) or pip"
        )
    else:
        resolution = _resolve(ctx, tool, target, draft)
        settled = whole.settle(
            ctx, tool, intent, target.variant, target.version, target.moved,
            [r for r in draft.requirements if r not in draft.soft],
            set(draft.uninstall) - set(draft.reinstall), resolution, prior,
            tuple(sorted(draft.soft)),
        )  # fmt: skip
        if settled is not None:
            resolution = settled.resolution
            unresolved += settled.unresolved
            draft.notes += settled.notes
        elif not resolution.ok:
            unresolved.append(
                f"the resolver found no versions for {draft.requirements}: {resolution.error}"
            )
        elif resolution.offline:
            draft.notes.append("the package index was unreachable: versions come from uv's cache")
    installer = _shown_installer(ctx)
    steps = _steps(ctx, draft, resolution, installer, codes)
    for v in ctx.declared.stand_ins:
        if v.installed is not None and v.requirer.key not in draft.uninstall:
            draft.notes.append(
                f"{v.requirer.name} {v.requirer.version} declares {v.name}, which "
                f"{v.installed.name} stands in for: this plan installs with --no-deps and never "
                f"brings {v.name} in beside it; `pip check` still names it (TFD210)"
            )
    ends_with = (settled and settled.tensorflow) or f"{target.variant}=={target.version}"
    imports = _verify_imports(ctx, draft, resolution)
    return Plan(
        python=snap.python.executable,
        prefix=snap.python.prefix,
        tool=tool.kind if tool else "",
        installer=installer.kind,
        intent=intent,
        steps=tuple(steps),
        tensorflow=ends_with,
        tensorflow_change=_tensorflow_change(ctx, ends_with),
        requirements=tuple(draft.requirements),
        options=tuple(draft.options),
        unresolved=tuple(unresolved),
        notes=tuple(draft.notes),
        findings=tuple(sorted(codes)),
        final_pins=tuple(_final_pins(ctx, draft, resolution)),
        alternatives=tuple(settled.whole.alternatives) if settled and settled.whole else (),
        chosen=settled.chosen if settled else 0,
        whole=settled.whole if settled else None,
        verify_imports=tuple(imports),
        keras_way=_keras_way(target.release, legacy),
    )


def _keras_way(release: TFRelease, legacy: bool) -> str:
    """How the plan keeps Keras 2 code working (--keras 2): tf-keras on a Keras 3 TensorFlow;
    on a Keras 2 one, the Keras it has (keras 2.15 beside TensorFlow 2.15), never tf-keras."""
    if legacy:
        return "tf-keras"
    if release.keras_requirement:
        return f"TensorFlow {release.minor}'s own Keras 2: keras{release.keras_requirement}"
    return f"TensorFlow {release.minor}'s own tf.keras"


def _verify_imports(ctx: Context, draft: _Draft, res: Resolution) -> list[str]:
    """The modules the verification imports beside TensorFlow (fix/verify_imports.py)."""
    from tfdoctor.fix.requested import find_requested
    from tfdoctor.fix.verify_imports import moved_imports

    installed = {d.key: d.version for d in ctx.snapshot.distributions if not d.error}
    changed = {n for n, v in res.installs if installed.get(canonical(n)) != v}
    changed |= set(draft.uninstall) | set(draft.reinstall)
    if not changed:
        return []
    # removed for good (tensorflow-estimator beside TF >= 2.16): nothing to import afterwards
    gone = set(draft.uninstall) - set(draft.reinstall) - {canonical(n) for n, _ in res.installs}
    return moved_imports(ctx.snapshot, find_requested(ctx.snapshot), changed, gone)


def _tensorflow_change(ctx: Context, ends_with: str) -> str:
    """What the plan does to the installed TensorFlow, in words; "" when it keeps it."""
    version = ends_with.rpartition("==")[2]
    tf = ctx.tensorflow
    if tf is None:
        return f"install TensorFlow {version} (none is installed)"
    if tf.version == version:
        return ""
    return f"move TensorFlow from {tf.version} to {version}"


# -- what to end with ---------------------------------------------------------------------------
def newest_of_minor(kb: KnowledgeBase, minor: str, python: str) -> TFRelease | None:
    for version in reversed(kb.tensorflow_versions()):
        if version == minor or version.startswith(minor + "."):
            release = kb.tensorflow(version)
            if release is not None and not release.yanked and release.supports_python(python):
                return release
    return None


def choose_tensorflow(
    ctx: Context, intent: Intent, codes: set[str], draft: _Draft
) -> PlannedTensorFlow:
    kb, snap = ctx.kb, ctx.snapshot
    py = snap.python.minor
    tf = ctx.tensorflow
    newest = kb.newest_tensorflow_for_python(py)
    if newest is None:
        raise UsageError(
            f"no TensorFlow release supports Python {py}; supported: "
            f"{', '.join(p for p in kb.supported_pythons() if p.startswith('3.'))} "
            "(try `tfdoctor new DIR --python 3.12`)"
        )
    variant = _variant(ctx)
    if intent.latest:
        return PlannedTensorFlow(variant, newest.version, newest, True)
    if intent.tensorflow:
        release = newest_of_minor(kb, intent.tensorflow, py)
        if release is None:
            minors = sorted(
                {
                    r.minor
                    for v in kb.tensorflow_versions()
                    if (r := kb.tensorflow(v)) and r.supports_python(py)
                },
                key=kbreq.minor_key,
            )
            raise UsageError(
                f"TensorFlow {intent.tensorflow} has no release for Python {py}; "
                f"for Python {py}: {', '.join(minors)}"
            )
        if intent.keras == 3 and release.keras_line == 2:
            raise UsageError(
                f"Keras 3 needs TensorFlow {kb.keras_line_starts(3)} or newer; TensorFlow "
                f"{release.minor} uses Keras 2 (drop --keras 3, or pick --tensorflow "
                f"{kb.keras_line_starts(3)} or newer)"
            )
        return PlannedTensorFlow(variant, release.version, release, True)
    if tf is None:
        draft.notes.append(
            f"TensorFlow is not installed: {newest.version} is the newest for Python {py}"
        )
        return PlannedTensorFlow(variant, newest.version, newest, True)
    release = kb.tensorflow(tf.version)
    if release is None or "TFD120" in codes or not release.supports_python(py):
        if release is not None:
            draft.options.append(
                Option(
                    f"tfdoctor new DIR --python {release.newest_python()} "
                    f"--tensorflow {release.minor}",
                    f"keep TensorFlow {release.minor} in a new environment with a Python it "
                    f"supports; this plan moves TensorFlow to {newest.version} instead",
                )
            )
        return PlannedTensorFlow(variant, newest.version, newest, True)
    keras = snap.get("keras")
    keras3 = keras is not None and keras.version.startswith("3.")
    if intent.keras is None and keras3 and release.keras_line == 2 and newest.keras_line == 3:
        draft.options.append(
            Option(
                "--keras 3",
                f"keep Keras 3: move TensorFlow from {tf.version} to {newest.version} (tf.keras "
                "becomes Keras 3: Keras 2 code may need changes, see `tfdoctor lint`); this plan "
                f"keeps TensorFlow {tf.version} and moves keras back to its Keras 2 instead",
            )
        )
    if intent.keras == 3 and release.keras_line == 2:
        draft.notes.append(
            f"Keras 3 needs TensorFlow {kb.keras_line_starts(3)} or newer: TensorFlow moves from "
            f"{tf.version} to "
            f"{newest.version}"
        )
        return PlannedTensorFlow(variant, newest.version, newest, True)
    return PlannedTensorFlow(variant, tf.version, release, False)


def _variant(ctx: Context) -> str:
    groups = overlap_groups(ctx)
    variants = ctx.kb.tf_variants()
    for group in groups:
        if any(d.key in variants for d in group):
            return keep_of(ctx, group).key
    if ctx.tensorflow is not None:
        return ctx.tensorflow.key
    return "tensorflow"


def _wants_legacy(
    ctx: Context, intent: Intent, target: PlannedTensorFlow, draft: _Draft, codes: set[str]
) -> bool:
    """Keras 2 code on a Keras 3 TensorFlow: tf-keras + TF_USE_LEGACY_KERAS=1."""
    snap = ctx.snapshot
    if target.release.keras_line != 3:
        return False
    if intent.keras is not None:
        return intent.keras == 2
    if ctx.kb.legacy_keras_switch(snap.environ):  # as TensorFlow reads it: not "yes", not "TRUE"
        draft.options.append(
            Option("unset TF_USE_LEGACY_KERAS", "use Keras 3 instead of installing tf-keras")
        )
        return True
    keras = snap.get("keras")
    if keras is not None and keras.version.startswith("2.") and ("TFD101" in codes or target.moved):
        draft.options.append(
            Option(
                "--keras 2",
                f"keep Keras 2 code working: install tf-keras{target.release.tf_keras_spec} and "
                "set TF_USE_LEGACY_KERAS=1 in every shell that runs it (this plan moves keras "
                "to Keras 3 instead, which may need code changes: see `tfdoctor lint`)",
            )
        )
    return False


def _stack_requirements(
    ctx: Context, target: PlannedTensorFlow, legacy: bool, draft: _Draft
) -> None:
    snap, kb, rel = ctx.snapshot, ctx.kb, target.release
    py = snap.python.minor
    draft.require(f"{target.variant}=={target.version}")
    if rel.keras_requirement:
        draft.require(f"keras{rel.keras_requirement}")
    if rel.tf_keras_spec and (legacy or snap.get("tf-keras") is not None):
        draft.require(f"tf-keras{rel.tf_keras_spec}")
        if legacy and not ctx.kb.legacy_keras_switch(snap.environ):
            draft.setenv.append(("TF_USE_LEGACY_KERAS", "1", "TFD502"))
    for name in ("numpy", "protobuf"):
        spec = rel.spec(name, python=py)
        if spec:
            draft.require(f"{name}{spec}")
    stack = {"keras", "tf-keras", "numpy", "protobuf", *kb.tf_variants()}
    dependents = kb.dependent_names()
    installed = {d.key: d.version for d in snap.distributions}
    for dist in snap.distributions:
        if dist.key in stack or dist.key not in dependents or dist.key in draft.uninstall:
            continue
        draft.require(dist.key)
        for fact in kb.dependent_facts(package=dist.key):
            problem = fact.check(dist.version, installed, target.version)
            if problem is not None:
                for req in fact.fix or problem.install:
                    draft.require(req)
    for violation in ctx.declared.violations:
        requirer = violation.requirer
        if requirer.key in stack or requirer.key in dependents:
            continue
        draft.require(f"{requirer.key}=={requirer.version}")
        draft.soft.add(f"{requirer.key}=={requirer.version}")


def _left_behind(ctx: Context, target: PlannedTensorFlow, draft: _Draft, codes: set[str]) -> None:
    """Libraries of an older TensorFlow that an upgrade leaves behind: one the target no longer
    has is removed (tensorflow-estimator); one it no longer declares, but whose installed
    release is older than what the last TensorFlow that declared it asks, is upgraded to that
    (tensorboard 2.15 beside TensorFlow 2.21 -> tensorboard~=2.20.0)."""
    snap, kb = ctx.snapshot, ctx.kb
    gone = {w.package for w in kb.withdrawn(target.version)}
    for name in sorted(gone):
        if snap.get(name) is not None:
            draft.remove(name, "TFD110" if "TFD110" in codes else "intent")
    for w in kb.withdrawn(target.version):
        if (dist := snap.get(w.package)) is not None:
            draft.notes.append(
                f"{dist.name} {dist.version} is removed: TensorFlow {target.version} has no "
                f"{w.api} (removed in {w.since}), so nothing uses it"
            )
    py = snap.python.minor
    for dist in snap.distributions:
        if dist.key in gone or dist.key not in kb.stack_names() or dist.key in draft.uninstall:
            continue
        if dist.key in kb.tf_variants() or target.release.declared_spec(dist.key, py):
            continue
        if any(canonical(kbreq_name(r)) == dist.key for r in target.release.requires_dist):
            continue  # declared without a version: any release fits
        spec = kb.newest_declared_spec(dist.key, target.version, py)
        if spec and not allows(spec, dist.version) and _older_than(dist, spec):
            draft.require(f"{dist.key}{spec}")
            draft.notes.append(
                f"{dist.name} {dist.version} is of an older TensorFlow: it moves to "
                f"{dist.key}{spec}, what the newest TensorFlow that declares it asks"
            )


def _older_than(dist: Distribution, spec: str) -> bool:
    """Whether the installed release lies below every release ``spec`` allows (a newer one,
    such as a keras-nightly of today against keras-nightly~=2.5.0.dev, is not left behind)."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    try:
        floors = [
            Version(s.version)
            for s in SpecifierSet(spec)
            if s.operator in (">=", ">", "~=", "==") and "*" not in s.version
        ]
        installed = Version(dist.version)  # packaging's, as the floors (not dist.parsed_version)
    except (InvalidSpecifier, InvalidVersion):
        return False
    return bool(floors) and installed < max(floors)


# -- installation state ---------------------------------------------------------------------------
def overlap_groups(ctx: Context) -> list[list[Distribution]]:
    """Distributions whose RECORDs write the same package into one folder (as TFD301 sees them)."""
    owners: dict[tuple[str, str], list[Distribution]] = {}
    for dists in ctx.snapshot.by_name.values():
        for dist in dists[:1]:
            for package in dist.record_packages or ():
                owners.setdefault((dist.location, package), []).append(dist)
    groups: dict[tuple[str, ...], list[Distribution]] = {}
    for dists in owners.values():
        if len(dists) > 1:
            groups.setdefault(tuple(sorted(d.key for d in dists)), dists)
    return list(groups.values())


def keep_of(ctx: Context, group: list[Distribution]) -> Distribution:
    """The one to keep: a name TensorFlow declares (keras, not keras-nightly), then the one the
    user asked for, then the newest; `tensorflow` last (the CPU variant is what was chosen)."""
    if ctx.tensorflow is not None and ctx.tensorflow in group:
        return ctx.tensorflow  # the one decision check's TFD301 also shows
    declared = set()
    if ctx.tf_release is not None:
        declared = {canonical(kbreq_name(r)) for r in ctx.tf_release.requires_dist}
    return max(
        group,
        key=lambda d: (
            d.key in declared,
            d.requested,
            version_key(d),
            d.key != "tensorflow",
        ),
    )


def _install_state(ctx: Context, target: PlannedTensorFlow, draft: _Draft, backup: str) -> None:
    snap = ctx.snapshot
    for group in overlap_groups(ctx):
        keep = keep_of(ctx, group)
        for dist in group:
            draft.remove(dist.key, "TFD301")
        version = target.version if keep.key == target.variant else keep.version
        draft.redo(keep.key, f"{keep.key}=={version}", "TFD301")
        for other in group:  # a change of variant is offered, never made silently
            if other.key != keep.key and other.key in ctx.kb.tf_variants():
                draft.options.append(
                    Option(
                        f"keep {other.key} {version} instead",
                        f"this plan keeps {keep.name} (installed last, whose files are on disk) "
                        f"and removes {other.name}; to keep {other.name}, run the plan's "
                        f"uninstall, then {ctx.installer.install(f'{other.key}=={version}')}",
                    )
                )
    for name, dists in snap.by_name.items():
        by_location: dict[str, list[Distribution]] = {}
        for dist in dists:
            by_location.setdefault(dist.location, []).append(dist)
        for group in by_location.values():
            if len(group) < 2:
                continue
            keep = max(group, key=version_key)
            for dist in group:
                draft.moves.append((dist.metadata_dir, _into(backup, dist.metadata_dir), "TFD302"))
            draft.redo(name, f"{name}=={keep.version}", "TFD302")
    for path in snap.leftovers:
        draft.moves.append((path, _into(backup, path), "TFD303"))
    for _, folder, _ in stray_stack_folders(snap):
        draft.moves.append((folder, _into(backup, folder), "TFD304"))
    for dist in snap.distributions:
        if dist.error:  # the release its folder names (a bare name installs the newest)
            version = folder_version(dist)
            draft.redo(dist.key, f"{dist.key}=={version}" if version else dist.key, "TFD304")
        elif dist.record_missing_count and dist.key not in draft.uninstall:
            draft.redo(dist.key, f"{dist.key}=={dist.version}", "TFD304")


def _into(backup: str, path: str) -> str:
    return os.path.join(backup, os.path.basename(path.rstrip("/")))


def _cuda(ctx: Context, target: PlannedTensorFlow, draft: _Draft, codes: set[str]) -> None:
    if "TFD601" not in codes:
        return
    snap = ctx.snapshot
    nvidia = [d.key for d in snap.distributions if d.key.startswith("nvidia-")]
    if snap.platform.nvidia_driver:
        draft.require(f"{target.variant}[and-cuda]=={target.version}")
        return
    for name in nvidia:
        draft.remove(name, "TFD601")
    draft.options.append(
        Option(
            f"install {target.variant}[and-cuda]=={target.version} by hand",
            "only useful with an NVIDIA driver: this machine has none, so the plan removes the "
            "stray CUDA wheels instead",
        )
    )


def _cuda_beside_cpu_build(ctx: Context, findings: list[Finding], draft: _Draft) -> None:
    """TFD605: CUDA wheels beside a TensorFlow built without CUDA. Without a GPU to use, the
    plan removes them (its uninstall remedies); with one, the switch to the CUDA build is the
    user's choice: a manual step with the finding's commands."""
    for f in findings:
        if f.code != "TFD605":
            continue
        tf = ctx.tensorflow
        if tf is not None and gpu_route(ctx, tf):
            draft.manual.append(f)
            continue
        for remedy in f.remedies:
            if remedy.kind == "uninstall":
                draft.remove(remedy.target, "TFD605")
        if tf is not None and cuda_switch_offered(ctx, tf):
            release = ctx.tf_release
            minimum = driver_too_old(ctx, release.cuda if release is not None else "")
            driver = ctx.snapshot.platform.nvidia_driver
            lacks = (
                f"an NVIDIA driver {minimum} or newer: this machine's is {driver}"
                if minimum
                else "an NVIDIA driver: this machine has none"
            )
            draft.options.append(
                Option(
                    f"replace {tf.name} with tensorflow[and-cuda]=={tf.version} by hand",
                    f"only useful with {lacks}, so the plan removes the CUDA wheels TensorFlow "
                    "does not use instead",
                )
            )


# -- settings and paths ----------------------------------------------------------------------------
def _settings_and_paths(
    ctx: Context,
    findings: list[Finding],
    intent: Intent,
    draft: _Draft,
    legacy: bool,
    backup: str,
) -> None:
    snap = ctx.snapshot
    for f in findings:
        if f.code == "TFD501":
            setting = _remedy(f, "setenv", "unsetenv")
            if setting is not None:
                draft.setenv.append((setting.target, setting.value, "TFD501"))
            else:
                draft.manual.append(f)
        elif f.code == "TFD502" and not legacy:
            draft.manual.append(f)
        elif f.code == "TFD401":
            _shadowing(f, snap.cwd, intent, draft, backup)


def _requires_python(findings: list[Finding], draft: _Draft) -> None:
    """TFD121: a package whose Requires-Python leaves this Python out is solved again. The solve
    is for the environment's Python, so it never keeps the installed release: a package the plan
    already requires is left to that requirement, any other gets its finding's ``name<installed``."""
    for f in findings:
        if f.code != "TFD121":
            continue
        for remedy in f.remedies:
            name = canonical(kbreq_name(remedy.target))
            if remedy.kind == "install" and not any(
                canonical(kbreq_name(r)) == name for r in draft.requirements
            ):
                draft.requirements.append(remedy.target)


def _remedy(f: Finding, *kinds: str) -> Remedy | None:
    """The finding's first structured remedy of one of ``kinds`` (the planner never parses the
    shell text in ``fix``)."""
    return next((r for r in f.remedies if r.kind in kinds), None)


def _shadowing(f: Finding, cwd: str, intent: Intent, draft: _Draft, backup: str) -> None:
    """Remove the shadowing entry (never install): PYTHONPATH in the shell, a .pth file moved
    into the backup folder, or a rename the user consents to."""
    env = _remedy(f, "setenv", "unsetenv")
    if env is not None:
        draft.setenv.append((env.target, env.value, "TFD401"))
        draft.notes.extend(env.reason.splitlines())
        return
    aside = [r for r in f.remedies if r.kind == "backup"]
    if aside:
        for remedy in aside:
            draft.moves.append((remedy.target, _into(backup, remedy.target), "TFD401"))
        return
    move = _remedy(f, "move")
    if move is not None and intent.rename_shadowing:
        draft.renames.append((move.target, move.value, "TFD401"))
    else:
        draft.manual.append(f)


# -- resolution ------------------------------------------------------------------------------------
def _resolve(ctx: Context, tool: Tool, target: PlannedTensorFlow, draft: _Draft) -> Resolution:
    variants = ctx.kb.tf_variants()
    unreadable = tuple(sorted({d.key for d in ctx.snapshot.distributions if d.error}))
    first = resolve(tool, draft.requirements, unreadable=unreadable)
    if not first.ok:
        return first
    others = sorted({n for n, _ in first.installs if n in variants and n != target.variant})
    if not others:
        return first
    # A dependent declares `tensorflow` while the environment uses another variant: keep the
    # versions the resolver chose, without pulling in a second TensorFlow.
    pins = [f"{n}=={v}" for n, v in first.installs if n not in variants]
    wanted = [
        r
        for r in draft.requirements
        if canonical(kbreq_name(r)) not in {n for n, _ in first.installs}
    ]
    if tool.kind == "uv":
        second = resolve(
            tool,
            wanted + pins,
            overrides=tuple(f"{o} ; {NEVER}" for o in others),
            unreadable=unreadable,
        )
    else:
        second = Resolution(
            tuple((n, v) for n, v in first.installs if n not in others), first.removes
        )
    if second.installs:
        draft.notes.append(
            f"{', '.join(others)} would come in as a requirement of another package; "
            f"{target.variant} provides the same `import tensorflow`, so it is left out"
        )
    return second


def _shown_installer(ctx: Context) -> Installer:
    inst = ctx.installer
    if inst.kind == "conda":
        tf = ctx.tensorflow
        return inst.for_distribution(tf.installer if tf and tf.installer else "pip")
    return inst


# -- steps -----------------------------------------------------------------------------------------
def _steps(
    ctx: Context, draft: _Draft, res: Resolution, inst: Installer, present: set[str]
) -> list[Step]:
    steps: list[Step] = []
    if draft.uninstall:
        names = sorted(draft.uninstall)
        steps.append(
            Step(
                "uninstall",
                tuple(names),
                _codes(c for n in names for c in draft.uninstall[n]),
                (inst.uninstall(*names),),
                note="removes the mixed files first; the one to keep is reinstalled below"
                if draft.reinstall
                else "",
            )
        )
    if draft.moves:
        pairs = tuple((a, b) for a, b, _ in draft.moves)
        steps.append(
            Step(
                "move",
                tuple(a for a, _ in pairs),
                _codes(c for *_, c in draft.moves),
                tuple(
                    f"mkdir -p {shell_word(os.path.dirname(b))} && mv {shell_word(a)} "
                    f"{shell_word(b)}"
                    for a, b in pairs
                ),
                note="moved into a backup folder inside the environment, never deleted",
                moves=pairs,
            )
        )
    changed = {n for n, _ in res.installs}
    replaced = dict(res.removes)
    # a release whose metadata cannot be read looks installed to uv by its folder's name alone:
    # a plain install of it does nothing, so the resolver's pin for it is a reinstall
    unreadable = {d.key for d in ctx.snapshot.distributions if d.error} & set(draft.reinstall)
    for n, v in res.installs:
        if n in unreadable:
            draft.reinstall[n] = (f"{n}=={v}", draft.reinstall[n][1])
    changed -= unreadable
    installs = [f"{n}=={v}" for n, v in res.installs if n not in unreadable]
    if installs:
        reasons = _reasons_for_install(ctx, changed, present)
        was = [
            f"{n} {replaced[n]} -> {v}" for n, v in res.installs if n in replaced and n in changed
        ]
        steps.append(
            Step(
                "install",
                tuple(installs),
                reasons,
                (inst.install(*installs, no_deps=True),),
                note=("replaces " + ", ".join(was)) if was else "",
            )
        )
    redo = [
        (n, pin, codes) for n, (pin, codes) in sorted(draft.reinstall.items()) if n not in changed
    ]
    if redo:
        pins = [pin for _, pin, _ in redo]
        steps.append(
            Step(
                "reinstall",
                tuple(pins),
                _codes(c for *_, codes in redo for c in codes),
                (inst.install(*pins, no_deps=True, reinstall=True),),
            )
        )
    for src, dst, code in draft.renames:
        steps.append(
            Step(
                "rename",
                (src,),
                (code,),
                (f"mv {shell_word(src)} {shell_word(dst)}",),
                moves=((src, dst),),
                note="renamed with your consent (--rename-shadowing)",
            )
        )
    for name, value, code in draft.setenv:
        line = f"export {name}={shell_word(value)}" if value else f"unset {name}"
        note = (
            "tfdoctor cannot change the shell it was started from: run this line in "
            "every shell (or add it to your shell profile / the venv's activate script)"
        )
        if (name, value) == ("TF_USE_LEGACY_KERAS", "1"):
            note = (
                "written into the environment's activate scripts when the plan is applied; run "
                "this line in shells where the environment is already active"
            )
        steps.append(
            Step("setenv", (name,), (code,), (line,), note=note, variables=((name, value),))
        )
    for f in draft.manual:
        steps.append(
            Step(
                "manual",
                (f.title,),
                (f.code,),
                f.fix,
                note=f.fix_note or "not repaired automatically: run the command(s) yourself",
            )
        )
    return steps


# Which findings a changed distribution answers (the first present one is named), in order.
_ANSWERS = {
    "keras": ("TFD101", "TFD103"),
    "tf-keras": ("TFD102", "TFD502", "TFD110", "TFD103"),
    "numpy": ("TFD201", "TFD210"),
    "protobuf": ("TFD202", "TFD210"),
}


def _reasons_for_install(ctx: Context, changed: set[str], present: set[str]) -> tuple[str, ...]:
    """The finding codes an install answers; ``intent`` where it follows only the user's choice
    (--tensorflow, --latest, --keras) or comes with the TensorFlow that moves."""
    out: set[str] = set()
    variants = ctx.kb.tf_variants()
    for name in changed:
        if name in variants:
            candidates: tuple[str, ...] = ("TFD120", "TFD103")
        else:
            candidates = (*_ANSWERS.get(name, ("TFD210", "TFD110", "TFD103")), "TFD121")
        found = [c for c in candidates if c in present]
        out.add(found[0] if found else "intent")
    return tuple(sorted(out))


def _codes(codes: object) -> tuple[str, ...]:
    return tuple(sorted(set(codes)))  # type: ignore[call-overload]


def _final_pins(ctx: Context, draft: _Draft, res: Resolution) -> list[str]:
    """Every distribution the repaired environment holds (for --into)."""
    pins: dict[str, str] = {}
    for dist in ctx.snapshot.distributions:
        if dist.key in pins or dist.key in draft.uninstall or dist.error:
            continue
        pins[dist.key] = _requirement_of(dist)
    for name, (pin, _) in draft.reinstall.items():
        pins[name] = pin
    for name, version in res.installs:
        pins[name] = f"{name}=={version}"
    return [pins[k] for k in sorted(pins)]


def _requirement_of(dist: Distribution) -> str:
    direct = dist.direct_url or {}
    url = str(direct.get("url", ""))
    if url:
        info = direct.get("dir_info") or {}
        if isinstance(info, dict) and info.get("editable"):
            return f"-e {url}"
        return f"{dist.key} @ {url}"
    return f"{dist.key}=={dist.version}"
