"""Helpers for the lint tests: write snippets, lint them in-process or through the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from tfdoctor.finding import Finding
from tfdoctor.lint import lint_paths, resolve_target
from tfdoctor.lint.runner import LintResult

Lint = Callable[..., LintResult]


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    def _write(name: str, source: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def lint(tmp_path: Path) -> Lint:
    """Lint paths (default: the test's folder) against an explicit target, in-process."""

    def _lint(*paths: Path | str, keras: str = "3", tensorflow: str | None = None,
              **options: Any) -> LintResult:
        target = resolve_target(None, keras, tensorflow)
        return lint_paths([str(p) for p in paths] or [str(tmp_path)], target, **options)

    return _lint


def codes(findings: list[Finding]) -> list[tuple[str, int]]:
    """(code, line) of each finding, in report order."""
    return [(f.code, f.location.line if f.location else 0) for f in findings]


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tfdoctor", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def run_json(*args: str, cwd: Path | None = None) -> dict[str, Any]:
    out = run_cli(*args, "--format", "json", cwd=cwd)
    assert out.returncode in (0, 1), out.stderr
    data: dict[str, Any] = json.loads(out.stdout)
    return data
