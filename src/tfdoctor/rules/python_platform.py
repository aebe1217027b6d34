"""TFD12x/13x: the Python version and the platform can run the installed TensorFlow."""

from __future__ import annotations

from collections.abc import Iterator

from tfdoctor.finding import Finding, Group, Remedy, Severity, installs, reinstalls
from tfdoctor.pep508 import allows
from tfdoctor.registry import RuleInfo
from tfdoctor.rules.base import Context, check, finding
from tfdoctor.snapshot import Distribution
from tfdoctor.version import InvalidVersion, Version

PYTHON = RuleInfo(
    "TFD120",
    "python-version",
    "python-unsupported",
    Severity.ERROR,
    Group.PYTHON,
    "This Python version has no TensorFlow release for what is installed or asked for.",
)
REQUIRES_PYTHON = RuleInfo(
    "TFD121",
    "requires-python",
    "python-unsupported",
    Severity.ERROR,
    Group.PYTHON,
    "An installed package declares that it does not support this Python (Requires-Python).",
)
CPU = RuleInfo(
    "TFD130",
    "cpu-features",
    "platform-unsupported",
    Severity.ERROR,
    Group.PYTHON,
    "The CPU lacks instructions (AVX) that the TensorFlow build uses.",
)


def _expand(tag: str) -> list[tuple[str, str]]:
    """(interpreter, abi) pairs of a wheel tag; ``py2.py3-none-any`` gives two (PEP 425)."""
    parts = tag.split("-")
    if len(parts) != 3:
        return []
    return [(i, a) for i in parts[0].split(".") for a in parts[1].split(".")]


def _fits(interpreter: str, abi: str, implementation: str, minor: int) -> bool:
    """Whether a wheel tag can be imported by this interpreter (Python part of the tag only)."""
    if interpreter.startswith("py"):
        version = interpreter[2:]
        return version in ("3", f"3{minor}")
    if interpreter.startswith("cp"):
        if implementation != "CPython" or not interpreter[2:].isdigit():
            return False
        built = int(interpreter[3:]) if interpreter[2] == "3" else -1
        return built <= minor if abi == "abi3" else built == minor
    return True  # other implementations' tags: not judged here


def _built_for(dist: Distribution) -> str:
    return ", ".join(sorted({t.split("-")[0] for t in dist.wheel_tags}))


def foreign_wheels(ctx: Context) -> list[Distribution]:
    snap = ctx.snapshot
    minor = int(snap.python.minor.split(".")[1])
    out = []
    for dist in snap.distributions:
        if not dist.wheel_tags:
            continue
        tags = [pair for text in dist.wheel_tags for pair in _expand(text)]
        if tags and not any(_fits(i, a, snap.python.implementation, minor) for i, a in tags):
            out.append(dist)
    return out


@check(PYTHON)
def python_version(ctx: Context) -> Iterator[Finding]:
    snap = ctx.snapshot
    minor = snap.python.minor
    tf = ctx.tensorflow
    release = ctx.tf_release
    foreign = foreign_wheels(ctx)
    tf_unsupported = (
        tf is not None
        and release is not None
        and bool(release.pythons)
        and minor not in release.pythons
    )
    if foreign or tf_unsupported:
        yield _wrong_python(ctx, foreign, tf_unsupported)
        return
    if tf is None and ctx.kb.newest_tensorflow_for_python(minor) is None:
        supported = ctx.kb.supported_pythons()
        yield finding(
            PYTHON,
            f"no TensorFlow release supports Python {minor}",
            evidence=(
                f"Python {snap.python.version} at {snap.python.executable}",
                f"TensorFlow releases exist for Python {supported[0]} to {supported[-1]}"
                if supported
                else "",
            ),
            why="pip finds no matching distribution: `pip install tensorflow` fails with "
            "'No matching distribution found for tensorflow'.",
            fix=(f"tfdoctor new ./tf-env --python {supported[-1]}",) if supported else (),
            fix_note="Create the environment with a supported Python.",
        )


