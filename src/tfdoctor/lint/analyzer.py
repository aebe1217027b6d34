"""Static analysis of one Python source with the ast module (the code is never executed).

The visitor tracks what each name is bound to (``import tensorflow as tf``, ``from tensorflow
import keras``, ``import keras as K``, ``import tf_keras``), which Keras implementation each
variable holds (``model = keras.Sequential()``), and reports mixed implementations, removed
APIs, names that a later TensorFlow added, removed methods and keywords and Keras 3 model-format
pitfalls. Imports in an ``except ImportError`` branch or the ``else`` of an ``if`` are
alternatives, not a second implementation.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

from tfdoctor.finding import Finding, Group, Location, Severity
from tfdoctor.lint import calls, rules
from tfdoctor.lint.api_changes import ApiChange
from tfdoctor.lint.consistency import ImplRef, plan_one_implementation
from tfdoctor.lint.edits import (
    ChainRename,
    Edit,
    FromRename,
    FromRenameName,
    ImportRename,
    Position,
)
from tfdoctor.lint.knowledge import (
    DISPLAY,
    Knowledge,
    display_name,
    implementation_of,
    in_implementation,
    tf2_name,
)
from tfdoctor.lint.target import KERAS, TF_KERAS
from tfdoctor.lint.tf_added import minor_of

_GUARD_EXCEPTIONS = frozenset(
    {"ImportError", "ModuleNotFoundError", "AttributeError", "Exception", "BaseException"}
)


@dataclass
class Binding:
    qualified: str
    flagged: bool = False  # the import itself was reported: uses through it are not


@dataclass
class _Scope:
    names: dict[str, Binding | None] = field(default_factory=dict)  # None: shadowed locally
    variables: dict[str, str] = field(default_factory=dict)  # variable -> implementation
    # variables known to hold an object of another library (LogisticRegression(), a class of
    # this file not built on Keras): their methods are not Keras model methods
    foreign: set[str] = field(default_factory=set)


@dataclass
class Analysis:
    findings: list[Finding] = field(default_factory=list)
    implementations: dict[str, tuple[int, int]] = field(default_factory=dict)
    edits: list[Edit] = field(default_factory=list)
    # first and last line of each top-level statement, for a fix statement by statement
    spans: list[tuple[int, int]] = field(default_factory=list)


class Visitor(ast.NodeVisitor):
    def __init__(
        self,
        path: str,
        lines: list[bytes],
        knowledge: Knowledge,
        codes: frozenset[str],
        want_edits: bool,
    ) -> None:
        self.path = path
        self.lines = lines
        self.kb = knowledge
        self.codes = codes
        self.want_edits = want_edits
        self.scopes: list[_Scope] = [_Scope()]
        self.guarded = 0  # inside try/except ImportError (or a version check): no TFD710/714
        self.fallback = 0  # inside an except branch / else branch: alternatives
        self.result = Analysis()
        self.refs: list[ImplRef] = []
        self.reported: set[tuple[int, int, str]] = set()
        self.uses_keras: set[str] = set()  # implementations used anywhere (fallback included)
        self._columns: tuple[int, list[int] | None] = (0, None)  # line -> byte -> character
        # `from keras.layers import *` at module level: the modules a free name may come from
        self.star_modules: list[str] = []
        self.bound_anywhere: frozenset[str] = frozenset()  # every name the file binds
        self.local_classes: dict[str, bool] = {}  # class defined in the file -> built on Keras

    # ---- positions and findings -----------------------------------------------------------
    def column(self, line: int, byte_offset: int) -> int:
        """0-based character column of a UTF-8 byte offset (constant time on a long line)."""
        if not 0 < line <= len(self.lines):
            return byte_offset
        cached_line, table = self._columns
        if cached_line != line:
            table = _character_columns(self.lines[line - 1])
            self._columns = (line, table)
        if table is None:  # an ASCII line: bytes are characters
            return byte_offset
        return table[min(byte_offset, len(table) - 1)]

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
        key: str = "",
        at: tuple[int, int] | None = None,
    ) -> None:
        if rule_code not in self.codes:
            return
        if at is not None:
            line, col = at
        else:
            line = getattr(node, "lineno", 1)
            col = self.column(line, getattr(node, "col_offset", 0))
        marker = (line, col, rule_code + key)
        if marker in self.reported:
            return
        self.reported.add(marker)
        info = _RULES[rule_code]
        end_line = getattr(node, "end_lineno", None)
        end_col = getattr(node, "end_col_offset", None)
        self.result.findings.append(
            Finding(
                code=rule_code,
                cause=info.cause,
                severity=severity or info.severity,
                title=title,
                group=Group.CODE,
                evidence=evidence,
                why=why,
                fix_note=fix_note,
                location=Location(
                    self.path,
                    line,
                    col + 1,
                    end_line,
                    None
                    if end_col is None or end_line is None
                    else self.column(end_line, end_col) + 1,
                ),
                data=data,
            )
        )

    # ---- bindings ---------------------------------------------------------------------------
    def lookup(self, name: str) -> Binding | None:
        for scope in (self.scopes[-1], self.scopes[0]):
            if name in scope.names:
                return scope.names[name]
        return None

    def variable_impl(self, name: str) -> str | None:
        for scope in (self.scopes[-1], self.scopes[0]):
            if name in scope.names:
                return None
            if name in scope.variables:
                return scope.variables[name]
        return None

    def bind(self, name: str, binding: Binding) -> None:
        scope = self.scopes[-1]
        if self.fallback and scope.names.get(name) is not None:
            return  # an alternative import: keep the primary binding
        scope.names[name] = binding
        scope.variables.pop(name, None)

    def shadow(self, name: str) -> None:
        scope = self.scopes[-1]
        if name in scope.names or self.lookup(name) is not None:
            scope.names[name] = None

    def note_implementation(
        self, qualified: str, node: ast.AST, is_chain: bool = False
    ) -> str | None:
        found = implementation_of(qualified)
        if found is None:
            return None
        impl = found[0]
        self.uses_keras.add(impl)
        free = True
        if is_chain:
            scope = self.scopes[-1]
            local = scope.names.get("keras", False) is None or "keras" in scope.variables
            bound = self.lookup("keras")
            free = not local and (bound is None or bound.qualified == "keras")
        self.refs.append(ImplRef(impl, node, bool(self.fallback), free))
        if not self.fallback and impl not in self.result.implementations:
            line = getattr(node, "lineno", 1)
            self.result.implementations[impl] = (line, self.col(node))
        return impl

    # ---- removed names ----------------------------------------------------------------------
    def change_for(self, qualified: str) -> ApiChange | None:
        """The removed-API change (TFD710) that ``qualified`` meets under the target, if any."""
        found = implementation_of(qualified)
        if found is not None:
            impl, relative = found
            return None if relative is None else self.kb.find_name(impl, relative)
        if qualified.startswith("tensorflow"):
            return self.kb.find_name(None, tf2_name(qualified))
        return None

    def check_name(
        self, qualified: str, spelled: str, node: ast.AST, *, fixable: bool = True
    ) -> ApiChange | None:
        change = self.change_for(qualified)
        found = implementation_of(qualified)
        impl = found[0] if found is not None else None
        if change is None or self.guarded:
            return change  # a guarded use (try/except ImportError, version check) is deliberate
        if impl is not None:
            version = self.kb.target.keras_version(impl)
            where = f"{DISPLAY[impl]} (Keras {version})"
            spelled_in = (
                self.kb.target.package_behind(impl) if change.replacement_from_package else impl
            )
            replacement = display_name(in_implementation(change.replacement, spelled_in))
        else:
            where = f"TensorFlow {self.kb.target.tensorflow}"
            replacement = display_name(change.replacement)
        old = display_name(in_implementation(change.old, impl) if impl else change.old)
        verb = "fails when used" if change.still_importable else "does not exist"
        self.report(
            rules.REMOVED_NAME.code,
            node,
            f"`{spelled}`: {old} {verb} in {where}; use {replacement}",
            why=change.note,
            evidence=(f"breaks: {change.package} {change.breaks}", f"source: {change.source}"),
            fix_note="tfdoctor lint --fix renames it"
            if change.renamable and fixable
            else f"replace by hand with {replacement}",
            data=(("change", change.id), ("replacement", replacement)),
            key=change.id,
        )
        return change

    # ---- names a later TensorFlow added ------------------------------------------------------
    def check_added(
        self, qualified: str, spelled: str, node: ast.AST, *, fixable: bool = False
    ) -> bool:
        """TFD714: ``qualified`` reaches a public TensorFlow name that the target TensorFlow does
        not have yet (kb/data/tf_added.json); True when it does, guarded or not. ``fixable``:
        the caller rewrites it to the older spelling that the target has (``respelled``)."""
        found = self.kb.find_added(tf2_name(qualified))
        if found is None:
            return False
        if self.guarded:
            return True  # a guarded use (try/except ImportError, version check) is deliberate
        name, release = found
        needed = minor_of(release)
        shown = display_name(name)
        target = self.kb.target.tensorflow
        older = display_name(self.kb.older.get(name, ""))
        if older:
            note = (
                f"tfdoctor lint --fix rewrites it to {older}" if fixable else f"write it as {older}"
            ) + f", the same API in TensorFlow {target}; or upgrade TensorFlow to >= {needed}"
        else:
            note = (
                f"upgrade TensorFlow to >= {needed}, or use what TensorFlow {target} "
                "has (often the experimental spelling of the same API)"
            )
        self.report(
            rules.ADDED_NAME.code,
            node,
            f"`{spelled}`: {shown} needs TensorFlow >= {needed} (the target is {target})",
            why=f"TensorFlow {needed} added {shown}: code written for a newer TensorFlow fails "
            f"under {target} with AttributeError or ImportError",
            evidence=(
                f"first in: tensorflow {release} (of the releases probed, the last patch of "
                "each minor)",
                "source: kb/data/tf_added.json (the generated API files of the TensorFlow wheels)",
            ),
            fix_note=note,
            data=(
                ("name", shown),
                ("requires", f"tensorflow>={needed}"),
                *((("replacement", older),) if older else ()),
            ),
            key=name,
        )
        return True

    def respelled(self, qualified: str) -> str | None:
        """``qualified`` with the name TFD714 reports in it written as the target TensorFlow has
        it (the older spelling of the same API that the data records), when nothing in the new
        spelling is missing from the target or removed there; None otherwise."""
        found = self.kb.find_added(qualified) if self.kb.older else None
        older = self.kb.older.get(found[0], "") if found else ""
        if not found or not older:
            return None
        new = older + qualified[len(found[0]) :]
        if self.kb.find_added(new) is not None or self.change_for(new) is not None:
            return None
        return new

    # ---- imports ------------------------------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for index, alias in enumerate(node.names):
            flagged = self.check_added(alias.name, f"import {alias.name}", node)
            change = self.check_name(alias.name, f"import {alias.name}", node)
            if change is not None:
                flagged = True
                if (
                    self.want_edits
                    and change.renamable
                    and alias.asname
                    and len(node.names) == 1
                    and not self.guarded
                ):
                    new = _renamed(alias.name, change, implementation_of(alias.name))
                    if new:
                        self.add_edit(ImportRename(self.start(node), new))
            self.note_implementation(alias.name, node)
            if alias.asname:
                self.bind(alias.asname, Binding(alias.name, flagged))
            else:
                root = alias.name.split(".")[0]
                self.bind(root, Binding(root))
            del index

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or not node.module:
            return
        module = node.module
        module_change: ApiChange | None = None
        respelling = self.from_respelling(node)
        for alias in node.names:
            qualified = module if alias.name == "*" else f"{module}.{alias.name}"
            spelled = f"from {module} import {alias.name}"
            added = self.check_added(qualified, spelled, node, fixable=respelling is not None)
            change = self.check_name(qualified, spelled, node)
            if change is not None and module_change is None:
                module_change = change
            self.note_implementation(qualified, node)
            if alias.name != "*":
                flagged = change is not None or added
                self.bind(alias.asname or alias.name, Binding(qualified, flagged))
            elif change is None and not added and len(self.scopes) == 1:
                self.star_modules.append(module)
        if (
            self.want_edits
            and module_change is not None
            and module_change.renamable
            and not self.guarded
        ):
            self.plan_from_rename(node, module_change)
        elif respelling is not None and self.want_edits and not self.guarded:
            self.add_edit(respelling)

    def from_respelling(self, node: ast.ImportFrom) -> FromRename | FromRenameName | None:
        """TFD714's rewrite of a from-import: its module, or its one name, written as the target
        TensorFlow has it; None when nothing in it needs that, or what does cannot be rewritten
        alone, or a name in it is one TFD710 renames instead."""
        if not self.kb.older or any(alias.name == "*" for alias in node.names):
            return None
        module = node.module or ""
        names = [f"{module}.{alias.name}" for alias in node.names]
        new_module = self.respelled(module)
        new = self.respelled(names[0]) if len(names) == 1 else None
        edit: FromRename | FromRenameName
        if new_module is not None:
            moved = [self.respelled(name) for name in names]
            if moved != [new_module + name[len(module) :] for name in names]:
                return None
            edit = FromRename(self.start(node), new_module)
        elif new is not None and "." in new:
            parent, _, last = new.rpartition(".")
            alias = node.names[0]
            edit = FromRenameName(self.start(node), parent, last, alias.asname or alias.name)
        else:
            return None
        return None if any(map(self.change_for, names)) else edit

    def col(self, node: ast.AST) -> int:
        return self.column(node.lineno, node.col_offset)  # type: ignore[attr-defined]

    def start(self, node: ast.AST) -> Position:
        return Position(node.lineno, self.col(node))  # type: ignore[attr-defined]

    def add_edit(self, edit: Edit) -> None:
        self.result.edits.append(edit)

    def plan_from_rename(self, node: ast.ImportFrom, change: ApiChange) -> None:
        module = node.module or ""
        found = implementation_of(module)
        new_module = _renamed(module, change, found)
        if new_module is not None:
            self.add_edit(FromRename(self.start(node), new_module))
            return
        if len(node.names) != 1 or node.names[0].name == "*":
            return
        alias = node.names[0]
        new_full = _renamed(
            f"{module}.{alias.name}", change, implementation_of(f"{module}.{alias.name}")
        )
        if new_full is None or "." not in new_full:
            return
        parent, _, last = new_full.rpartition(".")
        self.add_edit(FromRenameName(self.start(node), parent, last, alias.asname or alias.name))

    # ---- control flow: guards and alternatives ------------------------------------------------
    def visit_Try(self, node: ast.Try) -> None:
        guards = any(_catches_import_errors(handler) for handler in node.handlers)
        self.guarded += guards
        for stmt in node.body:
            self.visit(stmt)
        self.guarded -= guards
        for handler in node.handlers:
            self.guarded += guards
            self.fallback += 1
            if handler.name:
                self.shadow(handler.name)
            for stmt in handler.body:
                self.visit(stmt)
            self.fallback -= 1
            self.guarded -= guards
        for stmt in [*node.orelse, *node.finalbody]:
            self.visit(stmt)

    visit_TryStar = visit_Try

    def visit_If(self, node: ast.If) -> None:
        self.visit(node.test)
        version_check = _is_version_check(node.test)
        self.guarded += version_check
        for stmt in node.body:
            self.visit(stmt)
        self.fallback += 1
        for stmt in node.orelse:
            self.visit(stmt)
        self.fallback -= 1
        self.guarded -= version_check

    # ---- scopes -----------------------------------------------------------------------------
    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for decorator in node.decorator_list:
            self.visit(decorator)
        for default in [*node.args.defaults, *node.args.kw_defaults]:
            if default is not None:
                self.visit(default)
        scope = _Scope()
        args = node.args
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
            if arg is not None:
                scope.names[arg.arg] = None
        self.scopes.append(scope)
        for stmt in node.body:
            self.visit(stmt)
        self.scopes.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        scope = _Scope()
        for arg in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]:
            scope.names[arg.arg] = None
        self.scopes.append(scope)
        self.visit(node.body)
        self.scopes.pop()

    def value_impl(self, value: ast.expr) -> str | None:
        """The implementation an assigned value holds; a list of layers counts as its layers'."""
        if isinstance(value, (ast.List, ast.Tuple)):
            impls = {impl for _, impl in self.argument_impls(value)}
            return impls.pop() if len(impls) == 1 else None
        return self.expr_impl(value)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.local_classes[node.name] = any(self.keras_class(base) for base in node.bases)
        self.generic_visit(node)

    def keras_class(self, base: ast.expr) -> bool:
        """True when a base class is a Keras class (or a class of this file built on one)."""
        if isinstance(base, ast.Name) and base.id in self.local_classes:
            return self.local_classes[base.id]
        qualified = self.qualified(base)
        return qualified is not None and implementation_of(qualified) is not None

    def foreign_object(self, node: ast.expr) -> bool:
        """True when ``node`` is known to give an object that is not a Keras model: a call of a
        class of a library whose objects are not (``LogisticRegression()``,
        ``xgb.XGBClassifier()``: the knowledge base's other_model_libraries), of a class of this
        file not built on Keras, a method result of such an object
        (``LogisticRegression().fit(X, y)``), or a variable assigned one. A function of the
        project (``build_model()``) may well give a Keras model: not foreign."""
        if isinstance(node, ast.Name):
            return self.variable_foreign(node.id)
        if not isinstance(node, ast.Call):
            return False
        func = node.func
        if isinstance(func, ast.Attribute) and not self.names_module(func):
            return self.foreign_object(func.value)
        chain = self.resolve_chain(func)
        if chain is None:
            return False
        root, attrs, binding = chain
        if binding is not None:
            return binding.qualified.split(".")[0] in self.kb.other_model_libraries
        if not attrs and root in self.local_classes and self.lookup(root) is None:
            return not self.local_classes[root]
        return False

    def variable_foreign(self, name: str) -> bool:
        for scope in (self.scopes[-1], self.scopes[0]):
            if name in scope.names or name in scope.variables:
                return False
            if name in scope.foreign:
                return True
        return False

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        impl = self.value_impl(node.value)
        foreign = impl is None and self.foreign_object(node.value)
        for target in node.targets:
            self.assign(target, impl, foreign)
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            self.bind_alias(node.targets[0].id, node.value)

    def bind_alias(self, name: str, value: ast.expr) -> None:
        """``keras = tf.keras``, ``K = keras.backend``, ``Adam = keras.optimizers.Adam``: the
        name is that module or class from here on, as if imported under it."""
        if not isinstance(value, ast.Attribute):
            return
        chain = self.resolve_chain(value)
        if chain is None or chain[2] is None or chain[2].flagged:
            return
        qualified = ".".join([chain[2].qualified, *chain[1]])
        if implementation_of(qualified) is None and not qualified.startswith("tensorflow"):
            return
        self.bind(name, Binding(qualified))

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)
            impl = self.value_impl(node.value)
            self.assign(node.target, impl, impl is None and self.foreign_object(node.value))

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self.visit(node.iter)
        self.assign(node.target, None)
        for stmt in [*node.body, *node.orelse]:
            self.visit(stmt)

    visit_AsyncFor = visit_For

    def visit_withitem(self, node: ast.withitem) -> None:
        self.visit(node.context_expr)
        if node.optional_vars is not None:
            self.assign(node.optional_vars, None)

    def assign(self, target: ast.expr, impl: str | None, foreign: bool = False) -> None:
        if isinstance(target, ast.Name):
            self.shadow(target.id)
            scope = self.scopes[-1]
            if impl is None:
                scope.variables.pop(target.id, None)
            else:
                scope.variables[target.id] = impl
            if foreign:
                scope.foreign.add(target.id)
            else:
                scope.foreign.discard(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self.assign(element, None)
        else:
            self.visit(target)

    # ---- names and attribute chains -----------------------------------------------------------
    def resolve_chain(self, node: ast.expr) -> tuple[str, list[str], Binding | None] | None:
        """(root name, attribute names, binding of the root) for ``a.b.c``; None otherwise."""
        attrs: list[str] = []
        while isinstance(node, ast.Attribute):
            attrs.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        attrs.reverse()
        return node.id, attrs, self.lookup(node.id)

    def qualified(self, node: ast.expr) -> str | None:
        chain = self.resolve_chain(node)
        if chain is None or chain[2] is None:
            return None
        return ".".join([chain[2].qualified, *chain[1]])

    def names_module(self, node: ast.expr) -> bool:
        chain = self.resolve_chain(node)
        return chain is not None and chain[2] is not None

    def first_implementation(self) -> str | None:
        used = self.result.implementations
        return min(used, key=lambda impl: used[impl]) if used else None

    def visit_Attribute(self, node: ast.Attribute) -> None:
        chain = self.resolve_chain(node)
        if chain is None:
            self.generic_visit(node)
            return
        root, attrs, binding = chain
        if binding is None and isinstance(node.ctx, ast.Load) and root not in self.scopes[-1].names:
            self.check_star_name(".".join([root, *attrs]), node)
        if binding is None or not isinstance(node.ctx, ast.Load):
            return
        qualified = ".".join([binding.qualified, *attrs])
        self.note_implementation(qualified, node, is_chain=True)
        if binding.flagged:
            return
        # TFD714's rewrite: the older spelling the target has, where TFD710 renames nothing
        new = self.respelled(qualified)
        fixable = bool(new and new.startswith(binding.qualified + "."))
        fixable = fixable and self.change_for(qualified) is None
        self.check_added(qualified, ".".join([root, *attrs]), node, fixable=fixable)
        change = self.check_name(qualified, ".".join([root, *attrs]), node)
        if not self.want_edits or self.guarded:
            return
        if change is not None and change.renamable:
            renamed = _renamed(qualified, change, implementation_of(qualified))
            self.plan_chain_rename(node, root, attrs, binding, renamed)
        elif fixable:
            self.plan_chain_rename(node, root, attrs, binding, new)

    def plan_chain_rename(
        self, node: ast.Attribute, root: str, attrs: list[str], binding: Binding, new: str | None
    ) -> None:
        """Rewrite the chain at ``node`` to the dotted name ``new``, kept under its root name."""
        prefix = binding.qualified + "."
        if new is None or not new.startswith(prefix):
            return
        end_line = node.end_lineno or node.lineno
        end = Position(end_line, self.column(end_line, node.end_col_offset or 0))
        dotted = ".".join([root, new[len(prefix) :]])
        self.add_edit(ChainRename(self.start(node), end, dotted, ".".join([root, *attrs])))

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            binding = self.lookup(node.id)
            if binding is not None:
                self.note_implementation(binding.qualified, node)
            else:
                self.check_star_name(node.id, node)

    def check_star_name(self, dotted: str, node: ast.AST) -> None:
        """A name the file never binds comes from its star imports (`from keras.layers import
        *` then `Merge(...)`): what it is named there may be a removed API."""
        if not self.star_modules or dotted.split(".")[0] in self.bound_anywhere:
            return
        for module in reversed(self.star_modules):  # the last import wins
            added = self.check_added(f"{module}.{dotted}", dotted, node)
            if self.check_name(f"{module}.{dotted}", dotted, node, fixable=False) is not None:
                return
            if added:
                return

    # ---- calls: mixed objects, methods, keywords, model formats -------------------------------
    def expr_impl(self, node: ast.expr) -> str | None:
        """The Keras implementation whose object ``node`` gives: a layer, model, optimizer... or a
        Keras tensor. None for anything else, NumPy arrays from keras.utils included."""
        while isinstance(node, (ast.Subscript, ast.Starred, ast.Await)):
            node = node.value
        called = isinstance(node, ast.Call)
        if isinstance(node, ast.Call):
            if isinstance(node.func, (ast.Call, ast.Subscript)):
                return self.expr_impl(node.func)  # Dense(4)(x): a layer applied, a tensor
            node = node.func
        chain = self.resolve_chain(node)
        if chain is None:
            return None
        root, attrs, binding = chain
        if binding is not None:
            found = implementation_of(".".join([binding.qualified, *attrs]))
            if found is None:
                return None
            impl, relative = found
            return impl if relative is None or self.kb.creates_keras_object(relative) else None
        if called and attrs:
            return None  # a method's result (model.predict gives NumPy) is not known
        return self.variable_impl(root)

    def argument_impls(self, node: ast.expr) -> Iterator[tuple[ast.expr, str]]:
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            for element in node.elts:
                yield from self.argument_impls(element)
        elif isinstance(node, ast.Dict):
            for value in node.values:
                yield from self.argument_impls(value)
        elif isinstance(node, ast.Starred):
            yield from self.argument_impls(node.value)
        else:
            impl = self.expr_impl(node)
            if impl is not None:
                yield node, impl

    def visit_Call(self, node: ast.Call) -> None:
        self.generic_visit(node)
        callee_impl = self.expr_impl(node.func)
        if callee_impl is not None:
            calls.check_mixed_call(self, node, callee_impl)
        calls.check_keywords(self, node)
        if isinstance(node.func, ast.Attribute):
            calls.check_method(self, node, node.func, callee_impl)
        calls.check_load_model(self, node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        """``a + b + c + ...`` nests to the left: walk it in a loop, not by recursion (a sum of
        thousands of terms is valid code)."""
        rights: list[ast.expr] = []
        left: ast.expr = node
        while isinstance(left, ast.BinOp):
            rights.append(left.right)
            left = left.left
        self.visit(left)
        for right in reversed(rights):
            self.visit(right)


_RULES = {rule.code: rule for rule in rules.LINT_RULES}


def _character_columns(line: bytes) -> list[int] | None:
    """For each byte offset of a UTF-8 line, the character column; None for an ASCII line (and
    for bytes that are not UTF-8, where no exact answer exists)."""
    if line.isascii():
        return None
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return None
    table: list[int] = []
    for column, char in enumerate(text):
        table.extend([column] * len(char.encode("utf-8")))
    table.append(len(text))
    return table


def _renamed(qualified: str, change: ApiChange, found: tuple[str, str | None] | None) -> str | None:
    """``qualified`` with the old prefix of ``change`` replaced; None if it does not apply."""
    if found is not None:
        impl, relative = found
        if relative is None:
            return None
        old, new = change.old, change.replacement
        if relative != old and not relative.startswith(old + "."):
            return None
        return in_implementation(new + relative[len(old) :], impl)
    if qualified != change.old and not qualified.startswith(change.old + "."):
        return None
    return change.replacement + qualified[len(change.old) :]


def _catches_import_errors(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    for item in types:
        name = item.attr if isinstance(item, ast.Attribute) else getattr(item, "id", "")
        if name in _GUARD_EXCEPTIONS:
            return True
    return False


def _is_version_check(test: ast.expr) -> bool:
    for node in ast.walk(test):
        if isinstance(node, ast.Name) and ("version" in node.id.lower() or node.id == "hasattr"):
            return True
        if isinstance(node, ast.Attribute) and "version" in node.attr.lower():
            return True
    return False


def analyze_tree(
    tree: ast.Module,
    path: str,
    lines: list[bytes],
    knowledge: Knowledge,
    codes: frozenset[str],
    want_edits: bool = False,
) -> Analysis:
    visitor = Visitor(path, lines, knowledge, codes, want_edits)
    visitor.bound_anywhere = _bound_names(tree)
    visitor.visit(tree)
    result = visitor.result
    _report_mixed_file(visitor)
    if want_edits:
        result.spans = [_span(stmt) for stmt in tree.body]
    if want_edits:
        module_names = {
            name: None if binding is None else binding.qualified
            for name, binding in visitor.scopes[0].names.items()
        }
        result.edits.extend(
            plan_one_implementation(
                visitor.refs, module_names, knowledge.target, visitor.column, tree
            )
        )
    return result


# the match statement's capture patterns (Python 3.10+)
_MATCH_CAPTURES: tuple[type, ...] = tuple(
    getattr(ast, name) for name in ("MatchAs", "MatchStar", "MatchMapping") if hasattr(ast, name)
)


def _bound_names(tree: ast.Module) -> frozenset[str]:
    """Every name the file binds anywhere (assignments, definitions, parameters, imports...):
    such a name is not one a star import brought."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, _MATCH_CAPTURES):  # case [*rest] / case {**rest} / case x
            name = getattr(node, "name", None) or getattr(node, "rest", None)
            if name:
                names.add(name)
    return frozenset(names)


def _span(stmt: ast.stmt) -> tuple[int, int]:
    decorators = getattr(stmt, "decorator_list", ())
    start = min([stmt.lineno, *(d.lineno for d in decorators)])
    return start, stmt.end_lineno or stmt.lineno


def _report_mixed_file(visitor: Visitor) -> None:
    used = visitor.result.implementations
    if len(used) < 2:
        return
    ordered = sorted(used, key=lambda impl: used[impl])
    first, second = ordered[0], ordered[1]
    line, column = used[second]
    target = visitor.kb.target
    same = target.same_objects(first, second)
    listing = ", ".join(f"{DISPLAY[impl]} (line {used[impl][0]})" for impl in ordered)
    visitor.report(
        rules.MIXED_IN_FILE.code,
        None,
        f"this file uses {len(ordered)} Keras implementations: {listing}; use one",
        why=(
            f"with {target.describe()} they are "
            + (
                "the same Keras today, but not under other versions or TF_USE_LEGACY_KERAS=1"
                if same
                else "different libraries whose objects do not mix"
            )
        ),
        fix_note="tfdoctor lint --fix rewrites keras/tf.keras imports to one of them"
        if set(ordered) <= {KERAS, TF_KERAS} and target.same_public_api(KERAS, TF_KERAS)
        else "pick one implementation by hand",
        data=(("implementations", ",".join(DISPLAY[i] for i in ordered)),),
        at=(line, column),
    )
