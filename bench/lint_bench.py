"""Benchmark ``tfdoctor lint`` on large real code: the Python sources of TensorFlow, Keras and
tf-keras as installed from the registry (thousands of files).

Usage: python bench/lint_bench.py [--env PATH] [--runs 3]
       python bench/lint_bench.py --large [--sizes 0.5,1,2,4] [--baseline-src DIR]

--large generates single large files (Keras code with findings in every function, "dense", or
in one function of 50, "sparse") and reports ``lint`` and ``lint --fix`` MB/s of CPU time and
peak memory; --baseline-src runs another tfdoctor source tree (``git archive`` of an older
commit) on the same files, for the figures of before and after.

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
import tempfile
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


_HEAD = """import numpy as np
import tensorflow as tf
import keras
from keras.utils import np_utils
from tensorflow.keras.layers.experimental import preprocessing
"""
# A function with a finding of every kind: two Keras, removed names, lr=, fit_generator, save.
_DENSE = '''

def build_{i}(x_train, y_train):
    """Model {i}: a small classifier."""
    aug = tf.keras.layers.experimental.preprocessing.RandomFlip("horizontal")
    model = keras.Sequential([keras.Input((32,)), keras.layers.Dense(64, activation="relu")])
    model.add(tf.keras.layers.Dense(10))
    model.compile(optimizer=keras.optimizers.Adam(lr=1e-3), loss="mse")
    y = np_utils.to_categorical(y_train, 10)
    total = sum(v * 2 for v in range({i}))
    model.fit_generator(zip(x_train, y), epochs=2)
    model.save("saved_{i}")
    return model, aug, total
'''
_PLAIN = '''

def helper_{i}(values, scale=1.5):
    """Helper {i}: plain Python, nothing Keras."""
    result = {{}}
    for index, value in enumerate(values):
        if value is None:
            continue
        result[index] = (value * scale + {i}) % 97
    return sorted(result.items(), key=lambda item: item[1])
'''


def generate(path: Path, megabytes: float, dense: bool) -> None:
    """Keras code of about ``megabytes`` MB: a finding in every function (dense) or in one
    function of 50 (sparse)."""
    size = int(megabytes * 1e6)
    parts, written, i = [_HEAD], len(_HEAD), 0
    while written < size:
        template = _DENSE if dense or i % 50 == 0 else _PLAIN
        part = template.format(i=i)
        parts.append(part)
        written += len(part)
        i += 1
    path.write_text("".join(parts), encoding="utf-8")


def measure(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, float]:
    """(wall s, CPU s, peak memory MB) of one run of ``command``."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(command)} exited {code}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def large(sizes: list[float], runs: int, baseline: Path | None, limit_s: float) -> None:
    """``lint`` and ``lint --fix`` of one generated file per size, this tree and a baseline."""
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print("| code | shape | MB | command | median wall s | CPU s | MB/s (CPU) | peak MB |")
    print("| --- | --- | ---: | --- | ---: | ---: | ---: | ---: |")
    trees = [("this tree", Path(__file__).resolve().parents[1] / "src")]
    if baseline is not None:
        trees.append(("baseline", baseline.resolve()))
    with tempfile.TemporaryDirectory(prefix="lint-bench-") as folder:
        work = Path(folder)
        for dense in (True, False):
            shape = "dense" if dense else "sparse"
            for megabytes in sizes:
                source = work / f"{shape}-{megabytes}.py"
                generate(source, megabytes, dense)
                for label, src in trees:
                    env = {**os.environ, "PYTHONPATH": str(src)}
                    for command in ("lint", "lint --fix"):
                        results = []
                        for _ in range(runs):
                            target = work / "target.py"
                            shutil.copyfile(source, target)
                            args = [sys.executable, "-m", "tfdoctor", *command.split()]
                            args += ["--keras", "3", "--format", "json", "--jobs", "1", "target.py"]
                            results.append(measure(args, work, env))
                            if results[-1][0] > limit_s:
                                break  # one run of a slow case is enough
                        wall = statistics.median(r[0] for r in results)
                        cpu = statistics.median(r[1] for r in results)
                        peak = max(r[2] for r in results)
                        print(
                            f"| {label} | {shape} | {megabytes:g} | `{command}` | {wall:.2f} | "
                            f"{cpu:.2f} | {megabytes / cpu:.2f} | {peak:.0f} |",
                            flush=True,
                        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--env",
        type=Path,
        default=Path(os.environ.get("TFDOCTOR_LINT_ENV", "/work/envs/lint-bench")),
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--large", action="store_true", help="single large generated files")
    parser.add_argument("--sizes", default="0.5,1,2,4", help="MB of each generated file")
    parser.add_argument("--baseline-src", type=Path, help="another tfdoctor src folder to compare")
    parser.add_argument(
        "--limit", type=float, default=120.0, help="do not repeat a run slower than this (s)"
    )
    args = parser.parse_args()
    if args.large:
        sizes = [float(size) for size in args.sizes.split(",")]
        large(sizes, args.runs, args.baseline_src, args.limit)
        return
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
