"""SARIF 2.1.0 output for code scanning (GitHub, GitLab, Azure DevOps)."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence

from tfdoctor.finding import Finding, Severity
from tfdoctor.registry import RuleInfo, rule_doc

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
# Public location of the rule pages; None until the project publishes them (then helpUri is set).
RULE_DOCS_BASE_URL: str | None = None
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _uri(path: str) -> str:
    relative = os.path.relpath(path) if os.path.isabs(path) else os.path.normpath(path)
    if relative.startswith(".."):
        relative = os.path.abspath(path)
    return relative.replace(os.sep, "/")


def _rule(info: RuleInfo) -> dict[str, object]:
    rule: dict[str, object] = {
        "id": info.code,
        "name": info.name,
        "shortDescription": {"text": info.summary},
        "defaultConfiguration": {"level": _LEVEL[info.severity]},
        "properties": {"cause": info.cause, "kind": info.kind},
    }
    doc = rule_doc(info.code)
    if doc:
        rule["help"] = {"text": doc, "markdown": doc}
    if RULE_DOCS_BASE_URL:
        rule["helpUri"] = f"{RULE_DOCS_BASE_URL.rstrip('/')}/{info.code}.md"
    return rule


def _result(finding: Finding, rule_index: dict[str, int]) -> dict[str, object]:
    text = finding.title
    if finding.fix_note:
        text += f" ({finding.fix_note})"
    result: dict[str, object] = {
        "ruleId": finding.code,
        "level": _LEVEL[finding.severity],
        "message": {"text": text},
        "properties": {"cause": finding.cause, **dict(finding.data)},
    }
    if finding.code in rule_index:
        result["ruleIndex"] = rule_index[finding.code]
    loc = finding.location
    if loc is not None:
        region: dict[str, int] = {"startLine": max(loc.line, 1), "startColumn": max(loc.column, 1)}
        if loc.end_line is not None and loc.end_line >= loc.line:
            region["endLine"] = loc.end_line
            if loc.end_column is not None and (
                loc.end_line > loc.line or loc.end_column > loc.column
            ):
                region["endColumn"] = loc.end_column
        result["locations"] = [
            {"physicalLocation": {"artifactLocation": {"uri": _uri(loc.path)}, "region": region}}
        ]
    return result


def render_sarif(findings: Sequence[Finding], rules: Sequence[RuleInfo], tool_version: str) -> str:
    """One SARIF 2.1.0 log with one run: the rules that can fire and the findings."""
    rule_index = {info.code: index for index, info in enumerate(rules)}
    log = {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "tfdoctor",
                        "version": tool_version,
                        "informationUri": "https://pypi.org/project/tfdoctor/",
                        "rules": [_rule(info) for info in rules],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [_result(finding, rule_index) for finding in findings],
            }
        ],
    }
    return json.dumps(log, indent=2)
