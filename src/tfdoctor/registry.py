"""Rule metadata shared by every kind of rule (check, lint, explain, runtime).

Each rule has a stable code, one cause from the vocabulary, a default severity, the report group
it belongs to and a documentation page in ``tfdoctor/docs/rules/<CODE>.md``
("what it does / why it breaks / how to fix / example"), printed by ``tfdoctor rules CODE``.
"""

from __future__ import annotations

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


def register(info: RuleInfo) -> RuleInfo:
    """Check a rule's metadata where it is declared (its cause is in the vocabulary). The list
    of every rule is tfdoctor.catalog; nothing is collected here."""
    check_cause(info.cause)
    return info


def rule_doc(code: str) -> str:
    """The Markdown documentation page of a rule; empty when it has none."""
    package = os.path.dirname(__file__)
    page = os.path.join(package, "docs", "rules", f"{code.upper()}.md")
    try:
        with open(page, encoding="utf-8") as handle:
            return handle.read()
    except OSError:  # no page (or tfdoctor is not installed as plain files)
        return ""
