"""Terminal output in the style of ``flutter doctor``: a mark per section, then what to do.

The report is laid out once as lines of styled pieces; :mod:`tfdoctor.report.styled` writes them
with rich on a terminal (colours, styles) and as plain text to a pipe or file."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from typing import IO, Any

from tfdoctor.finding import Finding, Group, Severity
from tfdoctor.report.model import Report
from tfdoctor.report.styled import Line, Piece, open_sink

MARKS: dict[Severity | None, Piece] = {
    None: ("[✓]", "green"),
    Severity.INFO: ("[✓]", "green"),
    Severity.WARNING: ("[!]", "yellow"),
    Severity.ERROR: ("[✗]", "red"),
}
BULLET: dict[Severity, Piece] = {
    Severity.ERROR: ("✗", "red"),
    Severity.WARNING: ("!", "yellow"),
    Severity.INFO: ("•", "blue"),
}
TITLES = {
    Group.PYTHON: "Python",
    Group.TENSORFLOW: "TensorFlow",
    Group.KERAS: "Keras",
    Group.DEPENDENCIES: "NumPy, protobuf and other dependencies",
    Group.GPU: "GPU",
    Group.ENVIRONMENT: "Environment and paths",
    Group.CODE: "Code",
    Group.RUNTIME: "Runtime",
}


def _worst(findings: list[Finding]) -> Severity | None:
    if not findings:
        return None
    return min((f.severity for f in findings), key=lambda s: s.rank)


def render_terminal(report: Report, stream: IO[str] | None = None, verbose: bool = False) -> None:
    sink = open_sink(stream)
    sink.write(terminal_lines(report, verbose, sink.width))


def terminal_lines(report: Report, verbose: bool = False, width: int = 80) -> list[Line]:
    """The whole report as lines; ``width`` is where prose is wrapped (commands never are)."""
    out: list[Line] = []
    target = report.target
    chosen = f" ({target['chosen']})" if target.get("chosen") else ""
    out.append([("tfdoctor", "bold"), (f" {report.command} · {target.get('prefix')}{chosen}", "")])
    out.append([])
    by_group: dict[Group, list[Finding]] = {}
    for f in report.sorted_findings():
        by_group.setdefault(f.group, []).append(f)
    for summary in report.groups:
        items = by_group.pop(summary.group, [])
        if not items and not summary.present:
            out.append([(f"[-] {TITLES[summary.group]} ({summary.label})", "dim")])
            continue
        _section(out, TITLES[summary.group], summary.label, items, verbose, width)
    deep = report.extra.get("deep")
    runtime = by_group.pop(Group.RUNTIME, [])
    if deep is not None:
        _deep_section(out, deep, runtime, verbose, width)
    elif runtime:
        _section(out, TITLES[Group.RUNTIME], "", runtime, verbose, width)
    for group, items in by_group.items():  # groups without a summary line (code)
        _section(out, TITLES[group], "", items, verbose, width)
    out.append([])
    if verbose and report.facts is not None:
        out.append([("Facts", "bold")])
        out.extend([(line, "")] for line in json.dumps(report.facts(), indent=2).splitlines())
        out.append([])
    if report.errors or report.warnings:
        mark = BULLET[Severity.ERROR] if report.errors else BULLET[Severity.WARNING]
        out.append(
            [
                (mark[0], f"bold {mark[1]}"),
                (
                    f" Found {report.errors} error{'s' * (report.errors != 1)} and "
                    f"{report.warnings} warning{'s' * (report.warnings != 1)}.",
                    "bold",
                ),
                *_next_steps(report),
            ]
        )
    else:
        out.append([("•", "green"), (" No issues found.", "")])
    return out


def _next_steps(report: Report) -> list[tuple[str, str]]:
    if report.target.get("kind") == "requirements":
        # a requirement set: nothing is installed, so there is nothing for `tfdoctor fix` to plan
        return [
            (" Change the requirement set as the lines above say, then check it again. ", ""),
            ("Explain a rule: tfdoctor rules CODE", ""),
        ]
    return [
        (" Run the fix commands above, or ", ""),
        ("tfdoctor fix", "bold"),
        (" to plan all of them. Explain a rule: tfdoctor rules CODE", ""),
    ]


def _section(
    out: list[Line], title: str, label: str, items: list[Finding], verbose: bool, width: int
) -> None:
    line: Line = [MARKS[_worst(items)], (" ", ""), (title, "bold")]
    if label:
        line += [(" ", ""), (f"({label})", "dim")]
    out.append(line)
    for f in items:
        _finding(out, f, verbose, width)


def _finding(out: list[Line], f: Finding, verbose: bool, width: int) -> None:
    _indent(
        out, f"{f.code} {f.title}", 4, width, first=[BULLET[f.severity], (" ", "")], style="bold"
    )
    for line in f.evidence:
        if line:
            _indent(out, line, 8, width, first=[("• ", "")], style="dim")
    if f.why and (verbose or f.severity is not Severity.INFO):
        _indent(out, f"Why: {f.why}", 8, width)
    for cmd in f.fix:
        # Commands are never wrapped, so that they can be copied whole.
        out.append([(" " * 8, ""), (f"$ {cmd}", "cyan")])
    if f.fix_note:
        _indent(out, f.fix_note, 8, width)


def _deep_section(
    out: list[Line], deep: dict[str, Any], items: list[Finding], verbose: bool, width: int
) -> None:
    steps = deep.get("steps", [])
    failed = [s for s in steps if s.get("status") != "ok"]
    broken = bool(failed or deep.get("timed_out") or deep.get("crashed"))
    total = len(steps) + (1 if deep.get("unfinished") else 0)
    label = (
        f"{len(steps) - len(failed)} of {total} steps passed in {deep.get('wall_seconds', 0):.1f} s"
    )
    mark = MARKS[Severity.ERROR] if broken or items else MARKS[None]
    out.append([mark, (" ", ""), ("Runtime (--deep)", "bold"), (" ", ""), (f"({label})", "dim")])
    for s in steps:
        ok = s.get("status") == "ok"
        detail = s.get("detail") or {}
        extra = ""
        if s.get("step") == "import tensorflow" and ok:
            extra = f" → TensorFlow {detail.get('version')}, devices: {', '.join(detail.get('devices', []))}"
        elif s.get("step") == "resolve tf.keras" and ok:
            extra = f" → {detail.get('module')} (Keras {detail.get('version')})"
        elif s.get("step") == "import keras" and ok:
            extra = f" → Keras {detail.get('version')}, backend {detail.get('backend')}"
        out.append(
            [
                ("    ", ""),
                ("✓", "green") if ok else ("✗", "red"),
                (f" {s.get('step')} ", ""),
                (f"{s.get('seconds', 0):.1f} s{extra}", "dim"),
            ]
        )
    if deep.get("timed_out"):
        what = deep.get("unfinished") or "the run"
        out.append([("    ", ""), ("✗", "red"), (f" {what}: time limit reached", "")])
    elif deep.get("crashed"):
        out.append([("    ", ""), ("✗", "red"), (f" interpreter {deep.get('crashed')}", "")])
    for f in items:
        _finding(out, f, verbose, width)


def _indent(
    out: list[Line],
    text: str,
    indent: int,
    width: int,
    first: Sequence[Piece] = (),
    style: str = "",
) -> None:
    """Plain text wrapped to ``width``, every line indented (no trailing blanks)."""
    room = max(width - indent - 2, 40)
    lines = textwrap.wrap(text, room, break_on_hyphens=False, break_long_words=False) or [""]
    lead = sum(len(piece[0]) for piece in first)
    for i, line in enumerate(lines):
        head: Line = list(first) if i == 0 else [(" " * lead, "")]
        out.append([(" " * indent, ""), *head, (line, style)])
