"""The probe's process helper: output of any size, exit status, time limit, kill."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from tfdoctor.errors import UsageError
from tfdoctor.spawn import Child
from tfdoctor.target import Interpreter, RunningProbe


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


@pytest.fixture(params=["posix_spawn", "subprocess"], autouse=True)
def way(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test runs both ways: os.posix_spawn, and subprocess (platforms without it)."""
    if request.param == "subprocess":
        monkeypatch.delattr(os, "posix_spawn")
    return str(request.param)


def test_both_streams_larger_than_a_pipe_and_the_exit_status() -> None:
    # 1 MB on each stream: a helper that read one stream after the other would hang.
    code = (
        "import sys\n"
        "for i in range(1000):\n"
        "    sys.stdout.write('o' * 1023 + '\\n'); sys.stderr.write('e' * 1023 + '\\n')\n"
        "sys.exit(3)"
    )
    answer = Child(_python(code), dict(os.environ)).wait(60)
    assert answer is not None
    out, err, status = answer
    assert out == (b"o" * 1023 + b"\n") * 1000
    assert err == (b"e" * 1023 + b"\n") * 1000
    assert status == 3


def test_standard_input_is_empty_and_the_environment_is_passed() -> None:
    code = "import os, sys; print(repr(sys.stdin.read()), os.environ['TFD_TEST'])"
    answer = Child(_python(code), {**os.environ, "TFD_TEST": "yes"}).wait(60)
    assert answer is not None and answer[0].split() == [b"''", b"yes"]


def test_time_limit_then_kill() -> None:
    child = Child(_python("import time; time.sleep(60)"), dict(os.environ))
    started = time.monotonic()
    assert child.wait(0.5) is None
    child.kill()
    assert time.monotonic() - started < 30
    answer = child.wait(0)
    assert answer is not None and answer[2] == -9


def test_a_file_that_cannot_be_executed(tmp_path: Path) -> None:
    script = tmp_path / "python"
    script.write_text("no interpreter line\n")
    script.chmod(0o755)
    with pytest.raises(OSError):
        Child([str(script)], dict(os.environ))


def test_probe_that_does_not_answer_in_time_is_killed(tmp_path: Path) -> None:
    slow = tmp_path / "python"
    slow.write_text("#!/bin/sh\nexec sleep 60\n")
    slow.chmod(0o755)
    probe = RunningProbe(Interpreter(str(slow), str(slow)), timeout=0.5)
    with pytest.raises(UsageError, match="did not answer within"):
        probe.result()
    assert probe._child.returncode is not None  # killed and reaped, not left behind


def test_time_limit_holds_for_a_child_that_closed_its_outputs() -> None:
    child = Child(["/bin/sh", "-c", "exec >&- 2>&-; sleep 30"], dict(os.environ))
    started = time.monotonic()
    assert child.wait(0.5) is None
    assert time.monotonic() - started < 5
    child.kill()
    assert child.returncode == -9


def test_kill_does_not_wait_for_a_grandchild_holding_the_pipes() -> None:
    child = Child(["/bin/sh", "-c", "sleep 6 & sleep 30"], dict(os.environ))
    started = time.monotonic()
    child.kill()
    assert child.returncode == -9
    assert time.monotonic() - started < 4  # the grandchild (6 s) still holds the pipes
