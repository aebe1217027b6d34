"""Reporters: the same Report printed for people (terminal, Markdown) and machines (JSON, SARIF)."""
