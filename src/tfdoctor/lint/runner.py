"""Lint many files fast: a cheap byte-level pre-filter, ast only where a finding is possible,
worker processes for large trees, then the project-wide rule (TFD702) and ``--fix``."""

from __future__ import annotations

import ast
import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from tfdoctor.finding import Finding, Group, Location, Severity
from tfdoctor.lint import rules
from tfdoctor.lint.analyzer import analyze_tree
from tfdoctor.lint.edits import Edit
from tfdoctor.lint.knowledge import DISPLAY, knowledge_for
from tfdoctor.lint.prefilter import scan
from tfdoctor.lint.sources import read_notebook
from tfdoctor.lint.target import KERAS, TF_KERAS, TF_KERAS_PKG, Target

PARALLEL_THRESHOLD = 200
CHUNKS_PER_WORKER = 4

_NOQA = re.compile(rb"#\s*noqa(?::\s*(?P<codes>[A-Za-z]+[0-9]+(?:\s*,\s*[A-Za-z]+[0-9]+)*))?", re.I)


@dataclass(frozen=True)
class LintOptions:
    target: Target
    codes: frozenset[str]
    want_edits: bool = False


@dataclass
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    # implementation -> (line, column) of its first use
    implementations: dict[str, tuple[int, int]] = field(default_factory=dict)
    suppressed_702: bool = False
    error: str | None = None
    analyzed: bool = False
    edits: list[Edit] = field(default_factory=list)


@dataclass
class LintResult:
    target: Target
    files: int
    analyzed: int
    findings: list[Finding]
    errors: list[tuple[str, str]]
    fixed: dict[str, int] = field(default_factory=dict)
    fix_errors: list[tuple[str, str]] = field(default_factory=list)


def _parse(data: bytes, notebook_cells: tuple[tuple[int, int], ...] | None) -> ast.Module:
    """ast of the file; in a notebook, cells that do not parse (IPython syntax) are dropped."""
    for _ in range(50):
        try:
            return ast.parse(data)
        except SyntaxError as exc:
            if notebook_cells is None or not exc.lineno or exc.lineno > len(notebook_cells):
                raise
            bad_cell = notebook_cells[exc.lineno - 1][0]
            lines = data.split(b"\n")
            data = b"\n".join(
                b"" if notebook_cells[i][0] == bad_cell else line for i, line in enumerate(lines)
            )
    raise SyntaxError("too many cells that do not parse")


def _noqa_codes(line: bytes) -> frozenset[str] | bool | None:
    """False: no noqa; None: a bare noqa (all codes); else the codes named."""
    match = _NOQA.search(line)
    if match is None:
        return False
    codes = match.group("codes")
    if not codes:
        return None
    return frozenset(c.strip().upper() for c in codes.decode().split(","))


def _suppressed(code: str, lines: list[bytes], line: int) -> bool:
    if not 0 < line <= len(lines) or b"noqa" not in lines[line - 1].lower():
        return False
    codes = _noqa_codes(lines[line - 1])
    return codes is None or (codes is not False and code in codes)  # type: ignore[operator]


