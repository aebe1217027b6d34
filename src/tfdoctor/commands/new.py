"""``tfdoctor new``: create a clean environment with a known-good TensorFlow set."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from tfdoctor.errors import EXIT_FINDINGS, EXIT_OK, UsageError


def add_parser(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "new",
        help="create a clean environment with a known-good TensorFlow set and a lock file",
        description="Create DIR as a new virtual environment (uv, or python -m venv + pip) with "
        "TensorFlow and the Keras/NumPy/protobuf that belong to it, prove it with the smoke "
        "test, and write DIR/requirements.lock with the exact set.",
    )
    p.add_argument("dir", metavar="DIR", help="the folder to create")
    p.add_argument(
        "--tensorflow", metavar="X.Y", help="TensorFlow minor (default: the newest for the Python)"
    )
    p.add_argument(
        "--keras",
        type=int,
        choices=(2, 3),
        help="2: Keras 2 code on TF >= 2.16 through tf-keras; 3: Keras 3",
    )
    p.add_argument(
        "--python",
        metavar="VERSION",
        help="Python version (3.12) or interpreter (default: the one running tfdoctor)",
    )
    p.add_argument(
        "--gpu", action="store_true", help="the CUDA build (Linux: tensorflow[and-cuda])"
    )
    p.add_argument("--no-smoke", action="store_true", help="skip the smoke test")
    p.add_argument(
        "--no-pip",
        action="store_true",
        help="do not install pip into the environment (it is installed by default, as "
        "`python -m venv` does)",
    )
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")


def run(args: argparse.Namespace) -> int:
    from tfdoctor.fix.executor import print_line
    from tfdoctor.fix.into import check_new_folder
    from tfdoctor.fix.new import choose, create
    from tfdoctor.kb import load

    if args.tensorflow and not all(p.isdigit() for p in args.tensorflow.split(".")):
        raise UsageError(f"--tensorflow takes a version like 2.15, not {args.tensorflow!r}")
    folder = Path(args.dir).expanduser().absolute()
    check_new_folder(folder, "`tfdoctor new`")
    choice = choose(load(), args.python, args.tensorflow, args.keras, args.gpu)
    say = print_line(sys.stderr)
    say(f"creating {folder}: Python {choice.python}, {' '.join(choice.requirements)}")
    result = create(choice, folder, say, smoke=not args.no_smoke, pip=not args.no_pip)
    if args.format == "json":
        from tfdoctor.report.envelope import envelope

        target = {"kind": "venv", "prefix": str(folder), "python": choice.python}
        doc = envelope("new", target, (), result=result.to_json())
        print(json.dumps(doc, indent=2))
    else:
        # "created /x (not verified: --no-smoke); ...", not "created: created /x ..."
        said = result.message.startswith(f"{result.status} ")
        print(result.message if said else f"{result.status}: {result.message}")
        if result.lock:
            print(f"  pinned set: {result.lock}")
        timings = ", ".join(f"{k} {v:.1f} s" for k, v in result.timings.items())
        print(f"  {timings}")
    return EXIT_OK if result.status in ("verified", "created") else EXIT_FINDINGS
