"""The shape of the code: no import cycles between tfdoctor's packages, a lean check path, and
facts that have one home (the knowledge base) instead of copies in code."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import specs
from envs import EnvSpec

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "tfdoctor"

# The one edge allowed against the layering: the package `tfdoctor.explain` is also callable as
# the public function `tfdoctor.explain(text)` and hands the call to the facade (tfdoctor.api) at
# call time (explain/__init__.py).
ALLOWED = {("tfdoctor.explain", "tfdoctor.api")}


def _module(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _unit(module: str) -> str:
    """The package (tfdoctor.rules) or top-level module (tfdoctor.diagnose) a module is part of."""
    return ".".join(module.split(".")[:2])


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for n in ast.walk(node))
    return skipped


def _imports(path: Path) -> set[str]:
    """Every tfdoctor module ``path`` imports, at the top or inside a function (a lazy import
    is still a dependency), leaving out imports only for type checkers."""
    module = _module(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_nodes(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join([*parts[: len(parts) - node.level + 1], *filter(None, [base])])
            found.add(base)
    return {name for name in found if name.startswith("tfdoctor.")}


def import_graph() -> dict[str, dict[str, set[str]]]:
    """unit -> unit it imports -> the modules whose imports make that edge."""
    graph: dict[str, dict[str, set[str]]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module(path)
        for imported in _imports(path):
            edge = (_unit(module), _unit(imported))
            if edge[0] != edge[1] and edge not in ALLOWED:
                graph.setdefault(edge[0], {}).setdefault(edge[1], set()).add(module)
    return graph


def cycles(graph: dict[str, dict[str, set[str]]]) -> list[list[str]]:
    """The strongly connected components with more than one unit (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles_between_packages() -> None:
    graph = import_graph()
    assert "tfdoctor.rules" in graph and "tfdoctor.fix" in graph  # the walk sees the imports
    found = cycles(graph)
    detail = [
        f"{a} -> {b} (in {', '.join(sorted(graph[a][b]))})"
        for component in found
        for a in component
        for b in graph.get(a, {})
        if b in component
    ]
    assert not found, "import cycles between packages:\n  " + "\n  ".join(detail)


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b": {"a.x"}}, "b": {"c": {"b.y"}}, "c": {"a": {"c.z"}}, "d": {"a": {"d"}}}
    assert cycles(graph) == [["a", "b", "c"]]


# The start-up design (README, "Speed"): the check path defines no dataclasses and imports what
# only some runs need (rich, subprocess, the deep run, fix, explain, lint, the resolver) where it
# is used; nor importlib.resources and the modules it pulls in. No part of packaging is on the path: versions are tfdoctor.version (held to
# packaging.version by tests/test_version.py) and pep508's fast path answers the requirements,
# specifiers and markers of a TensorFlow environment; packaging is its fallback for rare forms.
NOT_ON_THE_CHECK_PATH = (
    "dataclasses",
    "rich",
    "subprocess",
    "packaging",
    "importlib.resources",  # with pathlib, tempfile and zipfile: ~30 ms (kb reads via os.path)
    "pathlib",
    "tempfile",
    "zipfile",
    "tfdoctor.deep",
    "tfdoctor.fix",
    "tfdoctor.explain",
    "tfdoctor.lint",
    "tfdoctor.resolve",
)


def _imported(*args: str, cwd: Path) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tfdoctor", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    names = re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s+(\S+)$", proc.stderr, re.MULTILINE)
    return set(names)


def _heavy(imported: set[str]) -> list[str]:
    return sorted(
        name
        for name in imported
        if any(name == top or name.startswith(top + ".") for top in NOT_ON_THE_CHECK_PATH)
    )


