"""A text's causes joined with the environment it came from: the root cause is the one the
environment proves (``tfdoctor explain`` and ``tfdoctor.explain(text, python=...)``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tfdoctor.finding import Finding, Severity

if TYPE_CHECKING:
    from tfdoctor.report.model import Report


@dataclass
class DiagnosedEnvironment:
    """The environment a text came from, checked: its facts (to fill the fixes with its
    versions), its report, and how it was found."""

    facts: dict[str, str]
    report: Report
    source: str  # --python | traceback | why the active environment was chosen


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
