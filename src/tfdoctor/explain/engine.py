"""explain: find the error lines in pasted text and rank the root causes they point to.

Ranking: each match scores its detector's confidence (how often its cause was right on the
corpus's training part) times the weight of the line it is on. The first and the last exception
of the text (an exception chain is read whole: the error that started it and the one that ended
the program both count) and crash lines weigh most; other exceptions and tool errors a little
less; warnings and plain lines least; what the versions stated in the text show, as much as a
plain line. A generic detector (pip's "requires X, but you have Y" for a package no more specific
cause covers, pip's ResolutionImpossible) is a fallback: it is set aside when a specific one
matched anywhere in the text, and a warning (a CUDA library TensorFlow could not load) beside a traceback
it is not part of is set aside too: the traceback is the failure. Matches are merged by cause:
one finding per cause, with up to three giveaway lines, best first. A cause whose confidence is
below one half (more often wrong than right) is not reported, and the best two causes within
``UNCERTAIN_RATIO`` of each other make the diagnosis "uncertain". Text with no match gives no
finding: explain never guesses a cause.
"""

from __future__ import annotations

import io
import shlex
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import BinaryIO

from tfdoctor.explain import knowledge
from tfdoctor.explain.facts import derive, render
from tfdoctor.explain.frames import SitePath, interpreter_of
from tfdoctor.explain.lines import LineKind
from tfdoctor.explain.reader import (
    CHUNK_BYTES,
    MAX_LINE,
    NotTextError,
    ReadStats,
    iter_blocks,
    line_cap,
    newlines,
)
from tfdoctor.explain.rules import code_for
from tfdoctor.explain.scan import ErrorLine, Match, Scanner
from tfdoctor.explain.signatures import Detector, Detectors, load_detectors
from tfdoctor.explain.versions import version_hits
from tfdoctor.finding import Finding, Group, Severity

__all__ = ["ExplainResult", "NotTextError", "explain_stream", "explain_text"]

_WEIGHT = {
    LineKind.FATAL: 1.0,
    LineKind.EXCEPTION: 0.9,
    LineKind.TOOL_ERROR: 0.95,
    LineKind.WARNING: 0.85,
    LineKind.OTHER: 0.8,
    LineKind.INFO: 0.7,
}
_EDGE_WEIGHT = 1.0  # the first and the last exception of the text
_VERSIONS_WEIGHT = _WEIGHT[LineKind.OTHER]
MIN_CONFIDENCE = 0.5
_TWO_TENSORFLOWS = "versions-two-tensorflows"
# families of a requirement not met (resolver.py's, versions.py's): ids start with these
_REQUIREMENT_FAMILIES = (
    "resolver-",
    "request-",
    "versions-keras",
    "versions-tf-keras",
    "versions-numpy",
    "versions-protobuf",
)
UNCERTAIN_RATIO = 0.9
# An ambiguity named in signatures.json stands until the training split refutes it: a detector
# that fired on at least this many training texts and named their cause on at least this share
# of them is not made uncertain by the other causes its message can have.
SETTLED_TEXTS = 5
SETTLED_SHARE = 0.82
_MAX_EVIDENCE = 3
_MAX_EVIDENCE_CHARS = 300
_LINES_PER_BLOCK = 4096
SMALL_INPUT = 1 << 20  # an input up to this many characters is looked at line by line, whole
CHECK = "tfdoctor check"


@dataclass(frozen=True)
class Candidate:
    """One detector's best match in the ranking: its score is its confidence times weight."""

    detector: str
    cause: str
    weight: float


