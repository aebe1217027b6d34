"""A text's causes joined with the environment it came from: the root cause is the one the
environment proves (``tfdoctor explain`` and ``tfdoctor.explain(text, python=...)``)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, NamedTuple

from tfdoctor.finding import Finding, Severity
from tfdoctor.version import InvalidVersion, Version

if TYPE_CHECKING:
    from tfdoctor.explain.engine import ExplainResult
    from tfdoctor.report.model import Report


@dataclass
class DiagnosedEnvironment:
    """The environment a text came from, checked: its facts (to fill the fixes with its
    versions), its report, and how it was found."""

    facts: dict[str, str]
    report: Report
    source: str  # --python (CLI or API) | traceback | why the active environment was chosen


def join_environment(
    findings: tuple[Finding, ...], env: DiagnosedEnvironment
) -> tuple[Finding, ...]:
    """One diagnosis: the root cause is the one the environment proves.

    First the text's causes that the environment's error findings prove (with the environment's
    evidence and concrete fix), then the environment's other errors (a text cause that the
    environment does not show, such as a save-format error, is often only the symptom of an
    environment fault, e.g. Keras 3 beside TensorFlow 2.15), then the text's remaining causes."""
    errors = [f for f in env.report.sorted_findings() if f.severity is Severity.ERROR]
    proven: list[Finding] = []
    others: list[Finding] = []
    proofs: set[int] = set()  # the environment's errors that proved a text cause (by identity)
    for finding in findings:
        static = next((f for f in errors if f.cause == finding.cause), None)
        if static is None:
            others.append(finding)
            continue
        proofs.add(id(static))
        proven.append(
            finding._replace(
                # the environment shows an error: a text cause it proves is one, whatever the
                # severity of the message alone (a CUDA warning, a resolver warning)
                severity=static.severity,
                evidence=(*finding.evidence, f"in this environment: {static.code} {static.title}"),
                fix=static.fix or finding.fix,
                fix_note=static.fix_note or finding.fix_note,
                confidence=1.0,
                data=(*finding.data, ("proven_by", static.code)),
            )
        )
    environment = [
        f._replace(
            evidence=(*f.evidence, "in this environment (tfdoctor check)"),
            confidence=1.0,
            data=(*f.data, ("proven_by", f.code)),
        )
        for f in errors
        if id(f) not in proofs  # another error of a text cause's kind is an error still
    ]
    return (*proven, *environment, *others)


def settled(text_first: str, alternatives: tuple[str, ...], joined: tuple[Finding, ...]) -> bool:
    """Whether the environment settles what the text alone left uncertain: one of its error
    findings proves the text's first cause or one of the alternatives named for it (the
    KerasTensor error under Keras 3 is Keras 2 code or, beside TensorFlow 2.15, the wrong Keras:
    an environment with TFD101 says which)."""
    candidates = {text_first, *alternatives}
    return any(
        f.cause in candidates and "proven_by" in dict(f.data) and f.severity is Severity.ERROR
        for f in joined
    )


def certain(findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
    """The findings without the text's "uncertain" mark (an environment settled it)."""
    return tuple(
        f._replace(data=tuple((k, v) for k, v in f.data if k != "uncertain")) for f in findings
    )


def join_result(result: ExplainResult, env: DiagnosedEnvironment) -> ExplainResult:
    """``result`` with its causes joined with the environment's findings (join_environment); an
    uncertainty of the text that the environment settles is no longer one."""
    findings = join_environment(result.findings, env)
    first = result.findings[0].cause if result.findings else ""
    if result.uncertain and settled(first, result.alternatives, findings):
        return replace(
            result,
            findings=certain(findings),
            uncertain=False,
            uncertain_reason="",
            alternatives=(),
        )
    return replace(result, findings=findings)


class Difference(NamedTuple):
    """A version the text states that the environment joined in does not have."""

    package: str
    text: str  # as the text states it
    environment: str  # what the environment has

    def describe(self) -> str:
        return f"{self.package} {self.text} (this environment has {self.environment})"


# the packages whose versions decide the causes explain names (envfacts' keys: the distribution
# names with "-" written "_")
_COMPARED = ("python", "tensorflow", "keras", "tf-keras", "numpy", "protobuf")


def differences(result: ExplainResult, env: DiagnosedEnvironment) -> tuple[Difference, ...]:
    """The versions the text states that the environment has otherwise: the text then comes
    from another environment, or from before a change (a fix it describes, an upgrade)."""
    stated = dict(result.stated)
    out = []
    for package in _COMPARED:
        said, has = stated.get(package, ""), env.facts.get(package.replace("-", "_"), "")
        if said and has and not _same(said, has):
            out.append(Difference(package, said, has))
    return tuple(out)


def differences_json(found: tuple[Difference, ...]) -> list[dict[str, str]]:
    """``environment_differs`` of the JSON document (docs/schema/explain.json)."""
    return [{"package": d.package, "text": d.text, "environment": d.environment} for d in found]


def differences_line(found: tuple[Difference, ...]) -> str:
    """One line for the text and Markdown outputs; "" when the text agrees."""
    if not found:
        return ""
    return (
        f"The text shows {' and '.join(d.describe() for d in found)}: it may come from another "
        "environment, or from before a change."
    )


def _same(said: str, has: str) -> bool:
    """Whether a stated version is the installed one, to the precision it is stated with
    ("2.15" is 2.15.1; "3.11" is Python 3.11.7; "2.15.0" is not 2.15.1)."""
    try:
        stated, installed = Version(said), Version(has)
    except InvalidVersion:
        return said == has
    if stated.pre or stated.dev or stated.local:
        return stated == installed
    width = len(stated.release)
    return stated.release == installed.release[:width] + (0,) * (width - len(installed.release))
