"""What every reporter prints: the target, its key facts and the findings."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from tfdoctor.finding import Finding, Group, Severity, sort_findings
from tfdoctor.report.envelope import SCHEMA, envelope

__all__ = ["SCHEMA", "GroupSummary", "PackageFact", "Report"]

KEY_PACKAGES = ("tensorflow", "keras", "tf-keras", "numpy", "protobuf", "ml-dtypes", "jax", "torch")


class PackageFact(NamedTuple):
    name: str  # the distribution actually installed (tensorflow-cpu for "tensorflow")
    version: str
    location: str
    installer: str


class GroupSummary(NamedTuple):
    """One line per report section: what was found there, shown next to its mark."""

    group: Group
    label: str
    present: bool = True  # False: nothing of this group is installed, so nothing was checked


class Report(NamedTuple):
    command: str
    target: dict[str, Any]
    packages: dict[str, PackageFact | None]
    findings: tuple[Finding, ...]
    groups: tuple[GroupSummary, ...] = ()
    facts: Callable[[], dict[str, Any]] | None = None  # -v: everything the probe saw
    extra: Mapping[str, Any] = MappingProxyType({})  # command-specific (deep run steps...)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.WARNING)

    def sorted_findings(self) -> list[Finding]:
        return sort_findings(list(self.findings))

    def __str__(self) -> str:
        """The terminal report as plain text."""
        from tfdoctor.report.html import render_text

        return render_text(self)

    def _repr_html_(self) -> str:  # Jupyter
        from tfdoctor.report.html import render_html

        return render_html(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # IPython's console
        printer.text(str(self))

    def to_json(self, verbose: bool = False) -> dict[str, Any]:
        out = envelope(
            self.command,
            self.target,
            self.sorted_findings(),
            packages={
                name: (
                    None
                    if fact is None
                    else {
                        "distribution": fact.name,
                        "version": fact.version,
                        "location": fact.location,
                        "installer": fact.installer,
                    }
                )
                for name, fact in self.packages.items()
            },
        )
        out.update(self.extra)
        if verbose and self.facts is not None:
            out["facts"] = self.facts()
        return out
