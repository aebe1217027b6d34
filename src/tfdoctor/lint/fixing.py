"""``--fix`` / ``--diff``: turn the planned edits of each file into its new content, then write
all of them, or none when one of them cannot be written."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from tfdoctor.lint.fixer import FixError, fix_source
from tfdoctor.lint.notebook_fix import fix_notebook
from tfdoctor.lint.results import FileChange, FileResult
from tfdoctor.lint.sources import (
    MAX_NOTEBOOK_BYTES,
    MAX_SOURCE_BYTES,
    SourceError,
    read_notebook,
    read_source,
)
from tfdoctor.lint.writing import decode, unwritable, write_atomically

Problem = tuple[str, str]  # (path, message)


def plan_changes(results: Sequence[FileResult]) -> tuple[list[FileChange], list[Problem]]:
    """The new content of every file with edits; the files that cannot be fixed, and why."""
    changes: list[FileChange] = []
    problems: list[Problem] = []
    for result in results:
        if not result.edits or result.error:
            continue
        try:
            change = _plan(result)
        except (SourceError, FixError) as exc:
            problems.append((result.path, str(exc)))
        except RecursionError:
            problems.append((result.path, "nested too deeply to rewrite"))
        else:
            if change is not None:
                changes.append(change)
    return changes, problems


def _plan(result: FileResult) -> FileChange | None:
    notebook = result.path.endswith(".ipynb")
    data = read_source(result.path, MAX_NOTEBOOK_BYTES if notebook else MAX_SOURCE_BYTES)
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    if digest != result.digest:
        raise FixError("it changed while it was linted: not fixed, run again")
    if notebook:
        try:
            cells = read_notebook(data).cells
        except SyntaxError as exc:
            raise FixError(f"cannot parse: {exc.msg}") from exc
        fixed = fix_notebook(data, result.edits, result.spans, cells)
        if fixed.data == data:
            return None
        return FileChange(
            result.path, fixed.before, fixed.after, fixed.data, len(result.edits), digest
        )
    try:
        text, encoding = decode(data)
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        raise FixError(f"cannot decode it: {exc}") from exc
    new = fix_source(text, result.edits, result.spans)
    if new == text:
        return None
    try:
        new_data = new.encode(encoding)
    except UnicodeEncodeError as exc:
        raise FixError(f"the new text cannot be written in {encoding}") from exc
    return FileChange(result.path, text, new, new_data, len(result.edits), digest)


def write_changes(changes: Sequence[FileChange]) -> tuple[dict[str, int], list[Problem]]:
    """Write every change atomically, after checking that each file can be written and is
    unchanged since it was read: when one cannot be written, none is (no half-fixed project)."""
    blocked: list[Problem] = []
    for change in changes:
        reason = unwritable(change.path)
        if reason is None and _digest_now(change.path) != change.digest:
            reason = "it changed while it was linted"
        if reason is not None:
            blocked.append((change.path, reason))
    if blocked:
        others = [
            (c.path, "no file was written because another one cannot be (see above)")
            for c in changes
            if c.path not in dict(blocked)
        ]
        return {}, [*blocked, *others]
    fixed: dict[str, int] = {}
    problems: list[Problem] = []
    for change in changes:
        try:
            write_atomically(change.path, change.data)
        except OSError as exc:
            problems.append(
                (change.path, f"not written ({exc.strerror or exc}): the file is unchanged")
            )
        else:
            fixed[change.path] = change.fixes
    return fixed, problems


def _digest_now(path: str) -> str:
    try:
        data = read_source(path, MAX_NOTEBOOK_BYTES)
    except SourceError:
        return ""
    return hashlib.blake2b(data, digest_size=16).hexdigest()
