"""One tfdoctor at a time changes an environment: ``fix``, ``fix --rollback``, ``fix --into`` and
``new`` hold an exclusive lock on ``ENV/.tfdoctor/lock`` (``flock``: the kernel releases it when
the holder dies, however it dies). The lock file says who holds it, so a second run can say so."""

from __future__ import annotations

import fcntl
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tfdoctor import shellwords
from tfdoctor.errors import UsageError

FOLDER = ".tfdoctor"
NAME = "lock"


def lock_path(folder: str | Path) -> Path:
    return Path(folder) / FOLDER / NAME


@contextmanager
def hold(folder: str | Path, what: str) -> Iterator[None]:
    """Hold the lock of the environment (or the environment to be) in ``folder``; UsageError
    naming the holder when another process has it."""
    path = lock_path(folder)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise UsageError(
            f"cannot take the lock {path} ({exc.strerror or exc}): tfdoctor needs to write in "
            f"{path.parent} to change {folder}"
        ) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(
                f"{folder} is being changed by {_holder(fd)}; wait until it ends, then run this "
                "again"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(_me(what)).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # releases the lock


def holder(folder: str | Path) -> str:
    """Who changes the environment now ('' when nobody); never creates anything."""
    try:
        fd = os.open(lock_path(folder), os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return ""
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return _holder(fd)
    except OSError:
        return ""
    finally:
        os.close(fd)
    return ""


def _me(what: str) -> dict[str, object]:
    return {
        "pid": os.getpid(),
        "command": "tfdoctor " + shellwords.line(sys.argv[1:])
        if sys.argv[1:]
        else f"tfdoctor {what}",
        "since": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime()),
    }


def _holder(fd: int) -> str:
    try:
        data = json.loads(os.pread(fd, 65536, 0).decode("utf-8", "replace"))
        return f"`{data['command']}` (pid {int(data['pid'])}, since {data['since']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another tfdoctor process"