def lint_file(path: str, options: LintOptions, force: bool = False) -> FileResult:
    result = FileResult(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        result.error = f"cannot read: {exc.strerror or exc}"
        return result
    cells = None
    if path.endswith(".ipynb"):
        try:
            notebook = read_notebook(data)
        except SyntaxError as exc:
            result.error = f"cannot parse: {exc.msg}"
            return result
        data, cells = notebook.source, notebook.cells
    kb = knowledge_for(options.target)
    if not force:
        needed, implementations = scan(data, kb)
        if not needed:
            result.implementations = implementations
            first = min(implementations.values(), default=None)
            if first is not None:
                result.suppressed_702 = _suppressed(
                    rules.MIXED_IN_PROJECT.code, data.splitlines(), first[0]
                )
            return result
    try:
        tree = _parse(data, cells)
    except (SyntaxError, ValueError) as exc:
        where = f"line {getattr(exc, 'lineno', '?')}: " if getattr(exc, "lineno", None) else ""
        result.error = f"cannot parse ({where}{getattr(exc, 'msg', exc)})"
        return result
    result.analyzed = True
    lines = data.splitlines()
    analysis = analyze_tree(
        tree, path, lines, kb, options.codes, options.want_edits and cells is None
    )
    result.edits = analysis.edits
    for finding in analysis.findings:
        loc = finding.location
        if loc is not None and _suppressed(finding.code, lines, loc.line):
            continue
        result.findings.append(_in_cell(finding, cells) if cells else finding)
    for impl, (line, column) in analysis.implementations.items():
        result.implementations[impl] = (line, column + 1)
    first = min(analysis.implementations.values(), default=None)
    if first is not None:
        result.suppressed_702 = _suppressed(rules.MIXED_IN_PROJECT.code, lines, first[0])
    return result


def _in_cell(finding: Finding, cells: tuple[tuple[int, int], ...]) -> Finding:
    loc = finding.location
    if loc is None or not 0 < loc.line <= len(cells):
        return finding
    cell, line = cells[loc.line - 1]
    end_line = None
    if loc.end_line is not None and 0 < loc.end_line <= len(cells):
        end_line = cells[loc.end_line - 1][1]
    return finding._replace(
        location=Location(loc.path, line, loc.column, end_line, loc.end_column),
        data=(*finding.data, ("cell", str(cell))),
    )


_WORKER_OPTIONS: LintOptions | None = None


def _init_worker(options: LintOptions) -> None:
    global _WORKER_OPTIONS
    _WORKER_OPTIONS = options


def _lint_chunk(paths: list[str]) -> list[FileResult]:
    assert _WORKER_OPTIONS is not None
    return [lint_file(path, _WORKER_OPTIONS) for path in paths]


def _run(files: Sequence[str], options: LintOptions, jobs: int | None) -> list[FileResult]:
    workers = jobs or _cpu_count()
    if workers <= 1 or len(files) <= PARALLEL_THRESHOLD:
        return [lint_file(path, options) for path in files]
    from concurrent.futures import ProcessPoolExecutor

    # interleaved chunks: each gets a fair share of the big files of every folder
    count = min(len(files) // 16, workers * CHUNKS_PER_WORKER)
    chunks = [list(files[start::count]) for start in range(count)]
    results: list[FileResult] = []
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_init_worker, initargs=(options,)
    ) as pool:
        for chunk in pool.map(_lint_chunk, chunks):
            results.extend(chunk)
    return results


def _cpu_count() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _project_mix(results: list[FileResult], options: LintOptions) -> list[Finding]:
    """TFD702: files whose one Keras implementation differs from the project's main one."""
    if rules.MIXED_IN_PROJECT.code not in options.codes:
        return []
    counts = Counter(impl for r in results for impl in r.implementations)
    if len(counts) < 2:
        return []
    keras3 = options.target.keras_version(KERAS).major >= 3
    preference = (KERAS, TF_KERAS, TF_KERAS_PKG) if keras3 else (TF_KERAS, KERAS, TF_KERAS_PKG)
    main = max(counts, key=lambda impl: (counts[impl], -preference.index(impl)))
    summary = ", ".join(
        f"{DISPLAY[i]} in {counts[i]} file{'s' * (counts[i] != 1)}"
        for i in sorted(counts, key=lambda i: -counts[i])
    )
    findings = []
    for result in results:
        if len(result.implementations) != 1:
            continue
        ((impl, where),) = result.implementations.items()
        if impl == main:
            continue
        if result.suppressed_702:
            continue
        same = options.target.same_objects(impl, main)
        findings.append(
            Finding(
                code=rules.MIXED_IN_PROJECT.code,
                cause=rules.MIXED_IN_PROJECT.cause,
                severity=Severity.WARNING,
                group=Group.CODE,
                title=f"this file uses {DISPLAY[impl]}; the project mostly uses {DISPLAY[main]} "
                f"({summary})",
                why=f"with {options.target.describe()} they are "
                + (
                    "the same Keras today, but not under other versions"
                    if same
                    else "different libraries whose objects do not mix"
                ),
                fix_note=f"import Keras the same way everywhere, e.g. as {DISPLAY[main]}",
                location=Location(result.path, where[0], where[1]),
                data=(("implementations", f"{DISPLAY[impl]},{DISPLAY[main]}"),),
            )
        )
    return findings


def _report_order(finding: Finding) -> tuple[str, int, int, int, str]:
    loc = finding.location
    if loc is None:
        return ("", 0, 0, 0, finding.code)
    cell = int(dict(finding.data).get("cell", "0"))
    return (loc.path, cell, loc.line, loc.column, finding.code)


def lint_files(
    files: Sequence[str],
    target: Target,
    codes: frozenset[str],
    jobs: int | None = None,
    fix: bool = False,
) -> LintResult:
    options = LintOptions(target, codes, want_edits=fix)
    results = _run(files, options, jobs)
    fixed: dict[str, int] = {}
    fix_errors: list[tuple[str, str]] = []
    if fix:
        from tfdoctor.lint.fixer import FixError, apply_edits

        for result in results:
            if not result.edits or result.error:
                continue
            try:
                with open(result.path, encoding="utf-8", newline="") as handle:
                    source = handle.read()
                new = apply_edits(source, result.edits)
            except (OSError, UnicodeDecodeError, FixError) as exc:
                fix_errors.append((result.path, str(exc)))
                continue
            if new != source:
                with open(result.path, "w", encoding="utf-8", newline="") as handle:
                    handle.write(new)
                fixed[result.path] = len(result.edits)
        if fixed:
            results = _run(files, LintOptions(target, codes), jobs)
    findings = [f for r in results for f in r.findings]
    findings.extend(_project_mix(results, options))
    findings.sort(key=_report_order)
    return LintResult(
        target=target,
        files=len(results),
        analyzed=sum(r.analyzed for r in results),
        findings=findings,
        errors=[(r.path, r.error) for r in results if r.error],
        fixed=fixed,
        fix_errors=fix_errors,
    )
