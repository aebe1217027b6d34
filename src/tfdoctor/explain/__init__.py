"""explain: read a traceback, log or console session and rank the known root causes in it.

Public API::

    explain_text(text_or_lines, facts=None) -> ExplainResult
    explain_stream(binary_stream, facts=None) -> ExplainResult   # raises NotTextError

``facts`` is a flat map of environment facts (``tensorflow``, ``keras``, ``numpy``, ``installer``
...) used to fill the fix commands with concrete versions; see tfdoctor.explain.facts.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING

from tfdoctor.explain.engine import ExplainResult, NotTextError, explain_stream, explain_text
from tfdoctor.explain.scan import ErrorLine

if TYPE_CHECKING:
    from tfdoctor.report.model import Report

__all__ = ["ErrorLine", "ExplainResult", "NotTextError", "explain_stream", "explain_text"]


# `tfdoctor.explain(text)` is the public API function (tfdoctor/__init__.py), but importing this
# package sets the attribute `tfdoctor.explain` to the package itself. The package is therefore
# made callable with the same signature, so that both names keep working whatever was imported
# first.
class _CallablePackage(types.ModuleType):
    def __call__(self, text: str, python: str | None = None) -> Report:
        from tfdoctor.api import explain

        return explain(text, python=python)


sys.modules[__name__].__class__ = _CallablePackage
