"""Variables that must be set wherever the environment runs, written into its activate scripts.

``--keras 2`` on a Keras 3 TensorFlow works only with ``TF_USE_LEGACY_KERAS=1``; a line printed
once is lost with the shell. The variable goes into each activate script the environment has
(bash/zsh ``bin/activate``, fish, csh) and, in a conda environment, into ``etc/conda/activate.d``
(with its ``deactivate.d`` counterpart). Scripts are replaced (new file + rename), never written
in place, so the fix's snapshot keeps the old ones and a rollback puts them back.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from tfdoctor.fix.plan import Plan

LEGACY = "TF_USE_LEGACY_KERAS"
MARK = "# tfdoctor: tf.keras is tf-keras (Keras 2) in this environment"
_VENV_SCRIPTS = {
    "bin/activate": "export {name}={value}",
    "bin/activate.fish": "set -gx {name} {value}",
    "bin/activate.csh": "setenv {name} {value}",
}
_CONDA_SCRIPTS = {
    "etc/conda/activate.d/tfdoctor-legacy-keras.sh": "export {name}={value}",
    "etc/conda/activate.d/tfdoctor-legacy-keras.csh": "setenv {name} {value}",
    "etc/conda/activate.d/tfdoctor-legacy-keras.fish": "set -gx {name} {value}",
    "etc/conda/deactivate.d/tfdoctor-legacy-keras.sh": "unset {name}",
    "etc/conda/deactivate.d/tfdoctor-legacy-keras.csh": "unsetenv {name}",
    "etc/conda/deactivate.d/tfdoctor-legacy-keras.fish": "set -e {name}",
}


def wants_legacy(plan: Plan) -> bool:
    """The plan ends with Keras 2 code through tf-keras: TF_USE_LEGACY_KERAS=1 must stay set."""
    if plan.environ.get(LEGACY) == "1":
        return True
    return plan.intent.keras == 2 and any(p.startswith("tf-keras==") for p in plan.final_pins)


def scripts(prefix: str, conda: bool) -> list[Path]:
    """The scripts the variable goes into (those of a venv that exist; conda's are made)."""
    found = [Path(prefix, rel) for rel in _VENV_SCRIPTS if Path(prefix, rel).is_file()]
    if conda:
        found += [Path(prefix, rel) for rel in _CONDA_SCRIPTS]
    return found


def missing(prefix: str, conda: bool) -> list[Path]:
    """Scripts that do not set the variable yet."""
    return [p for p in scripts(prefix, conda) if not _has_mark(p)]


def persist_legacy_keras(prefix: str, conda: bool) -> list[Path]:
    """Write ``TF_USE_LEGACY_KERAS=1`` into every script that lacks it; returns those written."""
    written = []
    for path in missing(prefix, conda):
        rel = path.relative_to(prefix).as_posix()
        line = (_VENV_SCRIPTS.get(rel) or _CONDA_SCRIPTS[rel]).format(name=LEGACY, value="1")
        old = path.read_text(encoding="utf-8") if path.is_file() else ""
        sep = "" if not old or old.endswith("\n") else "\n"
        _replace(path, f"{old}{sep}{MARK}\n{line}\n")
        written.append(path)
    return written


def _has_mark(path: Path) -> bool:
    try:
        return MARK in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def _replace(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
