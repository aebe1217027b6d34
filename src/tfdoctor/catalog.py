"""Every rule of tfdoctor, listed explicitly: check rules (rules/checks.py), the deep run's
(rules/runtime.py), lint's, explain's and the requirement-set rules of ``check -r``. Used by
``tfdoctor rules``; imported by no lower layer."""

from __future__ import annotations

from tfdoctor.explain.rules import RULES as EXPLAIN_RULES
from tfdoctor.lint.rules import LINT_RULES
from tfdoctor.registry import RuleInfo
from tfdoctor.resolve.rules import SET_RULES
from tfdoctor.rules.base import check_rules
from tfdoctor.rules.runtime import RUNTIME_RULES


def all_rules() -> list[RuleInfo]:
    """Every rule, in code order; a code used by two different rules is an error."""
    listed = [
        *(rule.info for rule in check_rules()),
        *RUNTIME_RULES,
        *LINT_RULES,
        *EXPLAIN_RULES,
        *SET_RULES,
    ]
    by_code: dict[str, RuleInfo] = {}
    for info in listed:
        if by_code.setdefault(info.code, info) != info:
            raise ValueError(f"rule code {info.code} is used by two rules")
    return sorted(by_code.values(), key=lambda r: r.code)


def get_rule(code: str) -> RuleInfo | None:
    """A rule by its code (``TFD101``, any case) or its name (``keras-line``)."""
    wanted = code.strip()
    return next(
        (
            info
            for info in all_rules()
            if info.code == wanted.upper() or info.name == wanted.lower()
        ),
        None,
    )
