"""Regenerate ``data/declared.json`` from the registry's package metadata.

Maintainers run ``python -m tfdoctor.kb refresh``; it is the only step of tfdoctor that needs the
network. It never touches ``curated.json``. The format is documented in ``kb/README.md``.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Optional

from packaging.version import InvalidVersion, Version

from tfdoctor.kb import pypi
from tfdoctor.kb.wheeltags import WheelTags, parse_wheel_filename
from tfdoctor.pep508 import canonical

FORMAT_VERSION = 1
WORKERS = 8


@dataclass(frozen=True)
class Selection:
    """Which releases of one distribution go into declared.json, and how deep."""

    name: str
    group: str
    since: Optional[str] = None
    """Lowest version listed (None: all)."""
    metadata_since: Optional[str] = None
    """Lowest version whose Requires-Dist is read (None: all listed)."""
    newest: Optional[int] = None
    """Keep only the newest N listed releases (None: all)."""
    prereleases: bool = False
    note: str = ""


VARIANT_NOTE = (
    "Builds of TensorFlow under another distribution name; all provide the `tensorflow` import "
    "package. Requires-Dist is read from 2.12 on."
)
SELECTIONS: tuple[Selection, ...] = (
    Selection("tensorflow", "tensorflow", since="2.0.0"),
    *(
        Selection(name, "variant", since="2.0.0", metadata_since="2.12.0", note=VARIANT_NOTE)
        for name in (
            "tensorflow-cpu",
            "tensorflow-gpu",
            "tensorflow-intel",
            "tensorflow-macos",
            "tensorflow-aarch64",
            "intel-tensorflow",
            "tensorflow-cpu-aws",
        )
    ),
    Selection(
        "tf-nightly",
        "nightly",
        newest=5,
        prereleases=True,
        note=(
            "Daily builds (X.Y.0.devYYYYMMDD) of the next TensorFlow minor; only the newest few "
            "are kept. tfdoctor maps a dev version to its minor and, when that minor has no "
            "release yet, extrapolates from the newest known minor."
        ),
    ),
    Selection("keras", "keras"),
    Selection("tf-keras", "tf-keras"),
    Selection("keras-nightly", "nightly", newest=3, prereleases=True),
    Selection("tf-keras-nightly", "nightly", newest=3, prereleases=True),
    *(
        Selection(name, "dependent", newest=10)
        for name in (
            "tensorflow-probability",
            "tensorflow-text",
            "tensorflow-hub",
            "tensorflow-addons",
            "tensorflow-io",
            "keras-hub",
            "keras-cv",
            "keras-nlp",
            "keras-tuner",
            "autokeras",
            "tensorflow-datasets",
            "tensorflow-model-optimization",
            "tensorflow-decision-forests",
            "tensorflow-recommenders",
            "tensorflowjs",
            "tf-models-official",
            "tflite-runtime",
            "tensorflow-io-gcs-filesystem",
        )
    ),
)

# Requires-Dist lines under an extra are dropped unless they name one of these, or the extra is
# one that selects the CUDA wheels (their pins are the declared CUDA/cuDNN of the build).
_KEPT_EXTRA_NAMES = re.compile(r"^(tensorflow[-_a-z]*|tf[-_]keras|keras|tf[-_]nightly)$")
_KEPT_EXTRAS = frozenset({"and-cuda", "and_cuda"})
_EXTRA = re.compile(r"""extra\s*==\s*["']([^"']+)["']""")
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def keep_requirement(line: str) -> bool:
    """Whether a Requires-Dist line belongs in declared.json (see _KEPT_EXTRA_NAMES)."""
    extra = _EXTRA.search(line)
    if extra is None:
        return True
    name = _NAME.match(line)
    project = canonical(name.group(1)) if name else ""
    return bool(_KEPT_EXTRA_NAMES.match(project)) or extra.group(1) in _KEPT_EXTRAS


def _version(text: str) -> Optional[Version]:
    try:
        return Version(text)
    except InvalidVersion:
        return None


@dataclass(frozen=True)
class _Listed:
    version: str
    files: tuple[dict[str, Any], ...]
    fetch_metadata: bool


def _listed_releases(selection: Selection, releases: Mapping[str, Any]) -> list[_Listed]:
    parsed = [(v, text) for text in releases if (v := _version(text)) is not None]
    since = Version(selection.since) if selection.since else None
    meta_since = Version(selection.metadata_since) if selection.metadata_since else None
    chosen = sorted(
        (v, text)
        for v, text in parsed
        if (since is None or v >= since)
        and (selection.prereleases or not v.is_prerelease)
        and releases[text]
    )
    if selection.newest is not None:
        chosen = chosen[-selection.newest :]
    return [
        _Listed(text, tuple(releases[text]), meta_since is None or v >= meta_since)
        for v, text in chosen
    ]


def _metadata_wheel(files: Iterable[dict[str, Any]]) -> Optional[dict[str, Any]]:
    """The wheel whose METADATA stands for the release: Linux x86_64, newest CPython first."""
    best: Optional[tuple[tuple[int, int], dict[str, Any]]] = None
    for entry in files:
        tags = parse_wheel_filename(str(entry.get("filename", "")))
        if tags is None:
            continue
        rank = (
            1 if "linux-x86_64" in tags.platforms or tags.pure else 0,
            max((int(p.split(".")[1]) for p in tags.pythons), default=0),
        )
        if best is None or rank > best[0]:
            best = (rank, entry)
    return best[1] if best else None


def _release_entry(index: str, project_json_url: str, name: str, listed: _Listed) -> dict[str, Any]:
    tags = WheelTags.merge(
        t
        for f in listed.files
        if (t := parse_wheel_filename(str(f.get("filename", "")))) is not None
    )
    requires_python = next(
        (f["requires_python"] for f in listed.files if f.get("requires_python")), None
    )
    entry: dict[str, Any] = {
        "uploaded": min(str(f.get("upload_time", "")) for f in listed.files)[:10],
        "yanked": all(bool(f.get("yanked")) for f in listed.files),
        "requires_python": requires_python,
        "pythons": list(tags.pythons),
        "platforms": list(tags.platforms),
        "pure": tags.pure,
        "linux_glibc": dict(tags.glibc),
        "requires_dist": None,
        "source": project_json_url,
    }
    if listed.fetch_metadata:
        wheel = _metadata_wheel(listed.files)
        wheel_url = pypi.file_url(project_json_url, wheel) if wheel else None
        pep658 = wheel is not None and bool(
            wheel.get("core-metadata") or wheel.get("data-dist-info-metadata")
        )
        meta = pypi.release_metadata(index, name, listed.version, wheel_url, pep658)
        if meta is not None:
            entry["requires_dist"] = [line for line in meta.requires_dist if keep_requirement(line)]
            entry["requires_python"] = meta.requires_python or requires_python
            entry["source"] = pypi.release_url(index, name, listed.version)
            if meta.source != entry["source"]:
                entry["read_from"] = meta.source
    return entry


def _newest(versions: Iterable[str], prereleases: bool) -> str:
    parsed = [Version(t) for t in versions]
    finals = [v for v in parsed if prereleases or not v.is_prerelease]
    return str(max(finals or parsed)) if parsed else ""


def refresh_package(
    selection: Selection, index: str = pypi.DEFAULT_INDEX, workers: int = WORKERS
) -> dict[str, Any]:
    """The declared.json entry of one distribution, read from the registry."""
    url = pypi.project_url(index, selection.name)
    project = pypi.get_json(url)
    if project is None:
        raise pypi.RegistryError(f"{url}: no such project on the registry")
    releases: Mapping[str, Any] = project.get("releases") or {}
    listed = _listed_releases(selection, releases)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        entries = list(
            pool.map(lambda item: _release_entry(index, url, selection.name, item), listed)
        )
    all_versions = [text for text in releases if releases[text] and _version(text) is not None]
    prereleases = sorted(
        (
            t
            for t in all_versions
            if (v := _version(t)) is not None
            and v.is_prerelease
            and not selection.prereleases
            and (selection.since is None or v >= Version(selection.since))
        ),
        key=Version,
    )
    package: dict[str, Any] = {
        "group": selection.group,
        "source": url,
        "newest": _newest(all_versions, selection.prereleases),
        "releases": {item.version: entry for item, entry in zip(listed, entries)},
    }
    if prereleases:
        package["prereleases"] = prereleases
    if selection.note:
        package["note"] = selection.note
    return package


def refresh(
    index: str = pypi.DEFAULT_INDEX,
    selections: Iterable[Selection] = SELECTIONS,
    progress: Optional[Callable[[str], None]] = None,
) -> dict[str, Any]:
    """The whole declared.json document."""
    packages: dict[str, Any] = {}
    for selection in selections:
        if progress:
            progress(selection.name)
        packages[selection.name] = refresh_package(selection, index)
    return {
        "format": FORMAT_VERSION,
        "generated": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "index": index,
        "generator": "python -m tfdoctor.kb refresh",
        "packages": packages,
    }


def write(document: Mapping[str, Any], directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "declared.json"
    text = json.dumps(document, indent=1, sort_keys=False, ensure_ascii=False)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(text + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def main(output: Path, index: str, only: Optional[Iterable[str]] = None) -> int:
    names = set(only or ())
    unknown = names - {s.name for s in SELECTIONS}
    if unknown:
        print(f"tfdoctor.kb: unknown package(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    chosen = [s for s in SELECTIONS if not names or s.name in names]
    try:
        document = refresh(index, chosen, lambda name: print(f"reading {name}", file=sys.stderr))
    except pypi.RegistryError as exc:
        print(f"tfdoctor.kb: refresh needs the registry: {exc}", file=sys.stderr)
        return 2
    existing = output / "declared.json"
    if names and existing.is_file():
        merged = json.loads(existing.read_text(encoding="utf-8"))
        merged["packages"].update(document["packages"])
        merged["generated"] = document["generated"]
        document = merged
    path = write(document, output)
    print(f"wrote {path}")
    return 0
