"""The fast PEP 508 path gives exactly packaging's answers on every real Requires-Dist line."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.markers import default_environment
from packaging.requirements import Requirement

from tfdoctor import pep508

VERSIONS = [
    "0.1", "1.0", "1.0.post1", "1.0+local", "1.23.5", "1.26.4", "2", "2.0.0", "2.0.0rc1", "2.1.3",
    "2.15.0", "2.15.1", "2.16.0rc0", "2.16.1", "2.21.0", "2.23.0.dev20261026", "3.0.0", "3.15.1",
    "3.20.3", "4.21.0", "4.25.9", "5.0.0", "5.0.0.dev0", "6.33.1", "0.3.2", "12.5.82", "9.3.0.75",
]  # fmt: skip
PLATFORMS = [("linux", "x86_64", "Linux", "posix"), ("darwin", "arm64", "Darwin", "posix"),
             ("win32", "AMD64", "Windows", "nt")]  # fmt: skip
PYTHONS = [
    ("3.7", "3.7.16"),
    ("3.9", "3.9.18"),
    ("3.11", "3.11.7"),
    ("3.12", "3.12.1"),
    ("3.13", "3.13.0"),
]


def _lines() -> list[str]:
    data = json.loads(
        resources.files("tfdoctor")
        .joinpath("kb")
        .joinpath("data")
        .joinpath("declared.json")
        .read_text()
    )
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "requires_dist" and isinstance(value, list):
                    found.update(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(data)
    for metadata in Path(__file__).parent.glob("data/**/METADATA"):
        found.update(
            line.split(":", 1)[1].strip()
            for line in metadata.read_text().splitlines()
            if line.startswith("Requires-Dist:")
        )
    extra = {
        "foo (>=1.0,<2)", "foo[bar,baz]>=1; python_version < '3.8' or (sys_platform == 'win32' and extra == 'x')",
        "foo==1.*", "foo===1.0", "foo @ https://example.org/foo.whl", "foo~=1", "foo; platform_release >= '5'",
        "foo!=2.0.*; os.name == 'nt'", "foo; 'linux' in sys_platform", "foo; python_version not in '3.7, 3.8'",
    }  # fmt: skip
    return sorted(found | extra)


LINES = _lines()


def test_the_sample_is_large() -> None:
    assert len(LINES) > 500


@pytest.mark.parametrize("line", LINES)
def test_same_answers_as_packaging(line: str) -> None:
    try:
        reference = Requirement(line)
    except Exception:
        assert pep508.parse(line) is None
        return
    mine = pep508.parse(line)
    if reference.url:
        assert mine is None
        return
    assert mine is not None
    assert pep508.canonical(mine.name) == pep508.canonical(reference.name)
    assert mine.extras == frozenset(reference.extras)
    for version in VERSIONS:
        assert mine.allows(version) == reference.specifier.contains(version, prereleases=True), (
            version
        )
    if reference.marker is None:
        return
    for (short, full), (plat, machine, system, os_name) in (
        (p, q) for p in PYTHONS for q in PLATFORMS
    ):
        env = {**default_environment(), "python_version": short, "python_full_version": full,
               "sys_platform": plat, "platform_machine": machine, "platform_system": system,
               "os_name": os_name}  # fmt: skip
        for extra in ("", "and-cuda", "toml", "x"):
            try:
                expected = reference.marker.evaluate({**env, "extra": extra})
            except Exception:
                expected = False
            assert pep508.evaluate(mine.marker, {**env, "extra": extra}) == expected, (env, extra)


def test_most_lines_take_the_fast_path() -> None:
    fast = 0
    for line in LINES:
        try:
            pep508._parse_fast(line)
            fast += 1
        except pep508.Defer:
            pass
    assert fast / len(LINES) > 0.95


def test_combine_keeps_equal_clauses_once() -> None:
    assert pep508.combine("<2.0.0,>=1.23.5", "<2") == "<2.0.0,>=1.23.5"
    assert pep508.combine("", ">=3") == ">=3"


@given(st.text(alphabet=st.sampled_from("aZz09-_.. Ä-_"), max_size=12) | st.text(max_size=12))
def test_canonical_is_packagings_canonicalize_name(name: str) -> None:
    """pep508.canonical is the one name normaliser (a fast path for names without separators to
    fold); it must agree with packaging's on every name."""
    from packaging.utils import canonicalize_name

    assert pep508.canonical(name) == canonicalize_name(name)
