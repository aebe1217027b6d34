"""How a check rule is declared and run.

A check rule is a pure function ``Context -> Iterable[Finding]`` registered with its RuleInfo. The
Context carries the snapshot, the knowledge base, the installer idioms and analyses shared by several
rules (the declared-requirement analysis), computed once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

from tfdoctor.finding import Finding, Severity
from tfdoctor.installers import Installer, detect_installer
from tfdoctor.registry import RuleInfo, register
from tfdoctor.snapshot import Distribution, Snapshot

if TYPE_CHECKING:
    from tfdoctor.kb import KnowledgeBase, TFRelease
    from tfdoctor.rules.declared import DeclaredAnalysis


class Context:
    """What every rule reads: the snapshot, the knowledge base and what is derived from them
    once (the installer that manages the env, the TensorFlow that imports, declared analysis)."""

    def __init__(self, snapshot: Snapshot, kb: KnowledgeBase):
        self.snapshot = snapshot
        self.kb = kb
        self.installer: Installer = detect_installer(snapshot)

    @cached_property
    def declared(self) -> DeclaredAnalysis:
        from tfdoctor.rules.declared import analyse

        return analyse(self.snapshot, self.kb)

    @cached_property
    def tensorflow(self) -> Distribution | None:
        """The installed TensorFlow distribution that ``import tensorflow`` loads, any variant."""
        variants = self.kb.tf_variants()
        found = [d for d in self.snapshot.distributions if d.key in variants and not d.error]
        if not found:
            return None
        origin = self.snapshot.importable("tensorflow")
        if origin is not None and origin.locations:
            for dist in found:
                if any(loc.startswith(dist.location) for loc in origin.locations):
                    return dist
        return found[0]

    @cached_property
    def tf_release(self) -> TFRelease | None:
        tf = self.tensorflow
        return self.kb.tensorflow(tf.version) if tf is not None else None

    def install_command(self, *requirements: str, dist: Distribution | None = None) -> str:
        """An install command; tf-keras goes in without its dependencies beside a TensorFlow
        variant, because it declares `tensorflow` and would pull a second TensorFlow in."""
        tf = self.tensorflow
        no_deps = (
            tf is not None
            and tf.key != "tensorflow"
            and any(r.startswith(("tf-keras", "tf_keras")) for r in requirements)
        )
        return self.for_dist(dist).install(*requirements, no_deps=no_deps)

    def for_dist(self, dist: Distribution | None) -> Installer:
        return self.installer.for_distribution(dist.installer) if dist else self.installer


CheckFunction = Callable[[Context], Iterable[Finding]]


class CheckRule(NamedTuple):
    info: RuleInfo
    function: CheckFunction


def check(info: RuleInfo) -> Callable[[CheckFunction], CheckFunction]:
    """Declare a check rule: the function carries its RuleInfo (``rule_info``). It runs when it
    is listed in ``rules/checks.py`` CHECKS; nothing is registered as a side effect."""
    register(info)

    def decorate(function: CheckFunction) -> CheckFunction:
        function.rule_info = info  # type: ignore[attr-defined]
        return function

    return decorate


def rule_info(function: CheckFunction) -> RuleInfo | None:
    """The RuleInfo ``@check`` gave a function; None for any other function."""
    info = getattr(function, "rule_info", None)
    return info if isinstance(info, RuleInfo) else None


def check_rules() -> list[CheckRule]:
    """The check rules listed in ``rules/checks.py``, in code order."""
    from tfdoctor.rules.checks import CHECKS

    rules = []
    for function in CHECKS:
        info = rule_info(function)
        assert info is not None, f"{function.__qualname__} in CHECKS has no @check"
        rules.append(CheckRule(info, function))
    return sorted(rules, key=lambda r: r.info.code)


def run_checks(ctx: Context, select: Iterable[str] | None = None) -> list[Finding]:
    """Run every rule; a rule that raises becomes a finding and the run goes on."""
    wanted = {c.upper() for c in select} if select else None
    findings: list[Finding] = []
    for rule in check_rules():
        if wanted is not None and rule.info.code not in wanted:
            continue
        try:
            findings.extend(rule.function(ctx))
        except Exception as exc:  # flutter doctor: a crashed check is reported, never fatal
            import traceback  # only for a rule that crashed

            last = traceback.extract_tb(exc.__traceback__)[-1]
            findings.append(
                Finding(
                    code=rule.info.code,
                    cause=rule.info.cause,
                    severity=Severity.WARNING,
                    title=f"check {rule.info.code} ({rule.info.name}) could not complete",
                    group=rule.info.group,
                    evidence=(f"{type(exc).__name__}: {exc}", f"at {last.filename}:{last.lineno}"),
                    why="tfdoctor could not finish this check, so a problem of this kind may be missed.",
                    fix_note="Please report this at the tfdoctor issue tracker with `tfdoctor check -v` output.",
                )
            )
    return findings


def finding(info: RuleInfo, title: str, **kwargs: object) -> Finding:
    """A Finding of a rule, its cause, group and default severity filled in."""
    severity = kwargs.pop("severity", info.severity)
    assert isinstance(severity, Severity)
    return Finding(
        code=info.code,
        cause=info.cause,
        severity=severity,
        title=title,
        group=info.group,
        **kwargs,  # type: ignore[arg-type]
    )
