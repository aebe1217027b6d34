"""Live progress of ``check --deep`` on the terminal (stderr): the running step and its time."""

from __future__ import annotations

import time
from typing import IO, Any

from rich.console import Console
from rich.status import Status


class LiveProgress:
    def __init__(self, stream: IO[str]):
        self.console = Console(file=stream)
        self.status: Status = self.console.status("starting the target interpreter")
        self.status.start()
        self.step = ""
        self.since = time.perf_counter()

    def __call__(self, kind: str, event: dict[str, Any]) -> None:
        if kind == "start":
            self.step = str(event.get("step", ""))
            self.since = time.perf_counter()
        elif kind == "end":
            ok = event.get("status") == "ok"
            mark = "[green]✓[/]" if ok else "[red]✗[/]"
            self.console.print(
                f"{mark} {event.get('step')} [dim]{event.get('seconds', 0):.1f} s[/]"
            )
            self.step = ""
        if self.step:
            self.status.update(f"{self.step} … {time.perf_counter() - self.since:.0f} s")

    def close(self) -> None:
        self.status.stop()
