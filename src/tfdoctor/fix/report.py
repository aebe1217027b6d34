"""Terminal output of ``fix``: the plan (each step, its reason and its commands), then the result."""

from __future__ import annotations

from typing import IO, Any

from rich.console import Console
from rich.markup import escape as _markup_escape

from tfdoctor.fix.alternatives_view import render as render_alternatives
from tfdoctor.fix.plan import Plan
from tfdoctor.printable import clean


def escape(text: str) -> str:
    """Rich markup escaped, and no control character from the target."""
    from tfdoctor.redact import credentials

    return _markup_escape(clean(credentials(text)))


KIND_MARK = {
    "uninstall": "[red]-[/]",
    "install": "[green]+[/]",
    "reinstall": "[green]↻[/]",
    "move": "[yellow]→[/]",
    "rename": "[yellow]→[/]",
    "setenv": "[blue]$[/]",
    "manual": "[yellow]![/]",
}
STATUS = {
    "verified": "[green]✓[/]",
    "nothing-to-do": "[green]✓[/]",
    "planned": "[blue]•[/]",
    "rolled-back": "[red]✗[/]",
    "failed": "[red]✗[/]",
    "unresolved": "[red]✗[/]",
    "cancelled": "[yellow]![/]",
}


def render_plan(plan: Plan, stream: IO[str]) -> None:
    console = Console(file=stream, highlight=False, soft_wrap=True)
    console.print(f"[bold]tfdoctor[/] fix · {escape(plan.prefix)}")
    console.print(f"  intent: {escape(plan.describe_intent())}")
    console.print(f"  TensorFlow: {escape(plan.tensorflow)} · {escape(_who_installs(plan))}")
    console.print()
    if not plan.steps:
        console.print("  nothing to change")
    for i, step in enumerate(plan.steps, 1):
        why = ", ".join(step.reason_codes) or "-"
        shown = escape(", ".join(step.targets))
        console.print(
            f"  {i}. {KIND_MARK[step.kind]} [bold]{step.kind}[/] {shown}  [dim]({why})[/]"
        )
        if step.note:
            console.print(f"     [dim]{escape(step.note)}[/]")
        for cmd in step.commands:
            console.print(f"     [cyan]{escape(cmd)}[/]")
    for note in plan.notes:
        console.print(f"  [blue]•[/] {escape(note)}")
    if plan.options:
        console.print("\n  Other choices:")
        for opt in plan.options:
            console.print(f"    [bold]{escape(opt.flag)}[/]: {escape(opt.effect)}")
    for why in plan.unresolved:
        console.print(f"  [red]cannot resolve:[/] {escape(why)}")
    console.print()
    render_alternatives(plan, stream)


def _who_installs(plan: Plan) -> str:
    if not plan.tool:
        return "no resolver or installer found"
    if plan.tool == plan.installer:
        return f"versions chosen and installed by {plan.tool}"
    return (
        f"versions chosen and installed by {plan.tool}; the commands shown are what "
        f"{plan.installer}, this environment's installer, would run"
    )


def render_result(result: dict[str, Any], stream: IO[str], succeeded: bool | None = None) -> None:
    """``succeeded`` overrides the mark of the status (a rollback asked for is a success)."""
    console = Console(file=stream, highlight=False, soft_wrap=True)
    status = str(result.get("status", ""))
    mark = STATUS.get(status, "•")
    if succeeded is not None:
        mark = "[green]✓[/]" if succeeded else "[red]✗[/]"
    console.print(f"{mark} {status}: {escape(str(result.get('message', '')))}")
    verification = result.get("verification") or {}
    for line in verification.get("errors", []):
        console.print(f"  remaining: {escape(str(line))}")
    for note in result.get("notes") or []:
        console.print(f"  [blue]•[/] {escape(str(note))}")
