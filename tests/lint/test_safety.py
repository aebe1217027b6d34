"""One bad file never breaks a lint run, and --fix never leaves a file half written (issue 9)."""

from __future__ import annotations

import json
import os
import resource
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from lint_helpers import Lint, Write, codes, run_cli

from tfdoctor.lint.sources import MAX_SOURCE_BYTES

MIXED = "import keras\nimport tensorflow as tf\nm = keras.Sequential([tf.keras.layers.Dense(1)])\n"


def _hostile_tree(root: Path) -> None:
    root.mkdir(exist_ok=True)
    (root / "sum.py").write_text(MIXED + "x = " + " + ".join(["1"] * 1000) + "\n")
    (root / "chain.py").write_text(MIXED + "y = a" + ".b" * 5000 + "\n")
    (root / "brackets.py").write_text(MIXED + "z = " + "[" * 1000 + "]" * 1000 + "\n")
    (root / "deep.ipynb").write_text("[" * 1000)
    (root / "zero.py").symlink_to("/dev/zero")
    os.mkfifo(root / "fifo.py")
    with open(root / "huge.py", "wb") as handle:  # sparse: the size is what counts
        handle.truncate(MAX_SOURCE_BYTES + 1)
    (root / "fine.py").write_text("from keras.utils import np_utils\n")


def test_hostile_files_become_per_file_errors(tmp_path: Path) -> None:
    _hostile_tree(tmp_path / "src")
    out = run_cli("lint", "--keras", "3", "--format", "json", "src", cwd=tmp_path)
    assert out.returncode == 1, out.stderr
    report = json.loads(out.stdout)
    errors = {Path(e["path"]).name: e["message"] for e in report["errors"]}
    assert errors["zero.py"] == "not a regular file (a character device), not read"
    assert errors["fifo.py"] == "not a regular file (a FIFO), not read"
    assert errors["huge.py"].startswith("too large to lint (4.2 MB; the limit is 4.2 MB")
    assert "nested too deeply" in errors["deep.ipynb"]
    assert errors["chain.py"] == "nested too deeply to analyze (Python's recursion limit)"
    assert errors["brackets.py"].startswith("cannot parse")
    assert "sum.py" not in errors  # a 1,000-term sum is valid code: analyzed in full
    found = sorted((Path(f["location"]["path"]).name, f["code"]) for f in report["findings"])
    assert ("sum.py", "TFD703") in found and ("fine.py", "TFD710") in found
    assert "Traceback" not in out.stderr
    sarif = run_cli("lint", "--keras", "3", "--format", "sarif", "src", cwd=tmp_path)
    assert sarif.returncode == 1
    assert len(json.loads(sarif.stdout)["runs"][0]["results"]) == len(report["findings"])


def test_a_fifo_named_on_the_command_line(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "x.py")
    out = run_cli("lint", "--keras", "3", "x.py", cwd=tmp_path)
    assert out.returncode == 0
    assert "x.py: skipped, not a regular file (a FIFO), not read" in out.stdout


def test_fix_keeps_bom_newlines_mode_and_encoding(tmp_path: Path, lint: Lint) -> None:
    bom = tmp_path / "bom.py"
    bom.write_bytes(b"\xef\xbb\xbfimport tensorflow as tf\r\nsess = tf.Session()  # \xc3\xa9\r\n")
    bom.chmod(0o640)
    latin = tmp_path / "latin.py"
    latin.write_bytes(
        b"# -*- coding: latin-1 -*-\nimport tensorflow as tf\ns = '\xe9'; x = tf.Session()\n"
    )
    result = lint(bom, latin, tensorflow="2.16", fix=True)
    assert result.fixed == {str(bom): 1, str(latin): 1}
    assert bom.read_bytes() == (
        b"\xef\xbb\xbfimport tensorflow as tf\r\nsess = tf.compat.v1.Session()  # \xc3\xa9\r\n"
    )
    assert stat.S_IMODE(bom.stat().st_mode) == 0o640
    assert latin.read_bytes() == (
        b"# -*- coding: latin-1 -*-\nimport tensorflow as tf\n"
        b"s = '\xe9'; x = tf.compat.v1.Session()\n"
    )
    assert [name for name in os.listdir(tmp_path) if name.startswith(".")] == []


def test_fix_through_a_symlink_keeps_the_link(tmp_path: Path, lint: Lint) -> None:
    real = tmp_path / "real.py"
    real.write_text("import tensorflow as tf\ns = tf.Session()\n")
    link = tmp_path / "link.py"
    link.symlink_to(real)
    lint(link, tensorflow="2.16", fix=True)
    assert link.is_symlink()
    assert real.read_text() == "import tensorflow as tf\ns = tf.compat.v1.Session()\n"


