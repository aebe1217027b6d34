"""Check many environments at once: a bounded pool of threads, each waiting on one probe
subprocess, so ``jobs`` probes run at a time; results come back as they finish."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any, NamedTuple

from tfdoctor.finding import Finding
from tfdoctor.report.model import Report
from tfdoctor.scan.discover import Found


class Row(NamedTuple):
    found: Found
    report: Report | None
    error: str = ""  # why it could not be examined

    @property
    def worst(self) -> Finding | None:
        if self.report is None or not self.report.findings:
            return None
        return self.report.sorted_findings()[0]

    def version(self, name: str) -> str:
        """``2.15.1``, or ``2.15.1 (tensorflow-cpu)`` when another distribution provides it."""
        fact = self.report.packages.get(name) if self.report is not None else None
        if fact is None:
            return ""
        return fact.version if fact.name == name else f"{fact.version} ({fact.name})"

    def _package(self, name: str) -> dict[str, str] | None:
        fact = self.report.packages.get(name) if self.report is not None else None
        return None if fact is None else {"distribution": fact.name, "version": fact.version}

    def to_json(self) -> dict[str, Any]:
        from tfdoctor.report.envelope import SCHEMA, summary, tool

        worst = self.worst
        out: dict[str, Any] = {
            "schema": SCHEMA,
            "tool": tool(),
            "command": "scan",
            "target": self._target(),
            "env": self.found.prefix,
            "kind": self.found.kind,
            "kernels": list(self.found.kernels),
            "python": self.report.target.get("python") if self.report else None,
            "tensorflow": self._package("tensorflow"),
            "keras": self._package("keras"),
            "worst": None if worst is None else worst.to_json(),
        }
        findings = self.report.sorted_findings() if self.report is not None else []
        out["summary"] = summary(findings)
        # "CODE cause" strings, not finding objects: the row is one line (tfdoctor/1 keeps them).
        out["findings"] = [f"{f.code} {f.cause}" for f in findings]
        if self.report is None:
            out["error"] = self.error
        return out

    def _target(self) -> dict[str, Any]:
        """The check's target; for an environment that could not be examined, what the search
        found (its folder and interpreter)."""
        if self.report is not None:
            return dict(self.report.target)
        return {"prefix": self.found.prefix, "executable": self.found.python}


def check_one(found: Found, timeout: float) -> Row:
    from tfdoctor.diagnose import diagnose_probe
    from tfdoctor.errors import UsageError
    from tfdoctor.target import RunningProbe, resolve

    try:
        return Row(found, diagnose_probe(RunningProbe(resolve(found.python), timeout=timeout)))
    except UsageError as exc:
        return Row(found, None, str(exc))


def check_all(
    envs: Iterable[Found],
    jobs: int,
    done: Callable[[Row], None] | None = None,
    timeout: float = 30.0,
) -> Iterator[Row]:
    """Rows in the order the checks finish; ``done`` is told of each (progress)."""
    from tfdoctor.kb import load

    load().prepare()  # once, before the threads share it
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(check_one, env, timeout) for env in envs]
        for future in as_completed(futures):
            row = future.result()
            if done is not None:
                done(row)
            yield row
