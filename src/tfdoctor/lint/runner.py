"""Lint many files fast: a cheap byte-level pre-filter, ast only where a finding is possible,
worker processes for large trees, then the project-wide rule (TFD702) and ``--fix``.

One file never breaks the run: what cannot be read (not a regular file, too large), parsed or
analyzed (nested too deeply) becomes a per-file error of the report.
"""

from __future__ import annotations

import ast
import contextlib
import gc
import hashlib
import os
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from tfdoctor.finding import Finding, Group, Location, Severity
from tfdoctor.lint import rules
from tfdoctor.lint.analyzer import analyze_tree
from tfdoctor.lint.edits import (
    ChainSwap,
    Edit,
    FromSwap,
    FromToImport,
    ImportInsert,
    ImportSwap,
    ImportToFrom,
)
from tfdoctor.lint.knowledge import DISPLAY, Knowledge, knowledge_for
from tfdoctor.lint.prefilter import scan
from tfdoctor.lint.results import FileChange, FileResult
from tfdoctor.lint.sources import (
    CELL_MAGIC,
    MAX_NOTEBOOK_BYTES,
    MAX_SOURCE_BYTES,
    SourceError,
    read_notebook,
    read_source,
)
from tfdoctor.lint.target import KERAS, TF_KERAS, TF_KERAS_PKG, KerasTarget

Cells = tuple[tuple[int, int], ...]  # per line of a notebook's joined code: (cell, line in it)

PARALLEL_THRESHOLD = 200
_CELL_MAGIC = CELL_MAGIC.encode()
_BOM = b"\xef\xbb\xbf"
CHUNKS_PER_WORKER = 4

_NOQA = re.compile(rb"#\s*noqa(?::\s*(?P<codes>[A-Za-z]+[0-9]+(?:\s*,\s*[A-Za-z]+[0-9]+)*))?", re.I)


@dataclass(frozen=True)
class LintOptions:
    target: KerasTarget
    codes: frozenset[str]
    want_edits: bool = False


@dataclass
class LintResult:
    target: KerasTarget
    files: int
    analyzed: int
    findings: list[Finding]
    errors: list[tuple[str, str]]
    fixed: dict[str, int] = field(default_factory=dict)  # files written -> edits applied
    fix_errors: list[tuple[str, str]] = field(default_factory=list)
    changes: list[FileChange] = field(default_factory=list)


def _parse(
    data: bytes, notebook_cells: tuple[tuple[int, int], ...] | None
) -> tuple[ast.Module, str | None]:
    """ast of the file; in a notebook, cells that do not parse (IPython syntax, Python 2) are
    dropped, and the second value says which (None when none is)."""
    try:
        return ast.parse(data), None
    except SyntaxError:
        if notebook_cells is None:
            raise
    lines = data.split(b"\n")
    by_cell: dict[int, list[int]] = {}
    for index, (cell, _) in enumerate(notebook_cells[: len(lines)]):
        by_cell.setdefault(cell, []).append(index)
    dropped: list[int] = []
    first = ""
    for cell, indexes in by_cell.items():  # each cell alone: linear in the notebook's size
        try:
            ast.parse(b"\n".join(lines[i] for i in indexes))
        except (SyntaxError, ValueError) as exc:
            magic = lines[indexes[0]] == _CELL_MAGIC  # %%bash, %%html...: not Python at all
            for i in indexes:
                lines[i] = b""
            if magic:
                continue
            dropped.append(cell)
            if not first:
                lineno = getattr(exc, "lineno", None)
                where = f"line {lineno}: " if lineno else ""
                first = f"{where}{getattr(exc, 'msg', exc)}"
    tree = ast.parse(b"\n".join(lines))
    if not dropped:
        return tree, None
    if len(dropped) > 1:
        first = f"cell {dropped[0]}, {first}"
    cells = "cell" if len(dropped) == 1 else "cells"
    return tree, (
        f"{cells} {', '.join(map(str, dropped))} not linted: cannot parse ({first}); "
        "the other cells were linted"
    )


def _noqa_codes(line: bytes) -> frozenset[str] | bool | None:
    """False: no noqa; None: a bare noqa (all codes); else the codes named."""
    match = _NOQA.search(line)
    if match is None:
        return False
    codes = match.group("codes")
    if not codes:
        return None
    return frozenset(c.strip().upper() for c in codes.decode().split(","))


