"""Build one cell with uv, run the cell probe in its interpreter, return the record, delete it."""

from __future__ import annotations

import datetime
import fcntl
import functools
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import tempfile
import time
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tfdoctor import __version__
from tfdoctor.matrix.spec import Cell, Stage
from tfdoctor.pep508 import canonical

if TYPE_CHECKING:
    from tfdoctor.lint.api_changes import ApiChange

MARKER = ".tfdoctor-matrix-base"

EVENT = "@@TFDOCTOR-EVENT@@ "
# distributions whose versions a record keeps (the rest of the environment follows from them)
RECORDED = (
    "tensorflow", "tensorflow-cpu", "tensorflow-intel", "keras", "keras-nightly", "tf-keras",
    "numpy", "protobuf", "ml-dtypes", "h5py", "tensorboard", "transformers",
    "tensorflow-probability", "tensorflow-text", "keras-hub", "jax", "torch", "tensorflow-hub",
)  # fmt: skip
# fields that differ between two runs of the same cell (timings, dates, where it ran)
VOLATILE = ("built", "seconds", "node")


def uv_binary() -> str:
    try:
        from uv import find_uv_bin

        return str(find_uv_bin())
    except (ImportError, FileNotFoundError):
        found = shutil.which("uv")
        if found is None:
            raise RuntimeError("tfdoctor matrix needs uv: pip install uv") from None
        return found


def interpreter(minor: str) -> str:
    """pyenv's CPython of this minor when there is one, else the minor for uv to find."""
    try:
        out = subprocess.run(
            ["pyenv", "versions", "--bare"], capture_output=True, text=True, check=True
        ).stdout.split()
        matches = [v for v in out if v.startswith(minor + ".")]
        if matches:
            prefix = subprocess.run(
                ["pyenv", "prefix", matches[-1]], capture_output=True, text=True, check=True
            ).stdout.strip()
            return str(Path(prefix) / "bin" / "python")
    except (OSError, subprocess.CalledProcessError):
        pass
    return minor


def probe_source() -> str:
    files = resources.files("tfdoctor.probe")
    runtime = (files / "runtime.py").read_text(encoding="utf-8").rstrip()
    if not runtime.endswith("main()"):
        raise RuntimeError("probe/runtime.py no longer ends with main()")
    cell = (files / "matrix_cell.py").read_text(encoding="utf-8")
    return runtime[: -len("main()")] + "\n" + cell


_DOTTED = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")


def api_plan(cell: Cell) -> list[dict[str, Any]]:
    """The api_changes.json entries as checks: standalone keras, tf.keras and tf_keras apart."""
    if not cell.api:
        return []
    from tfdoctor.lint.api_changes import load_api_data
    from tfdoctor.lint.tf_added import load_added_names

    impls = ["keras", "tf.keras"]
    if any(p.startswith("tf-keras") for s in cell.stages for p in s.packages):
        impls.append("tf_keras")
    prefix = {"keras": "keras", "tf.keras": "tensorflow.keras", "tf_keras": "tf_keras"}
    checks: list[dict[str, Any]] = []
    for change in load_api_data().changes:
        if change.package == "tensorflow":
            checks.append({"key": change.id, "kind": "name", "path": change.old})
            if (
                _DOTTED.match(change.replacement)
                and change.replacement.startswith("tensorflow.")
                # TensorFlow 1.0's renames name TF 1.x replacements (tf.summary.merge_all) that
                # TensorFlow 2.0 dropped in turn: nothing to prove in the TF 2 cells
                and not load_added_names().gone_in(change.replacement)
            ):
                # the replacement is written as code reaches it: tf.distribute.Server
                path = change.replacement
                checks.append(
                    {"key": f"{change.id}#replacement", "kind": "attribute", "path": path}
                )
            continue
        for impl in impls:
            path = prefix[impl] + change.old[len("keras") :]
            key = f"{change.id}@{impl}"
            if change.kind == "name":
                checks.append({"key": key, "kind": "name", "path": path})
                new = change.replacement
                if (
                    _DOTTED.match(new)
                    and new.startswith("keras.")
                    and not change.replacement_from_package
                ):
                    path = prefix[impl] + new[len("keras") :]
                    checks.append({"key": f"{key}#replacement", "kind": "name", "path": path})
            elif change.kind == "method":
                model = prefix[impl] + ".Sequential"
                checks.append({"key": key, "kind": "method", "path": model, "method": change.old})
            else:
                value = _derived_value(change) if change.derived_by else 3
                checks.append(_keyword_check(key, path, change.keyword, value))
    return checks


