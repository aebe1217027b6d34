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
)

_E = TypeVar("_E", bound=Edit)


class FixError(Exception):
    """The file cannot be rewritten safely (libcst cannot parse it, or the result would not)."""


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
