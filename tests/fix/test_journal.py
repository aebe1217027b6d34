"""The snapshot behind fix's rollback: a hardlink copy restored by renames, exactly, and again
after a restore that was itself interrupted."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from fixenv import differences, tree_hash

from tfdoctor.fix.journal import FOLDER, Journal, link_tree, restore


def _prefix(root: Path) -> Path:
    prefix = root / "env"
    (prefix / "lib" / "site-packages" / "pkg").mkdir(parents=True)
    (prefix / "bin").mkdir()
    (prefix / "lib" / "site-packages" / "pkg" / "__init__.py").write_text("VERSION = 1\n")
    (prefix / "lib" / "site-packages" / "~kg").mkdir()
    (prefix / "bin" / "python3.11").write_text("#!interpreter\n")
    os.symlink("python3.11", prefix / "bin" / "python")
    (prefix / "pyvenv.cfg").write_text("home = /usr/bin\n")
    return prefix


def _journal(prefix: Path, state: str = "applying") -> Journal:
    folder = prefix / FOLDER
    folder.mkdir()
    snap = folder / "snapshot-1"
    top = sorted(e.name for e in prefix.iterdir() if e.name != FOLDER)
    copied = link_tree(prefix, snap)
    assert copied == 0  # hardlinks, no copies
    journal = Journal(
        folder / "journal-1.json",
        {"stamp": "1", "state": state, "prefix": str(prefix), "snapshot": str(snap),
         "top_level": top, "snapshot_complete": True, "renames": []},
    )  # fmt: skip
    journal.save()
    return journal


def _break(prefix: Path) -> None:
    """What installers do: replace files (unlink + create), remove and add folders."""
    init = prefix / "lib" / "site-packages" / "pkg" / "__init__.py"
    init.unlink()
    init.write_text("VERSION = 2\n")
    os.rename(prefix / "lib" / "site-packages" / "~kg", prefix / FOLDER / "moved")
    (prefix / "lib" / "site-packages" / "new.py").write_text("x = 1\n")
    (prefix / "share").mkdir()


def test_restore_gives_back_the_exact_tree(tmp_path: Path) -> None:
    prefix = _prefix(tmp_path)
    before = tree_hash(prefix)
    journal = _journal(prefix)
    _break(prefix)
    assert differences(before, tree_hash(prefix))
    restore(journal)
    assert differences(before, tree_hash(prefix)) == []
    assert Journal.load(journal.path).state == "rolled-back"
    assert not journal.snapshot_dir.exists()


def test_an_interrupted_restore_can_be_run_again(tmp_path: Path) -> None:
    prefix = _prefix(tmp_path)
    before = tree_hash(prefix)
    journal = _journal(prefix)
    _break(prefix)
    # The first restore got as far as putting `bin` back, then died.
    os.rename(prefix / "bin", tmp_path / "bin-aside")
    os.rename(journal.snapshot_dir / "bin", prefix / "bin")
    restore(journal)
    assert differences(before, tree_hash(prefix)) == []


def test_killed_while_snapshotting_changes_nothing(tmp_path: Path) -> None:
    prefix = _prefix(tmp_path)
    before = tree_hash(prefix)
    journal = _journal(prefix, state="planned")
    restore(journal)
    assert differences(before, tree_hash(prefix)) == []
    assert Journal.load(journal.path).state == "rolled-back"
