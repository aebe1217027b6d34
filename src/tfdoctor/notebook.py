"""``%load_ext tfdoctor``: the ``%tfdoctor`` magic for Jupyter and IPython.

``%tfdoctor [--deep] [--python PATH]`` checks the environment of the running kernel
(``sys.executable``: the one the notebook imports from, not the shell's), ``%tfdoctor explain``
explains the last exception of the session (``sys.last_value``). Both return the Report, which a
notebook shows as HTML and a console as the terminal report."""

from __future__ import annotations

import shlex
import sys
import traceback
from typing import Any

from tfdoctor.report.model import Report

USAGE = "usage: %tfdoctor [--deep] [--python PATH] | %tfdoctor explain"


def load_ipython_extension(ipython: Any) -> None:
    ipython.register_magic_function(tfdoctor_magic, magic_kind="line", magic_name="tfdoctor")


def tfdoctor_magic(line: str) -> Report | None:
    from tfdoctor import api
    from tfdoctor.errors import UsageError

    words = shlex.split(line)
    if words[:1] == ["explain"]:
        error = getattr(sys, "last_value", None)
        if error is None:
            print(
                "tfdoctor: no exception in this session yet: run the failing cell, then "
                "%tfdoctor explain",
                file=sys.stderr,
            )
            return None
        text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        return api.explain(text, python=sys.executable)
    deep = "--deep" in words
    rest = [w for w in words if w != "--deep"]
    python = sys.executable
    if rest[:1] == ["--python"] and len(rest) == 2:
        python = rest[1]
    elif rest:
        print(USAGE, file=sys.stderr)
        return None
    try:
        return api.check(python, deep=deep)
    except UsageError as exc:
        print(f"tfdoctor: {exc}", file=sys.stderr)
        return None
