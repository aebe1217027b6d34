"""``tfdoctor check``: diagnose an environment without changing it."""

from __future__ import annotations

import sys

from tfdoctor.errors import EXIT_FINDINGS, EXIT_OK, UsageError, positive_seconds

TYPE_CHECKING = False  # not typing's: start_early() runs before typing is imported
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from typing import Any

    from tfdoctor.target import RunningProbe

# The probe started by start_early(), with the (--python, --verbose) it was started for.
_early: tuple[tuple[str | None, bool], RunningProbe] | None = None


def start_early(argv: Sequence[str]) -> None:
    """Start the probe before the arguments are parsed: argparse and the rules are then imported
    while the target is read (the probe is most of a check's time). Only the plain spellings are
    recognised here; run() starts a new probe when the parsed arguments say otherwise."""
    global _early
    python: str | None = None
    verbose = False
    words = iter(argv)
    for word in words:
        if word == "--python":
            python = next(words, None)
        elif word.startswith("--python="):
            python = word.partition("=")[2]
        elif word in ("-v", "--verbose"):
            verbose = True
        elif word in ("-h", "--help"):
            return
    from tfdoctor.target import RunningProbe, resolve

    cancel_early()  # one left by an earlier main() in this process that did not run
    try:
        _early = ((python, verbose), RunningProbe(resolve(python), full_scan=verbose))
    except Exception:  # a bad target is reported by run(), with the parsed arguments
        _early = None


def cancel_early() -> None:
    """Stop the early probe: the arguments turned out to be wrong (or asked for help)."""
    global _early
    if _early is not None:
        _early[1].close()
        _early = None


def _probe_for(python: str | None, verbose: bool) -> RunningProbe:
    """The early probe if it was started for these arguments, else a new one."""
    global _early
    from tfdoctor.target import RunningProbe, resolve

    early, _early = _early, None
    if early is not None:
        key, probe = early
        if key == (python, verbose):
            return probe  # its --python resolved already
        probe.close()
    return RunningProbe(resolve(python), full_scan=verbose)  # a bad --python: the usage error


def add_parser(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "check",
        help="diagnose why TensorFlow and Keras do not work together in an environment",
        description="Read a Python environment (never changing it) and report every reason why "
        "TensorFlow and Keras will not work together, with evidence and the commands that fix it.",
    )
    add_target_arguments(p)
    p.add_argument(
        "--select",
        metavar="CODES",
        help="only these rule codes or code prefixes (comma-separated: TFD101,TFD2)",
    )
    p.add_argument(
        "--ignore", metavar="CODES", help="skip these rule codes or code prefixes (comma-separated)"
    )
    p.add_argument(
        "--deep",
        action="store_true",
        help="also import TensorFlow/Keras and run the reference smoke test in the target",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=180.0,
        metavar="SECONDS",
        help="time limit of the --deep run (default: 180)",
    )
    add_requirement_arguments(p)


def add_requirement_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "-r",
        "--requirements",
        action="append",
        metavar="FILE",
        help="check the environment this set would make, before installing it (repeatable): "
        "requirements.txt, pyproject.toml, environment.yml, uv.lock, poetry.lock, pylock.toml, "
        "or - for standard input",
    )
    p.add_argument(
        "--python-version",
        metavar="X.Y",
        help="with -r: the Python to check the set for (default: the target interpreter's)",
    )
    p.add_argument(
        "--platform",
        choices=("linux", "macos", "windows"),
        help="with -r: the OS to check the set for (default: the target interpreter's)",
    )
    p.add_argument("--arch", metavar="ARCH", help="with -r: x86_64 or arm64")


def add_target_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--python",
        metavar="PATH",
        help="interpreter, venv folder or conda env folder to examine (default: the active environment: $VIRTUAL_ENV, $CONDA_PREFIX, else python3 on PATH)",
    )
    p.add_argument(
        "--format", choices=("text", "json", "markdown"), default="text", help="output format"
    )
    p.add_argument("-v", "--verbose", action="store_true", help="show every fact collected")


def _given(value: str | None) -> set[str]:
    return {c.strip().upper() for c in value.split(",") if c.strip()} if value else set()


def _codes(value: str | None) -> set[str]:
    """The rule codes that ``value`` names, as codes or code prefixes (as lint takes them:
    TFD2 is every TFD2xx rule)."""
    given = _given(value)
    if not given:
        return set()
    from tfdoctor.catalog import all_rules

    return {info.code for info in all_rules() if info.code.startswith(tuple(given))}


def check_codes(option: str, value: str | None) -> None:
    """A code or prefix no rule has is a usage error, not a filter that silently keeps or drops
    nothing; so is an empty --select (it would select no rule)."""
    if value is None:
        return
    if option == "--select" and not _given(value):
        raise UsageError(
            "--select needs rule codes or prefixes, e.g. --select TFD1 (empty, it selects none)"
        )
    from tfdoctor.catalog import all_rules

    known = [info.code for info in all_rules()]
    for code in sorted(_given(value)):
        if not any(k.startswith(code) for k in known):
            raise UsageError(f"{option} {code}: no rule has this code; `tfdoctor rules` lists them")


def run(args: argparse.Namespace) -> int:
    # The static probe usually runs already (start_early); --deep starts the runtime one beside
    # it, and both run while the rules are imported here.
    probe = _probe_for(args.python, args.verbose)
    try:
        check_codes("--select", args.select)
        check_codes("--ignore", args.ignore)
        if args.requirements:
            from tfdoctor.resolve.command import check_requirements

            return check_requirements(args, probe, _codes(args.select), _codes(args.ignore))
        if args.python_version or args.platform or args.arch:
            raise UsageError("--python-version, --platform and --arch go with -r FILE")
        return _check(args, probe)
    except BaseException:
        probe.close()  # no answer is wanted any more: do not leave the probe running
        raise


def _check(args: argparse.Namespace, probe: RunningProbe) -> int:
    target = probe.target
    deep = None
    if args.deep:
        from tfdoctor.deep import RunningDeep

        deep = RunningDeep(target, timeout=positive_seconds(args.timeout))
    from tfdoctor.diagnose import diagnose_probe
    from tfdoctor.report.render import render

    progress = None
    if deep is not None and sys.stderr.isatty():
        from tfdoctor.report.progress import LiveProgress

        progress = LiveProgress(sys.stderr)
    try:
        report = diagnose_probe(
            probe,
            select=_codes(args.select),
            ignore=_codes(args.ignore),
            deep=deep,
            progress=progress,
        )
    finally:
        if progress is not None:
            progress.close()
    render(report, args.format, verbose=args.verbose, stream=sys.stdout)
    return EXIT_FINDINGS if report.errors else EXIT_OK
