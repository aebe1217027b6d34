"""How a check rule is declared and run.

A check rule is a pure function ``Context -> Iterable[Finding]`` registered with its RuleInfo. The
Context carries the snapshot, the knowledge base, the installer idioms and analyses shared by several
rules (the declared-requirement analysis), computed once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

from tfdoctor.finding import Finding, Group, Remedy, Severity, installs
from tfdoctor.installers import Installer, detect_installer
from tfdoctor.pep508 import canonical
from tfdoctor.registry import RuleInfo, register
from tfdoctor.snapshot import Distribution, Snapshot, TensorFlowBuild
from tfdoctor.version import Version

if TYPE_CHECKING:
    from tfdoctor.kb import KnowledgeBase, TFRelease
    from tfdoctor.rules.declared import DeclaredAnalysis


class Context:
    """What every rule reads: the snapshot, the knowledge base and what is derived from them
    once (the installer that manages the env, the TensorFlow that imports, declared analysis)."""

    def __init__(self, snapshot: Snapshot, kb: KnowledgeBase):
        from tfdoctor.rules.paths import shadows, without_shadows

        # Stack packages that a PYTHONPATH (or .pth, user-site) entry shadows are one finding
        # (TFD401); every other rule judges the environment's own packages.
        self.full_snapshot = snapshot
        self.shadows = shadows(snapshot, kb.stack_names())
        self.snapshot = without_shadows(snapshot, self.shadows)
        self.kb = kb
        self.installer: Installer = detect_installer(snapshot)

    @cached_property
    def declared(self) -> DeclaredAnalysis:
        from tfdoctor.rules.declared import analyse

        return analyse(self.snapshot, self.kb, leaving=self.tf_leaving)

    @cached_property
    def tf_overlap(self) -> tuple[Distribution, ...]:
        """TensorFlow distributions (tensorflow, tensorflow-cpu...) whose RECORDs write the same
        `tensorflow` folder: one of them is kept (``tensorflow``), the others go."""
        variants = self.kb.tf_variants()
        by_folder: dict[str, list[Distribution]] = {}
        for key, dists in self.snapshot.by_name.items():
            dist = dists[0]
            if key in variants and not dist.error and "tensorflow" in (dist.record_packages or ()):
                by_folder.setdefault(dist.location, []).append(dist)
        return next((tuple(g) for g in by_folder.values() if len(g) > 1), ())

    @cached_property
    def tensorflow(self) -> Distribution | None:
        """The installed TensorFlow distribution that ``import tensorflow`` loads, any variant;
        of two in one folder, the one to keep: check's advice and fix's plan both follow it."""
        if self.tf_overlap:
            variants = self.kb.tf_variants()
            declared = {
                canonical(r.name)
                for d in self.snapshot.distributions
                if d.key not in variants and not d.error
                for r in d.requirements()
            }
            return keep_tensorflow(self.tf_overlap, frozenset(declared & variants))
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

    @property
    def tf_leaving(self) -> frozenset[str]:
        """TensorFlow distributions the repair removes (the others of ``tf_overlap``)."""
        keep = self.tensorflow
        return frozenset(d.key for d in self.tf_overlap if keep is None or d.key != keep.key)

    @cached_property
    def tf_release(self) -> TFRelease | None:
        tf = self.tensorflow
        return self.kb.tensorflow(tf.version) if tf is not None else None

    @cached_property
    def tf_build(self) -> TensorFlowBuild | None:
        """What the build_info.py of the TensorFlow that imports says; None when that is unknown
        (not read, unreadable, or the files of another distribution in the same folder)."""
        tf = self.tensorflow
        return self.snapshot.build_of(tf) if tf is not None else None

    @property
    def cuda_build(self) -> bool | None:
        """Whether that TensorFlow is built with CUDA; None when unknown."""
        build = self.tf_build
        return build.is_cuda_build if build is not None else None

    def group_of(self, *dists: Distribution) -> Group:
        """The report section of a problem with these distributions: a broken or duplicated
        TensorFlow or Keras is shown in its own section, which is then never ✓."""
        keys = {d.key for d in dists}
        if keys & self.kb.tf_variants():
            return Group.TENSORFLOW
        if keys & {"keras", "keras-nightly", "tf-keras", "tf-keras-nightly"}:
            return Group.KERAS
        return Group.ENVIRONMENT

    def install_command(self, *requirements: str, dist: Distribution | None = None) -> str:
        """An install command; tf-keras goes in without its dependencies beside a TensorFlow
        variant, because it declares `tensorflow` and would pull a second TensorFlow in."""
        no_deps = self._without_dependencies(requirements)
        return self.for_dist(dist).install(*requirements, no_deps=no_deps)

    def install_remedies(self, *requirements: str, reason: str = "") -> tuple[Remedy, ...]:
        """The remedies of ``install_command`` for the same requirements."""
        no_deps = self._without_dependencies(requirements)
        return installs(*requirements, no_deps=no_deps, reason=reason)

    def _without_dependencies(self, requirements: tuple[str, ...]) -> bool:
        tf = self.tensorflow
        return (
            tf is not None
            and tf.key != "tensorflow"
            and any(r.startswith(("tf-keras", "tf_keras")) for r in requirements)
        )

    def for_dist(self, dist: Distribution | None) -> Installer:
        return self.installer.for_distribution(dist.installer) if dist else self.installer


def version_key(dist: Distribution) -> tuple[bool, Version | None]:
    """A sortable version; an unparseable one sorts first (never compared with a Version)."""
    parsed = dist.parsed_version
    return (parsed is not None, parsed)


def keep_tensorflow(
    group: tuple[Distribution, ...] | list[Distribution], pulled: frozenset[str] = frozenset()
) -> Distribution:
    """Of TensorFlow distributions written into one folder, the one to keep: the one the user
    asked for, not one that another package's requirement pulled in (tf-keras declares plain
    `tensorflow`), then the newest (what was installed last, whose files are on disk)."""
    return max(
        group,
        key=lambda d: (d.requested, d.key not in pulled, version_key(d), d.key != "tensorflow"),
    )


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
    return fold_into_duplicate(ctx, findings)


# Version mismatches that a second TensorFlow in the same folder brings with it (its own pins,
# what pulled it in): one problem, folded into the duplicate's finding.
FOLDED_BY_DUPLICATE = frozenset({"TFD101", "TFD102", "TFD110", "TFD201", "TFD202", "TFD210"})


def fold_into_duplicate(ctx: Context, findings: list[Finding]) -> list[Finding]:
    if not ctx.tf_leaving:
        return findings
    duplicate = next(
        (f for f in findings if f.code == "TFD301" and f.group is Group.TENSORFLOW), None
    )
    if duplicate is None:
        return findings
    folded = [f for f in findings if f.code in FOLDED_BY_DUPLICATE]
    if not folded:
        return findings
    fix = list(duplicate.fix)
    remedies = list(duplicate.remedies)
    for f in folded:
        fix.extend(line for line in f.fix if line not in fix)
        remedies.extend(r for r in f.remedies if r not in remedies)
    merged = duplicate._replace(
        evidence=(
            *duplicate.evidence,
            *[f"and with it: {f.code} {f.title}" for f in folded],
        ),
        fix=tuple(fix),
        remedies=tuple(remedies),
    )
    return [merged if f is duplicate else f for f in findings if f not in folded]


def finding(info: RuleInfo, title: str, **kwargs: object) -> Finding:
    """A Finding of a rule, its cause, group and default severity filled in."""
    severity = kwargs.pop("severity", info.severity)
    assert isinstance(severity, Severity)
    group = kwargs.pop("group", info.group)
    assert isinstance(group, Group)
    return Finding(
        code=info.code,
        cause=info.cause,
        severity=severity,
        title=title,
        group=group,
        **kwargs,  # type: ignore[arg-type]
    )
