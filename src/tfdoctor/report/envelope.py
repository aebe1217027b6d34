"""The envelope every command's ``--format json`` carries: ``schema``, ``tool``, ``command``,
``target``, ``summary``, ``findings`` (docs/json-schema.md; one JSON Schema per command in
docs/schema/). Standard library only: ``check`` builds it on its lean start-up path."""

from __future__ import annotations

from tfdoctor import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any

    from tfdoctor.finding import Finding

# Fields are only ever added within a schema; a rename or removal is "tfdoctor/2".
SCHEMA = "tfdoctor/1"


def tool() -> dict[str, str]:
    return {"name": "tfdoctor", "version": __version__}


def summary(findings: Iterable[Finding]) -> dict[str, int]:
    """How many findings of each severity: ``{"errors": 1, "warnings": 0, "infos": 2}``."""
    counts = {"error": 0, "warning": 0, "info": 0}
    for finding in findings:
        counts[finding.severity.value] += 1
    return {"errors": counts["error"], "warnings": counts["warning"], "infos": counts["info"]}


def envelope(
    command: str,
    target: Mapping[str, Any] | None,
    findings: Iterable[Finding],
    **extra: Any,
) -> dict[str, Any]:
    """The common part of a command's JSON document, then its own fields (``extra``).

    ``target`` is what was examined or changed (an environment as ``check`` describes it, the
    Keras/TensorFlow that ``lint`` checks code against, the folder ``new`` creates), or None when
    there is none (``rules``, ``explain`` without an environment)."""
    shown = list(findings)
    return {
        "schema": SCHEMA,
        "tool": tool(),
        "command": command,
        "target": None if target is None else dict(target),
        "summary": summary(shown),
        "findings": [finding.to_json() for finding in shown],
        **extra,
    }
