"""Benchmark: `tfdoctor scan` of 100 real environments against `pipdeptree --python` on each.

The 100 environments are real venvs: hardlinked copies (`cp -al`, as the test suite makes its
variants) of the test suite's environments, laid out under one folder. One in five is a
TensorFlow environment (healthy and broken, TensorFlow 2.15 and 2.21, Python 3.11 and 3.13;
~50 distributions, ~18,000 files each), the others small ones (Keras alone, pytest, NumPy;
Python 3.10-3.12): a TensorFlow environment takes half a minute to copy on the loaded
development machine. Each tool runs `--runs` times, taking turns (a burst of load on the shared
machine hits both alike); one unmeasured warm-up run each. `--folder` keeps the layout for the
next run.

- tfdoctor: `tfdoctor scan ROOT --format jsonl` (finds the envs itself, checks them in a pool of
  --jobs, default: the CPUs);
- pipdeptree: `pipdeptree --python ENV/bin/python --warn fail` once per environment, one after
  another (what a script looping over the envs does), and with the same number of parallel jobs
  (xargs -P) for a fair comparison of the pool.

Usage: python bench/scan_bench.py [--count 100] [--runs 3] [--folder DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import specs  # noqa: E402
from envs import build  # noqa: E402

BIN = Path(sys.executable).parent
SOURCES = [
    specs.TF215,
    specs.TF215_KERAS3,
    specs.TF215_NUMPY2,
    specs.TF221,
    specs.TF221_KERAS2,
    specs.TF221_PLUS_TENSORFLOW,
    specs.TF221_PY313,
    specs.KERAS_ONLY,
]


def make_envs(folder: Path, count: int) -> list[Path]:
    bases = [build(spec) for spec in SOURCES]
    envs = []
    for index in range(count):
        base = bases[index % len(bases)]
        target = (
            folder / f"team-{index // 10:02d}" / f"env-{index:03d}-{base.name.rsplit('-', 1)[0]}"
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["cp", "-al", str(base), str(target)], check=True)
        envs.append(target)
    return envs


def run_scan(folder: Path, jobs: int) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(
        [str(BIN / "tfdoctor"), "scan", str(folder), "--format", "jsonl", "--jobs", str(jobs)],
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    return elapsed, sum(1 for r in rows if "error" not in r)


def run_pipdeptree(envs: list[Path], jobs: int) -> tuple[float, int]:
    """`pipdeptree --python` on each env, `jobs` at a time; returns (seconds, envs answered)."""
    start = time.perf_counter()
    running: list[subprocess.Popen[bytes]] = []
    answered = 0
    queue = list(envs)
    while queue or running:
        while queue and len(running) < jobs:
            env = queue.pop(0)
            running.append(
                subprocess.Popen(
                    [
                        str(BIN / "pipdeptree"),
                        "--python",
                        str(env / "bin" / "python"),
                        "--warn",
                        "fail",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        done = running.pop(0)
        answered += done.wait() in (0, 1)
    return time.perf_counter() - start, answered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument(
        "--folder", type=Path, help="where the environments are made and kept (default: a temp one)"
    )
    args = parser.parse_args()
    folder = args.folder or Path(tempfile.mkdtemp(prefix="tfdoctor-scan-bench-"))
    try:
        start = time.perf_counter()
        envs = make_envs(folder, args.count)
        print(
            f"{len(envs)} environments made in {time.perf_counter() - start:.1f} s under {folder}"
        )
        tools = {
            "tfdoctor scan": lambda: run_scan(folder, args.jobs),
            f"pipdeptree --python, {args.jobs} at a time": lambda: run_pipdeptree(envs, args.jobs),
            "pipdeptree --python, one after another": lambda: run_pipdeptree(envs, 1),
        }
        times: dict[str, list[float]] = {name: [] for name in tools}
        answered: dict[str, int] = {}
        for tool in tools.values():
            tool()  # warm-up: file cache, byte-code
        for _ in range(args.runs):
            for name, tool in tools.items():
                seconds, count = tool()
                times[name].append(seconds)
                answered[name] = count
        load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
        print(
            f"\n{len(envs)} environments, {args.jobs} CPUs, median of {args.runs} runs "
            f"(load average at the end: {load})\n"
        )
        print("| tool | wall time | environments/s | environments examined |")
        print("| --- | --- | --- | --- |")
        for name, values in times.items():
            median = statistics.median(values)
            print(f"| {name} | {median:.1f} s | {len(envs) / median:.1f} | {answered[name]} |")
    finally:
        if args.folder is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
