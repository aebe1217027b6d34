"""`tfdoctor explain [FILE|-]`: read a traceback, log or console session; rank its root causes."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from typing import TYPE_CHECKING, Any, BinaryIO

from tfdoctor.errors import EXIT_FINDINGS, EXIT_OK, UsageError

if TYPE_CHECKING:
    from tfdoctor.explain import ExplainResult
    from tfdoctor.explain.join import DiagnosedEnvironment
    from tfdoctor.target import Interpreter

FORMATS = ("text", "json", "markdown")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "explain",
        help="explain a TensorFlow/Keras error from a traceback, log or console session",
        description=(
            "Read a traceback, a log or a whole console session (pasted from an issue, a "
            "notebook, a CI log) and print the known root causes, most likely first, with the "
            "line that gave each away, why it happens and how to fix it."
        ),
    )
    parser.add_argument(
        "file",
        nargs="?",
        default="-",
        metavar="FILE",
        help="the text to explain; '-' or nothing reads standard input",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format")
    parser.add_argument(
        "--python",
        metavar="PATH",
        help="check this environment too and join it with the text: the root cause is the one "
        "the environment proves (default: the environment the traceback's paths show, when it "
        "is on this machine, else the active environment when TensorFlow is installed in it)",
    )
    parser.add_argument(
        "--text-only",
        action="store_true",
        help="explain the text alone: look at no environment (for a text from another machine, "
        "e.g. a traceback pasted into a support ticket)",
    )
    return parser


def _environment(args: argparse.Namespace, result: ExplainResult) -> DiagnosedEnvironment | None:
    """The environment the text came from: --python; else the one its traceback shows, when
    that very file exists on this machine; else the active environment if it has TensorFlow."""
    import os

    if args.text_only:
        if args.python is not None:
            raise UsageError("--text-only and --python exclude each other: drop one of them")
        return None
    python, source = args.python, "--python"
    explicit = python is not None
    shown = os.path.expanduser(result.environment_file)  # IPython writes ~/... for the home
    if python is None and shown and os.path.isfile(shown) and _trusted(result.environment, shown):
        python, source = result.environment, "traceback"
    from tfdoctor.diagnose import diagnose_context, diagnose_probed
    from tfdoctor.envfacts import environment_facts
    from tfdoctor.explain.join import DiagnosedEnvironment

    try:
        if python is None:
            found = _active_with_tensorflow()
            if found is None:
                return None  # no TensorFlow in the active environment: the text alone
            target, data = found
            source = target.why
            ctx, report = diagnose_probed(target, data)
        else:
            ctx, report = diagnose_context(python)
    except UsageError:
        if explicit:
            raise
        # the traceback's environment, or the active one ($VIRTUAL_ENV naming a deleted venv),
        # is not a usable one here: the text alone
        return None
    facts = environment_facts(ctx.snapshot, ctx.tensorflow, ctx.installer)
    return DiagnosedEnvironment(facts, report, source)


def _active_with_tensorflow() -> tuple[Interpreter, dict[str, object]] | None:
    """The active environment and its probe's answer, when TensorFlow is installed in it (only
    then is it diagnosed: the probe alone is cheap, a whole check is not)."""
    from tfdoctor.kb import load
    from tfdoctor.pep508 import canonical
    from tfdoctor.target import resolve, run_probe

    target = resolve(None)
    data = run_probe(target)
    variants = load().tf_variants()
    dists = data.get("distributions")
    names = [d.get("name") for d in dists if isinstance(d, dict)] if isinstance(dists, list) else []
    if not any(isinstance(n, str) and canonical(n) in variants for n in names):
        return None
    return target, data


def _trusted(environment: str, shown: str) -> bool:
    """Whether the environment a pasted text names may be run: its interpreter exists here, and
    it and the site-packages folder of the file the text names (whose .pth files and
    sitecustomize run when that interpreter starts) belong to this user or to root (a text
    from elsewhere must not make tfdoctor run code someone else placed at that path: another
    user's venv runs root's interpreter with that user's site-packages)."""
    import os

    from tfdoctor.target import resolve

    try:
        owners = {os.stat(resolve(environment).executable).st_uid}
        cut = shown.find("-packages/")
        if cut >= 0:
            owners.add(os.stat(shown[: cut + len("-packages")]).st_uid)
    except (UsageError, OSError):
        return False
    return owners <= {0, os.getuid()} if hasattr(os, "getuid") else True


def _about(env: DiagnosedEnvironment, shown: str, python: str | None) -> tuple[str, ...]:
    """Lines that say which environment was checked and joined with the text, how it was found,
    and, when --python named another one than the text's paths show, that they differ."""
    from tfdoctor.finding import Severity
    from tfdoctor.target import resolve

    target = env.report.target
    where = str(target.get("prefix") or target.get("executable") or "")
    how = {"--python": "named with --python", "traceback": "the one the traceback's paths show"}
    errors = sum(1 for f in env.report.findings if f.severity is Severity.ERROR)
    noun = "error" if errors == 1 else "errors"
    lines = [
        f"Environment: {where} ({how.get(env.source, env.source)}); tfdoctor check finds "
        f"{errors or 'no'} {noun} in it."
    ]
    if python is not None and shown:
        try:
            other = resolve(shown).executable
        except UsageError:
            other = ""  # not on this machine: nothing to compare
        if other and other != target.get("executable"):
            lines.append(
                f"The text's paths show another environment, {shown}: this explanation is of "
                f"the one --python names (tfdoctor explain --python {_quoted(shown)} for that one)."
            )
    return tuple(lines)


def _quoted(path: str) -> str:
    from tfdoctor.explain.engine import quote

    return quote(path) or "PATH"


def _next_step_in(result: ExplainResult, python: str) -> ExplainResult:
    """The command that confirms the diagnosis, for the environment --python names (the text
    shows none): a bare `tfdoctor check` would look at the active one instead."""
    from tfdoctor.explain.engine import CHECK, quote

    quoted = quote(python)
    if quoted is None:
        return result
    step = f"{CHECK} --python {quoted}" + (
        " --deep" if result.next_step.endswith(" --deep") else ""
    )
    findings = tuple(
        f._replace(data=tuple((k, step if k == "next" else v) for k, v in f.data))
        for f in result.findings
    )
    return dataclasses.replace(result, next_step=step, findings=findings)


def _open(path: str) -> tuple[BinaryIO, str]:
    if path == "-":
        if sys.stdin is None:  # started with standard input closed (<&-, a daemon)
            raise UsageError("standard input is closed: give the file to explain")
        if sys.stdin.isatty():
            print("Paste the text, then press Ctrl-D (Ctrl-Z Enter on Windows).", file=sys.stderr)
        return sys.stdin.buffer, "<stdin>"
    try:
        return open(path, "rb"), path  # closed by run()
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a folder; give the file that holds the text") from None
    except PermissionError:
        raise UsageError(f"cannot read {path}: permission denied") from None
    except NotADirectoryError:
        raise UsageError(f"no such file: {path} (a part of it is a file, not a folder)") from None
    except OSError as exc:  # a symbolic link loop, a name too long, ...
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None


def run(args: argparse.Namespace) -> int:
    from tfdoctor.explain import NotTextError, explain_stream
    from tfdoctor.explain.engine import refill
    from tfdoctor.explain.join import (
        Difference,
        differences,
        differences_json,
        differences_line,
        join_result,
    )
    from tfdoctor.finding import Severity
    from tfdoctor.report.explain import print_text, to_json, to_markdown

    if args.python is not None:
        from tfdoctor.target import resolve

        resolve(args.python)  # a bad --python is a usage error before any reading
    stream, source = _open(args.file)
    try:
        result = explain_stream(stream)
    except NotTextError as exc:
        raise UsageError(f"{source} is not text ({exc}); give a log or a traceback") from None
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    if result.lines_read == 0:
        what = "standard input" if source == "<stdin>" else source
        raise UsageError(
            f"{what} is empty: nothing to explain; give the traceback or log "
            "(a file, or piped in: ... 2>&1 | tfdoctor explain)"
        )
    shown = result.environment  # the environment the text's paths show, "" when none
    if args.python is not None:
        # the environment named with --python is the one checked and joined: the command that
        # confirms the diagnosis names it too, not another that the text's paths show
        result = _next_step_in(result, args.python)
    env = _environment(args, result)
    about = _about(env, shown, args.python) if env is not None else ()
    differ: tuple[Difference, ...] = ()
    if env is not None:
        differ = differences(result, env)
        about = (*about, differences_line(differ)) if differ else about
        result = refill(result, env.facts)
        result = join_result(result, env)
    if args.format == "json":
        data = to_json(result, source)
        if env is not None:
            whole = env.report.to_json()
            data["target"] = whole["target"]
            data["packages"] = whole["packages"]
            data["environment_findings"] = whole["findings"]
            data["environment_source"] = env.source
            data["environment_differs"] = differences_json(differ)
        json.dump(data, sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif args.format == "markdown":
        from tfdoctor.printable import clean

        sys.stdout.write(clean(to_markdown(result, source, about)))
    else:
        print_text(result, source, sys.stdout, about)
    if any(finding.severity is Severity.ERROR for finding in result.findings):
        return EXIT_FINDINGS
    return EXIT_OK
