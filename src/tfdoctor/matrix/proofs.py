"""What the stored cells prove: every api_changes.json entry held against the real import checks
of the cells (`matrix api-report`), and the facts per TensorFlow minor (`matrix facts`)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
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
    if "keras" in installed and "keras-nightly" in installed and impl != "tf_keras":
        return None  # both wrote into one keras/ directory: a mix of files of no one version
    if impl == "keras":
        found = installed.get("keras-nightly") or installed.get("keras")
        return str(found) if found else None
    if impl == "tf_keras":
        return str(installed["tf-keras"]) if "tf-keras" in installed else None
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
    seen: dict[str, list[tuple[Version, bool]]] = field(default_factory=dict)

    def observed(self) -> str:
        """Per implementation, where the old API failed and where it worked."""
        parts = []
        for impl, seen in sorted(self.seen.items()):
            fails = sorted({v for v, f in seen if f})
            works = sorted({v for v, f in seen if not f})
            if not fails:
                parts.append(f"{impl}: works in all ({works[0]}..{works[-1]})")
            elif not works:
                parts.append(f"{impl}: fails in all ({fails[0]}..{fails[-1]})")
            elif works[-1] < fails[0]:
                parts.append(f"{impl}: works up to {works[-1]}, fails from {fails[0]}")
            else:
                parts.append(f"{impl}: mixed (fails {', '.join(map(str, fails))}; "
                             f"works {', '.join(map(str, works))})")  # fmt: skip
        return "; ".join(parts)

    @property
    def proven(self) -> bool:
        return bool(self.agree) and not self.contradict and not self.replacement_fails


def _contains(spec: str, version: str) -> bool:
    try:
        return SpecifierSet(spec).contains(Version(version), prereleases=True)
    except InvalidVersion:
        return False


_NOT_THERE = ("AttributeError", "ModuleNotFoundError", "ImportError")
_NOT_BUILT = ("LookupError: cannot build",)  # probe/matrix_cell.required_args


_SMOKE = {"keras": "smoke test through keras", "tf.keras": "smoke test through tf.keras",
          "tf_keras": "import tf_keras", "": "import tensorflow"}  # fmt: skip


def _healthy(record: dict[str, Any], impl: str) -> bool:
    """The implementation works in this cell (imports and trains): its API checks count."""
    steps = {s["step"]: s["status"] for s in record.get("steps", [])}
    if impl == "keras" and "smoke test through keras" not in steps:
        return (
            steps.get("import keras") == "ok" and steps.get("smoke test through tf.keras") == "ok"
        )
    return steps.get(_SMOKE[impl]) == "ok"


def _lower(spec: str) -> Version | None:
    bounds = [Version(s.version) for s in SpecifierSet(spec) if s.operator in (">=", ">", "==")]
    return min(bounds) if bounds else None


def _minor_of(version: Version) -> tuple[int, int]:
    return (version.major, version.minor)


def verdicts(records: Iterable[dict[str, Any]]) -> list[Verdict]:
    """Each API change held against every cell that checked it: where the entry says it breaks,
    it must fail; in the newest minor before that (the version before), it must work. Older
    versions prove nothing (the API may not have existed yet)."""
    out = []
    cells = [r for r in records if r.get("api")]
    for change in load_api_data().changes:
        verdict = Verdict(change)
        lower = _lower(change.breaks)
        impls = ("",) if change.package == "tensorflow" else ("keras", "tf.keras", "tf_keras")
        seen: list[tuple[str, Version, bool, bool, str, str | None]] = []
        for record in cells:
            results = record["api"]
            for impl in impls:
                key = f"{change.id}@{impl}" if impl else change.id
                if key not in results or (impl and not change.applies_to(impl)):
                    continue
                if not _healthy(record, impl):
                    continue  # a broken Keras fails every check: it proves nothing about one API
                text = impl_version(record, impl) if impl else tf_version(record)
                try:
                    version = Version(text or "")
                except InvalidVersion:
                    continue
                result = results[key]
                expect_fail = _contains(change.breaks, str(version))
                if expect_fail and change.still_importable:
                    continue  # it imports and raises when used: the import proves nothing
                if change.kind == "keyword" and result.startswith(_NOT_THERE + _NOT_BUILT):
                    continue  # the callee is missing or cannot be built: no word on the keyword
                if change.kind == "keyword" and change.outcome == "ignored":
                    failed = result.startswith("ValueError: ignored")
                else:  # an error entry: a keyword that is accepted and ignored raises nothing
                    failed = result != "ok" and not result.startswith("ValueError: ignored")
                where = f"{impl or 'tensorflow'} {version} (cell {record['key']}, TF {tf_version(record)})"
                line = f"{where}: {'fails' if failed else 'works'}"
                if failed:
                    line += f" ({result[:120]})"
                replaced = results.get(f"{key}#replacement")
                replaced_error = f"{where}: {replaced}" if replaced not in (None, "ok") else None
                seen.append(
                    (impl or "tensorflow", version, failed, expect_fail, line, replaced_error)
                )
        for impl in {s[0] for s in seen}:
            mine = [s for s in seen if s[0] == impl]
            before = [s[1] for s in mine if not s[3] and lower is not None and s[1] < lower]
            newest_before = _minor_of(max(before)) if before else None
            for _, version, failed, expect_fail, line, replaced_error in mine:
                if not expect_fail and _minor_of(version) != newest_before:
                    continue
                verdict.seen.setdefault(impl, []).append((version, failed))
                (verdict.agree if failed == expect_fail else verdict.contradict).append(line)
                if expect_fail and replaced_error:
                    verdict.replacement_fails.append(replaced_error)
        out.append(verdict)
    return out


def api_report(store: Store, out: TextIO) -> int:
    results = verdicts(store.cells.values())
    proven = [v for v in results if v.proven]
    contra = [v for v in results if v.contradict or v.replacement_fails]
    unchecked = [v for v in results if not v.agree and not v.contradict]
    for v in contra:
        out.write(f"✗ {v.change.id} (breaks {v.change.package} {v.change.breaks})\n")
        out.write(f"    observed: {v.observed()}\n")
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
    out.write(
        f"{total['pass'] + total['fail']} cells: {total['pass']} pass, {total['fail']} fail\n"
    )
    return EXIT_OK