_TFD_CODE = re.compile(r"TFD[0-9]{3}")
# the edits of the one-implementation rewrite (TFD701): all of them or none
_ONE_IMPLEMENTATION = (ChainSwap, FromSwap, FromToImport, ImportInsert, ImportSwap, ImportToFrom)


def _hands_off(lines: list[bytes], line: int) -> bool:
    """A line with a bare ``# noqa`` or one naming a tfdoctor code: --fix leaves it as it is."""
    if not 0 < line <= len(lines) or b"noqa" not in lines[line - 1].lower():
        return False
    codes = _noqa_codes(lines[line - 1])
    return codes is None or (
        codes is not False and any(_TFD_CODE.fullmatch(c) for c in codes)  # type: ignore[union-attr]
    )


def _edits_outside_noqa(edits: list[Edit], lines: list[bytes]) -> list[Edit]:
    """The edits less those on lines the user marked ``# noqa`` (a silenced line is deliberate);
    one such line in the one-implementation rewrite drops that whole rewrite (half of it would
    mix again)."""
    held = [e for e in edits if not isinstance(e, ImportInsert) and _hands_off(lines, e.start.line)]
    if not held:
        return edits
    whole = any(isinstance(e, _ONE_IMPLEMENTATION) for e in held)
    return [
        e
        for e in edits
        if not (whole and isinstance(e, _ONE_IMPLEMENTATION))
        and (isinstance(e, ImportInsert) or not _hands_off(lines, e.start.line))
    ]


def _suppressed(code: str, lines: list[bytes], line: int) -> bool:
    if not 0 < line <= len(lines) or b"noqa" not in lines[line - 1].lower():
        return False
    codes = _noqa_codes(lines[line - 1])
    return codes is None or (codes is not False and code in codes)  # type: ignore[operator]


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic collector walks every live object again and again while an ast of millions of
    nodes is built (a third of the time on a large file); the trees have no cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def lint_file(path: str, options: LintOptions, force: bool = False) -> FileResult:
    """Lint one file; whatever goes wrong with it is the result's ``error``, never an exception."""
    result = FileResult(path)
    try:
        with _gc_paused():
            _lint_into(result, options, force)
    except SourceError as exc:
        result.error = str(exc)
    except RecursionError:
        result.error = "nested too deeply to analyze (Python's recursion limit)"
    except MemoryError:
        result.error = "not enough memory to analyze it"
    except Exception as exc:  # one file never breaks the run; the report says what happened
        result.error = f"could not be analyzed ({type(exc).__name__}: {exc}): please report it"
    if result.error:
        result.findings, result.edits, result.analyzed = [], [], False
    return result


def _lint_into(result: FileResult, options: LintOptions, force: bool) -> None:
    code = _read_code(result, options)
    if code is None:
        return
    data, cells = code
    kb = knowledge_for(options.target)
    if not force and _nothing_to_analyze(result, data, kb):
        return
    _analyze_into(result, options, data, cells, kb)


def _read_code(result: FileResult, options: LintOptions) -> tuple[bytes, Cells | None] | None:
    """The code to lint (a notebook's code cells joined, and where each line comes from);
    None, with ``result.error`` set, when it cannot be read as code."""
    notebook = result.path.endswith(".ipynb")
    data = read_source(result.path, MAX_NOTEBOOK_BYTES if notebook else MAX_SOURCE_BYTES)
    if options.want_edits:
        result.digest = _digest(data)
    data = data.removeprefix(_BOM)  # Python skips it; columns and the pre-filter must too
    if not notebook:
        return data, None
    try:
        parsed = read_notebook(data)
    except SyntaxError as exc:
        result.error = f"cannot parse: {exc.msg}"
        return None
    return parsed.source, parsed.cells


def _nothing_to_analyze(result: FileResult, data: bytes, kb: Knowledge) -> bool:
    """True when the pre-filter shows that no rule can fire (the implementations it saw are
    kept for the project-wide rule)."""
    needed, implementations = scan(data, kb)
    if needed:
        return False
    result.implementations = implementations
    first = min(implementations.values(), default=None)
    if first is not None:
        result.suppressed_702 = _suppressed(
            rules.MIXED_IN_PROJECT.code, data.splitlines(), first[0]
        )
    return True


