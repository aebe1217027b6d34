"""``tfdoctor scan``'s table: one line per environment (rich on a terminal, plain elsewhere)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING

from tfdoctor.finding import Severity
from tfdoctor.report import counted
from tfdoctor.report.styled import Line, open_sink

if TYPE_CHECKING:
    from tfdoctor.scan.runner import Row

HEADER = ("env", "Python", "TensorFlow", "Keras", "worst finding")
_STYLE = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


def _short(path: str) -> str:
    home = os.path.expanduser("~")
    return "~" + path[len(home) :] if path.startswith(home + os.sep) else path


def cells(row: Row) -> tuple[str, str, str, str, str]:
    env = _short(row.found.prefix)
    if row.found.kernels:
        env += f" (kernel {', '.join(row.found.kernels)})"
    if row.report is None:
        return env, "", "", "", f"cannot be examined: {row.error}"
    worst = row.worst
    finding = "ok" if worst is None else f"{worst.code} {worst.title}"
    return (
        env,
        str(row.report.target.get("python", "")),
        row.version("tensorflow") or "-",
        row.version("keras") or "-",
        finding,
    )


def render_table(rows: Sequence[Row], stream: IO[str]) -> None:
    sink = open_sink(stream)
    try:
        fit = stream.isatty()  # a terminal line is cut to its width; a file keeps it whole
    except (AttributeError, ValueError):
        fit = False
    table = [HEADER, *(cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(4)]
    out: list[Line] = []
    for index, line in enumerate(table):
        head = "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line[:4]))
        room = max(sink.width - len(head) - 2, 20)
        last = line[4] if not fit or len(line[4]) <= room else line[4][: room - 1] + "…"
        style = "bold" if index == 0 else _row_style(rows[index - 1])
        out.append([(head + "  ", "bold" if index == 0 else ""), (last, style)])
    with_errors = sum(1 for r in rows if r.report is not None and r.report.errors)
    broken = sum(1 for r in rows if r.report is None)
    out.append([])
    out.append(
        [
            (
                f"{counted(len(rows), 'environment')}: {with_errors} with errors"
                + (f", {broken} could not be examined" if broken else "")
                + ". Details: tfdoctor check --python ENV",
                "bold",
            )
        ]
    )
    sink.write(out)


def _row_style(row: Row) -> str:
    if row.report is None:
        return "dim"
    worst = row.worst
    return "green" if worst is None else _STYLE[worst.severity]