def test_read_only_file_means_no_file_is_written(tmp_path: Path, lint: Lint) -> None:
    source = "import tensorflow as tf\ns = tf.Session()\n"
    first, locked, last = (tmp_path / f"{n}.py" for n in ("a", "b", "c"))
    for path in (first, locked, last):
        path.write_text(source)
    locked.chmod(0o444)
    result = lint(tmp_path, tensorflow="2.16", fix=True)
    assert result.fixed == {}
    assert {p.read_text() for p in (first, locked, last)} == {source}
    problems = dict(result.fix_errors)
    assert problems[str(locked)] == "it is read-only"
    assert "another one cannot be" in problems[str(first)]
    assert codes(result.findings) == [("TFD710", 2)] * 3
    out = run_cli("lint", "--fix", "--tensorflow", "2.16", ".", cwd=tmp_path)
    assert "b.py: not fixed, it is read-only\n" in out.stdout
    assert {p.read_text() for p in (first, locked, last)} == {source}


def _no_room_to_write() -> None:
    # What a full disk does to a write: the file cannot grow past a few bytes.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE fault injection")
def test_full_disk_leaves_the_file_whole(tmp_path: Path) -> None:
    path = tmp_path / "train.py"
    source = "import tensorflow as tf\n" + "".join(f"s{i} = tf.Session()\n" for i in range(80))
    path.write_text(source)
    out = subprocess.run(
        [sys.executable, "-m", "tfdoctor", "lint", "--fix", "--tensorflow", "2.16", "train.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        preexec_fn=_no_room_to_write,
        timeout=120,
    )
    assert path.read_text() == source
    assert "train.py: not fixed, not written (File too large): the file is unchanged" in out.stdout
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert sorted(os.listdir(tmp_path)) == ["train.py"]


def test_text_edits_equal_libcst_edits(write: Write) -> None:
    """The fast path (plain text replacement) writes what libcst writes."""
    from tfdoctor.lint import fixer, resolve_target
    from tfdoctor.lint.rules import LINT_CODES
    from tfdoctor.lint.runner import LintOptions, lint_file

    path = write(
        "many.py",
        """
        import tensorflow as tf
        import keras
        from keras.utils import np_utils

        def build():
            a = tf.keras.layers.experimental.preprocessing.RandomZoom(0.1); b = tf.keras.layers.Dense(2)
            opt = keras.optimizers.Adam(lr=1e-3, decay=0.1)
            tf.keras . layers.Dense(3)
            return keras.Sequential([a, b, tf.keras.layers.Dense(1)]), opt

        sess = tf.Session()
        """,
    )
    result = lint_file(str(path), LintOptions(resolve_target(None, "3", "2.16"), LINT_CODES, True))
    source = path.read_text()
    fast = fixer.fix_source(source, result.edits, result.spans)
    assert fast == fixer.apply_edits(source, result.edits) != source
    assert "a = keras.layers.RandomZoom(0.1); b = keras.layers.Dense(2)" in fast
    assert "Adam(learning_rate=1e-3, decay=0.1)" in fast and "tf.compat.v1.Session()" in fast


def test_environments_inside_the_project_are_not_linted(tmp_path: Path) -> None:
    """A venv named env/ or tf-env/ (not venv/ or .venv/) inside the project was walked like the
    project's code: `tfdoctor lint` read every file of its site-packages (2,036 files and keras's
    own tests reported for a copied Keras 3 env). A folder that is an environment (pyvenv.cfg,
    conda-meta) is not entered, whatever its name; named on the command line, it is linted."""
    old = "import keras\nfrom keras.utils import np_utils\n"
    (tmp_path / "train.py").write_text(old)
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "tf-env")], check=True
    )
    package = tmp_path / "tf-env" / "lib" / "python3" / "site-packages" / "pkg"
    package.mkdir(parents=True)
    (package / "old.py").write_text(old)
    conda = tmp_path / "envs" / "ml"
    (conda / "conda-meta").mkdir(parents=True)
    (conda / "lib").mkdir()
    (conda / "lib" / "old.py").write_text(old)
    report = json.loads(
        run_cli("lint", "--keras", "3", "--format", "json", ".", cwd=tmp_path).stdout
    )
    assert report["files"] == 1 and [f["location"]["path"] for f in report["findings"]] == [
        "train.py"
    ]
    named = json.loads(
        run_cli("lint", "--keras", "3", "--format", "json", "tf-env", cwd=tmp_path).stdout
    )
    assert "tf-env/lib/python3/site-packages/pkg/old.py" in {
        f["location"]["path"] for f in named["findings"]
    }
