"""The package changes a finding's shell text makes, read back from the commands that
``tfdoctor.installers.Installer`` writes, and compared with the finding's Remedy records."""

from __future__ import annotations

import shlex
from collections import Counter
from collections.abc import Iterable
from typing import Any

Change = tuple[str, str, str]  # (kind, target, value), as a Remedy's first three fields

PACKAGE_CHANGES = ("install", "reinstall", "uninstall")
_VERBS = {"install": "install", "add": "install", "uninstall": "uninstall", "remove": "uninstall"}
_WITH_VALUE = ("--python", "-p")  # options followed by a value (uv's interpreter, conda's prefix)
_USER_SITE = "# from the user site"


def package_changes(line: str) -> tuple[bool, list[Change]] | None:
    """(whether the installer writes flags, the changes) of an install or uninstall command;
    None for any other line. poetry and conda commands carry no --reinstall / --no-deps."""
    if line.startswith("# in "):  # check -r: a change of the requirement files (a comment)
        return _requirement_changes(line)
    try:
        words = shlex.split(line, comments=True)
    except ValueError:
        return None
    if len(words) > 3 and words[1:3] == ["-m", "pip"]:
        flags_written, verb, rest = True, words[3], words[4:]
    elif len(words) > 2 and words[:2] == ["uv", "pip"]:
        flags_written, verb, rest = True, words[2], words[3:]
    elif len(words) > 1 and words[0] in ("poetry", "conda"):
        flags_written, verb, rest = False, words[1], words[2:]
    else:
        return None
    if verb not in _VERBS:
        return None
    flags: set[str] = set()
    targets: list[str] = []
    skip = False
    for word in rest:
        if skip:
            skip = False
        elif word in _WITH_VALUE:
            skip = True
        elif word.startswith("-"):
            flags.add(word)
        else:
            targets.append(word)
    if _VERBS[verb] == "uninstall":
        value = "user-site" if line.rstrip().endswith(_USER_SITE) else ""
        return flags_written, [("uninstall", t, value) for t in targets]
    kind = "reinstall" if flags & {"--reinstall", "--force-reinstall"} else "install"
    value = "no-deps" if "--no-deps" in flags else ""
    return flags_written, [(kind, t, value) for t in targets]


def _requirement_changes(line: str) -> tuple[bool, list[Change]] | None:
    """``# in FILE: require 'a<2' b instead of ...[, and add c]`` / ``# in FILE: add c`` /
    ``# in FILE: remove a b``: no flags."""
    if ": remove " in line:
        return False, [("uninstall", t, "") for t in shlex.split(line.split(": remove ", 1)[1])]
    changes: list[Change] = []
    if ": require " in line:
        rest = line.split(": require ", 1)[1]
        changes += [("install", t, "") for t in shlex.split(rest.split(" instead of ", 1)[0])]
    for marker in (": add ", ", and add "):
        if marker in line:
            changes += [("install", t, "") for t in shlex.split(line.split(marker, 1)[1])]
    return (False, changes) if changes else None


def _loose(change: Change) -> Change:
    """What a poetry or conda command says of a change: no reinstall, no --no-deps."""
    kind, target, _ = change
    return ("install", target, "") if kind != "uninstall" else change


def remedy_problems(finding: dict[str, Any]) -> list[str]:
    """How a finding's package commands (``fix``) and its package remedies disagree; empty when
    every install, reinstall and uninstall in the commands is a remedy and the other way round."""
    written: list[Change] = []
    loose = False
    for line in finding.get("fix", ()):
        parsed = package_changes(line)
        if parsed is not None:
            flags_written, changes = parsed
            loose = loose or not flags_written
            written += changes
    remedies: list[Change] = [
        (r["kind"], r["target"], r["value"])
        for r in finding.get("remedies", ())
        if r["kind"] in PACKAGE_CHANGES
    ]
    if loose:
        written, remedies = [_loose(c) for c in written], [_loose(c) for c in remedies]
    if Counter(written) == Counter(remedies):
        return []
    return [
        f"{finding['code']} {finding['title']!r}: the commands change {sorted(written)}, "
        f"the remedies {sorted(remedies)}"
    ]


def assert_package_remedies(findings: Iterable[dict[str, Any]]) -> None:
    found = [p for f in findings for p in remedy_problems(f)]
    assert not found, "\n".join(found)
