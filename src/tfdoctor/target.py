"""Find the interpreter behind ``--python``, run the probe inside it, and build the Snapshot."""

from __future__ import annotations

import os
import sys
from collections import namedtuple

from tfdoctor.errors import UsageError
from tfdoctor.spawn import Child

TYPE_CHECKING = False  # not typing's: the probe starts before typing is imported
if TYPE_CHECKING:
    from tfdoctor.snapshot import Snapshot

BEGIN = "@@TFDOCTOR-PROBE-BEGIN@@"
END = "@@TFDOCTOR-PROBE-END@@"
MIN_TARGET = (3, 7)
PROBE_TIMEOUT_S = 120.0
PROBE_OUTPUT_LIMIT = 64 << 20  # bytes per stream; TensorFlow's whole answer is ~1 MB

# The target runs isolated: none of its modules may come from the working directory or
# PYTHONPATH (a `json.py` there would run). `-I` on Python 3.4+; older ones do not know it and get
# `-E -s` (ISOLATE_OLD), where `-c` still puts '' first on sys.path: the guard drops it before
# any import (sys is built in).
ISOLATE = ("-I",)
ISOLATE_OLD = ("-E", "-s")

# Runs first on any interpreter, Python 2 included, so an old one is recognised, not crashed on.
_GUARD = """\
import sys
if sys.path and sys.path[0] in ("", "."):
    del sys.path[0]
if sys.version_info < {min!r}:
    sys.stdout.write("\\n{begin}\\n" + '{{"unsupported_python": "%d.%d.%d"}}' % tuple(sys.version_info[:3]) + "\\n{end}\\n")
else:
    {load}
    exec(code, {{"__name__": "__tfdoctor_probe__"}})
"""
# The probe file through the import system's loader: a target of tfdoctor's own Python version
# reuses the byte-code compiled at install time (compiling the probe is ~10 ms of a ~60 ms probe);
# any other version compiles it, writing nothing (PYTHONDONTWRITEBYTECODE is set for the probe).
_LOAD_FILE = (
    "from importlib.machinery import SourceFileLoader; "
    'code = SourceFileLoader("__tfdoctor_probe__", {path}).get_code("__tfdoctor_probe__")'
)
_LOAD_SOURCE = 'code = compile({source}, "<tfdoctor-probe:{name}>", "exec")'


class Interpreter(namedtuple("Interpreter", "executable given why", defaults=("",))):
    """The interpreter to examine (``executable``, resolved), how the user named it (``given``,
    None when tfdoctor chose it) and, when it chose, why (``why``: the first line of a report).

    Everything this module imports is light on purpose: the probe should start before anything
    slow (dataclasses, typing, pathlib) is imported."""

    executable: str
    given: str | None
    why: str

    @property
    def label(self) -> str:
        return self.executable


def probe_path(name: str) -> str:
    return os.path.join(os.path.dirname(__file__), "probe", f"{name}.py")


def probe_source(name: str) -> str:
    with open(probe_path(name), encoding="utf-8") as handle:
        return handle.read()


def probe_program(name: str, from_file: bool = False) -> str:
    """The probe ``name`` behind the version guard: the probe's whole source (for ``python -``
    on standard input), or with ``from_file`` a few lines that load the probe file (``-c``)."""
    if from_file:
        load = _LOAD_FILE.format(path=ascii(probe_path(name)))
    else:
        load = _LOAD_SOURCE.format(source=ascii(probe_source(name)), name=name)
    return _GUARD.format(min=MIN_TARGET, begin=BEGIN, end=END, load=load)


