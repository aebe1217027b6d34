"""Benchmark: `tfdoctor check` against pip check, uv pip check and pipdeptree on the same envs.

Builds (or reuses) real environments with the test suite's builder, runs every tool on each one
several times in the same run (round robin: a burst of load on the shared machine hits every
tool alike; one unmeasured warm-up run each), and prints a Markdown table of median wall times,
of what each tool detected, and of tfdoctor's time relative to the fastest Python alternative.
Usage: python bench/check_bench.py [--runs N] [--output FILE]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import specs  # noqa: E402
from envs import EnvSpec, build, python_of  # noqa: E402

BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Case:
    label: str
    spec: EnvSpec
    problem: str
    setup: Callable[[Path], None] | None = None  # prepares the working directory


def _keras_py(cwd: Path) -> None:
    (cwd / "keras.py").write_text("import tensorflow as tf\n")


CASES = [
    Case("healthy TF 2.21 + Keras 3", specs.TF221, "none"),
    Case("keras 3 over TF 2.15", specs.TF215_KERAS3, "keras-version-mismatch"),
    Case("NumPy 2 under TF 2.15", specs.TF215_NUMPY2, "numpy-incompatible"),
    Case("tf-keras 2.20 beside TF 2.21", specs.TF221_TFKERAS220, "tf-keras-mismatch"),
    Case("tensorflow + tensorflow-cpu", specs.TF221_PLUS_TENSORFLOW, "duplicate-distribution"),
    Case("~ensorflow leftover", specs.TF215_TILDE, "broken-install"),
    Case("keras.py in the working dir", specs.TF221, "shadowed-module", _keras_py),
    # The probe's byte-code cached at install time is for tfdoctor's own Python (3.11 here):
    # a target of another version compiles it first.
    Case("healthy TF 2.21 on Python 3.13", specs.TF221_PY313, "none"),
]


@dataclass(frozen=True)
class Tool:
    name: str
    command: Callable[[Path], list[str]]
    detected: Callable[[subprocess.CompletedProcess[str]], str]


def _lines(proc: subprocess.CompletedProcess[str]) -> str:
    text = (proc.stdout + proc.stderr).strip()
    return "yes" if proc.returncode != 0 or "Warning" in text else "no"


def _tfdoctor_detected(proc: subprocess.CompletedProcess[str]) -> str:
    data = json.loads(proc.stdout)
    causes = sorted({f["cause"] for f in data["findings"]})
    return ", ".join(causes) if causes else "no"


def _text_detected(proc: subprocess.CompletedProcess[str]) -> str:
    return "yes" if proc.returncode != 0 or "Found " in proc.stdout else "no"


TOOLS = [
    Tool(
        "tfdoctor check",
        lambda env: [str(BIN / "tfdoctor"), "check", "--python", str(env), "--format", "json"],
        _tfdoctor_detected,
    ),
    Tool(
        "tfdoctor check (text)",
        lambda env: [str(BIN / "tfdoctor"), "check", "--python", str(env)],
        _text_detected,
    ),
    Tool(
        "pip check",
        lambda env: [sys.executable, "-m", "pip", "--python", python_of(env), "check"],
        _lines,
    ),
    Tool(
        "uv pip check",
        lambda env: [str(BIN / "uv"), "pip", "check", "--python", python_of(env)],
        _lines,
    ),
    Tool(
        "pipdeptree --warn fail",
        lambda env: [str(BIN / "pipdeptree"), "--python", python_of(env), "--warn", "fail"],
        _lines,
    ),
]


def measure(env: Path, cwd: Path, runs: int) -> list[tuple[float, str]]:
    """Median seconds and what was detected, per tool, all tools taking turns."""
    times: list[list[float]] = [[] for _ in TOOLS]
    detected = [""] * len(TOOLS)
    for run in range(runs + 1):
        for i, tool in enumerate(TOOLS):
            start = time.perf_counter()
            proc = subprocess.run(tool.command(env), cwd=cwd, capture_output=True, text=True)
            if run:  # the first round only warms the caches
                times[i].append(time.perf_counter() - start)
            detected[i] = tool.detected(proc)
    return [(statistics.median(t), d) for t, d in zip(times, detected)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--output", type=Path, help="also write the table to this file")
    args = parser.parse_args()
    rows = []
    for case in CASES:
        env = build(case.spec)
        cwd = Path(tempfile.mkdtemp(prefix="tfdoctor-bench-"))
        if case.setup:
            case.setup(cwd)
        cells = [case.label, case.problem]
        results = measure(env, cwd, args.runs)
        for seconds, detected in results:
            cells.append(f"{seconds * 1000:.0f} ms · {detected}")
        ours = results[0][0]
        rival = min(results[2][0], results[4][0])  # pip check, pipdeptree (uv is Rust)
        cells.append(f"{ours / rival:.2f}x")
        shutil.rmtree(cwd)
        rows.append(cells)
        print(" | ".join(cells), file=sys.stderr)
    header = ["environment", "problem", *[t.name for t in TOOLS], "tfdoctor / fastest Python tool"]
    table = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    table += ["| " + " | ".join(r) + " |" for r in rows]
    text = "\n".join(table) + "\n"
    print(text)
    if args.output:
        args.output.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
