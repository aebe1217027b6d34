"""Rule codes, their documentation pages, and a lean import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tfdoctor.causes import CAUSES
from tfdoctor.explain.rules import CODE_BY_CAUSE, RULES
from tfdoctor.explain.signatures import load_signatures
from tfdoctor.finding import Group
from tfdoctor.registry import register, rule_doc

SRC = Path(__file__).resolve().parents[2] / "src"


def test_one_explain_code_per_cause() -> None:
    explain_rules = [rule for rule in RULES if rule.kind == "explain"]
    assert len(explain_rules) == len(RULES)
    assert {rule.cause for rule in explain_rules} == set(CAUSES)
    assert all(register(rule) is rule for rule in RULES)  # registered, and only once
    assert sorted(rule.code for rule in explain_rules) == [f"TFD8{n:02d}" for n in range(1, 19)]
    assert all(rule.group is Group.RUNTIME for rule in explain_rules)


@pytest.mark.parametrize("cause", sorted(CAUSES))
def test_every_code_has_a_doc_page_listing_its_signatures(cause: str) -> None:
    code = CODE_BY_CAUSE[cause]
    assert next(rule for rule in RULES if rule.code == code).cause == cause
    doc = rule_doc(code)
    for section in ("## What it does", "## Why it breaks", "## How to fix", "## Example"):
        assert section in doc
    for signature in load_signatures():
        if signature.cause == cause:
            assert f"`{signature.id}`" in doc


def test_explain_loads_without_the_kb_package_and_without_rich() -> None:
    probe = (
        "import sys, tfdoctor.explain as e\n"
        "e.explain_text('ModuleNotFoundError: No module named \\'tensorflow\\'')\n"
        "print(sorted(m for m in sys.modules if m == 'rich' or m.startswith('tfdoctor.kb')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(SRC), "PATH": ""},
    )
    assert done.stdout.strip() == "[]"
