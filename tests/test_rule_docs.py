"""Every check rule has a documentation page, and `tfdoctor rules CODE` prints it."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest

from cli_runner import Runner
from tfdoctor.registry import rule_doc
from tfdoctor.resolve.rules import CUDA_PLATFORM, UNRESOLVABLE
from tfdoctor.rules.base import CheckRule, check_rules

SECTIONS = ("## What it does", "## Why it breaks", "## How to fix", "## Example", "## Sources")
RULES = check_rules()
# Rules about a requirement set (check -r) rather than an environment: pages of the same kind.
SET_RULES = [CheckRule(info, lambda ctx: ()) for info in (UNRESOLVABLE, CUDA_PLATFORM)]
INDEX = Path(__file__).resolve().parents[1] / "docs" / "rules.md"


def _id(rule: CheckRule) -> str:
    return rule.info.code


def test_there_are_check_rules_to_document() -> None:
    codes = [r.info.code for r in RULES]
    assert "TFD101" in codes and "TFD401" in codes
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize("rule", RULES + SET_RULES, ids=_id)
def test_page_has_header_sections_and_sources(rule: CheckRule) -> None:
    info = rule.info
    doc = rule_doc(info.code)
    assert doc, f"no page src/tfdoctor/docs/rules/{info.code}.md"
    lines = doc.splitlines()
    assert lines[0] == f"# {info.code} {info.name}"
    assert lines[1] == (
        f"**Cause:** `{info.cause}` · **Severity:** {info.severity.value} · "
        f"**Group:** {info.group.value}"
    )
    positions = [doc.find(f"\n{heading}\n") for heading in SECTIONS]
    assert all(p > 0 for p in positions), f"missing one of {SECTIONS}"
    assert positions == sorted(positions), "sections out of order"
    sources = doc[positions[-1] :]
    assert 1 <= len(re.findall(r"^- https://\S+", sources, flags=re.MULTILINE)) <= 4
    assert f"{info.code} " in doc[positions[3] : positions[4]], "the example shows no finding"
    assert 40 <= len(lines) <= 90


@pytest.mark.parametrize("rule", RULES, ids=_id)
def test_rules_command_prints_the_page(tfdoctor: Runner, rule: CheckRule) -> None:
    info = rule.info
    result = tfdoctor("rules", info.code.lower())
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == (
        f"{info.code} {info.name}  (cause: {info.cause}, severity: {info.severity.value})"
    )
    assert rule_doc(info.code).strip() in result.stdout
    assert info.cause in result.stdout


def test_rules_command_json_carries_the_page(tfdoctor: Runner) -> None:
    result = tfdoctor("rules", "TFD101", "--format", "json")
    assert result.returncode == 0, result.stderr
    (data,) = json.loads(result.stdout)["rules"]
    assert data["cause"] == "keras-version-mismatch"
    assert data["doc"] == rule_doc("TFD101")


def test_every_page_belongs_to_a_check_rule() -> None:
    pages = resources.files("tfdoctor").joinpath("docs", "rules")
    documented = {p.name[:-3] for p in pages.iterdir() if re.fullmatch(r"TFD[1-6]\d\d\.md", p.name)}
    assert documented == {r.info.code for r in RULES + SET_RULES}


def test_index_lists_every_check_rule() -> None:
    index = INDEX.read_text(encoding="utf-8")
    for rule in RULES + SET_RULES:
        info = rule.info
        row = (
            f"| [{info.code}](../src/tfdoctor/docs/rules/{info.code}.md) | {info.name} | "
            f"`{info.cause}` | {info.severity.value} | {info.summary.replace('|', chr(92) + '|')} |"
        )
        assert row in index, f"docs/rules.md has no up-to-date row for {info.code}"
        assert (INDEX.parent / f"../src/tfdoctor/docs/rules/{info.code}.md").resolve().is_file()


def test_every_rule_of_every_kind_has_a_page() -> None:
    """check, lint, explain and runtime rules alike: `tfdoctor rules CODE` always has a page."""
    from tfdoctor.catalog import all_rules
    from tfdoctor.registry import rule_doc

    assert {r.kind for r in all_rules()} == {"check", "lint", "explain", "runtime"}
    missing = [r.code for r in all_rules() if "## What it does" not in rule_doc(r.code)]
    assert missing == []


def test_no_shipped_text_file_holds_a_merge_conflict() -> None:
    # the rule pages and the knowledge base are merged from several branches
    package = Path(__file__).resolve().parents[1] / "src" / "tfdoctor"
    marker = re.compile(r"^(?:<{7}|>{7}|={7})(?: |$)", re.MULTILINE)
    shipped = [
        *package.glob("docs/**/*.md"),
        *package.glob("kb/data/*.json"),
        *package.glob("**/*.py"),
    ]
    assert shipped
    assert [str(p) for p in shipped if marker.search(p.read_text(encoding="utf-8"))] == []


def test_a_rule_is_found_by_its_name_too(tfdoctor: Runner) -> None:
    """`tfdoctor rules` lists codes and names; either one opens the page."""
    by_name = tfdoctor("rules", "cuda-wheels")
    assert by_name.returncode == 0, by_name.stderr
    assert by_name.stdout == tfdoctor("rules", "TFD601").stdout
    unknown = tfdoctor("rules", "no-such-rule")
    assert unknown.returncode == 2 and unknown.stderr.count("\n") == 1
