"""Moved to ``tfdoctor.shellwords`` (rules, installers and fix all quote with it)."""

from tfdoctor.shellwords import line, source_line, word

__all__ = ["line", "source_line", "word"]
