"""Real test environments, built with uv from the registry and cached between runs.

Every environment is a real venv: a base one is built by ``uv pip install --compile-bytecode``
(uv hardlinks from its cache, so rebuilding is cheap), and a broken variant is a hardlinked copy of
a base (``cp -al``) changed by the same commands a user would run (``uv pip install --no-deps``,
``rm``). Files are only ever replaced, never written in place, so a copy never changes its base.
Set TFDOCTOR_TEST_ENVS to choose where they live.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(os.environ.get("TFDOCTOR_TEST_ENVS", Path.home() / ".cache" / "tfdoctor-test-envs"))
MARKER = ".tfdoctor-test-complete"
BUILD_VERSION = "1"


def uv() -> str:
    found = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if found is None:
        raise RuntimeError("uv is needed to build the test environments: pip install uv")
    return found


def interpreter(version: str) -> str:
    """A CPython of this minor version: pyenv's if present, else whatever uv finds."""
    try:
        prefix = subprocess.run(
            ["pyenv", "prefix", _pyenv_version(version)], capture_output=True, text=True, check=True
        ).stdout.strip()
        if prefix:
            return str(Path(prefix) / "bin" / "python")
    except (OSError, subprocess.CalledProcessError):
        pass
    return version


def _pyenv_version(minor: str) -> str:
    try:
        out = subprocess.run(
            ["pyenv", "versions", "--bare"], capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return minor
    matches = [v for v in out.stdout.split() if v == minor or v.startswith(minor + ".")]
    return matches[-1] if matches else minor


Mutation = Callable[[Path], None]


@dataclass(frozen=True)
class EnvSpec:
    """A base env (python + packages) or a variant (base + installs without deps + mutations)."""

    name: str
    python: str = "3.11"
    packages: tuple[str, ...] = ()
    base: EnvSpec | None = None
    no_deps: tuple[str, ...] = ()
    with_deps: tuple[str, ...] = ()
    uninstall: tuple[str, ...] = ()
    mutations: tuple[tuple[str, Mutation], ...] = field(default=(), compare=False)

    def key(self) -> str:
        parts = {
            "v": BUILD_VERSION,
            "python": self.python,
            "packages": self.packages,
            "base": self.base.key() if self.base else None,
            "no_deps": self.no_deps,
            "with_deps": self.with_deps,
            "uninstall": self.uninstall,
            "mutations": [name for name, _ in self.mutations],
        }
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:10]

    @property
    def path(self) -> Path:
        return ROOT / f"{self.name}-{self.key()}"


def site_packages(env: Path) -> Path:
    found = sorted(env.glob("lib/python3*/site-packages"))
    if not found:
        raise RuntimeError(f"no site-packages in {env}")
    return found[0]


def python_of(env: Path) -> str:
    return str(env / "bin" / "python")


def _run(cmd: list[str]) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}")


def install(env: Path, packages: tuple[str, ...] | list[str], *flags: str) -> None:
    """`uv pip install --compile-bytecode` into a test environment (for builds and mutations)."""
    _run(
        [
            uv(),
            "pip",
            "install",
            "--quiet",
            "--compile-bytecode",
            *flags,
            "--python",
            python_of(env),
            *packages,
        ]
    )


def build(spec: EnvSpec) -> Path:
    path = spec.path
    if (path / MARKER).exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    # Several test runs (worktrees, helpers) may share ROOT: one builds, the others wait for it.
    with open(path.parent / f".{path.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (path / MARKER).exists():
            return path
        return _build_unlocked(spec, path)


def _build_unlocked(spec: EnvSpec, path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if spec.base is not None:
        base = build(spec.base)
        _run(["cp", "-al", str(base), str(path)])
        (path / MARKER).unlink()
    else:
        _run([uv(), "venv", "--quiet", "--python", interpreter(spec.python), str(path)])
        if spec.packages:
            install(path, spec.packages)
    if spec.uninstall:
        _run([uv(), "pip", "uninstall", "--quiet", "--python", python_of(path), *spec.uninstall])
    if spec.no_deps:
        install(path, spec.no_deps, "--no-deps")
    if spec.with_deps:
        install(path, spec.with_deps)
    for _, mutate in spec.mutations:
        mutate(path)
    (path / MARKER).write_text(json.dumps({"name": spec.name}))
    return path


def replace_text(path: Path, text: str) -> None:
    """Write a file without touching a hardlinked original."""
    if path.exists():
        path.unlink()
    path.write_text(text, encoding="utf-8")
