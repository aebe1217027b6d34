"""Which files to lint, how to read them (Python files and notebook code cells), and the
``[tool.tfdoctor]`` settings of pyproject.toml."""

from __future__ import annotations

import fnmatch
import importlib
import json
import os
import re
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tfdoctor.errors import UsageError

SKIPPED_DIRS = frozenset(
    {
        ".bzr",
        ".direnv",
        ".eggs",
        ".git",
        ".hg",
        ".mypy_cache",
        ".nox",
        ".pants.d",
        ".ruff_cache",
        ".svn",
        ".tox",
        ".venv",
        "__pypackages__",
        "_build",
        "buck-out",
        "build",
        "dist",
        "node_modules",
        "venv",
        "__pycache__",
        ".ipynb_checkpoints",
        ".pytest_cache",
    }
)
# IPython lines: %magic, !shell, ?help / ??help, help? / obj.attr??, and the assignments of a
# shell command or a magic (files = !ls, t = %timeit -o f()), which are never Python
_MAGIC = re.compile(
    r"^\s*(?:[%!]|\?{1,2}[\w.]|[\w.]+\?{1,2}\s*$"
    r"|[A-Za-z_]\w*(?:\s*[.,]\s*[A-Za-z_]\w*)*\s*=\s*[!%])"
)
# The largest Python file in TensorFlow 2.21 is 0.7 MB; ast needs ~150 bytes per byte of source.
MAX_SOURCE_BYTES = 4 * 1024 * 1024
MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024  # outputs (images) make notebooks large; code stays capped


class SourceError(Exception):
    """A file that cannot be linted; the message says why, for the report's per-file errors."""


def read_source(path: str, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    FIFOs, devices and other special files (also behind a symlink) are refused without reading
    them: a FIFO would block for ever, ``/dev/zero`` never ends.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror or exc}") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SourceError(f"not a regular file ({_file_kind(info.st_mode)}), not read")
        if info.st_size > limit:
            raise SourceError(_too_large(info.st_size, limit))
        chunks: list[bytes] = []
        size = 0
        while True:  # bounded even if the file grows while it is read
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise SourceError(_too_large(size, limit))
        return b"".join(chunks)
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)


def _too_large(size: int, limit: int) -> str:
    return (
        f"too large to lint ({size / 1e6:.1f} MB; the limit is {limit / 1e6:.1f} MB "
        "per file); exclude generated files with --exclude"
    )


def _file_kind(mode: int) -> str:
    kinds = (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a folder"),
    )
    return next((name for test, name in kinds if test(mode)), "a special file")


@dataclass(frozen=True)
class LintConfig:
    """``[tool.tfdoctor]``: select / ignore (code prefixes), paths, exclude (glob patterns)."""

    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    root: Path | None = None  # folder of the pyproject.toml it came from


def _string_list(table: dict[str, object], key: str, where: Path) -> list[str] | None:
    value = table.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{where}: [tool.tfdoctor] {key} must be a list of strings")
    return [str(v) for v in value]


def load_config(start: Path) -> LintConfig:
    """The settings of the nearest pyproject.toml at or above ``start`` that has them."""
    tomllib: Any
    try:
        tomllib = importlib.import_module("tomllib")
    except ModuleNotFoundError:  # Python < 3.11
        try:
            tomllib = importlib.import_module("tomli")
        except ModuleNotFoundError:
            _warn_without_toml(start)
            return LintConfig()
    folder = start.resolve()
    if folder.is_file():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        pyproject = candidate / "pyproject.toml"
        if not pyproject.is_file():
            continue
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UsageError(f"cannot read {pyproject}: {exc}") from exc
        table = data.get("tool", {}).get("tfdoctor")
        if not isinstance(table, dict):
            continue
        return LintConfig(
            select=_string_list(table, "select", pyproject),
            ignore=_string_list(table, "ignore", pyproject) or [],
            paths=_string_list(table, "paths", pyproject) or [],
            exclude=_string_list(table, "exclude", pyproject) or [],
            root=candidate,
        )
    return LintConfig()


def _warn_without_toml(start: Path) -> None:
    for folder in (start.resolve(), *start.resolve().parents):
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "[tool.tfdoctor" in pyproject.read_text("utf-8", "replace"):
            print(
                f"tfdoctor: ignoring [tool.tfdoctor] in {pyproject}: reading TOML on Python "
                "< 3.11 needs tomli (pip install tomli)",
                file=sys.stderr,
            )
            return


