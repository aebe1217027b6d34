"""Find the interpreter behind ``--python``, run the probe inside it, and build the Snapshot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tfdoctor.errors import UsageError

if TYPE_CHECKING:
    from tfdoctor.snapshot import Snapshot

BEGIN = "@@TFDOCTOR-PROBE-BEGIN@@"
END = "@@TFDOCTOR-PROBE-END@@"
MIN_TARGET = (3, 7)
PROBE_TIMEOUT_S = 120.0

# Runs first on any interpreter, Python 2 included, so an old one is recognised, not crashed on.
_GUARD = """\
import sys
if sys.version_info < {min!r}:
    sys.stdout.write("\\n{begin}\\n" + '{{"unsupported_python": "%d.%d.%d"}}' % tuple(sys.version_info[:3]) + "\\n{end}\\n")
else:
    exec(compile({source}, "<tfdoctor-probe:{name}>", "exec"), {{"__name__": "__tfdoctor_probe__"}})
"""


@dataclass(frozen=True)
class Target:
    """The interpreter to examine and how the user named it."""

    executable: str
    given: str | None

    @property
    def label(self) -> str:
        return self.given or self.executable


def probe_source(name: str) -> str:
    return (Path(__file__).parent / "probe" / f"{name}.py").read_text(encoding="utf-8")


def probe_program(name: str) -> bytes:
    """The probe ``name`` behind the version guard, ready for ``python -`` on standard input."""
    source = probe_source(name)
    program = _GUARD.format(min=MIN_TARGET, begin=BEGIN, end=END, source=ascii(source), name=name)
    return program.encode("ascii")


def resolve(python: str | None) -> Target:
    """Turn ``--python`` (interpreter, venv folder or conda env folder) into an interpreter path."""
    if python is None:
        return Target(executable=sys.executable, given=None)
    path = Path(python).expanduser()
    if not path.exists() and not path.is_symlink():
        raise UsageError(
            f"{python}: no such file or folder; pass a Python interpreter, a venv folder "
            "or a conda env folder"
        )
    if path.is_dir():
        candidates = [
            path / "bin" / "python",
            path / "bin" / "python3",
            path / "Scripts" / "python.exe",
            path / "python.exe",
        ]
        for candidate in candidates:
            if candidate.is_symlink() and not candidate.exists():
                raise UsageError(_broken_venv_message(path, candidate))
            if candidate.is_file():
                return Target(executable=str(candidate), given=python)
        raise UsageError(
            f"{python} is a folder but not a Python environment (no bin/python in it); "
            "pass a venv or conda env folder, or the interpreter itself"
        )
    if path.is_symlink() and not path.exists():
        venv = path.parent.parent
        raise UsageError(_broken_venv_message(venv, path))
    if not os.access(path, os.X_OK):
        raise UsageError(f"{python} is not an executable file; pass a Python interpreter")
    return Target(executable=str(path), given=python)


def _broken_venv_message(venv: Path, interpreter: Path) -> str:
    home = ""
    cfg = venv / "pyvenv.cfg"
    if cfg.is_file():
        for line in cfg.read_text(errors="replace").splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "home":
                home = value.strip()
    gone = f"its base interpreter in {home} is gone" if home else "its interpreter link is broken"
    return (
        f"the virtual environment {venv} is broken: {gone} ({interpreter} points nowhere); "
        f"recreate it (python -m venv --clear {venv}) or try `tfdoctor new`"
    )


class RunningProbe:
    """A probe started in the target; the caller can do other work before ``result()``."""

    def __init__(
        self,
        target: Target,
        name: str = "static",
        timeout: float = PROBE_TIMEOUT_S,
        full_scan: bool = False,
    ):
        self.target = target
        self.timeout = timeout
        source = probe_source(name)
        program = _GUARD.format(
            min=MIN_TARGET, begin=BEGIN, end=END, source=ascii(source), name=name
        )
        self._input = program.encode("ascii")
        try:
            self._proc = subprocess.Popen(
                [target.executable, "-"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env={
                    **os.environ,
                    "PYTHONDONTWRITEBYTECODE": "1",
                    "TFDOCTOR_FULL_SCAN": "1" if full_scan else "0",
                },
            )
        except OSError as exc:
            raise UsageError(
                f"{target.label} cannot be run ({exc.strerror}); is it a Python interpreter?"
            ) from exc

    def result(self) -> dict[str, object]:
        label = self.target.label
        try:
            out, err = self._proc.communicate(self._input, timeout=self.timeout)
        except subprocess.TimeoutExpired as exc:
            self._proc.kill()
            self._proc.communicate()
            raise UsageError(
                f"{label} did not answer within {self.timeout:.0f} s; is it a Python interpreter?"
            ) from exc
        return _parse(label, out, err, self._proc.returncode)


def _parse(label: str, out: bytes, err: bytes, returncode: int) -> dict[str, object]:
    stdout = out.decode("utf-8", errors="replace")
    start = stdout.rfind(BEGIN)
    stop = stdout.rfind(END)
    if start < 0 or stop < start:
        stderr = err.decode("utf-8", errors="replace").strip().splitlines()
        detail = stderr[-1][:200] if stderr else f"exit status {returncode}"
        raise UsageError(f"{label} is not a working Python interpreter ({detail})")
    try:
        data: dict[str, object] = json.loads(stdout[start + len(BEGIN) : stop])
    except ValueError as exc:
        raise UsageError(f"{label}: the probe's answer could not be read ({exc})") from exc
    old = data.get("unsupported_python")
    if old:
        raise UsageError(
            f"{label} is Python {old}; tfdoctor examines Python 3.7 or newer: point --python "
            "at an environment with Python 3.9 or newer (what current TensorFlow releases need)"
        )
    return data


def run_probe(
    target: Target, name: str = "static", timeout: float = PROBE_TIMEOUT_S
) -> dict[str, object]:
    """Run a probe script inside the target interpreter and return its JSON document."""
    return RunningProbe(target, name, timeout).result()


def load_snapshot(python: str | None) -> Snapshot:
    """Resolve ``--python`` and return the facts of that environment. Never changes it."""
    from tfdoctor.snapshot import Snapshot

    return Snapshot.from_probe(run_probe(resolve(python)))
