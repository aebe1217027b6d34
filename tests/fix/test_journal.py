"""The snapshot behind fix's rollback: a hardlink copy restored by renames, exactly, and again
after a restore that was itself interrupted."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fixenv import differences, tree_hash

from tfdoctor.fix.journal import (
    FOLDER,
    Conflict,
    Journal,
    JournalError,
    diff,
    latest,
    link_tree,
    restore,
)


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
    # The first restore got as far as linking the old __init__.py back and removing new.py.
    site = prefix / "lib" / "site-packages"
    init = site / "pkg" / "__init__.py"
    os.link(journal.snapshot_dir / init.relative_to(prefix), site / "pkg" / "tmp")
    os.replace(site / "pkg" / "tmp", init)
    (site / "new.py").unlink()
    restore(journal)
    assert differences(before, tree_hash(prefix)) == []


def _verified(journal: Journal) -> None:
    """What fix does once the repaired environment passed its check: record what changed."""
    journal.data["changes"] = diff(journal.prefix, journal.snapshot_dir).to_json()
    journal.set_state("verified")


def test_rollback_puts_back_only_what_the_fix_changed(tmp_path: Path) -> None:
    prefix = _prefix(tmp_path)
    site = prefix / "lib" / "site-packages"
    untouched = site / "pkg" / "util.py"
    (untouched.parent / "data.txt").write_text("old\n")
    untouched.write_text("A = 1\n")
    before = tree_hash(prefix)
    journal = _journal(prefix)
    _break(prefix)
    (site / "newpkg").mkdir()
    (site / "newpkg" / "__init__.py").write_text("")
    (site / "compiled" / "__pycache__").mkdir(parents=True)  # installed with its byte-code
    (site / "compiled" / "a.py").write_text("")
    (site / "compiled" / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"pyc")
    _verified(journal)
    # After the fix the user works in the environment.
    (prefix / "notes.txt").write_text("mine\n")
    atomic = untouched.with_suffix(".tmp")
    atomic.write_text("A = 2\n")
    os.replace(atomic, untouched)  # an editor's atomic save of a file the fix did not touch
    with open(untouched.parent / "data.txt", "a") as handle:
        handle.write("appended in place\n")
    (site / "newpkg" / "__pycache__").mkdir()  # Python compiled what the fix installed
    (site / "newpkg" / "__pycache__" / "__init__.cpython-311.pyc").write_bytes(b"pyc")
    (site / "compiled" / "__pycache__" / "b.cpython-311.pyc").write_bytes(b"pyc")
    mine = ("notes.txt", "lib/site-packages/pkg/util.py", "lib/site-packages/pkg/data.txt")
    expected = {**before, **{k: v for k, v in tree_hash(prefix).items() if k in mine}}
    restored = restore(journal)
    assert restored.precise
    after = tree_hash(prefix)
    assert after["notes.txt"] == expected["notes.txt"]
    assert (untouched.read_text(), (untouched.parent / "data.txt").read_text()) == (
        "A = 2\n",
        "old\nappended in place\n",
    )
    assert differences(expected, after) == []
    assert not (site / "newpkg").exists() and not (site / "new.py").exists()
    assert not (site / "compiled").exists()
    assert (site / "pkg" / "__init__.py").read_text() == "VERSION = 1\n"


def test_rollback_refuses_what_changed_since_unless_forced(tmp_path: Path) -> None:
    prefix = _prefix(tmp_path)
    before = tree_hash(prefix)
    journal = _journal(prefix)
    _break(prefix)
    _verified(journal)
    init = prefix / "lib" / "site-packages" / "pkg" / "__init__.py"
    init.unlink()
    init.write_text("VERSION = 'edited by the user'\n")
    edited = tree_hash(prefix)
    with pytest.raises(Conflict) as refused:
        restore(journal)
    assert refused.value.paths == [os.path.join("lib", "site-packages", "pkg", "__init__.py")]
    assert tree_hash(prefix) == edited and Journal.load(journal.path).state == "verified"
    restored = restore(journal, force=True)
    assert differences(before, tree_hash(prefix)) == []
    kept = Path(restored.set_aside) / "lib" / "site-packages" / "pkg" / "__init__.py"
    assert kept.read_text() == "VERSION = 'edited by the user'\n"


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"{not json", "not valid JSON"),
        (b"[]", "not a JSON object"),
        (b'{"stamp": "1", "state": "applying", "prefix": "/x"}', "no 'snapshot'"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_a_corrupt_journal_says_how_to_set_it_aside(
    tmp_path: Path, content: bytes, why: str
) -> None:
    folder = tmp_path / "env" / FOLDER
    folder.mkdir(parents=True)
    (folder / "journal-1.json").write_bytes(content)
    with pytest.raises(JournalError) as error:
        latest(str(tmp_path / "env"))
    message = str(error.value)
    assert why in message and "\n" not in message
    assert f"mv {folder / 'journal-1.json'} {folder / 'journal-1.json.broken'}" in message


def test_killed_while_snapshotting_changes_nothing(tmp_path: Path) -> None:
    prefix = _prefix(tmp_path)
    before = tree_hash(prefix)
    journal = _journal(prefix, state="planned")
    restore(journal)
    assert differences(before, tree_hash(prefix)) == []
    assert Journal.load(journal.path).state == "rolled-back"