def _wrong_python(ctx: Context, foreign: list[Distribution], tf_unsupported: bool) -> Finding:
    snap = ctx.snapshot
    minor = snap.python.minor
    tf = ctx.tensorflow
    release = ctx.tf_release
    dists = list(foreign)
    if tf is not None and tf_unsupported and tf not in dists:
        dists.insert(0, tf)
    evidence = [f"Python {snap.python.version} at {snap.python.executable}"]
    evidence += [
        f"{d.name} {d.version} is built for {_built_for(d) or 'another Python'} ({d.metadata_dir})"
        for d in dists
    ]
    if tf is not None and release is not None and tf_unsupported:
        evidence.append(f"TensorFlow {release.minor} supports Python {', '.join(release.pythons)}")
    reinstall = [f"{d.key}=={d.version}" for d in dists if d is not tf]
    fix: list[str] = []
    remedies: list[Remedy] = []
    note = ""
    if tf is not None and tf in dists:
        newest = ctx.kb.newest_tensorflow_for_python(minor)
        if newest is not None:
            fix.append(ctx.installer.install(f"{tf.key}=={newest.version}", reinstall=True))
            remedies += reinstalls(
                f"{tf.key}=={newest.version}", reason=f"built for Python {minor}"
            )
            note = (
                f"TensorFlow {newest.version} is the newest release for Python {minor}; to keep "
                f"TensorFlow {tf.version}, create an environment with Python "
                f"{release.pythons[-1] if release and release.pythons else 'it supports'} instead."
            )
    if reinstall:
        fix.append(ctx.installer.install(*reinstall, reinstall=True, no_deps=True))
        remedies += reinstalls(*reinstall, no_deps=True, reason=f"built for Python {minor}")
    names = ", ".join(f"{d.name} ({_built_for(d) or 'no build for ' + minor})" for d in dists)
    title = (
        f"{dists[0].name} {dists[0].version} is built for {_built_for(dists[0]) or 'another Python'}, "
        f"not for Python {minor}"
        if len(dists) == 1
        else f"{len(dists)} installed packages are built for another Python than {minor}: {names}"
    )
    return finding(
        PYTHON,
        title,
        evidence=tuple(evidence),
        why="Compiled modules only load in the Python version they were built for: importing "
        "them fails (ImportError: ... undefined symbol, or ModuleNotFoundError for "
        "their extension modules).",
        fix=tuple(fix),
        remedies=tuple(remedies),
        fix_note=note,
    )


def _excludes(requires_python: str, version: str) -> bool:
    """Whether a Requires-Python specifier leaves this Python out (an unreadable one: no)."""
    if allows(requires_python, version):
        return False
    # rare (a finding follows): packaging, kept off the check path, tells invalid from excluding
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        SpecifierSet(requires_python)
    except InvalidSpecifier:
        return False
    return True


def _public(version: str) -> str:
    """The version without its local label (``<2.1.0+cu118`` is no specifier: PEP 440 lets only
    == and != compare local versions, and pip and uv refuse it)."""
    try:
        return Version(version).public
    except InvalidVersion:
        return version


@check(REQUIRES_PYTHON)
def requires_python(ctx: Context) -> Iterator[Finding]:
    """Packages whose own metadata says this Python is not one they support: installed anyway
    (pip --ignore-requires-python, uv --python-version, an old pip, a copied site-packages),
    they fail where they use what this Python lacks (a SyntaxError at import, a missing name)."""
    snap = ctx.snapshot
    told = {d.key for d in foreign_wheels(ctx)}  # TFD120 says those (built for another Python)
    if ctx.tensorflow is not None:
        told.add(ctx.tensorflow.key)
    version = snap.python.version
    excluded = [
        d
        for d in snap.distributions
        if d.requires_python and d.key not in told and _excludes(d.requires_python, version)
    ]
    if not excluded:
        return
    older = [f"{d.key}<{_public(d.version)}" for d in excluded]
    first = excluded[0]
    title = (
        f"{first.name} {first.version} requires Python {first.requires_python}, not {version}"
        if len(excluded) == 1
        else f"{len(excluded)} installed packages do not support Python {version}: "
        + ", ".join(f"{d.name} {d.version} ({d.requires_python})" for d in excluded)
    )
    yield finding(
        REQUIRES_PYTHON,
        title,
        evidence=(
            f"Python {version} at {snap.python.executable}",
            *(
                f"{d.name} {d.version} declares Requires-Python: {d.requires_python}"
                f" ({d.metadata_dir})"
                for d in excluded
            ),
        ),
        why=(
            "A package's Requires-Python is the Pythons its release supports; pip and uv do not "
            "install it elsewhere unless told to (--ignore-requires-python, --python-version) or "
            "when it is copied in. On this Python it fails where it uses what this Python lacks: "
            "a SyntaxError at import, a missing module or name."
            if ctx.installer.kind != "requirements"
            else "A package's Requires-Python is the Pythons its release supports: pip and uv "
            f"refuse to install this release on Python {snap.python.minor}, so the set fails to "
            "install there ('requires a different Python', 'No solution found')."
        ),
        fix=(ctx.installer.install(*older),),
        remedies=installs(*older, reason=f"an older release supports Python {snap.python.minor}"),
        fix_note=(
            "The installer picks the newest older release that supports this Python; or "
            "create an environment with a Python the installed release supports."
            if ctx.installer.kind != "requirements"
            else "The resolver then picks the newest older release that supports Python "
            f"{snap.python.minor}; or check the set for a Python the release supports."
        ),
    )


@check(CPU)
def cpu_features(ctx: Context) -> Iterator[Finding]:
    snap = ctx.snapshot
    tf = ctx.tensorflow
    flags = snap.platform.cpu_flags
    if tf is None or flags is None or snap.platform.machine.lower() not in ("x86_64", "amd64"):
        return
    if "avx" in flags:
        return
    yield finding(
        CPU,
        f"this CPU has no AVX instructions, which TensorFlow {tf.version}'s x86-64 build requires",
        evidence=(f"CPU flags: {' '.join(flags) or '(none of avx, avx2, fma, sse4)'}",),
        why="`import tensorflow` dies with 'Illegal instruction (core dumped)'.",
        fix_note="Use a machine with AVX, or a TensorFlow built from source without AVX.",
    )
