"""Helpers shared by the lint tests (the fixtures are in conftest.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tfdoctor.finding import Finding
from tfdoctor.lint.runner import LintResult

Lint = Callable[..., LintResult]
Write = Callable[[str, str], Path]


def codes(findings: list[Finding]) -> list[tuple[str, int]]:
    """(code, line) of each finding, in report order."""
    return [(f.code, f.location.line if f.location else 0) for f in findings]


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tfdoctor", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def run_json(*args: str, cwd: Path | None = None) -> dict[str, Any]:
    out = run_cli(*args, "--format", "json", cwd=cwd)
    assert out.returncode in (0, 1), out.stderr
    data: dict[str, Any] = json.loads(out.stdout)
    return data
