"""Checks of calls for the analyzer: objects of two Keras implementations in one call, removed
methods and keyword arguments, and Keras 3 model formats (save / save_weights / load_model).

The checks see the file through :class:`CallScope`, the few questions the analyzer answers
about names and values, not the analyzer itself.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import lru_cache
from typing import Protocol

from tfdoctor.finding import Severity
from tfdoctor.lint import rules
from tfdoctor.lint.edits import Edit, KeywordRename, Position
from tfdoctor.lint.knowledge import DISPLAY, Knowledge, display_name, implementation_of


class CallScope(Protocol):
    """What the call checks need to know about the file being analyzed."""

    @property
    def kb(self) -> Knowledge: ...

    @property
    def guarded(self) -> int:
        """Above 0 inside try/except ImportError or a version check: the code is deliberate."""
        ...

    @property
    def want_edits(self) -> bool: ...

    @property
    def uses_keras(self) -> set[str]: ...

    def report(
        self,
        rule_code: str,
        node: ast.AST | None,
        title: str,
        *,
        severity: Severity | None = None,
        why: str = "",
        fix_note: str = "",
        evidence: tuple[str, ...] = (),
        data: tuple[tuple[str, str], ...] = (),
    ) -> None: ...

    def add_edit(self, edit: Edit) -> None: ...

    def col(self, node: ast.AST) -> int: ...

    def qualified(self, node: ast.expr) -> str | None:
        """The dotted name an expression stands for (``tf.keras.layers`` ->
        ``tensorflow.keras.layers``), when its root is an imported name."""
        ...

    def names_module(self, node: ast.expr) -> bool:
        """True when ``node`` is a name chain rooted at an import (a module, not a value)."""
        ...

    def expr_impl(self, node: ast.expr) -> str | None:
        """The Keras implementation whose object ``node`` evaluates to, when known."""
        ...

    def argument_impls(self, node: ast.expr) -> Iterator[tuple[ast.expr, str]]: ...

    def first_implementation(self) -> str | None:
        """The implementation the file imports first (outside fallbacks)."""
        ...

    def foreign_object(self, node: ast.expr) -> bool:
        """True when ``node`` is known to give an object of another library, not Keras's."""
        ...


_SAVED_MODEL_SUFFIXES = frozenset({"", ".tf", ".pb"})


@lru_cache(maxsize=1)
def _keras3_save_suffixes() -> tuple[str, ...]:
    """What Keras 3's model.save writes (knowledge base)."""
    from tfdoctor.kb import load

    return load().keras3_save_formats()


_LOAD_MODEL = frozenset({"keras.models.load_model", "keras.saving.load_model"})
_SAVE_MODEL = frozenset({"keras.models.save_model", "keras.saving.save_model"})
_KERAS3_GUIDE = "https://keras.io/guides/migrating_to_keras_3/"
_FORMAT_WHY = (
    "Keras 3 reads and writes the .keras format (and legacy .h5); the TF SavedModel "
    "format is only exported (model.export) and reloaded for inference (TFSMLayer)"
)


def check_mixed_call(v: CallScope, node: ast.Call, callee_impl: str) -> None:
    arguments = [*node.args, *(kw.value for kw in node.keywords)]
    for argument in arguments:
        for expr, impl in v.argument_impls(argument):
            if impl == callee_impl:
                continue
            same = v.kb.target.same_objects(impl, callee_impl)
            target = v.kb.target
            why = f"with {target.describe()} {DISPLAY[impl]} and {DISPLAY[callee_impl]} " + (
                "happen to be the same Keras, but not with other versions or with "
                "TF_USE_LEGACY_KERAS=1"
                if same
                else "are different Keras implementations: a model only accepts layers, "
                "tensors and optimizers of its own implementation"
            )
            v.report(
                rules.MIXED_IN_CALL.code,
                expr,
                f"a {DISPLAY[impl]} object is passed to {DISPLAY[callee_impl]}: "
                "use one Keras implementation",
                severity=Severity.WARNING if same else Severity.ERROR,
                why=why,
                fix_note=f"build everything with {DISPLAY[callee_impl]}",
                data=(("implementations", f"{DISPLAY[callee_impl]},{DISPLAY[impl]}"),),
            )
            return


def check_keywords(v: CallScope, node: ast.Call) -> None:
    qualified = v.qualified(node.func) if node.keywords else None
    if qualified is None or v.guarded:
        return
    found = implementation_of(qualified)
    if found is None:
        return
    callee_impl, relative = found
    changes = v.kb.keywords.get(callee_impl)
    if relative is None:
        return
    if not changes:
        return
    for keyword in node.keywords:
        for change in changes:
            if keyword.arg != change.keyword:
                continue
            if not change.covers(relative):
                continue
            if relative.startswith(change.old + ".legacy."):
                # keras.optimizers.legacy.* are the old classes: they still take lr= and decay=
                # (under Keras 3 the name itself is reported)
                continue
            advice = f"use {change.replacement}=" if change.replacement else "remove it"
            keras = f"{DISPLAY[callee_impl]} (Keras {v.kb.target.keras_version(callee_impl)})"
            ignored = change.outcome == "ignored"
            verdict = (
                "is accepted with a deprecation warning and silently ignored by"
                if ignored
                else "is not accepted by"
            )
            v.report(
                rules.REMOVED_KEYWORD.code,
                keyword,
                f"{display_name(qualified)}({change.keyword}=...) {verdict} {keras}; {advice}",
                severity=Severity.WARNING if ignored else None,
                why=change.note,
                evidence=(f"source: {change.source}",),
                fix_note="tfdoctor lint --fix renames it"
                if change.renamable
                else "remove or replace it by hand",
                data=(("change", change.id),),
            )
            if v.want_edits and change.renamable and change.replacement:
                start = Position(keyword.lineno, v.col(keyword))
                v.add_edit(KeywordRename(start, change.replacement, change.keyword))


