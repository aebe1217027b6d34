"""``python -m tfdoctor.kb refresh|check``: maintainer commands for the knowledge base."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Optional

from tfdoctor.kb import pypi
from tfdoctor.kb.loader import DATA_DIR


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tfdoctor.kb",
        description="Maintainer commands for tfdoctor's knowledge base (kb/README.md).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    refresh = sub.add_parser("refresh", help="regenerate declared.json from the registry")
    refresh.add_argument("--output", type=Path, default=Path(DATA_DIR), help="folder to write into")
    refresh.add_argument("--index", default=pypi.DEFAULT_INDEX, help="JSON API base URL")
    refresh.add_argument(
        "--only", action="append", metavar="NAME", help="refresh only this distribution"
    )
    internals = sub.add_parser(
        "keras-internals",
        help="read which TensorFlow internals the keras/tf-keras wheels import (signatures.json)",
    )
    internals.add_argument("--index", default=pypi.DEFAULT_INDEX, help="JSON API base URL")
    ops = sub.add_parser(
        "tf-ops", help="read the ops an installed TensorFlow registers (signatures.json)"
    )
    ops.add_argument(
        "--site-packages", type=Path, required=True, help="site-packages holding tensorflow"
    )
    check = sub.add_parser("check", help="validate curated.json against declared.json")
    check.add_argument("--data", type=Path, default=Path(DATA_DIR), help="folder holding the data")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "refresh":
        from tfdoctor.kb.refresh import main as refresh_main

        return refresh_main(args.output, args.index, args.only)
    if args.command == "keras-internals":
        from tfdoctor.kb.keras_internals import main as internals_main

        return internals_main(Path(DATA_DIR) / "signatures.json", args.index)
    if args.command == "tf-ops":
        from tfdoctor.kb.tf_ops import main as ops_main

        return ops_main(args.site_packages, Path(DATA_DIR) / "signatures.json")
    from tfdoctor.kb.validate import main as check_main

    return check_main(args.data)


if __name__ == "__main__":
    sys.exit(main())
