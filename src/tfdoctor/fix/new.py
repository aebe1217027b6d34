"""``tfdoctor new``: a clean environment with a known-good set, proven by the smoke test, and a
pinned ``requirements.lock`` so the same set can be rebuilt anywhere."""

from __future__ import annotations

import contextlib
import platform
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tfdoctor import shellwords
from tfdoctor.errors import UsageError
from tfdoctor.fix import activate, envlock
from tfdoctor.fix.executor import Say, _run, verify
from tfdoctor.fix.into import check_new_folder
from tfdoctor.fix.planner import NEVER, newest_of_minor
from tfdoctor.fix.resolver import find_uv
from tfdoctor.kb import KnowledgeBase, TFRelease
from tfdoctor.kb import requirements as kbreq
from tfdoctor.pep508 import canonical
from tfdoctor.target import MIN_TARGET

LOCK = "requirements.lock"
REBUILD_UV = (
    "uv venv --python {py} NEWDIR && "
    "uv pip install --python NEWDIR/bin/python --no-deps -r requirements.lock"
)
REBUILD_PIP = (
    "python{py} -m venv NEWDIR && NEWDIR/bin/python -m pip install --no-deps -r requirements.lock"
)


@dataclass(frozen=True)
class Choice:
    """What the new environment will hold."""

    python: str  # "3.12"
    interpreter: str  # what to hand to uv venv / to run -m venv with
    release: TFRelease
    variant: str  # tensorflow-cpu | tensorflow | tensorflow[and-cuda]
    requirements: tuple[str, ...]
    legacy: bool  # Keras 2 code through tf-keras + TF_USE_LEGACY_KERAS=1
    overrides: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "python": self.python,
            "tensorflow": f"{self.variant}=={self.release.version}",
            "requirements": list(self.requirements),
            "legacy_keras": self.legacy,
        }


@dataclass
class NewResult:
    status: str  # verified | failed
    folder: str
    choice: Choice
    lock: str = ""
    message: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    verification: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "folder": self.folder,
            **self.choice.to_json(),
            "lock": self.lock,
            "message": self.message,
            "timings": {k: round(v, 2) for k, v in self.timings.items()},
            "verification": self.verification,
        }


def python_version(python: str | None) -> tuple[str, str]:
    """(minor version, what to create the venv from) for --python VERSION|PATH|None."""
    if python is None:
        return f"{sys.version_info[0]}.{sys.version_info[1]}", sys.executable
    if re.fullmatch(r"\d+\.\d+(\.\d+)?", python):
        return ".".join(python.split(".")[:2]), python
    ask = "import sys; print('%d.%d' % sys.version_info[:2])"  # Python 2 too
    try:
        proc = subprocess.run([python, "-I", "-c", ask], capture_output=True, text=True)
        if proc.returncode != 0 and "Unknown option: -I" in proc.stderr:  # before Python 3.4
            proc = subprocess.run([python, "-E", "-s", "-c", ask], capture_output=True, text=True)
    except OSError:
        proc = None
    if proc is None or proc.returncode != 0 or not proc.stdout.strip():
        raise UsageError(f"--python {python}: not a Python version (3.12) or a working interpreter")
    return proc.stdout.strip(), python


def _nearest(options: list[str], wanted: str) -> str:
    """The option closest to ``wanted`` (the newer of two as close), across major versions too:
    3.13 for 4.0, 3.7 for 2.7."""

    def rank(minor: str) -> int:
        major, number = kbreq.minor_key(minor)[:2]
        return major * 100 + number

    return min(options, key=lambda p: (abs(rank(p) - rank(wanted)), -rank(p)))


def _makeable(pythons: list[str] | tuple[str, ...]) -> list[str]:
    """The Pythons `new` can make an environment with: those tfdoctor examines (its smoke test
    is `check --deep`), Python 3.7 and newer."""
    return [p for p in pythons if kbreq.minor_key(p)[:2] >= MIN_TARGET]