def _derived_value(change: ApiChange) -> Any:
    """The value scripts/keras_keywords.py passed for the keyword when it derived the entry
    (kb/data/keras_keywords.json: the default, or what a Keras 2 user passes)."""
    classes = _keras2_keywords()
    return classes.get(change.old.rsplit(".", 1)[-1], {}).get(change.keyword, 3)


@functools.lru_cache(maxsize=1)
def _keras2_keywords() -> dict[str, dict[str, Any]]:
    page = resources.files("tfdoctor").joinpath("kb").joinpath("data")
    data = json.loads(page.joinpath("keras_keywords.json").read_text("utf-8"))
    classes: dict[str, dict[str, Any]] = data["keras2"]["classes"]
    return classes


def _keyword_check(key: str, path: str, keyword: str, value: Any = 3) -> dict[str, Any]:
    if keyword == "lr":
        return {"key": key, "kind": "keyword", "path": path + ".Adam", "keyword": "lr",
                "value": 0.25, "attr": "learning_rate"}  # fmt: skip
    if keyword == "decay":  # an optimizer's: kept as its `decay` where it is honoured
        return {"key": key, "kind": "keyword", "path": path + ".SGD", "keyword": "decay",
                "value": 0.25, "attr": "decay"}  # fmt: skip
    # a layer is built with the arguments its class requires (probe/matrix_cell.required_args)
    return {"key": key, "kind": "keyword", "path": path, "keyword": keyword, "value": value,
            "required": LAYER_ARGUMENTS}  # fmt: skip


# Values for the required constructor arguments of Keras layers, by parameter name: those of
# scripts/keras_keywords.py (which derived the keyword entries by building layers with them;
# tests/test_matrix.py keeps the two equal), without the ones that are objects (a layer, a cell,
# a function): such classes cannot be built from JSON and their keyword checks say nothing.
LAYER_ARGUMENTS: dict[str, Any] = {
    "units": 2, "filters": 2, "kernel_size": 3, "rate": 0.1, "pool_size": 2, "size": 2,
    "cropping": 1, "padding": 1, "target_shape": [2], "dims": [1], "n": 2, "num_heads": 2,
    "key_dim": 2, "axis": -1, "stddev": 0.1, "input_dim": 10, "output_dim": 2, "height": 2,
    "width": 2, "scale": 1.0, "factor": 0.1, "max_tokens": 10, "num_tokens": 10, "num_bins": 2,
    "depth_multiplier": 1, "activation": "relu", "axes": 1, "equation": "ab,bc->ac",
    "output_shape": 2, "height_factor": 0.1, "width_factor": 0.1,
}  # fmt: skip


