"""A Report as HTML, for notebooks (``Report._repr_html_``): the terminal report's content, with
the same marks, as a small self-contained fragment."""

from __future__ import annotations

from html import escape

from tfdoctor.finding import Finding, Severity
from tfdoctor.report.model import Report

_COLOUR = {Severity.ERROR: "#c62828", Severity.WARNING: "#b26a00", Severity.INFO: "#1565c0"}
_MARK = {Severity.ERROR: "✗", Severity.WARNING: "!", Severity.INFO: "•"}


def render_html(report: Report) -> str:
    from tfdoctor.printable import clean

    return clean(_render_html(report))


def _render_html(report: Report) -> str:
    target = report.target
    where = target.get("prefix") or ""
    parts = [
        '<div class="tfdoctor-report" style="font-family:system-ui,sans-serif;line-height:1.4">',
        f"<p><b>tfdoctor {escape(report.command)}</b>"
        + (f" · <code>{escape(str(where))}</code>" if where else "")
        + "</p>",
    ]
    by_group: dict[str, list[Finding]] = {}
    ordered = report.findings if report.command == "explain" else report.sorted_findings()
    for finding in ordered:
        by_group.setdefault(finding.group.value, []).append(finding)
    if report.groups:
        parts.append('<ul style="list-style:none;padding-left:0">')
        for summary in report.groups:
            items = by_group.pop(summary.group.value, [])
            parts.append(_section(summary.group.value.title(), summary.label, items))
        for group, items in by_group.items():
            parts.append(_section(group.title(), "", items))
        parts.append("</ul>")
    else:
        parts.append("<ol>" + "".join(_finding(f, "li") for f in ordered) + "</ol>")
    parts.append(f"<p><b>{_summary(report)}</b></p></div>")
    return "".join(parts)


def _section(title: str, label: str, items: list[Finding]) -> str:
    worst = min((f.severity for f in items), key=lambda s: s.rank, default=None)
    mark, colour = ("✓", "#2e7d32") if worst is None else (_MARK[worst], _COLOUR[worst])
    head = (
        f'<li><span style="color:{colour};font-weight:bold">[{mark}]</span> <b>{escape(title)}</b>'
        + (f' <span style="color:#666">({escape(label)})</span>' if label else "")
    )
    body = "".join(_finding(f, "div") for f in items)
    return f"{head}{body}</li>"


def _finding(f: Finding, tag: str) -> str:
    colour = _COLOUR[f.severity]
    out = [
        f'<{tag} style="margin:0.3em 0 0.6em 1.5em">'
        f'<span style="color:{colour};font-weight:bold">{_MARK[f.severity]} {escape(f.code)}</span> '
        f"<b>{escape(f.title)}</b> <code>{escape(f.cause)}</code>"
    ]
    evidence = [e for e in f.evidence if e]
    if evidence:
        out.append(
            '<ul style="color:#555">' + "".join(f"<li>{escape(e)}</li>" for e in evidence) + "</ul>"
        )
    if f.why:
        out.append(f"<div>Why: {escape(f.why)}</div>")
    if f.fix:
        out.append("<pre>" + escape("\n".join(f"$ {c}" for c in f.fix)) + "</pre>")
    if f.fix_note:
        out.append(f"<div>{escape(f.fix_note)}</div>")
    out.append(f"</{tag}>")
    return "".join(out)


def _summary(report: Report) -> str:
    if report.command == "explain" and not report.findings:
        return "No known TensorFlow/Keras failure found in the text."
    if not report.errors and not report.warnings:
        return "No issues found."
    return (
        f"Found {report.errors} error{'s' * (report.errors != 1)} and {report.warnings} "
        f"warning{'s' * (report.warnings != 1)}."
    )


def render_text(report: Report, width: int = 100) -> str:
    """The terminal report as plain text (``print(report)``, IPython's console)."""
    from tfdoctor.printable import clean

    return clean(_render_text(report, width))


def _render_text(report: Report, width: int = 100) -> str:
    from tfdoctor.report.terminal import terminal_lines

    if report.command == "explain" and not report.groups:
        return _explain_text(report)
    lines = terminal_lines(report, width=width)
    return "".join("".join(text for text, _ in line) + "\n" for line in lines)


def _explain_text(report: Report) -> str:
    if not report.findings:
        return "No known TensorFlow/Keras failure found in the text.\n"
    out = []
    for rank, f in enumerate(report.findings, 1):
        confidence = f" {round(f.confidence * 100)}%" if f.confidence is not None else ""
        out.append(f"{rank}. {f.cause}{confidence}  {f.code}  {f.title}")
        out += [f"   {e}" for e in f.evidence if e]
        if f.why:
            out.append(f"   Why: {f.why}")
        out += [f"   $ {c}" for c in f.fix]
        if f.fix_note:
            out.append(f"   {f.fix_note}")
    return "\n".join(out) + "\n"
