"""Cell records on disk (kb/data/verified.json), keyed by the cell's content hash: a rerun only
builds the cells that are not there yet."""

from __future__ import annotations

import json
import os
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

SCHEMA = 1


def default_path() -> Path:
    return Path(str(resources.files("tfdoctor.kb") / "data" / "verified.json"))


class Store:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()
        self.cells: dict[str, dict[str, Any]] = {}
        if self.path.exists():
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("schema") != SCHEMA:
                raise ValueError(f"{self.path}: schema {data.get('schema')}, expected {SCHEMA}")
            self.cells = dict(data.get("cells", {}))

    def __contains__(self, key: str) -> bool:
        return key in self.cells

    def add(self, record: dict[str, Any]) -> None:
        self.cells[record["key"]] = record

    def save(self) -> None:
        """Atomically: a run killed half-way leaves the previous file, never half of one. The
        cells without their API results go beside it (verified-cells.json), for the rules."""
        from tfdoctor.kb.verified import CELLS_FILE, cells_only

        data = {
            "schema": SCHEMA,
            "about": "cells built and run by `tfdoctor matrix run` (docs/matrix.md)",
            "cells": dict(sorted(self.cells.items())),
        }
        _write(self.path.with_name(CELLS_FILE), cells_only(data))
        _write(self.path, data)


def _write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1, sort_keys=False)
        fh.write("\n")
    os.chmod(tmp, 0o644)  # mkstemp makes it private; this is package data
    os.replace(tmp, path)