def resolve(python: str | None) -> Interpreter:
    """Turn ``--python`` (interpreter, venv folder or conda env folder) into an interpreter path."""
    if python is None:
        return active()
    path = os.path.expanduser(python)
    islink = os.path.islink
    if not os.path.exists(path) and not islink(path):
        raise UsageError(
            f"{python}: no such file or folder; pass a Python interpreter, a venv folder "
            "or a conda env folder"
        )
    if os.path.isdir(path):
        candidates = [
            os.path.join(path, "bin", "python"),
            os.path.join(path, "bin", "python3"),
            os.path.join(path, "Scripts", "python.exe"),
            os.path.join(path, "python.exe"),
        ]
        for candidate in candidates:
            if islink(candidate) and not os.path.exists(candidate):
                raise UsageError(_broken_venv_message(path, candidate))
            if os.path.isfile(candidate):
                return Interpreter(executable=_resolved(candidate), given=python)
        raise UsageError(
            f"{python} is a folder but not a Python environment (no bin/python in it); "
            "pass a venv or conda env folder, or the interpreter itself"
        )
    if islink(path) and not os.path.exists(path):
        folder = os.path.dirname(os.path.abspath(path))
        if os.path.basename(folder) in ("bin", "Scripts"):
            raise UsageError(_broken_venv_message(os.path.dirname(folder), python))
        raise UsageError(
            f"{python} is a symbolic link to {os.readlink(path)}, {_why_dangling(path)}; pass a "
            "Python interpreter, a venv folder or a conda env folder"
        )
    if not os.access(path, os.X_OK):
        raise UsageError(f"{python} is not an executable file; pass a Python interpreter")
    return Interpreter(executable=_resolved(path), given=python)


def _resolved(path: str) -> str:
    """An absolute path without `..` or links in its folders; the interpreter's own name is kept
    (a venv's bin/python is a link to the base interpreter, which is another environment)."""
    folder, name = os.path.split(os.path.abspath(path))
    return os.path.join(os.path.realpath(folder), name)


def active() -> Interpreter:
    """The environment the user means when no --python is given: the activated venv, else the
    activated conda env, else the python3 (or python) first on PATH, else tfdoctor's own."""
    for var, what in (
        ("VIRTUAL_ENV", "virtual environment"),
        ("CONDA_PREFIX", "conda environment"),
    ):
        folder = os.environ.get(var)
        if folder:
            try:
                found = resolve(folder)
            except UsageError as exc:
                raise UsageError(f"${var} names {folder}, which is not usable: {exc}") from None
            return Interpreter(found.executable, None, f"the active {what} (${var})")
    for name in ("python3", "python"):
        for folder in os.environ.get("PATH", "").split(os.pathsep):
            candidate = os.path.join(folder or ".", name)
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return Interpreter(_resolved(candidate), None, f"{name}, the first on PATH")
    return Interpreter(
        sys.executable, None, "tfdoctor's own interpreter: no active environment, no python on PATH"
    )


def is_own(prefix: str) -> bool:
    """Whether ``prefix`` is the environment tfdoctor itself runs in."""
    return os.path.realpath(prefix) == os.path.realpath(sys.prefix)


def _why_dangling(link: str) -> str:
    import errno

    try:
        os.stat(link)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "which leads back to itself"
    return "which does not exist"


def _broken_venv_message(venv: str, interpreter: str) -> str:
    from tfdoctor.shellwords import word

    settings = {}
    cfg = os.path.join(venv, "pyvenv.cfg")
    if os.path.isfile(cfg):
        with open(cfg, encoding="utf-8", errors="replace") as handle:
            for line in handle.read().splitlines():
                key, _, value = line.partition("=")
                settings[key.strip()] = value.strip()
    home = settings.get("home", "")
    gone = f"its base interpreter in {home} is gone" if home else "its interpreter link is broken"
    # the Python it was made with, when pyvenv.cfg says (venv: version, uv: version_info)
    version = ".".join(
        (settings.get("version") or settings.get("version_info") or "").split(".")[:2]
    )
    python = f"python{version}" if version.replace(".", "").isdigit() else "python3"
    return (
        f"the virtual environment {venv} is broken: {gone} ({interpreter} points nowhere); "
        f"recreate it (`{python} -m venv --clear {word(venv)}`) or try `tfdoctor new`"
    )