@dataclass(frozen=True)
class ExplainResult:
    findings: tuple[Finding, ...]  # one per cause, best first
    error_lines: tuple[ErrorLine, ...]  # the last error lines of the text, in order
    lines_read: int
    truncated_lines: int = 0
    uncertain: bool = False  # the text alone does not settle the cause (see judge)
    uncertain_reason: str = ""  # why, "" when certain
    alternatives: tuple[str, ...] = ()  # the other causes it may be, when uncertain
    environment: str = ""  # the environment the text's paths show (for --python), "" unknown
    environment_file: str = ""  # a file of that environment the text names (to find it here)
    next_step: str = f"{CHECK} --deep"  # the command that confirms the diagnosis
    detectors: tuple[str, ...] = ()  # every detector that took part in the ranking
    candidates: tuple[Candidate, ...] = ()  # what was ranked, for measuring (bench/)
    # versions the text states of the stack ("numpy" -> "2.1.3"), to set against an environment
    stated: tuple[tuple[str, str], ...] = ()

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


def explain_bytes(data: bytes, facts: Mapping[str, str] | None = None) -> ExplainResult:
    """Explain raw bytes (convenience for callers that already hold the input)."""
    return explain_stream(io.BytesIO(data), facts)


def _text_blocks(pieces: Iterable[str], stats: ReadStats) -> Iterator[str]:
    batch: list[str] = []
    for piece in pieces:
        lines = newlines(piece).split("\n")
        if len(lines) > 1 and not lines[-1]:
            lines.pop()  # the text ended with a newline
        for line in lines:
            if len(line) > MAX_LINE and len(line) > line_cap(line):
                line = line[: line_cap(line)]
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
    detectors = load_detectors()
    iterator = iter(blocks)
    head: list[str] = []
    size = 0
    for block in iterator:  # the start of the input, up to SMALL_INPUT characters
        head.append(block)
        size += len(block)
        if size > SMALL_INPUT:
            break
    scanner = Scanner(detectors, every_line=size <= SMALL_INPUT)
    for block in head:
        scanner.feed(block)
    for block in iterator:
        scanner.feed(block)
    scanner.finish()
    environment, environment_file = _environment(scanner)
    ranked = _ranked(scanner, detectors)
    findings = _findings(ranked, facts, _next_step(environment))
    verdict = judge(findings, ranked)
    if verdict.uncertain:
        findings[0] = findings[0]._replace(data=(*findings[0].data, ("uncertain", "true")))
    return ExplainResult(
        findings=tuple(findings),
        error_lines=tuple(scanner.error_lines),
        lines_read=stats.lines,
        truncated_lines=stats.truncated_lines,
        uncertain=verdict.uncertain,
        uncertain_reason=verdict.reason,
        alternatives=verdict.alternatives,
        environment=environment,
        environment_file=environment_file,
        next_step=_next_step(environment) if findings else f"{_next_step(environment)} --deep",
        detectors=tuple(sorted({s.match.detector.id for s in ranked})),
        candidates=_candidates(ranked),
        stated=tuple(sorted(scanner.versions.versions().items())),
    )


@dataclass(frozen=True)
class Verdict:
    uncertain: bool
    reason: str = ""
    alternatives: tuple[str, ...] = ()  # causes, best first; "none": not an environment fault


def judge(findings: list[Finding], ranked: list[_Scored]) -> Verdict:
    """Whether the text settles its first cause. Uncertain when the two best causes are close
    (within ``UNCERTAIN_RATIO``), or when the first rests only on a message that the data says
    is also established as other causes (``ambiguous_with`` in signatures.json) and no other
    detector of the same cause corroborates it."""
    if not findings:
        return Verdict(False)
    first = findings[0]
    others = tuple(f.cause for f in findings[1:])
    if others and (findings[1].confidence or 0) >= UNCERTAIN_RATIO * (first.confidence or 0):
        reason = f"{first.cause} and {others[0]} are about as likely from the text alone"
        return Verdict(True, reason, others)
    top = next((s.match.detector for s in ranked if s.match.detector.cause == first.cause), None)
    if top is None or not top.ambiguous_with or settled(top):
        return Verdict(False)
    corroborated = any(
        s.match.detector.cause == first.cause
        and s.match.detector.id != top.id
        and not s.match.detector.ambiguous_with
        for s in ranked
    )
    if corroborated:
        return Verdict(False)
    alternatives = tuple(dict.fromkeys((*top.ambiguous_with, *others)))
    return Verdict(True, top.ambiguous_why, alternatives)


