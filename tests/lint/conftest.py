"""Fixtures for the lint tests: write snippets and lint them in-process."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from lint_helpers import Lint, Write

from tfdoctor.lint import lint_paths, resolve_target
from tfdoctor.lint.runner import LintResult


@pytest.fixture
def write(tmp_path: Path) -> Write:
    def _write(name: str, source: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def lint(tmp_path: Path) -> Lint:
    """Lint paths (default: the test's folder) against an explicit target, in-process."""

    def _lint(
        *paths: Path | str, keras: str = "3", tensorflow: str | None = None, **options: Any
    ) -> LintResult:
        target = resolve_target(None, keras, tensorflow)
        return lint_paths([str(p) for p in paths] or [str(tmp_path)], target, **options)

    return _lint
