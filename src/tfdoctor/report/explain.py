"""`explain`'s output: an ExplainResult as JSON (the envelope of every command), Markdown, or
text for a terminal."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from tfdoctor.finding import Finding, Severity
from tfdoctor.report.envelope import envelope

if TYPE_CHECKING:
    from tfdoctor.explain.engine import ExplainResult

UNKNOWN = "No known TensorFlow/Keras failure found in the text."
_SHOWN_ERROR_LINES = 3


def to_json(result: ExplainResult, source: str) -> dict[str, Any]:
    """The explain document; ``target`` is null until an environment joins in (commands/explain)."""
    return envelope(
        "explain",
        None,
        result.findings,
        input={
            "path": source,
            "lines": result.lines_read,
            "truncated_lines": result.truncated_lines,
            "error_lines": [
                {"line": line.line_no, "text": line.text, "kind": line.kind.value}
                for line in result.error_lines
            ],
        },
        recognised=result.recognised,
        uncertain=result.uncertain,
        uncertain_reason=result.uncertain_reason,
        alternatives=list(result.alternatives),
        next=result.next_step,
    )


def _percent(finding: Finding) -> str:
    return f"{round((finding.confidence or 0.0) * 100)}%"


def _source(finding: Finding) -> str:
    return dict(finding.data).get("source", "")


def _unknown_lines(result: ExplainResult) -> list[str]:
    lines = [UNKNOWN]
    if result.error_lines:
        lines.append("The last error lines in it:")
        for error in list(result.error_lines)[-_SHOWN_ERROR_LINES:]:
            lines.append(f"  line {error.line_no}: {error.text}")
    lines.append(f"To test the environment itself, run: {result.next_step}")
    return lines


def _closing_lines(
    result: ExplainResult, command: Callable[[str], str] = lambda text: text
) -> list[str]:
    lines = []
    if result.uncertain:
        named = ", ".join(
            "not an environment fault" if cause == "none" else cause
            for cause in result.alternatives
            if cause not in result.uncertain_reason  # "A and B are about as likely": B is named
        )
        lines.append(
            f"Uncertain: {result.uncertain_reason}. It may also be: {named}."
            if named
            else f"Uncertain: {result.uncertain_reason}."
        )
    lines.append(f"Confirm it in the environment that printed this: {command(result.next_step)}")
    return lines


def to_markdown(result: ExplainResult, source: str, about: tuple[str, ...] = ()) -> str:
    """The text's own lines (evidence, error lines) and the commands are code spans: a pasted
    ``__init__``, ``<cell line: 0>`` or Colab's ``[file](https://localhost:8080/)`` stays as
    written instead of becoming bold text, a dropped HTML tag or a link."""
    from tfdoctor.report.markdown import code_span

    if not result.recognised:
        parts = [UNKNOWN, ""]
        parts.extend(line for text in about for line in (text, ""))
        if result.error_lines:
            parts += ["The last error lines in it:", ""]
            parts += [
                f"- line {error.line_no}: {code_span(error.text)}"
                for error in list(result.error_lines)[-_SHOWN_ERROR_LINES:]
            ]
            parts.append("")
        parts.append(f"To test the environment itself, run: {code_span(result.next_step)}")
        return "\n".join(parts) + "\n"
    parts = [f"# tfdoctor explain: {source}", ""]
    parts.extend(line for text in about for line in (text, ""))
    for rank, finding in enumerate(result.findings, 1):
        parts.append(f"## {rank}. {finding.title}")
        parts.append("")
        parts.append(
            f"`{finding.code}` · cause `{finding.cause}` · {finding.severity.value}"
            f" · confidence {_percent(finding)}"
        )
        parts.append("")
        parts.extend(_evidence_markdown(line) for line in finding.evidence if line)
        parts.extend(["", finding.why, ""])
        if finding.fix:
            parts.extend(["```sh", *finding.fix, "```", ""])
        if finding.fix_note:
            parts.extend([finding.fix_note, ""])
        if _source(finding):
            parts.extend([f"Source: {_source(finding)}", ""])
    parts.extend(line for text in _closing_lines(result, code_span) for line in (text, ""))
    return "\n".join(parts)


def _evidence_markdown(line: str) -> str:
    """``line 11: ValueError: ...`` as ``> line 11: `ValueError: ...` ``."""
    from tfdoctor.report.markdown import code_span

    label, sep, text = line.partition(": ")
    if sep and label.startswith("line ") and label[5:].isdigit():
        return f"> {label}: {code_span(text)}"
    return f"> {code_span(line)}"


def print_text(
    result: ExplainResult, source: str, stream: TextIO, about: tuple[str, ...] = ()
) -> None:
    """``about``: lines on the environment joined in (commands/explain), printed first."""
    from rich.console import Console  # imported here: start-up stays lean
    from rich.markup import escape as markup_escape

    from tfdoctor.printable import clean

    def escape(text: str) -> str:
        # the evidence and error lines are the input's own text: no control character of it
        # (an ESC sequence that an ANSI filter did not take) may reach the terminal
        return markup_escape(clean(text))

    console = Console(file=stream, highlight=False, soft_wrap=True)
    for line in about:
        console.print(escape(line))
    if not result.recognised:
        first, *rest = _unknown_lines(result)
        console.print(f"[bold]{escape(first)}[/]")
        for line in rest:
            console.print(escape(line))
        return
    count = len(result.findings)
    noun = "cause" if count == 1 else "causes"
    if any("line" in dict(finding.data) for finding in result.findings):
        console.print(f"[bold]{count} known {noun}[/] in {escape(source)}, most likely first:")
    else:  # every finding is the environment's: the text itself showed no known failure
        console.print(
            f"[bold]{escape(UNKNOWN)}[/] The environment checked has {count} known "
            f"{noun}, most likely first:"
        )
    for rank, finding in enumerate(result.findings, 1):
        colour = "red" if finding.severity is Severity.ERROR else "yellow"
        console.print()
        console.print(
            f"[bold]{rank}. [{colour}]{finding.cause}[/{colour}][/]  {_percent(finding)}"
            f"  [dim]{finding.code}[/]  {escape(finding.title)}"
        )
        for line in finding.evidence:
            console.print(f"   [cyan]{escape(line)}[/]")
        console.print(f"   Why: {escape(finding.why)}")
        if finding.fix:
            console.print("   Fix:")
            for command in finding.fix:
                console.print(f"     [green]{escape(command)}[/]")
        if finding.fix_note:
            console.print(f"   [dim]{escape(finding.fix_note)}[/]")
        if _source(finding):
            console.print(f"   [dim]Source: {escape(_source(finding))}[/]")
    console.print()
    for line in _closing_lines(result):
        console.print(escape(line))
