"""Fuzzing explain: whatever the input, the command ends with 0, 1 or 2 and a valid answer, and
reading it in chunks of any size gives the same result as reading it whole."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tfdoctor.cli import main
from tfdoctor.explain import explain_stream
from tfdoctor.explain.signatures import load_detectors

DETECTORS = load_detectors()
# Pieces of real messages (every detector's example), frames, resolver and version lines, and
# the characters that pasted text brings: colours, CR, tabs, BOMs, quotes, Windows paths.
FRAGMENTS = sorted(
    {
        line
        for d in [*DETECTORS.signatures, *DETECTORS.families.values()]
        for line in d.example.split("\n")
    }
    | {
        "Traceback (most recent call last):",
        '  File "/nonexistent/env/lib/python3.11/site-packages/keras/src/models/model.py", line 3, in f',
        '  File "C:\\nowhere\\Lib\\site-packages\\tensorflow\\__init__.py", line 1, in <module>',
        "During handling of the above exception, another exception occurred:",
        "tensorflow 2.15.1 requires keras<2.16, but you have keras 3.6.0 which is incompatible.",
        "keras==2.7.0",
        "Python 3.12.1 (main) [GCC]",
        "tf.__version__",
        "'2.15.0'",
        "\x1b[0;31m",
        "\\u001b[0m",
        "\r",
        "\t",
        "\ufeff",
        "requires " + "a" * 500,
        "No module named '" + "x." * 60,
        "has no attribute '" + "_" * 100,
    }
)

TEXT = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=80)),
    max_size=40,
).map(lambda parts: "\n".join(parts))
BYTES = st.one_of(
    TEXT.map(lambda t: t.encode("utf-8", errors="replace")),
    TEXT.map(lambda t: t.replace("\n", "\r\n").encode("utf-8", errors="replace")),
    st.binary(max_size=2000),
)

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@FUZZ
@given(data=BYTES)
def test_any_input_exits_0_1_or_2_with_a_valid_answer(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "input.txt"
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["explain", "--format", "json", str(path)])
    assert code in (0, 1, 2), err.getvalue()
    if code == 2:
        assert out.getvalue() == ""
        assert len(err.getvalue().strip().splitlines()) == 1
        return
    answer = json.loads(out.getvalue())
    assert answer["schema"] == "tfdoctor/1" and answer["command"] == "explain"
    assert answer["recognised"] == bool(answer["findings"])
    assert isinstance(answer["next"], str) and answer["next"].startswith("tfdoctor check")
    severities = {f["severity"] for f in answer["findings"]}
    assert (code == 1) == ("error" in severities)
    for finding in answer["findings"]:
        assert 0 < finding["confidence"] <= 1
        assert 1 <= len(finding["evidence"]) <= 3 or finding["data"].get("proven_by")


@FUZZ
@given(data=BYTES, chunk=st.integers(min_value=1, max_value=300))
def test_chunks_of_any_size_give_the_result_of_the_whole(data: bytes, chunk: int) -> None:
    try:
        whole = explain_stream(io.BytesIO(data))
    except ValueError:
        return  # not text: refused the same way whatever the chunks (tested in test_explain_stream)
    chunked = explain_stream(io.BytesIO(data), chunk_bytes=chunk)
    assert [f.to_json() for f in chunked.findings] == [f.to_json() for f in whole.findings]
    assert chunked.lines_read == whole.lines_read
    assert chunked.error_lines == whole.error_lines
