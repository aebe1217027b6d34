"""Which Keras and TensorFlow the linted code will run against.

Explicit ``--keras`` / ``--tensorflow`` win; otherwise the versions installed in ``--python``
(default: this interpreter) are read from package metadata, never by importing the packages.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from packaging.version import InvalidVersion, Version

from tfdoctor.errors import UsageError

KERAS = "keras"
TF_KERAS = "tf.keras"
TF_KERAS_PKG = "tf_keras"
IMPLEMENTATIONS = (KERAS, TF_KERAS, TF_KERAS_PKG)
_FIRST_TF_WITH_KERAS3 = Version("2.16")
_NEWEST_KERAS2 = "2.15"

_TF_DISTRIBUTIONS = ("tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tensorflow-macos",
                     "tensorflow-intel", "tf-nightly")
_DISTRIBUTIONS = (*_TF_DISTRIBUTIONS, "keras", "keras-nightly", "tf-keras", "tf-keras-nightly")
# Runs in the target interpreter (Python 3.8+): reads metadata, imports nothing of TF/Keras.
_METADATA_SCRIPT = (
    "import json, importlib.metadata as m\n"
    "def v(n):\n"
    "    try: return m.version(n)\n"
    "    except Exception: return None\n"
    f"print(json.dumps({{n: v(n) for n in {list(_DISTRIBUTIONS)!r}}}))\n"
)


def _local_version(name: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _installed_versions(python: str | None) -> dict[str, str | None]:
    """Versions of tensorflow, keras and tf-keras installed for ``python`` (None: this one).

    Keys: "tensorflow", "keras", "tf-keras". Isolated on purpose: the lead replaces the body
    with ``tfdoctor.target.load_snapshot``.
    """
    try:
        load_snapshot: Any = importlib.import_module("tfdoctor.target").load_snapshot
    except (ImportError, AttributeError):
        return _versions_from_metadata(python)
    snapshot = load_snapshot(python)
    tensorflow = None
    for dist in _TF_DISTRIBUTIONS:
        tensorflow = tensorflow or snapshot.version_of(dist)
    return {
        "tensorflow": tensorflow,
        "keras": snapshot.version_of("keras") or snapshot.version_of("keras-nightly"),
        "tf-keras": snapshot.version_of("tf-keras") or snapshot.version_of("tf-keras-nightly"),
    }


def _versions_from_metadata(python: str | None) -> dict[str, str | None]:
    raw: dict[str, str | None]
    if python is None or os.path.abspath(python) == os.path.abspath(sys.executable):
        raw = {name: _local_version(name) for name in _DISTRIBUTIONS}
    else:
        try:
            out = subprocess.run([python, "-c", _METADATA_SCRIPT], capture_output=True,
                                 text=True, timeout=60, check=True)
            raw = json.loads(out.stdout.strip().splitlines()[-1])
        except (OSError, subprocess.SubprocessError, ValueError, IndexError) as exc:
            raise UsageError(f"cannot read package versions with --python {python}: {exc}") \
                from exc
    tensorflow = None
    for name in _TF_DISTRIBUTIONS:
        tensorflow = tensorflow or raw.get(name)
    return {
        "tensorflow": tensorflow,
        "keras": raw.get("keras") or raw.get("keras-nightly"),
        "tf-keras": raw.get("tf-keras") or raw.get("tf-keras-nightly"),
    }


def _version(text: str | None) -> Version | None:
    if not text:
        return None
    try:
        return Version(text)
    except InvalidVersion:
        return None


@dataclass(frozen=True)
class Target:
    """The Keras/TF versions the code is checked against, and where they come from."""

    tensorflow: str
    keras: str
    tf_keras: str | None
    legacy_keras: bool  # TF_USE_LEGACY_KERAS=1: tf.keras is tf_keras on TF >= 2.16
    origin: str  # human-readable: where the versions come from
    assumed: bool = False  # nothing installed and nothing given: newest assumed

    @property
    def tensorflow_version(self) -> Version:
        return Version(self.tensorflow)

    def keras_version(self, implementation: str) -> Version:
        """The Keras version behind ``keras``, ``tf.keras`` or ``tf_keras`` for this target."""
        tf = self.tensorflow_version
        if implementation == KERAS:
            return Version(self.keras)
        if implementation == TF_KERAS_PKG:
            return Version(self.tf_keras or _tf_major_minor(tf))
        if tf < _FIRST_TF_WITH_KERAS3:
            return Version(_tf_major_minor(tf))
        if self.legacy_keras:
            return Version(self.tf_keras or _tf_major_minor(tf))
        return Version(self.keras)

    def same_objects(self, first: str, second: str) -> bool:
        """True when two implementations give the very same classes under this target."""
        if first == second:
            return True
        pair = {first, second}
        tf = self.tensorflow_version
        if pair == {KERAS, TF_KERAS}:
            if tf >= _FIRST_TF_WITH_KERAS3:
                return not self.legacy_keras and Version(self.keras).major >= 3
            return Version("2.6") <= tf and Version(self.keras).major == 2
        if pair == {TF_KERAS_PKG, TF_KERAS}:
            return tf >= _FIRST_TF_WITH_KERAS3 and self.legacy_keras
        return False

    def describe(self) -> str:
        parts = [f"TensorFlow {self.tensorflow}", f"Keras {self.keras}"]
        if self.tf_keras:
            parts.append(f"tf-keras {self.tf_keras}")
        if self.legacy_keras:
            parts.append("TF_USE_LEGACY_KERAS=1")
        return ", ".join(parts) + f" ({self.origin})"

    def to_json(self) -> dict[str, object]:
        return {"tensorflow": self.tensorflow, "keras": self.keras, "tf_keras": self.tf_keras,
                "legacy_keras": self.legacy_keras, "origin": self.origin,
                "assumed": self.assumed}


def _tf_major_minor(version: Version) -> str:
    return f"{version.major}.{version.minor}"


def _parse_flag(value: str, flag: str) -> Version:
    parsed = _version(value)
    if parsed is None or parsed.major not in (2, 3):
        raise UsageError(f"{flag} expects a version like 3 or 2.15, not {value!r}")
    return parsed


def resolve_target(python: str | None, keras: str | None, tensorflow: str | None,
                   newest_tensorflow: str, newest_keras: str) -> Target:
    """Build the Target from the flags, else from what ``python`` has installed."""
    legacy = os.environ.get("TF_USE_LEGACY_KERAS", "").strip().lower() in ("1", "true", "yes")
    if keras is not None or tensorflow is not None:
        tf_version = _parse_flag(tensorflow, "--tensorflow") if tensorflow else None
        keras_version = _parse_flag(keras, "--keras") if keras else None
        if keras_version is not None and keras_version.major == 2 and keras == "2":
            keras_version = Version(_NEWEST_KERAS2)
        if keras_version is not None and keras_version.major == 3 and keras == "3":
            keras_version = Version(newest_keras)
        if tf_version is None:
            tf_version = Version(newest_tensorflow) if keras_version is None or \
                keras_version.major >= 3 else keras_version
        if keras_version is None:
            keras_version = Version(newest_keras) if tf_version >= _FIRST_TF_WITH_KERAS3 \
                else Version(_tf_major_minor(tf_version))
        given = " ".join(f for f in (f"--keras {keras}" if keras else "",
                                     f"--tensorflow {tensorflow}" if tensorflow else "") if f)
        return Target(str(tf_version), str(keras_version), None, legacy, f"given with {given}")
    installed = _installed_versions(python)
    tf_v = _version(installed.get("tensorflow"))
    keras_v = _version(installed.get("keras"))
    tfk_v = _version(installed.get("tf-keras"))
    where = f"installed in {python or sys.executable}"
    if tf_v is None and keras_v is None:
        return Target(newest_tensorflow, newest_keras, None, legacy,
                      f"assumed newest: no TensorFlow or Keras {where}", assumed=True)
    if tf_v is None:
        tf_v = Version(newest_tensorflow) if keras_v is None or keras_v.major >= 3 \
            else Version(_tf_major_minor(keras_v))
    if keras_v is None:
        keras_v = Version(newest_keras) if tf_v >= _FIRST_TF_WITH_KERAS3 \
            else Version(_tf_major_minor(tf_v))
    return Target(str(tf_v), str(keras_v), str(tfk_v) if tfk_v else None, legacy, where)
