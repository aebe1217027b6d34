"""Plan the rewrite of a file that mixes ``keras`` and ``tf.keras`` to use only one of them.

Only keras <-> tf.keras is rewritten: their public paths are the same (``keras.layers.Dense`` and
``tf.keras.layers.Dense``). tf_keras is Keras 2 and keras 3 is not, so that pair is left to the
user. The implementation used most in the file wins; on a tie the target decides (Keras 3: keras).
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

from tfdoctor.lint.edits import Edit
from tfdoctor.lint.target import KERAS, TF_KERAS, Target

if TYPE_CHECKING:
    from tfdoctor.lint.analyzer import Binding, _ImplRef

_TF_KERAS_PREFIX = "tensorflow.keras"


def plan_one_implementation(
    refs: list[_ImplRef],
    module_names: dict[str, Binding | None],
    target: Target,
    column: Callable[[int, int], int],
    tree: ast.Module,
) -> list[Edit]:
    primary = [ref for ref in refs if not ref.fallback]
    counts = Counter(ref.implementation for ref in primary)
    if set(counts) != {KERAS, TF_KERAS}:
        return []
    if counts[KERAS] != counts[TF_KERAS]:
        winner = KERAS if counts[KERAS] > counts[TF_KERAS] else TF_KERAS
    else:
        winner = KERAS if target.keras_version(KERAS).major >= 3 else TF_KERAS
    loser = TF_KERAS if winner == KERAS else KERAS
    edits: list[Edit] = []

    def col(node: ast.AST) -> int:
        return column(node.lineno, node.col_offset)  # type: ignore[attr-defined]

    keras_name = next(
        (
            name
            for name, binding in module_names.items()
            if binding is not None and binding.qualified == "keras"
        ),
        None,
    )
    chains: list[ast.Attribute] = []
    for ref in primary:
        if ref.implementation != loser:
            continue
        node = ref.node
        if winner == KERAS:
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if module.startswith(_TF_KERAS_PREFIX):
                    edits.append(
                        Edit(
                            "from_impl", node.lineno, col(node), text=_TF_KERAS_PREFIX, name="keras"
                        )
                    )
                elif module == "tensorflow" and len(node.names) == 1:
                    alias = node.names[0]
                    edits.append(
                        Edit(
                            "from_to_import",
                            node.lineno,
                            col(node),
                            text="keras",
                            asname=alias.asname or "",
                        )
                    )
                    if (alias.asname or "keras") == "keras":
                        keras_name = "keras"
                else:
                    return []
            elif isinstance(node, ast.Import):
                if (
                    len(node.names) != 1
                    or not node.names[0].asname
                    or not node.names[0].name.startswith(_TF_KERAS_PREFIX)
                ):
                    return []
                edits.append(
                    Edit("import_impl", node.lineno, col(node), text=_TF_KERAS_PREFIX, name="keras")
                )
            elif isinstance(node, ast.Attribute):
                root = node
                while isinstance(root.value, ast.Attribute):
                    root = root.value
                base = module_names.get(root.value.id) if isinstance(root.value, ast.Name) else None
                if base is None:
                    return []
                if base.qualified == "tensorflow":
                    if not ref.keras_name_free:
                        return []  # `keras` means something else where this chain is
                    chains.append(node)
                elif not base.qualified.startswith(_TF_KERAS_PREFIX):
                    return []
        else:
            if isinstance(node, ast.ImportFrom):
                edits.append(
                    Edit("from_impl", node.lineno, col(node), text="keras", name=_TF_KERAS_PREFIX)
                )
            elif isinstance(node, ast.Import):
                if len(node.names) != 1:
                    return []
                alias = node.names[0]
                if alias.name == "keras":
                    edits.append(
                        Edit(
                            "import_to_from",
                            node.lineno,
                            col(node),
                            text="tensorflow",
                            name="keras",
                            asname=alias.asname or "",
                        )
                    )
                elif alias.asname:
                    parent, _, last = (_TF_KERAS_PREFIX + alias.name[len("keras") :]).rpartition(
                        "."
                    )
                    edits.append(
                        Edit(
                            "import_to_from",
                            node.lineno,
                            col(node),
                            text=parent,
                            name=last,
                            asname=alias.asname,
                        )
                    )
                else:
                    return []
    if chains:
        if keras_name is None:
            if "keras" in module_names:
                return []
            keras_name = "keras"
            anchor = _first_keras_import(tree)
            edits.append(Edit("insert_import", anchor, 0, text="keras"))
        for chain in chains:
            root = chain
            while isinstance(root.value, ast.Attribute):
                root = root.value
            if not isinstance(root.value, ast.Name) or root.attr != "keras":
                return []
            end_line = chain.end_lineno or chain.lineno
            edits.append(
                Edit(
                    "chain_impl",
                    chain.lineno,
                    col(chain),
                    end_line,
                    column(end_line, chain.end_col_offset or 0),
                    text=f"{root.value.id}.keras",
                    name=keras_name,
                )
            )
    return edits


def _first_keras_import(tree: ast.Module) -> int:
    """Line of the last top-level import statement of the first import block."""
    line = 0
    for stmt in tree.body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            line = stmt.end_lineno or stmt.lineno
        elif line:
            break
    return line
