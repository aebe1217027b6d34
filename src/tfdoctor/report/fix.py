"""Terminal output of ``fix``: the plan (each step, its reason and its commands), the
alternatives of a whole-environment solve side by side (what moves, from which version to which,
what the user gives up, how many requested packages change), then the result."""

from __future__ import annotations

import sys
from typing import IO, TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape as _markup_escape
from rich.table import Table

from tfdoctor.printable import clean

if TYPE_CHECKING:
    from tfdoctor.fix.plan import Plan

SHOWN_MOVES = 8  # per alternative; the rest is counted


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


def render_alternatives(plan: Plan, stream: IO[str]) -> None:
    if len(plan.alternatives) < 2:
        return
    console = Console(file=stream, highlight=False, soft_wrap=False, width=max(100, _width()))
    table = Table(title="Alternatives (they differ in what moves)", title_justify="left")
    table.add_column("")
    for i, alt in enumerate(plan.alternatives, 1):
        mark = "  [green](this plan)[/]" if i - 1 == plan.chosen else ""
        table.add_column(f"{i}. {_markup_escape(alt.title)}{mark}", overflow="fold")
    table.add_row("TensorFlow", *(_markup_escape(a.tensorflow) for a in plan.alternatives))
    table.add_row("moves", *(_moves(a) for a in plan.alternatives))
    table.add_row("you give up", *(_markup_escape(a.gives_up) for a in plan.alternatives))
    table.add_row(
        "requested packages changed",
        *(
            f"{len(a.requested_moved)}"
            + (f" ({', '.join(a.requested_moved)})" if a.requested_moved else "")
            for a in plan.alternatives
        ),
    )
    console.print(table)
    console.print(
        f"  this plan follows alternative {plan.chosen + 1}; `--choose N` applies another "
        "(`--yes` alone takes the one that changes the fewest requested packages)"
    )
    console.print()


def _moves(alt: object) -> str:
    moves = list(getattr(alt, "moves", ()))
    wanted = set(getattr(alt, "requested_moved", ()))
    moves.sort(key=lambda m: (m.name not in wanted, m.name))
    lines = [_markup_escape(str(m)) for m in moves[:SHOWN_MOVES]]
    if len(moves) > SHOWN_MOVES:
        lines.append(f"... and {len(moves) - SHOWN_MOVES} more")
    return "\n".join(lines) or "nothing"


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


def _width() -> int:
    try:
        import shutil

        return shutil.get_terminal_size((120, 24)).columns if sys.stdout.isatty() else 120
    except OSError:
        return 120
