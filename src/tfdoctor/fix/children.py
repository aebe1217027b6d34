"""The installers tfdoctor starts, and how they end when tfdoctor itself is killed.

Each runs in its own process group (a Ctrl-C in the terminal reaches tfdoctor only, which ends
the installer and restores the environment). On Linux the installer is also told to die with
tfdoctor (``PR_SET_PDEATHSIG``). The processes it starts in turn may outlive it, so every
installer of a fix carries the fix's token in its environment (``TFDOCTOR_TRANSACTION``): before a
rollback restores anything, it finds every live process with that token (``/proc/PID/environ``)
and ends it, so nothing writes into the environment while, or after, it is put back.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

MARK = "TFDOCTOR_TRANSACTION"
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> Callable[[], None] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # tfdoctor died before the line above
            os._exit(1)

    return preexec


def popen(cmd: list[str], token: str = "") -> subprocess.Popen[str]:
    """Start an installer: own process group, dies with tfdoctor, marked with ``token``."""
    env = dict(os.environ)
    if token:
        env[MARK] = token
    return subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        env=env,
        start_new_session=True,
        preexec_fn=_die_with_parent(),
    )


def stop(proc: subprocess.Popen[str], grace: float = 30.0) -> None:
    """End an installer and whatever it started (its process group), then reap it."""
    _signal_group(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=grace)
    _signal_group(proc.pid, signal.SIGKILL)
    proc.wait()


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def marked(token: str) -> list[int]:
    """Live processes (not zombies) that carry ``token``: the installers of one fix, and what
    they started. Linux only (an empty list elsewhere)."""
    if not token or not os.path.isdir("/proc"):
        return []
    wanted = f"{MARK}={token}".encode()
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            with open(f"/proc/{name}/environ", "rb") as handle:
                environ = handle.read().split(b"\0")
            with open(f"/proc/{name}/stat", "rb") as handle:
                state = handle.read().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if wanted in environ and state not in (b"Z", b"X"):
            found.append(int(name))
    return sorted(found)


def end_marked(token: str, say: Callable[[str], None], grace: float = 5.0) -> None:
    """End every process of an interrupted fix before its environment is restored."""
    pids = marked(token)
    if not pids:
        return
    say(
        f"ending what the interrupted fix started (pid {', '.join(map(str, pids))}) before "
        "restoring, so that nothing writes into the environment afterwards"
    )
    deadline = time.monotonic() + grace
    give_up = deadline + 10.0
    while pids and time.monotonic() < give_up:
        sig = signal.SIGTERM if time.monotonic() < deadline else signal.SIGKILL
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)
        time.sleep(0.05)
        pids = marked(token)
    if pids:
        raise RuntimeError(
            "what the interrupted fix started is still running (pid "
            f"{', '.join(map(str, pids))}); end it, then run the rollback again"
        )
