"""Fuzz tests for the probe's parsers: whatever a target writes, tfdoctor answers with data or
a usage error, never a crash. Random and adversarial input (hypothesis)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tfdoctor.errors import UsageError
from tfdoctor.probe import static
from tfdoctor.snapshot import Snapshot
from tfdoctor.target import BEGIN, END, _parse

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(JSON_VALUES)
def test_dump_writes_what_json_reads_back(value: Any) -> None:
    """The probe writes JSON without the json module: differential against json."""
    out: list[str] = []
    static.dump(value, out)
    text = "".join(out)
    assert text.isascii()
    assert json.loads(text) == value


@given(st.text())
def test_metadata_headers_of_any_text_are_a_mapping_of_lists(text: str) -> None:
    headers = static.parse_headers(text)
    assert all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in headers.values())
    assert all(k == k.strip().lower() for k in headers)


@given(st.one_of(st.text(), st.text().map(lambda t: "build_info = " + t)))
@settings(max_examples=300)
def test_any_build_info_text_is_a_mapping_none_or_an_unparseable_error(text: str) -> None:
    """TensorFlow's build_info.py is read with ast, never run: any text gives the literal's
    mapping, None, or one of the errors tensorflow_build() reports as unparseable."""
    try:
        found = static.build_info_values(text)
    except (SyntaxError, ValueError, TypeError, RecursionError, MemoryError):
        return
    assert found is None or isinstance(found, dict)


@given(st.binary(max_size=2000), st.binary(max_size=200), st.integers(-9, 255))
@settings(max_examples=300)
def test_any_probe_output_is_data_or_a_usage_error(out: bytes, err: bytes, code: int) -> None:
    _data_or_usage_error(out, err, code)


@given(JSON_VALUES, st.binary(max_size=100), st.binary(max_size=100))
@settings(max_examples=300)
def test_any_json_between_the_markers_is_data_or_a_usage_error(
    value: Any, before: bytes, after: bytes
) -> None:
    body = json.dumps(value).encode()
    _data_or_usage_error(before + BEGIN.encode() + body + END.encode() + after, b"", 0)


@given(
    st.dictionaries(
        st.sampled_from(
            [
                "probe",
                "python",
                "distributions",
                "sys_path",
                "environ",
                "site_packages",
                "pyvenv_cfg",
            ]
        ),
        JSON_VALUES,
        max_size=7,
    )
)
@settings(max_examples=300)
def test_a_probe_document_of_the_wrong_shape_is_a_usage_error_not_a_crash(
    doc: dict[str, Any],
) -> None:
    """A probe document that passed the marker check but whose fields have other types."""
    doc = {**doc, "probe": 1}
    body = BEGIN + json.dumps(doc) + END
    try:
        data = _parse("fuzz", body.encode(), b"", 0)
        Snapshot.from_probe(data)
    except UsageError:
        pass


def _data_or_usage_error(out: bytes, err: bytes, code: int) -> None:
    try:
        data = _parse("fuzz", out, err, code)
    except UsageError as exc:
        assert "\n" not in str(exc).strip() or len(str(exc)) < 2000
        return
    assert isinstance(data, dict)


def test_the_fuzzed_parser_rejects_a_plain_non_probe_document() -> None:
    """The property tests above would pass on a parser that accepts everything: pin one case."""
    with pytest.raises(UsageError, match="other than tfdoctor's probe document"):
        _parse("x", (BEGIN + '{"a": 1}' + END).encode(), b"", 0)
