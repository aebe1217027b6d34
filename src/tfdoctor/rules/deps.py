"""TFD2xx: NumPy, protobuf and every other declared requirement (``pip check`` and more)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tfdoctor.finding import Finding, Group, Severity, installs
from tfdoctor.pep508 import allows, combine
from tfdoctor.registry import RuleInfo
from tfdoctor.rules.base import Context, check, finding
from tfdoctor.rules.claims import claimed
from tfdoctor.rules.declared import Violation

NUMPY = RuleInfo(
    "TFD201",
    "numpy-range",
    "numpy-incompatible",
    Severity.ERROR,
    Group.DEPENDENCIES,
    "The installed NumPy is outside what TensorFlow (or another compiled package) supports.",
)
PROTOBUF = RuleInfo(
    "TFD202",
    "protobuf-range",
    "protobuf-incompatible",
    Severity.ERROR,
    Group.DEPENDENCIES,
    "The installed protobuf is outside what TensorFlow supports.",
)
DECLARED = RuleInfo(
    "TFD210",
    "declared-requirement",
    "declared-conflict",
    Severity.ERROR,
    Group.DEPENDENCIES,
    "An installed package's declared requirement is not met (what `pip check` reports).",
)


def _combined(violations: list[Violation], extra: str = "") -> str:
    return combine(*(v.requirement.specifier for v in violations), extra)


def _range_rule(
    ctx: Context, info: RuleInfo, package: str, effective: str, effective_source: str, label: str
) -> Iterator[Finding]:
    dist = ctx.snapshot.get(package)
    violations = claimed(ctx.declared.violations, ctx.kb, info.code)
    tf = ctx.tensorflow
    outside_effective = False
    if dist is not None and effective and tf is not None:
        outside_effective = not allows(effective, dist.version)
    if not violations and not outside_effective:
        return
    if dist is None:
        # A required NumPy/protobuf that is missing altogether.
        v = violations[0]
        yield finding(
            info,
            f"{package} is not installed, but {v.requirer.name} {v.requirer.version} requires it",
            evidence=tuple(f"declared: {x.describe()}" for x in violations),
            why=f"Importing {v.requirer.name} fails with ModuleNotFoundError.",
            fix=(ctx.installer.install(f"{package}{_combined(violations)}"),),
            remedies=installs(
                f"{package}{_combined(violations)}", reason=f"{v.requirer.name} requires it"
            ),
        )
        return
    evidence = [f"{dist.name} {dist.version} in {dist.location}"]
    evidence += [f"declared: {v.describe()}" for v in violations]
    evidence += ctx.declared.followups(dist)
    wanted = _combined(violations, effective if outside_effective else "")
    from tfdoctor.kb.verified import describe, tf_version  # the matrix's cells, read on demand

    cell = _cell(tf.version, package, dist.version) if tf is not None else None
    if cell is not None:
        evidence.append(describe(cell, (package,)))
    elif outside_effective and tf is not None:
        evidence.append(
            f"documented ({effective_source}): TensorFlow {tf.version} works with "
            f"{package}{effective}"
        )
    requirers = sorted({f"{v.requirer.name} {v.requirer.version}" for v in violations})
    if outside_effective and tf is not None and f"{tf.name} {tf.version}" not in requirers:
        requirers.insert(0, f"{tf.name} {tf.version}")
    fix = (ctx.for_dist(dist).install(f"{package}{wanted}"),)
    remedies = installs(f"{package}{wanted}", reason=f"what {', '.join(requirers)} support")
    if cell is not None and cell.get("outcome") == "pass":
        # The declared range is stricter than what runs: a matrix cell built this TensorFlow
        # with this major of the package and ran it. Say so; the conflict still makes
        # `pip check` fail and the next resolver run move the package.
        proven = cell.get("installed", {}).get(package, "")
        yield finding(
            info,
            f"{label} {dist.version} is outside what {', '.join(requirers)} "
            f"declare{'s' if len(requirers) == 1 else ''} ({package}{wanted}), "
            "but this combination is proven to work",
            severity=Severity.WARNING,
            evidence=tuple(evidence),
            why=(
                f"The matrix built TensorFlow {tf_version(cell)} with {label} {proven} and ran "
                "import, fit, predict, save and load: it works. The declared requirement is "
                "still unmet, so `pip check` fails and the next install or `uv sync` may move "
                f"{package} back into the declared range."
            ),
            fix=fix,
            remedies=remedies,
            fix_note=f"Optional: this puts {package} back into the declared range.",
        )
        return
    yield finding(
        info,
        f"{label} {dist.version} is outside what {', '.join(requirers)} "
        f"support{'s' if len(requirers) == 1 else ''} ({package}{wanted})",
        evidence=tuple(evidence),
        why=_why(package, dist.version),
        fix=fix,
        remedies=remedies,
    )


def _cell(version: str, package: str, installed: str) -> dict[str, Any] | None:
    """The matrix cell of this TensorFlow minor with this major of the package, if any."""
    from tfdoctor.kb.verified import best

    minor = ".".join(version.split(".")[:2])
    return best(minor, None, **{package: installed.split(".")[0]})


def _why(package: str, version: str) -> str:
    if package == "numpy":
        if version.startswith("2"):
            return (
                "Compiled extensions built against NumPy 1.x cannot run with NumPy 2: importing "
                "them fails with 'A module that was compiled using NumPy 1.x cannot be run in "
                "NumPy 2' or `_ARRAY_API not found`, or crashes later."
            )
        return "TensorFlow's compiled code needs a NumPy in this range; others fail on import."
    return (
        "TensorFlow's generated protocol-buffer code only works with the protobuf runtime versions "
        "it was generated for; others fail on import (e.g. 'Descriptors cannot be created "
        "directly' or missing `runtime_version`)."
    )


def _effective(ctx: Context, package: str) -> tuple[str, str]:
    """The range the knowledge base verified for the installed TensorFlow, and its source."""
    release = ctx.tf_release
    if release is None:
        return "", ""
    spec = release.spec(package, python=ctx.snapshot.python.minor)
    return spec, release.sources.get(package, "curated")


@check(NUMPY)
def numpy_range(ctx: Context) -> Iterator[Finding]:
    yield from _range_rule(ctx, NUMPY, "numpy", *_effective(ctx, "numpy"), "NumPy")


@check(PROTOBUF)
def protobuf_range(ctx: Context) -> Iterator[Finding]:
    yield from _range_rule(ctx, PROTOBUF, "protobuf", *_effective(ctx, "protobuf"), "protobuf")


@check(DECLARED)
def declared_requirements(ctx: Context) -> Iterator[Finding]:
    for v in claimed(ctx.declared.violations, ctx.kb, DECLARED.code):
        requirement = str(v.requirement).split(";")[0].strip()
        yield finding(
            DECLARED,
            v.describe(),
            evidence=(
                f"{v.requirer.name} {v.requirer.version} in {v.requirer.location}",
                f"requirement: {v.requirement}" + (f" (extra [{v.extra}])" if v.extra else ""),
                *ctx.declared.followups(v.installed),
            ),
            why=(
                f"{v.requirer.name} was built and tested against {requirement}; "
                + ("without it, importing it fails." if v.missing else "other versions may fail.")
            ),
            fix=(ctx.for_dist(v.installed or v.requirer).install(requirement),),
            remedies=installs(requirement, reason=f"{v.requirer.name} requires it"),
        )
    yield from _stand_ins(ctx)


def _stand_ins(ctx: Context) -> Iterator[Finding]:
    """A requirement met only by another variant (tf-keras declares `tensorflow`, tensorflow-cpu
    is installed): it works today, but `pip check` calls it missing, and the next plain install
    of the requirer brings the declared distribution in beside the variant (TFD301)."""
    for v in ctx.declared.stand_ins:
        assert v.installed is not None
        requirement = str(v.requirement).split(";")[0].strip()
        pin = f"{v.requirer.key}=={v.requirer.version}"
        installer = ctx.for_dist(v.requirer)
        drop = (
            f"; with uv, an override file holding the line `{v.name} ; python_version < '0'` "
            f"(`uv pip install --override FILE ...`) leaves {v.name} out of any install"
            if installer.kind == "uv"
            else ""
        )
        yield finding(
            DECLARED,
            f"{v.requirer.name} {v.requirer.version} requires {requirement}, which is not "
            f"installed: {v.installed.name} {v.installed.version} stands in for it",
            severity=Severity.WARNING,
            evidence=(
                f"{v.requirer.name} {v.requirer.version} in {v.requirer.location}",
                f"requirement: {v.requirement}" + (f" (extra [{v.extra}])" if v.extra else ""),
                f"{v.installed.name} {v.installed.version} provides the same import package "
                f"as {v.name}; `pip check` reports: {v.requirer.key} {v.requirer.version} "
                f"requires {v.name}, which is not installed",
            ),
            why=(
                f"It works today, but a plain install of {v.requirer.name} (an upgrade, a "
                f"requirements file, another package that needs it) installs {v.name} beside "
                f"{v.installed.name}: both write the same folder (TFD301) and the import breaks."
            ),
            fix=(installer.install(pin, no_deps=True),),
            remedies=installs(
                pin, no_deps=True, reason=f"without {v.name}, which {v.installed.name} provides"
            ),
            fix_note=(
                f"Where this set is installed, install {v.requirer.name} (and other packages "
                f"that declare {v.name}) with --no-deps beside {v.installed.name}{drop}."
                if installer.kind == "requirements"
                else f"Install {v.requirer.name} (and other packages that declare {v.name}) "
                f"with --no-deps beside {v.installed.name}, as this command does (so does "
                f"tfdoctor fix){drop}."
            ),
        )
