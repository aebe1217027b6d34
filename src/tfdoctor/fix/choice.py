"""Which alternative of a whole-environment solve to apply: ``--choose N`` names one, ``--yes``
takes the one that changes the fewest requested packages, a terminal asks (the alternatives are
shown side by side by report/fix.py)."""

from __future__ import annotations

from tfdoctor.errors import UsageError
from tfdoctor.fix.plan import Plan


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
