"""Differential test: tfdoctor.version.Version (the check path's PEP 440 type) accepts, rejects,
normalises, compares and hashes every generated string as packaging.version.Version does."""

from __future__ import annotations

import itertools
from typing import Optional

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from packaging.version import InvalidVersion as PackagingInvalid
from packaging.version import Version as PackagingVersion

from tfdoctor.version import InvalidVersion, Version

SEPARATORS = st.sampled_from(["", ".", "-", "_"])
NUMBERS = st.one_of(st.integers(0, 12), st.sampled_from(["00", "007", "20261026", "10" * 12]))
PRE = st.sampled_from(["a", "b", "c", "rc", "alpha", "beta", "pre", "preview", "RC", "Alpha"])
POST = st.sampled_from(["post", "rev", "r", "POST", "Rev"])
LOCAL_PARTS = st.sampled_from(["ubuntu", "cpu", "cu121", "1", "01", "abc", "ABC", "x9", "0"])
SPACE = st.sampled_from(["", " ", "\t", "\n", " \u00a0", "\u2003"])


@st.composite
def pep440_like(draw: st.DrawFn) -> str:
    """Mostly valid versions in every spelling PEP 440 normalises."""
    text = draw(SPACE) + draw(st.sampled_from(["", "v", "V"]))
    if draw(st.booleans()):
        text += f"{draw(NUMBERS)}!"
    text += ".".join(str(n) for n in draw(st.lists(NUMBERS, min_size=1, max_size=4)))
    if draw(st.booleans()):
        number = draw(st.one_of(st.just(""), NUMBERS.map(str)))
        text += draw(SEPARATORS) + draw(PRE) + draw(SEPARATORS) + number
    if draw(st.booleans()):
        if draw(st.booleans()):
            text += f"-{draw(NUMBERS)}"
        else:
            number = draw(st.one_of(st.just(""), NUMBERS.map(str)))
            text += draw(SEPARATORS) + draw(POST) + draw(SEPARATORS) + number
    if draw(st.booleans()):
        number = draw(st.one_of(st.just(""), NUMBERS.map(str)))
        text += draw(SEPARATORS) + draw(st.sampled_from(["dev", "DEV"])) + draw(SEPARATORS) + number
    if draw(st.booleans()):
        parts = draw(st.lists(LOCAL_PARTS, min_size=1, max_size=3))
        text += "+" + "".join(p + draw(st.sampled_from([".", "-", "_"])) for p in parts)[:-1]
    return text + draw(SPACE)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A PEP 440-like string with one character inserted, removed or replaced: mostly invalid."""
    text = draw(pep440_like())
    at = draw(st.integers(0, len(text)))
    char = draw(st.sampled_from(list(".-_+!vV aAbcdeoprstx0912*\u212a\u0131\u00b2\u0661")))
    how = draw(st.sampled_from(["insert", "remove", "replace"]))
    if how == "insert":
        return text[:at] + char + text[at:]
    if how == "remove":
        return text[:at] + text[at + 1 :]
    return text[:at] + char + text[at + 1 :]


ALPHABET = "0123456789.!+-_ vVabcdeilnoprstvwxyzABCDERV\t\n\u00a0\u212a\u0131\u00b2\u0661"
versions = st.one_of(
    pep440_like(),
    mutated(),
    st.text(alphabet=ALPHABET, max_size=16),
    st.text(max_size=8),
)

EXAMPLES = [
    "2.16.0rc0", "2.16.0-rc.0", " v2.16.0 ", "2.23.0.dev20261026", "2.14.0.600", "1!1.0",
    "1.0a", "1.0a.", "1.0-1", "1.0-r", "1.0.post", "1.0_a_1_post_2_dev_3", "1.0+Ubuntu-01.x",
    "1.0+abc.007", "1.0+", "1..2", ".1", "1.", "", " ", "1.0.*", "1.0+\u212a", "1.0\u00b2",
    "\u0661.0", "1.0 \u00a0", "2.0.0-91-generic", "5.15.0-91-generic", "1.0-1-dev", "01.002",
]  # fmt: skip


def _packaging(text: str) -> Optional[PackagingVersion]:
    try:
        return PackagingVersion(text)
    except PackagingInvalid:
        return None


def _ours(text: str) -> Optional[Version]:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _parts(version: Version | PackagingVersion) -> tuple[object, ...]:
    return (
        str(version),
        version.epoch,
        version.release,
        version.pre,
        version.post,
        version.dev,
        version.local,
        version.public,
        version.base_version,
        version.is_prerelease,
        version.is_postrelease,
        version.is_devrelease,
        version.major,
        version.minor,
        version.micro,
    )


def _agrees(text: str) -> None:
    reference, ours = _packaging(text), _ours(text)
    assert (ours is None) == (reference is None), (text, reference)
    if ours is not None and reference is not None:
        assert _parts(ours) == _parts(reference), text


@settings(max_examples=4000, deadline=None)
@given(versions)
def test_parses_as_packaging_does(text: str) -> None:
    _agrees(text)


@pytest.mark.parametrize("text", EXAMPLES)
def test_explicit_cases_parse_as_packaging_does(text: str) -> None:
    _agrees(text)


@settings(max_examples=4000, deadline=None)
@given(pep440_like(), pep440_like())
@example("1.0.dev0", "1.0a0")
@example("1.0", "1.0.0.0")
@example("1.0+abc", "1.0+1")
@example("1.0+ABC", "1.0+abc")
@example("1.0.post0.dev0", "1.0.post0")
@example("1!0.1", "2.0")
def test_orders_as_packaging_does(left: str, right: str) -> None:
    ref_left, ref_right = _packaging(left), _packaging(right)
    assume(ref_left is not None and ref_right is not None)
    assert ref_left is not None and ref_right is not None
    ours_left, ours_right = Version(left), Version(right)
    assert (ours_left < ours_right, ours_left == ours_right, ours_left > ours_right) == (
        ref_left < ref_right,
        ref_left == ref_right,
        ref_left > ref_right,
    ), (left, right)
    assert (ours_left <= ours_right, ours_left >= ours_right, ours_left != ours_right) == (
        ref_left <= ref_right,
        ref_left >= ref_right,
        ref_left != ref_right,
    ), (left, right)
    assert (hash(ours_left) == hash(ours_right)) or ours_left != ours_right


def test_sorts_a_release_history_as_packaging_does() -> None:
    history = [
        "2.16.0", "2.16.0rc0", "2.16.0.dev1", "2.16.0a1.dev2", "2.16.0a1", "2.16.0b1",
        "2.16.0.post1", "2.16.0.post1.dev0", "2.16.0+cpu", "2.16.0+1", "2.16", "1!0.1",
        "2.15.1", "2.16.0-1", "2.16.0a1.post1", "2.16.1",
    ]  # fmt: skip
    for order in itertools.islice(itertools.permutations(history), 0, 200, 37):
        ours = [str(v) for v in sorted(Version(t) for t in order)]
        reference = [str(v) for v in sorted(PackagingVersion(t) for t in order)]
        assert ours == reference


def test_rejects_what_is_not_a_version() -> None:
    for text in ("", "1..2", "1.0+", "2.*", "latest", "1.0 1"):
        with pytest.raises(InvalidVersion):
            Version(text)
    assert issubclass(InvalidVersion, ValueError)
    assert Version("1.0").__eq__("1.0") is NotImplemented
    with pytest.raises(TypeError):
        _ = Version("1.0") < "2.0"  # type: ignore[operator]
