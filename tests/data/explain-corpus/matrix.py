"""Write the failed matrix cells' error texts as the corpus source ``matrix`` (index-x.jsonl).

A cell of ``tfdoctor matrix`` (src/tfdoctor/kb/data/verified.json) is an environment built with
one thing changed on purpose (its axis: a NumPy 2, another Keras line, tf-keras of another minor,
a protobuf above the declared range, a dependent, a setting). A cell that failed after it was
installed carries the verbatim error of the failing step; its known cause is the cause of its
axis, taken only when the knowledge base finds nothing else out of range in the installed set
(else two causes are in play and the cell is left out). Cells whose failure is not an error
that a user would paste (the smoke test's "predicts differently" assertion), and cells with
keras beside keras-nightly (both a version mismatch and a duplicate distribution) are left out.
One text per cause and error signature (the grid repeats the same failure across releases).

Each text is ``texts/x-<cell key>.txt`` (the step's error as the cell recorded it); its index entry
has ``source: "matrix"`` and ``url: "tfdoctor-matrix:<cell key>"`` (the record in verified.json).
freeze.py then draws the split of the new entries (existing entries keep theirs).
The scorer reports the ``matrix`` source apart from the real reports.

Run: python tests/data/explain-corpus/matrix.py && python tests/data/explain-corpus/freeze.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
VERIFIED = ROOT / "src" / "tfdoctor" / "kb" / "data" / "verified.json"
SHARD = HERE / "index-x.jsonl"
PREFIX = "x-"

# the cause a cell's axis puts in the environment
_AXIS_CAUSE = {
    "numpy": "numpy-incompatible",
    "keras": "keras-version-mismatch",
    "protobuf": "protobuf-incompatible",
    "tf_keras": "tf-keras-mismatch",
    "dependent": "dependent-package-incompatible",
}
_SETTING_CAUSE = {
    "TF_USE_LEGACY_KERAS": "tf-keras-mismatch",
    "KERAS_BACKEND": "backend-misconfigured",
}
# packages whose range the TensorFlow release declares -> the cause when outside it
_DECLARED = {
    "numpy": "numpy-incompatible",
    "keras": "keras-version-mismatch",
    "protobuf": "protobuf-incompatible",
}
_MIXING_STEP = "mixed keras + tf.keras model"  # the step that mixes two Keras on purpose
_NOT_PASTED = ("predicts differently",)


def _out_of_range(cell: dict[str, object]) -> set[str]:
    """The causes of the installed packages that the TensorFlow release does not accept."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    from tfdoctor.kb import load

    release = load().tensorflow(str(cell["tensorflow"]))
    installed = cell["installed"]
    assert isinstance(installed, dict)
    if release is None:
        return {"unknown"}
    causes = set()
    for package, cause in _DECLARED.items():
        spec, version = release.spec(package), installed.get(package)
        if not spec or not version:
            continue
        try:
            if Version(version) not in SpecifierSet(spec):
                causes.add(cause)
        except (InvalidSpecifier, InvalidVersion):
            causes.add(cause)
    return causes


def label(cell: dict[str, object], step: str, error: str) -> str | None:
    """The known cause of a failed cell, None when the cell does not settle one."""
    if any(text in error for text in _NOT_PASTED):
        return None
    installed = cell["installed"]
    assert isinstance(installed, dict)
    if "keras-nightly" in installed and "keras" in installed:
        return None
    axes = cell["axes"]
    settings = cell["settings"]
    assert isinstance(axes, dict) and isinstance(settings, dict)
    if step == _MIXING_STEP:
        return "mixed-keras-objects"  # it got that far: the one fault is the mixing itself
    if "No module named 'tf_keras'" in error:
        return "tf-keras-mismatch"  # causes.md: tf-keras missing where the setup needs it
    causes = {_AXIS_CAUSE[a] for a in axes if a in _AXIS_CAUSE}
    causes |= {_SETTING_CAUSE[s] for s in settings if s in _SETTING_CAUSE}
    found = _out_of_range(cell)
    if "unknown" in found:
        return None
    causes |= found
    return next(iter(causes)) if len(causes) == 1 else None


def entries() -> list[tuple[dict[str, object], str]]:
    cells = json.loads(VERIFIED.read_text(encoding="utf-8"))["cells"]
    out: list[tuple[dict[str, object], str]] = []
    seen: set[tuple[str, str]] = set()
    for key in sorted(cells):
        cell = cells[key]
        if cell["outcome"] != "fail" or cell["failed_at"] in (None, "install"):
            continue
        step = next(s for s in cell["steps"] if s["status"] != "ok")
        error = str(step.get("error") or "")
        cause = label(cell, str(step["step"]), error)
        signature = str(cell.get("error_signature") or "")
        if cause is None or not error or (cause, signature) in seen:
            continue
        seen.add((cause, signature))
        versions = {"tensorflow": str(cell["tensorflow"]), "python": str(cell["python"])}
        entry = {
            "id": PREFIX + key,
            "label": cause,
            "url": f"tfdoctor-matrix:{key}",
            "source": "matrix",
            "resolution": f"Matrix cell {cell['label']} built and run by `tfdoctor matrix run` "
            f"failed at '{step['step']}'; its axis ({json.dumps(cell['axes'])}, settings "
            f"{json.dumps(cell['settings'])}) is the only thing out of range by the knowledge base.",
            "versions": versions,
            "shape": "traceback" if "Traceback" in error else "one-liner",
        }
        out.append((entry, error))
    return out


def main() -> int:
    found = entries()
    for entry, error in found:
        text = error if error.endswith("\n") else error + "\n"
        (HERE / "texts" / f"{entry['id']}.txt").write_text(text, encoding="utf-8")
    lines = [json.dumps(entry, ensure_ascii=False) for entry, _ in found]
    SHARD.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(found)} matrix texts in {SHARD.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
