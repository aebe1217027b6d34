"""``python -m tfdoctor.kb check``: every curated fact has a source; curated and declared agree."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from tfdoctor import pep508
from tfdoctor.kb import requirements
from tfdoctor.kb.loader import CURATED_FILE, DECLARED_FILE, KnowledgeBaseError, _read

TF_FACTS_REQUIRED = ("keras_line", "tf_keras")
FACT_KEYS = ("value", "source", "evidence")


def _facts(node: Any, path: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every fact object (a dict with "value") below ``node``, with its JSON path."""
    if isinstance(node, dict):
        if "value" in node:
            yield path, node
            return
        for key, child in node.items():
            yield from _facts(child, f"{path}.{key}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _facts(child, f"{path}[{index}]")


def _is_url(text: object) -> bool:
    return isinstance(text, str) and text.startswith(("https://", "http://"))


def source_problems(curated: Mapping[str, Any]) -> list[str]:
    """Facts, dependents and observations without a public source URL or an "evidence" note."""
    problems = []
    for path, fact in _facts({k: v for k, v in curated.items() if k != "observations"}, "curated"):
        if not _is_url(fact.get("source")):
            problems.append(f"{path}: source is not a URL: {fact.get('source')!r}")
        if not str(fact.get("evidence", "")).strip():
            problems.append(f"{path}: says nothing about how it is known (evidence)")
    for index, item in enumerate(curated.get("dependents", ())):
        if not _is_url(item.get("source")) or not str(item.get("evidence", "")).strip():
            problems.append(
                f"curated.dependents[{index}] ({item.get('package')}): needs source + evidence"
            )
        for field_name in ("versions", "when_tensorflow", *(item.get("requires") or {})):
            spec = (item.get("requires") or {}).get(field_name, item.get(field_name, ""))
            if not requirements.valid_spec(str(spec or "")):
                problems.append(f"curated.dependents[{index}]: bad specifier {spec!r}")
    for index, item in enumerate(curated.get("observations", ())):
        if not _is_url(item.get("source")) or not item.get("command"):
            problems.append(f"curated.observations[{index}]: needs source + command")
    return problems


def agreement_problems(declared: Mapping[str, Any], curated: Mapping[str, Any]) -> list[str]:
    """Curated TensorFlow minors and declared TensorFlow releases must cover each other."""
    releases = declared.get("packages", {}).get("tensorflow", {}).get("releases", {})
    declared_minors = {m for v in releases if (m := requirements.minor_of(v))}
    curated_minors = set(curated.get("tensorflow", {}))
    problems = [
        f"declared.json has TensorFlow {m}.x releases but curated.json has no entry for {m}"
        for m in sorted(declared_minors - curated_minors, key=requirements.minor_key)
    ]
    problems += [
        f"curated.json describes TensorFlow {m} but declared.json has no release of it"
        for m in sorted(curated_minors - declared_minors, key=requirements.minor_key)
    ]
    for minor, entry in curated.get("tensorflow", {}).items():
        problems += [
            f"curated.tensorflow.{minor}: missing {name}"
            for name in TF_FACTS_REQUIRED
            if name not in entry
        ]
    tf_keras = declared.get("packages", {}).get("tf-keras", {}).get("releases", {})
    tf_keras_minors = {requirements.minor_of(v) for v in tf_keras}
    for minor, entry in curated.get("tensorflow", {}).items():
        if "tf_keras_spec" in entry and minor not in tf_keras_minors:
            problems.append(
                f"curated.tensorflow.{minor}: tf_keras_spec but no tf-keras {minor} release"
            )
    problems += _withdrawn_problems(releases, curated)
    return problems


def _withdrawn_problems(releases: Mapping[str, Any], curated: Mapping[str, Any]) -> list[str]:
    """A withdrawn library: no TensorFlow release from ``since`` on declares it."""
    problems = []
    for package, fact in curated.get("withdrawn", {}).items():
        since = str((fact.get("value") or {}).get("since", ""))
        if not since:
            problems.append(f"curated.withdrawn.{package}: no since")
            continue
        for version, release in releases.items():
            minor = requirements.minor_of(version)
            if minor is None or requirements.minor_key(minor) < requirements.minor_key(since):
                continue
            lines = release.get("requires_dist") or () if isinstance(release, dict) else ()
            names = {pep508.canonical(r.name) for line in lines if (r := pep508.parse(line))}
            if package in names:
                problems.append(
                    f"curated.withdrawn.{package}: TensorFlow {version} still declares it"
                )
    return problems


def check(directory: str | os.PathLike[str]) -> list[str]:
    declared = _read(os.path.join(directory, DECLARED_FILE))
    curated = _read(os.path.join(directory, CURATED_FILE))
    return source_problems(curated) + agreement_problems(declared, curated)


def main(directory: Path) -> int:
    try:
        problems = check(directory)
    except KnowledgeBaseError as exc:
        print(f"tfdoctor.kb: {exc}", file=sys.stderr)
        return 2
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {directory}", file=sys.stderr)
        return 1
    print(f"ok: {directory / CURATED_FILE} agrees with {directory / DECLARED_FILE}")
    return 0
