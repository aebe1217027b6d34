"""Jupyter kernels that run on an environment: a running kernel keeps the modules it imported, so
after a repair (or a rollback) it must be restarted to see the change.

Kernel specs are found where Jupyter looks (``jupyter --paths``: JUPYTER_PATH, the user's data
folder, the environment's and the system's ``share/jupyter``); a spec whose ``argv[0]`` is an
interpreter of the environment runs on it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def _data_dirs(prefix: str) -> list[Path]:
    dirs = [Path(p) for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    if os.environ.get("JUPYTER_DATA_DIR"):
        dirs.append(Path(os.environ["JUPYTER_DATA_DIR"]))
    elif sys.platform == "darwin":
        dirs.append(Path.home() / "Library" / "Jupyter")
    else:
        xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        dirs.append(Path(xdg) / "jupyter")
    dirs += [Path(prefix, "share", "jupyter"), Path("/usr/local/share/jupyter")]
    dirs.append(Path("/usr/share/jupyter"))
    return dirs


def _runs_on(argv0: str, prefix: str) -> bool:
    if os.sep not in argv0:
        return False
    path = os.path.abspath(os.path.expanduser(argv0))
    root = os.path.abspath(prefix)
    if path.startswith(root + os.sep):
        return True
    # The spec may name the environment through a symlink of its folder.
    return os.path.realpath(os.path.dirname(path)) == os.path.realpath(os.path.join(root, "bin"))


def kernels_using(prefix: str) -> list[str]:
    """``name (kernel.json path)`` of each kernel spec that runs on the environment."""
    found = []
    seen = set()
    for folder in _data_dirs(prefix):
        try:
            specs = sorted((folder / "kernels").glob("*/kernel.json"))
        except OSError:
            continue
        for spec in specs:
            try:
                argv = json.loads(spec.read_text(encoding="utf-8")).get("argv") or []
            except (OSError, ValueError, AttributeError):
                argv = []
            name = spec.parent.name
            if name in seen:
                continue  # the first spec of a name that Jupyter finds is the one it uses
            seen.add(name)
            if argv and isinstance(argv[0], str) and _runs_on(argv[0], prefix):
                found.append(f"{name} ({spec})")
    return found


def has_ipykernel(prefix: str) -> bool:
    return any(Path(prefix).glob("lib/python3*/site-packages/ipykernel/__init__.py"))


def restart_note(prefix: str) -> str:
    """What to tell the user about kernels after the environment changed ('' when nothing)."""
    kernels = kernels_using(prefix)
    if kernels:
        which = ", ".join(kernels)
        them = "kernels that run" if len(kernels) > 1 else "kernel that runs"
        return (
            f"restart the Jupyter {them} on this environment: {which} (a running kernel keeps "
            "the modules it had imported)"
        )
    if has_ipykernel(prefix):
        return (
            "restart any Jupyter kernel that runs on this environment (a running kernel keeps "
            "the modules it had imported)"
        )
    return ""
