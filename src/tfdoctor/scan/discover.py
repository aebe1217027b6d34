"""Where Python environments are, found by what is on disk (nothing is run):

- a venv: a folder with ``pyvenv.cfg`` (venv, virtualenv, uv, poetry, pipenv, tox, a project's
  ``.venv``);
- a conda environment: a folder with ``conda-meta/`` (its ``envs/`` are searched too);
- a Python installation: ``bin/python3`` beside ``lib/python3.X/os.py`` (pyenv versions);
- a Jupyter kernel spec: ``kernels/NAME/kernel.json``, whose ``argv[0]`` names an interpreter.

Folders marked as caches (``CACHEDIR.TAG``: uv's, pip's; uv marks its venvs too, so a folder is
first looked at as an environment) and package folders are not entered."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Iterator
from typing import NamedTuple

SKIP = frozenset(
    {".git", ".hg", "node_modules", "__pycache__", "site-packages", "dist-packages", ".mypy_cache"}
)
DEFAULT_DEPTH = 6


class Found(NamedTuple):
    """An environment: its folder, the interpreter to probe, and how it was found."""

    prefix: str
    python: str
    kind: str  # venv | conda | python | kernel
    kernels: tuple[str, ...] = ()  # Jupyter kernel names that run it


def interpreter_in(folder: str) -> str | None:
    for candidate in ("bin/python", "bin/python3", "Scripts/python.exe", "python.exe"):
        path = os.path.join(folder, candidate)
        if os.path.isfile(path) or os.path.islink(path):
            return path
    return None


def kind_of(folder: str, names: set[str]) -> str | None:
    if "conda-meta" in names:  # conda manages it, whatever made the folder
        return "conda"
    if "pyvenv.cfg" in names:
        return "venv"
    if "bin" in names and "lib" in names and _has_stdlib(folder):
        return "python"
    return None


def _has_stdlib(folder: str) -> bool:
    lib = os.path.join(folder, "lib")
    try:
        entries = os.listdir(lib)
    except OSError:
        return False
    return any(
        e.startswith("python3") and os.path.isfile(os.path.join(lib, e, "os.py")) for e in entries
    )


def walk(roots: Iterable[str], max_depth: int = DEFAULT_DEPTH) -> Iterator[Found]:
    """Every environment and kernel spec under ``roots``, each environment once."""
    seen: set[str] = set()
    kernels: dict[str, list[str]] = {}
    found: dict[str, Found] = {}
    order: list[str] = []
    for root in roots:
        stack = [(os.path.abspath(os.path.expanduser(root)), 0)]
        while stack:
            folder, depth = stack.pop()
            real = os.path.realpath(folder)
            if real in seen:
                continue
            seen.add(real)
            try:
                with os.scandir(folder) as scan:
                    entries = list(scan)
            except OSError:
                continue
            names = {e.name for e in entries}
            if "kernel.json" in names and os.path.basename(os.path.dirname(folder)) == "kernels":
                spec = _kernel(folder)
                if spec is not None:
                    kernels.setdefault(spec[1], []).append(spec[0])
                continue
            kind = kind_of(folder, names)
            python = interpreter_in(folder) if kind else None
            if kind and python:
                key = os.path.realpath(folder)
                if key not in found:
                    found[key] = Found(folder, python, kind)
                    order.append(key)
                # conda's and pyenv's environments live inside: envs/NAME
                if "envs" in names:
                    stack.append((os.path.join(folder, "envs"), depth + 1))
                continue
            if depth >= max_depth or "CACHEDIR.TAG" in names:  # uv marks its venvs too: above
                continue
            for entry in sorted(entries, key=lambda e: e.name, reverse=True):
                if entry.name in SKIP or not _is_dir(entry):
                    continue
                stack.append((entry.path, depth + 1))
    for python, kernel_names in kernels.items():
        prefix = os.path.dirname(os.path.dirname(python))
        key = os.path.realpath(prefix)
        if key in found:
            found[key] = found[key]._replace(kernels=tuple(sorted(kernel_names)))
        else:
            found[key] = Found(prefix, python, "kernel", tuple(sorted(kernel_names)))
            order.append(key)
    yield from (found[key] for key in order)


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _kernel(folder: str) -> tuple[str, str] | None:
    """(kernel name, interpreter path) of a kernel spec that runs a Python."""
    try:
        with open(os.path.join(folder, "kernel.json"), encoding="utf-8") as handle:
            spec = json.load(handle)
    except (OSError, ValueError):
        return None
    argv = spec.get("argv") if isinstance(spec, dict) else None
    if not argv or not isinstance(argv[0], str):
        return None
    python = argv[0]
    if not os.path.isabs(python):
        located = shutil.which(python)
        if located is None:
            return None
        python = located
    if "python" not in os.path.basename(python).lower():
        return None  # another language's kernel
    return os.path.basename(folder), python


def default_roots() -> list[str]:
    """Where environments usually are: the working directory and the tools' own folders."""
    home = os.path.expanduser("~")
    roots = [os.getcwd()]
    candidates = [
        os.environ.get("WORKON_HOME", os.path.join(home, ".virtualenvs")),
        os.environ.get("PYENV_ROOT", os.path.join(home, ".pyenv")),
        os.path.join(home, ".local", "share", "virtualenvs"),  # pipenv
        os.path.join(home, ".cache", "pypoetry", "virtualenvs"),
        os.path.join(home, ".conda", "envs"),
        os.path.join(home, "miniconda3"),
        os.path.join(home, "miniforge3"),
        os.path.join(home, "anaconda3"),
        os.path.join(home, ".local", "share", "jupyter", "kernels"),
        "/usr/local/share/jupyter/kernels",
        "/usr/share/jupyter/kernels",
    ]
    candidates += [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    candidates += _conda_environments(home)
    return roots + [c for c in candidates if os.path.isdir(c)]


def _conda_environments(home: str) -> list[str]:
    path = os.path.join(home, ".conda", "environments.txt")
    try:
        with open(path, encoding="utf-8") as handle:
            return [line.strip() for line in handle if line.strip()]
    except OSError:
        return []
