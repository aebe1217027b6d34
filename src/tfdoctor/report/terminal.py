"""Terminal output in the style of ``flutter doctor``: a mark per section, then what to do."""

from __future__ import annotations

import json
import textwrap
from typing import IO, Any

from rich.console import Console
from rich.markup import escape
from rich.text import Text

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
        if not items and not summary.present:
            console.print(
                f"[dim][-] {escape(TITLES[summary.group])} ({escape(summary.label)})[/]",
                soft_wrap=True,
            )
            continue
        _section(console, TITLES[summary.group], summary.label, items, verbose)
    deep = report.extra.get("deep")
    runtime = by_group.pop(Group.RUNTIME, [])
    if deep is not None:
        _deep_section(console, deep, runtime, verbose)
    elif runtime:
        _section(console, TITLES[Group.RUNTIME], "", runtime, verbose)
    for group, items in by_group.items():  # groups without a summary line (code)
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
            "[bold]tfdoctor fix[/] to plan all of them. Explain a rule: tfdoctor rules CODE",
            soft_wrap=True,
        )
    else:
        console.print("[green]•[/] No issues found.")


def _section(console: Console, title: str, label: str, items: list[Finding], verbose: bool) -> None:
    worst = _worst(items)
    suffix = f" [dim]({escape(label)})[/]" if label else ""
    console.print(f"{MARKS[worst]} [bold]{escape(title)}[/]{suffix}", soft_wrap=True)
    for f in items:
        _finding(console, f, verbose)


def _finding(console: Console, f: Finding, verbose: bool) -> None:
    mark = BULLET[f.severity]
    _indent(console, f"{f.code} {f.title}", 4, first=f"{mark} ", style="bold")
    for line in f.evidence:
        if line:
            _indent(console, line, 8, first="• ", style="dim")
    if f.why and (verbose or f.severity is not Severity.INFO):
        _indent(console, f"Why: {f.why}", 8)
    for cmd in f.fix:
        # Commands are never wrapped, so that they can be copied whole.
        console.print(f"        [cyan]$ {escape(cmd)}[/]", soft_wrap=True)
    if f.fix_note:
        _indent(console, f.fix_note, 8)


def _deep_section(
    console: Console, deep: dict[str, Any], items: list[Finding], verbose: bool
) -> None:
    steps = deep.get("steps", [])
    failed = [s for s in steps if s.get("status") != "ok"]
    broken = bool(failed or deep.get("timed_out") or deep.get("crashed"))
    total = len(steps) + (1 if deep.get("unfinished") else 0)
    label = (
        f"{len(steps) - len(failed)} of {total} steps passed in {deep.get('wall_seconds', 0):.1f} s"
    )
    mark = MARKS[Severity.ERROR] if broken or items else MARKS[None]
    console.print(f"{mark} [bold]Runtime (--deep)[/] [dim]({escape(label)})[/]", soft_wrap=True)
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
        mark = "[green]✓[/]" if ok else "[red]✗[/]"
        console.print(
            f"    {mark} {escape(str(s.get('step')))} [dim]{s.get('seconds', 0):.1f} s{escape(extra)}[/]",
            soft_wrap=True,
        )
    if deep.get("timed_out"):
        console.print(
            f"    [red]✗[/] {escape(str(deep.get('unfinished') or 'the run'))}: time limit reached"
        )
    elif deep.get("crashed"):
        console.print(f"    [red]✗[/] interpreter {escape(str(deep.get('crashed')))}")
    for f in items:
        _finding(console, f, verbose)


def _indent(console: Console, text: str, width: int, first: str = "", style: str = "") -> None:
    """Print plain text wrapped to the terminal, every line indented (no trailing blanks)."""
    room = max(console.width - width - 2, 40)
    lines = textwrap.wrap(text, room, break_on_hyphens=False, break_long_words=False) or [""]
    for i, line in enumerate(lines):
        lead = first if i == 0 else " " * len(Text.from_markup(first).plain)
        body = f"[{style}]{escape(line)}[/]" if style else escape(line)
        console.print(" " * width + lead + body, soft_wrap=True)
