"""Resolve a requirement set with ``uv pip compile`` for another Python and platform, without
installing anything: no virtual environment, no build (a package without a wheel is reported,
never built: building runs its setup code), no managed-Python download."""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from collections.abc import Sequence
from typing import NamedTuple

from tfdoctor.errors import UsageError
from tfdoctor.pep508 import canonical
from tfdoctor.resolve.platforms import WouldBe

COMPILE_TIMEOUT_S = 300.0
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;]+)")


class Pinned(NamedTuple):
    name: str
    version: str
    pulled_by: tuple[str, ...]  # the packages that require it (uv's "# via")


class Compiled(NamedTuple):
    ok: bool
    pins: tuple[Pinned, ...]
    message: str  # uv's error output when not ok
    uv_version: str


def find_uv() -> str:
    """uv next to this interpreter (the `resolver` extra installs it there), else on PATH."""
    here = os.path.dirname(sys.executable)
    found = shutil.which("uv", path=here) or shutil.which("uv")
    if found is None:
        raise UsageError(
            "check -r resolves with uv, which is not installed: pip install 'tfdoctor[resolver]' "
            "(or pip install uv)"
        )
    return found


def uv_version(uv: str) -> str:
    import subprocess

    proc = subprocess.run([uv, "--version"], capture_output=True, text=True, check=False)
    return proc.stdout.strip() or "uv"


def compile_set(
    lines: Sequence[str],
    target: WouldBe,
    folder: str,
    overrides: Sequence[str] = (),
    preferences: Sequence[str] = (),
) -> Compiled:
    """``overrides`` replace every requirement on their packages (uv ``--overrides``);
    ``preferences`` are pins uv keeps where it can (an existing output file)."""
    import subprocess

    uv = find_uv()
    with tempfile.TemporaryDirectory(prefix="tfdoctor-resolve-") as scratch:
        source = os.path.join(scratch, "requirements.in")
        with open(source, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        command = [
            uv,
            "pip",
            "compile",
            source,
            "--python-version",
            target.python,
            "--python-platform",
            target.uv_platform,
            "--no-build",
            "--no-python-downloads",
            "--no-header",
            "--annotation-style",
            "line",
            "--no-strip-extras",
            "--quiet",
            "--color",
            "never",
        ]
        output = os.path.join(scratch, "resolved.txt")
        with open(output, "w", encoding="utf-8") as handle:
            handle.write("".join(f"{line}\n" for line in preferences))
        command += ["--output-file", output]
        if overrides:
            override_file = os.path.join(scratch, "overrides.txt")
            with open(override_file, "w", encoding="utf-8") as handle:
                handle.write("\n".join(overrides) + "\n")
            command += ["--overrides", override_file]
        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "CONDA_PREFIX")}
        try:
            proc = subprocess.run(
                command,
                capture_output=True,
                text=True,
                cwd=folder,
                env=env,
                timeout=COMPILE_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise UsageError(
                f"uv did not resolve the set within {COMPILE_TIMEOUT_S:.0f} s; is the package "
                "index reachable?"
            ) from None
        with open(output, encoding="utf-8") as handle:
            resolved = handle.read()
    version = uv_version(uv).split(" (")[0]
    if proc.returncode != 0:
        return Compiled(False, (), proc.stderr.strip(), version)
    pins = []
    for line in resolved.splitlines():
        pin, _, via = line.partition("# via ")
        match = _PIN.match(pin.strip())
        if match:
            requirers = (canonical(v.strip()) for v in via.split(",") if v.strip())
            pins.append(
                Pinned(
                    canonical(match.group(1)),
                    match.group(2),
                    tuple(r for r in requirers if not r.startswith("-")),
                )
            )
    return Compiled(True, tuple(pins), "", version)
