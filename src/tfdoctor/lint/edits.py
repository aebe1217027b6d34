"""A planned rewrite: decided by the analyzer (ast), applied by the fixer (libcst)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Edit:
    """One rewrite for the fixer; positions are 1-based lines and 0-based character columns."""

    kind: str  # chain | from_module | from_single | from_to_import | import_to_from | keyword
    line: int
    column: int
    end_line: int = 0
    end_column: int = 0
    text: str = ""  # new dotted text / module / keyword
    name: str = ""
    asname: str = ""
