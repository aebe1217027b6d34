"""Run cells: a bounded local process pool, or tasks on a Ray cluster. Both hand each finished
record to `done` in the calling process, which stores it at once (resumable)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from tfdoctor.matrix.runner import run_cell
from tfdoctor.matrix.spec import Cell

Done = Callable[[Cell, dict[str, Any]], None]


def default_jobs() -> int:
    return max(1, (os.cpu_count() or 1))


def _report(cell: Cell, exc: BaseException) -> None:
    print(f"tfdoctor matrix: {cell.label()}: not stored: {exc}", file=sys.stderr)


def run_local(cells: Sequence[Cell], jobs: int, done: Done, timeout: float = 600,
              failed: Callable[[Cell, BaseException], None] = _report) -> None:  # fmt: skip
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        pending: dict[Future[dict[str, Any]], Cell] = {}
        queue = list(cells)
        while queue or pending:
            while queue and len(pending) < jobs:
                cell = queue.pop(0)
                pending[pool.submit(run_cell, cell, None, timeout)] = cell
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                cell = pending.pop(future)
                try:
                    record = future.result()
                except Exception as exc:  # a fault of the machine: reported, nothing stored
                    failed(cell, exc)
                    continue
                done(cell, record)


def _ray_cell(cell: Cell, timeout: float) -> dict[str, Any]:
    # On the node: builds in its local temporary folder, returns only the record.
    return run_cell(cell, None, timeout)


def run_ray(cells: Sequence[Cell], address: str, done: Done, timeout: float = 600,
            init_kwargs: dict[str, Any] | None = None) -> None:  # fmt: skip
    """Each cell is one Ray task (num_cpus=1) on an existing cluster (`address`, or "local")."""
    try:
        import ray
    except ImportError:
        from tfdoctor.errors import UsageError

        raise UsageError("--ray needs Ray: pip install ray") from None
    if not ray.is_initialized():
        kwargs = dict(init_kwargs or {})
        if address != "local":
            kwargs["address"] = address
        ray.init(**kwargs)
    remote = ray.remote(num_cpus=1, max_retries=1)(_ray_cell)
    refs = {remote.remote(cell, timeout): cell for cell in cells}
    while refs:
        ready, _ = ray.wait(list(refs), num_returns=1)
        for ref in ready:
            cell = refs.pop(ref)
            try:
                record = ray.get(ref)
            except Exception as exc:
                _report(cell, exc)
                continue
            done(cell, record)