class RunningProbe:
    """A probe started in the target; the caller can do other work before ``result()``."""

    def __init__(
        self,
        target: Interpreter,
        name: str = "static",
        timeout: float = PROBE_TIMEOUT_S,
        full_scan: bool = False,
    ):
        self.target = target
        self.timeout = timeout
        self._name = name
        self._env = {
            **os.environ,
            "PYTHONDONTWRITEBYTECODE": "1",
            "TFDOCTOR_FULL_SCAN": "1" if full_scan else "0",
        }
        self._child = self._start(ISOLATE)

    def _start(self, isolate: tuple[str, ...]) -> Child:
        self._isolate = isolate
        argv = [self.target.executable, *isolate, "-c", probe_program(self._name, from_file=True)]
        try:
            return Child(argv, env=self._env, limit=PROBE_OUTPUT_LIMIT)
        except OSError as exc:
            raise UsageError(
                f"{self.target.label} cannot be run ({exc.strerror}); is it a Python interpreter?"
            ) from exc

    def close(self) -> None:
        """Stop a probe whose answer is no longer wanted."""
        self._child.kill()

    def result(self) -> dict[str, object]:
        label = self.target.label
        answer = self._child.wait(self.timeout)
        if answer is None:
            self._child.kill()
            raise UsageError(
                f"{label} did not answer within {self.timeout:.0f} s; is it a Python interpreter?"
            )
        out, err, returncode = answer
        if self._child.overflow:
            raise UsageError(
                f"{label} wrote more than {PROBE_OUTPUT_LIMIT >> 20} MiB instead of the probe's "
                "answer and was stopped; is it a Python interpreter?"
            )
        old = b"Unknown option: -I" in err and BEGIN.encode() not in out  # Python < 3.4
        if old and self._isolate == ISOLATE:
            self._child = self._start(ISOLATE_OLD)
            return self.result()
        return _parse(label, out, err, returncode)


def _parse(label: str, out: bytes, err: bytes, returncode: int) -> dict[str, object]:
    stdout = out.decode("utf-8", errors="replace")
    start = stdout.rfind(BEGIN)
    stop = stdout.rfind(END)
    if start < 0 or stop < start:
        stderr = err.decode("utf-8", errors="replace").strip().splitlines()
        detail = stderr[-1][:200] if stderr else f"exit status {returncode}"
        if "import sys" in detail or BEGIN in detail:
            # a program that quotes its argument back (ls: cannot access 'import sys...'):
            # what it said, without the probe's source it was given
            said = detail.split("'", 1)[0].split('"', 1)[0].rstrip(" :")
            detail = f"{said}: it was given the probe's code" if said else "it ran no Python"
        raise UsageError(f"{label} is not a working Python interpreter ({detail})")
    import json

    try:
        data: dict[str, object] = json.loads(stdout[start + len(BEGIN) : stop])
    except ValueError as exc:
        raise UsageError(f"{label}: the probe's answer could not be read ({exc})") from exc
    if not isinstance(data, dict) or not (data.get("probe") == 1 or "unsupported_python" in data):
        raise UsageError(
            f"{label} answered with something other than tfdoctor's probe document; "
            "is it a Python interpreter?"
        )
    old = data.get("unsupported_python")
    if old:
        raise UsageError(
            f"{label} is Python {old}; tfdoctor examines Python 3.7 or newer: point --python "
            "at an environment with Python 3.9 or newer (what current TensorFlow releases need)"
        )
    return data


def run_probe(
    target: Interpreter, name: str = "static", timeout: float = PROBE_TIMEOUT_S
) -> dict[str, object]:
    """Run a probe script inside the target interpreter and return its JSON document."""
    return RunningProbe(target, name, timeout).result()


def load_snapshot(python: str | None) -> Snapshot:
    """Resolve ``--python`` and return the facts of that environment. Never changes it."""
    from tfdoctor.snapshot import Snapshot

    return Snapshot.from_probe(run_probe(resolve(python)))
