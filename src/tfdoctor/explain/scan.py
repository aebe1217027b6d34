"""Walk the text once, keep the error lines and the signature matches, in bounded memory.

Memory is bounded whatever the input: a window of the last ``WINDOW`` lines (the traceback that
a match's ``context`` is checked against), the last ``KEEP_ERROR_LINES`` error lines, and the last
``KEEP_PER_SIGNATURE`` matches of each signature with a count of all of them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from tfdoctor.explain.lines import LineKind, clean, has_trigger, is_frame, is_traceback_start
from tfdoctor.explain.signatures import Signature

WINDOW = 80
KEEP_ERROR_LINES = 50
KEEP_PER_SIGNATURE = 3
CONTINUATION_LINES = 8  # lines after an exception line that still belong to its message


@dataclass(frozen=True)
class ErrorLine:
    line_no: int
    text: str
    kind: LineKind


@dataclass(frozen=True)
class Match:
    signature: Signature
    line_no: int
    text: str
    kind: LineKind
    anchor: int | None  # the exception line this line is (part of) the message of


@dataclass
class SignatureHits:
    recent: deque[Match] = field(default_factory=lambda: deque(maxlen=KEEP_PER_SIGNATURE))
    count: int = 0


class Scanner:
    def __init__(self, signatures: Sequence[Signature]) -> None:
        self._signatures = signatures
        self._window: deque[str] = deque(maxlen=WINDOW)
        self._anchor: int | None = None
        self._anchor_age = 0
        self.line_no = 0
        self.last_exception: int | None = None
        self.error_lines: deque[ErrorLine] = deque(maxlen=KEEP_ERROR_LINES)
        self.hits: dict[str, SignatureHits] = {}

    def feed(self, block: str) -> None:
        """A block of whole lines, each ending with a newline."""
        if not has_trigger(block):
            parts = block.rsplit("\n", WINDOW + 1)
            self._window.extend(parts[-WINDOW - 1 : -1])
            count = block.count("\n")
            self.line_no += count
            self._anchor_age += count
            return
        for raw in block.split("\n")[:-1]:
            self._line(raw)

    def _line(self, raw: str) -> None:
        self.line_no += 1
        self._anchor_age += 1
        in_message = self._anchor is not None and self._anchor_age <= CONTINUATION_LINES
        if not in_message and not has_trigger(raw):
            self._window.append(raw)
            return
        line = clean(raw)
        if line.noise:
            self._window.append(raw)
            return
        if is_traceback_start(line.text) or is_frame(line.text):
            self._anchor = None
        anchor = None
        if line.kind is LineKind.EXCEPTION:
            self._anchor = anchor = self.last_exception = self.line_no
            self._anchor_age = 0
        elif self._anchor is not None and self._anchor_age <= CONTINUATION_LINES:
            anchor = self._anchor
        if line.kind in (LineKind.FATAL, LineKind.EXCEPTION, LineKind.TOOL_ERROR):
            self.error_lines.append(ErrorLine(self.line_no, line.text, line.kind))
        context: str | None = None
        for signature in self._signatures:
            if not signature.pattern.search(line.norm):
                continue
            if signature.context is not None:
                if context is None:
                    context = self._context_text(line.norm)
                if not signature.context.search(context):
                    continue
            hits = self.hits.setdefault(signature.id, SignatureHits())
            hits.count += 1
            hits.recent.append(Match(signature, self.line_no, line.text, line.kind, anchor))
        self._window.append(raw)

    def _context_text(self, current: str) -> str:
        """The lines before the current one back to the start of their traceback."""
        lines = [current]
        for raw in reversed(self._window):
            lines.append(clean(raw).norm)
            if is_traceback_start(raw):
                break
        lines.reverse()
        return "\n".join(lines)
