"""``tfdoctor matrix run|list|api-report|facts``: build the grid of environments and prove facts."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from tfdoctor.errors import EXIT_OK, UsageError, positive_seconds


def add_parser(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "matrix", help="build and run a grid of TensorFlow/Keras environments (maintainers)"
    )
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    # facts and api-report read every stored cell: they take the store, not a selection of cells
    stored = argparse.ArgumentParser(add_help=False)
    stored.add_argument("--store", type=Path, help="the records (default: kb/data/verified.json)")
    common = argparse.ArgumentParser(add_help=False, parents=[stored])
    common.add_argument("--grid", type=Path, help="the grid spec (default: the packaged grid.toml)")
    common.add_argument("--family", action="append", help="only this family (repeatable)")
    common.add_argument("--tf", action="append", help="only this TensorFlow minor, e.g. 2.15")
    common.add_argument("--limit", type=int, help="at most this many cells")
    run = verbs.add_parser("run", parents=[common], help="build and run the cells not yet stored")
    run.add_argument("--jobs", type=int, help="cells at a time (default: the CPU count)")
    run.add_argument("--ray", metavar="ADDRESS", help="run the cells as tasks on this Ray cluster")
    run.add_argument("--timeout", type=float, help="seconds per cell probe (default: the grid's)")
    run.add_argument(
        "--rerun",
        action="store_true",
        help="build the selected cells again even when stored, replacing their records (after a "
        "change to api_changes.json, rerun the families with api = true)",
    )
    verbs.add_parser("list", parents=[common], help="list the cells, stored or to do")
    verbs.add_parser(
        "api-report", parents=[stored],
        help="check every api_changes.json entry against the stored cells",
    )  # fmt: skip
    facts = verbs.add_parser("facts", parents=[stored], help="what all the stored cells prove")
    facts.add_argument("--format", choices=("text", "json"), default="text")


def _cells(args: argparse.Namespace) -> list[Any]:
    from tfdoctor.matrix.spec import expand, load_grid

    if args.grid is not None and not args.grid.is_file():
        raise UsageError(f"no grid spec at {args.grid}: give a TOML file like matrix/grid.toml")
    try:
        cells = expand(load_grid(args.grid))
    except (KeyError, ValueError) as exc:
        raise UsageError(f"bad grid spec {args.grid or 'grid.toml'}: {exc}") from None
    if args.family:
        cells = [c for c in cells if c.family in args.family]
    if args.tf:
        cells = [c for c in cells if ".".join(c.tensorflow.split(".")[:2]) in args.tf]
    return cells[: args.limit] if args.limit else cells


def run(args: argparse.Namespace) -> int:
    from tfdoctor.matrix.store import Store

    if args.verb == "run" and args.timeout is not None:
        positive_seconds(args.timeout)
    try:
        store = Store(args.store)
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read the store: {exc}") from None
    if args.verb == "api-report":
        from tfdoctor.matrix.proofs import api_report

        return api_report(store, sys.stdout)
    if args.verb == "facts":
        from tfdoctor.matrix.proofs import facts

        return facts(store, sys.stdout, as_json=args.format == "json")
    cells = _cells(args)
    if args.verb == "list":
        for cell in cells:
            record = store.cells.get(cell.key())
            state = record["outcome"] if record else "todo"
            print(f"{cell.key()}  {state:4}  {cell.family:10}  {cell.label()}")
        done = sum(1 for c in cells if c.key() in store)
        print(f"{len(cells)} cells, {done} stored, {len(cells) - done} to do")
        return EXIT_OK
    return _run_cells(args, store, cells)


def cells_to_build(cells: list[Any], store: Any, rerun: bool = False) -> list[Any]:
    """The cells a run builds: those not stored (all of them with ``rerun``), in an order where
    cells sharing a first stage run one after the other (they start from the same base)."""
    return sorted(
        (c for c in cells if rerun or c.key() not in store),
        key=lambda c: (c.python, c.stages[0].packages),
    )


def _run_cells(args: argparse.Namespace, store: Any, cells: list[Any]) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from tfdoctor.matrix.executors import default_jobs, run_local, run_ray
    from tfdoctor.matrix.runner import cleanup
    from tfdoctor.matrix.spec import load_grid

    todo = cells_to_build(cells, store, rerun=args.rerun)
    timeout = args.timeout or float(load_grid(args.grid)["grid"].get("timeout_s", 600))
    counts = {"pass": 0, "fail": 0}
    print(f"{len(cells)} cells, {len(cells) - len(todo)} already stored, {len(todo)} to build")
    with Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), transient=False,
    ) as progress:  # fmt: skip
        task = progress.add_task("cells", total=len(todo))

        def done(cell: Any, record: dict[str, Any]) -> None:
            store.add(record)
            store.save()
            counts[record["outcome"]] += 1
            where = f" at {record['failed_at']}" if record["failed_at"] else ""
            progress.console.print(
                f"{record['outcome']:4} {record['seconds']:6.1f}s  {cell.label()}{where}",
                markup=False, highlight=False,
            )  # fmt: skip
            progress.advance(task)

        if args.ray:
            run_ray(todo, args.ray, done, timeout)
        else:
            if args.jobs is not None and args.jobs < 1:
                raise UsageError("--jobs must be 1 or more")
            try:
                run_local(todo, args.jobs or default_jobs(), done, timeout)
            finally:
                cleanup()
    print(json.dumps({"built": len(todo), **counts, "stored": len(store.cells)}))
    return EXIT_OK
