"""The error signatures: data in tfdoctor/kb/data/signatures.json, loaded and checked once.

Each entry names one known failure: the regular expression that finds its error line, an optional
``context`` expression that the lines before it (back to the start of its traceback) must match,
the root cause, how sure a match makes us, why it happens, the fix as command templates, the public
source that explains it, and a verbatim real message (``example``) with where it comes from.

The file is read with importlib.resources from the ``tfdoctor`` package; this module does not
import ``tfdoctor.kb`` so that explain works on its own.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

from tfdoctor.causes import check_cause
from tfdoctor.explain.facts import KNOWN_PLACEHOLDERS, placeholders_of
from tfdoctor.finding import Severity

DATA_PARTS: tuple[str, ...] = ("kb", "data", "signatures.json")


@dataclass(frozen=True)
class Signature:
    id: str
    cause: str
    title: str
    pattern: re.Pattern[str]
    context: re.Pattern[str] | None
    confidence: float
    severity: Severity
    generic: bool  # set aside when a more specific signature matched the same line
    why: str
    fix: tuple[tuple[str, ...], ...]  # each step: alternatives, the first fully known is used
    fix_note: str
    source: str
    example: str
    example_source: str


def _compile(entry_id: str, field: str, text: str) -> re.Pattern[str]:
    try:
        return re.compile(text)
    except re.error as exc:
        raise ValueError(f"signature {entry_id}: bad {field} regex: {exc}") from exc


def _fix_steps(entry_id: str, raw: list[Any]) -> tuple[tuple[str, ...], ...]:
    steps: list[tuple[str, ...]] = []
    for step in raw:
        alternatives = (step,) if isinstance(step, str) else tuple(step)
        unknown = placeholders_of(alternatives) - KNOWN_PLACEHOLDERS
        if unknown:
            raise ValueError(f"signature {entry_id}: unknown placeholders {sorted(unknown)}")
        if placeholders_of(alternatives[-1:]) - {"pip"}:
            raise ValueError(
                f"signature {entry_id}: the last alternative of a fix must need no facts"
            )
        steps.append(alternatives)
    return tuple(steps)


def parse_signature(entry: dict[str, Any]) -> Signature:
    entry_id = str(entry["id"])
    confidence = float(entry["confidence"])
    if not 0.0 < confidence <= 1.0:
        raise ValueError(f"signature {entry_id}: confidence {confidence} outside (0, 1]")
    for field in ("source", "example", "example_source", "why"):
        if not entry.get(field):
            raise ValueError(f"signature {entry_id}: {field} is empty")
    context = entry.get("context")
    return Signature(
        id=entry_id,
        cause=check_cause(str(entry["cause"])),
        title=str(entry["title"]),
        pattern=_compile(entry_id, "pattern", str(entry["pattern"])),
        context=_compile(entry_id, "context", str(context)) if context else None,
        confidence=confidence,
        severity=Severity(entry.get("severity", "error")),
        generic=bool(entry.get("generic", False)),
        why=str(entry["why"]),
        fix=_fix_steps(entry_id, list(entry.get("fix", []))),
        fix_note=str(entry.get("fix_note", "")),
        source=str(entry["source"]),
        example=str(entry["example"]),
        example_source=str(entry["example_source"]),
    )


def read_data() -> dict[str, Any]:
    path = resources.files("tfdoctor")
    for part in DATA_PARTS:
        path = path.joinpath(part)
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@functools.lru_cache(maxsize=1)
def load_signatures() -> tuple[Signature, ...]:
    signatures = tuple(parse_signature(entry) for entry in read_data()["signatures"])
    ids = [signature.id for signature in signatures]
    if len(ids) != len(set(ids)):
        raise ValueError("signatures.json: duplicate signature ids")
    return signatures
