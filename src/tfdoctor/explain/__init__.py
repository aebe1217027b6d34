"""explain: read a traceback, log or console session and rank the known root causes in it.

Public API::

    explain_text(text_or_lines, facts=None) -> ExplainResult
    explain_stream(binary_stream, facts=None) -> ExplainResult   # raises NotTextError

``facts`` is a flat map of environment facts (``tensorflow``, ``keras``, ``numpy``, ``installer``
...) used to fill the fix commands with concrete versions; see tfdoctor.explain.facts.
"""

from __future__ import annotations

from tfdoctor.explain.engine import ExplainResult, NotTextError, explain_stream, explain_text
from tfdoctor.explain.scan import ErrorLine

__all__ = ["ErrorLine", "ExplainResult", "NotTextError", "explain_stream", "explain_text"]
