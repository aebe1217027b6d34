"""The probe writes JSON without the json module; it must be exact for any path or text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

SOURCE = (Path(__file__).parents[1] / "src" / "tfdoctor" / "probe" / "static.py").read_text()


@pytest.fixture(scope="module")
def probe() -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "probe_under_test"}
    exec(compile(SOURCE.replace("\nmain()\n", "\n"), "static.py", "exec"), namespace)
    return namespace


@pytest.mark.parametrize(
    "value",
    [
        "plain",
        'quote " and backslash \\ and tab \t and newline \n and \r and \x00 \x1f',
        "non-ASCII: kéras, ñ, 中文, emoji 🙂",
        "/site-packages/\udcff-surrogate-escaped-name",  # a file name that is not UTF-8
        {"nested": [1, 2.5, True, False, None, ["x", {"y": "z"}]], "": ""},
        [],
        {},
    ],
)
def test_dump_round_trips_through_json(probe: dict[str, Any], value: object) -> None:
    out: list[str] = []
    probe["dump"](value, out)
    text = "".join(out)
    assert text.isascii()
    assert json.loads(text) == value


def test_stack_names(probe: dict[str, Any]) -> None:
    is_stack, norm = probe["is_stack"], probe["norm"]
    for name in ("tensorflow_cpu", "tf_keras", "Keras", "nvidia-cudnn-cu12", "numpy", "ml_dtypes"):
        assert is_stack(norm(name)), name
    for name in ("requests", "six", "tfx-bsl"):
        assert not is_stack(norm(name)), name
