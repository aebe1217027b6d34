"""probe → snapshot → rules → Report: the pipeline behind ``tfdoctor check``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from tfdoctor.finding import Finding, Group
from tfdoctor.kb import load as load_kb
from tfdoctor.report.model import KEY_PACKAGES, GroupSummary, PackageFact, Report
from tfdoctor.rules.base import Context, check_rules, run_checks
from tfdoctor.rules.gpu import not_cuda, windows_gpu_ended
from tfdoctor.snapshot import Snapshot
from tfdoctor.target import Interpreter, RunningProbe, resolve

if TYPE_CHECKING:  # only --deep needs it, and it is not light
    from tfdoctor.deep import Progress, RunningDeep


def diagnose(python: str | None, select: Iterable[str] = (), ignore: Iterable[str] = ()) -> Report:
    return diagnose_probe(RunningProbe(resolve(python)), select=select, ignore=ignore)


def diagnose_probe(
    probe: RunningProbe,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    deep: RunningDeep | None = None,
    progress: Progress | None = None,
) -> Report:
    """Finish a probe that was started early (so that it ran while this module was imported),
    and, with ``deep``, the runtime run that was started beside it."""
    kb = load_kb()  # read and indexed while the probe still runs
    kb.prepare()
    check_rules()
    snapshot = Snapshot.from_probe(probe.result())
    ctx = Context(snapshot=snapshot, kb=kb)
    findings = run_checks(ctx, select=set(select) or None)
    extra: dict[str, object] = {}
    if deep is not None:
        from tfdoctor.envfacts import environment_facts
        from tfdoctor.rules.runtime import runtime_findings

        result = deep.result(progress)
        facts = environment_facts(snapshot, ctx.tensorflow, ctx.installer)
        findings = runtime_findings(ctx, result, findings, facts)
        extra["deep"] = result.to_json()
    return _report(ctx, findings, ignore, extra, probe.target.why)


def diagnose_context(python: str | None) -> tuple[Context, Report]:
    """The static check of an environment, with the rule context (for other commands)."""
    target = resolve(python)
    snapshot = Snapshot.from_probe(RunningProbe(target).result())
    ctx = Context(snapshot=snapshot, kb=load_kb())
    return ctx, _report(ctx, run_checks(ctx), (), {}, target.why)


def diagnose_probed(target: Interpreter, data: dict[str, object]) -> tuple[Context, Report]:
    """diagnose_context() of a probe answer already read from ``target``."""
    ctx = Context(snapshot=Snapshot.from_probe(data), kb=load_kb())
    return ctx, _report(ctx, run_checks(ctx), (), {}, target.why)


def diagnose_snapshot(
    snapshot: Snapshot, select: Iterable[str] = (), ignore: Iterable[str] = ()
) -> Report:
    ctx = Context(snapshot=snapshot, kb=load_kb())
    return _report(ctx, run_checks(ctx, select=set(select) or None), ignore, {})


def _report(
    ctx: Context,
    findings: list[Finding],
    ignore: Iterable[str],
    extra: dict[str, object],
    why: str = "",
) -> Report:
    skipped = set(ignore)
    target = target_facts(ctx)
    if why:
        target["chosen"] = why  # tfdoctor chose the environment (no --python): say why
    return Report(
        command="check",
        target=target,
        packages=key_packages(ctx),
        findings=tuple(f for f in findings if f.code not in skipped),
        groups=group_summaries(ctx),
        facts=ctx.full_snapshot.to_json,
        extra=extra,
    )


def target_facts(ctx: Context) -> dict[str, object]:
    snap = ctx.snapshot
    return {
        "python": snap.python.version,
        "implementation": snap.python.implementation,
        "executable": snap.python.executable,
        "prefix": snap.python.prefix,
        "kind": "conda" if snap.is_conda else ("venv" if snap.python.is_venv else "system"),
        "installer": ctx.installer.kind,
        "platform": f"{snap.platform.system.lower()}-{snap.platform.machine}",
        "cwd": snap.cwd,
    }


def key_packages(ctx: Context) -> dict[str, PackageFact | None]:
    out: dict[str, PackageFact | None] = {}
    for name in KEY_PACKAGES:
        dist = ctx.tensorflow if name == "tensorflow" else ctx.snapshot.get(name)
        out[name] = (
            None
            if dist is None
            else PackageFact(dist.name, dist.version, dist.location, dist.installer)
        )
    return out


def _v(ctx: Context, name: str) -> str:
    version = ctx.snapshot.version_of(name)
    return f"{name} {version}" if version else f"{name} not installed"


def _tensorflow_label(ctx: Context) -> str:
    """What `import tensorflow` really loads: the distribution, and what is wrong on disk."""
    tf = ctx.tensorflow
    if tf is None:
        return "not installed"
    label = f"{tf.name} {tf.version}"
    variants = ctx.kb.tf_variants()
    others = [
        d
        for d in ctx.snapshot.distributions
        if d.key in variants and d is not tf and d.location == tf.location and not d.error
    ]
    if others:
        label += " with " + ", ".join(f"{d.name} {d.version}" for d in others) + " in one folder"
    if tf.record_missing_count:
        label += f", {tf.record_missing_count} of {tf.record_checked} files missing"
    shadow = ctx.full_snapshot.importable("tensorflow")
    if ctx.shadows and shadow is not None and shadow.locations:
        label += f"; `import tensorflow` loads {shadow.locations[0]}"
    return label


def group_summaries(ctx: Context) -> tuple[GroupSummary, ...]:
    snap = ctx.snapshot
    tf = ctx.tensorflow
    keras_bits = [_v(ctx, "keras")]
    if snap.get("tf-keras"):
        keras_bits.append(_v(ctx, "tf-keras"))
    backend = snap.environ.get("KERAS_BACKEND")
    if backend:
        keras_bits.append(f"KERAS_BACKEND={backend}")
    if snap.environ.get("TF_USE_LEGACY_KERAS"):
        keras_bits.append(f"TF_USE_LEGACY_KERAS={snap.environ['TF_USE_LEGACY_KERAS']}")
    gpu = _gpu_label(ctx)
    return (
        GroupSummary(
            Group.PYTHON,
            f"{snap.python.implementation} {snap.python.version}, "
            f"{snap.platform.system} {snap.platform.machine}",
        ),
        GroupSummary(Group.TENSORFLOW, _tensorflow_label(ctx)),
        GroupSummary(
            Group.KERAS,
            ", ".join(keras_bits),
            present=tf is not None or bool(snap.get("keras") or snap.get("tf-keras")),
        ),
        GroupSummary(
            Group.DEPENDENCIES,
            ", ".join(_v(ctx, n) for n in ("numpy", "protobuf", "ml-dtypes")),
            present=tf is not None,
        ),
        GroupSummary(Group.GPU, gpu, present=tf is not None or bool(snap.platform.nvidia_driver)),
        GroupSummary(
            Group.ENVIRONMENT,
            f"{snap.python.prefix}, {len(snap.distributions)} distributions, "
            f"managed by {ctx.installer.kind}",
        ),
    )


def _gpu_label(ctx: Context) -> str:
    """The GPU section's line: the driver as Linux shows it and the CUDA of the Linux build, or
    that the installed build has none (as its build_info.py says; unread, as the name says:
    tensorflow-cpu). Elsewhere the probe reads no driver, and the CUDA build is not the one
    installed (macOS has none; native Windows none after the last release with GPU support
    there, TFD604)."""
    snap = ctx.snapshot
    release = ctx.tf_release
    system = snap.platform.system
    if system == "Darwin":
        return "no CUDA on macOS"
    if system == "Windows":
        label = "the NVIDIA driver is not read on Windows"
        if release is not None and windows_gpu_ended(ctx):
            return f"{label}; TensorFlow {release.minor} has no GPU build for native Windows"
    else:
        label = "no NVIDIA driver"
        if snap.platform.nvidia_driver:
            label = f"NVIDIA driver {snap.platform.nvidia_driver}"
    tf = ctx.tensorflow
    if release is not None and tf is not None and not_cuda(ctx):
        rocm = ctx.tf_build is not None and ctx.tf_build.is_rocm_build
        kind = "a ROCm build" if rocm else "a CPU-only build"
        label += f"; TensorFlow {release.minor} is {kind} ({tf.name})"
    elif release is not None and release.cuda:
        label += (
            f"; TensorFlow {release.minor} built with CUDA {release.cuda}, cuDNN {release.cudnn}"
        )
    return label