def settled(detector: Detector) -> bool:
    measured = detector.measured
    return measured.texts >= SETTLED_TEXTS and measured.right >= SETTLED_SHARE * measured.texts


def _candidates(ranked: list[_Scored]) -> tuple[Candidate, ...]:
    best: dict[str, Candidate] = {}
    for item in ranked:
        detector = item.match.detector
        weight = item.score / detector.confidence
        if detector.id not in best or weight > best[detector.id].weight:
            best[detector.id] = Candidate(detector.id, detector.cause, weight)
    return tuple(best.values())


# ----- ranking -------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Scored:
    score: float
    match: Match
    count: int


def _weight(match: Match, scanner: Scanner) -> float:
    if match.anchor is not None and match.anchor in (
        scanner.first_exception,
        scanner.last_exception,
    ):
        return _EDGE_WEIGHT
    if match.anchor is not None:
        return _WEIGHT[LineKind.EXCEPTION]
    return _WEIGHT[match.kind]


def _ranked(scanner: Scanner, detectors: Detectors) -> list[_Scored]:
    stated = scanner.versions.versions()
    scored = [
        _Scored(hits.recent[-1].detector.confidence * _weight(m, scanner), m, hits.count)
        for hits in scanner.hits.values()
        for m in hits.recent
        # an API change that the versions stated in the whole text (after the message too) rule
        # out: the installed release has the name, so the code is not what is out of date
        if m.breaks is None or knowledge.breaks_stated(*m.breaks, stated)
    ]
    for hit in version_hits(
        scanner.versions, scanner.versions.versions().get("python") or scanner.python
    ):
        detector = detectors.family(hit.family)
        last = max(hit.lines, key=lambda s: s.line_no)
        match = Match(detector, last.line_no, last.text, LineKind.OTHER, None, hit.detail)
        scored.append(_Scored(detector.confidence * _VERSIONS_WEIGHT, match, 1))
    if any(s.match.detector.id == _TWO_TENSORFLOWS for s in scored):
        # two TensorFlow distributions pin different releases of everything they need: pip's
        # complaints about those requirements are symptoms of the duplicate, not causes of their own
        scored = [s for s in scored if not s.match.detector.id.startswith(_REQUIREMENT_FAMILIES)]
    # where something failed (a traceback, an exception, a message of an error), a warning logged
    # on the way (TensorFlow's "Could not load dynamic library 'cudart64_110.dll'" on a machine
    # without a GPU) is not what went wrong
    failed = (
        scanner.tracebacks > 0
        or scanner.last_exception is not None
        or any(s.match.detector.severity is Severity.ERROR for s in scored)
    )
    scored = [
        s
        for s in scored
        if not (
            failed
            and s.match.detector.severity is Severity.WARNING
            # a line after an exception is read as part of its message, but a warning is a
            # line of its own: logged after the traceback, it is no part of what failed
            and (s.match.anchor is None or s.match.kind is not LineKind.EXCEPTION)
            and s.match.kind is not LineKind.FATAL
        )
    ]
    # after the warnings are set aside: a warning that does not count sets no fallback aside,
    # and neither does a detector too seldom right to be reported (confidence below the bar)
    if any(not s.match.generic and s.match.detector.confidence >= MIN_CONFIDENCE for s in scored):
        scored = [s for s in scored if not s.match.generic]
    # best first; on a tie the later line (nearer the end of the text) wins
    scored.sort(key=lambda s: (-s.score, -s.match.line_no))
    return scored


def _findings(
    scored: list[_Scored], facts: Mapping[str, str] | None, next_step: str
) -> list[Finding]:
    by_cause: dict[str, list[_Scored]] = {}
    for item in scored:
        if item.match.detector.confidence < MIN_CONFIDENCE:
            continue
        by_cause.setdefault(item.match.detector.cause, []).append(item)
    known = derive(facts)
    return [_finding(items, known, facts is not None, next_step) for items in by_cause.values()]


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