def choose(
    kb: KnowledgeBase,
    python: str | None,
    tensorflow: str | None,
    keras: int | None,
    gpu: bool,
    system: str | None = None,
) -> Choice:
    py, interpreter = python_version(python)
    pythons = _makeable(kb.supported_pythons())
    if kbreq.minor_key(py)[:2] < MIN_TARGET:
        near = _nearest(pythons, py)
        best = kb.newest_tensorflow_for_python(near)
        which = "Python 2" if kbreq.minor_key(py)[0] == 2 else f"Python {py}"
        raise UsageError(
            f"{which} is not supported: tfdoctor makes and examines environments with Python "
            f"{'.'.join(map(str, MIN_TARGET))} or newer; nearest working choice: --python {near}"
            + (f" (TensorFlow {best.version})" if best else "")
        )
    if tensorflow:
        release = newest_of_minor(kb, tensorflow, py)
        if release is None:
            minor_release = newest_of_minor_any(kb, tensorflow)
            if minor_release is None:
                raise UsageError(
                    f"TensorFlow {tensorflow} is not a known release "
                    f"(known: {', '.join(kb.tensorflow_minors())})"
                )
            near = _nearest(_makeable(minor_release.pythons) or pythons, py)
            other = kb.newest_tensorflow_for_python(py)
            alt = f", or --tensorflow {other.minor} for Python {py}" if other else ""
            raise UsageError(
                f"TensorFlow {tensorflow} supports Python {', '.join(minor_release.pythons)}, not "
                f"{py}; nearest working choice: --python {near}{alt}"
            )
    else:
        found = kb.newest_tensorflow_for_python(py)
        if found is None:
            near = _nearest(pythons, py)
            best = kb.newest_tensorflow_for_python(near)
            raise UsageError(
                f"no TensorFlow release supports Python {py}; nearest working choice: "
                f"--python {near}" + (f" (TensorFlow {best.version})" if best else "")
            )
        release = found
    if keras == 3 and release.keras_line == 2:
        raise UsageError(
            f"Keras 3 needs TensorFlow {kb.keras_line_starts(3)} or newer; TensorFlow "
            f"{release.minor} uses Keras 2 (drop --keras 3, or pick --tensorflow "
            f"{kb.keras_line_starts(3)} or newer)"
        )
    legacy = keras == 2 and release.keras_line == 3
    system = system or platform.system()
    if gpu and system == "Linux":
        variant = "tensorflow[and-cuda]"
    elif system == "Linux":
        variant = "tensorflow-cpu"
    else:
        variant = "tensorflow"
    reqs = [f"{variant}=={release.version}"]
    if release.keras_requirement:
        reqs.append(f"keras{release.keras_requirement}")
    for name in ("numpy", "protobuf"):
        spec = release.spec(name, python=py)
        if spec:
            reqs.append(f"{name}{spec}")
    overrides: tuple[str, ...] = ()
    if legacy:
        reqs.append(f"tf-keras{release.tf_keras_spec}")
        if not variant.startswith("tensorflow[") and variant != "tensorflow":
            overrides = (f"tensorflow ; {NEVER}",)  # tf-keras declares `tensorflow`
    return Choice(py, interpreter, release, variant, tuple(reqs), legacy, overrides)


def newest_of_minor_any(kb: KnowledgeBase, minor: str) -> TFRelease | None:
    for version in reversed(kb.tensorflow_versions()):
        if version == minor or version.startswith(minor + "."):
            return kb.tensorflow(version)
    return None


def create(
    choice: Choice, folder: Path, say: Say, smoke: bool = True, pip: bool = True
) -> NewResult:
    """Build the environment in ``folder`` (new or empty) under its lock; ``pip``: give it pip,
    as ``python -m venv`` does, so that `pip install` after `activate` goes into it."""
    check_new_folder(folder, "`tfdoctor new`")
    uv = find_uv()
    if not pip and not uv:
        raise UsageError("--no-pip needs uv to install into the environment (uv was not found)")
    existed = folder.exists()
    with envlock.hold(folder, "new"):
        check_new_folder(folder, "`tfdoctor new`", locked=True)  # again, now that no one else can
        result = _create(choice, folder, say, smoke, pip, uv)
    if not existed and result.status == "failed" and _only_the_lock(folder):
        # nothing was made but the lock: leave no folder behind for a run that made nothing
        shutil.rmtree(folder / envlock.FOLDER, ignore_errors=True)
        with contextlib.suppress(OSError):
            folder.rmdir()
    return result


def _only_the_lock(folder: Path) -> bool:
    try:
        return all(entry.name == envlock.FOLDER for entry in folder.iterdir())
    except OSError:
        return False


