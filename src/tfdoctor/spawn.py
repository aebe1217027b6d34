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
    (a child that fills an unread pipe would stop)."""

    def __init__(self, argv: list[str], env: dict[str, str]):
        self.returncode: int | None = None
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
            with open(fd, "rb", buffering=0) as pipe:
                while chunk := pipe.read(1 << 16):
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
        )
        self.pid = proc.pid

        def communicate() -> None:
            out, err = proc.communicate()
            self._chunks[0].append(out)
            self._chunks[1].append(err)
            self.returncode = proc.returncode

        self._proc = proc
        self._readers = [threading.Thread(target=communicate, daemon=True)]
        self._readers[0].start()

    def wait(self, timeout: float | None = None) -> tuple[bytes, bytes, int] | None:
        """Standard output, standard error and exit status once the child has ended; None
        (the child still running) when ``timeout`` seconds passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for reader in self._readers:
            reader.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
            if reader.is_alive():
                return None
        # A child may close its outputs and go on running: the time limit holds for it too.
        flags = 0 if deadline is None else os.WNOHANG
        pause = 0.0002  # it is usually exiting already: look again soon, then less often
        while self.returncode is None:
            pid, status = os.waitpid(self.pid, flags)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
            elif deadline is not None and time.monotonic() >= deadline:
                return None
            else:
                time.sleep(pause)
                pause = min(pause * 2, 0.05)
        return b"".join(self._chunks[0]), b"".join(self._chunks[1]), self.returncode

    def kill(self) -> None:
        """Kill the child (if it still runs) and reap it. A grandchild that keeps the pipes
        open is not waited for: the reader threads are daemons and end with it."""
        if self.returncode is None:
            import contextlib

            with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
                if self._proc is not None:
                    self._proc.kill()
                else:
                    os.kill(self.pid, _SIGKILL)
            if self._proc is not None:
                self.returncode = self._proc.wait()
            else:
                _, status = os.waitpid(self.pid, 0)
                self.returncode = os.waitstatus_to_exitcode(status)
        for reader in self._readers:
            reader.join(1.0)