def _fix(detector: Detector, known: Mapping[str, str]) -> tuple[str, ...]:
    commands = (render(alternatives, known) for alternatives in detector.fix)
    return tuple(command for command in commands if command)


# detectors of one cause scoring within this share of the best are measured alike
_ALIKE = 0.98


def _root_of(items: list[_Scored]) -> _Scored:
    """The item that explains a cause: the best scored, unless another detector of the same
    cause, measured alike (within ``_ALIKE``), matched an earlier line: the first message of a
    chain is nearer its root (NumPy 2 refused by a module built for NumPy 1, before numpy.core
    fails to import). The order of causes is not changed by this."""
    top = items[0].score
    alike = [item for item in items if item.score >= _ALIKE * top]
    return min(alike, key=lambda item: item.match.line_no)


def _finding(
    items: list[_Scored], known: Mapping[str, str], have_facts: bool, next_step: str
) -> Finding:
    best = _root_of(items)
    detector = best.match.detector
    note = detector.fix_note
    if not have_facts and any(len(step) > 1 for step in detector.fix):
        extra = "Versions are not known from the text alone; `tfdoctor check` names the exact ones."
        note = f"{note} {extra}".strip()
    why = detector.why
    if best.match.detail:
        why = f"{why} Here: {best.match.detail}."
    return Finding(
        code=code_for(detector.cause),
        cause=detector.cause,
        severity=detector.severity,
        title=detector.title,
        group=Group.RUNTIME,
        evidence=_evidence(items),
        why=why,
        fix=_fix(detector, known),
        fix_note=note,
        confidence=round(items[0].score, 3),  # the cause's best score, whichever explains it
        data=(
            ("signature", detector.id),
            ("line", str(best.match.line_no)),
            ("matches", str(sum({i.match.detector.id: i.count for i in items}.values()))),
            ("source", detector.source),
            ("next", next_step),
        ),
    )


# ----- the environment the text came from ------------------------------------------------------
def _environment(scanner: Scanner) -> tuple[str, str]:
    """The environment folder (or system interpreter) most of the text's frames ran in, and one
    file of it that the text names."""
    if not scanner.environments:
        return "", ""
    prefix = max(scanner.environments, key=lambda p: scanner.environments[p])
    file = scanner.environment_files.get(prefix, "")
    kind = "dist" if "/dist-packages/" in file else "site"
    found = interpreter_of(SitePath(prefix, scanner.python, kind, "", "")) or ""
    return found, file if found else ""


def refill(result: ExplainResult, facts: Mapping[str, str]) -> ExplainResult:
    """The result with its fix commands written for a known environment (its versions and
    installer), as if ``facts`` had been given when the text was read."""
    detectors = load_detectors()
    by_id: dict[str, Detector] = {s.id: s for s in detectors.signatures}
    by_id.update(detectors.families)
    known = derive(facts)
    findings = []
    for finding in result.findings:
        detector = by_id.get(dict(finding.data).get("signature", ""))
        if detector is not None:
            note = detector.fix_note
            finding = finding._replace(fix=_fix(detector, known), fix_note=note)
        findings.append(finding)
    return replace(result, findings=tuple(findings))


def quote(path: str) -> str | None:
    """``path`` quoted for the shell it came from, None when no quoting makes it safe."""
    if any(ord(c) < 32 or c == "\x7f" for c in path):
        return None
    if len(path) > 2 and path[1] == ":" and path[2] == "\\":  # a Windows path: cmd/PowerShell
        safe = all(c.isalnum() or c in " _.-\\:()~+" for c in path)
        if not safe:
            return None
        # PowerShell ends a bare word at a parenthesis and runs what (...) holds: C:\env(calc)
        return f'"{path}"' if any(c in path for c in " ()") else path
    if path.startswith("~/"):
        rest = path[2:]
        return "~/" + shlex.quote(rest) if rest else "~"
    return shlex.quote(path)


def _next_step(environment: str) -> str:
    quoted = quote(environment) if environment else None
    return f"{CHECK} --python {quoted}" if quoted else CHECK
