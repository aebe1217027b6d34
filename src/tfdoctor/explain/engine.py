"""explain: find the error lines in pasted text and rank the root causes they point to.

Ranking: each match scores its signature's confidence times the weight of the line it is on.
The exception that ended the program (the last one in the text, with the lines of its message)
weighs most; crash lines (SIGILL, segfault) as much; earlier, chained exceptions and tool errors
less; warnings and plain lines least. A generic signature (pip's "requires X, but you have Y") is
set aside on a line where a specific one matched. Matches are then merged by cause: one finding
per cause, with up to three giveaway lines, best first. Text with no match gives no finding:
explain never guesses a cause.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import BinaryIO

from tfdoctor.explain.facts import derive, render
from tfdoctor.explain.lines import LineKind
from tfdoctor.explain.reader import (
    CHUNK_BYTES,
    MAX_LINE,
    NotTextError,
    ReadStats,
    iter_blocks,
    newlines,
)
from tfdoctor.explain.rules import code_for
from tfdoctor.explain.scan import ErrorLine, Match, Scanner
from tfdoctor.explain.signatures import Signature, load_signatures
from tfdoctor.finding import Finding, Group

__all__ = ["ExplainResult", "NotTextError", "explain_stream", "explain_text"]

_WEIGHT = {
    LineKind.FATAL: 1.0,
    LineKind.EXCEPTION: 0.9,
    LineKind.TOOL_ERROR: 0.95,
    LineKind.WARNING: 0.85,
    LineKind.OTHER: 0.8,
    LineKind.INFO: 0.7,
}
_FINAL_WEIGHT = 1.0
_MAX_EVIDENCE = 3
_MAX_EVIDENCE_CHARS = 300
_LINES_PER_BLOCK = 4096


@dataclass(frozen=True)
class ExplainResult:
    findings: tuple[Finding, ...]  # one per cause, best first
    error_lines: tuple[ErrorLine, ...]  # the last error lines of the text, in order
    lines_read: int
    truncated_lines: int = 0

    @property
    def recognised(self) -> bool:
        return bool(self.findings)


def explain_text(
    text: str | Iterable[str], facts: Mapping[str, str] | None = None
) -> ExplainResult:
    """Explain a text (one string, or its lines)."""
    stats = ReadStats()
    blocks = _text_blocks([text] if isinstance(text, str) else text, stats)
    return _explain(blocks, stats, facts)


def explain_stream(
    stream: BinaryIO,
    facts: Mapping[str, str] | None = None,
    *,
    chunk_bytes: int = CHUNK_BYTES,
) -> ExplainResult:
    """Explain what a byte stream holds, reading ``chunk_bytes`` at a time (memory stays
    bounded whatever the size); raises NotTextError when it is not text."""
    stats = ReadStats()
    return _explain(iter_blocks(stream, stats, chunk_bytes=chunk_bytes), stats, facts)


def _text_blocks(pieces: Iterable[str], stats: ReadStats) -> Iterator[str]:
    batch: list[str] = []
    for piece in pieces:
        lines = newlines(piece).split("\n")
        if len(lines) > 1 and not lines[-1]:
            lines.pop()  # the text ended with a newline
        for line in lines:
            if len(line) > MAX_LINE:
                line = line[:MAX_LINE]
                stats.truncated_lines += 1
            batch.append(line)
            if len(batch) >= _LINES_PER_BLOCK:
                stats.lines += len(batch)
                yield "\n".join(batch) + "\n"
                batch = []
    if batch:
        stats.lines += len(batch)
        yield "\n".join(batch) + "\n"


def _explain(
    blocks: Iterable[str], stats: ReadStats, facts: Mapping[str, str] | None
) -> ExplainResult:
    scanner = Scanner(load_signatures())
    for block in blocks:
        scanner.feed(block)
    findings = _findings(scanner, facts)
    return ExplainResult(
        findings=tuple(findings),
        error_lines=tuple(scanner.error_lines),
        lines_read=stats.lines,
        truncated_lines=stats.truncated_lines,
    )


def _score(match: Match, last_exception: int | None) -> float:
    final = match.anchor is not None and match.anchor == last_exception
    if final:
        weight = _FINAL_WEIGHT
    elif match.anchor is not None:
        weight = _WEIGHT[LineKind.EXCEPTION]
    else:
        weight = _WEIGHT[match.kind]
    return match.signature.confidence * weight


@dataclass(frozen=True)
class _Scored:
    score: float
    match: Match
    count: int


def _findings(scanner: Scanner, facts: Mapping[str, str] | None) -> list[Finding]:
    scored: list[_Scored] = []
    for hits in scanner.hits.values():
        for match in hits.recent:
            scored.append(_Scored(_score(match, scanner.last_exception), match, hits.count))
    specific_lines = {s.match.line_no for s in scored if not s.match.signature.generic}
    scored = [
        s for s in scored if not (s.match.signature.generic and s.match.line_no in specific_lines)
    ]
    # best first; on a tie the later line (nearer the end of the text) wins
    scored.sort(key=lambda s: (-s.score, -s.match.line_no))
    by_cause: dict[str, list[_Scored]] = {}
    for item in scored:
        by_cause.setdefault(item.match.signature.cause, []).append(item)
    known = derive(facts)
    return [_finding(items, known, facts is not None) for items in by_cause.values()]


def _evidence(items: list[_Scored]) -> tuple[str, ...]:
    lines: list[str] = []
    seen: set[str] = set()
    for item in items:
        text = item.match.text
        if text in seen:
            continue
        seen.add(text)
        if len(text) > _MAX_EVIDENCE_CHARS:
            text = text[: _MAX_EVIDENCE_CHARS - 3] + "..."
        lines.append(f"line {item.match.line_no}: {text}")
        if len(lines) == _MAX_EVIDENCE:
            break
    return tuple(lines)


def _fix(signature: Signature, known: Mapping[str, str]) -> tuple[str, ...]:
    commands = (render(alternatives, known) for alternatives in signature.fix)
    return tuple(command for command in commands if command)


def _finding(items: list[_Scored], known: Mapping[str, str], have_facts: bool) -> Finding:
    best = items[0]
    signature = best.match.signature
    note = signature.fix_note
    if not have_facts and any(len(step) > 1 for step in signature.fix):
        extra = "Versions are not known from the text alone; `tfdoctor check` names the exact ones."
        note = f"{note} {extra}".strip()
    return Finding(
        code=code_for(signature.cause),
        cause=signature.cause,
        severity=signature.severity,
        title=signature.title,
        group=Group.RUNTIME,
        evidence=_evidence(items),
        why=signature.why,
        fix=_fix(signature, known),
        fix_note=note,
        confidence=round(best.score, 3),
        data=(
            ("signature", signature.id),
            ("line", str(best.match.line_no)),
            ("matches", str(sum({i.match.signature.id: i.count for i in items}.values()))),
            ("source", signature.source),
        ),
    )


def explain_bytes(data: bytes, facts: Mapping[str, str] | None = None) -> ExplainResult:
    """Explain raw bytes (convenience for callers that already hold the input)."""
    return explain_stream(io.BytesIO(data), facts)
