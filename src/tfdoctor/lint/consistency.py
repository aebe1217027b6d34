"""Plan the rewrite of a file that mixes ``keras`` and ``tf.keras`` to use only one of them.

Only keras <-> tf.keras is rewritten, and only where both are the same Keras line under the
target: then their public paths are the same (``keras.layers.Dense`` and
``tf.keras.layers.Dense``). tf_keras is Keras 2 and keras 3 is not, so that pair is left to the
user, and so is tf.keras beside keras when the target gives them different Keras lines
(TF_USE_LEGACY_KERAS=1 with Keras 3: ``tf.keras.optimizers.legacy`` works there and
``keras.optimizers.legacy`` fails). The implementation used most in the file wins; on a tie the target decides (Keras 3: keras).
Any place the plan cannot rewrite safely drops the whole plan: half a rewrite mixes again.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from tfdoctor.lint.edits import (
    ChainSwap,
    Edit,
    FromSwap,
    FromToImport,
    ImportInsert,
    ImportSwap,
    ImportToFrom,
    Position,
    PrefixSwap,
)
from tfdoctor.lint.target import KERAS, KERAS_3, TF_KERAS, KerasTarget

_TF_KERAS_PREFIX = "tensorflow.keras"
_TO_KERAS = PrefixSwap(_TF_KERAS_PREFIX, "keras")
_TO_TF_KERAS = PrefixSwap("keras", _TF_KERAS_PREFIX)

Column = Callable[[int, int], int]  # (line, UTF-8 byte offset) -> character column


@dataclass(frozen=True)
class ImplRef:
    """A place where the file names a Keras implementation, for the one-implementation fix."""

    implementation: str
    node: ast.AST  # an Import, an ImportFrom, an Attribute chain or a Name
    fallback: bool  # in an except / else branch: an alternative, not a second implementation
    keras_name_free: bool = True  # `keras` here is unbound or the keras module


class _CannotRewrite(Exception):
    """One place of the file has no safe rewrite: the file keeps both implementations."""


def plan_one_implementation(
    refs: Sequence[ImplRef],
    module_names: Mapping[str, str | None],
    target: KerasTarget,
    column: Column,
    tree: ast.Module,
) -> list[Edit]:
    """Edits that make the file use one of keras / tf.keras; none when it cannot be done safely.

    ``module_names``: what each module-level name is bound to (its dotted name, None when it is
    a local value).
    """
    if not target.same_public_api(KERAS, TF_KERAS):
        return []
    primary = [ref for ref in refs if not ref.fallback]
    winner = _winner(primary, target)
    if winner is None:
        return []
    planner = _Planner(module_names, column)
    try:
        for ref in primary:
            if ref.implementation == winner:
                continue
            if winner == KERAS:
                planner.to_keras(ref)
            else:
                planner.to_tf_keras(ref)
        planner.rewrite_chains(tree)
    except _CannotRewrite:
        return []
    return planner.edits


def _winner(primary: Sequence[ImplRef], target: KerasTarget) -> str | None:
    counts = Counter(ref.implementation for ref in primary)
    if set(counts) != {KERAS, TF_KERAS}:
        return None
    if counts[KERAS] != counts[TF_KERAS]:
        return KERAS if counts[KERAS] > counts[TF_KERAS] else TF_KERAS
    return KERAS if target.keras_version(KERAS).major >= KERAS_3 else TF_KERAS


class _Planner:
    def __init__(self, module_names: Mapping[str, str | None], column: Column) -> None:
        self.module_names = module_names
        self.column = column
        self.edits: list[Edit] = []
        self.chains: list[ast.Attribute] = []  # tf.keras chains to spell as keras
        self.keras_name = next(
            (name for name, bound in module_names.items() if bound == "keras"), None
        )

    def start(self, node: ast.AST) -> Position:
        line: int = node.lineno  # type: ignore[attr-defined]
        return Position(line, self.column(line, node.col_offset))  # type: ignore[attr-defined]

    def end(self, node: ast.expr) -> Position:
        line = node.end_lineno or node.lineno
        return Position(line, self.column(line, node.end_col_offset or 0))

    # ---- tf.keras -> keras ---------------------------------------------------------------------
    def to_keras(self, ref: ImplRef) -> None:
        node = ref.node
        if isinstance(node, ast.ImportFrom):
            self.from_to_keras(node)
        elif isinstance(node, ast.Import):
            self.import_to_keras(node)
        elif isinstance(node, ast.Attribute):
            self.chain_to_keras(node, ref.keras_name_free)

    def from_to_keras(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if module.startswith(_TF_KERAS_PREFIX):
            self.edits.append(FromSwap(self.start(node), _TO_KERAS))
        elif module == "tensorflow" and len(node.names) == 1:
            alias = node.names[0]  # from tensorflow import keras [as k]
            self.edits.append(FromToImport(self.start(node), "keras", alias.asname or ""))
            if (alias.asname or "keras") == "keras":
                self.keras_name = "keras"
        else:
            raise _CannotRewrite

    def import_to_keras(self, node: ast.Import) -> None:
        if (
            len(node.names) != 1
            or not node.names[0].asname
            or not node.names[0].name.startswith(_TF_KERAS_PREFIX)
        ):
            raise _CannotRewrite
        self.edits.append(ImportSwap(self.start(node), _TO_KERAS))

    def chain_to_keras(self, node: ast.Attribute, keras_name_free: bool) -> None:
        root = _root_attribute(node)
        bound = self.module_names.get(root.value.id) if isinstance(root.value, ast.Name) else None
        if bound is None:
            raise _CannotRewrite
        if bound == "tensorflow":
            if not keras_name_free:
                raise _CannotRewrite  # `keras` means something else where this chain is
            self.chains.append(node)
        elif not bound.startswith(_TF_KERAS_PREFIX):
            raise _CannotRewrite

    def rewrite_chains(self, tree: ast.Module) -> None:
        """``tf.keras.X`` -> ``keras.X``, importing keras when the file has no name for it."""
        if not self.chains:
            return
        if self.keras_name is None:
            if "keras" in self.module_names:
                raise _CannotRewrite
            self.keras_name = "keras"
            self.edits.append(ImportInsert(_end_of_first_import_block(tree), "keras"))
        for chain in self.chains:
            root = _root_attribute(chain)
            if not isinstance(root.value, ast.Name) or root.attr != "keras":
                raise _CannotRewrite
            swap = PrefixSwap(f"{root.value.id}.keras", self.keras_name)
            self.edits.append(ChainSwap(self.start(chain), self.end(chain), swap))

    # ---- keras -> tf.keras ---------------------------------------------------------------------
    def to_tf_keras(self, ref: ImplRef) -> None:
        node = ref.node
        if isinstance(node, ast.ImportFrom):
            self.edits.append(FromSwap(self.start(node), _TO_TF_KERAS))
        elif isinstance(node, ast.Import):
            self.import_to_tf_keras(node)

    def import_to_tf_keras(self, node: ast.Import) -> None:
        if len(node.names) != 1:
            raise _CannotRewrite
        alias = node.names[0]
        if alias.name == "keras":  # import keras [as k] -> from tensorflow import keras [as k]
            self.edits.append(
                ImportToFrom(self.start(node), "tensorflow", "keras", alias.asname or "")
            )
        elif alias.asname:  # import keras.layers as L -> from tensorflow.keras import layers as L
            parent, _, last = _TO_TF_KERAS.apply(alias.name).rpartition(".")
            self.edits.append(ImportToFrom(self.start(node), parent, last, alias.asname))
        else:
            raise _CannotRewrite


def _root_attribute(node: ast.Attribute) -> ast.Attribute:
    """``tf.keras`` of ``tf.keras.layers.Dense``: the innermost attribute of a chain."""
    while isinstance(node.value, ast.Attribute):
        node = node.value
    return node


def _end_of_first_import_block(tree: ast.Module) -> int:
    """Line of the last top-level import statement of the first import block."""
    line = 0
    for stmt in tree.body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            line = stmt.end_lineno or stmt.lineno
        elif line:
            break
    return line