def receiver_impl(v: CallScope, receiver: ast.expr) -> tuple[bool, str | None]:
    """(is a module, implementation) of the object a method is called on."""
    if v.names_module(receiver):
        return True, None
    impl = v.expr_impl(receiver)
    if impl is None and v.foreign_object(receiver):
        return False, None  # clf = LogisticRegression(): clf.predict_proba() is scikit-learn's
    return False, impl or v.first_implementation()


def check_method(
    v: CallScope, node: ast.Call, func: ast.Attribute, callee_impl: str | None
) -> None:
    if not v.uses_keras or v.guarded:
        return
    is_module, impl = receiver_impl(v, func.value)
    if is_module or impl is None:
        return
    change = v.kb.methods.get(impl, {}).get(func.attr)
    if change is not None:
        v.report(
            rules.REMOVED_METHOD.code,
            func,
            f".{func.attr}() is not a method of Keras {v.kb.target.keras_version(impl)} "
            f"models ({DISPLAY[impl]}); use {change.replacement}",
            why=change.note,
            evidence=(f"source: {change.source}",),
            fix_note=f"replace by hand with {change.replacement}",
            data=(("change", change.id),),
        )
    if impl in v.kb.keras3 and func.attr in ("save", "save_weights"):
        check_save(v, node, func, impl, callee_impl)


def check_save(
    v: CallScope, node: ast.Call, func: ast.Attribute, impl: str, callee_impl: str | None
) -> None:
    version = v.kb.target.keras_version(impl)
    for keyword in node.keywords:
        if keyword.arg == "save_format":
            v.report(
                rules.MODEL_FORMAT.code,
                keyword,
                f"{func.attr}(save_format=...) is not accepted by Keras {version}: "
                "the file suffix picks the format (.keras or .h5); "
                "use model.export(path) for a SavedModel",
                why=_FORMAT_WHY,
                evidence=(f"source: {_KERAS3_GUIDE}",),
            )
            return
    path = _literal_path(node.args[0]) if node.args else None
    if path is None:
        return
    suffix = _suffix(path)
    known_model = callee_impl is not None or v.expr_impl(func.value) is not None
    if func.attr == "save_weights":
        if not path.endswith(".weights.h5") and (known_model or suffix in (".h5", ".ckpt", "")):
            v.report(
                rules.MODEL_FORMAT.code,
                node.args[0],
                f"save_weights({path!r}): Keras {version} writes weights only to a "
                "file ending in .weights.h5",
                why=_FORMAT_WHY,
                evidence=(f"source: {_KERAS3_GUIDE}",),
            )
        return
    if suffix in _SAVED_MODEL_SUFFIXES or (known_model and suffix not in _keras3_save_suffixes()):
        v.report(
            rules.MODEL_FORMAT.code,
            node.args[0],
            f"save({path!r}): Keras {version} saves only .keras or .h5 files, not a "
            "SavedModel folder; use model.save('model.keras') or "
            "model.export('folder')",
            why=_FORMAT_WHY,
            evidence=(f"source: {_KERAS3_GUIDE}",),
        )


def check_load_model(v: CallScope, node: ast.Call) -> None:
    qualified = v.qualified(node.func)
    if qualified is None:
        return
    found = implementation_of(qualified)
    if found is None or found[0] not in v.kb.keras3:
        return
    if found[1] in _SAVE_MODEL:
        check_save_model(v, node, found[0])
        return
    if found[1] not in _LOAD_MODEL:
        return
    path = _literal_path(node.args[0]) if node.args else None
    if path is None or _suffix(path) not in _SAVED_MODEL_SUFFIXES:
        return
    v.report(
        rules.MODEL_FORMAT.code,
        node.args[0],
        f"load_model({path!r}): Keras {v.kb.target.keras_version(found[0])} loads "
        ".keras and .h5 files, not SavedModel folders; use "
        "keras.layers.TFSMLayer(path, call_endpoint='serving_default') or "
        "tf.saved_model.load(path)",
        why=_FORMAT_WHY,
        evidence=(f"source: {_KERAS3_GUIDE}",),
    )


def check_save_model(v: CallScope, node: ast.Call, impl: str) -> None:
    """keras.models.save_model(model, path): the same rules as model.save(path)."""
    version = v.kb.target.keras_version(impl)
    if any(keyword.arg == "save_format" for keyword in node.keywords):
        v.report(
            rules.MODEL_FORMAT.code,
            node,
            f"save_model(save_format=...) is not accepted by Keras {version}: the "
            "file suffix picks the format; use model.export(path) for a SavedModel",
            why=_FORMAT_WHY,
            evidence=(f"source: {_KERAS3_GUIDE}",),
        )
        return
    path = _literal_path(node.args[1]) if len(node.args) > 1 else None
    if path is not None and _suffix(path) not in _keras3_save_suffixes():
        v.report(
            rules.MODEL_FORMAT.code,
            node.args[1],
            f"save_model(model, {path!r}): Keras {version} saves only .keras or .h5 "
            "files; use a .keras path, or model.export(path) for a SavedModel",
            why=_FORMAT_WHY,
            evidence=(f"source: {_KERAS3_GUIDE}",),
        )


def _literal_path(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values:
        last = node.values[-1]
        if isinstance(last, ast.Constant) and isinstance(last.value, str):
            return "{...}" + last.value
        return None
    return None


def _suffix(path: str) -> str:
    if path.endswith(("/", "\\")):
        return ""
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    if "." not in name.lstrip("."):
        return ""
    return "." + name.rsplit(".", 1)[-1].lower()
