"""Start a child process and collect its output, without importing ``subprocess`` where we can.

``tfdoctor check`` starts its probe first thing, and everything before that start is on the
critical path of the whole command. ``subprocess`` costs ~20 ms to import in a fresh interpreter
(it pulls in locale, re, enum, selectors), a fifth of a check, so where the platform has
``os.posix_spawn`` (Linux, macOS) the child is started with it; elsewhere subprocess does it.
"""

from __future__ import annotations

import os
import threading
import time

TYPE_CHECKING = False  # not typing's (start-up time); mypy treats any TYPE_CHECKING as true
if TYPE_CHECKING:
    import subprocess

_SIGKILL = 9  # POSIX; `signal` is not imported for one constant (it builds enums on import)


class Child:
    """A running child with standard input from /dev/null and both outputs read on threads
    (a child that fills an unread pipe would stop).

    The child leads a new session (process group), so that ``kill`` ends whatever it started
    too: a wrapper script's grandchild does not outlive it. At most ``limit`` bytes of each
    output are kept; a child that writes more is killed and ``overflow`` is set."""

    def __init__(self, argv: list[str], env: dict[str, str], limit: int | None = None):
        self.returncode: int | None = None
        self.overflow = False
        self._limit = limit
        self._proc: subprocess.Popen[bytes] | None = None
        self._chunks: tuple[list[bytes], list[bytes]] = ([], [])
        if hasattr(os, "posix_spawn"):
            self._start_spawned(argv, env)
        else:
            self._start_subprocess(argv, env)

    def _start_spawned(self, argv: list[str], env: dict[str, str]) -> None:
        out_read, out_write = os.pipe()  # not inherited: only the dup2'd copies are
        err_read, err_write = os.pipe()
        try:
            self.pid = os.posix_spawn(
                argv[0],
                argv,
                env,
                file_actions=[
                    (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                    (os.POSIX_SPAWN_DUP2, out_write, 1),
                    (os.POSIX_SPAWN_DUP2, err_write, 2),
                ],
                setsid=True,
            )
        except OSError:
            os.close(out_read)
            os.close(err_read)
            raise
        finally:
            os.close(out_write)
            os.close(err_write)
        self._readers = [self._reader(out_read, 0), self._reader(err_read, 1)]

    def _reader(self, fd: int, which: int) -> threading.Thread:
        def read() -> None:
            kept = 0
            limit = self._limit
            with open(fd, "rb", buffering=0) as pipe:
                while chunk := pipe.read(1 << 16):
                    if self.overflow:
                        continue  # drain until the killed group closes the pipe
                    kept += len(chunk)
                    if limit is not None and kept > limit:
                        self.overflow = True
                        self._signal_group()
                        continue
                    self._chunks[which].append(chunk)

        thread = threading.Thread(target=read, daemon=True)
        thread.start()
        return thread

    def _start_subprocess(self, argv: list[str], env: dict[str, str]) -> None:
        import subprocess

        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=os.name == "posix",
        )
        self.pid = proc.pid
        self._proc = proc
        assert proc.stdout is not None and proc.stderr is not None
        fds = [os.dup(proc.stdout.fileno()), os.dup(proc.stderr.fileno())]
        proc.stdout.close()
        proc.stderr.close()
        self._readers = [self._reader(fds[0], 0), self._reader(fds[1], 1)]

    def _reap(self, block: bool) -> bool:
        """Collect the exit status; False while the child still runs (``block`` False)."""
        if self._proc is not None:
            code = self._proc.wait() if block else self._proc.poll()
            if code is None:
                return False
            self.returncode = code
            return True
        pid, status = os.waitpid(self.pid, 0 if block else os.WNOHANG)
        if not pid:
            return False
        self.returncode = os.waitstatus_to_exitcode(status)
        return True

    def wait(self, timeout: float | None = None) -> tuple[bytes, bytes, int] | None:
        """Standard output, standard error and exit status once the child has ended; None
        (the child still running) when ``timeout`` seconds passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for reader in self._readers:
            reader.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
            if reader.is_alive():
                return None
        # A child may close its outputs and go on running: the time limit holds for it too.
        pause = 0.0002  # it is usually exiting already: look again soon, then less often
        while self.returncode is None:
            if self._reap(block=deadline is None):
                break
            if deadline is not None and time.monotonic() >= deadline:
                return None
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
        assert self.returncode is not None
        return b"".join(self._chunks[0]), b"".join(self._chunks[1]), self.returncode

    def _signal_group(self) -> None:
        """SIGKILL to the child's process group (all it started), else to the child alone."""
        import contextlib

        with contextlib.suppress(ProcessLookupError, PermissionError):  # it ended meanwhile
            if hasattr(os, "killpg"):
                try:
                    os.killpg(self.pid, _SIGKILL)
                    return
                except (ProcessLookupError, PermissionError):
                    pass  # the group is gone: the child may still be a zombie to reap
            if self._proc is not None:
                self._proc.kill()
            else:
                os.kill(self.pid, _SIGKILL)

    def kill(self) -> None:
        """Kill the child and everything it started (its process group), and reap it."""
        if self.returncode is None:
            self._signal_group()
            self._reap(block=True)
        elif hasattr(os, "killpg"):
            self._signal_group()  # the child ended; what it left running in its group has not
        for reader in self._readers:
            reader.join(1.0)
