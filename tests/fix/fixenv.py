"""Helpers of the fix tests: private copies of the cached environments and tree hashes."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

SKIP = ".tfdoctor"  # tfdoctor's own journal folder inside the environment


def copy_env(src: Path, dst: Path) -> Path:
    """A hardlinked copy (``cp -al``): installers replace files, so the cache never changes."""
    subprocess.run(["cp", "-al", str(src), str(dst)], check=True)
    return dst


def tree_hash(root: Path) -> dict[str, str]:
    """Every entry under ``root`` (but tfdoctor's folder): file contents, link targets, folders."""
    out: dict[str, str] = {}
    for here, dirs, files in os.walk(root):
        rel = os.path.relpath(here, root)
        if rel == ".":
            dirs[:] = [d for d in dirs if d != SKIP]
        for name in dirs + files:
            path = os.path.join(here, name)
            key = os.path.normpath(os.path.join(rel, name))
            if os.path.islink(path):
                out[key] = "link:" + os.readlink(path)
            elif os.path.isdir(path):
                out[key] = "dir"
            else:
                digest = hashlib.sha256()
                with open(path, "rb") as handle:
                    for chunk in iter(lambda: handle.read(1 << 20), b""):
                        digest.update(chunk)
                out[key] = digest.hexdigest()
    return out


def differences(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))[:20]


def records(env: Path) -> dict[str, str]:
    """The RECORD files of every distribution (what installers believe is installed)."""
    return {
        str(p.relative_to(env)): p.read_text(encoding="utf-8")
        for p in sorted(env.glob("lib/python3*/site-packages/*.dist-info/RECORD"))
    }


def executable(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)
    return path


def alive(pid: int) -> bool:
    """Running (a zombie has ended: nobody may have reaped it in a container)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            state = handle.read().rsplit(b")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in (b"Z", b"X")


def pids_in(path: Path) -> list[int]:
    return [int(p) for p in path.read_text().split()] if path.exists() else []
