"""The transaction record of ``tfdoctor fix``: written inside the environment before any change.

``ENV/.tfdoctor/journal-<stamp>.json`` holds every distribution (name, version, installer, direct
URL, metadata folder), the plan, the moves and renames done, and a ``state``
(planned -> applying -> verified | failed | rolled-back). Beside it, ``snapshot-<stamp>/`` is a
hardlink copy of the environment's folder: restoring swaps it back by renames, byte for byte, with
no network. Installers replace files (unlink + create, never write in place), so the links keep
the old contents.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tfdoctor.snapshot import Snapshot

FOLDER = ".tfdoctor"
UNFINISHED = ("planned", "applying")


def journal_dir(prefix: str) -> Path:
    return Path(prefix) / FOLDER


@dataclass
class Journal:
    path: Path
    data: dict[str, Any]

    @property
    def state(self) -> str:
        return str(self.data.get("state", ""))

    @property
    def prefix(self) -> Path:
        return Path(self.data["prefix"])

    @property
    def snapshot_dir(self) -> Path:
        return Path(self.data["snapshot"])

    def save(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=1), encoding="utf-8")
        os.replace(tmp, self.path)

    def set_state(self, state: str, error: str = "") -> None:
        self.data["state"] = state
        self.data["updated"] = _now()
        if error:
            self.data["error"] = error
        self.save()

    def record(self, key: str, item: object) -> None:
        self.data.setdefault(key, []).append(item)
        self.save()

    @classmethod
    def load(cls, path: Path) -> Journal:
        return cls(path, json.loads(path.read_text(encoding="utf-8")))


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def start(prefix: str, stamp: str, snapshot: Snapshot, plan: dict[str, Any]) -> Journal:
    """Write the journal (state 'planned'), then link-copy the environment beside it."""
    folder = journal_dir(prefix)
    folder.mkdir(parents=True, exist_ok=True)
    _forget_old(folder)
    snap_dir = folder / f"snapshot-{stamp}"
    journal = Journal(
        folder / f"journal-{stamp}.json",
        {
            "format": 1,
            "stamp": stamp,
            "state": "planned",
            "created": _now(),
            "prefix": prefix,
            "python": snapshot.python.executable,
            "snapshot": str(snap_dir),
            "distributions": [
                {
                    "name": d.name,
                    "version": d.version,
                    "installer": d.installer,
                    "direct_url": d.direct_url,
                    "metadata_dir": d.metadata_dir,
                    "location": d.location,
                }
                for d in snapshot.distributions
            ],
            "plan": plan,
            "done": [],
            "renames": [],
        },
    )
    journal.data["top_level"] = sorted(e.name for e in Path(prefix).iterdir() if e.name != FOLDER)
    journal.save()
    journal.data["copied_files"] = link_tree(Path(prefix), snap_dir)
    journal.data["snapshot_complete"] = True
    journal.save()
    return journal


def _forget_old(folder: Path) -> None:
    """Only the last fix can be rolled back: older snapshots are dropped (their journals stay)."""
    for old in folder.glob("snapshot-*"):
        shutil.rmtree(old, ignore_errors=True)


def latest(prefix: str) -> Journal | None:
    folder = journal_dir(prefix)
    journals = sorted(folder.glob("journal-*.json")) if folder.is_dir() else []
    return Journal.load(journals[-1]) if journals else None


def link_tree(src: Path, dst: Path) -> int:
    """Hardlink copy of ``src`` into ``dst`` (without the .tfdoctor folder); files that cannot be
    linked are copied. Returns how many were copied."""
    count = 0
    dst.mkdir(parents=True)
    for root, dirs, files in os.walk(src):
        rel = Path(root).relative_to(src)
        if rel == Path("."):
            dirs[:] = [d for d in dirs if d != FOLDER]
        target = dst / rel
        for name in list(dirs):
            s = Path(root) / name
            if s.is_symlink():
                os.symlink(os.readlink(s), target / name)
                dirs.remove(name)
            else:
                (target / name).mkdir()
                shutil.copystat(s, target / name)
        for name in files:
            s = Path(root) / name
            if s.is_symlink():
                os.symlink(os.readlink(s), target / name)
            elif stat.S_ISREG(s.lstat().st_mode):
                try:
                    os.link(s, target / name)
                except OSError:  # no hardlinks here (another file system, a read-only file...)
                    shutil.copy2(s, target / name)
                    count += 1
    return count


def restore(journal: Journal) -> None:
    """Put the environment back to the snapshot: each recorded top-level entry is renamed back into
    place (what is there now is moved aside first), entries that were not there are moved aside,
    renames outside the environment are reversed. Idempotent: a restore that was itself killed
    can simply be run again. Signals are held off while the renames run (they take a moment)."""
    prefix, snap = journal.prefix, journal.snapshot_dir
    if journal.state == "planned":
        # Killed while the snapshot was being made: nothing had been changed yet.
        shutil.rmtree(snap, ignore_errors=True)
        journal.set_state("rolled-back")
        return
    if not snap.is_dir() or not journal.data.get("snapshot_complete"):
        raise RuntimeError(f"the snapshot {snap} is missing or incomplete: cannot restore")
    held = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        _swap_back(journal, prefix, snap)
    finally:
        for sig, handler in held.items():
            signal.signal(sig, handler)
    journal.set_state("rolled-back")


def _swap_back(journal: Journal, prefix: Path, snap: Path) -> None:
    aside = Path(tempfile.mkdtemp(prefix="failed-", dir=journal_dir(str(prefix))))
    recorded = [str(n) for n in journal.data.get("top_level", [])]
    for name in recorded:
        saved = snap / name
        if not os.path.lexists(saved):
            continue  # renamed back by an earlier, interrupted restore
        if os.path.lexists(prefix / name):
            os.rename(prefix / name, aside / name)
        os.rename(saved, prefix / name)
    for entry in list(prefix.iterdir()):
        if entry.name != FOLDER and entry.name not in recorded:
            os.rename(entry, aside / entry.name)
    for src, dst in reversed(journal.data.get("renames", [])):
        if os.path.lexists(dst) and not os.path.lexists(src):
            os.rename(dst, src)
    shutil.rmtree(aside, ignore_errors=True)
    shutil.rmtree(snap, ignore_errors=True)
    backup = journal_dir(str(prefix)) / "backup" / str(journal.data["stamp"])
    shutil.rmtree(backup, ignore_errors=True)  # the moved folders are back in place
