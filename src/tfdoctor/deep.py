"""``check --deep``: run TensorFlow and Keras for real in the target, with a time limit.

The runtime probe (probe/runtime.py) prints one event per step as it ends; this module starts it,
follows its events (for a live progress display), and survives whatever the target does: a hang
(time limit), a crash (segfault, illegal instruction) or a kill.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from tfdoctor.target import BEGIN, ISOLATE, Interpreter, probe_program

EVENT = "@@TFDOCTOR-EVENT@@ "
DEFAULT_TIMEOUT_S = 180.0
STDERR_TAIL = 64 * 1024
EVENT_LINE_LIMIT = 1 << 20


@dataclass(frozen=True)
class Step:
    name: str
    status: str  # ok | fail
    seconds: float
    detail: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    error_type: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"step": self.name, "status": self.status, "seconds": self.seconds}
        if self.detail:
            out["detail"] = self.detail
        if self.error:
            out["error"] = self.error
        return out


@dataclass(frozen=True)
class DeepResult:
    steps: tuple[Step, ...]
    wall_seconds: float
    returncode: int | None
    timed_out: bool = False
    unfinished: str = ""  # the step that was running when the process died or timed out
    stderr_tail: str = ""
    unsupported_python: bool = False

    @property
    def crashed(self) -> str:
        """'' or a description of how the interpreter died (a signal, an exit in the middle)."""
        if self.timed_out:
            return ""
        code = self.returncode
        if code is not None and code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            return f"killed by {name}"
        if self.unfinished:
            return f"exited with status {code} during {self.unfinished!r}"
        return ""

    def step(self, name: str) -> Step | None:
        return next((s for s in self.steps if s.name == name), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "steps": [s.to_json() for s in self.steps],
            "wall_seconds": round(self.wall_seconds, 3),
            "timed_out": self.timed_out,
            "crashed": self.crashed,
            "unfinished": self.unfinished,
        }


Progress = Callable[[str, dict[str, Any]], None]


class RunningDeep:
    """The runtime probe, started now; ``result()`` follows it to its end or its time limit."""

    def __init__(
        self,
        target: Interpreter,
        timeout: float = DEFAULT_TIMEOUT_S,
        imports: Sequence[str] = (),
        write_bytecode: bool = True,
    ):
        """``imports``: more top-level modules to import after the TensorFlow stack (each one a
        step ``import NAME``), e.g. the packages a repair moved. ``write_bytecode=False``: the
        run writes no ``.pyc`` into the environment (``-B``; -I ignores PYTHONDONTWRITEBYTECODE)."""
        self.timeout = timeout
        flags = (*ISOLATE, "-B") if not write_bytecode else ISOLATE
        self.started = time.perf_counter()
        self._proc = subprocess.Popen(
            [target.executable, *flags, "-", *imports],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # so that a time-out kills TensorFlow's threads and children
        )
        assert self._proc.stdin is not None
        self._proc.stdin.write(probe_program("runtime").encode("ascii"))
        self._proc.stdin.close()
        self._events: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._stderr: list[bytes] = []
        assert self._proc.stdout is not None and self._proc.stderr is not None
        threading.Thread(target=self._read_events, args=(self._proc.stdout,), daemon=True).start()
        self._stderr_thread = threading.Thread(
            target=self._read_stderr, args=(self._proc.stderr,), daemon=True
        )
        self._stderr_thread.start()

    def _read_events(self, stream: IO[bytes]) -> None:
        # At most EVENT_LINE_LIMIT bytes a line: a longer one is cut into pieces that are not
        # events, so a target printing one endless line costs no memory.
        for raw in iter(lambda: stream.readline(EVENT_LINE_LIMIT), b""):
            line = raw.decode("utf-8", errors="replace")
            if line.startswith(EVENT):
                try:
                    self._events.put(json.loads(line[len(EVENT) :]))
                except ValueError:
                    continue
            elif BEGIN in line:
                self._events.put({"event": "unsupported-python"})
        self._events.put(None)

    def _read_stderr(self, stream: IO[bytes]) -> None:
        size = 0
        for chunk in iter(lambda: stream.read(8192), b""):
            self._stderr.append(chunk)
            size += len(chunk)
            while size > STDERR_TAIL and len(self._stderr) > 1:
                size -= len(self._stderr.pop(0))

    def _kill(self) -> None:
        try:
            os.killpg(self._proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            self._proc.kill()

    def result(self, progress: Progress | None = None) -> DeepResult:
        deadline = self.started + self.timeout
        steps: list[Step] = []
        running = ""
        timed_out = unsupported = False
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                timed_out = True
                self._kill()
                break
            try:
                event = self._events.get(timeout=min(remaining, 0.5))
            except queue.Empty:
                if progress and running:
                    progress("tick", {"step": running})
                continue
            if event is None:
                break
            kind = event.get("event")
            if kind == "unsupported-python":
                unsupported = True
            elif kind == "start":
                running = str(event.get("step", ""))
                if progress:
                    progress("start", event)
            elif kind == "end":
                running = ""
                steps.append(
                    Step(
                        name=str(event["step"]),
                        status=str(event["status"]),
                        seconds=float(event.get("seconds", 0.0)),
                        detail=dict(event.get("detail") or {}),
                        error=str(event.get("error", "")),
                        error_type=str(event.get("error_type", "")),
                    )
                )
                if progress:
                    progress("end", event)
        try:
            returncode = self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._kill()
            returncode = self._proc.wait()
        self._stderr_thread.join(timeout=5)
        return DeepResult(
            steps=tuple(steps),
            wall_seconds=time.perf_counter() - self.started,
            returncode=returncode,
            timed_out=timed_out,
            unfinished=running,
            stderr_tail=b"".join(self._stderr).decode("utf-8", errors="replace")[-STDERR_TAIL:],
            unsupported_python=unsupported,
        )
