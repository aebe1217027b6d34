"""``tfdoctor demo``: the whole job on the classic broken environment, for real.

In a temporary folder it builds, with uv, what users end up with most often: TensorFlow 2.15
with Keras 3 installed separately afterwards (on a Python without TensorFlow 2.15 wheels:
the newest TensorFlow with Keras 2 installed afterwards). Then it runs a three-line example to
show the real error, ``tfdoctor check``, ``tfdoctor explain`` on that error, ``tfdoctor fix
--yes``, and the example again. Every step is a real command, printed before it runs."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from typing import IO, NamedTuple

from tfdoctor.errors import UsageError

# Keras 2 code that fails on Keras 3: a TensorFlow op on a functional-model tensor.
KERAS2_EXAMPLE = """\
import tensorflow as tf
inputs = tf.keras.Input(shape=(4,))
print("output:", tf.nn.relu(tf.keras.layers.Dense(8)(inputs)).shape)
"""
# Any tf.keras use: with Keras 2 beside TensorFlow >= 2.16 it fails before anything is built.
ANY_EXAMPLE = """\
import tensorflow as tf
model = tf.keras.Sequential([tf.keras.Input(shape=(4,)), tf.keras.layers.Dense(8)])
print("output:", model(tf.ones((2, 4))).shape)
"""


class Scenario(NamedTuple):
    tensorflow: str  # requirement of the first install
    keras: str  # requirement installed separately afterwards
    example: str
    story: str


def scenario(python_minor: str) -> Scenario:
    """TF 2.15 + Keras 3 where TF 2.15 has wheels for this Python, else the newest TF + Keras 2."""
    from tfdoctor.kb import load

    kb = load()
    tf215 = kb.tensorflow("2.15.1")
    if tf215 is not None and tf215.supports_python(python_minor):
        return Scenario(
            "tensorflow-cpu==2.15.1",
            "keras>=3",
            KERAS2_EXAMPLE,
            "TensorFlow 2.15, then `pip install keras` for the new Keras 3",
        )
    newest = kb.newest_tensorflow_for_python(python_minor)
    if newest is None:
        raise UsageError(
            f"no TensorFlow release has wheels for Python {python_minor}; run the demo with "
            "tfdoctor installed on Python 3.9-3.13"
        )
    return Scenario(
        f"tensorflow-cpu=={newest.version}",
        "keras==2.15.0",
        ANY_EXAMPLE,
        f"TensorFlow {newest.version}, then an old `keras==2.15.0` pin from a requirements file",
    )


def _error_line(output: str) -> str:
    """The exception line of a traceback (messages can run over many lines), shortened."""
    import re

    lines = output.splitlines()
    found = [i for i, line in enumerate(lines) if re.match(r"^[\w.]*(Error|Exception)\b.*:", line)]
    if not found:
        return "\n".join(lines[-3:])
    line = lines[found[-1]]
    return line if len(line) <= 160 else line[:157] + "..."


class Demo:
    def __init__(self, out: IO[str], keep: bool):
        self.out = out
        self.keep = keep
        self.folder = tempfile.mkdtemp(prefix="tfdoctor-demo-")
        self.env = os.path.join(self.folder, "env")
        self.python = os.path.join(self.env, "bin", "python")
        # byte-code is written on the first import, so later imports of TensorFlow are fast
        self.environ = {
            k: v
            for k, v in os.environ.items()
            if k
            not in ("PYTHONDONTWRITEBYTECODE", "VIRTUAL_ENV", "PYTHONPATH", "TF_USE_LEGACY_KERAS")
        }
        self.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # TensorFlow's start-up chatter

    def say(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def step(self, number: int, title: str) -> None:
        self.say()
        self.say(f"── {number}/6 {title} " + "─" * max(0, 70 - len(title)))

    def run(
        self, command: Sequence[str], shown: str, capture: bool = False
    ) -> subprocess.CompletedProcess[str]:
        self.say(f"$ {shown}")
        return subprocess.run(
            list(command),
            cwd=self.folder,
            env=self.environ,
            text=True,
            stdout=subprocess.PIPE if capture else None,
            stderr=subprocess.STDOUT if capture else None,
            check=False,
        )

    def tfdoctor(self, *args: str) -> int:
        shown = "tfdoctor " + " ".join(shlex.quote(a) for a in args)
        self.out.flush()
        return self.run([sys.executable, "-m", "tfdoctor", *args], shown).returncode

    def close(self) -> None:
        if self.keep:
            self.say(f"Kept {self.folder} (the environment is {self.env}).")
        else:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.say(f"Removed {self.folder} (tfdoctor demo --keep keeps it).")


def run_demo(out: IO[str], keep: bool) -> int:
    from tfdoctor.resolve.uvcompile import find_uv

    uv = find_uv()
    minor = f"{sys.version_info[0]}.{sys.version_info[1]}"
    plan = scenario(minor)
    demo = Demo(out, keep)
    try:
        return _steps(demo, uv, plan, minor)
    finally:
        demo.close()


def _steps(demo: Demo, uv: str, plan: Scenario, minor: str) -> int:
    demo.say(f"tfdoctor demo: {plan.story}, in {demo.folder}")
    demo.step(1, "Build the broken environment the way users do")
    for command, shown in (
        (
            [uv, "venv", "--quiet", "--python", sys.executable, demo.env],
            f"uv venv env --python {minor}",
        ),
        (
            [uv, "pip", "install", "--quiet", "--python", demo.python, plan.tensorflow],
            f"uv pip install --python env {plan.tensorflow}",
        ),
        (
            [uv, "pip", "install", "--quiet", "--python", demo.python, plan.keras],
            f"uv pip install --python env '{plan.keras}'",
        ),
    ):
        if demo.run(command, shown).returncode != 0:
            raise UsageError(f"`{shown}` failed; is the package index reachable?")
    example = os.path.join(demo.folder, "example.py")
    with open(example, "w", encoding="utf-8") as handle:
        handle.write(plan.example)

    demo.step(2, "Run the three-line example")
    demo.say("".join(f"    {line}\n" for line in plan.example.splitlines()).rstrip())
    first = demo.run([demo.python, example], "env/bin/python example.py", capture=True)
    log = os.path.join(demo.folder, "error.log")
    with open(log, "w", encoding="utf-8") as handle:
        handle.write(first.stdout)
    demo.say(_error_line(first.stdout))
    if first.returncode == 0:
        demo.say("The example worked: this Python/TensorFlow combination does not break here.")
        return 1

    demo.step(3, "Find the cause: tfdoctor check")
    demo.tfdoctor("check", "--python", demo.env)
    demo.step(4, "Explain the error: tfdoctor explain")
    demo.tfdoctor("explain", log, "--python", demo.env)
    demo.step(5, "Repair it: tfdoctor fix --yes")
    fixed = demo.tfdoctor("fix", "--yes", "--python", demo.env)
    demo.step(6, "Run the example again")
    second = demo.run([demo.python, example], "env/bin/python example.py", capture=True)
    demo.say("\n".join(line for line in second.stdout.splitlines()[-3:] if line.strip()))
    demo.say()
    if second.returncode == 0 and fixed == 0:
        demo.say("✓ The example works now: found, explained and repaired by tfdoctor.")
        return 0
    demo.say("✗ The example still fails; see the output above.")
    return 1
