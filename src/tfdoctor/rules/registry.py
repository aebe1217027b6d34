"""Moved to ``tfdoctor.registry`` (check, lint, explain and set rules all register there); kept for
code that imports it from here."""

from tfdoctor.registry import RULE_MODULES, RuleInfo, all_rules, get_rule, register, rule_doc

__all__ = ["RULE_MODULES", "RuleInfo", "all_rules", "get_rule", "register", "rule_doc"]
