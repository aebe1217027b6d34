"""Terminal output in the style of ``flutter doctor``: a mark per section, then what to do."""

from __future__ import annotations

import json
from typing import IO

from rich.console import Console
from rich.markup import escape

from tfdoctor.finding import Finding, Group, Severity
from tfdoctor.report.model import Report

MARKS = {
    None: "[green][✓][/]",
    Severity.INFO: "[green][✓][/]",
    Severity.WARNING: "[yellow][!][/]",
    Severity.ERROR: "[red][✗][/]",
}
BULLET = {
    Severity.ERROR: "[red]✗[/]",
    Severity.WARNING: "[yellow]![/]",
    Severity.INFO: "[blue]•[/]",
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
    console = Console(file=stream, highlight=False, soft_wrap=False)
    target = report.target
    console.print(
        f"[bold]tfdoctor[/] {escape(report.command)} · {escape(str(target.get('prefix')))}"
    )
    console.print()
    by_group: dict[Group, list[Finding]] = {}
    for f in report.sorted_findings():
        by_group.setdefault(f.group, []).append(f)
    for summary in report.groups:
        items = by_group.pop(summary.group, [])
        _section(console, TITLES[summary.group], summary.label, items, verbose)
    for group, items in by_group.items():  # groups without a summary line (code, runtime)
        _section(console, TITLES[group], "", items, verbose)
    console.print()
    if verbose and report.facts is not None:
        console.print("[bold]Facts[/]")
        console.print(escape(json.dumps(report.facts(), indent=2)), soft_wrap=True)
        console.print()
    if report.errors or report.warnings:
        console.print(
            f"[bold]{'[red]✗[/]' if report.errors else '[yellow]![/]'} Found {report.errors} "
            f"error{'s' * (report.errors != 1)} and {report.warnings} "
            f"warning{'s' * (report.warnings != 1)}.[/] Run the fix commands above, or "
            "[bold]tfdoctor fix[/] to plan all of them. Explain a rule: tfdoctor rules CODE"
        )
    else:
        console.print("[green]•[/] No issues found.")


def _section(console: Console, title: str, label: str, items: list[Finding], verbose: bool) -> None:
    worst = _worst(items)
    suffix = f" [dim]({escape(label)})[/]" if label else ""
    console.print(f"{MARKS[worst]} [bold]{escape(title)}[/]{suffix}")
    for f in items:
        console.print(f"    {BULLET[f.severity]} [bold]{f.code}[/] {escape(f.title)}")
        for line in f.evidence:
            if line:
                console.print(f"        [dim]{escape(line)}[/]", soft_wrap=True)
        if f.why and (verbose or f.severity is not Severity.INFO):
            console.print(f"        {escape(f.why)}", soft_wrap=True)
        for cmd in f.fix:
            console.print(f"        [cyan]$ {escape(cmd)}[/]", soft_wrap=True)
        if f.fix_note:
            console.print(f"        {escape(f.fix_note)}", soft_wrap=True)
