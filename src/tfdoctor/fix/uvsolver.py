"""One ``uv pip compile`` resolution of the whole environment for the target's Python and platform.

The requirements are what the user asked for (fix/requested.py) and what the intent keeps fixed
(the TensorFlow pin, the Keras line, NumPy/protobuf ranges, given as constraints); the installed
versions are handed over as preferences (an existing output file), so uv moves only what it
must. Nothing is built (``--no-build``) and nothing is installed. uv runs without colours so that
its explanation of a failure can be read (fix/conflict.py).
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field

from tfdoctor.pep508 import canonical

SOLVE_TIMEOUT_S = 300.0
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;]+)")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_NETWORK = ("Failed to fetch", "error sending request", "dns error", "Request failed after")


@dataclass(frozen=True)
class Solved:
    """Every distribution of the resolution (name -> version) and who pulls each in."""

    pins: dict[str, str] = field(default_factory=dict)
    via: dict[str, tuple[str, ...]] = field(default_factory=dict)
    error: str = ""  # uv's message when no consistent set was found (or uv failed)
    offline: bool = False

    @property
    def ok(self) -> bool:
        return not self.error


def solve(
    uv: str,
    python: str,
    requirements: Sequence[str],
    constraints: Sequence[str] = (),
    overrides: Sequence[str] = (),
    preferences: Sequence[str] = (),
) -> Solved:
    """Resolve ``requirements`` for the interpreter ``python`` (its markers and tags)."""
    with tempfile.TemporaryDirectory(prefix="tfdoctor-solve-") as scratch:
        files = {
            "requirements.in": requirements,
            "constraints.txt": constraints,
            "overrides.txt": overrides,
            "resolved.txt": preferences,
        }
        for name, lines in files.items():
            with open(os.path.join(scratch, name), "w", encoding="utf-8") as handle:
                handle.write("".join(f"{line}\n" for line in lines))
        cmd = [
            uv, "pip", "compile", "requirements.in", "--python", python, "--no-build",
            "--no-python-downloads", "--no-header", "--annotation-style", "line",
            "--no-strip-extras", "--quiet", "--color", "never", "--output-file", "resolved.txt",
        ]  # fmt: skip
        if constraints:
            cmd += ["--constraints", "constraints.txt"]
        if overrides:
            cmd += ["--overrides", "overrides.txt"]
        code, message = _run(cmd, scratch)
        offline = False
        if code != 0 and any(m in message for m in _NETWORK):
            code, message = _run([*cmd, "--offline"], scratch)
            offline = True
        if code != 0:
            return Solved(error=message or f"uv pip compile failed (exit status {code})")
        with open(os.path.join(scratch, "resolved.txt"), encoding="utf-8") as handle:
            resolved = handle.read()
    return _parse(resolved, offline)


def _run(cmd: list[str], folder: str) -> tuple[int, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("VIRTUAL_ENV", "CONDA_PREFIX", "FORCE_COLOR", "CLICOLOR_FORCE")
    }
    env["NO_COLOR"] = "1"
    try:
        proc = subprocess.run(
            cmd,
            cwd=folder,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=SOLVE_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return 124, f"uv did not resolve the environment within {SOLVE_TIMEOUT_S:.0f} s"
    except OSError as exc:
        return 127, f"{cmd[0]} cannot be run: {exc.strerror}"
    return proc.returncode, _ANSI.sub("", proc.stderr or "").strip()


def _parse(resolved: str, offline: bool) -> Solved:
    pins: dict[str, str] = {}
    via: dict[str, tuple[str, ...]] = {}
    for line in resolved.splitlines():
        pin, _, by = line.partition("# via ")
        match = _PIN.match(pin.strip())
        if match:
            name = canonical(match.group(1))
            pins[name] = match.group(2)
            via[name] = tuple(
                canonical(v.strip()) for v in by.split(",") if v.strip() and "-r " not in v
            )
    return Solved(pins, via, offline=offline)
