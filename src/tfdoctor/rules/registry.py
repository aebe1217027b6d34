"""Moved to ``tfdoctor.registry`` (the list of every rule: tfdoctor.catalog); kept for
code that imports it from here."""

from tfdoctor.registry import RuleInfo, register, rule_doc

__all__ = ["RuleInfo", "register", "rule_doc"]
