"""``check -r``: the check rules on the environment a requirement set would make.

1. A lock file is read as it is (offline). Other sets are resolved by uv for the checked Python
   and platform.
2. When uv finds no solution, the set is resolved again with the user's own requirements as
   overrides: that is the environment installing them one after another would leave (what pip
   does across two commands), and the rules say what breaks in it. When even that fails (a
   package without a wheel for this Python), the user's pinned releases alone are checked.
3. uv's explanation is attached to the rule finding that names the same packages, or reported
   as TFD211 when no rule does."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from tfdoctor.errors import UsageError
from tfdoctor.finding import Finding, Group, Severity
from tfdoctor.pep508 import allows
from tfdoctor.report.model import GroupSummary, Report
from tfdoctor.resolve import rules
from tfdoctor.resolve.conflict import Explanation, explain
from tfdoctor.resolve.platforms import WouldBe, full_version
from tfdoctor.resolve.sources import InputSet, Requirement, is_lock, read_inputs
from tfdoctor.resolve.would_be import Planned, snapshot_of

if TYPE_CHECKING:
    from tfdoctor.kb import KnowledgeBase
    from tfdoctor.snapshot import Snapshot


def check_sets(
    paths: Sequence[str],
    target: WouldBe,
    python_given: bool,
    stdin_text: str | None = None,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    cwd: str | None = None,
) -> Report:
    """Check requirement files (``-`` for ``stdin_text``) for ``target``; ``python_given``: the
    Python version was chosen by the user (else a set that pins Python, as environment.yml
    does, decides)."""
    from tfdoctor.kb import load

    kb = load()
    cwd = cwd or os.getcwd()
    locks = [p for p in paths if p != "-" and is_lock(p)]
    if locks:
        if len(paths) > 1:
            raise UsageError(
                f"{locks[0]} is a lock file, checked as it is: give it alone (-r {locks[0]})"
            )
        return _check_lock(locks[0], target, kb, select, ignore)
    inputs = read_inputs(paths, stdin_text, cwd)
    hint = inputs.python_hint or ""
    if not python_given and re.fullmatch(r"3\.\d+(\.\d+)?", hint):  # an exact pin (conda's)
        target = target._replace(python=full_version(hint))
    return _check_inputs(inputs, target, kb, select, ignore)


def _check_lock(
    path: str, target: WouldBe, kb: KnowledgeBase, select: Iterable[str], ignore: Iterable[str]
) -> Report:
    from tfdoctor.resolve.locks import read_lock

    locked = read_lock(path, path, target)
    snapshot = snapshot_of(
        locked.packages,
        target,
        path,
        _prefix([path], target, "locked"),
        _folder(path),
        kb,
        files=(path,),
    )
    extra = _cuda_findings(
        [p for p in locked.packages if p.extras],
        kb,
        target,
        path,
        {p.name: p for p in locked.packages},
    )
    info = {"files": [path], "resolver": locked.kind, "mode": "locked", "notes": []}
    return _report(snapshot, extra, select, ignore, info)


def _check_inputs(
    inputs: InputSet,
    target: WouldBe,
    kb: KnowledgeBase,
    select: Iterable[str],
    ignore: Iterable[str],
) -> Report:
    from tfdoctor.resolve.uvcompile import compile_set

    # what the set asks for on this Python/platform (a marker can leave a requirement out)
    inputs = inputs._replace(direct=tuple(r for r in inputs.direct if _applies(r, target)))
    direct_names = {r.name for r in inputs.direct if r.name}
    compiled = compile_set(inputs.uv_lines, target, inputs.folder)
    labels = list(inputs.labels)
    info: dict[str, Any] = {
        "files": labels,
        "resolver": compiled.uv_version,
        "mode": "resolved",
        "notes": list(inputs.notes),
    }
    explanation: Explanation | None = None
    if compiled.ok:
        packages = _planned(compiled.pins, direct_names)
        with_declared = True
    else:
        explanation = explain(compiled.message)
        if explanation.kind == "unreachable":
            raise UsageError(
                f"{explanation.sentence} ({explanation.details[-1] if explanation.details else 'no answer'}); "
                "check -r needs the index to resolve a set (lock files are read offline)"
            )
        packages, with_declared = [], False
        asked = set(explanation.asked)
        overrides = [r.line for r in inputs.direct if r.name in asked and r.specifier]
        if explanation.kind == "conflict" and overrides:
            again = compile_set(
                inputs.uv_lines,
                target,
                inputs.folder,
                overrides=overrides,
                preferences=_without(inputs, asked, target),
            )
            if again.ok:
                packages, with_declared = _planned(again.pins, direct_names), True
                info["mode"] = "overridden"
        if not packages:
            packages = _pinned(inputs.direct, kb, target)
            info["mode"] = "unresolved"
    location = " + ".join(labels)
    snapshot = snapshot_of(
        packages,
        target,
        location,
        _prefix(labels, target, info["mode"]),
        inputs.folder,
        kb,
        with_declared=with_declared,
        files=tuple(labels),
    )
    by_name = {p.name: p for p in packages}
    with_extras = [Planned(r.name, "", extras=r.extras) for r in inputs.direct if r.extras]
    extra = _cuda_findings(with_extras, kb, target, location, by_name)
    if explanation is not None:
        info["conflict"] = explanation.sentence
    report = _report(snapshot, extra, select, ignore, info)
    if explanation is not None:
        report = _attach(report, explanation, labels, target, info["mode"], select, ignore)
    return report


def _applies(requirement: Requirement, target: WouldBe) -> bool:
    from tfdoctor.pep508 import evaluate

    if not requirement.marker:
        return True
    return evaluate(requirement.marker, {**target.markers(), "extra": ""})


def _without(inputs: InputSet, asked: set[str], target: WouldBe) -> tuple[str, ...]:
    """The releases the set resolves to without the requirements it asks for in the conflict:
    what is installed before them when they are installed last (pip keeps what still fits)."""
    from tfdoctor.resolve.uvcompile import compile_set

    options = ("-c", "--constraint", "-i", "--index-url", "--extra-index-url", "-f", "--find-links")
    lines = [r.line for r in inputs.direct if r.name and r.name not in asked]
    lines += [line for line in inputs.uv_lines if line.startswith(options) or line == "--no-index"]
    if not lines:
        return ()
    first = compile_set(lines, target, inputs.folder)
    return tuple(f"{p.name}=={p.version}" for p in first.pins) if first.ok else ()


def _planned(pins: Iterable[Any], direct: set[str]) -> list[Planned]:
    return [
        Planned(p.name, p.version, requested=p.name in direct, pulled_by=p.pulled_by) for p in pins
    ]


def _pinned(direct: Sequence[Requirement], kb: KnowledgeBase, target: WouldBe) -> list[Planned]:
    """The releases the user's own requirements name: an exact pin, else the newest release the
    knowledge base records that matches and supports the checked Python (the newest that matches
    when none does). Their dependencies are unknown, so none are claimed; the Requires-Python
    the knowledge base records for a release is, so that one this Python cannot install says so
    (TFD121) instead of passing as installed."""
    out: dict[str, Planned] = {}
    for requirement in direct:
        if not requirement.name or requirement.name in out:
            continue
        version = _exact_pin(requirement.specifier)
        if version is None:
            matching = [
                v
                for v in kb.declared_versions(requirement.name)
                if allows(requirement.specifier, v) and not _is_pre(v)
            ]
            fitting = [v for v in matching if _fits_python(kb, requirement.name, v, target)]
            version = (fitting or matching)[-1] if matching else None
        if version is not None:
            known = kb.declared(requirement.name, version)
            out[requirement.name] = Planned(
                requirement.name,
                version,
                requires_python=known.requires_python if known is not None else "",
                requested=True,
                extras=requirement.extras,
            )
    return list(out.values())


def _fits_python(kb: KnowledgeBase, name: str, version: str, target: WouldBe) -> bool:
    """Whether the knowledge base says this release installs on the checked Python (unknown:
    yes): its Requires-Python, and the Pythons its wheels are built for."""
    known = kb.declared(name, version)
    if known is None:
        return True
    if known.requires_python and not allows(known.requires_python, target.python):
        return False
    return not known.pythons or target.minor in known.pythons


def _exact_pin(specifier: str) -> str | None:
    if specifier.startswith(("==", "===")) and "," not in specifier and "*" not in specifier:
        return specifier.lstrip("=")
    return None


def _is_pre(version: str) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(version).is_prerelease
    except InvalidVersion:
        return True


def _cuda_findings(
    asked: Sequence[Planned],
    kb: KnowledgeBase,
    target: WouldBe,
    source: str,
    resolved: dict[str, Planned],
) -> list[Finding]:
    if target.system == "linux":
        return []
    out = []
    for package in asked:
        if package.name not in kb.tf_variants() or rules.CUDA_EXTRA not in package.extras:
            continue
        got = resolved.get(package.name)
        fell_back = None
        if got is not None and got.version:
            known = kb.declared(package.name, got.version)
            if known is not None and not any(rules.CUDA_EXTRA in r for r in known.requires_dist):
                fell_back = f"{package.name} {got.version}"
        out.append(
            rules.cuda_extra_elsewhere(
                f"{package.name}[{rules.CUDA_EXTRA}]",
                target,
                source,
                fell_back,
                _windows_gpu_last(kb),
            )
        )
    return out


def _windows_gpu_last(kb: KnowledgeBase) -> str:
    fact = kb.platform_fact("windows_native_gpu_last")
    return str(fact.value) if fact is not None else ""


def _report(
    snapshot: Snapshot,
    extra: list[Finding],
    select: Iterable[str],
    ignore: Iterable[str],
    info: dict[str, Any],
) -> Report:
    from tfdoctor.diagnose import diagnose_snapshot

    report = diagnose_snapshot(snapshot, select=select, ignore=ignore)
    findings = list(report.findings) + _filtered(extra, select, ignore)
    environment = GroupSummary(
        Group.ENVIRONMENT,
        f"{len(snapshot.distributions)} packages from {' + '.join(info['files'])}, "
        + {
            "resolved": f"resolved by {info['resolver']}",
            "locked": f"as locked in the {info['resolver']}",
            "overridden": "as installing them one by one would leave them",
            "unresolved": "only the releases the set pins (it cannot be resolved)",
        }[info["mode"]]
        + "".join(f"; {note}" for note in info["notes"]),
    )
    groups = tuple(environment if g.group is Group.ENVIRONMENT else g for g in report.groups)
    target = {**report.target, "kind": "requirements", "installer": "none"}
    return report._replace(
        findings=tuple(findings),
        groups=groups,
        target=target,
        extra={
            "requirements": {
                **info,
                "python": snapshot.python.version,
                "platform": report.target["platform"],
            }
        },
    )


def _filtered(
    findings: list[Finding], select: Iterable[str], ignore: Iterable[str]
) -> list[Finding]:
    chosen = {c.upper() for c in select}
    skipped = {c.upper() for c in ignore}
    return [f for f in findings if (not chosen or f.code in chosen) and f.code not in skipped]


def _attach(
    report: Report,
    explanation: Explanation,
    labels: list[str],
    target: WouldBe,
    mode: str,
    select: Iterable[str],
    ignore: Iterable[str],
) -> Report:
    """uv's explanation joins the error finding that names the same packages; without one it
    is a finding of its own (TFD211)."""
    line = f"uv refuses the set: {explanation.sentence}"
    if mode == "overridden":
        line += " (shown: the environment installing them one by one would leave)"
    findings = list(report.findings)
    for index, found in enumerate(findings):
        if found.severity is not Severity.ERROR or not explanation.packages:
            continue
        text = " ".join((found.title, *found.evidence)).lower()
        if all(_mentions(text, name) for name in explanation.packages) or (
            found.code == rules.CUDA_PLATFORM.code
            and all(name.startswith("nvidia-") for name in explanation.packages)
        ):
            findings[index] = found._replace(evidence=(*found.evidence, line))
            return report._replace(findings=tuple(findings))
    own = _filtered([rules.unresolvable(explanation, labels, target)], select, ignore)
    return report._replace(findings=tuple(findings + own))


def _mentions(text: str, name: str) -> bool:
    return name in text or name.replace("-", "_") in text


def _prefix(labels: list[str], target: WouldBe, mode: str) -> str:
    how = "locked" if mode == "locked" else "resolved"
    return f"{' + '.join(labels)} ({how} for {target.label})"


def _folder(path: str) -> str:
    return os.path.dirname(os.path.abspath(path))
