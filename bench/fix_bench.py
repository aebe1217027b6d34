"""Benchmark: `tfdoctor fix --yes` on broken real environments of many kinds, then the user's example.

Each case is a private hardlinked copy (in a scratch folder under /tmp, removed afterwards) of an
environment from tests/specs.py, broken the way users break them: version mismatches, dependents,
frameworks (jax, torch) that pin NumPy or ml-dtypes, duplicates, leftovers, settings. For each:
  1. the user's example and `tfdoctor check` before;
  2. `tfdoctor fix --yes` (timed, wall seconds; it includes the `check --deep` verification);
  3. the example again (with the variables the plan asks the user to set) and `check` again.
A case is *repaired* when the fix verified and the example runs; *handed to the user* when the fix
changed nothing and said why (a manual step or a conflict in plain words) and the case is one no
tool should repair on its own; *broken further* when an example that ran fails afterwards or
`check` finds more errors than before. Where the plan is one install step, the same repair by hand
(`uv pip install` of the same pins, then `tfdoctor check --deep`) is timed on a fresh copy.
Usage: python bench/fix_bench.py [--only LABEL] [--output FILE] [--scratch DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import specs  # noqa: E402
from envs import EnvSpec, build, python_of, uv  # noqa: E402

TF = (
    "import tensorflow as tf\n"
    "x = tf.keras.layers.Dense(2)(tf.ones((1, 3)))\n"
    "print('example ok', tf.__version__, x.shape)\n"
)
JAX = TF + "import jax.numpy as jnp\nprint('jax ok', float(jnp.ones(3).sum()))\n"
TORCH = TF + "import torch\nprint('torch ok', torch.ones(2).numpy().sum())\n"
TEXT = TF + "import tensorflow_text\nprint('text ok')\n"
TRANSFORMERS = TF + "import transformers\nfrom transformers import TFBertModel\nprint('hf ok')\n"
KERAS = "import keras\nprint('keras ok', keras.__version__)\n" + TF


@dataclass
class Case:
    label: str
    kind: str
    spec: EnvSpec
    example: str = TF
    environ: dict[str, str] = field(default_factory=dict)
    args: tuple[str, ...] = ()
    files: dict[str, str] = field(default_factory=dict)  # written into the working directory
    in_project: bool = False  # the env lives in the working directory (.venv)
    handed: bool = False  # no tool should repair it alone: the user decides
    pythonpath_keras: bool = False  # a folder with a keras package first on PYTHONPATH


CASES = [
    Case("keras 3 over TF 2.15", "version mismatch", specs.TF215_KERAS3),
    Case("keras 2.15 under TF 2.21", "version mismatch", specs.TF221_KERAS2),
    Case("tf-keras 2.20 beside TF 2.21", "version mismatch", specs.TF221_TFKERAS220),
    Case("NumPy 2 under TF 2.15", "version mismatch", specs.TF215_NUMPY2),
    Case("protobuf 5 under TF 2.15", "version mismatch", specs.TF215_PROTOBUF5),
    Case("tensorboard 2.14 under TF 2.15", "version mismatch", specs.TF215_TENSORBOARD),
    Case("TF 2.15 built for 3.11 in a 3.12 env", "version mismatch", specs.PY312_TF215_FOR_311),
    Case("tensorflow-text 2.15 beside TF 2.21", "dependents", specs.TF221_TEXT215, TEXT),
    Case("transformers without tf-keras", "dependents", specs.TF221_TRANSFORMERS, TRANSFORMERS),
    Case("absl-py uninstalled", "dependents", specs.TF221_NO_ABSL),
    Case("Keras without TensorFlow", "dependents", specs.KERAS_ONLY, KERAS),
    Case("jax 0.10 pulled NumPy 2 / ml-dtypes 0.6", "jax/torch", specs.TF215_JAX, JAX),
    Case("ml-dtypes 0.5 beside jax 0.4.30", "jax/torch", specs.TF215_JAX_MLDTYPES, JAX),
    Case("NumPy 2 beside torch (CPU)", "jax/torch", specs.TF215_TORCH_NUMPY2, TORCH),
    Case(
        "project asks jax>=0.5, TF 2.15 kept",
        "jax/torch",
        specs.TF215_JAX,
        JAX,
        args=("--tensorflow", "2.15"),
        files={"requirements.txt": "jax>=0.5\n"},
        in_project=True,
        handed=True,
    ),
    Case("tensorflow and tensorflow-cpu", "duplicates", specs.TF221_PLUS_TENSORFLOW),
    Case("keras and keras-nightly", "duplicates", specs.TF221_KERAS_NIGHTLY),
    Case(
        "tf-keras pulled in tensorflow",
        "duplicates",
        specs.TF221_TFKERAS_PULLS_TF,
        environ={"TF_USE_LEGACY_KERAS": "1"},
    ),
    Case("two numpy metadata folders", "duplicates", specs.TF215_TWO_NUMPY),
    Case("~ensorflow leftover", "leftovers", specs.TF215_TILDE),
    Case("files of keras deleted", "leftovers", specs.TF221_KERAS_DAMAGED),
    Case("a CUDA wheel of another release", "leftovers", specs.TF221_CUDA_RUNTIME),
    Case("KERAS_BACKEND=jax, no jax", "settings", specs.TF221, environ={"KERAS_BACKEND": "jax"}),
    Case(
        "TF_USE_LEGACY_KERAS=1 without tf-keras",
        "settings",
        specs.TF221,
        environ={"TF_USE_LEGACY_KERAS": "1"},
    ),
    Case("PYTHONPATH shadows keras", "settings", specs.TF221, pythonpath_keras=True),
    Case(
        "keras.py in the working directory",
        "settings",
        specs.TF215,
        files={"keras.py": "raise ImportError('my own keras.py')\n"},
        handed=True,
    ),
]


def _environ(extra: dict[str, str]) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("KERAS_BACKEND", "TF_USE_LEGACY_KERAS", "PYTHONPATH", "VIRTUAL_ENV")
    }
    return {**env, **extra}


def _tfdoctor(args: list[str], cwd: Path, environ: dict[str, str]) -> tuple[int, str, float]:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "tfdoctor", *args],
        cwd=cwd, env=_environ(environ), capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    return proc.returncode, proc.stdout, time.perf_counter() - start


def _example(env: Path, code: str, cwd: Path, environ: dict[str, str]) -> bool:
    proc = subprocess.run(
        [python_of(env), "-c", code],
        cwd=cwd, env=_environ(environ), capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    return proc.returncode == 0


def _errors(env: Path, cwd: Path, environ: dict[str, str]) -> int:
    _, out, _ = _tfdoctor(["check", "--python", str(env), "--format", "json"], cwd, environ)
    return int(json.loads(out)["summary"]["errors"])


def _setup(case: Case, scratch: Path) -> tuple[Path, Path, dict[str, str]]:
    cwd = scratch / "project"
    cwd.mkdir()
    env = cwd / ".venv" if case.in_project else scratch / "env"
    subprocess.run(["cp", "-al", str(build(case.spec)), str(env)], check=True)
    for name, text in case.files.items():
        (cwd / name).write_text(text, encoding="utf-8")
    environ = dict(case.environ)
    if case.pythonpath_keras:
        shadow = scratch / "shadow" / "keras"
        shadow.mkdir(parents=True)
        (shadow / "__init__.py").write_text("raise ImportError('an old keras on PYTHONPATH')\n")
        environ["PYTHONPATH"] = str(scratch / "shadow")
    return env, cwd, environ


def run_case(case: Case, root: Path) -> dict[str, Any]:
    scratch = Path(tempfile.mkdtemp(prefix="case-", dir=root))
    try:
        env, cwd, environ = _setup(case, scratch)
        ran_before = _example(env, case.example, cwd, environ)
        errors_before = _errors(env, cwd, environ)
        args = ["fix", "--yes", "--python", str(env), "--format", "json", *case.args]
        code, out, seconds = _tfdoctor(args, cwd, environ)
        doc = json.loads(out)
        plan, result = doc["plan"], doc["result"]
        setenv: dict[str, str] = {}
        for step in plan["steps"]:
            setenv.update(step.get("variables", {}))
        after_environ = {k: v for k, v in {**environ, **setenv}.items() if v}
        ran_after = _example(env, case.example, cwd, after_environ)
        errors_after = _errors(env, cwd, after_environ)
        status = result["status"]
        reason = "; ".join(
            [
                *plan["unresolved"],
                *(s["note"] for s in plan["steps"] if s["kind"] in ("manual", "setenv")),
            ]
        )
        if (ran_before and not ran_after) or errors_after > errors_before:
            outcome = "broken further"
        elif status == "verified" and ran_after:
            outcome = "repaired"
        elif status == "nothing-to-do" and setenv and reason and ran_after:
            # Only the shell's variables were wrong: tfdoctor cannot change the parent shell, it
            # prints the line (and verified with it applied); with that line the example runs.
            outcome = "handed to the user"
        elif case.handed and status in ("unresolved", "nothing-to-do") and reason:
            outcome = "handed to the user"
        else:
            outcome = "not repaired"
        installs = [s for s in plan["steps"] if s["kind"] == "install"]
        one = len(plan["steps"]) == 1 and len(installs) == 1 and len(installs[0]["targets"]) == 1
        hand = _by_hand(case, installs[0]["targets"], root) if one else None
        return {
            "label": case.label,
            "kind": case.kind,
            "outcome": outcome,
            "status": status,
            "exit": code,
            "fix_s": round(seconds, 1),
            "hand_s": hand,
            "one_package": one,
            "steps": [f"{s['kind']} {', '.join(s['targets'])}" for s in plan["steps"]],
            "alternatives": len(plan.get("alternatives", [])),
            "reason": reason[:300],
            "example_before": ran_before,
            "example_after": ran_after,
            "errors": [errors_before, errors_after],
        }
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _by_hand(case: Case, pins: list[str], root: Path) -> float:
    """The same repair by hand: `uv pip install` of the plan's pins, then `check --deep`."""
    scratch = Path(tempfile.mkdtemp(prefix="hand-", dir=root))
    try:
        env, cwd, environ = _setup(case, scratch)
        start = time.perf_counter()
        subprocess.run(
            [uv(), "pip", "install", "-q", "--python", python_of(env), *pins],
            check=True, env=_environ(environ),
        )  # fmt: skip
        _tfdoctor(["check", "--deep", "--python", str(env), "--format", "json"], cwd, environ)
        return round(time.perf_counter() - start, 1)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| case | kind | outcome | fix --yes (s) | by hand with uv + check --deep (s) | steps |",
        "| --- | --- | --- | ---: | ---: | --- |",
    ]
    for r in rows:
        hand = f"{r['hand_s']:.1f} ({r['fix_s'] / r['hand_s']:.2f}x)" if r["hand_s"] else "-"
        steps = "; ".join(r["steps"])[:120] or "-"
        if r["alternatives"]:
            steps += f" ({r['alternatives']} alternatives)"
        lines.append(
            f"| {r['label']} | {r['kind']} | {r['outcome']} | {r['fix_s']:.1f} | {hand} | {steps} |"
        )
    total = len(rows)
    count = {o: sum(r["outcome"] == o for r in rows) for o in {r["outcome"] for r in rows}}
    lines.append("")
    lines.append(
        ", ".join(f"{o}: {n}/{total} ({100 * n / total:.0f} %)" for o, n in sorted(count.items()))
    )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run the cases whose label contains this text")
    parser.add_argument("--output", type=Path, help="write the Markdown table here")
    parser.add_argument("--json", type=Path, help="write every result here")
    parser.add_argument("--scratch", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    cases = [c for c in CASES if not args.only or args.only in c.label]
    root = Path(tempfile.mkdtemp(prefix="tfdoctor-fix-bench-", dir=args.scratch))
    rows = []
    try:
        for case in cases:
            row = run_case(case, root)
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
            if args.json:
                args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    text = table(rows)
    print(text)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
