"""uv's resolver error, in plain words: which requirements cannot hold together, or which package
has no wheel for the checked Python or platform.

uv explains a failure as a chain of "Because A depends on B and you require C, we can conclude
..." sentences (PubGrub). The facts in it are collected; a package that two of them constrain
differently is the conflict, named with both sides."""

from __future__ import annotations

import re
from typing import NamedTuple

from tfdoctor.pep508 import canonical
from tfdoctor.redact import credentials

_OP = r"(?:===|==|!=|>=|<=|~=|>|<)"
# uv writes a requirement as name[extras]{marker}specifiers: tensorflow{sys_platform != 'darwin'}>=2.15
_REQ = rf"[A-Za-z0-9][A-Za-z0-9._\-]*(?:\[[^\]\s]*\])?(?:\{{[^}}]*\}})?(?:{_OP}[^\s,]+(?:,{_OP}[^\s,]+)*)?"
_DEPENDS = re.compile(rf"(?:all versions of )?({_REQ}) depends? on ({_REQ})")
_REQUIRE = re.compile(rf"you require ({_REQ})")
_NO_WHEEL = re.compile(
    rf"({_REQ}) has no wheels with a matching (Python ABI|Python implementation|platform) tag(?: \(e\.g\., `([^`]+)`\))?"
)
_NO_BUILD = re.compile(
    rf"({_REQ}) (?:has no usable wheels|was not found.*building from source is disabled|has no wheels).*building"
)
_NOT_FOUND = re.compile(rf"({_REQ}) was not found in the package registry")
_NO_VERSION = re.compile(rf"there (?:is|are) no versions? of ({_REQ})")
_PYTHON = re.compile(rf"({_REQ}) depends on Python({_OP}[^\s,]+(?:,{_OP}[^\s,]+)*)")
_NETWORK = ("Failed to fetch", "error sending request", "dns error", "Request failed after")


class Constraint(NamedTuple):
    package: str  # canonical name
    requirement: str  # as uv wrote it: keras>=2.15.0,<2.16
    by: str  # "you" or the requirement that declares it: tensorflow==2.15.1


class Explanation(NamedTuple):
    kind: str  # conflict | python | platform | no-wheel | missing | unreachable | other
    sentence: str
    packages: tuple[str, ...]  # canonical names involved
    details: tuple[str, ...]  # uv's own lines, credentials removed, for evidence
    asked: tuple[str, ...] = ()  # conflict: the packages the set itself asks for in it


def _name(requirement: str) -> str:
    return canonical(re.split(r"[\[{<>=!~]", requirement, maxsplit=1)[0])


def _plain(requirement: str) -> str:
    """Without uv's ``{marker}``: ``tensorflow>=2.15.0,<2.16``."""
    return re.sub(r"\{[^}]*\}", "", requirement)


def _spec(requirement: str) -> str:
    return requirement[len(re.split(r"[<>=!~]", requirement, maxsplit=1)[0]) :]


def _label(requirement: str) -> str:
    """``tensorflow==2.15.1`` -> ``tensorflow 2.15.1``; ranges stay as they are."""
    name, op, version = requirement.partition("==")
    return f"{name} {version}" if op and "," not in version else requirement


def explain(message: str) -> Explanation:
    text = " ".join(line.strip() for line in message.splitlines())
    details = tuple(
        credentials(line.strip())
        for line in message.splitlines()
        if line.strip() and not line.lstrip().startswith("warning:")
    )
    if any(marker in text for marker in _NETWORK) and "No solution found" not in text:
        return Explanation(
            "unreachable",
            "uv could not reach the package index to resolve the set",
            (),
            details[-3:],
        )
    wheel = _NO_WHEEL.search(text)
    if wheel:
        requirement, what, example = wheel.group(1), wheel.group(2), wheel.group(3) or ""
        hint = next((d for d in details if d.startswith("hint:")), "")
        kind = "platform" if what == "platform" else "python"
        where = f" ({example})" if example else ""
        return Explanation(
            kind,
            f"{_label(requirement)} has no wheel for this {'platform' if kind == 'platform' else 'Python'}{where}"
            + (f"; {hint[5:].strip()}" if hint else ""),
            (_name(requirement),),
            details,
        )
    constraints = _constraints(text)
    by_package: dict[str, list[Constraint]] = {}
    for constraint in constraints:
        group = by_package.setdefault(constraint.package, [])
        if constraint.requirement not in [c.requirement for c in group]:
            group.append(constraint)
    clashes = [
        group for group in by_package.values() if len({_spec(c.requirement) for c in group}) > 1
    ]
    if clashes:
        group = clashes[-1]  # uv's last step names the requirements that finally clash
        first, second = group[0], group[-1]
        sentence = (
            f"{_side(first)} {first.requirement}, but {_side(second)} {second.requirement}: "
            f"no {first.package} release satisfies both"
        )
        involved = {first.package, *(_name(c.by) for c in (first, second) if c.by != "you")}
        asked = tuple(sorted({c.package for c in group if c.by == "you"}))
        return Explanation("conflict", sentence, tuple(sorted(involved)), details, asked)
    python = _PYTHON.search(text)
    if python:
        return Explanation(
            "python",
            f"{_label(python.group(1))} requires Python{python.group(2)}",
            (_name(python.group(1)),),
            details,
        )
    for pattern, kind, words in (
        (_NOT_FOUND, "missing", "is not in the package index"),
        (_NO_VERSION, "missing", "has no release that matches"),
        (_NO_BUILD, "no-wheel", "has no wheel (tfdoctor does not build packages from source)"),
    ):
        found = pattern.search(text)
        if found:
            return Explanation(kind, f"{found.group(1)} {words}", (_name(found.group(1)),), details)
    cause = next((d for d in details if d.startswith(("cause:", "error:"))), "")
    return Explanation(
        "other", cause.partition(":")[2].strip() or "uv could not resolve the set", (), details
    )


def _side(constraint: Constraint) -> str:
    return "the set asks for" if constraint.by == "you" else f"{_label(constraint.by)} requires"


def _constraints(text: str) -> list[Constraint]:
    found: list[Constraint] = []
    for match in _DEPENDS.finditer(text):
        requirer, required = match.group(1), match.group(2)
        if required.lower().startswith("python"):
            continue
        found.append(Constraint(_name(required), _plain(required), _plain(requirer)))
    for match in _REQUIRE.finditer(text):
        found.append(Constraint(_name(match.group(1)), _plain(match.group(1)), "you"))
    return found
