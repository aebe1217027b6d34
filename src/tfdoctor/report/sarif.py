"""SARIF 2.1.0 output for code scanning (GitHub, GitLab, Azure DevOps)."""

from __future__ import annotations

import bisect
import json
import os
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from tfdoctor.finding import Finding, Severity
from tfdoctor.registry import RuleInfo, rule_doc

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
# Public location of the rule pages; None until the project publishes them (then helpUri is set).
RULE_DOCS_BASE_URL: str | None = None
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _uri(path: str) -> str:
    """A URI reference for the file: relative to the working directory, percent-encoded
    (``my dir#1/t%.py`` -> ``my%20dir%231/t%25.py``: a space, ``#`` or ``%`` unencoded is no
    URI, and ``#`` would start a fragment); a ``file:`` URI for a file outside it."""
    relative = os.path.relpath(path) if os.path.isabs(path) else os.path.normpath(path)
    if relative.startswith(".."):
        return Path(os.path.abspath(path)).as_uri()
    return quote(relative.replace(os.sep, "/"), safe="/")


_BLANK = re.compile(r"[ \t\n\r]*")
# json's own reader of a string (escapes decoded): (text, position after the opening quote) ->
# (the string, position after the closing quote)
scanstring: Callable[[str, int], tuple[str, int]] = getattr(json.decoder, "scanstring")  # noqa: B009


def _skip(text: str, pos: int) -> int:
    """The position of the first character at or after ``pos`` that is not blank."""
    match = _BLANK.match(text, pos)
    return match.end() if match else pos


_SCALAR = re.compile(r"-?[0-9][0-9.eE+-]*|true|false|null")


@lru_cache(maxsize=64)
def notebook_source_lines(path: str) -> dict[int, tuple[int, ...]]:
    """For each cell of a notebook (numbered from 1 as lint numbers them, every cell counted), the
    line of the .ipynb file on which each line of its source is written: what a code-scanning
    region must name, since lint's own line is the line within the cell. Empty when the file
    cannot be read as a notebook (then the cell is only named in the message)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, ValueError):
        return {}
    breaks = [m.start() for m in re.finditer("\n", text)]
    parts: dict[int, list[tuple[str, int]]] = {}  # cell -> (piece of its source, its file line)

    def line_at(pos: int) -> int:
        return bisect.bisect_left(breaks, pos) + 1

    def value(pos: int, where: tuple[object, ...]) -> int:
        pos = _skip(text, pos)
        char = text[pos]
        if char == "{":
            pos = _skip(text, pos + 1)
            if text[pos] == "}":
                return pos + 1
            while True:
                key, pos = scanstring(text, _skip(text, pos) + 1)
                pos = _skip(text, pos) + 1  # the colon
                pos = _skip(text, value(pos, (*where, key)))
                if text[pos] == "}":
                    return pos + 1
                pos += 1  # the comma
        if char == "[":
            index, pos = 0, _skip(text, pos + 1)
            if text[pos] == "]":
                return pos + 1
            while True:
                if len(where) == 3 and where[0] == "cells" and where[2] == "source":
                    start = _skip(text, pos)
                    part, pos = scanstring(text, start + 1)
                    parts.setdefault(int(str(where[1])) + 1, []).append((part, line_at(start)))
                else:
                    pos = value(pos, (*where, index))
                pos = _skip(text, pos)
                if text[pos] == "]":
                    return pos + 1
                index, pos = index + 1, pos + 1
        if char == '"':
            part, end = scanstring(text, pos + 1)
            if len(where) == 3 and where[0] == "cells" and where[2] == "source":
                parts[int(str(where[1])) + 1] = [(part, line_at(pos))]
            return end
        scalar = _SCALAR.match(text, pos)
        if scalar is None:
            raise ValueError(f"not JSON at {pos}")
        return scalar.end()

    try:
        value(0, ())
    except (ValueError, IndexError, RecursionError):
        return {}
    return {cell: _line_by_line(pieces) for cell, pieces in parts.items()}


def _line_by_line(pieces: list[tuple[str, int]]) -> tuple[int, ...]:
    """The file line of each line of a cell's source, the pieces joined and split as lint reads
    them (a list element without its newline continues on the next element's line)."""
    starts, offset = [], 0
    for piece, _ in pieces:
        starts.append(offset)
        offset += len(piece)
    lines, offset = [], 0
    for line in "".join(piece for piece, _ in pieces).splitlines(keepends=True):
        lines.append(pieces[bisect.bisect_right(starts, offset) - 1][1])
        offset += len(line)
    return tuple(lines)


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
    cell = dict(finding.data).get("cell")
    loc = finding.location
    if cell and loc is not None:
        text = f"cell {cell}, line {loc.line}: {text}"
    result: dict[str, object] = {
        "ruleId": finding.code,
        "level": _LEVEL[finding.severity],
        "message": {"text": text},
        "properties": {"cause": finding.cause, **dict(finding.data)},
    }
    if finding.code in rule_index:
        result["ruleIndex"] = rule_index[finding.code]
    if loc is not None and cell:
        # a notebook: lint's line is the line within the cell; the region names the line of the
        # .ipynb file where that source line is written (no column: the JSON string escapes it)
        lines = notebook_source_lines(loc.path).get(int(cell), ())
        line = lines[loc.line - 1] if 0 < loc.line <= len(lines) else 1
        result["locations"] = [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(loc.path)},
                    "region": {"startLine": line},
                }
            }
        ]
    elif loc is not None:
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


def render_sarif(
    findings: Sequence[Finding],
    rules: Sequence[RuleInfo],
    tool_version: str,
    skipped: Sequence[tuple[str, str]] = (),
) -> str:
    """One SARIF 2.1.0 log with one run: the rules that can fire and the findings; the files that
    could not be linted (``skipped``: path and why) are the run's tool execution notifications,
    so that a file lint could not read or parse does not vanish from code scanning."""
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
    if skipped:
        log["runs"][0]["invocations"] = [  # type: ignore[index]
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {
                        "level": "warning",
                        "message": {"text": f"{path}: not linted: {message}"},
                        "locations": [
                            {"physicalLocation": {"artifactLocation": {"uri": _uri(path)}}}
                        ],
                    }
                    for path, message in skipped
                ],
            }
        ]
    return json.dumps(log, indent=2)
