"""``tfdoctor rules [CODE]``: list the rules, or print one rule's documentation."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from tfdoctor.errors import EXIT_OK, UsageError


def add_parser(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "rules", help="list the rules, or explain one (tfdoctor rules TFD101)"
    )
    p.add_argument("code", nargs="?", help="a rule code such as TFD101, or its name (keras-line)")
    p.add_argument("--format", choices=("text", "json"), default="text")


def run(args: argparse.Namespace) -> int:
    from tfdoctor.catalog import all_rules, get_rule
    from tfdoctor.registry import rule_doc

    if args.code:
        info = get_rule(args.code)
        if info is None:
            raise UsageError(f"no rule {args.code!r}; `tfdoctor rules` lists the codes and names")
        doc = rule_doc(info.code)
        if args.format == "json":
            print(json.dumps(_envelope([{**_as_json(info), "doc": doc}]), indent=2))
            return EXIT_OK
        header = f"{info.code} {info.name}  (cause: {info.cause}, severity: {info.severity.value})"
        if sys.stdout.isatty():
            from rich.console import Console
            from rich.markdown import Markdown

            console = Console()
            console.print(f"[bold]{header}[/]")
            console.print(Markdown(doc or info.summary))
        else:
            print(header)
            print()
            print(doc or info.summary)
        return EXIT_OK
    rules = all_rules()
    if args.format == "json":
        print(json.dumps(_envelope([_as_json(r) for r in rules]), indent=2))
        return EXIT_OK
    width = max(len(r.name) for r in rules)
    for r in rules:
        print(f"{r.code}  {r.name:<{width}}  {r.severity.value:<7}  {r.cause:<30}  {r.summary}")
    return EXIT_OK


def _envelope(rules: list[dict[str, str]]) -> dict[str, Any]:
    from tfdoctor.report.envelope import envelope

    return envelope("rules", None, (), rules=rules)


def _as_json(info: Any) -> dict[str, str]:
    return {
        "code": info.code,
        "name": info.name,
        "kind": info.kind,
        "cause": info.cause,
        "severity": info.severity.value,
        "group": info.group.value,
        "summary": info.summary,
    }
