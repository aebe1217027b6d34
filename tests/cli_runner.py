"""The result of running the real tfdoctor command line (shared by the tests)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CliResult:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> dict[str, Any]:
        """The JSON document printed, checked against its command's schema (docs/schema/); a
        check's findings also against their remedies (every package change is one)."""
        from json_schemas import assert_valid
        from remedies import assert_package_remedies

        data: dict[str, Any] = json.loads(self.stdout)
        if isinstance(data, dict) and data.get("schema", "").startswith("tfdoctor/"):
            assert_valid(data)
            if data.get("command") == "check":
                assert_package_remedies(data["findings"])
        return data

    def codes(self) -> list[tuple[str, str]]:
        return sorted((f["code"], f["cause"]) for f in self.json()["findings"])


Runner = Callable[..., CliResult]
