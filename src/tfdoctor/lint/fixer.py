"""Apply the planned rewrites with libcst, keeping formatting and comments.

The analyzer (ast) decides what to change and where; this module finds the same nodes in the
libcst tree by position and rewrites only them. A file libcst cannot parse, or whose result
would not parse again, is left untouched. Imported only by ``--fix`` (libcst is optional).
"""

from __future__ import annotations

import ast
import bisect
from collections import defaultdict
from collections.abc import Sequence
from typing import TypeVar

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from tfdoctor.lint.edits import (
    ChainRename,
    ChainSwap,
    Edit,
    FromRename,
    FromRenameName,
    FromSwap,
    FromToImport,
    ImportInsert,
    ImportRename,
    ImportSwap,
    ImportToFrom,
    KeywordRename,
    Position,
    moved,
)

_E = TypeVar("_E", bound=Edit)


class FixError(Exception):
    """The file cannot be rewritten safely (libcst cannot parse it, or the result would not)."""


Span = tuple[int, int]  # first and last line (1-based) of a top-level statement


def fix_source(source: str, edits: Sequence[Edit], spans: Sequence[Span]) -> str:
    """The source with ``edits`` applied, statement by statement.

    libcst parses only the top-level statements (``spans``, from the analyzer's ast) that hold
    an edit, so the cost and memory of a fix follow what changes, not the size of the file.
    Inserted imports go after the line they name. Raises FixError and changes nothing on any
    doubt.
    """
    if not edits:
        return source
    lines = source.splitlines(keepends=True)
    merged = _merge(spans)
    starts = [start for start, _ in merged]
    by_span: dict[int, list[Edit]] = defaultdict(list)
    after: dict[int, list[str]] = defaultdict(list)  # line -> modules to import after it
    for edit in edits:
        if isinstance(edit, ImportInsert):
            after[edit.after_line].append(edit.module)
            continue
        index = bisect.bisect_right(starts, edit.start.line) - 1
        if index < 0 or merged[index][1] < edit.start.line:
            raise FixError(f"line {edit.start.line} is not inside a statement the analysis saw")
        by_span[index].append(edit)
    newline = _newline(lines)
    pieces: list[str] = []
    _insert(pieces, after.pop(0, []), newline)
    done = 0  # lines copied or rewritten so far
    for index in sorted(by_span):
        start, end = merged[index]
        _copy(pieces, lines, done, start - 1, after, newline)
        part = lines[start - 1 : end]
        local = [moved(e, 1 - start) for e in by_span[index]]
        as_text = _apply_as_text(part, local)
        pieces.append(as_text if as_text is not None else apply_edits("".join(part), local))
        _insert(pieces, after.pop(end, []), newline)
        done = end
    _copy(pieces, lines, done, len(lines), after, newline)
    if after:
        raise FixError(f"cannot insert an import after line {min(after)}")
    return "".join(pieces)


def _apply_as_text(lines: Sequence[str], edits: Sequence[Edit]) -> str | None:
    """The lines with ``edits`` applied as plain text, when every edit replaces one dotted name
    or keyword written on one line exactly as the analyzer saw it (the common case, and 10x
    faster than libcst); None otherwise."""
    per_line: dict[int, dict[int, tuple[int, str]]] = defaultdict(dict)  # column -> (end, new)
    chains: dict[tuple[Position, Position], list[Edit]] = defaultdict(list)
    for edit in edits:
        if isinstance(edit, KeywordRename):
            keyword = _keyword_as_text(lines, edit)
            if keyword is None:
                return None
            per_line[edit.start.line][edit.start.column] = keyword
        elif isinstance(edit, (ChainRename, ChainSwap)) and edit.start.line == edit.end.line:
            chains[(edit.start, edit.end)].append(edit)
        else:
            return None
    for (first, last), found in chains.items():
        chain = _chain_as_text(lines, first, last, found)
        if chain is None:
            return None
        per_line[first.line][first.column] = (last.column, chain)
    return _replace(lines, per_line)


