"""The published JSON Schemas (docs/schema/) and a validator for every command's JSON output."""

from __future__ import annotations

import json
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "docs" / "schema"
COMMANDS = ("check", "explain", "fix", "lint", "new", "report", "rules", "scan")


@lru_cache(maxsize=1)
def registry() -> Registry:
    resources = [
        (path.name, Resource.from_contents(json.loads(path.read_text(encoding="utf-8"))))
        for path in sorted(SCHEMA_DIR.glob("*.json"))
    ]
    return Registry().with_resources(resources)


@cache
def validator(command: str) -> Draft202012Validator:
    schema = registry().contents(f"{command}.json")
    return Draft202012Validator(schema, registry=registry())


def problems(doc: dict[str, Any]) -> list[str]:
    """Every way ``doc`` breaks the schema of its command (empty: it validates)."""
    command = doc.get("command")
    if command not in COMMANDS:
        return [f"command {command!r} is not one of {COMMANDS}"]
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in validator(str(command)).iter_errors(doc)
    ]


def assert_valid(doc: dict[str, Any]) -> None:
    found = problems(doc)
    assert not found, "JSON output breaks docs/schema/{}.json:\n  {}".format(
        doc.get("command"), "\n  ".join(found[:20])
    )
