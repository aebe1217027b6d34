"""Every read from the target is bounded, and a stopped probe takes what it started with it.

Real processes and real files: a fake interpreter (a shell script) that writes 1 GB, one whose
grandchild sleeps, a dist-info whose RECORD is /dev/zero or a FIFO. Memory is measured with
getrusage in a child that runs the real command line (no timed assertions); that child also caps
its address space, so that a regression fails the test instead of filling the machine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from envs import interpreter
from tfdoctor.errors import UsageError
from tfdoctor.target import Interpreter, RunningProbe

MEASURE = """\
import resource, subprocess, sys, json
resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
try:
    proc = subprocess.run(sys.argv[2:], capture_output=True, text=True, errors="replace", timeout=90)
    rc, out, err = proc.returncode, proc.stdout[-4000:], proc.stderr[-4000:]
except subprocess.TimeoutExpired:
    rc, out, err = "timeout", "", ""
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
with open(sys.argv[1], "w") as f:
    json.dump({"rc": rc, "out": out, "err": err, "peak_mib": peak // 1024}, f)
"""


def _measured(tmp_path: Path, *args: str) -> dict[str, object]:
    report = tmp_path / "measure.json"
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    subprocess.run(
        [sys.executable, "-c", MEASURE, str(report), sys.executable, "-m", "tfdoctor", *args],
        cwd=tmp_path,
        env=env,
        check=True,
        timeout=180,
    )
    data: dict[str, object] = json.loads(report.read_text())
    return data


def _fake_python(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "bin" / "python"
    path.parent.mkdir()
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    return path


def test_a_gigabyte_of_probe_output_is_cut_off(tmp_path: Path) -> None:
    python = _fake_python(tmp_path, "exec head -c 1073741824 /dev/zero")
    result = _measured(tmp_path, "check", "--python", str(python))
    assert result["rc"] == 2, result
    err = str(result["err"]).strip()
    assert len(err.splitlines()) == 1 and "more than 64 MiB" in err, err
    assert int(str(result["peak_mib"])) < 400, result


@pytest.fixture
def keras_env(tmp_path: Path) -> tuple[Path, Path]:
    """A venv with a keras dist-info laid out as pip installs it, RECORD to be replaced."""
    env = tmp_path / "env"
    subprocess.run([interpreter("3.12"), "-m", "venv", "--without-pip", str(env)], check=True)
    (site,) = env.glob("lib/python3.*/site-packages")
    (site / "keras").mkdir()
    (site / "keras" / "__init__.py").write_text('__version__ = "3.15.1"\n')
    info = site / "keras-3.15.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.4\nName: keras\nVersion: 3.15.1\n\n")
    (info / "WHEEL").write_text("Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
    (info / "INSTALLER").write_text("pip\n")
    return env, info / "RECORD"


@pytest.mark.parametrize("kind", ["dev-zero", "fifo"])
def test_a_record_that_is_no_regular_file_is_not_read(
    tmp_path: Path, keras_env: tuple[Path, Path], kind: str
) -> None:
    env, record = keras_env
    if kind == "dev-zero":
        record.symlink_to("/dev/zero")
    else:
        os.mkfifo(record)
    result = _measured(tmp_path, "check", "--python", str(env), "--format", "json")
    assert result["rc"] in (0, 1), result
    data = json.loads(str(result["out"]))
    assert data["packages"]["keras"]["version"] == "3.15.1"
    assert int(str(result["peak_mib"])) < 400, result


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rpartition(")")[2].split()[0] == "Z"
    except FileNotFoundError:
        return True


def test_timeout_ends_the_wrappers_grandchild(tmp_path: Path) -> None:
    pidfile = tmp_path / "grandchild.pid"
    python = _fake_python(tmp_path, f"sleep 300 &\necho $! > {pidfile}\nwait")
    probe = RunningProbe(Interpreter(str(python), str(python)), timeout=2)
    with pytest.raises(UsageError, match="did not answer"):
        probe.result()
    pid = int(pidfile.read_text())
    try:
        for _ in range(200):  # the kill is sent already; only the reaping by init is waited for
            if _gone(pid):
                break
            time.sleep(0.05)
        assert _gone(pid), "the grandchild of the timed-out probe still runs"
    finally:
        if not _gone(pid):
            os.kill(pid, 9)


DEEP = """\
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
from tfdoctor.deep import RunningDeep
from tfdoctor.target import Interpreter
result = RunningDeep(Interpreter(sys.argv[1], sys.argv[1]), timeout=120).result()
print(result.returncode, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def test_deep_run_reads_an_endless_line_in_bounded_memory(tmp_path: Path) -> None:
    python = _fake_python(tmp_path, "head -c 1073741824 /dev/zero; exit 3")
    proc = subprocess.run(
        [sys.executable, "-c", DEEP, str(python)], capture_output=True, text=True, timeout=170
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    returncode, peak_mib = proc.stdout.split()
    assert returncode == "3"
    assert int(peak_mib) < 400, peak_mib
