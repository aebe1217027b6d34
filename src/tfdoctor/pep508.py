"""Requires-Dist lines, version specifiers and markers, on the fast path.

``packaging`` is the reference and stays the fallback: importing its requirement, specifier and
marker modules costs ~80 ms on this machine, more than a whole ``pipdeptree`` run, and a plain
``tfdoctor check`` must start faster than that. So the common forms (a name, extras, the
specifier operators on valid versions, markers made of comparisons, ``and``/``or`` and
parentheses) are handled here with ``tfdoctor.version`` (PEP 440 versions, held to
``packaging.version`` by its own differential test) only, and anything else — a URL
requirement, ``===``, a wildcard, a value that is not a version where one is compared as one —
is answered by ``packaging`` itself: every function returns its answer or defers. The
differential tests run both on every Requires-Dist line of the knowledge base and the test
environments.
"""

from __future__ import annotations

import re
from functools import lru_cache

from tfdoctor.version import InvalidVersion, Version

_NAME = re.compile(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*")
_CLAUSE = re.compile(r"\s*(~=|==|!=|<=|>=|<|>)\s*([A-Za-z0-9.!+_-]+)\s*$")
_TOKEN = re.compile(
    r"""\s*(?:(?P<str>'[^']*'|"[^"]*")|(?P<op>===|==|!=|<=|>=|~=|<|>|not\s+in\b|in\b)|"""
    r"""(?P<bool>and\b|or\b)|(?P<paren>[()])|(?P<var>[A-Za-z_][A-Za-z0-9_.]*))"""
)
_SEPARATORS = re.compile(r"[-_.]+")
_ALIASES = {
    "os.name": "os_name",
    "sys.platform": "sys_platform",
    "platform.version": "platform_version",
    "platform.machine": "platform_machine",
    "platform.python_implementation": "platform_python_implementation",
    "python_implementation": "platform_python_implementation",
}
_VARIABLES = frozenset(
    {
        "implementation_name",
        "implementation_version",
        "os_name",
        "platform_machine",
        "platform_release",
        "platform_system",
        "platform_version",
        "python_full_version",
        "platform_python_implementation",
        "python_version",
        "sys_platform",
        "extra",
    }
)


class Defer(Exception):
    """This module cannot answer with certainty: ask ``packaging``."""


def canonical(name: str) -> str:
    """PEP 503 normalised distribution name."""
    lowered = name.lower()
    if "_" in lowered or "." in lowered or "--" in lowered:  # the regex only where it matters
        return _SEPARATORS.sub("-", lowered)
    return lowered


class Req:
    """A parsed Requires-Dist line: name, extras, specifier text and marker text."""

    __slots__ = ("extras", "line", "marker", "name", "specifier")

    def __init__(self, line: str, name: str, extras: frozenset[str], specifier: str, marker: str):
        self.line = line
        self.name = name
        self.extras = extras
        self.specifier = specifier  # "" or "<2.0.0,>=1.23.5" as written (no spaces)
        self.marker = marker  # "" when there is none

    def __str__(self) -> str:
        return self.line

    def __repr__(self) -> str:
        return f"Req({self.line!r})"

    def allows(self, version: str) -> bool:
        return allows(self.specifier, version)

    def applies(self, environment: dict[str, str], extra: str = "") -> bool:
        if not self.marker:
            return not extra
        if not extra:
            return evaluate(self.marker, {**environment, "extra": ""})
        return evaluate(self.marker, {**environment, "extra": extra}) and not evaluate(
            self.marker, {**environment, "extra": ""}
        )


@lru_cache(maxsize=8192)
def parse(line: str) -> Req | None:
    """The requirement, or None when it is not a valid PEP 508 line."""
    try:
        return _parse_fast(line)
    except Defer:
        pass
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        parsed = Requirement(line)
    except InvalidRequirement:
        return None
    if parsed.url:
        return None  # direct references are not checked against versions
    return Req(
        line,
        parsed.name,
        frozenset(parsed.extras),
        str(parsed.specifier),
        str(parsed.marker) if parsed.marker else "",
    )


def _parse_fast(line: str) -> Req:
    if "@" in line.partition(";")[0]:
        raise Defer
    head, _, marker = line.partition(";")
    match = _NAME.match(head)
    if match is None:
        raise Defer
    name = match.group(1)
    rest = head[match.end() :]
    extras: frozenset[str] = frozenset()
    if rest.startswith("["):
        close = rest.find("]")
        if close < 0:
            raise Defer
        extras = frozenset(e.strip() for e in rest[1:close].split(",") if e.strip())
        rest = rest[close + 1 :]
    rest = rest.strip()
    if rest.startswith("(") and rest.endswith(")"):
        rest = rest[1:-1]
    clauses = []
    if rest.strip():
        for clause in rest.split(","):
            found = _CLAUSE.match(clause)
            if found is None or "*" in clause:
                raise Defer
            op, version = found.groups()
            parsed = _version(version)  # must be a valid version, else packaging decides
            if op == "~=" and len(parsed.release) < 2:
                raise Defer
            clauses.append(op + version)
    marker = marker.strip()
    if marker:
        _tokens(marker)  # syntax check now: a marker this module cannot read is deferred
    return Req(line, name, extras, ",".join(sorted(clauses)), marker)


@lru_cache(maxsize=4096)
def _version(text: str) -> Version:
    try:
        return Version(text)
    except InvalidVersion:
        raise Defer from None


def _clause_holds(op: str, spec: Version, candidate: Version) -> bool:
    public = Version(candidate.public) if candidate.local else candidate
    if op == "==":
        if spec.local:
            return candidate == spec
        return public == spec
    if op == "!=":
        return not _clause_holds("==", spec, candidate)
    if op == "<=":
        return public <= spec
    if op == ">=":
        return public >= spec
    if op in ("<", ">") and _unusual(spec, candidate):
        raise Defer  # pre/post/dev/local next to an exclusive bound: packaging releases differ
    if op == "<":
        if not public < spec:
            return False
        return spec.is_prerelease or not (
            public.is_prerelease and Version(public.base_version) == Version(spec.base_version)
        )
    if op == ">":
        if not public > spec:
            return False
        same_base = Version(public.base_version) == Version(spec.base_version)
        if not spec.is_postrelease and public.is_postrelease and same_base:
            return False
        return not (candidate.local and same_base)
    if op == "~=":
        if len(spec.release) < 2:
            raise Defer
        if not _clause_holds(">=", spec, candidate):
            return False
        prefix = spec.release[:-1]
        release = (*candidate.release, *(0,) * len(prefix))
        return candidate.epoch == spec.epoch and release[: len(prefix)] == prefix
    raise Defer


def _unusual(spec: Version, candidate: Version) -> bool:
    """Where packaging's releases differ on an exclusive bound: a candidate that is not a plain
    release, or a local or post bound. A plain release against a pre-release or dev bound
    (``<5.0.0dev``, TensorFlow's protobuf bound up to 2.15) is a plain comparison in all."""
    candidate_plain = not (
        candidate.local or candidate.pre or candidate.post is not None or candidate.dev is not None
    )
    return not candidate_plain or bool(spec.local) or spec.post is not None


_PREFIX_CLAUSE = re.compile(r"\s*(==|!=)\s*(\d{1,9}(?:\.\d{1,9}){0,8})\.\*\s*$")


def _prefix_holds(clause: str, candidate: Version) -> bool:
    """``==3.0.*`` / ``!=3.0.*`` (Requires-Python's usual wildcards): the candidate's release,
    padded with zeros, starts with the prefix (its pre, post, dev and local parts aside)."""
    found = _PREFIX_CLAUSE.match(clause)
    if found is None or candidate.epoch != 0:
        raise Defer
    op, text = found.groups()
    prefix = tuple(int(part) for part in text.split("."))
    release = (*candidate.release, *(0,) * len(prefix))
    matches = release[: len(prefix)] == prefix
    return matches if op == "==" else not matches


def allows(specifier: str, version: str) -> bool:
    """Whether ``version`` meets ``specifier`` ("" allows anything; pre-releases allowed)."""
    if not specifier:
        return True
    try:
        candidate = _version(version)
        for clause in specifier.split(","):
            if "*" in clause:
                if not _prefix_holds(clause, candidate):
                    return False
                continue
            found = _CLAUSE.match(clause)
            if found is None:
                raise Defer
            op, text = found.groups()
            spec = _version(text)
            if spec.local and op not in ("==", "!="):
                raise Defer  # not a valid specifier: packaging says so
            if not _clause_holds(op, spec, candidate):
                return False
        return True
    except Defer:
        from packaging.specifiers import InvalidSpecifier, SpecifierSet
        from packaging.version import InvalidVersion as PackagingInvalidVersion

        try:
            return SpecifierSet(specifier).contains(version, prereleases=True)
        except (InvalidSpecifier, PackagingInvalidVersion):
            return False


# -- markers ---------------------------------------------------------------------------------
@lru_cache(maxsize=4096)
def _tokens(marker: str) -> tuple[tuple[str, str], ...]:
    tokens = []
    position = 0
    text = marker.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise Defer
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "var":
            value = _ALIASES.get(value, value)
            if value not in _VARIABLES:
                raise Defer
        if kind == "op":
            value = " ".join(value.split())
            if value == "===":
                raise Defer
        tokens.append((kind, value))
        position = match.end()
    return tuple(tokens)


def evaluate(marker: str, environment: dict[str, str]) -> bool:
    """Evaluate a marker in ``environment`` (which must hold every variable)."""
    try:
        tokens = _tokens(marker)
        value, position = _or(tokens, 0, environment)
        if position != len(tokens):
            raise Defer
        return value
    except Defer:
        return _evaluate_with_packaging(marker, environment)


def _evaluate_with_packaging(marker: str, environment: dict[str, str]) -> bool:
    from packaging.markers import (
        InvalidMarker,
        Marker,
        UndefinedComparison,
        UndefinedEnvironmentName,
    )
    from packaging.version import InvalidVersion as PackagingInvalidVersion

    try:
        return bool(Marker(marker).evaluate(environment))
    except (
        InvalidMarker,
        UndefinedComparison,
        UndefinedEnvironmentName,
        PackagingInvalidVersion,
    ):
        return False


def _or(tokens: tuple[tuple[str, str], ...], i: int, env: dict[str, str]) -> tuple[bool, int]:
    value, i = _and(tokens, i, env)
    while i < len(tokens) and tokens[i] == ("bool", "or"):
        right, i = _and(tokens, i + 1, env)
        value = value or right
    return value, i


def _and(tokens: tuple[tuple[str, str], ...], i: int, env: dict[str, str]) -> tuple[bool, int]:
    value, i = _atom(tokens, i, env)
    while i < len(tokens) and tokens[i] == ("bool", "and"):
        right, i = _atom(tokens, i + 1, env)
        value = value and right
    return value, i


def _atom(tokens: tuple[tuple[str, str], ...], i: int, env: dict[str, str]) -> tuple[bool, int]:
    if i >= len(tokens):
        raise Defer
    if tokens[i] == ("paren", "("):
        value, i = _or(tokens, i + 1, env)
        if i >= len(tokens) or tokens[i] != ("paren", ")"):
            raise Defer
        return value, i + 1
    if i + 3 > len(tokens):
        raise Defer
    (lkind, left), (okind, op), (rkind, right) = tokens[i : i + 3]
    if okind != "op" or lkind not in ("var", "str") or rkind not in ("var", "str"):
        raise Defer
    if (lkind == "var") == (rkind == "var"):
        raise Defer  # two variables or two strings: leave it to packaging
    key = left if lkind == "var" else right
    if key not in env:
        raise Defer
    lhs = env[key] if lkind == "var" else left[1:-1]
    rhs = env[key] if rkind == "var" else right[1:-1]
    if key == "extra":
        lhs, rhs = canonical(lhs), canonical(rhs)
    return _compare(lhs, op, rhs, key), i + 3


# packaging compares these as versions (a Specifier built from the operator and the right side);
# every other variable as a plain string (older packaging releases tried a Specifier for any).
_VERSION_KEYS = frozenset(
    {"python_version", "python_full_version", "implementation_version", "platform_release"}
)


def _compare(lhs: str, op: str, rhs: str, key: str) -> bool:
    """The fast answer where every supported packaging release agrees; Defer elsewhere (a
    wildcard such as "3.*", a local version with an ordering operator, a version-like string
    compared as a plain string, an ordering of strings)."""
    if op in ("in", "not in"):
        return (lhs in rhs) == (op == "in")
    try:
        spec: Version | None = _version(rhs)
    except Defer:
        spec = None
    if key in _VERSION_KEYS:
        if spec is None:
            if "*" in rhs or op not in ("==", "!="):
                raise Defer
            return (lhs == rhs) == (op == "==")
        if spec.local and op not in ("==", "!="):
            raise Defer  # no valid Specifier: packaging falls back to comparing strings
        return _clause_holds(op, spec, _version(lhs))  # a non-version left side: Defer
    if op not in ("==", "!=") or spec is not None:
        raise Defer
    return (lhs == rhs) == (op == "==")


def combine(*specifiers: str) -> str:
    """Specifiers joined into one (``"<2.0.0,>=1.23.5"`` & ``"<2"``), sorted as packaging prints
    them; a clause equal to one already there (``<2`` and ``<2.0.0``) is kept once."""
    seen: dict[tuple[str, object], str] = {}
    for specifier in specifiers:
        for clause in filter(None, (c.strip() for c in specifier.split(","))):
            found = _CLAUSE.match(clause)
            key: tuple[str, object]
            if found is None or "*" in clause:
                key = ("", clause)
            else:
                try:
                    key = (found.group(1), _version(found.group(2)))
                except Defer:
                    key = ("", clause)
            seen.setdefault(key, clause.replace(" ", ""))
    return ",".join(sorted(seen.values()))