def _installed(env: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for meta in env.glob("lib/python3*/site-packages/*.dist-info/METADATA"):
        name = version = ""
        with open(meta, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith("Name:"):
                    name = canonical(line.split(":", 1)[1].strip())
                elif line.startswith("Version:"):
                    version = line.split(":", 1)[1].strip()
                if name and version:
                    break
        if name in RECORDED:
            found[name] = version
    return dict(sorted(found.items()))


def _pip(uv: str, env: Path, stage: Stage, flags: tuple[str, ...], work: Path) -> str | None:
    """One `uv pip install`; the verbatim error when it fails."""
    cmd = [uv, "pip", "install", "--quiet", "--compile-bytecode", *flags,
           "--python", str(env / "bin" / "python")]  # fmt: skip
    if stage.no_deps:
        cmd.append("--no-deps")
    if stage.overrides:
        over = work / f"overrides-{abs(hash(stage.overrides))}.txt"
        over.write_text("\n".join(stage.overrides) + "\n", encoding="utf-8")
        cmd += ["--override", str(over)]
    proc = subprocess.run([*cmd, *stage.packages], capture_output=True, text=True)
    if proc.returncode == 0:
        return None
    text = proc.stderr or proc.stdout
    if "unexpected argument" in text or "error: invalid value" in text:
        # uv did not understand the command: a fault of the grid, not a fact of the cell
        raise RuntimeError(f"uv rejected the install command: {text.strip()[:500]}")
    return text[-8000:]


def _venv(uv: str, python: str, env: Path) -> str | None:
    made = subprocess.run(
        [uv, "venv", "--quiet", "--clear", "--python", interpreter(python), str(env)],
        capture_output=True, text=True,
    )  # fmt: skip
    if made.returncode:
        # no interpreter, a folder in the way: a fault of this machine, not a fact of the cell
        raise RuntimeError(f"uv venv {env} failed: {(made.stderr or made.stdout).strip()[:500]}")
    return None


def _base(uv: str, cell: Cell, root: Path) -> tuple[Path | None, str | None]:
    """The cell's first stage (TensorFlow and what it pulls in), built once per node and run:
    the cells that vary it start from a hardlinked copy (uv and compileall only ever replace
    files, never write into them, so a copy never changes its base)."""
    bases = root / "bases"
    bases.mkdir(parents=True, exist_ok=True)
    blob = json.dumps([cell.python, cell.stages[0].packages, cell.flags]).encode()
    path = bases / hashlib.sha256(blob).hexdigest()[:16]
    with open(f"{path}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (path / MARKER).exists():
            shutil.rmtree(path, ignore_errors=True)
            work = Path(tempfile.mkdtemp(dir=bases))
            try:
                error = _venv(uv, cell.python, path) or _pip(
                    uv, path, cell.stages[0], cell.flags, work
                )
            finally:
                shutil.rmtree(work, ignore_errors=True)
            if error is not None:
                shutil.rmtree(path, ignore_errors=True)
                return None, error
            (path / MARKER).write_text(cell.label(), encoding="utf-8")
        os.utime(path / MARKER)
    _evict(bases, keep=path)
    return path, None


def _evict(bases: Path, keep: Path, most: int = 4) -> None:
    """Keep the disk in check: only the `most` bases used last stay (none that is in use)."""
    stamps = []
    for p in bases.iterdir():
        try:  # another worker may evict it meanwhile
            stamps.append(((p / MARKER).stat().st_mtime, p))
        except OSError:
            continue
    found = [p for _, p in sorted(stamps) if p != keep]
    for old in found[: max(0, len(found) - (most - 1))]:
        with open(f"{old}.lock", "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue
            (old / MARKER).unlink(missing_ok=True)
            shutil.rmtree(old, ignore_errors=True)


def _build(uv: str, cell: Cell, root: Path, env: Path, work: Path) -> str | None:
    while True:
        base, error = _base(uv, cell, root)
        if base is None:
            return error
        with open(f"{base}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_SH)
            if not (base / MARKER).exists():  # evicted meanwhile: build it again
                continue
            copied = subprocess.run(
                ["cp", "-al", str(base), str(env)], capture_output=True, text=True
            )
        break
    if copied.returncode != 0:
        raise RuntimeError(f"cannot copy {base}: {copied.stderr.strip()}")
    (env / MARKER).unlink()
    for stage in cell.stages[1:]:
        error = _pip(uv, env, stage, cell.flags, work)
        if error is not None:
            return error
    return None


_EXCEPTION = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt|Warning)\b|^error: ")


def _signature(error: str) -> str:
    """The exception line of a traceback (with its continuation lines), else the last line."""
    lines = error.strip().splitlines()
    for i in range(len(lines) - 1, -1, -1):
        if _EXCEPTION.match(lines[i]):
            text = " ".join(line.strip() for line in lines[i : i + 3] if line.strip())
            return text[:300]
    return lines[-1].strip()[:300] if lines else ""


def _anonymous(steps: list[dict[str, Any]], work: Path) -> None:
    """The cell's folder differs from run to run and node to node: errors name it <cell>."""
    for step in steps:
        if "error" in step:
            step["error"] = step["error"].replace(str(work), "<cell>")


def default_workdir() -> str:
    """Node-local: $TFDOCTOR_MATRIX_WORKDIR, else a folder in the temporary directory."""
    return os.environ.get("TFDOCTOR_MATRIX_WORKDIR") or os.path.join(
        tempfile.gettempdir(), "tfdoctor-matrix"
    )


def cleanup(workdir: str | None = None) -> None:
    """Remove the bases a run kept (its cells are removed as they finish)."""
    shutil.rmtree(Path(workdir or default_workdir()) / "bases", ignore_errors=True)


def run_cell(cell: Cell, workdir: str | None = None, timeout: float = 600) -> dict[str, Any]:
    """Build, probe and delete one cell; the record says what happened, step by step."""
    start = time.monotonic()
    base = workdir or default_workdir()
    Path(base).mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"cell-{cell.key()}-", dir=base))
    env = work / "env"
    steps: list[dict[str, Any]] = []
    installed: dict[str, str] = {}
    python_full = ""
    api: dict[str, str] = {}
    try:
        error = _build(uv_binary(), cell, Path(base), env, work)
        if error is not None:
            steps.append({"step": "install", "status": "fail", "error": error})
        else:
            steps.append({"step": "install", "status": "ok"})
            installed = _installed(env)
            python_full = _python_version(env)
            steps += _probe(cell, env, work, timeout)
            for s in steps:
                if s["step"] == "api checks" and s["status"] == "ok":
                    api = s.pop("detail", {}).get("results", {})
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _anonymous(steps, work)
    failed = next((s for s in steps if s["status"] != "ok"), None)
    return {
        "key": cell.key(),
        "family": cell.family,
        "label": cell.label(),
        "tensorflow": cell.tensorflow,
        "python": cell.python,
        "python_full": python_full,
        "platform": f"{platform.system().lower()}-{platform.machine()}",
        "axes": dict(cell.axes),
        "settings": dict(cell.settings),
        "cell": cell.content(),
        "installed": installed,
        "outcome": "fail" if failed else "pass",
        "failed_at": failed["step"] if failed else None,
        "error_signature": _signature(failed.get("error", "")) if failed else None,
        "steps": steps,
        "api": api,
        "tool": f"tfdoctor {__version__}",
        "built": datetime.date.today().isoformat(),
        "seconds": round(time.monotonic() - start, 1),
        "node": platform.node(),
    }


def probe_existing(env: Path, api: bool = True, timeout: float = 600) -> dict[str, Any]:
    """The cell probe on an environment that exists already (the test suite's own): a record
    of the same shape as a cell's, without building or deleting anything."""
    cell = Cell(family="existing", tensorflow="", python="", stages=(), api=api)
    work = Path(tempfile.mkdtemp(prefix="probe-", dir=tempfile.gettempdir()))
    try:
        steps = _probe(cell, env, work, timeout)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    api_results: dict[str, str] = {}
    for step in steps:
        if step["step"] == "api checks" and step["status"] == "ok":
            api_results = step.pop("detail", {}).get("results", {})
    failed = next((s for s in steps if s["status"] != "ok"), None)
    return {
        "key": f"existing:{env}",
        "installed": _installed(env),
        "outcome": "fail" if failed else "pass",
        "failed_at": failed["step"] if failed else None,
        "steps": steps,
        "api": api_results,
    }


def _python_version(env: Path) -> str:
    proc = subprocess.run(
        [str(env / "bin" / "python"), "-c", "import platform; print(platform.python_version())"],
        capture_output=True, text=True,
    )  # fmt: skip
    return proc.stdout.strip()


def _probe(cell: Cell, env: Path, work: Path, timeout: float) -> list[dict[str, Any]]:
    script = work / "cell_probe.py"
    script.write_text(probe_source(), encoding="utf-8")
    plan = work / "plan.json"
    plan.write_text(json.dumps({"checks": cell.checks, "api": api_plan(cell)}), encoding="utf-8")
    run_env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("KERAS_BACKEND", "TF_USE_LEGACY_KERAS", "PYTHONPATH", "VIRTUAL_ENV")
    }
    run_env.update(
        TFDOCTOR_CELL_PLAN=str(plan),
        KERAS_HOME=str(work / "keras-home"),  # never the user's ~/.keras/keras.json
        HOME=str(work),
        TF_CPP_MIN_LOG_LEVEL="2",
        CUDA_VISIBLE_DEVICES="",
        OMP_NUM_THREADS="1",
        TF_NUM_INTEROP_THREADS="1",
        TF_NUM_INTRAOP_THREADS="1",
        **dict(cell.settings),
    )
    steps: list[dict[str, Any]] = []
    try:
        proc = subprocess.run(
            [str(env / "bin" / "python"), str(script)], capture_output=True, text=True,
            timeout=timeout, env=run_env, cwd=work,
        )  # fmt: skip
        out, err, code = proc.stdout, proc.stderr, proc.returncode
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout if isinstance(exc.stdout, str) else (exc.stdout or b"").decode()
        err, code = f"timed out after {timeout:.0f} s", None
    done = False
    for line in out.splitlines():
        if not line.startswith(EVENT):
            continue
        event = json.loads(line[len(EVENT) :])
        if event.get("event") == "done":
            done = True
        elif event.get("event") == "end":
            entry = {"step": event["step"], "status": event["status"]}
            if event["status"] == "ok":
                if event["step"] in ("resolve tf.keras", "api checks"):
                    entry["detail"] = event.get("detail", {})
            else:
                entry["error"] = event.get("error", "")
            steps.append(entry)
    if not done:
        error = (err or "")[-8000:] or f"the probe exited with status {code}"
        steps.append({"step": "probe finished", "status": "fail", "error": error})
    return steps


def stable(record: dict[str, Any]) -> dict[str, Any]:
    """The record without what differs between two runs of the same cell."""
    return {k: v for k, v in record.items() if k not in VOLATILE}
