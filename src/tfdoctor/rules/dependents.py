"""TFD110: other packages of the stack need a TensorFlow or Keras that is not the installed one."""

from __future__ import annotations

from collections.abc import Iterator

from tfdoctor.finding import Finding, Group, Severity, installs, uninstalls
from tfdoctor.registry import RuleInfo
from tfdoctor.rules.base import Context, check, finding
from tfdoctor.rules.claims import claimed

DEPENDENT = RuleInfo(
    "TFD110",
    "dependent-package",
    "dependent-package-incompatible",
    Severity.ERROR,
    Group.TENSORFLOW,
    "A package that builds on TensorFlow/Keras needs another TensorFlow, Keras or tf-keras.",
)


@check(DEPENDENT)
def dependent_packages(ctx: Context) -> Iterator[Finding]:
    for v in claimed(ctx.declared.violations, ctx.kb, DEPENDENT.code):
        requirement = str(v.requirement).split(";")[0].strip()
        installed = v.installed
        if installed is None:
            fix = (ctx.for_dist(v.requirer).install(requirement),)
            remedies = installs(requirement, reason=f"{v.requirer.name} needs it")
        else:
            fix = (ctx.for_dist(v.requirer).install(f"{v.requirer.key}"),)
            remedies = installs(
                v.requirer.key, reason=f"the release made for {installed.name} {installed.version}"
            )
        yield finding(
            DEPENDENT,
            f"{v.requirer.name} {v.requirer.version} needs {requirement}, "
            + (
                f"but {installed.name} {installed.version} is installed"
                if installed
                else "which is not installed"
            ),
            evidence=(
                f"{v.requirer.name} {v.requirer.version} in {v.requirer.location}",
                f"declared: {v.describe()}",
                *ctx.declared.followups(v.requirer),
            ),
            why=f"{v.requirer.name} is built against that release and fails on import (or "
            "later, with missing symbols or ops) with any other.",
            fix=fix,
            remedies=remedies,
            fix_note=(
                f"Upgrade {v.requirer.name} to the release made for the installed version "
                f"(the command lets the resolver pick it), or install {requirement} instead."
                if installed is not None
                else ""
            ),
        )
    yield from _curated(ctx)
    yield from _withdrawn(ctx)


def _withdrawn(ctx: Context) -> Iterator[Finding]:
    """A library TensorFlow stopped shipping, left behind by an upgrade (tensorflow-estimator
    after 2.15 -> 2.16+): nothing of TensorFlow uses it any more, and it no longer imports."""
    tf = ctx.tensorflow
    if tf is None:
        return
    for gone in ctx.kb.withdrawn(tf.version):
        dist = ctx.snapshot.get(gone.package)
        if dist is None:
            continue
        last = ctx.kb.last_minor_before(gone.since)
        yield finding(
            DEPENDENT,
            f"{dist.name} {dist.version} is left over from an older TensorFlow: TensorFlow "
            f"{tf.version} has no {gone.api} (removed in {gone.since})",
            severity=Severity.WARNING,
            evidence=(
                f"{dist.name} {dist.version} in {dist.location}",
                f"{tf.name} {tf.version} does not declare {dist.name}; no TensorFlow from "
                f"{gone.since} on does (source: {gone.source})",
            ),
            why=(
                f"An upgrade of TensorFlow leaves {dist.name} installed, but TensorFlow "
                f"{gone.since} and newer neither use nor support it: code that uses {gone.api} "
                f"fails (AttributeError), and `import {dist.key.replace('-', '_')}` fails."
            ),
            fix=(ctx.for_dist(dist).uninstall(dist.key),),
            remedies=uninstalls(dist.key, reason=f"TensorFlow {tf.version} has no {gone.api}"),
            fix_note=(
                f"Code that needs {gone.api} needs TensorFlow {last} or older "
                f"(`tfdoctor fix --tensorflow {last}`); otherwise move it to Keras models."
                if last
                else ""
            ),
        )


def _curated(ctx: Context) -> Iterator[Finding]:
    """Needs that packages do not declare (transformers on Keras 3, ...), from the knowledge base."""
    tf = ctx.tensorflow
    if tf is None:
        return
    known = ctx.kb.dependent_names()
    installed = {d.key: d.version for d in ctx.snapshot.distributions}
    for dist in ctx.snapshot.distributions:
        if dist.key not in known:
            continue
        for fact in ctx.kb.dependent_facts(dist.key, dist.version, tf.version):
            problem = fact.check(dist.version, installed, tf.version)
            if problem is None:
                continue
            # A package without TensorFlow support beside TensorFlow is a fact, not a fault: it
            # may well be used with another backend.
            severity = Severity.ERROR if fact.supports_tensorflow else Severity.INFO
            yield finding(
                DEPENDENT,
                problem.title,
                severity=severity,
                evidence=(
                    f"{dist.name} {dist.version} in {dist.location}",
                    *problem.evidence,
                    f"source: {fact.source}",
                ),
                why=fact.why,
                fix=(ctx.install_command(*problem.install, dist=dist),) if problem.install else (),
                remedies=ctx.install_remedies(*problem.install, reason=f"for {dist.name}"),
                fix_note=problem.note,
            )
