"""Huge and binary input: bounded memory, one clear line for what is not text."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from tfdoctor.explain import NotTextError, explain_stream

DATA = Path(__file__).resolve().parents[1] / "data" / "explain"
SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.mark.parametrize("chunk_bytes", [1, 7, 64, 4096])
def test_chunk_boundaries_do_not_change_the_result(chunk_bytes: int) -> None:
    data = (DATA / "real_tf215_numpy2.txt").read_bytes().replace(b"\n", b"\r\n")
    data += "caf\u00e9 \u2502 \u00d7\n".encode()  # multi-byte characters cut by small chunks
    whole = explain_stream(io.BytesIO(data))
    chunked = explain_stream(io.BytesIO(data), chunk_bytes=chunk_bytes)
    assert [f.to_json() for f in chunked.findings] == [f.to_json() for f in whole.findings]
    assert chunked.lines_read == whole.lines_read == data.count(b"\n")
    assert chunked.error_lines == whole.error_lines


def test_one_endless_line_is_cut_and_the_error_after_it_found() -> None:
    error = (DATA / "real_tf215_session.txt").read_bytes()
    data = b"x" * (20 * 2**20) + b"\n" + error
    tracemalloc.start()
    try:
        result = explain_stream(io.BytesIO(data))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.truncated_lines == 1
    assert result.findings[0].cause == "removed-api"
    assert peak < 16 * 2**20


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 64,
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(4096),
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + os.urandom(4096).replace(b"\n", b""),
    ],
    ids=["all bytes", "png", "zip"],
)
def test_binary_input_is_refused(data: bytes) -> None:
    with pytest.raises(NotTextError):
        explain_stream(io.BytesIO(data))


def _training_log_chunk() -> bytes:
    """About 1 MiB of a real Keras training log (progress bars redrawn with \\r and \\b)."""
    log = (DATA / "negative_tf215_fit.txt").read_bytes().split(b"\n", 1)[1]
    return log * (2**20 // len(log) + 1)


def test_300_mb_log_is_read_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "console.log"
    chunk = _training_log_chunk()
    with path.open("wb") as out:
        for _ in range(300 * 2**20 // len(chunk)):
            out.write(chunk)
        out.write((DATA / "real_tf221_protobuf5.txt").read_bytes())
    assert path.stat().st_size >= 299 * 2**20
    # The peak is read from /proc/self/status (VmHWM: this process's own memory) where there is
    # one: on Linux ru_maxrss survives exec, and a child started with vfork reports the peak of
    # the process that started it (pytest, ~280 MB after the other tests) as its own.
    probe = (
        "import resource, sys\n"
        "from tfdoctor.cli import main\n"
        "code = main(['explain', '--format', 'json', sys.argv[1]])\n"
        "try:\n"
        "    status = open('/proc/self/status').read()\n"
        "    peak = int(status.split('VmHWM:')[1].split()[0])\n"
        "except (OSError, IndexError):\n"
        "    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "    peak //= 1024 if sys.platform == 'darwin' else 1  # bytes there\n"
        "print(peak, file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", probe, str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    elapsed = time.monotonic() - started
    assert done.returncode == 1, done.stderr
    assert '"cause": "protobuf-incompatible"' in done.stdout
    peak_kib = int(done.stderr.strip().splitlines()[-1])
    assert peak_kib < 200 * 1024, f"peak RSS {peak_kib} KiB"
    assert elapsed < 120


@pytest.mark.parametrize("chunk_bytes", [3, 4096, 1 << 20])
def test_cr_only_text_is_read_line_by_line(chunk_bytes: int) -> None:
    """Progress output (and old Mac files) end lines with a lone \\r: an error after more than
    4,096 characters of it is still a line of its own (issue 9, item 13)."""
    bar = b"\r 7/13 [===========>..................] - ETA: 0s - loss: 0.1714"
    error = (DATA / "real_tf215_session.txt").read_bytes().split(b"\n", 1)[1]
    data = bar * 200 + b"\r" + error.replace(b"\n", b"\r")
    result = explain_stream(io.BytesIO(data), chunk_bytes=chunk_bytes)
    assert result.truncated_lines == 0
    assert result.findings[0].cause == "removed-api"
    assert result.lines_read == 1 + 200 + error.count(b"\n")  # the text starts with \r


def test_crlf_split_between_two_chunks_is_one_line_end() -> None:
    data = b"a\r\nb\r\nc\r\n"
    for chunk_bytes in (1, 2, 3):
        result = explain_stream(io.BytesIO(data), chunk_bytes=chunk_bytes)
        assert result.lines_read == 3


def test_text_is_told_from_binary_the_same_way_whatever_the_chunk_size() -> None:
    """Found by the fuzz test: the sniff looked only at the first chunk, so one control byte
    read alone (chunk_bytes=1) made a text 'binary'."""
    data = b"\x1a\n" + (DATA / "real_tf215_session.txt").read_bytes()
    whole = explain_stream(io.BytesIO(data))
    assert explain_stream(io.BytesIO(data), chunk_bytes=1).findings == whole.findings


_EPOCH = "Epoch 3/10 - 120/120 - 2s - loss: 0.1234 - accuracy: 0.9500 - val_loss: 0.2000\n"


@pytest.mark.parametrize(
    "ending",
    [
        '>>> print("Num GPUs Available: ", len(tf.config.list_physical_devices("GPU")))\n'
        "Num GPUs Available:  0\n",
        ">>> print(tf.config.list_physical_devices())\n"
        "[PhysicalDevice(name='/physical_device:CPU:0', device_type='CPU')]\n",
        "There are incompatible versions in the resolved dependencies:\n"
        "  typing-extensions==3.10.0 (from -r requirements.in (line 20))\n"
        "  typing-extensions~=3.7.4 (from tensorflow==2.5.3->-r requirements.in (line 21))\n",
    ],
    ids=["num-gpus", "cpu-only-devices", "pip-compile"],
)
def test_a_long_log_ends_as_a_short_one_does(ending: str) -> None:
    """A log longer than explain.engine.SMALL_INPUT is read through the trigger words of
    explain.lines: what a script prints of TensorFlow's devices and pip-compile's conflict have
    no error word on their lines, and were found in a short text only ('No known failure' after
    a long training log)."""
    from tfdoctor.explain import explain_text
    from tfdoctor.explain.engine import SMALL_INPUT

    short = explain_text(_EPOCH * 3 + ending)
    long = explain_text(_EPOCH * (SMALL_INPUT // len(_EPOCH) + 10) + ending)
    assert short.findings
    assert [f.cause for f in long.findings] == [f.cause for f in short.findings]
