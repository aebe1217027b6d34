"""What the paths in a traceback say: which package's code ran, which Keras, which environment.

A frame line names a file (``File "/env/lib/python3.11/site-packages/keras/src/models/model.py",
line 3``, IPython's ``/env/lib/python3.7/site-packages/keras/engine/training.py in fit(...)``,
Colab's ``[/usr/local/lib/python3.10/dist-packages/keras/...](https://localhost:8080/#) in add``,
autograph's ``.../keras/engine/base_layer.py:1030 __call__``). From its path:

* the top-level package whose code it is (``keras``, ``tensorflow``, ``tf_keras``,
  ``transformers``...), or none for the user's own files;
* which Keras implementation that is (``keras/src`` is Keras >= 2.13, ``keras/api/_v2`` is
  Keras 2 serving ``tf.keras``, ``tensorflow/python/keras`` is the Keras bundled in TensorFlow
  <= 2.5, ``keras/backend/tensorflow_backend.py`` is multi-backend Keras <= 2.3...);
* the environment: the folder before ``lib/pythonX.Y/site-packages`` (a venv, a conda env, the
  system Python for ``dist-packages``), its Python version, and conda or not;
* a file named ``tensorflow.py`` / ``keras.py`` outside site-packages (a local file shadowing the
  package).

Everything here works on the line's ``norm`` form (Windows separators turned into ``/``) and
uses ``str.find`` and short anchored expressions only, so a 4,096-character line costs linear time.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_PACKAGES = "-packages/"
_LIB = re.compile(r"/(?:lib|Lib|lib64)(?:/python(\d(?:\.\d{1,2})?))?/$")
_PATH_STOP = " \t\"'([<=,;|"
_PATH_END = re.compile(r"[\s\"'),:;\]|]")
_PY_VERSION = re.compile(r"(?:python|Python)(\d)\.?(\d{1,2})(?![\d])")
_SHADOW_NAMES = (
    "tensorflow.py",
    "keras.py",
    "tf_keras.py",
    "tensorflow/__init__.py",
    "keras/__init__.py",
)
_CONDA_WORDS = ("anaconda", "miniconda", "miniforge", "mambaforge", "/conda/", "/envs/")
# Placeholders people put in place of a path: no interpreter can be named from them. "path" only
# as a whole folder name (/path/to/venv): /home/ann/pathology/venv is a real environment.
_REDACTED = ("<", ">", "...", "\u2026", "redacted")
_PLACEHOLDER_FOLDERS = frozenset({"path", "[path]", "{path}"})


class SitePath(NamedTuple):
    """A file under site-packages / dist-packages."""

    prefix: str  # the environment folder (before lib/pythonX.Y/...), "" when not shown
    python: str  # "3.11" when the path shows it, else ""
    kind: str  # "site" | "dist"
    rel: str  # the path below site-packages, '/'-separated: "keras/src/models/model.py"
    file: str  # the whole path as the line shows it ('/'-separated)

    @property
    def package(self) -> str:
        return self.rel.split("/", 1)[0].lower()


def site_path(norm: str) -> SitePath | None:
    """The first site-packages path in a line, or None."""
    found = norm.find(_PACKAGES)
    # the first site-packages/dist-packages, past other "-packages/" folders (the Microsoft Store
    # Python's user site is LocalCache/local-packages/Python310/site-packages)
    while found >= 0 and norm[max(0, found - 4) : found] not in ("site", "dist"):
        found = norm.find(_PACKAGES, found + 1)
    if found < 4:
        return None
    kind = norm[found - 4 : found]
    left = norm[: found - 4]
    lib = _LIB.search(left, max(0, len(left) - 40))
    prefix = ""
    python = ""
    quoted = left.rfind('File "')  # a quoted path may hold spaces: it starts at the quote
    start = quoted + 6 if quoted >= 0 else max(left.rfind(stop) for stop in _PATH_STOP) + 1
    if lib is not None:
        python = lib.group(1) or ""
        head = left[: lib.start()]
        if quoted < 0:
            start = max(head.rfind(stop) for stop in _PATH_STOP) + 1
        prefix = head[start:]
        if prefix.startswith("file:///"):
            prefix = prefix[len("file://") :]
            start += len("file://")
    rest = norm[found + len(_PACKAGES) : found + len(_PACKAGES) + 300]
    end = _PATH_END.search(rest)
    rel = rest[: end.start()] if end else rest
    file = norm[start : found + len(_PACKAGES) + len(rel)]
    first, _, below = rel.partition("/")
    if first.endswith(".egg") and below:
        rel = below  # an egg folder: site-packages/tensorboard-2.5.0-py3.8.egg/tensorboard/...
    if not python:
        version = _PY_VERSION.search(left[-200:])
        if version is not None:
            python = f"{version.group(1)}.{version.group(2)}"
    return SitePath(prefix, python, kind, rel, file)


# path below site-packages (prefix) -> the Keras implementation whose code it is
_KERAS_BY_PATH: tuple[tuple[str, str], ...] = (
    ("keras/backend/tensorflow_backend.py", "keras-multibackend"),
    ("keras/backend/theano_backend.py", "keras-multibackend"),
    ("keras/backend/cntk_backend.py", "keras-multibackend"),
    ("keras/legacy/", "keras-multibackend"),
    ("keras/src/backend/", "keras3"),
    ("keras/src/trainers/", "keras3"),
    ("keras/src/ops/", "keras3"),
    ("keras/src/tree/", "keras3"),
    ("keras/src/legacy/", "keras3"),
    ("keras/src/models/", "keras3"),
    ("keras/_tf_keras/", "keras3"),
    ("keras/src/engine/", "keras2-src"),
    ("keras/src/", "keras-src"),
    ("keras/api/_v2/", "keras2"),
    ("keras/", "keras2"),
    ("tf_keras/", "tf-keras"),
    ("tensorflow/python/keras/", "tf-bundled-keras"),
    ("tensorflow_core/python/keras/", "tf-bundled-keras"),
    ("keras_core/", "keras-core"),
)


def keras_kind(rel: str) -> str:
    """The Keras implementation a site-packages path belongs to, "" when none."""
    lowered = rel.lower()
    for prefix, kind in _KERAS_BY_PATH:
        if lowered.startswith(prefix):
            return kind
    return ""


def is_conda(prefix: str) -> bool:
    lowered = prefix.lower() + "/"
    return any(word in lowered for word in _CONDA_WORDS)


def shadow_file(norm: str) -> str | None:
    """A ``tensorflow.py``/``keras.py`` named in the line that is not inside site-packages."""
    for name in _SHADOW_NAMES:
        found = norm.find(name)
        while found >= 0:
            before = norm[found - 1] if found else " "
            end = found + len(name)
            after = norm[end] if end < len(norm) else " "
            if before in "/\"' " and not (after.isalnum() or after in "._"):
                start = max(norm.rfind(stop, 0, found) for stop in " \"'(") + 1
                path = norm[start : found + len(name)]
                if "-packages/" not in path and "/lib/python" not in path:
                    return path
            found = norm.find(name, found + 1)
    return None


def interpreter_of(path: SitePath) -> str | None:
    """What ``tfdoctor check --python`` should be given for the environment of a path: its
    folder (a venv or conda env: check finds bin/python, Scripts/python.exe or python.exe in it),
    or the system interpreter for Debian's dist-packages; None when the path does not show it."""
    prefix = path.prefix.rstrip("/")
    lowered = prefix.lower()
    if not prefix or any(word in lowered for word in _REDACTED):
        return None
    if _PLACEHOLDER_FOLDERS & set(lowered.split("/")):
        return None
    if prefix in ("/usr", "/usr/local"):
        # Debian's system Python reads /usr/lib/python3/dist-packages and
        # /usr/local/lib/pythonX.Y/dist-packages; a Python built into /usr/local (the official
        # Docker images) has its site-packages there and its interpreter in /usr/local/bin
        folder = "/usr" if path.kind == "dist" else prefix
        return f"{folder}/bin/python{path.python}" if path.python else f"{folder}/bin/python3"
    if prefix == "~/.local" or prefix.endswith("/.local"):
        # the user site (~/.local/lib/pythonX.Y/site-packages) of some interpreter: which one is
        # not shown; the environments kept below ~/.local (pipenv's share/virtualenvs, pipx's
        # and uv's tool environments) are environments of their own
        return None
    if re.match(r"^[A-Za-z]:/", prefix):
        return prefix.replace("/", "\\")
    if prefix.startswith(("/", "~/")):
        return prefix
    return None
