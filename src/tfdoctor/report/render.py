"""Pick the reporter for ``--format``."""

from __future__ import annotations

from typing import IO

from tfdoctor.report.model import Report


def render(report: Report, fmt: str, verbose: bool, stream: IO[str]) -> None:
    if fmt == "json":
        from tfdoctor.report.json_report import render_json

        stream.write(render_json(report, verbose=verbose))
    elif fmt == "markdown":
        from tfdoctor.printable import clean
        from tfdoctor.report.markdown import render_markdown

        stream.write(clean(render_markdown(report)))
    else:
        from tfdoctor.report.terminal import render_terminal

        render_terminal(report, stream=stream, verbose=verbose)
