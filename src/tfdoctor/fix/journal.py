"""The transaction record of ``tfdoctor fix``: written inside the environment before any change.

``ENV/.tfdoctor/journal-<stamp>.json`` holds every distribution (name, version, installer, direct
URL, metadata folder), the plan, the steps and renames done, and a ``state``
(planned -> applying -> verified | failed | rolled-back). Beside it, ``snapshot-<stamp>/`` is a
hardlink copy of the environment's folder. Installers replace files (unlink + create, never write
in place), so the links keep the old contents.

A fix that ends verified records what it changed (``changes``: the entries it added, replaced and
removed, each added or replaced one with its identity after the fix). A rollback puts back only
those entries, and refuses while any of them has changed since; everything else in the
environment (a notes.txt, a package installed later, an edited file tfdoctor did not touch) stays.
An interrupted fix (tfdoctor killed, a failed step) has no such record: everything that differs
from the snapshot is put back. Restoring links the snapshot's files back into place, so it never
consumes the snapshot: a restore that was itself interrupted can simply be run again.
"""

from __future__ import annotations

import filecmp
import json
import os
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tfdoctor.errors import UsageError
from tfdoctor.fix import shell
from tfdoctor.snapshot import Snapshot

FOLDER = ".tfdoctor"
UNFINISHED = ("planned", "applying")
STATES = ("planned", "applying", "verified", "failed", "rolled-back")
Identity = list[Any]  # ["file", inode, size, mtime_ns] | ["link", target] | ["dir"]


class JournalError(UsageError):
    """A journal that cannot be read: the message says how to set it aside."""