def _excluded(path: str, patterns: Sequence[str]) -> bool:
    """Patterns match the path as given, its absolute path, or its file name."""
    if not patterns:
        return False
    forms = {path.replace(os.sep, "/"), os.path.abspath(path).replace(os.sep, "/")}
    name = os.path.basename(path)
    return any(
        fnmatch.fnmatch(form, p) or form.startswith(p.rstrip("/") + "/")
        for p in patterns
        for form in forms
    ) or any(fnmatch.fnmatch(name, p) for p in patterns)


def _environment(folder: str) -> bool:
    """A Python environment (a venv's pyvenv.cfg, a conda env's conda-meta), whatever its name:
    its site-packages are installed libraries, not the project's code."""
    return os.path.isfile(os.path.join(folder, "pyvenv.cfg")) or os.path.isdir(
        os.path.join(folder, "conda-meta")
    )


def discover(paths: Sequence[str], exclude: Sequence[str] = ()) -> list[str]:
    """Python files and notebooks under ``paths`` (files given by name are always included).
    Folders inside them that are Python environments (``env/``, ``tf-env/``: any name) are not
    entered; one given by name is."""
    found: list[str] = []
    for given in paths:
        if not os.path.isdir(given):
            if not os.path.lexists(given):
                raise UsageError(f"no such file or folder: {given}")
            found.append(given)  # a special file named here is reported as a per-file error
            continue
        for folder, dirs, files in os.walk(given):
            dirs[:] = sorted(
                d
                for d in dirs
                if d not in SKIPPED_DIRS
                and not d.startswith(".")
                and not _excluded(os.path.join(folder, d), exclude)
                and not _environment(os.path.join(folder, d))
            )
            for name in sorted(files):
                if name.endswith((".py", ".ipynb")):
                    path = os.path.normpath(os.path.join(folder, name))
                    if not _excluded(path, exclude):
                        found.append(path)
    return list(dict.fromkeys(found))


@dataclass(frozen=True)
class NotebookSource:
    """Code cells joined into one module, with the map back to (cell, line in cell)."""

    source: bytes
    cells: tuple[tuple[int, int], ...]  # per line of `source`: (cell number, line in cell)


def read_notebook(data: bytes) -> NotebookSource:
    try:
        notebook = json.loads(data)
    except ValueError as exc:
        raise SyntaxError(f"not a JSON notebook: {exc}") from exc
    except RecursionError as exc:
        raise SyntaxError("not a notebook: its JSON is nested too deeply") from exc
    lines: list[str] = []
    cells: list[tuple[int, int]] = []
    raw_cells = notebook_cells(notebook)
    for number, cell in enumerate(raw_cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        text = cell_text(cell)
        for index, line in enumerate(text.splitlines(), start=1):
            if index == 1 and line.lstrip().startswith("%%"):
                lines.append(CELL_MAGIC)  # %%bash, %%writefile...: the cell may not be Python
            else:
                lines.append("" if is_magic(line) else line)
            cells.append((number, index))
        lines.append("")
        cells.append((number, 0))
    source = "\n".join(lines).encode("utf-8", "replace")
    if len(source) > MAX_SOURCE_BYTES:
        raise SyntaxError(
            f"its code cells are too large to lint ({len(source) / 1e6:.1f} MB; the limit is "
            f"{MAX_SOURCE_BYTES / 1e6:.1f} MB of code per notebook)"
        )
    return NotebookSource(source, tuple(cells))


# what a notebook's joined code has in place of a cell magic's line (%%bash, %%time...)
CELL_MAGIC = "#%%"


def is_magic(line: str) -> bool:
    """An IPython line (``%magic``, ``!shell``, ``name?``): not Python."""
    return _MAGIC.match(line) is not None


def notebook_cells(notebook: object) -> list[Any]:
    """The cells of a notebook: nbformat 4's ``cells``, or those of nbformat 3's worksheets
    (the notebooks of 2014-2016, where code written for Keras 1 and TensorFlow 1 lives).
    SyntaxError when the JSON is not a notebook."""
    if isinstance(notebook, dict):
        cells = notebook.get("cells")
        if isinstance(cells, list):
            return cells
        worksheets = notebook.get("worksheets")
        if cells is None and isinstance(worksheets, list):
            return [
                cell
                for sheet in worksheets
                if isinstance(sheet, dict) and isinstance(sheet.get("cells"), list)
                for cell in sheet["cells"]
            ]
    raise SyntaxError("not a notebook: its JSON has no list of cells")


def cell_text(cell: dict[str, Any]) -> str:
    """A cell's source: nbformat stores it as one string or as a list of lines (a code cell of
    nbformat 3 as its ``input``)."""
    text = cell["source"] if "source" in cell else cell.get("input", "")
    if isinstance(text, list):
        return "".join(str(part) for part in text)
    return str(text)
