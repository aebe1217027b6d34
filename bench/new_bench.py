"""Benchmark: `tfdoctor new` against building the same environment by hand.

Three ways to a working TensorFlow environment, each followed by the same smoke test:
  1. `tfdoctor new DIR --tensorflow X.Y --python PY` (creates, installs, writes the lock, runs the
     smoke test itself);
  2. `uv venv` + `uv pip install tensorflow-cpu==V`, then `tfdoctor check --deep` as smoke test;
  3. `python -m venv` + `pip install tensorflow-cpu==V`, then the same smoke test.
Every way runs once untimed first so that uv's and pip's caches are warm (the table says so), then
--runs times; the table holds medians. Usage:
  python bench/new_bench.py [--runs 3] [--tensorflow 2.21] [--python 3.11] [--output FILE]
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from envs import interpreter, uv  # noqa: E402

Timings = dict[str, float]


def _run(cmd: list[str]) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return proc.stdout


def _timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    _run(cmd)
    return time.perf_counter() - start


def _smoke(env: Path) -> float:
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "tfdoctor", "check", "--deep", "--python", str(env), "--format",
         "json"],
        capture_output=True, text=True,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    if json.loads(out.stdout)["summary"]["errors"]:
        raise RuntimeError(f"smoke test failed in {env}: {out.stdout[-2000:]}")
    return seconds


def tfdoctor_new(env: Path, tf: str, py: str) -> Timings:
    start = time.perf_counter()
    out = _run([sys.executable, "-m", "tfdoctor", "new", str(env), "--tensorflow", tf,
                "--python", py, "--format", "json"])  # fmt: skip
    total = time.perf_counter() - start
    result = json.loads(out)["result"]
    assert result["status"] == "verified", result
    t = result["timings"]
    return {"build": total - t.get("smoke", 0.0), "smoke": t.get("smoke", 0.0), "total": total}


def uv_by_hand(env: Path, version: str, py: str) -> Timings:
    build = _timed([uv(), "venv", "-q", "--python", py, str(env)])
    build += _timed([uv(), "pip", "install", "-q", "--python", str(env / "bin" / "python"),
                     f"tensorflow-cpu=={version}"])  # fmt: skip
    smoke = _smoke(env)
    return {"build": build, "smoke": smoke, "total": build + smoke}


def pip_by_hand(env: Path, version: str, py: str) -> Timings:
    build = _timed([py, "-m", "venv", str(env)])
    build += _timed([str(env / "bin" / "python"), "-m", "pip", "install", "-q",
                     "--disable-pip-version-check", f"tensorflow-cpu=={version}"])  # fmt: skip
    smoke = _smoke(env)
    return {"build": build, "smoke": smoke, "total": build + smoke}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tensorflow", default="2.21")
    parser.add_argument("--python", default="3.11")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    from tfdoctor.fix.planner import newest_of_minor
    from tfdoctor.kb import load

    release = newest_of_minor(load(), args.tensorflow, args.python)
    assert release is not None
    py = interpreter(args.python)
    ways: list[tuple[str, Callable[[Path], Timings]]] = [
        ("`tfdoctor new` (uv + lock + smoke test)", lambda e: tfdoctor_new(e, args.tensorflow, py)),
        ("`uv venv` + `uv pip install` + smoke test", lambda e: uv_by_hand(e, release.version, py)),
        ("`python -m venv` + `pip install` + smoke test",
         lambda e: pip_by_hand(e, release.version, py)),
    ]  # fmt: skip
    rows = []
    for label, way in ways:
        samples: list[Timings] = []
        for i in range(args.runs + 1):  # the first run warms the caches and is not counted
            tmp = Path(tempfile.mkdtemp(prefix="tfdoctor-bench-new-"))
            try:
                result = way(tmp / "env")
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            if i:
                samples.append(result)
            print(f"{label} run {i}: {result}", file=sys.stderr)
        rows.append(
            (
                label,
                *(statistics.median(s[k] for s in samples) for k in ("build", "smoke", "total")),
            )
        )
    base = rows[1][3]
    lines = [
        f"TensorFlow {release.version} (tensorflow-cpu) for Python {args.python}, "
        f"{platform.system()} {platform.machine()}, {args.runs} runs each after one untimed run "
        "(warm uv and pip caches), median wall seconds; the smoke test is `check --deep` "
        "(imports, tf.keras resolution, a tiny model trained) in every row.",
        "",
        "| way | build | smoke test | total | vs uv by hand |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for label, build, smoke, total in rows:
        lines.append(f"| {label} | {build:.1f} | {smoke:.1f} | {total:.1f} | {total / base:.2f}x |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
