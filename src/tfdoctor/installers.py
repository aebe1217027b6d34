"""Fix commands written for the installer that manages the target environment.

pip, uv, poetry and conda spell the same change differently; rules ask for a change (install these
requirements, remove these distributions) and get back the exact command for the user's own tool.
"""

from __future__ import annotations

import os
from typing import NamedTuple

from tfdoctor.pep508 import canonical
from tfdoctor.shellwords import word as shell_word
from tfdoctor.snapshot import Snapshot


def _quote_all(items: tuple[str, ...] | list[str]) -> str:
    return " ".join(shell_word(i) for i in items)


class Installer(NamedTuple):
    """``kind`` is pip | uv | poetry | conda, or requirements (``check -r``: nothing is installed,
    the ``files`` are changed); ``python`` is the target interpreter."""

    kind: str
    python: str
    conda_prefix: str = ""
    files: tuple[str, ...] = ()
    asked: frozenset[str] = frozenset()  # requirements: the packages the set names (canonical)

    def install(self, *requirements: str, no_deps: bool = False, reinstall: bool = False) -> str:
        reqs = _quote_all(list(requirements))
        if self.kind == "requirements":
            # a shell comment: pasted, it changes nothing (there is no environment to change)
            return self._in_files(requirements)
        if self.kind == "poetry":
            return f"poetry add {reqs}"
        if self.kind == "conda":
            return f"conda install -p {shell_word(self.conda_prefix)} {reqs}"
        flags = ""
        if no_deps:
            flags += " --no-deps"
        if reinstall:
            flags += " --reinstall" if self.kind == "uv" else " --force-reinstall"
        if self.kind == "uv":
            return f"uv pip install --python {shell_word(self.python)}{flags} {reqs}"
        return f"{shell_word(self.python)} -m pip install{flags} {reqs}"

    def uninstall(self, *names: str, only_these: bool = False) -> str:
        """``only_these``: conda removes the named packages alone (``--force``), not every conda
        package that depends on them too (what a plain ``conda remove`` does)."""
        items = _quote_all(list(names))
        if self.kind == "requirements":
            return f"# in {self.files_named}: remove {items}"
        if self.kind == "poetry":
            return f"poetry remove {items}"
        if self.kind == "conda":
            force = " --force" if only_these else ""
            return f"conda remove -p {shell_word(self.conda_prefix)}{force} {items}"
        if self.kind == "uv":
            return f"uv pip uninstall --python {shell_word(self.python)} {items}"
        return f"{shell_word(self.python)} -m pip uninstall -y {items}"

    def _in_files(self, requirements: tuple[str, ...]) -> str:
        """A requirement the set names is replaced; one it does not name (numpy, which only
        TensorFlow requires; tensorflow missing from the set) is added. Unknown (a lock file
        that does not say which packages were asked for): replaced."""
        if not self.asked:
            named, new = list(requirements), []
        else:
            named = [r for r in requirements if canonical(_name_of(r)) in self.asked]
            new = [r for r in requirements if canonical(_name_of(r)) not in self.asked]
        parts = []
        if named:
            parts.append(f"require {_quote_all(named)} instead of what the set asks for")
        if new:
            parts.append(f"add {_quote_all(new)}")
        return f"# in {self.files_named}: {', and '.join(parts)}"

    @property
    def files_named(self) -> str:
        """The requirement files a ``requirements`` installer changes, as a fix names them."""
        return " + ".join(self.files) or "the requirement set"

    def for_distribution(self, installer_field: str) -> Installer:
        """In a conda env, packages that pip installed must be changed with pip, not conda."""
        if self.kind == "conda" and installer_field.strip() not in ("", "conda"):
            tool = "uv" if installer_field.strip() == "uv" else "pip"
            return Installer(kind=tool, python=self.python)
        return self


def _name_of(requirement: str) -> str:
    for i, ch in enumerate(requirement):
        if not (ch.isalnum() or ch in "-_."):
            return requirement[:i]
    return requirement


def detect_installer(snapshot: Snapshot) -> Installer:
    python = snapshot.python.executable
    if snapshot.requirement_files:
        return Installer(
            kind="requirements",
            python=python,
            files=snapshot.requirement_files,
            asked=frozenset(d.key for d in snapshot.distributions if d.requested),
        )
    if snapshot.is_conda:
        return Installer(kind="conda", python=python, conda_prefix=snapshot.python.prefix)
    if _is_poetry_project(snapshot.cwd, snapshot):
        return Installer(kind="poetry", python=python)
    cfg = snapshot.python.pyvenv_cfg or ""
    if any(line.split("=")[0].strip() == "uv" for line in cfg.splitlines()):
        return Installer(kind="uv", python=python)
    installers = {d.installer for d in snapshot.distributions if d.installer}
    if installers == {"uv"}:
        return Installer(kind="uv", python=python)
    return Installer(kind="pip", python=python)


def _is_poetry_project(cwd: str, snapshot: Snapshot) -> bool:
    pyproject = os.path.join(cwd, "pyproject.toml")
    if not (os.path.isfile(pyproject) and os.path.isfile(os.path.join(cwd, "poetry.lock"))):
        return False
    try:
        with open(pyproject, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return False
    if "[tool.poetry" not in text:
        return False
    # Only when the target is the project's own environment (in-project .venv or poetry's cache).
    prefix = snapshot.python.prefix
    return prefix.startswith(str(cwd)) or "pypoetry" in prefix


def pin(name: str, version: str) -> str:
    return f"{canonical(name)}=={version}"
