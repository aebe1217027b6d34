"""Benchmark ``tfdoctor lint`` on large real code: the Python sources of TensorFlow, Keras and
tf-keras as installed from the registry (thousands of files).

Usage: python bench/lint_bench.py [--env PATH] [--runs 3]

The environment (tensorflow-cpu, keras, tf-keras) is reused when it exists, else built with uv
at --env (default /work/envs/lint-bench, or $TFDOCTOR_LINT_ENV). Each configuration runs the real
command line in a subprocess; the median of the runs is reported with files/s and the CPU time
of the run (user+sys over wall time: above 1.0 means more than one core was busy).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

PACKAGES = ("tensorflow-cpu", "keras", "tf-keras")
SOURCES = ("tensorflow", "keras", "tf_keras")


def ensure_env(env: Path) -> Path:
    python = env / "bin" / "python"
    if python.exists():
        return python
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if uv is None:
        raise SystemExit("uv is needed to build the benchmark environment: pip install uv")
    subprocess.run([uv, "venv", str(env), "--python", "3.11", "--quiet"], check=True)
    subprocess.run(
        [uv, "pip", "install", "--quiet", "--python", str(python), *PACKAGES], check=True
    )
    return python


def describe(python: Path) -> tuple[Path, str]:
    script = (
        "import sysconfig, importlib.metadata as m; print(sysconfig.get_paths()['purelib']);"
        "print(', '.join(f'{n} {m.version(n)}' for n in "
        "('tensorflow-cpu', 'keras', 'tf-keras')))"
    )
    out = subprocess.run([str(python), "-c", script], capture_output=True, text=True, check=True)
    site, versions = out.stdout.strip().splitlines()
    return Path(site), versions


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed:\n{out.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--env",
        type=Path,
        default=Path(os.environ.get("TFDOCTOR_LINT_ENV", "/work/envs/lint-bench")),
    )
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    python = ensure_env(args.env)
    site, versions = describe(python)
    files = sum(1 for d in SOURCES for _ in (site / d).rglob("*.py"))
    megabytes = sum(p.stat().st_size for d in SOURCES for p in (site / d).rglob("*.py")) / 1e6
    print(f"sources: {versions}; {files} .py files, {megabytes:.1f} MB in {site}")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    base = [sys.executable, "-m", "tfdoctor", "lint", "--keras", "3", "--format", "json", *SOURCES]
    check = subprocess.run(base, cwd=site, capture_output=True, text=True)
    report = json.loads(check.stdout)
    print(
        f"{report['files']} files linted, {report['parsed']} parsed with ast, "
        f"{len(report['findings'])} findings, {len(report['errors'])} unreadable"
    )
    print("| configuration | median wall s | files/s | CPU s / wall s |")
    print("| --- | ---: | ---: | ---: |")
    for label, extra in (("default (one worker per CPU)", []), ("--jobs 1", ["--jobs", "1"])):
        runs = [timed([*base, *extra], site) for _ in range(args.runs)]
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c / w for w, c in runs)
        print(f"| {label} | {wall:.2f} | {files / wall:,.0f} | {cpu:.2f} |")


if __name__ == "__main__":
    main()
