"""Benchmark `tfdoctor explain` on large and adversarial input: MB/s and peak memory.

Each input is written once into a scratch folder (real lines from tests/data/explain, repeated),
ends with a real error (so explain must read to the end to find it), and is explained by the real
command line in a subprocess (`python -m tfdoctor explain --format json FILE`); the median wall
and CPU time of the runs and the peak RSS are reported. MB/s is per CPU second: the development
machine is shared, and CPU time is what a busy neighbour changes least.

Inputs:
  training-log   Keras training output (progress bars redrawn with \\r and \\b), the 300 MB case
  dense-tf-warn  every line a TensorFlow W-level log line (dso_loader: a CUDA library not found)
  dense-py-warn  every line a Python warning (`UserWarning: ...`) and its source line
  dense-errors   a real traceback (NumPy 2 under TF 2.15) repeated: every block has exceptions
  cr-only        progress output with \\r only (no \\n at all), the error after it
  requires-aaa   crafted pip-like lines `... requires aaaa...` (4,000 characters each)
  bare-names     `cannot import name 'name_N'` with no module, every name another (the API table
                 is asked about each)

Usage: python bench/explain_bench.py [--runs N] [--scale F] [--only NAME ...] [--keep DIR]
       [--src DIR]
(--scale 0.1 writes a tenth of each size, for a quick look; --src times another checkout's
sources, e.g. a `git worktree` of an older commit, side by side).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "explain"
MiB = 2**20


def _capture(name: str) -> bytes:
    """A capture without its `# captured:` header line."""
    return (DATA / f"{name}.txt").read_bytes().split(b"\n", 1)[1]


def _tail() -> bytes:
    return _capture("real_tf221_protobuf5")


def _repeat(unit: bytes, size: int) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        chunk = unit * max(1, MiB // len(unit))
        with path.open("wb") as out:
            written = 0
            while written < size:
                out.write(chunk)
                written += len(chunk)
            out.write(_tail())

    return write


def _cr_only(size: int) -> Callable[[Path], None]:
    bar = b"\r 7/13 [===========>..................] - ETA: 0s - loss: 0.1714 - mae: 0.3377"

    def write(path: Path) -> None:
        with path.open("wb") as out:
            chunk = bar * (MiB // len(bar))
            written = 0
            while written < size:
                out.write(chunk)
                written += len(chunk)
            out.write(b"\r" + _tail().replace(b"\n", b"\r"))

    return write


def _numbered(template: bytes, size: int) -> Callable[[Path], None]:
    """Lines that differ from each other (``template`` with ``%d``): no cache can answer them."""

    def write(path: Path) -> None:
        with path.open("wb") as out:
            written = number = 0
            while written < size:
                line = template % number
                out.write(line)
                written += len(line)
                number += 1
            out.write(_tail())

    return write


DSO = (
    b"2021-04-09 19:52:41.024315: W tensorflow/stream_executor/platform/default/dso_loader.cc:60]"
    b" Could not load dynamic library 'libcudart.so.11.0'; dlerror: libcudart.so.11.0: cannot "
    b"open shared object file: No such file or directory\n"
)
PY_WARN = (
    b"/usr/lib/python3/dist-packages/tensorflow/python/keras/engine/training.py:2325: "
    b"UserWarning: `Model.state_updates` will be removed in a future version.\n"
    b"  warnings.warn('`Model.state_updates` will be removed in a future version. '\n"
)


def inputs(scale: float) -> dict[str, Callable[[Path], None]]:
    def mb(n: float) -> int:
        return int(n * scale * MiB)

    return {
        "training-log": _repeat(_capture("negative_tf215_fit"), mb(300)),
        "dense-tf-warn": _repeat(DSO, mb(50)),
        "dense-py-warn": _repeat(PY_WARN, mb(50)),
        "dense-errors": _repeat(_capture("real_tf215_numpy2"), mb(20)),
        "cr-only": _cr_only(mb(50)),
        "requires-aaa": _repeat(b"tensorflow 2.15 requires " + b"a" * 4000 + b"\n", mb(10)),
        "bare-names": _numbered(b"ImportError: cannot import name 'some_helper_%d'\n", mb(5)),
    }


PROBE = (
    "import resource, sys\n"
    "from tfdoctor.cli import main\n"
    "code = main(['explain', '--format', 'json', sys.argv[1]])\n"
    "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def run_once(path: Path, src: Path) -> tuple[float, float, int, list[str]]:
    """(wall seconds, CPU seconds, peak RSS KiB, causes found) of one real run."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(path)], capture_output=True, text=True, env=env
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode not in (0, 1):
        raise SystemExit(f"explain failed on {path}: {done.stderr.strip()}")
    peak_kib = int(done.stderr.strip().splitlines()[-1])
    causes = [f["cause"] for f in json.loads(done.stdout)["findings"]]
    return wall, cpu, peak_kib, causes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--keep", type=Path, default=None, help="write the inputs here (reused)")
    parser.add_argument(
        "--src", type=Path, default=ROOT / "src", help="the tfdoctor sources to time (a checkout)"
    )
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="explain-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(
        "| input | size | median wall s | median CPU s | MB/s (CPU) | peak RSS MiB "
        "| first cause found |"
    )
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, write in inputs(args.scale).items():
        if args.only and name not in args.only:
            continue
        path = folder / f"{name}-{args.scale}.log"
        if not path.exists():
            write(path)
        size = path.stat().st_size
        runs = [run_once(path, args.src) for _ in range(args.runs)]
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        peak = max(r[2] for r in runs) / 1024
        causes = runs[0][3]
        print(
            f"| {name} | {size / MiB:.0f} MiB | {wall:.2f} | {cpu:.2f} | {size / MiB / cpu:.1f} "
            f"| {peak:.0f} | {causes[0] if causes else '(none)'} |",
            flush=True,
        )
        if args.keep is None:
            path.unlink()
    if args.keep is None:
        folder.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
