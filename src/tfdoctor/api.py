"""tfdoctor from Python: the same checks as the command line, returning a :class:`Report`.

>>> import tfdoctor
>>> report = tfdoctor.check()              # the interpreter running this code
>>> report.errors, [f.code for f in report.findings]
>>> tfdoctor.explain(traceback_text).findings[0].cause

A Report shows itself as the terminal report in a console (``print(report)``, IPython) and as
HTML in a notebook (``_repr_html_``); ``report.to_json()`` is the ``--format json`` document.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tfdoctor.report.model import Report


def check(
    python: str | os.PathLike[str] | None = None,
    *,
    deep: bool = False,
    timeout: float = 180.0,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
) -> Report:
    """Check an environment without changing it; what ``tfdoctor check`` reports.

    ``python``: an interpreter, venv folder or conda env folder. By default the interpreter that
    runs this code (``sys.executable``): in a Jupyter kernel, the kernel's own environment,
    whatever the shell's PATH or active virtual environment is. ``deep`` also imports TensorFlow
    and Keras in it and runs the reference model (``check --deep``), within ``timeout`` seconds.
    Raises :class:`tfdoctor.errors.UsageError` for a target that cannot be examined."""
    from tfdoctor.diagnose import diagnose_probe
    from tfdoctor.errors import UsageError
    from tfdoctor.target import RunningProbe, resolve

    target = resolve(os.fspath(python) if python is not None else sys.executable)
    probe = RunningProbe(target)
    running = None
    if deep:
        from tfdoctor.deep import RunningDeep

        if timeout <= 0:
            probe.close()
            raise UsageError("timeout must be a positive number of seconds")
        running = RunningDeep(target, timeout=timeout)
    try:
        return diagnose_probe(probe, select=select, ignore=ignore, deep=running)
    except BaseException:
        probe.close()
        raise


def explain(text: str, python: str | os.PathLike[str] | None = None) -> Report:
    """Rank the known root causes in a traceback, log or console session; what
    ``tfdoctor explain`` reports. With ``python`` (an interpreter or environment), the fixes
    name that environment's versions and its own findings of the same cause are joined in."""
    from tfdoctor.diagnose import diagnose_context
    from tfdoctor.envfacts import environment_facts
    from tfdoctor.explain import explain_text
    from tfdoctor.explain.join import (
        DiagnosedEnvironment,
        differences,
        differences_json,
        join_result,
    )
    from tfdoctor.report.explain import to_json
    from tfdoctor.report.model import Report

    environment = None
    if python is not None:
        ctx, static = diagnose_context(os.fspath(python))
        facts = environment_facts(ctx.snapshot, ctx.tensorflow, ctx.installer)
        environment = DiagnosedEnvironment(facts, static, "--python")  # as the CLI says it
    result = explain_text(text, environment.facts if environment else None)
    differ = differences(result, environment) if environment is not None else ()
    if environment is not None:
        result = join_result(result, environment)
    findings = result.findings
    document = to_json(result, "<text>")
    # what `tfdoctor explain --format json` adds to the envelope (docs/schema/explain.json)
    keys = ("input", "recognised", "uncertain", "uncertain_reason", "alternatives", "next")
    extra: dict[str, object] = {key: document[key] for key in keys if key in document}
    if environment is not None:
        extra["environment_findings"] = environment.report.to_json()["findings"]
        extra["environment_source"] = environment.source
        extra["environment_differs"] = differences_json(differ)
    return Report(
        command="explain",
        target=environment.report.target if environment else {},
        packages=environment.report.packages if environment else {},
        findings=tuple(findings),
        extra=extra,
    )
