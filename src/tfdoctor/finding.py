"""The one result type every part of tfdoctor produces: check rules, explain, lint, deep runs."""

from __future__ import annotations

from enum import Enum
from typing import Any, NamedTuple


class Severity(str, Enum):
    """What the user will meet: error = code fails or a declared requirement is violated,
    warning = works today but breaks on the next install/import order/setting, info = a fact."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


class Group(str, Enum):
    """Sections of the terminal report, in display order."""

    PYTHON = "python"
    TENSORFLOW = "tensorflow"
    KERAS = "keras"
    DEPENDENCIES = "dependencies"
    GPU = "gpu"
    ENVIRONMENT = "environment"
    CODE = "code"
    RUNTIME = "runtime"


class Location(NamedTuple):
    """A place in a source file (lint findings, SARIF)."""

    path: str
    line: int
    column: int = 1
    end_line: int | None = None
    end_column: int | None = None


class Remedy(NamedTuple):
    """One change that answers a finding, as data: the planner reads it (never the shell text),
    and ``shell()`` writes it for people.

    kind: ``setenv`` (``target`` = the variable, ``value``), ``unsetenv`` (``target``), ``move``
    (``target`` = the path, ``value`` = its new name), ``backup`` (``target`` = a file to set
    aside, ``value`` = the folder it goes into; the planner uses its own journaled folder);
    package changes, whose commands the installer of the environment writes
    (``installers.Installer``), so ``shell()`` has none: ``install`` and ``reinstall``
    (``target`` = a requirement spec, ``value`` = ``no-deps`` when its dependencies must stay as
    they are, else ``""``), ``uninstall`` (``target`` = a distribution name, ``value`` =
    ``user-site`` for the copy in the user's site-packages, else ``""``: the environment's).
    ``reason``: a line for people that goes with the change (where else it must be done, why)."""

    kind: str
    target: str
    value: str = ""
    reason: str = ""

    def shell(self) -> str:
        from tfdoctor.shellwords import word as quote  # newlines escaped: safe to paste

        if self.kind == "setenv":
            return f"export {self.target}={quote(self.value)}"
        if self.kind == "unsetenv":
            return f"unset {self.target}"
        if self.kind == "move":
            return f"mv {quote(self.target)} {quote(self.value)}"
        if self.kind == "backup":
            home, rest = ("~/", self.value[2:]) if self.value.startswith("~/") else ("", self.value)
            folder = home + quote(rest)  # ~ stays unquoted so the shell expands it
            return f"mkdir -p {folder} && mv {quote(self.target)} {folder}/"
        if self.kind in PACKAGE_CHANGES:
            raise ValueError(f"a {self.kind} is written by the environment's installer")
        raise ValueError(f"unknown remedy kind {self.kind!r}")


PACKAGE_CHANGES = ("install", "reinstall", "uninstall")
NO_DEPS = "no-deps"  # the value of an install or reinstall that leaves dependencies alone
USER_SITE = "user-site"  # the value of an uninstall from the user's site-packages


def installs(*requirements: str, no_deps: bool = False, reason: str = "") -> tuple[Remedy, ...]:
    """One ``install`` remedy per requirement spec (what ``Installer.install`` writes)."""
    return tuple(Remedy("install", r, NO_DEPS if no_deps else "", reason) for r in requirements)


def reinstalls(*requirements: str, no_deps: bool = False, reason: str = "") -> tuple[Remedy, ...]:
    """One ``reinstall`` remedy per requirement spec (``Installer.install(reinstall=True)``)."""
    value = NO_DEPS if no_deps else ""
    return tuple(Remedy("reinstall", r, value, reason) for r in requirements)


def uninstalls(*names: str, user_site: bool = False, reason: str = "") -> tuple[Remedy, ...]:
    """One ``uninstall`` remedy per distribution name (what ``Installer.uninstall`` writes)."""
    return tuple(Remedy("uninstall", n, USER_SITE if user_site else "", reason) for n in names)


class Finding(NamedTuple):
    """One problem. ``cause`` is from the vocabulary in causes.py, checked where causes enter
    (rule registration, error signatures), not on each of the many findings made."""

    code: str
    cause: str
    severity: Severity
    title: str
    group: Group = Group.ENVIRONMENT
    evidence: tuple[str, ...] = ()
    why: str = ""
    fix: tuple[str, ...] = ()
    fix_note: str = ""
    location: Location | None = None
    confidence: float | None = None
    data: tuple[tuple[str, str], ...] = ()
    remedies: tuple[Remedy, ...] = ()  # what the planner applies (fix/planner.py)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "cause": self.cause,
            "severity": self.severity.value,
            "title": self.title,
            "group": self.group.value,
            "evidence": list(self.evidence),
            "why": self.why,
            "fix": list(self.fix),
        }
        if self.fix_note:
            out["fix_note"] = self.fix_note
        if self.location is not None:
            loc = self.location
            out["location"] = {
                "path": loc.path,
                "line": loc.line,
                "column": loc.column,
                "end_line": loc.end_line,
                "end_column": loc.end_column,
            }
        if self.confidence is not None:
            out["confidence"] = round(self.confidence, 3)
        if self.data:
            out["data"] = dict(self.data)
        if self.remedies:
            out["remedies"] = [remedy._asdict() for remedy in self.remedies]
        return out


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.severity.rank, f.code, f.title))