class Conflict(Exception):
    """Entries the fix changed have changed again since: a rollback would overwrite them."""

    def __init__(self, paths: list[str]) -> None:
        super().__init__(", ".join(paths))
        self.paths = paths


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

    @property
    def backup_dir(self) -> Path:
        """Where the fix's move steps put folders aside (fix.planner.backup_dir)."""
        return journal_dir(str(self.prefix)) / "backup" / str(self.data["stamp"])

    @property
    def token(self) -> str:
        """Marks the installers this fix starts (see fix/children.py)."""
        return str(self.data.get("token", ""))

    def save(self) -> None:
        """Write atomically: a full disk leaves the previous journal as it was."""
        tmp = self.path.with_suffix(".tmp")
        try:
            with open(tmp, "w", encoding="utf-8") as handle:
                json.dump(self.data, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

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
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise JournalError(_unreadable(path, "not UTF-8 text")) from None
        except ValueError as exc:
            raise JournalError(_unreadable(path, f"not valid JSON: {exc}")) from None
        except OSError as exc:
            raise JournalError(_unreadable(path, exc.strerror or str(exc))) from None
        problem = _shape_problem(data)
        if problem:
            raise JournalError(_unreadable(path, problem))
        return cls(path, data)


def _unreadable(path: Path, why: str) -> str:
    prefix = path.parent.parent
    aside = shell.word(str(path) + ".broken")
    return (
        f"the tfdoctor journal {path} cannot be read ({why}); it records an earlier fix of "
        f"{prefix}: check that environment with `tfdoctor check --python {shell.word(str(prefix))}`"
        f", then set the journal aside with `mv {shell.word(str(path))} {aside}`"
    )


def _shape_problem(data: object) -> str:
    if not isinstance(data, dict):
        return "not a JSON object"
    for key in ("stamp", "state", "prefix", "snapshot"):
        if not isinstance(data.get(key), str):
            return f"no {key!r}"
    if data["state"] not in STATES:
        return f"unknown state {data['state']!r}"
    renames = data.get("renames", [])
    if not isinstance(renames, list) or not all(
        isinstance(r, list) and len(r) == 2 and all(isinstance(p, str) for p in r) for r in renames
    ):
        return "'renames' is not a list of pairs of paths"
    changes = data.get("changes")
    if changes is not None and Changes.from_json(changes) is None:
        return "'changes' is not a record of changes"
    return ""


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def start(prefix: str, stamp: str, snapshot: Snapshot, plan: dict[str, Any]) -> Journal:
    """Write the journal (state 'planned'), then link-copy the environment beside it."""
    folder = journal_dir(prefix)
    folder.mkdir(parents=True, exist_ok=True)
    snap_dir = folder / f"snapshot-{stamp}"
    journal = Journal(
        folder / f"journal-{stamp}.json",
        {
            "format": 2,
            "stamp": stamp,
            "token": secrets.token_hex(8),
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
    journal.save()
    journal.data["copied_files"] = link_tree(Path(prefix), snap_dir)
    journal.data["snapshot_complete"] = True
    journal.save()
    return journal


def forget_old(prefix: str, keep: str) -> list[Path]:
    """Only the last fix can be rolled back: older snapshots are dropped (their journals stay).
    Runs under the environment's lock, after the last journal was found finished."""
    removed = []
    for old in sorted(journal_dir(prefix).glob("snapshot-*")):
        if old.name != f"snapshot-{keep}":
            shutil.rmtree(old, ignore_errors=True)
            removed.append(old)
    return removed


def latest(prefix: str) -> Journal | None:
    """The newest journal; JournalError when it cannot be read."""
    folder = journal_dir(prefix)
    journals = sorted(folder.glob("journal-*.json")) if folder.is_dir() else []
    return Journal.load(journals[-1]) if journals else None


def link_tree(src: Path, dst: Path) -> int:
    """Hardlink copy of ``src`` into ``dst`` (without the .tfdoctor folder); files that cannot be
    linked are copied. Returns how many were copied."""
    if _cp_link(src, dst):
        return 0
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


def _cp_link(src: Path, dst: Path) -> bool:
    """GNU ``cp -al`` (about 3x faster than the walk below on a TensorFlow env: 22 000 entries),
    when the tree holds nothing but folders, regular files and symlinks; else nothing is left
    behind and the walk does it."""
    cp = shutil.which("cp")
    if sys.platform != "linux" or cp is None or not _plain_tree(src):
        return False
    entries = sorted(str(src / n) for n in os.listdir(src) if n != FOLDER)
    dst.mkdir(parents=True)
    shutil.copystat(src, dst)
    proc = subprocess.run(
        [cp, "-a", "-l", "--", *entries, str(dst)], capture_output=True, check=False
    )
    if proc.returncode == 0:
        shutil.copystat(src, dst)
        return True
    shutil.rmtree(dst, ignore_errors=True)
    return False


def _plain_tree(src: Path) -> bool:
    """Only folders, regular files and symlinks (d_type from the listing: no stat per file)."""
    stack = [str(src)]
    while stack:
        with os.scandir(stack.pop()) as listing:
            for entry in listing:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != FOLDER or entry.path != os.path.join(src, FOLDER):
                        stack.append(entry.path)
                elif not (entry.is_file(follow_symlinks=False) or entry.is_symlink()):
                    return False
    return True


# -- what a fix changed ----------------------------------------------------------------------------
@dataclass
class Changes:
    """Paths relative to the environment's folder."""

    added: dict[str, Identity] = field(default_factory=dict)
    replaced: dict[str, Identity] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)  # the top-most entry of what went away

    def __len__(self) -> int:
        return len(self.added) + len(self.replaced) + len(self.removed)

    def to_json(self) -> dict[str, Any]:
        return {"added": self.added, "replaced": self.replaced, "removed": self.removed}

    @classmethod
    def from_json(cls, data: object) -> Changes | None:
        if not isinstance(data, dict):
            return None
        added, replaced, removed = data.get("added"), data.get("replaced"), data.get("removed")
        if not (isinstance(added, dict) and isinstance(replaced, dict)):
            return None
        if not (isinstance(removed, list) and all(isinstance(r, str) for r in removed)):
            return None
        if not all(isinstance(v, list) for v in [*added.values(), *replaced.values()]):
            return None
        return cls(added, replaced, removed)


def identity(path: str | Path) -> Identity | None:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    if stat.S_ISDIR(st.st_mode):
        return ["dir"]
    if stat.S_ISLNK(st.st_mode):
        return ["link", os.readlink(path)]
    return ["file", st.st_ino, st.st_size, st.st_mtime_ns]


def _kind(entry: os.DirEntry[str]) -> str:
    if entry.is_symlink():
        return "link"
    if entry.is_dir(follow_symlinks=False):
        return "dir"
    return "file" if entry.is_file(follow_symlinks=False) else "other"


def _same(now: os.DirEntry[str], was: os.DirEntry[str], kind: str) -> bool:
    if kind == "link":
        return os.readlink(now.path) == os.readlink(was.path)
    if now.inode() == was.inode():
        return True
    a, b = now.stat(follow_symlinks=False), was.stat(follow_symlinks=False)
    # A file the snapshot had to copy (it could not be linked): same bytes, same file.
    return (a.st_size, a.st_mtime_ns) == (b.st_size, b.st_mtime_ns) and filecmp.cmp(
        now.path, was.path, shallow=False
    )


def diff(prefix: Path, snap: Path) -> Changes:
    """What differs between the environment and its snapshot (files compared by inode: the
    snapshot's links keep the inodes of the files that were there)."""
    out = Changes()
    pending = [""]
    while pending:
        rel = pending.pop()
        now = {e.name: e for e in os.scandir(prefix / rel)}
        was = {e.name: e for e in os.scandir(snap / rel)}
        if not rel:
            now.pop(FOLDER, None)
            was.pop(FOLDER, None)
        for name, entry in now.items():
            path = os.path.join(rel, name)
            kind = _kind(entry)
            old = was.get(name)
            old_kind = _kind(old) if old is not None else ""
            if kind == "other" or old_kind == "other":
                continue  # sockets, FIFOs: never snapshotted, never restored
            if old is None or old_kind != kind:
                if old is not None:
                    out.removed.append(path)
                _add(out, prefix, path, kind)
            elif kind == "dir":
                pending.append(path)
            elif not _same(entry, old, kind):
                out.replaced[path] = identity(entry.path) or []
        for name in was.keys() - now.keys():
            if _kind(was[name]) != "other":
                out.removed.append(os.path.join(rel, name))
    return out


def _add(out: Changes, prefix: Path, rel: str, kind: str) -> None:
    out.added[rel] = identity(prefix / rel) or []
    if kind != "dir":
        return
    for root, dirs, files in os.walk(prefix / rel):
        base = os.path.relpath(root, prefix)
        for name in dirs + files:
            out.added[os.path.join(base, name)] = identity(os.path.join(root, name)) or []


# -- putting it back -------------------------------------------------------------------------------
@dataclass
class Restored:
    """What a restore left as it found it, and where it put what it had to move."""

    kept: list[str] = field(default_factory=list)  # folders the fix made that now hold other files
    set_aside: str = ""  # where --force put entries that had changed since the fix
    changed: int = 0  # entries put back (or removed)
    precise: bool = False  # only what the fix recorded (else: all that differed from the snapshot)


def restore(journal: Journal, force: bool = False, precise: bool | None = None) -> Restored:
    """Put back what the fix changed. ``precise`` (default: the fix ended verified and recorded
    its changes) restores only the recorded entries and raises Conflict when one has changed
    since, unless ``force``, which moves those to ``.tfdoctor/kept-<stamp>/`` first. Otherwise
    everything that differs from the snapshot is put back. Signals are held off meanwhile."""
    prefix, snap = journal.prefix, journal.snapshot_dir
    if journal.state == "planned":
        # Killed while the snapshot was being made: nothing had been changed yet.
        shutil.rmtree(snap, ignore_errors=True)
        journal.set_state("rolled-back")
        return Restored()
    if not snap.is_dir() or not journal.data.get("snapshot_complete"):
        raise RuntimeError(f"the snapshot {snap} is missing or incomplete: cannot restore")
    recorded = Changes.from_json(journal.data.get("changes"))
    if precise is None:
        precise = journal.state == "verified" and recorded is not None
    changes = recorded if precise and recorded is not None else diff(prefix, snap)
    conflicts = _conflicts(changes, prefix, snap) if precise else []
    if conflicts and not force:
        raise Conflict(conflicts)
    quiet = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    held = {s: signal.signal(s, signal.SIG_IGN) for s in quiet}
    try:
        aside = journal_dir(str(prefix)) / f"kept-{journal.data['stamp']}"
        result = _undo(changes, prefix, snap, set(conflicts), aside)
        result.changed, result.precise = len(changes), precise
        for src, dst in reversed(journal.data.get("renames", [])):
            if os.path.lexists(dst) and not os.path.lexists(src):
                os.rename(dst, src)
        if result.kept:
            journal.data["kept"] = result.kept
        journal.set_state("rolled-back")
    finally:
        for sig, handler in held.items():
            signal.signal(sig, handler)
    # Only now that the journal says so: a restore cut short above can be run again.
    shutil.rmtree(snap, ignore_errors=True)
    shutil.rmtree(journal.backup_dir, ignore_errors=True)  # the moved folders are back in place
    return result


def _conflicts(changes: Changes, prefix: Path, snap: Path) -> list[str]:
    """Entries that are neither as the fix left them nor already put back."""
    out = []
    for rel, after in changes.added.items():
        now = identity(prefix / rel)
        if after != ["dir"] and now is not None and now != after:
            out.append(rel)
    for rel, after in changes.replaced.items():
        now = identity(prefix / rel)
        if now != after and not _restored(prefix / rel, snap / rel):
            out.append(rel)
    for rel in changes.removed:
        if rel in changes.added or not os.path.lexists(prefix / rel):
            continue
        merge = identity(prefix / rel) == identity(snap / rel) == ["dir"]  # cut short before
        if not (merge or _restored(prefix / rel, snap / rel)):
            out.append(rel)
    return sorted(out)


def _restored(here: Path, saved: Path) -> bool:
    a, b = identity(here), identity(saved)
    if a is None or b is None:
        return False
    return a == b if a[0] != "file" else a[:2] == b[:2]


def _undo(changes: Changes, prefix: Path, snap: Path, conflicts: set[str], aside: Path) -> Restored:
    result = Restored()

    def set_aside(rel: str) -> None:
        if os.path.lexists(prefix / rel):
            (aside / rel).parent.mkdir(parents=True, exist_ok=True)
            os.rename(prefix / rel, aside / rel)
            result.set_aside = str(aside)

    deepest_first = sorted(changes.added, key=lambda r: r.count(os.sep), reverse=True)
    for rel in deepest_first:
        if changes.added[rel] == ["dir"]:
            continue
        if rel in conflicts:
            set_aside(rel)
        elif os.path.lexists(prefix / rel):
            os.unlink(prefix / rel)
    for rel in deepest_first:
        if changes.added[rel] == ["dir"] and identity(prefix / rel) == ["dir"]:
            _drop_byte_code(prefix / rel, changes.added, rel)
            try:
                os.rmdir(prefix / rel)
            except OSError:
                result.kept.append(rel)
    for rel in sorted(changes.replaced):
        if rel in conflicts:
            set_aside(rel)
        if os.path.lexists(snap / rel) and not _restored(prefix / rel, snap / rel):
            _put(snap / rel, prefix / rel)
    for rel in sorted(changes.removed):
        if rel in conflicts:
            set_aside(rel)
        if os.path.lexists(snap / rel):
            _put_tree(snap / rel, prefix / rel)
    result.kept = sorted(k for k in result.kept if os.path.isdir(prefix / k))
    return result


def _drop_byte_code(folder: Path, added: dict[str, Identity], rel: str) -> None:
    """Python compiled files into the folders the fix made after the fix: that byte-code goes
    with them (left behind it would keep a package folder alive as a namespace package)."""
    caches = [folder] if folder.name == "__pycache__" else []
    if os.path.join(rel, "__pycache__") not in added:
        caches.append(folder / "__pycache__")
    for cache in caches:
        if identity(cache) != ["dir"]:
            continue
        entries = list(cache.iterdir())
        if not all(e.suffix == ".pyc" and identity(e) not in (None, ["dir"]) for e in entries):
            continue  # something else lives there: keep it all
        for entry in entries:
            entry.unlink()
        if cache != folder:
            cache.rmdir()


def _put(saved: Path, here: Path) -> None:
    """Link (or copy) the snapshot's entry into place, replacing what is there in one rename."""
    here.parent.mkdir(parents=True, exist_ok=True)
    tmp = here.parent / f".tfdoctor-restore-{os.getpid()}-{here.name}"
    if os.path.lexists(tmp):
        os.unlink(tmp)
    if saved.is_symlink():
        os.symlink(os.readlink(saved), tmp)
    else:
        try:
            os.link(saved, tmp)
        except OSError:
            shutil.copy2(saved, tmp)
    os.replace(tmp, here)


def _put_tree(saved: Path, here: Path) -> None:
    """The snapshot's entry, a whole folder linked file by file; what is there already stays."""
    if saved.is_symlink() or not saved.is_dir():
        if not os.path.lexists(here):
            _put(saved, here)
        return
    for root, dirs, files in os.walk(saved):
        rel = os.path.relpath(root, saved)
        target = here if rel == "." else here / rel
        if not os.path.lexists(target):
            target.mkdir(parents=True)
            shutil.copystat(root, target)
        for name in dirs + files:
            source = Path(root) / name
            if source.is_symlink() or name in files:
                if not os.path.lexists(target / name):
                    _put(source, target / name)
                if name in dirs:
                    dirs.remove(name)  # a link to a folder: linked, not walked
