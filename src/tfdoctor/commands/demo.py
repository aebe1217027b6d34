"""``tfdoctor demo``: build the classic broken environment in a temporary folder and show the job."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_parser(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "demo",
        help="build a broken TensorFlow/Keras environment and find, explain and fix it (1-2 min)",
        description="In a temporary folder, build TensorFlow 2.15 with Keras 3 installed "
        "afterwards (with uv), run a three-line example that fails, then tfdoctor check, "
        "explain, fix --yes, and the example again. Needs uv and the package index.",
    )
    p.add_argument("--keep", action="store_true", help="keep the folder and its environment")


def run(args: argparse.Namespace) -> int:
    from tfdoctor.demo import run_demo

    return run_demo(sys.stdout, keep=args.keep)
