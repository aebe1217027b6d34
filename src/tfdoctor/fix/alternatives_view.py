"""The alternatives of a whole-environment solve, side by side: what moves (from which version to
which), what the user gives up, and how many requested packages change; ``--choose N`` applies
one, ``--yes`` the one that changes the fewest requested packages, a terminal asks."""

from __future__ import annotations

import sys
from typing import IO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tfdoctor.errors import UsageError
from tfdoctor.fix.plan import Plan

SHOWN_MOVES = 8  # per alternative; the rest is counted


def render(plan: Plan, stream: IO[str]) -> None:
    if len(plan.alternatives) < 2:
        return
    console = Console(file=stream, highlight=False, soft_wrap=False, width=max(100, _width()))
    table = Table(title="Alternatives (they differ in what moves)", title_justify="left")
    table.add_column("")
    for i, alt in enumerate(plan.alternatives, 1):
        mark = "  [green](this plan)[/]" if i - 1 == plan.chosen else ""
        table.add_column(f"{i}. {escape(alt.title)}{mark}", overflow="fold")
    table.add_row("TensorFlow", *(escape(a.tensorflow) for a in plan.alternatives))
    table.add_row("moves", *(_moves(a) for a in plan.alternatives))
    table.add_row("you give up", *(escape(a.gives_up) for a in plan.alternatives))
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
    lines = [escape(str(m)) for m in moves[:SHOWN_MOVES]]
    if len(moves) > SHOWN_MOVES:
        lines.append(f"... and {len(moves) - SHOWN_MOVES} more")
    return "\n".join(lines) or "nothing"


def ask(plan: Plan) -> int:
    """A terminal question: which alternative (1-based); Enter keeps the plan's."""
    count = len(plan.alternatives)
    answer = input(f"Which alternative? [1-{count}, Enter = {plan.chosen + 1}] ").strip()
    if not answer:
        return plan.chosen + 1
    if not answer.isdigit() or not 1 <= int(answer) <= count:
        raise UsageError(f"choose a number from 1 to {count}, not {answer!r}")
    return int(answer)


def check_choice(choice: int | None, plan: Plan) -> None:
    if choice is None:
        return
    count = len(plan.alternatives)
    if count == 0:
        raise UsageError(
            "--choose: this plan has no alternatives (the whole environment did not need solving)"
        )
    if not 1 <= choice <= count:
        raise UsageError(f"--choose {choice}: this plan has alternatives 1 to {count}")


def _width() -> int:
    try:
        import shutil

        return shutil.get_terminal_size((120, 24)).columns if sys.stdout.isatty() else 120
    except OSError:
        return 120
