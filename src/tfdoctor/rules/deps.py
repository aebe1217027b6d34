"""TFD2xx: NumPy, protobuf and every other declared requirement (``pip check`` and more)."""

from __future__ import annotations

from collections.abc import Iterator

from tfdoctor.finding import Finding, Group, Severity
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
        )
        return
    evidence = [f"{dist.name} {dist.version} in {dist.location}"]
    evidence += [f"declared: {v.describe()}" for v in violations]
    evidence += ctx.declared.followups(dist)
    wanted = _combined(violations, effective if outside_effective else "")
    if outside_effective and tf is not None:
        evidence.append(_backing(tf.version, package, dist.version, effective, effective_source))
    requirers = sorted({f"{v.requirer.name} {v.requirer.version}" for v in violations})
    if outside_effective and tf is not None and f"{tf.name} {tf.version}" not in requirers:
        requirers.insert(0, f"{tf.name} {tf.version}")
    yield finding(
        info,
        f"{label} {dist.version} is outside what {', '.join(requirers)} "
        f"support{'s' if len(requirers) == 1 else ''} ({package}{wanted})",
        evidence=tuple(evidence),
        why=_why(package, dist.version),
        fix=(ctx.for_dist(dist).install(f"{package}{wanted}"),),
    )


def _backing(tf_version: str, package: str, installed: str, effective: str, source: str) -> str:
    """A matrix cell of this TensorFlow with this major of the package proves what happens;
    without one the range is only documented."""
    from tfdoctor.kb.verified import proof

    minor = ".".join(tf_version.split(".")[:2])
    major = installed.split(".")[0]
    found = proof(minor, None, **{package: major})
    if found is not None:
        return found
    return f"documented ({source}): TensorFlow {tf_version} works with {package}{effective}"


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
        )
