"""A traceback written into one line with its line breaks escaped: a JSON log record, a notebook
saved without indentation, the repr of a captured stderr. Its lines are read as lines, with the
number of the line that holds them, and a long one is not cut before its error."""

from __future__ import annotations

import io
import json

import pytest

from tfdoctor.explain import explain_stream, explain_text
from tfdoctor.explain.lines import escaped_lines
from tfdoctor.explain.reader import MAX_LINE

ERROR = "ModuleNotFoundError: No module named 'keras.layers.normalization'"


def _traceback(frames: int) -> str:
    lines = ["Traceback (most recent call last):"]
    for i in range(frames):
        lines.append(
            f'  File "/home/u/venv/lib/python3.11/site-packages/keras/src/mod{i}.py", '
            f"line {i + 1}, in f{i}"
        )
        lines.append(f"    return f{i + 1}(x)")
    lines.append(ERROR)
    return "\n".join(lines) + "\n"


def _summary(text: str) -> list[tuple[str, str, tuple[str, ...]]]:
    result = explain_text(text)
    return [(f.cause, f.code, f.evidence[:1]) for f in result.findings]


@pytest.mark.parametrize("frames", [1, 40])
def test_a_json_log_record_reads_as_the_traceback_it_holds(frames: int) -> None:
    tb = _traceback(frames)
    record = json.dumps({"time": "2024-01-01T10:00:00", "level": "error", "msg": tb})
    assert len(record) > MAX_LINE if frames == 40 else len(record) < MAX_LINE
    plain = explain_text(tb)
    logged = explain_stream(io.BytesIO(("started\n" + record + "\nstopped\n").encode()))
    assert logged.findings, "the traceback in the record is found"
    assert [f.cause for f in logged.findings] == [f.cause for f in plain.findings]
    assert [f.confidence for f in logged.findings] == [f.confidence for f in plain.findings]
    # the evidence is the exception line itself, on the number of the line holding the record
    assert logged.findings[0].evidence[0] == f"line 2: {ERROR}"
    assert logged.lines_read == 3
    assert logged.truncated_lines == 0
    assert logged.environment == plain.environment == "/home/u/venv"


def test_a_notebook_saved_on_one_line_reads_as_the_indented_one() -> None:
    error = "ValueError: Argument(s) not recognized: {'lr': 0.001}"
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "source": ["model.compile(optimizer=tf.keras.optimizers.Adam(lr=0.001))"],
                "outputs": [
                    {
                        "output_type": "error",
                        "ename": "ValueError",
                        "evalue": "Argument(s) not recognized: {'lr': 0.001}",
                        "traceback": [
                            "\u001b[0;31mValueError\u001b[0m  Traceback (most recent call last)",
                            "Cell \u001b[0;32mIn[3], line 2\u001b[0m\n----> 2 model.compile()\n",
                            f"\u001b[0;31mValueError\u001b[0m: {error[len('ValueError: ') :]}",
                        ],
                    }
                ],
            }
        ],
        "nbformat": 4,
    }
    compact = explain_text(json.dumps(notebook))
    indented = explain_text(json.dumps(notebook, indent=1))
    assert compact.findings and compact.findings[0].cause == "removed-api"
    assert compact.findings[0].confidence == indented.findings[0].confidence
    assert f"line 1: {error}" in compact.findings[0].evidence


def test_the_repr_of_a_captured_stderr() -> None:
    line = "stderr: " + repr(_traceback(2).encode())
    assert _summary(line)[0][2] == (f"line 1: {ERROR}",)


@pytest.mark.parametrize(
    "line",
    [
        r"Saved to C:\new\readme.txt",  # a Windows path, not an escape
        r'{"path": "C:\\new\\readme.txt"}',  # an escaped backslash before n
        r'"C:\new\python.exe" -m pip install tensorflow',  # a quoted path, not JSON
        "plain text",
    ],
)
def test_other_lines_are_not_split(line: str) -> None:
    assert escaped_lines(line) is None


def test_unescaping() -> None:
    assert escaped_lines(r'{"a": "x\n\"y\" \u00e9 \ud83d", "b": ["1\r\n2"]}') == [
        "x",
        '"y" \u00e9 \ufffd',
        "1",
        "2",
    ]
    # not JSON (cut short): the escapes are undone where they are
    assert escaped_lines(r'{"msg": "Traceback (most recent call last):\n  File \"x.py\"') == [
        '{"msg": "Traceback (most recent call last):',
        '  File "x.py"',
    ]
