"""Benchmark: `tfdoctor check --deep` against what it costs at least: importing TensorFlow and
Keras plus the smoke test's own compute, measured side by side on the same environments.

baseline = wall time of `python -c "import tensorflow, keras"` + the compute time of the smoke test
steps (build, fit one epoch, predict, save, load), measured in a process that has already imported
TensorFlow. Goal: `check --deep` <= 1.3 x baseline. Usage: python bench/deep_bench.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import specs  # noqa: E402
from envs import build, python_of  # noqa: E402

SMOKE = r"""
import time, json, os, shutil, tempfile
import numpy as np
import tensorflow as tf
k = tf.keras
t = time.perf_counter()
m = k.Sequential([k.Input(shape=(784,)), k.layers.Dense(128, activation="relu"),
                  k.layers.Dense(10, activation="softmax")])
m.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
x = np.random.rand(64, 784).astype("float32"); y = np.eye(10, dtype="float32")[np.random.randint(0, 10, 64)]
m.fit(x, y, epochs=1, batch_size=32, verbose=0); m.predict(x[:4], verbose=0)
d = tempfile.mkdtemp(); p = os.path.join(d, "m.keras"); m.save(p); k.models.load_model(p).predict(x[:4], verbose=0)
shutil.rmtree(d)
print(json.dumps({"smoke": time.perf_counter() - t}))
"""


def timed(cmd: list[str], env_extra: dict[str, str] | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    return time.perf_counter() - start, proc.stdout


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    tfdoctor = str(Path(sys.executable).parent / "tfdoctor")
    rows = []
    for label, spec in (("TF 2.21 + Keras 3", specs.TF221), ("TF 2.15 + Keras 2", specs.TF215)):
        env = build(spec)
        py = python_of(env)
        imports, smokes, deeps = [], [], []
        for _ in range(args.runs):
            imports.append(timed([py, "-c", "import tensorflow, keras"])[0])
            smokes.append(json.loads(timed([py, "-c", SMOKE])[1].strip().splitlines()[-1])["smoke"])
            deeps.append(
                timed([tfdoctor, "check", "--deep", "--python", str(env), "--format", "json"])[0]
            )
        base = statistics.median(imports) + statistics.median(smokes)
        deep = statistics.median(deeps)
        rows.append(
            f"| {label} | {statistics.median(imports):.2f} s | {statistics.median(smokes):.2f} s "
            f"| {base:.2f} s | {deep:.2f} s | {deep / base:.2f}x |"
        )
        print(rows[-1], file=sys.stderr)
    print(
        "| environment | import tensorflow, keras | smoke compute | baseline | check --deep | ratio |"
    )
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
