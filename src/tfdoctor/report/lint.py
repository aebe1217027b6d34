"""lint's output: text lines as linters print them, the unified diff of ``--diff``, and the JSON
document (the common envelope; SARIF is report/sarif.py)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any, TextIO

from tfdoctor.lint.results import unified_diff
from tfdoctor.report import counted
from tfdoctor.report.envelope import envelope

if TYPE_CHECKING:
    from tfdoctor.lint.runner import LintResult


def document(result: LintResult) -> dict[str, Any]:
    """``lint --format json`` (docs/schema/lint.json)."""
    skipped = [{"path": p, "message": m} for p, m in result.errors]
    return envelope(
        "lint",
        {"kind": "code", **result.target.to_json()},
        result.findings,  # by path, line, column
        files=result.files,
        parsed=result.analyzed,
        skipped=skipped,
        errors=skipped,  # the former name of `skipped` (not a count: summary.errors is)
        fixed=result.fixed,
    )


def render_diff(result: LintResult, out: TextIO, err: TextIO) -> None:
    """``--diff`` (as ruff's): the rewrites as a unified diff on stdout, nothing written."""
    for change in result.changes:
        out.write(unified_diff(change))
    for path, message in result.fix_errors:
        print(f"tfdoctor: {path}: not fixed, {message}", file=err)
    fixes = sum(change.fixes for change in result.changes)
    files = len(result.changes)
    print(
        f"Would apply {fixes} fix{'es' * (fixes != 1)} to {files} file{'s' * (files != 1)}"
        + (" (tfdoctor lint --fix writes them)." if fixes else "."),
        file=err,
    )


def render_text(result: LintResult, out: TextIO) -> None:
    """One line per finding (path:line:column: severity: CODE title), then the summary."""
    for change in result.changes if result.fixed else ():
        if change.path in result.fixed:
            out.write(unified_diff(change))
    for finding in result.findings:
        loc = finding.location
        assert loc is not None  # every lint finding has its place in a file
        cell = dict(finding.data).get("cell")
        where = f"{loc.path}:cell {cell}:" if cell else f"{loc.path}:"
        out.write(
            f"{where}{loc.line}:{loc.column}: {finding.severity.value}: "
            f"{finding.code} {finding.title}\n"
        )
    for path, message in result.errors:
        out.write(f"{path}: skipped, {message}\n")
    for path, message in result.fix_errors:
        out.write(f"{path}: not fixed, {message}\n")
    count = len(result.findings)
    fixed = sum(result.fixed.values())
    severities = Counter(f.severity.value for f in result.findings)
    kinds = ", ".join(
        f"{severities[s]} {s}{'s' * (severities[s] != 1)}"
        for s in ("error", "warning", "info")
        if severities[s]
    )
    summary = f"Found {count} finding{'s' * (count != 1)}"
    summary += f" ({kinds})" if kinds else ""
    summary += f" in {counted(result.files, 'file')}"
    if result.fixed:
        files = counted(len(result.fixed), "file")
        summary += f" after {fixed} fix{'es' * (fixed != 1)} in {files}"
    out.write(f"{summary}. Target: {result.target.describe()}.\n")