def _installed_python(uv: str, version: str) -> str:
    """An interpreter of ``version`` ("3.9") that this machine has: uv's (PATH, uv-managed),
    else pyenv's newest of that minor; "" when none (uv venv would then try to download one)."""
    found = subprocess.run(
        [uv, "python", "find", "--no-python-downloads", version],
        capture_output=True,
        text=True,
        check=False,
    )
    if found.returncode == 0 and found.stdout.strip():
        return found.stdout.strip()
    try:
        bare = subprocess.run(
            ["pyenv", "versions", "--bare"], capture_output=True, text=True, check=True
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return ""
    mine = [v for v in bare if re.fullmatch(rf"{re.escape(version)}(\.\d+)?", v)]
    if not mine:
        return ""
    newest = max(mine, key=lambda v: [int(part) for part in v.split(".")])
    try:
        prefix = subprocess.run(
            ["pyenv", "prefix", newest], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""
    python = Path(prefix) / "bin" / "python"
    return str(python) if python.is_file() else ""


def _create(
    choice: Choice, folder: Path, say: Say, smoke: bool, pip: bool, uv: str | None
) -> NewResult:
    result = NewResult(status="failed", folder=str(folder), choice=choice)
    python = str(folder / "bin" / "python")
    t0 = time.perf_counter()
    if uv:
        interpreter = choice.interpreter
        if re.fullmatch(r"\d+\.\d+(\.\d+)?", interpreter):
            interpreter = _installed_python(uv, interpreter) or interpreter
        cmd = [uv, "venv", "--quiet", "--allow-existing", "--python", interpreter]
        error = _run([*cmd, str(folder)], say)
    else:
        error = _run([_interpreter_for_venv(choice), "-m", "venv", str(folder)], say)
    result.timings["create"] = time.perf_counter() - t0
    if error:
        result.message = f"could not create the environment: {error}"
        return result
    t0 = time.perf_counter()
    error = _install(uv, python, choice, folder, say, pip)
    result.timings["install"] = time.perf_counter() - t0
    if error:
        result.message = f"the install failed: {error}"
        return result
    if choice.legacy:
        activate.persist_legacy_keras(str(folder), conda=False)
    result.lock = str(write_lock(uv, python, choice, folder))
    if smoke:
        t0 = time.perf_counter()
        env = {"TF_USE_LEGACY_KERAS": "1"} if choice.legacy else {}
        ok, summary = verify(python, env, set())
        result.timings["smoke"] = time.perf_counter() - t0
        result.verification = summary
        if not ok:
            result.message = "the smoke test failed: " + "; ".join(summary["blocking"])
            return result
    # without the smoke test nothing ran in it: built, not verified
    result.status = "verified" if smoke else "created"
    line = shellwords.source_line(str(folder / "bin" / "activate"))
    result.message = (
        f"created {folder}"
        + ("" if smoke else " (not verified: --no-smoke)")
        + f"; use it with `{line}`"
        + (" (the activate scripts set TF_USE_LEGACY_KERAS=1)" if choice.legacy else "")
    )
    return result


def _interpreter_for_venv(choice: Choice) -> str:
    if not re.fullmatch(r"\d+\.\d+(\.\d+)?", choice.interpreter):
        return choice.interpreter

    found = shutil.which(f"python{choice.python}")
    if found is None:
        raise UsageError(f"no python{choice.python} on PATH (and uv is not installed to find one)")
    return found


def _install(uv: str | None, python: str, choice: Choice, folder: Path, say: Say, pip: bool) -> str:
    reqs = list(choice.requirements)
    if uv:
        if pip:
            reqs.append("pip")  # what `python -m venv` gives, from the same resolution
        cmd = [uv, "pip", "install", "--python", python]
        if choice.overrides:
            path = folder / ".tfdoctor-overrides.txt"
            path.write_text("\n".join(choice.overrides) + "\n", encoding="utf-8")
            cmd += ["--override", str(path)]
        error = _run(cmd + reqs, say)
        if choice.overrides:
            (folder / ".tfdoctor-overrides.txt").unlink()
        return error
    pip_install = [python, "-I", "-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
    later = [r for r in reqs if r.startswith("tf-keras")] if choice.overrides else []
    error = _run(pip_install + [r for r in reqs if r not in later], say)
    if not error and later:
        error = _run([*pip_install, "--no-deps", *later], say)
    return error


def write_lock(uv: str | None, python: str, choice: Choice, folder: Path) -> Path:
    if uv:
        cmd = [uv, "pip", "freeze", "--python", python]
    else:
        cmd = [python, "-I", "-m", "pip", "freeze", "--all", "--disable-pip-version-check"]
    frozen = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    pins = "".join(_normalised(line) + "\n" for line in frozen.splitlines() if line.strip())
    lines = [
        f"# made by `tfdoctor new` for Python {choice.python} on {platform.system()} "
        f"{platform.machine()}: {choice.variant}=={choice.release.version}",
        f"# asked the resolver for: {' '.join(choice.requirements)}",
        "# the exact set (no resolution needed) can be rebuilt anywhere, with uv:",
        "#   " + REBUILD_UV.format(py=choice.python),
        "# or with pip:",
        "#   " + REBUILD_PIP.format(py=choice.python),
    ]
    if choice.legacy:
        lines.append("# and run with TF_USE_LEGACY_KERAS=1 (Keras 2 through tf-keras)")
    path = folder / LOCK
    path.write_text("\n".join(lines) + "\n" + pins, encoding="utf-8")
    return path


def _normalised(line: str) -> str:
    """``tensorflow_cpu==2.21.0`` (pip) -> ``tensorflow-cpu==2.21.0`` (uv, PEP 503)."""
    name, sep, version = line.partition("==")
    if sep and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name.strip()):
        return f"{canonical(name.strip())}=={version.strip()}"
    return line
