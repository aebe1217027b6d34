"""What the matrix proved: the cells of kb/data/verified.json, looked up by what a rule knows.

A rule that prints a fact asks `proof(...)`; the answer names a real cell ("proven: TF 2.14.1 +
NumPy 2.2.6 fails at import tensorflow, built 2026-12-01") or None, and then the rule says
"documented (URL)" instead. Nothing here calls a fact verified without a cell.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import Any

from tfdoctor.pep508 import canonical

NAMES = {
    "numpy": "NumPy", "protobuf": "protobuf", "keras": "Keras", "tf-keras": "tf-keras",
    "keras-nightly": "keras-nightly", "transformers": "transformers",
    "tensorflow-probability": "TensorFlow Probability", "tensorflow-text": "TensorFlow Text",
    "keras-hub": "KerasHub",
}  # fmt: skip
TF_DISTS = ("tensorflow-cpu", "tensorflow", "tensorflow-intel")


# The rules read the cells without their API results: those are nine tenths of verified.json
# (5 MB, ~45 ms to parse on every check that names a cell), and only the matrix reads them.
CELLS_FILE = "verified-cells.json"
LEFT_OUT = ("api",)


def cells_only(data: dict[str, Any]) -> dict[str, Any]:
    """What verified-cells.json holds: verified.json's cells without their API results."""
    cells = data.get("cells", {})
    return {
        "schema": data.get("schema"),
        "about": f"verified.json without {', '.join(LEFT_OUT)}: written with it by the matrix",
        "cells": {k: {f: v for f, v in r.items() if f not in LEFT_OUT} for k, r in cells.items()},
    }


@lru_cache(maxsize=1)
def records() -> tuple[dict[str, Any], ...]:
    # os.path, not importlib.resources: that one imports pathlib, tempfile and zipfile (~30 ms)
    page = os.path.join(os.path.dirname(__file__), "data", CELLS_FILE)
    try:
        with open(page, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        return ()
    cells: dict[str, dict[str, Any]] = data.get("cells", {})
    return tuple(cells[k] for k in sorted(cells))


def _matches(have: str | None, want: str) -> bool:
    """`want` is a version or a prefix of one: "2" matches 2.2.6, "2.14" matches 2.14.1."""
    if have is None:
        return False
    return have == want or have.startswith(want + ".")


def tf_version(record: dict[str, Any]) -> str | None:
    installed = record.get("installed", {})
    return next((installed[d] for d in TF_DISTS if d in installed), None)


def find(
    tensorflow: str, settings: dict[str, str] | None = None, **packages: str
) -> list[dict[str, Any]]:
    """The cells with this TensorFlow and these package versions installed (prefixes allowed;
    underscores in names stand for dashes), run with exactly these settings."""
    wanted = {canonical(name): version for name, version in packages.items()}
    found = []
    for record in records():
        if not _matches(tf_version(record), tensorflow):
            continue
        if (record.get("settings") or {}) != (settings or {}):
            continue
        installed = record.get("installed", {})
        if all(_matches(installed.get(n), v) for n, v in wanted.items()):
            found.append(record)
    return found


def describe(record: dict[str, Any], packages: tuple[str, ...] = ()) -> str:
    installed = record.get("installed", {})
    parts = [f"TF {tf_version(record)}"]
    parts += [f"{NAMES.get(n, n)} {installed[n]}" for n in packages if n in installed]
    settings = " ".join(f"{k}={v}" for k, v in sorted((record.get("settings") or {}).items()))
    what = " + ".join(parts) + (f" ({settings})" if settings else "")
    if record["outcome"] == "pass":
        outcome = "works (import, fit, predict, save and load)"
    else:
        step = record.get("failed_at") or "?"
        step = "import" if step == "import tensorflow" else step
        outcome = f"fails at {step}"
        if record.get("error_signature"):
            outcome += f": {record['error_signature'][:160]}"
    return f"proven: {what} {outcome}, built {record.get('built', '?')}"


def best(
    tensorflow: str, settings: dict[str, str] | None = None, **packages: str
) -> dict[str, Any] | None:
    """Of the cells with this combination, the one that varies least (fewest installed stages
    beyond TensorFlow itself), or None."""
    found = find(tensorflow, settings, **packages)
    if not found:
        return None
    return min(found, key=lambda r: (len(r.get("cell", {}).get("stages", [])), r["key"]))


def proof(tensorflow: str, settings: dict[str, str] | None = None, **packages: str) -> str | None:
    """One line naming the cell that proves what this combination does, or None."""
    record = best(tensorflow, settings, **packages)
    if record is None:
        return None
    return describe(record, tuple(canonical(n) for n in packages))


def step_ok(record: dict[str, Any], name: str) -> bool | None:
    """Whether the cell's step ran and passed (None when the cell has no such step)."""
    for step in record.get("steps", ()):
        if step.get("step") == name:
            return bool(step.get("status") == "ok")
    return None


def tf_keras_works(record: dict[str, Any]) -> bool:
    """tf.keras resolved and a model built, fitted, saved and loaded through it (the mixed
    keras + tf.keras step fails by design where tf.keras is tf-keras, so it is not asked)."""
    return bool(
        step_ok(record, "resolve tf.keras") and step_ok(record, "smoke test through tf.keras")
    )


def tf_keras_line(record: dict[str, Any]) -> str:
    """What tf.keras is in the cell, and whether it works: a proof line for the Keras rules."""
    installed = record.get("installed", {})
    detail = next(
        (
            s.get("detail") or {}
            for s in record.get("steps", ())
            if s.get("step") == "resolve tf.keras"
        ),
        {},
    )
    parts = [f"TF {tf_version(record)}"]
    parts += [f"{NAMES[n]} {installed[n]}" for n in ("keras", "tf-keras") if n in installed]
    settings = " ".join(f"{k}={v}" for k, v in sorted((record.get("settings") or {}).items()))
    what = " + ".join(parts) + (f" ({settings})" if settings else "")
    if tf_keras_works(record):
        implementation = canonical(str(detail.get("implementation", "?")))
        module = f" ({detail['module']})" if detail.get("module") else ""
        return (
            f"proven: {what}: tf.keras is {NAMES.get(implementation, implementation)} "
            f"{detail.get('version', '?')}"
            f"{module} and a model builds, fits, predicts, saves and loads through it, "
            f"built {record.get('built', '?')}"
        )
    return describe(record, ("keras", "tf-keras"))
