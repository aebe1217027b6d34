"""Package changes are data: every check finding whose fix installs, reinstalls or uninstalls
carries the matching Remedy records (install / reinstall / uninstall), and the printed commands
stay those of the environment's installer."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path

import pytest

import specs
import tfdoctor.rules
from cli_runner import Runner
from envs import EnvSpec
from remedies import package_changes, remedy_problems
from tfdoctor.finding import Remedy, installs, reinstalls, uninstalls
from tfdoctor.installers import Installer

RULES = Path(tfdoctor.rules.__file__).parent
PY = "/envs/tf/bin/python"
INSTALLERS = (
    Installer("pip", PY),
    Installer("uv", PY),
    Installer("poetry", PY),
    Installer("conda", PY, conda_prefix="/envs/my tf"),
)


@pytest.mark.parametrize("installer", INSTALLERS, ids=lambda i: i.kind)
def test_every_installers_commands_read_back_as_remedies(installer: Installer) -> None:
    """The reader the suite checks findings with understands each installer's commands."""
    flags = installer.kind in ("pip", "uv")
    assert package_changes(installer.install("keras<3", "numpy<2")) == (
        flags,
        [("install", "keras<3", ""), ("install", "numpy<2", "")],
    )
    assert package_changes(installer.install("tf-keras~=2.21.0", no_deps=True)) == (
        flags,
        [("install", "tf-keras~=2.21.0", "no-deps" if flags else "")],
    )
    assert package_changes(installer.install("x==1", reinstall=True, no_deps=True)) == (
        flags,
        [("reinstall", "x==1", "no-deps") if flags else ("install", "x==1", "")],
    )
    assert package_changes(installer.uninstall("tensorflow", "keras")) == (
        flags,
        [("uninstall", "tensorflow", ""), ("uninstall", "keras", "")],
    )
    assert package_changes("export KERAS_BACKEND=tensorflow") is None
    assert package_changes(f"{PY} -m pip list") is None


def _finding(fix: list[str], remedies: tuple[Remedy, ...]) -> dict[str, object]:
    return {
        "code": "TFD000",
        "title": "t",
        "fix": fix,
        "remedies": [r._asdict() for r in remedies],
    }


def test_a_package_command_without_its_remedy_is_reported() -> None:
    uv = Installer("uv", PY)
    fix = [uv.uninstall("numpy"), uv.install("numpy==1.26.4", reinstall=True)]
    both = (*uninstalls("numpy"), *reinstalls("numpy==1.26.4", reason="one version"))
    assert remedy_problems(_finding(fix, both)) == []
    assert remedy_problems(_finding(fix, both[:1]))  # the reinstall is missing
    assert remedy_problems(_finding(fix, (*both, *installs("keras"))))  # one too many
    assert remedy_problems(_finding(fix, (both[0], *installs("numpy==1.26.4"))))  # not a reinstall
    assert remedy_problems(_finding(fix[:1], (*uninstalls("numpy", user_site=True),)))
    pip_user = f"{PY} -m pip uninstall -y keras  # from the user site"
    assert remedy_problems(_finding([pip_user], uninstalls("keras", user_site=True))) == []
    no_deps = [uv.install("tf-keras~=2.21.0", no_deps=True)]
    assert remedy_problems(_finding(no_deps, installs("tf-keras~=2.21.0", no_deps=True))) == []
    assert remedy_problems(_finding(no_deps, installs("tf-keras~=2.21.0")))


def test_package_remedies_have_no_shell_text_of_their_own() -> None:
    """The command depends on the installer (pip, uv, poetry, conda): Remedy.shell() refuses."""
    with pytest.raises(ValueError, match="installer"):
        installs("keras<3")[0].shell()


_WRITES_PACKAGE_COMMAND = re.compile(r"\.install\(|\.uninstall\(|install_command\(|pip uninstall")


def _functions(tree: ast.Module) -> dict[str, ast.FunctionDef]:
    return {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}


def _fix_source(
    source: str, value: ast.expr, function: ast.FunctionDef, functions: dict[str, ast.FunctionDef]
) -> str:
    """The code that makes a finding's ``fix``: the expression, what a local name is assigned
    or appended, or the body of the module's function it calls."""
    parts = [ast.get_source_segment(source, value) or ""]
    if isinstance(value, ast.Name):
        for node in ast.walk(function):
            if isinstance(node, (ast.Assign, ast.AugAssign)) and value.id in {
                t.id for t in ast.walk(node) if isinstance(t, ast.Name)
            }:
                parts.append(ast.get_source_segment(source, node) or "")
    for call in ast.walk(value):
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name):
            called = functions.get(call.func.id)
            if called is not None:
                parts.append(ast.get_source_segment(source, called) or "")
    return "\n".join(parts)


def test_every_rule_that_writes_a_package_command_attaches_remedies() -> None:
    """Read from the rules' code, so that rules no real environment of the suite triggers are
    held to it too."""
    missing, seen = [], 0
    for path in sorted(RULES.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        functions = _functions(tree)
        for function in functions.values():
            for call in ast.walk(function):
                if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)):
                    continue
                if call.func.id not in ("finding", "Finding"):
                    continue
                keywords = {k.arg: k.value for k in call.keywords}
                fix = keywords.get("fix")
                if fix is None:
                    continue
                if _WRITES_PACKAGE_COMMAND.search(_fix_source(source, fix, function, functions)):
                    seen += 1
                    if "remedies" not in keywords:
                        missing.append(f"{path.name}:{call.lineno}")
    assert not missing, missing
    assert seen >= 15, seen  # the reader finds the rules' package commands at all


@pytest.mark.realenv
@pytest.mark.parametrize(
    ("spec", "environ", "code", "remedies"),
    [
        pytest.param(
            specs.TF215_KERAS3,
            {},
            "TFD101",
            [{"kind": "install", "target": "keras<2.16,>=2.15.0", "value": ""}],
            id="keras 3 over TF 2.15",
        ),
        pytest.param(
            specs.TF221,
            {"TF_USE_LEGACY_KERAS": "1"},
            "TFD502",
            [{"kind": "install", "target": "tf-keras~=2.21.0", "value": "no-deps"}],
            id="legacy keras without tf-keras",
        ),
        pytest.param(
            specs.TF215_TWO_NUMPY,
            {},
            "TFD302",
            [
                {"kind": "uninstall", "target": "numpy", "value": ""},
                {"kind": "reinstall", "target": "numpy==1.26.4", "value": ""},
            ],
            id="two numpy metadata folders",
        ),
    ],
)
def test_check_findings_carry_their_package_changes(
    tfdoctor: Runner,
    real_env: Callable[[EnvSpec], Path],
    spec: EnvSpec,
    environ: dict[str, str],
    code: str,
    remedies: list[dict[str, str]],
) -> None:
    env = real_env(spec)
    result = tfdoctor("check", "--python", str(env), "--format", "json", env=environ)
    # .json() holds every finding's commands against its remedies (tests/remedies.py)
    [found] = [f for f in result.json()["findings"] if f["code"] == code]
    assert [{k: r[k] for k in ("kind", "target", "value")} for r in found["remedies"]] == remedies
    assert all(r["reason"] for r in found["remedies"])
