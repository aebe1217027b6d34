"""Bad input is a usage error: one line on standard error, exit status 2, never "internal error"."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from cli_runner import CliResult, Runner
from envs import interpreter


def _usage_error(result: CliResult, *needles: str) -> str:
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("tfdoctor: "), result.stderr
    assert "internal error" not in lines[0] and "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("kind", ["symlink-loop", "name-too-long", "file-as-folder"])
def test_explain_on_a_path_that_cannot_be_opened(
    tfdoctor: Runner, tmp_path: Path, kind: str
) -> None:
    (tmp_path / "loop").symlink_to("loop")
    (tmp_path / "file").write_text("x\n")
    name = {"symlink-loop": "loop", "name-too-long": "a" * 300, "file-as-folder": "file/x"}[kind]
    _usage_error(tfdoctor("explain", name, cwd=tmp_path), name[:40])


ANSWERS = {
    "a-list": "[1, 2]",
    "no-probe-key": '{"python": 3}',
    "wrong-types": '{"probe": 1, "python": [3]}',
    "almost": (
        '{"probe": 1, "python": {"version": 3, "implementation": "x", "executable": "/x", '
        '"prefix": "/x", "base_prefix": "/x", "is_venv": false}, "platform": {"system": 1}}'
    ),
}


@pytest.mark.parametrize("shape", sorted(ANSWERS))
def test_check_on_an_interpreter_that_answers_json_of_the_wrong_shape(
    tfdoctor: Runner, tmp_path: Path, shape: str
) -> None:
    fake = tmp_path / "python"
    fake.write_text(
        "#!/bin/sh\necho @@TFDOCTOR-PROBE-BEGIN@@\ncat <<'EOF'\n"
        + ANSWERS[shape]
        + "\nEOF\necho @@TFDOCTOR-PROBE-END@@\n"
    )
    fake.chmod(0o755)
    _usage_error(tfdoctor("check", "--python", str(fake)), "probe")


def test_a_program_that_is_not_python_is_named_without_the_probe_code(tfdoctor: Runner) -> None:
    """`--python /bin/ls` quoted ls's complaint about its argument: 200 characters of the
    probe's source."""
    line = _usage_error(
        tfdoctor("check", "--python", "/bin/ls"), "is not a working Python interpreter"
    )
    assert "import sys" not in line and "TFDOCTOR" not in line, line
    assert "cannot access: it was given the probe's code" in line, line


def test_new_and_fix_into_a_file(tfdoctor: Runner, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("mine\n")
    _usage_error(tfdoctor("new", str(tmp_path / "file")), "file")
    _usage_error(
        tfdoctor("fix", "--into", str(tmp_path / "file"), "--python", str(tmp_path)), "file"
    )
    assert (tmp_path / "file").read_text() == "mine\n"


@pytest.fixture
def venv_with_corrupt_journal(tmp_path: Path) -> tuple[Path, Path]:
    env = tmp_path / "env"
    subprocess.run([interpreter("3.12"), "-m", "venv", "--without-pip", str(env)], check=True)
    (env / ".tfdoctor").mkdir()
    journal = env / ".tfdoctor" / "journal-20260101T000000-1.json"
    journal.write_text("{not json")
    return env, journal


@pytest.mark.parametrize("command", [("fix", "--yes"), ("fix", "--rollback")])
def test_a_corrupt_journal_is_a_usage_error(
    tfdoctor: Runner, venv_with_corrupt_journal: tuple[Path, Path], command: tuple[str, ...]
) -> None:
    env, journal = venv_with_corrupt_journal
    _usage_error(tfdoctor(*command, "--python", str(env)), str(journal), "mv ")
    assert journal.read_text() == "{not json"


def test_dry_run_with_a_corrupt_journal_says_how_to_clear_it(
    tfdoctor: Runner, venv_with_corrupt_journal: tuple[Path, Path]
) -> None:
    env, journal = venv_with_corrupt_journal
    result = tfdoctor("fix", "--dry-run", "--python", str(env))
    assert result.returncode in (0, 1), result.stderr
    assert f"mv {journal} {journal}.broken" in result.stderr


def test_closed_standard_streams(tmp_path: Path) -> None:
    """Started with standard input or output closed (<&-, >&-, a daemon): a usage error for
    explain reading nothing, and no internal error or traceback for output that goes nowhere."""
    import os
    import sys

    src = str(Path(__file__).resolve().parents[1] / "src")
    env = {**os.environ, "PYTHONPATH": src}
    closed_stdin = subprocess.run(
        [sys.executable, "-m", "tfdoctor", "explain", "--text-only"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        preexec_fn=lambda: os.close(0),
    )
    assert closed_stdin.returncode == 2
    assert closed_stdin.stderr == "tfdoctor: standard input is closed: give the file to explain\n"
    (tmp_path / "a.py").write_text("import keras\nkeras.layers.Merge()\n", encoding="utf-8")
    closed_stdout = subprocess.run(
        [sys.executable, "-m", "tfdoctor", "lint", "--keras", "3", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=lambda: os.close(1),
    )
    assert closed_stdout.returncode == 1  # the finding still sets the exit status
    assert closed_stdout.stderr == ""


@pytest.mark.parametrize("value", ["nan", "inf", "0", "-1"])
@pytest.mark.parametrize(
    "command",
    [("check", "--deep"), ("report", "--deep"), ("scan",), ("matrix", "run", "--limit", "0")],
)
def test_a_time_limit_that_is_not_a_positive_number_of_seconds(
    tfdoctor: Runner, tmp_path: Path, command: tuple[str, ...], value: str
) -> None:
    """float() takes "nan" and "inf"; as a time limit they meant none at all (nan compares
    false with everything, so "<= 0" let it through): now a usage error like 0 or -1."""
    where = ("--python", interpreter("3.12")) if command[0] in ("check", "report") else ()
    if command[0] == "scan":
        where = (str(tmp_path),)
    result = tfdoctor(*command, *where, f"--timeout={value}")
    _usage_error(result, "--timeout must be a positive number of seconds", f"not {value}")


@pytest.mark.parametrize("command", [("scan",), ("lint",)])
def test_jobs_0_is_refused_by_scan_as_by_lint(
    tfdoctor: Runner, tmp_path: Path, command: tuple[str, ...]
) -> None:
    """scan took --jobs 0 (as "one per CPU") where lint refused it."""
    _usage_error(tfdoctor(*command, str(tmp_path), "--jobs", "0"), "--jobs must be at least 1")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize("command", [("rules",), ("rules", "--format", "json")])
def test_output_to_a_full_disk_is_said_so_not_an_internal_error(command: tuple[str, ...]) -> None:
    """Output sent to a full disk (`> /dev/full`, a quota) is the machine's state, not a bug of
    tfdoctor: one line that says what failed, exit status 2."""
    import os
    import sys

    src = str(Path(__file__).resolve().parents[1] / "src")
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "tfdoctor", *command],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": src},
        )
    assert result.returncode == 2, result.stderr
    assert result.stderr == "tfdoctor: cannot write the output: No space left on device\n"