def _analyze_into(
    result: FileResult,
    options: LintOptions,
    data: bytes,
    cells: Cells | None,
    kb: Knowledge,
) -> None:
    """Parse and analyze the code: findings (less the suppressed ones), edits, implementations."""
    try:
        tree, result.partial = _parse(data, cells)
    except (SyntaxError, ValueError) as exc:
        where = f"line {getattr(exc, 'lineno', '?')}: " if getattr(exc, "lineno", None) else ""
        result.error = f"cannot parse ({where}{getattr(exc, 'msg', exc)})"
        return
    result.analyzed = True
    lines = _utf8_lines(data)
    analysis = analyze_tree(tree, result.path, lines, kb, options.codes, options.want_edits)
    del tree
    result.edits = _edits_outside_noqa(analysis.edits, lines) if analysis.edits else []
    result.spans = analysis.spans if result.edits else []
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


def _utf8_lines(data: bytes) -> list[bytes]:
    """The lines as the parser saw them: ast's column offsets count UTF-8 bytes, also in a file
    with another coding cookie."""
    if data.isascii():
        return data.splitlines()
    from tfdoctor.lint.writing import decode

    try:
        text, encoding = decode(data)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        return data.splitlines()
    if encoding in ("utf-8", "utf-8-sig"):
        return data.splitlines()
    return text.encode("utf-8").splitlines()


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _in_cell(finding: Finding, cells: tuple[tuple[int, int], ...]) -> Finding:
    loc = finding.location
    if loc is None or not 0 < loc.line <= len(cells):
        return finding
    cell, line = cells[loc.line - 1]
    end_line = None
    if loc.end_line is not None and 0 < loc.end_line <= len(cells):
        end_line = cells[loc.end_line - 1][1]
    return finding._replace(
        # the message names lines of the joined cells too ("keras (line 11)")
        title=_LINE_IN_MESSAGE.sub(lambda m: _cell_line(m, cells), finding.title),
        location=Location(loc.path, line, loc.column, end_line, loc.end_column),
        data=(*finding.data, ("cell", str(cell))),
    )


_LINE_IN_MESSAGE = re.compile(r"\(line (\d+)\)")


def _cell_line(match: re.Match[str], cells: tuple[tuple[int, int], ...]) -> str:
    number = int(match.group(1))
    if not 0 < number <= len(cells):
        return match.group(0)
    cell, line = cells[number - 1]
    return f"(cell {cell}, line {line})"


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
    # on a tie the target's own Keras is the one to keep, but no implementation is the main one
    tie = sum(1 for impl in counts if counts[impl] == counts[main]) > 1
    uses = "uses {} as often" if tie else "mostly uses {}"
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
                title=f"this file uses {DISPLAY[impl]}; the project "
                f"{uses.format(DISPLAY[main])} ({summary})",
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
    target: KerasTarget,
    codes: frozenset[str],
    jobs: int | None = None,
    fix: bool = False,
    diff: bool = False,
) -> LintResult:
    """Lint ``files``; with ``fix`` write the safe rewrites, with ``diff`` only compute them."""
    options = LintOptions(target, codes, want_edits=fix or diff)
    results = _run(files, options, jobs)
    fixed: dict[str, int] = {}
    fix_errors: list[tuple[str, str]] = []
    changes: list[FileChange] = []
    if fix or diff:
        from tfdoctor.lint.fixing import plan_changes, write_changes

        changes, fix_errors = plan_changes(results)
        if fix and changes:
            fixed, write_errors = write_changes(changes)
            fix_errors.extend(write_errors)
        if fixed:  # lint again what was written: the findings that are left
            again = {r.path: r for r in _run(list(fixed), LintOptions(target, codes), jobs)}
            results = [again.get(r.path, r) for r in results]
    findings = [f for r in results for f in r.findings]
    findings.extend(_project_mix(results, options))
    findings.sort(key=_report_order)
    return LintResult(
        target=target,
        files=len(results),
        analyzed=sum(r.analyzed for r in results),
        findings=findings,
        errors=[(r.path, r.error or r.partial or "") for r in results if r.error or r.partial],
        fixed=fixed,
        fix_errors=fix_errors,
        changes=changes,
    )
