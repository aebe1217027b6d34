"""The shape of the lint package: no import cycles, typed edits that the fixer applies in full."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import tfdoctor.lint
from tfdoctor.lint.edits import ImportInsert, KeywordRename, Position
from tfdoctor.lint.fixer import apply_edits

LINT = Path(tfdoctor.lint.__file__).parent


def _lint_imports(path: Path) -> set[str]:
    """The tfdoctor.lint modules a module imports anywhere (TYPE_CHECKING blocks included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "tfdoctor.lint":
                found.update(f"tfdoctor.lint.{a.name}" for a in node.names)
            elif node.module.startswith("tfdoctor.lint."):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("tfdoctor.lint."))
    return {name for name in found if (LINT / f"{name.rsplit('.', 1)[1]}.py").exists()}


def test_no_import_cycles_inside_lint() -> None:
    graph = {
        f"tfdoctor.lint.{path.stem}": _lint_imports(path)
        for path in LINT.glob("*.py")
        if path.stem != "__init__"
    }
    done: set[str] = set()

    def visit(module: str, stack: tuple[str, ...]) -> None:
        assert module not in stack, " -> ".join((*stack, module))
        if module in done:
            return
        for imported in graph.get(module, ()):
            visit(imported, (*stack, module))
        done.add(module)

    for module in graph:
        visit(module, ())


def test_no_version_literals_in_lint_code() -> None:
    """Version facts live in kb/data and are read through the knowledge base."""
    literal = re.compile(r"""["']\d+\.\d+(\.\d+)?["']""")
    for path in LINT.glob("*.py"):
        code = path.read_text(encoding="utf-8")
        assert not literal.search(code), (path.name, literal.search(code))


def test_every_insert_is_applied() -> None:
    source = "import tensorflow as tf\n\nx = 1\nimport numpy\n\ny = tf.constant(1)\n"
    edits = [ImportInsert(1, "keras"), ImportInsert(4, "tf_keras")]
    assert apply_edits(source, edits) == (
        "import tensorflow as tf\nimport keras\n\nx = 1\nimport numpy\nimport tf_keras\n\n"
        "y = tf.constant(1)\n"
    )


def test_edits_apply_by_position_only() -> None:
    source = "opt = Adam(lr=1)\nother = Adam(lr=2)\n"
    edit = KeywordRename(Position(2, 13), "learning_rate")
    assert apply_edits(source, [edit]) == "opt = Adam(lr=1)\nother = Adam(learning_rate=2)\n"
