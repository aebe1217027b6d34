"""What linting one file gives, and what fixing it would change (shared by the runner and the
fix step)."""

from __future__ import annotations

from dataclasses import dataclass, field

from tfdoctor.finding import Finding
from tfdoctor.lint.edits import Edit


@dataclass
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    # implementation -> (line, column) of its first use
    implementations: dict[str, tuple[int, int]] = field(default_factory=dict)
    suppressed_702: bool = False
    error: str | None = None
    # a notebook whose other cells were linted: the cells that do not parse, and why
    partial: str | None = None
    analyzed: bool = False
    edits: list[Edit] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)  # top-level statements
    digest: str = ""  # of the bytes analyzed: a fix applies only to those


@dataclass(frozen=True)
class FileChange:
    """What ``--fix`` does (or ``--diff`` would do) to one file."""

    path: str
    before: str  # the text shown in the diff (a notebook: its changed code cells)
    after: str
    data: bytes  # the new file
    fixes: int
    digest: str  # of the file as read: it must not change before the write


def unified_diff(change: FileChange) -> str:
    """The change as ``diff -u`` shows it (a notebook: its changed code cells)."""
    import difflib

    lines = difflib.unified_diff(
        change.before.splitlines(keepends=True),
        change.after.splitlines(keepends=True),
        fromfile=f"a/{change.path}",
        tofile=f"b/{change.path}",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
