"""``check -r``'s part of the command line: the would-be target, then the common rendering."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from tfdoctor.errors import EXIT_FINDINGS, EXIT_OK, UsageError

if TYPE_CHECKING:
    from tfdoctor.target import RunningProbe


def check_requirements(
    args: argparse.Namespace, probe: RunningProbe, select: set[str], ignore: set[str]
) -> int:
    """``select``/``ignore``: the rule codes that --select/--ignore name (prefixes expanded)."""
    from tfdoctor.report.render import render
    from tfdoctor.resolve.check import check_sets
    from tfdoctor.resolve.platforms import would_be

    if args.deep:
        probe.close()
        raise UsageError("--deep runs code in an environment; with -r there is none yet")
    if args.requirements.count("-") > 1:
        probe.close()
        raise UsageError("standard input (-) can be given once")
    if args.python_version and args.platform and args.arch:
        probe.close()
        python, system, machine = "3", "Linux", "x86_64"
    else:
        facts = probe.result()  # the defaults: the target interpreter's Python and platform
        py, plat = facts["python"], facts["platform"]
        assert isinstance(py, dict) and isinstance(plat, dict)
        python, system, machine = str(py["version"]), str(plat["system"]), str(plat["machine"])
    target = would_be(args.python_version, args.platform, args.arch, python, system, machine)
    stdin_text = sys.stdin.read() if "-" in args.requirements else None
    report = check_sets(
        args.requirements,
        target,
        python_given=bool(args.python_version),
        stdin_text=stdin_text,
        select=select,
        ignore=ignore,
        cwd=os.getcwd(),
    )
    render(report, args.format, verbose=args.verbose, stream=sys.stdout)
    return EXIT_FINDINGS if report.errors else EXIT_OK
