"""``--format json``: the stable, versioned schema (docs/json-schema.md)."""

from __future__ import annotations

import json

from tfdoctor.report.model import Report


def render_json(report: Report, verbose: bool = False) -> str:
    return json.dumps(report.to_json(verbose=verbose), indent=2, sort_keys=False) + "\n"