def _keyword_as_text(lines: Sequence[str], edit: KeywordRename) -> tuple[int, str] | None:
    """(end column, new keyword) when the old keyword is written where the edit says."""
    line = lines[edit.start.line - 1] if 0 < edit.start.line <= len(lines) else ""
    column, end = edit.start.column, edit.start.column + len(edit.old)
    if not edit.old or line[column:end] != edit.old or not line[end:].lstrip().startswith("="):
        return None
    return end, edit.keyword


def _chain_as_text(
    lines: Sequence[str], first: Position, last: Position, edits: Sequence[Edit]
) -> str | None:
    """The new text of one attribute chain (a rename, then a prefix swap), when the chain is
    written on one line as the analyzer saw it."""
    if not 0 < first.line <= len(lines):
        return None
    written = lines[first.line - 1][first.column : last.column]
    rename = next((e for e in edits if isinstance(e, ChainRename)), None)
    swap = next((e for e in edits if isinstance(e, ChainSwap)), None)
    if rename is not None and written != rename.old:
        return None
    text = rename.dotted if rename is not None else written
    if swap is not None:
        if not (text == swap.swap.old or text.startswith(swap.swap.old + ".")):
            return None
        text = swap.swap.apply(text)
    return text


def _replace(lines: Sequence[str], per_line: dict[int, dict[int, tuple[int, str]]]) -> str | None:
    """The lines with each (column -> (end, new)) replaced, right to left; None when two
    replacements overlap (libcst then decides)."""
    changed = list(lines)
    for number, replacements in per_line.items():
        line = changed[number - 1]
        previous_start = len(line) + 1
        for column in sorted(replacements, reverse=True):
            end, new = replacements[column]
            if end > previous_start:
                return None
            line = line[:column] + new + line[end:]
            previous_start = column
        changed[number - 1] = line
    return "".join(changed)


