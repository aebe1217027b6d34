"""``--fix`` for notebooks: rewrite code cells, keep everything else byte for byte.

The analysis sees a notebook as its code cells joined into one module (IPython lines blanked).
Here each edit is taken back to its cell, the cell's code is rewritten (IPython lines stand
aside as placeholder comments meanwhile), and the notebook's JSON is written again only when
its layout can be reproduced exactly, so outputs, metadata and formatting do not change.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tfdoctor.lint.edits import Edit, ImportInsert, edit_line, moved
from tfdoctor.lint.fixer import FixError, Span, fix_source
from tfdoctor.lint.sources import cell_text, is_magic

_PLACEHOLDER = "#tfdoctor-ipython-line-{}"
_PLACEHOLDER_LINE = re.compile(r"^[ \t]*#tfdoctor-ipython-line-(\d+)$")


@dataclass(frozen=True)
class NotebookFix:
    data: bytes  # the new notebook file
    before: str  # the changed code cells, for a diff
    after: str


def fix_notebook(
    raw: bytes,
    edits: Sequence[Edit],
    spans: Sequence[Span],
    cells: Sequence[tuple[int, int]],
) -> NotebookFix:
    """Apply ``edits`` (lines of the joined code, mapped to cells by ``cells``) to the cells."""
    text = raw.decode("utf-8")
    notebook = json.loads(text)
    if not isinstance(notebook.get("cells"), list):
        raise FixError(
            "notebook not rewritten: it is an nbformat 3 notebook "
            "(open and save it once with Jupyter to make it nbformat 4, then run --fix again)"
        )
    layout = _layout(notebook, text)
    per_cell = _edits_per_cell(edits, cells)
    cell_spans = _spans_per_cell(spans, cells, set(per_cell))
    before: list[str] = []
    after: list[str] = []
    for number, cell_edits in sorted(per_cell.items()):
        cell = notebook["cells"][number - 1]
        old = cell_text(cell)
        new = _fix_cell(old, cell_edits, cell_spans.get(number, []))
        if new == old:
            continue
        source = cell.get("source", "")
        cell["source"] = new.splitlines(keepends=True) if isinstance(source, list) else new
        before.append(f"# cell {number}\n{_ending(old)}")
        after.append(f"# cell {number}\n{_ending(new)}")
    data = json.dumps(notebook, **layout) + ("\n" if text.endswith("\n") else "")
    return NotebookFix(data.encode("utf-8"), "".join(before), "".join(after))


def _layout(notebook: Any, text: str) -> dict[str, Any]:
    """The json.dumps options that write this notebook exactly as it is on disk."""
    for indent in (1, 2, 4, None):
        for ensure_ascii in (False, True):
            options: dict[str, Any] = {"indent": indent, "ensure_ascii": ensure_ascii}
            again = json.dumps(notebook, **options) + ("\n" if text.endswith("\n") else "")
            if again == text:
                return options
    raise FixError(
        "notebook not rewritten: its JSON layout cannot be kept byte for byte "
        "(save it once with Jupyter, then run --fix again)"
    )


def _edits_per_cell(
    edits: Sequence[Edit], cells: Sequence[tuple[int, int]]
) -> dict[int, list[Edit]]:
    per_cell: dict[int, list[Edit]] = defaultdict(list)
    for edit in edits:
        line = edit_line(edit)
        if isinstance(edit, ImportInsert) and line == 0:
            number, in_cell = cells[0][0] if cells else 1, 0
        elif 0 < line <= len(cells):
            number, in_cell = cells[line - 1]
            if in_cell == 0:  # after a cell's last line: the blank line between cells
                in_cell = sum(1 for cell, n in cells if cell == number and n)
                if not isinstance(edit, ImportInsert):
                    raise FixError(f"an edit between cells (line {line})")
        else:
            raise FixError(f"an edit outside the code cells (line {line})")
        per_cell[number].append(moved(edit, in_cell - line))
    return per_cell


def _spans_per_cell(
    spans: Sequence[Span], cells: Sequence[tuple[int, int]], wanted: set[int]
) -> dict[int, list[Span]]:
    found: dict[int, list[Span]] = defaultdict(list)
    for start, end in spans:
        if not (0 < start <= end <= len(cells)):
            continue
        (first, start_in), (last, end_in) = cells[start - 1], cells[end - 1]
        if first not in wanted and last not in wanted:
            continue
        if first != last:
            raise FixError(f"a statement runs from cell {first} into cell {last}")
        found[first].append((start_in, end_in))
    return found


def _fix_cell(text: str, edits: Sequence[Edit], spans: Sequence[Span]) -> str:
    """The cell's code with ``edits`` applied; IPython lines are kept as they were."""
    lines = text.splitlines(keepends=True)
    magic: dict[int, str] = {}
    for index, line in enumerate(lines):
        if is_magic(line):
            body = line.rstrip("\r\n")
            indent = body[: len(body) - len(body.lstrip())]
            magic[index] = line
            lines[index] = indent + _PLACEHOLDER.format(index) + line[len(body) :]
    fixed = fix_source("".join(lines), edits, spans)
    if not magic:
        return fixed
    restored: list[str] = []
    for line in fixed.splitlines(keepends=True):
        match = _PLACEHOLDER_LINE.match(line.rstrip("\r\n"))
        if match is not None and int(match.group(1)) in magic:
            restored.append(magic.pop(int(match.group(1))))
        else:
            restored.append(line)
    if magic:
        raise FixError("an IPython line of a cell would be lost")
    return "".join(restored)


def _ending(text: str) -> str:
    return text if not text or text.endswith(("\n", "\r")) else text + "\n"
