"""Property-based differential test: pep508.evaluate and pep508.allows agree with packaging on
generated markers and specifiers (wildcards, `!=`, pre/post/local versions, strings, nesting)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.markers import InvalidMarker, Marker, UndefinedComparison, UndefinedEnvironmentName
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion

from tfdoctor import pep508

VERSIONISH = [
    "3", "3.7", "3.9", "3.11", "3.12", "3.13", "3.11.7", "3.12.1", "3.13.0rc1", "2.7",
    "3.*", "3.1*", "3.11.*", "2.*", "3.12.0.*", "1!3.11", "3.11+local", "3.11.post1",
    "3.11a1", "3.11.dev0", "5.15.0-91-generic", "6.8.0", "3.12dev", "3.11.0rc1", "3.11.post1.dev2",
]  # fmt: skip
WORDS = ["linux", "win32", "darwin", "x86_64", "AMD64", "arm64", "cpython", "posix", "nt", "gpu",
         "Linux", "CPython", ""]  # fmt: skip
VARIABLES = ["python_version", "python_full_version", "sys_platform", "platform_machine",
             "implementation_name", "platform_release", "os_name", "platform_system",
             "implementation_version", "platform_python_implementation", "extra"]  # fmt: skip
OPS = ["==", "!=", "<", "<=", ">", ">=", "~=", "in", "not in"]

values = st.sampled_from(VERSIONISH + WORDS)


@st.composite
def comparisons(draw: st.DrawFn) -> str:
    var = draw(st.sampled_from(VARIABLES))
    op = draw(st.sampled_from(OPS))
    literal = f'"{draw(values)}"'
    return f"{var} {op} {literal}" if draw(st.booleans()) else f"{literal} {op} {var}"


markers = st.recursive(
    comparisons(),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(" ".join),
        inner.map(lambda m: f"({m})"),
    ),
    max_leaves=4,
)
environments = st.fixed_dictionaries({name: values for name in VARIABLES})


def _packaging_evaluate(marker: str, environment: dict[str, str]) -> bool:
    try:
        return bool(Marker(marker).evaluate(environment))
    except (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName, InvalidVersion):
        return False


@settings(max_examples=3000, deadline=None)
@given(markers, environments)
def test_evaluate_agrees_with_packaging(marker: str, environment: dict[str, str]) -> None:
    assert pep508.evaluate(marker, environment) == _packaging_evaluate(marker, environment)


def test_the_reported_wildcard_cases() -> None:
    env = {name: "" for name in VARIABLES} | {"python_version": "3.12"}
    assert pep508.evaluate('python_version == "3.*"', env) is True
    assert pep508.evaluate('python_version != "3.*"', env) is False
    assert pep508.evaluate('python_version != "2.*"', env) is True


@settings(max_examples=2000, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(OPS[:7]), st.sampled_from(VERSIONISH)), min_size=1, max_size=3
    ),
    st.sampled_from(VERSIONISH),
)
def test_allows_agrees_with_packaging(clauses: list[tuple[str, str]], version: str) -> None:
    specifier = ",".join(op + v for op, v in clauses)
    try:
        expected = SpecifierSet(specifier).contains(version, prereleases=True)
    except (InvalidSpecifier, InvalidVersion):
        expected = False
    assert pep508.allows(specifier, version) == expected