def _merge(spans: Sequence[Span]) -> list[Span]:
    """Statements that share a line (``a = 1; b = 2``) are rewritten together."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _copy(
    pieces: list[str],
    lines: Sequence[str],
    first: int,
    stop: int,
    after: dict[int, list[str]],
    newline: str,
) -> None:
    """Lines ``first+1 .. stop`` unchanged, with the imports to insert after any of them."""
    for line in sorted(n for n in after if first < n <= stop):
        pieces.append("".join(lines[first:line]))
        _insert(pieces, after.pop(line), newline)
        first = line
    pieces.append("".join(lines[first:stop]))


def _newline(lines: Sequence[str]) -> str:
    """The file's line ending (its first line's), for inserted lines."""
    for line in lines:
        stripped = line.rstrip("\r\n")
        if stripped != line:
            return line[len(stripped) :]
    return "\n"


def _insert(pieces: list[str], modules: Sequence[str], newline: str) -> None:
    if not modules:
        return
    last = next((piece for piece in reversed(pieces) if piece), "")
    if last and not last.endswith(("\n", "\r")):
        pieces.append(newline)
    pieces.extend(f"import {module}{newline}" for module in modules)


def apply_edits(source: str, edits: Sequence[Edit]) -> str:
    """The source with ``edits`` applied; raises FixError and changes nothing on any doubt."""
    if not edits:
        return source
    try:
        module = cst.parse_module(source)
    except Exception as exc:  # libcst raises ParserSyntaxError and others
        raise FixError(f"libcst cannot parse it: {_first_line(exc)}") from exc
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    try:
        rewritten = wrapper.visit(_Rewriter(module, edits))
        inserts = [edit for edit in edits if isinstance(edit, ImportInsert)]
        if inserts:
            rewritten = _insert_imports(rewritten, wrapper, inserts)
        code: str = rewritten.code
    except RecursionError as exc:
        raise FixError("too deeply nested for libcst") from exc
    try:
        ast.parse(code)
    except (SyntaxError, ValueError, RecursionError) as exc:
        raise FixError(f"the rewritten code would not parse: {exc}") from exc
    return code


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class _Rewriter(cst.CSTTransformer):
    """Rewrites the nodes that the edits name by position; leaves every other node alone."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, module: cst.Module, edits: Sequence[Edit]) -> None:
        super().__init__()
        self.module = module
        self.at: dict[Position, list[Edit]] = defaultdict(list)
        for edit in edits:
            if not isinstance(edit, ImportInsert):
                self.at[edit.start].append(edit)

    def find(self, node: cst.CSTNode, kind: type[_E]) -> _E | None:
        """The edit of this kind that starts (and for chains also ends) where ``node`` does."""
        span: CodeRange = self.get_metadata(PositionProvider, node)
        found = self.at.get(Position(span.start.line, span.start.column))
        if not found:
            return None
        end = Position(span.end.line, span.end.column)
        for edit in found:
            if not isinstance(edit, kind):
                continue
            if isinstance(edit, (ChainRename, ChainSwap)) and edit.end != end:
                continue
            return edit
        return None

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    def leave_Attribute(
        self, original: cst.Attribute, updated: cst.Attribute
    ) -> cst.BaseExpression:
        rename, swap = self.find(original, ChainRename), self.find(original, ChainSwap)
        if rename is None and swap is None:
            return updated
        before = self.code(original)
        text = rename.dotted if rename else before
        if swap is not None:
            text = swap.swap.apply(text)
        return cst.parse_expression(text) if text != before else updated

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        rename = self.find(original, KeywordRename)
        if rename is None or updated.keyword is None:
            return updated
        return updated.with_changes(keyword=cst.Name(rename.keyword))

    def leave_ImportFrom(
        self, original: cst.ImportFrom, updated: cst.ImportFrom
    ) -> cst.BaseSmallStatement:
        if updated.module is None:
            return updated
        to_import = self.find(original, FromToImport)
        if to_import is not None:
            return cst.Import(names=[_alias(to_import.module, to_import.asname)])
        swap = self.find(original, FromSwap)
        single = self.find(original, FromRenameName)
        if single is not None:
            module = swap.swap.apply(single.module) if swap else single.module
            asname = "" if single.asname == single.name else single.asname
            return updated.with_changes(
                module=_dotted(module),
                names=[_alias(single.name, asname)],
                lpar=None,
                rpar=None,
            )
        before = self.code(updated.module)
        rename = self.find(original, FromRename)
        text = rename.module if rename else before
        if swap is not None:
            text = swap.swap.apply(text)
        if text == before:
            return updated
        return updated.with_changes(module=_dotted(text))

    def leave_Import(self, original: cst.Import, updated: cst.Import) -> cst.BaseSmallStatement:
        to_from = self.find(original, ImportToFrom)
        if to_from is not None:
            return cst.ImportFrom(
                module=_dotted(to_from.module), names=[_alias(to_from.name, to_from.asname)]
            )
        rename, swap = self.find(original, ImportRename), self.find(original, ImportSwap)
        if (rename is None and swap is None) or len(updated.names) != 1:
            return updated
        alias = updated.names[0]
        text = rename.dotted if rename else self.code(alias.name)
        if swap is not None:
            text = swap.swap.apply(text)
        return updated.with_changes(names=[alias.with_changes(name=_dotted(text))])


def _dotted(text: str) -> cst.Name | cst.Attribute:
    name = cst.parse_expression(text)
    if not isinstance(name, (cst.Name, cst.Attribute)):
        raise FixError(f"not a dotted name: {text!r}")
    return name


def _alias(dotted: str, asname: str) -> cst.ImportAlias:
    name = _dotted(dotted)
    if asname and asname != dotted:
        return cst.ImportAlias(name=name, asname=cst.AsName(name=cst.Name(asname)))
    return cst.ImportAlias(name=name)


def _insert_imports(
    rewritten: cst.Module, wrapper: MetadataWrapper, inserts: Sequence[ImportInsert]
) -> cst.Module:
    """Each ``import X`` after the last top-level statement that ends on or before its line."""
    positions = wrapper.resolve(PositionProvider)
    ends = [positions[stmt].end.line for stmt in wrapper.module.body]  # ascending
    body = list(rewritten.body)
    # from the bottom up, so that the indexes of the ones above stay right
    for insert in sorted(inserts, key=lambda e: e.after_line, reverse=True):
        index = bisect.bisect_right(ends, insert.after_line)
        body.insert(index, cst.parse_statement(f"import {insert.module}\n"))
    return rewritten.with_changes(body=body)
