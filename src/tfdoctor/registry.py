"""Rule metadata shared by every kind of rule (check, lint, explain, runtime).

Each rule has a stable code, one cause from the vocabulary, a default severity, the report group
it belongs to and a documentation page in ``tfdoctor/docs/rules/<CODE>.md``
("what it does / why it breaks / how to fix / example"), printed by ``tfdoctor rules CODE``.
"""

from __future__ import annotations

import importlib
import os
from typing import NamedTuple

from tfdoctor.causes import check_cause
from tfdoctor.finding import Group, Severity


class RuleInfo(NamedTuple):
    code: str
    name: str
    cause: str
    severity: Severity
    group: Group
    summary: str
    kind: str = "check"  # check | lint | explain | runtime


_RULES: dict[str, RuleInfo] = {}

# Modules whose import registers rules; kept as names so that start-up imports only what it uses.
RULE_MODULES: tuple[str, ...] = (
    "tfdoctor.rules.checks",
    "tfdoctor.rules.runtime",
    "tfdoctor.lint.rules",
    "tfdoctor.explain.rules",
    "tfdoctor.resolve.rules",
)


def register(info: RuleInfo) -> RuleInfo:
    check_cause(info.cause)
    existing = _RULES.get(info.code)
    if existing is not None and existing != info:
        raise ValueError(f"rule code {info.code} registered twice")
    _RULES[info.code] = info
    return info


def all_rules() -> list[RuleInfo]:
    for module in RULE_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            # A part of tfdoctor that is not installed (optional) has no rules to list.
            if exc.name is None or not module.startswith(exc.name):
                raise
    return sorted(_RULES.values(), key=lambda r: r.code)


def get_rule(code: str) -> RuleInfo | None:
    code = code.upper()
    for info in all_rules():
        if info.code == code:
            return info
    return None


def rule_doc(code: str) -> str:
    """The Markdown documentation page of a rule; empty when it has none."""
    package = os.path.dirname(__file__)
    page = os.path.join(package, "docs", "rules", f"{code.upper()}.md")
    try:
        with open(page, encoding="utf-8") as handle:
            return handle.read()
    except OSError:  # no page (or tfdoctor is not installed as plain files)
        return ""
