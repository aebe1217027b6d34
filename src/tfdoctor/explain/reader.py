"""Read pasted text from a byte stream in bounded memory.

The input is decoded chunk by chunk and handed on as blocks of whole lines. Lines end at ``\n``,
``\r\n`` or a lone ``\r`` (universal newlines, as Python's text mode reads them): progress output
and old Mac files separate lines with ``\r`` only, and an error after such output is a line of its
own. A line longer than
``max_line`` characters (a progress bar redrawn with ``\\r`` for a whole epoch, a base64 blob)
keeps its first ``max_line`` characters; the rest is skipped without being stored, so a 500 MB
file, or one without a single newline, never needs more than about one chunk of memory. A line
that holds escaped text with line breaks (a JSON log record with a whole traceback in it, see
:func:`tfdoctor.explain.lines.escaped_lines`) keeps up to ``ESCAPED_LINE_FACTOR`` times as much:
its error comes at the end.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

CHUNK_BYTES = 1 << 20
MAX_LINE = 4096
ESCAPED_LINE_FACTOR = 16
_SNIFF_BYTES = 8192
# Control bytes that do not occur in text, even in logs with colours and progress bars.
_BINARY_BYTES = frozenset(range(0x00, 0x08)) | frozenset(range(0x0E, 0x1B))


class NotTextError(ValueError):
    """The input is not text (an archive, an image, a compiled file...)."""


@dataclass
class ReadStats:
    lines: int = 0
    truncated_lines: int = 0
    encoding: str = "utf-8"


def _sniff(head: bytes) -> str:
    """The encoding of the input, or NotTextError when it is binary."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # PowerShell's `>` redirection writes UTF-16 with a BOM
    sample = head[:_SNIFF_BYTES]
    if b"\x00" in sample:
        utf16 = _utf16_without_bom(sample)
        if utf16:
            return utf16
        raise NotTextError("the input contains NUL bytes")
    if sample:
        odd = sum(1 for byte in sample if byte in _BINARY_BYTES)
        if odd / len(sample) > 0.05:
            raise NotTextError("the input is mostly control bytes")
    return "utf-8"


def _utf16_without_bom(sample: bytes) -> str:
    """ "utf-16-le"/"utf-16-be" for mostly-ASCII text written as UTF-16 without a BOM (some
    Windows tools do): every other byte is NUL, all on the same side; "" for anything else."""
    pairs = len(sample) // 2
    if pairs < 8:
        return ""
    high = sum(1 for i in range(1, 2 * pairs, 2) if sample[i] == 0)
    low = sum(1 for i in range(0, 2 * pairs, 2) if sample[i] == 0)
    if high >= 0.9 * pairs and low <= pairs // 50:
        return "utf-16-le"
    if low >= 0.9 * pairs and high <= pairs // 50:
        return "utf-16-be"
    return ""


def iter_blocks(
    stream: BinaryIO,
    stats: ReadStats,
    *,
    chunk_bytes: int = CHUNK_BYTES,
    max_line: int = MAX_LINE,
) -> Iterator[str]:
    """Blocks of whole lines, each ending with a newline, line ends normalised to ``\\n``."""
    head = stream.read(max(chunk_bytes, _SNIFF_BYTES))  # whatever the chunk, one sniff
    stats.encoding = _sniff(head)
    decoder = codecs.getincrementaldecoder(stats.encoding)(errors="replace")
    pending = ""  # the start of a line whose end has not been read yet (at most max_line)
    skipping = False  # that line was cut: drop what follows up to its newline
    held_cr = False  # the last chunk ended with \r: it may be the first half of \r\n
    data = head
    while True:
        final = not data
        text = decoder.decode(data, final=final)
        if held_cr:
            text = "\r" + text
        held_cr = not final and text.endswith("\r")
        if held_cr:
            text = text[:-1]
        text = newlines(text)
        newline = text.find("\n")
        if newline < 0:
            if not skipping:
                pending += text
        else:
            last = text.rfind("\n")
            first_end = text[:newline] if not skipping else ""
            block = pending + first_end + text[newline : last + 1]
            pending, skipping = "", False
            yield from _capped(block, max_line, stats)
            pending = text[last + 1 :]
        if not skipping and len(pending) > max_line and len(pending) > line_cap(pending, max_line):
            pending = pending[: line_cap(pending, max_line)]
            skipping = True
            stats.truncated_lines += 1
        if final:
            break
        data = stream.read(chunk_bytes)
    if pending:
        stats.lines += 1
        yield pending + "\n"


def line_cap(line: str, max_line: int = MAX_LINE) -> int:
    """How much of a line is kept: ``max_line`` characters, or ``ESCAPED_LINE_FACTOR`` times as
    many for a line that starts as escaped text with line breaks does (decided on its first
    ``max_line`` characters, the same for a line read whole and one read in pieces)."""
    from tfdoctor.explain.lines import looks_escaped

    return max_line * ESCAPED_LINE_FACTOR if looks_escaped(line[:max_line]) else max_line


def newlines(text: str) -> str:
    """``\r\n`` and lone ``\r`` turned into ``\n``."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _capped(block: str, max_line: int, stats: ReadStats) -> Iterator[str]:
    lines = block.split("\n")
    stats.lines += len(lines) - 1
    if max(map(len, lines)) > max_line:
        for index, line in enumerate(lines):
            if len(line) > max_line and len(line) > line_cap(line, max_line):
                lines[index] = line[: line_cap(line, max_line)]
                stats.truncated_lines += 1
        block = "\n".join(lines)
    yield block
