"""TFD1xx: the TensorFlow, Keras and tf-keras versions fit together."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from tfdoctor.finding import Finding, Group, Severity, installs
from tfdoctor.pep508 import allows, canonical, combine, parse
from tfdoctor.registry import RuleInfo
from tfdoctor.rules.base import Context, check, finding
from tfdoctor.rules.claims import claimed
from tfdoctor.rules.declared import Violation
from tfdoctor.snapshot import Distribution
from tfdoctor.version import InvalidVersion, Version

KERAS_LINE = RuleInfo(
    "TFD101",
    "keras-line",
    "keras-version-mismatch",
    Severity.ERROR,
    Group.KERAS,
    "The installed keras is not the Keras line the installed TensorFlow expects.",
)
TF_KERAS = RuleInfo(
    "TFD102",
    "tf-keras-version",
    "tf-keras-mismatch",
    Severity.ERROR,
    Group.KERAS,
    "tf-keras must have the same major.minor version as TensorFlow.",
)
NOT_INSTALLED = RuleInfo(
    "TFD103",
    "not-installed",
    "not-installed",
    Severity.ERROR,
    Group.TENSORFLOW,
    "TensorFlow, Keras or a package they require is not installed.",
)


def _where(dist: Distribution) -> str:
    return f"{dist.name} {dist.version} in {dist.location}"


def _tf_label(tf: Distribution) -> str:
    return f"TensorFlow {tf.version} ({tf.name})"


def _keras3_boundary(ctx: Context) -> tuple[str, str, str]:
    """The TensorFlow minors around Keras 3, from the kb: the last-but-one and the last whose
    tf.keras is Keras 2 (the last silently takes an installed Keras 3), the first of Keras 3."""
    keras2, keras3 = ctx.kb.keras_line_minors(2), ctx.kb.keras_line_minors(3)
    return (
        keras2[-2] if len(keras2) > 1 else "?",
        keras2[-1] if keras2 else "?",
        keras3[0] if keras3 else "?",
    )


def _set_keras3_note(ctx: Context, tf: Distribution, first_keras3: str) -> str:
    """The requirement that gives a set Keras 3: a newer release of its TensorFlow variant, or
    plain tensorflow where the variant has none (tensorflow-gpu ended at 2.12)."""
    files = ctx.installer.files_named
    now = f"(the set resolves it to {tf.version} now)"
    releases = ctx.kb.declared_versions(tf.key)
    if tf.key == "tensorflow" or not releases or any(_at_least(v, first_keras3) for v in releases):
        return (
            f"To use Keras 3 instead, require {tf.key}>={first_keras3} in {files} {now} and "
            "keep keras 3."
        )
    return (
        f"To use Keras 3 instead, require tensorflow>={first_keras3} in {files} in place of "
        f"{tf.key}, which has no release from {first_keras3} on {now}, and keep keras 3."
    )


def _plain_tensorflow_too(ctx: Context, tf: Distribution) -> str:
    """The end of the tf-keras note for a set of a TensorFlow variant (tensorflow-cpu): tf-keras
    declares plain `tensorflow`, which resolving the set would add beside the variant."""
    if tf.key == "tensorflow" or tf.key not in ctx.kb.tf_variants():
        return "."
    spec = ctx.kb.tf_keras_requirement(tf.version)
    declared = [
        ctx.kb.declared("tf-keras", v)
        for v in ctx.kb.declared_versions("tf-keras")
        if spec and allows(spec, v)
    ]
    names = {
        canonical(req.name)
        for release in declared
        if release is not None
        for line in release.requires_dist
        if (req := parse(line)) is not None
    }
    if "tensorflow" not in names:
        return "."
    return (
        "; tf-keras declares plain `tensorflow`, so require "
        f"tensorflow=={tf.version} there in place of {tf.key} too (the set would resolve both)."
    )


def _at_least(version: str, minor: str) -> bool:
    try:
        return Version(version) >= Version(minor)
    except InvalidVersion:
        return False


def _minor(version: str) -> str:
    release = Version(version).release
    return f"{release[0]}.{release[1] if len(release) > 1 else 0}"


@check(KERAS_LINE)
def keras_line(ctx: Context) -> Iterator[Finding]:
    tf = ctx.tensorflow
    if tf is None:
        return
    reported = False
    for v in claimed(ctx.declared.violations, ctx.kb, "TFD101"):
        reported = True
        yield _keras_mismatch(ctx, tf, v.installed, v.requirement.specifier, v)
    if reported:
        return
    release = ctx.tf_release
    keras = ctx.snapshot.get("keras")
    if release is None or keras is None or keras.parsed_version is None:
        return
    if keras.parsed_version.major != release.keras_line:
        spec = f">={release.keras_line}.0" if release.keras_line == 3 else f"~={release.minor}.0"
        yield _keras_mismatch(ctx, tf, keras, spec, None)


def _keras_mismatch(
    ctx: Context, tf: Distribution, keras: Distribution | None, spec: str, v: Violation | None
) -> Finding:
    assert keras is not None
    keras_v = keras.parsed_version
    wants_three = ctx.kb.keras_line(tf.version) >= 3
    older, last_keras2, first_keras3 = _keras3_boundary(ctx)
    evidence = [_where(tf), _where(keras)]
    if v is not None:
        evidence.append(f"declared: {v.describe()}")
    evidence += ctx.declared.followups(keras)
    if keras_v is not None and _supports_python(ctx, keras):
        # a cell of this TensorFlow minor and this Keras minor, or none
        evidence += _proof(tf.version, ctx, keras=f"{keras_v.major}.{keras_v.minor}")
    if wants_three:
        why = (
            f"From TensorFlow {first_keras3} on, tf.keras is Keras 3 and TensorFlow imports the "
            f"installed `keras` package as Keras 3; Keras {keras.version} is Keras 2, so "
            "`import tensorflow` or the first use of tf.keras fails."
        )
        tf_keras = f"tf-keras{ctx.kb.tf_keras_requirement(tf.version)}"
        note = (
            "If your code needs Keras 2, keep keras 3 and add "
            f"{tf_keras} with TF_USE_LEGACY_KERAS=1 instead (tfdoctor fix --keras 2)."
            if ctx.installer.kind != "requirements"
            else f"If your code needs Keras 2, keep keras 3, add {tf_keras} to "
            f"{ctx.installer.files_named} instead and set TF_USE_LEGACY_KERAS=1 where it runs"
            + _plain_tensorflow_too(ctx, tf)
        )
    else:
        why = (
            f"TensorFlow {_minor(tf.version)} bundles Keras 2: tf.keras loads the separately "
            f"installed `keras` package and expects keras {spec}. "
            + (
                f"Keras {keras.version} is Keras 3, a different package: on TF {older} and older "
                f"tf.keras fails with \"No module named 'keras.api._v2'\"; on TF {last_keras2} "
                "tf.keras silently becomes Keras 3 and Keras 2 code fails later (mixed or missing "
                "APIs)."
                if keras_v is not None and keras_v.major >= 3
                else f"keras {keras.version} belongs to another TensorFlow release."
            )
        )
        note = (
            f"To use Keras 3 instead, upgrade TensorFlow to {first_keras3} or newer "
            "(tfdoctor fix --keras 3)."
            if ctx.installer.kind != "requirements"
            else _set_keras3_note(ctx, tf, first_keras3)
        )
    return finding(
        KERAS_LINE,
        f"keras {keras.version} does not match {_tf_label(tf)}, which needs keras {spec}",
        evidence=tuple(evidence),
        why=why,
        fix=(
            ctx.for_dist(keras).install(f"{keras.key if keras.key == 'keras' else 'keras'}{spec}"),
        ),
        remedies=installs(f"keras{spec}", reason=f"the Keras {_tf_label(tf)} needs"),
        fix_note=note,
    )


@check(TF_KERAS)
def tf_keras_version(ctx: Context) -> Iterator[Finding]:
    tf = ctx.tensorflow
    tf_keras = ctx.snapshot.get("tf-keras") or ctx.snapshot.get("tf-keras-nightly")
    if tf is None or tf_keras is None or tf_keras.parsed_version is None:
        return
    violations = claimed(ctx.declared.violations, ctx.kb, "TFD102")
    if ctx.kb.tf_keras_fits(tf.version, tf_keras.version) and not violations:
        return
    if ctx.kb.keras_line(tf.version) < 3 and not violations:
        return
    evidence = [_where(tf), _where(tf_keras)]
    evidence += [f"declared: {v.describe()}" for v in violations]
    wanted = f"tf-keras{ctx.kb.tf_keras_requirement(tf.version)}"
    minor = ".".join(tf_keras.version.split(".")[:2])
    cell = (
        _cell(tf.version, ctx, {"tf_keras": minor}, legacy=True)
        if _supports_python(ctx, tf_keras)
        else None
    )
    fix = (ctx.for_dist(tf_keras).install(wanted, no_deps=True),)
    remedies = installs(wanted, no_deps=True, reason=f"the tf-keras of {_tf_label(tf)}")
    if cell is not None:
        from tfdoctor.kb.verified import tf_keras_line, tf_keras_works

        evidence.append(tf_keras_line(cell))
        if tf_keras_works(cell):
            yield finding(
                TF_KERAS,
                f"tf-keras {tf_keras.version} is not the one {_tf_label(tf)} declares "
                f"({wanted}), but this pair is proven to work",
                severity=Severity.WARNING,
                evidence=tuple(evidence),
                why=(
                    "tf-keras is built against one TensorFlow minor release; this pair was built "
                    "and run by the matrix, and tf.keras works with it. The declared requirement "
                    "is still unmet: `pip check` fails, and a later TensorFlow change can break "
                    "it, so the matching tf-keras is the safe choice."
                ),
                fix=fix,
                remedies=remedies,
                fix_note="Optional: installs the tf-keras of this TensorFlow's minor release.",
            )
            return
    yield finding(
        TF_KERAS,
        f"tf-keras {tf_keras.version} does not match {_tf_label(tf)}; it needs {wanted}",
        evidence=tuple(evidence),
        why=(
            "tf-keras is built against one TensorFlow minor release and uses its internal APIs; "
            "with another minor, `import tf_keras` (and tf.keras under TF_USE_LEGACY_KERAS=1) "
            "fails or misbehaves."
        ),
        fix=fix,
        remedies=remedies,
    )


def _cell(
    tf_version: str, ctx: Context, packages: dict[str, str], legacy: bool = False
) -> dict[str, Any] | None:
    """The matrix cell of this TensorFlow minor with these packages, run with the legacy Keras
    switch as this environment has it (always on where tf-keras is what is judged: it is what
    tf.keras then loads)."""
    from tfdoctor.kb.verified import best

    on = legacy or ctx.kb.legacy_keras_switch(ctx.snapshot.environ)
    settings = {"TF_USE_LEGACY_KERAS": "1"} if on else None
    return best(_minor(tf_version), settings, **packages)


def _supports_python(ctx: Context, dist: Distribution) -> bool:
    """Whether the release's Requires-Python (its metadata's, else the knowledge base's) admits
    the Python checked. A matrix cell proves what a pair does on a Python that installs it: keras
    3.15.1 needs Python 3.11, so its cell says nothing of a Python 3.9 set or environment."""
    spec = dist.requires_python
    if not spec:
        known = ctx.kb.declared(dist.key, dist.version)
        spec = known.requires_python if known is not None else ""
    return not spec or allows(spec, ctx.snapshot.python.version)


def _proof(tf_version: str, ctx: Context, **packages: str) -> list[str]:
    from tfdoctor.kb.verified import tf_keras_line

    cell = _cell(tf_version, ctx, packages)
    return [tf_keras_line(cell)] if cell is not None else []


@check(NOT_INSTALLED)
def not_installed(ctx: Context) -> Iterator[Finding]:
    tf = ctx.tensorflow
    snap = ctx.snapshot
    if tf is None:
        newest = ctx.kb.newest_tensorflow_for_python(snap.python.minor)
        if newest is None:
            return  # python-unsupported (TFD120) says why nothing can be installed
        yield finding(
            NOT_INSTALLED,
            f"TensorFlow is not installed in {snap.python.prefix}",
            evidence=(
                f"Python {snap.python.version} at {snap.python.executable}",
                "no distribution of tensorflow or its variants was found on sys.path",
            ),
            why="`import tensorflow` fails with ModuleNotFoundError.",
            fix=(ctx.installer.install(f"tensorflow=={newest.version}"),),
            remedies=installs(f"tensorflow=={newest.version}", reason="the newest for this Python"),
            fix_note=f"TensorFlow {newest.version} is the newest release for Python "
            f"{snap.python.minor}." + _other_environment_hint(snap.environ, snap.python.prefix),
        )
        return
    missing = claimed(ctx.declared.violations, ctx.kb, "TFD103")
    if not missing:
        return
    by_name: dict[str, list[Violation]] = {}
    for v in missing:
        by_name.setdefault(v.name, []).append(v)
    specs = [
        f"{group[0].requirement.name}{combine(*(v.requirement.specifier for v in group))}"
        for group in by_name.values()
    ]
    names = [group[0].requirement.name for group in by_name.values()]
    requirers = sorted({f"{v.requirer.name} {v.requirer.version}" for v in missing})
    yield finding(
        NOT_INSTALLED,
        f"{', '.join(names)} {'is' if len(names) == 1 else 'are'} not installed, but "
        f"{', '.join(requirers)} require{'s' if len(requirers) == 1 else ''} "
        f"{'it' if len(names) == 1 else 'them'}",
        evidence=tuple(f"declared: {v.describe()}" for v in missing),
        why=(
            'The first use of tf.keras raises "ImportError: Keras cannot be imported. Check that '
            'it is installed."'
            if any(v.name in ("keras", "keras-nightly") for v in missing)
            else f"Importing {missing[0].requirer.name} fails with ModuleNotFoundError"
        )
        + " (typically after an install with --no-deps, an interrupted install or an uninstall).",
        fix=(ctx.for_dist(missing[0].requirer).install(*specs),),
        remedies=installs(*specs, reason=f"{', '.join(requirers)} require it"),
    )


def _other_environment_hint(environ: dict[str, str], prefix: str) -> str:
    """tfdoctor may run from pipx or another venv than the one the user works in."""
    for variable in ("VIRTUAL_ENV", "CONDA_PREFIX"):
        other = environ.get(variable, "")
        if other and os.path.realpath(other) != os.path.realpath(prefix):
            return f" Or did you mean the active environment: tfdoctor check --python {other}"
    return ""
