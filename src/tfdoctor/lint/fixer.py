"""Apply the planned rewrites with libcst, keeping formatting and comments.

The analyzer (ast) decides what to change and where; this module finds the same nodes in the
libcst tree by position and rewrites only them. A file libcst cannot parse, or whose result
would not parse again, is left untouched.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from tfdoctor.lint.edits import Edit


class FixError(Exception):
    """The file cannot be rewritten safely (libcst missing, parse failure)."""


def apply_edits(source: str, edits: Sequence[Edit]) -> str:
    """The source with ``edits`` applied; raises FixError and changes nothing on any doubt."""
    if not edits:
        return source
    try:
        import libcst as cst
        from libcst.metadata import MetadataWrapper, PositionProvider
    except ImportError as exc:
        raise FixError("--fix needs libcst: pip install 'tfdoctor[lint]'") from exc
    try:
        module = cst.parse_module(source)
    except Exception as exc:  # libcst raises ParserSyntaxError and others
        raise FixError(f"libcst cannot parse it: {exc}") from exc
    by_start: dict[tuple[int, int], list[Edit]] = defaultdict(list)
    inserts: list[Edit] = []
    for edit in edits:
        if edit.kind == "insert_import":
            inserts.append(edit)
        else:
            by_start[(edit.line, edit.column)].append(edit)

    def swap(text: str, edit: Edit | None) -> str:
        if edit is not None and (text == edit.text or text.startswith(edit.text + ".")):
            return edit.name + text[len(edit.text) :]
        return text

    def pick(found: list[Edit], kind: str) -> Edit | None:
        return next((edit for edit in found if edit.kind == kind), None)

    def dotted(text: str) -> Any:
        return cst.parse_expression(text)

    class _Rewrite(cst.CSTTransformer):
        METADATA_DEPENDENCIES = (PositionProvider,)

        def _edits(self, node: cst.CSTNode) -> list[Edit]:
            pos = self.get_metadata(PositionProvider, node)
            found = by_start.get((pos.start.line, pos.start.column), [])
            return [
                e
                for e in found
                if e.kind not in ("chain", "chain_impl")
                or (e.end_line, e.end_column) == (pos.end.line, pos.end.column)
            ]

        def leave_Attribute(
            self, original: cst.Attribute, updated: cst.Attribute
        ) -> cst.BaseExpression:
            found = self._edits(original)
            rename, impl = pick(found, "chain"), pick(found, "chain_impl")
            if rename is None and impl is None:
                return updated
            text = rename.text if rename else module.code_for_node(original)
            new = swap(text, impl)
            return dotted(new) if new != module.code_for_node(original) else updated

        def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
            keyword = pick(self._edits(original), "keyword")
            if keyword is None or updated.keyword is None:
                return updated
            return updated.with_changes(keyword=cst.Name(keyword.text))

        def leave_ImportFrom(
            self, original: cst.ImportFrom, updated: cst.ImportFrom
        ) -> cst.BaseSmallStatement:
            found = self._edits(original)
            if not found or updated.module is None:
                return updated
            to_import = pick(found, "from_to_import")
            if to_import is not None:
                return cst.Import(names=[_alias(cst, to_import.text, to_import.asname)])
            module_text = module.code_for_node(updated.module)
            single = pick(found, "from_single")
            renamed = pick(found, "from_module")
            impl = pick(found, "from_impl")
            if single is not None:
                names = [
                    _alias(cst, single.name, "" if single.asname == single.name else single.asname)
                ]
                return updated.with_changes(
                    module=dotted(swap(single.text, impl)), names=names, lpar=None, rpar=None
                )
            text = swap(renamed.text if renamed else module_text, impl)
            return updated.with_changes(module=dotted(text)) if text != module_text else updated

        def leave_Import(self, original: cst.Import, updated: cst.Import) -> cst.BaseSmallStatement:
            found = self._edits(original)
            to_from = pick(found, "import_to_from")
            if to_from is not None:
                return cst.ImportFrom(
                    module=dotted(to_from.text), names=[_alias(cst, to_from.name, to_from.asname)]
                )
            renamed, impl = pick(found, "import_alias"), pick(found, "import_impl")
            if (renamed is None and impl is None) or len(updated.names) != 1:
                return updated
            alias = updated.names[0]
            text = swap(renamed.text if renamed else module.code_for_node(alias.name), impl)
            return updated.with_changes(names=[alias.with_changes(name=dotted(text))])

    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    new_module = wrapper.visit(_Rewrite())
    if inserts:
        new_module = _insert_import(cst, new_module, wrapper, inserts[0])
    code: str = new_module.code
    try:
        ast.parse(code)
    except SyntaxError as exc:
        raise FixError(f"the rewritten code would not parse: {exc}") from exc
    return code


def _alias(cst: Any, dotted_name: str, asname: str) -> Any:
    name = cst.parse_expression(dotted_name)
    if asname and asname != dotted_name:
        return cst.ImportAlias(name=name, asname=cst.AsName(name=cst.Name(asname)))
    return cst.ImportAlias(name=name)


def _insert_import(cst: Any, new_module: Any, wrapper: Any, edit: Edit) -> Any:
    from libcst.metadata import PositionProvider

    positions = wrapper.resolve(PositionProvider)
    body = list(new_module.body)
    index = 0
    for i, stmt in enumerate(wrapper.module.body):
        if positions[stmt].end.line <= edit.line:
            index = i + 1
    body.insert(index, cst.parse_statement(f"import {edit.text}\n"))
    return new_module.with_changes(body=body)
