"""What the stored cells prove: every api_changes.json entry held against the real import checks
of the cells (`matrix api-report`), and the facts per TensorFlow minor (`matrix facts`)."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, TextIO

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from tfdoctor.errors import EXIT_FINDINGS, EXIT_OK
from tfdoctor.kb.verified import describe, tf_version
from tfdoctor.lint.api_changes import ApiChange, load_api_data
from tfdoctor.matrix.store import Store


def impl_version(record: dict[str, Any], impl: str) -> str | None:
    """The version of the Keras that serves `impl` (keras, tf.keras, tf_keras) in a cell."""
    installed = record.get("installed", {})
    if impl == "keras":
        return installed.get("keras-nightly") or installed.get("keras")
    if impl == "tf_keras":
        return installed.get("tf-keras")
    for step in record.get("steps", []):
        if step["step"] == "resolve tf.keras" and step["status"] == "ok":
            version = step.get("detail", {}).get("version")
            return str(version) if version else None
    return None


@dataclass
class Verdict:
    change: ApiChange
    agree: list[str] = field(default_factory=list)  # "impl in TF x: expected fail, failed"
    contradict: list[str] = field(default_factory=list)
    replacement_fails: list[str] = field(default_factory=list)

    @property
    def proven(self) -> bool:
        return bool(self.agree) and not self.contradict and not self.replacement_fails


def _contains(spec: str, version: str) -> bool:
    try:
        return SpecifierSet(spec).contains(Version(version), prereleases=True)
    except InvalidVersion:
        return False


def verdicts(store: Store) -> list[Verdict]:
    out = []
    cells = [r for r in store.cells.values() if r.get("api")]
    for change in load_api_data().changes:
        verdict = Verdict(change)
        impls = ("",) if change.package == "tensorflow" else ("keras", "tf.keras", "tf_keras")
        for record in cells:
            results = record["api"]
            for impl in impls:
                key = f"{change.id}@{impl}" if impl else change.id
                if key not in results or (impl and not change.applies_to(impl)):
                    continue
                version = tf_version(record) if not impl else impl_version(record, impl)
                if version is None:
                    continue
                expect_fail = _contains(change.breaks, version) and not change.still_importable
                if change.kind == "keyword" and change.outcome == "ignored":
                    failed = results[key].startswith("ValueError: ignored")
                else:
                    failed = results[key] != "ok"
                where = f"{impl or 'tensorflow'} {version} (cell {record['key']}, TF {tf_version(record)})"
                line = f"{where}: {'fails' if failed else 'works'}"
                if failed and results[key] != "ok":
                    line += f" ({results[key][:120]})"
                (verdict.agree if failed == expect_fail else verdict.contradict).append(line)
                replaced = results.get(f"{key}#replacement")
                if expect_fail and replaced not in (None, "ok"):
                    verdict.replacement_fails.append(f"{where}: {replaced}")
        out.append(verdict)
    return out


def api_report(store: Store, out: TextIO) -> int:
    results = verdicts(store)
    proven = [v for v in results if v.proven]
    contra = [v for v in results if v.contradict or v.replacement_fails]
    unchecked = [v for v in results if not v.agree and not v.contradict]
    for v in contra:
        out.write(f"✗ {v.change.id} (breaks {v.change.package} {v.change.breaks})\n")
        for line in (v.contradict + [f"replacement fails: {x}" for x in v.replacement_fails])[:6]:
            out.write(f"    {line}\n")
    out.write(
        f"{len(results)} API changes: {len(proven)} proven by the cells, {len(contra)} "
        f"contradicted, {len(unchecked)} without a cell that checks them\n"
    )
    return EXIT_FINDINGS if contra else EXIT_OK


def facts(store: Store, out: TextIO, as_json: bool = False) -> int:
    """Per TensorFlow minor: each cell's outcome in one line, failures first."""
    by_minor: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in store.cells.values():
        by_minor[".".join(record["tensorflow"].split(".")[:2])].append(record)
    names = ("keras", "keras-nightly", "tf-keras", "numpy", "protobuf", "transformers",
             "tensorflow-probability", "tensorflow-text", "keras-hub")  # fmt: skip
    if as_json:
        data = {
            minor: [
                {"key": r["key"], "label": r["label"], "outcome": r["outcome"],
                 "failed_at": r["failed_at"], "error_signature": r["error_signature"]}
                for r in sorted(rs, key=lambda r: r["label"])
            ]
            for minor, rs in sorted(by_minor.items(), key=lambda kv: Version(kv[0]))
        }  # fmt: skip
        out.write(json.dumps(data, indent=1) + "\n")
        return EXIT_OK
    total = {"pass": 0, "fail": 0}
    for minor, rs in sorted(by_minor.items(), key=lambda kv: Version(kv[0])):
        out.write(f"TensorFlow {minor}\n")
        for r in sorted(rs, key=lambda r: (r["outcome"] == "pass", r["label"])):
            total[r["outcome"]] += 1
            if r.get("failed_at") == "install":
                text = f"cannot be installed: {r['error_signature'] or ''}"[:200]
                out.write(f"  ✗ {r['label']}: {text}\n")
                continue
            mark = "✓" if r["outcome"] == "pass" else "✗"
            out.write(f"  {mark} {r['label']}: {describe(r, names)}\n")
    out.write(f"{total['pass'] + total['fail']} cells: {total['pass']} pass, {total['fail']} fail\n")
    return EXIT_OK
