"""No consistent set exists: which requested packages exclude each other, in plain words, and
what to drop or pin. Read from uv's resolver explanation (uv runs without colours)."""

from __future__ import annotations

import re

from tfdoctor.fix.requested import Requested
from tfdoctor.pep508 import canonical
from tfdoctor.resolve.conflict import explain

_YOU = re.compile(r"you require (.+?), we can conclude")
_PAIR = re.compile(r"we can conclude that (\S+) and (\S+) are incompatible")


def asked_in(message: str) -> list[str]:
    """The requirements of the set that uv names in its last step ("you require A and B")."""
    text = " ".join(message.split())
    found = _YOU.findall(text)
    if not found:
        return []
    parts = re.split(r",\s*|\s+and\s+", found[-1])
    return [p.strip() for p in parts if p.strip()]


def describe(
    message: str, requested: Requested, variant: str, tf_free: bool
) -> tuple[str, list[str]]:
    """(the conflict in one sentence, what to drop or pin)."""
    why = explain(message)
    asked = asked_in(message)
    origins = {canonical(_name(line)): origin for line, origin in requested.lines}
    named = [a for a in asked if canonical(_name(a)) != variant]
    tf = next((a for a in asked if canonical(_name(a)) == variant), "")
    if not asked:
        return f"uv found no consistent set: {why.sentence}", [
            "run `tfdoctor check` and repair the packages it names one at a time"
        ]
    who = [_who(a, requested, origins) for a in asked]
    sentence = f"{_join(who)} exclude each other"
    if len(asked) == 1:
        sentence = f"{who[0]} cannot be installed"
    sentence += f": {why.sentence}" if why.kind != "other" else f" ({why.sentence})"
    advice = []
    for req in named:
        name = canonical(_name(req))
        where = f" from {origins[name]}" if name in origins else ""
        keep = f"{variant} {tf.partition('==')[2]}" if tf else "the rest"
        advice.append(f"drop {req}{where}, or pin {name} to a release that works with {keep}")
    if tf and not tf_free:
        advice.append(
            f"or let TensorFlow move: tfdoctor fix --latest (keeps {', '.join(named) or 'them'})"
        )
    return sentence, advice


def _who(requirement: str, requested: Requested, origins: dict[str, str]) -> str:
    name = canonical(_name(requirement))
    if name in origins:
        return f"{requirement} ({origins[name]})"
    if name in requested.names:
        return f"{requirement} ({requested.names[name]})"
    return f"{requirement} (kept by this fix)"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _name(requirement: str) -> str:
    for i, ch in enumerate(requirement):
        if not (ch.isalnum() or ch in "-_."):
            return requirement[:i]
    return requirement