@pytest.mark.realenv
def test_the_check_path_imports_stay_lean(
    real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    env = str(real_env(specs.TF215_KERAS3))
    for args in (
        ("check", "--help"),
        ("check", "--python", env),
        ("check", "--python", env, "--format", "json"),
    ):
        imported = _imported(*args, cwd=tmp_path)
        assert "tfdoctor.cli" in imported  # the importtime lines were read
        assert not _heavy(imported), (args, _heavy(imported))
    # The measure can fail: a deep check does import the runtime probe and subprocess.
    deep = _imported("check", "--python", env, "--deep", "--timeout", "0.01", cwd=tmp_path)
    assert {"tfdoctor.deep", "subprocess"} <= set(_heavy(deep))


def test_legacy_keras_switch_is_read_as_tensorflow_reads_it() -> None:
    """TensorFlow turns TF_USE_LEGACY_KERAS on for "true", "True" and "1" only (kb curated.json,
    with its source); every reader goes through kb.legacy_keras_switch."""
    from tfdoctor.kb import load

    kb = load()
    on = [
        v
        for v in ("1", "true", "True", "yes", "TRUE", "on", "0", "")
        if kb.legacy_keras_switch({"TF_USE_LEGACY_KERAS": v})
    ]
    assert on == ["1", "true", "True"]
    assert not kb.legacy_keras_switch({})
    copies = []
    for path in PACKAGE.rglob("*.py"):
        if path == PACKAGE / "kb" / "loader.py":  # the one reader
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            reads = re.search(r"\.get\(\s*.TF_USE_LEGACY_KERAS.*(\bin\b|\.lower\(\)|[=!]=)", line)
            if reads or re.search(
                r"\(\s*[\"']true[\"'],\s*[\"']True[\"'],\s*[\"']1[\"']\s*\)", line
            ):
                copies.append(f"{path.relative_to(SRC)}:{number}: {line.strip()}")
    assert not copies, "read TF_USE_LEGACY_KERAS with kb.legacy_keras_switch:\n" + "\n".join(copies)


# Version facts are read from the knowledge base (kb/data, with sources), not written in code.
FACT_LITERALS = (
    (re.compile(r"Version\(\s*[\"']\d"), "a version literal: ask the kb (keras_line, ...)"),
    (re.compile(r"[\"']\.keras[\"'],\s*[\"']\.h5[\"']"), "Keras 3 save formats: kb"),
    (re.compile(r"\b(450|525)\.\d+\.\d+"), "a driver minimum: kb.cuda_driver_minimum"),
    (re.compile(r"tf-keras~=\{"), "one tf-keras per TF minor: kb.tf_keras_requirement"),
)
FACT_FREE = ("rules", "lint", "explain")


def test_version_facts_live_in_the_knowledge_base() -> None:
    from tfdoctor.kb import load

    kb = load()
    assert kb.cuda_driver_minimum("12.2") == "525.60.13"
    assert kb.cuda_driver_minimum("11.8") == "450.80.02"
    assert kb.cuda_driver_minimum("99.0") == ""
    assert kb.keras3_save_formats() == (".keras", ".h5", ".hdf5")
    assert (kb.keras_line("2.15.1"), kb.keras_line("2.16.1")) == (2, 3)
    assert kb.tf_keras_requirement("2.16.1") == "~=2.16.0"
    assert kb.tf_keras_fits("2.21.0", "2.21.1") and not kb.tf_keras_fits("2.21.0", "2.20.0")
    # a nightly TensorFlow goes with the nightly tf-keras of its own minor
    assert kb.tf_keras_fits("2.23.0.dev20261026", "2.23.0.dev20261020")
    found = []
    for package in FACT_FREE:
        for path in sorted((PACKAGE / package).rglob("*.py")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                found += [
                    f"{path.relative_to(SRC)}:{number}: {why}: {line.strip()}"
                    for pattern, why in FACT_LITERALS
                    if pattern.search(line)
                ]
    assert not found, "facts written in code:\n" + "\n".join(found)


def _docstrings(tree: ast.AST) -> set[int]:
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


def test_rule_prose_takes_tensorflow_versions_from_the_kb() -> None:
    """What a finding says (title, why, fix note) names TensorFlow releases through the kb
    (kb.keras_line_minors, ...), so the prose follows the data; docstrings may give examples."""
    prose_version = re.compile(r"\b(TF|TensorFlow)(?: to| from)? \d+\.\d+|\d+\.\d+ or newer")
    found = []
    for path in sorted((PACKAGE / "rules").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = _docstrings(tree)
        found += [
            f"{path.relative_to(SRC)}:{node.lineno}: {node.value!r}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in skipped
            and prose_version.search(node.value)
        ]
    assert not found, "TensorFlow versions written in rule prose:\n" + "\n".join(found)
    from tfdoctor.kb import load

    kb = load()
    assert kb.keras_line_minors(2)[-2:] == ("2.14", "2.15")
    assert kb.keras_line_minors(3)[0] == "2.16"


def test_every_check_rule_is_listed_once() -> None:
    """Rules run because rules/checks.py lists them (no registration by import): a `@check`
    function left out of CHECKS would never run, so every one in the rules package is there."""
    import importlib
    import inspect

    from tfdoctor.catalog import all_rules
    from tfdoctor.rules.base import rule_info
    from tfdoctor.rules.checks import CHECKS

    declared = set()
    for path in sorted((PACKAGE / "rules").glob("*.py")):
        module = importlib.import_module(_module(path))
        declared |= {
            obj
            for obj in vars(module).values()
            if inspect.isfunction(obj) and rule_info(obj) is not None
        }
    assert len(declared) >= 20  # the walk finds the rules
    assert declared == set(CHECKS) and len(CHECKS) == len(set(CHECKS))
    codes = [info.code for info in all_rules()]
    assert len(codes) == len(set(codes))
    assert {info.kind for info in all_rules()} == {"check", "lint", "explain", "runtime"}


def test_one_name_normaliser() -> None:
    """PEP 503 names are normalised by pep508.canonical only (differential test in
    test_pep508.py), not by copies of its regex nor by half of it (``_`` to ``-`` alone). The
    probe keeps its own copy: it runs inside the target and imports nothing of tfdoctor."""
    copies = [
        f"{path.relative_to(SRC)}:{number}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != PACKAGE / "pep508.py" and PACKAGE / "probe" not in path.parents
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "[-_.]+" in line
        or "def canonicalize_name" in line
        or re.search(r"""\.replace\(["']_["'], ["']-["']\)""", line)
    ]
    assert not copies, copies


def test_the_planner_reads_remedies_not_shell_text() -> None:
    """Findings carry Remedy records; the planner never parses the shell text meant for people."""
    source = (PACKAGE / "fix" / "planner.py").read_text(encoding="utf-8")
    parsing = re.findall(r"\.fix\[|\.fix\b.*\.startswith\(|shlex\.split", source)
    assert not parsing, parsing
    assert "_remedy(f" in source
