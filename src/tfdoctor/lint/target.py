"""Which Keras and TensorFlow the linted code will run against.

Explicit ``--keras`` / ``--tensorflow`` win; otherwise the versions installed in ``--python``
(default: this interpreter) are read from package metadata, never by importing the packages.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from tfdoctor.errors import UsageError

KERAS = "keras"
TF_KERAS = "tf.keras"
TF_KERAS_PKG = "tf_keras"
IMPLEMENTATIONS = (KERAS, TF_KERAS, TF_KERAS_PKG)
_FIRST_TF_WITH_KERAS3 = Version("2.16")
_NEWEST_KERAS2 = "2.15"

LEGACY_TRUE = ("1", "true", "yes")


def _installed_versions(python: str | None) -> dict[str, str | None]:
    """Versions of tensorflow (any variant), keras and tf-keras installed for ``python`` (None:
    this interpreter), and its TF_USE_LEGACY_KERAS, read by the same probe as ``check``."""
    from tfdoctor.kb import load
    from tfdoctor.target import load_snapshot

    snapshot = load_snapshot(python)
    variants = load().tf_variants()
    tensorflow = next((d.version for d in snapshot.distributions if d.key in variants), None)
    return {
        "tensorflow": tensorflow,
        "keras": snapshot.version_of("keras") or snapshot.version_of("keras-nightly"),
        "tf-keras": snapshot.version_of("tf-keras") or snapshot.version_of("tf-keras-nightly"),
        "legacy": snapshot.environ.get("TF_USE_LEGACY_KERAS", ""),
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
        return {
            "tensorflow": self.tensorflow,
            "keras": self.keras,
            "tf_keras": self.tf_keras,
            "legacy_keras": self.legacy_keras,
            "origin": self.origin,
            "assumed": self.assumed,
        }


def _tf_major_minor(version: Version) -> str:
    return f"{version.major}.{version.minor}"


def _parse_flag(value: str, flag: str) -> Version:
    parsed = _version(value)
    if parsed is None or parsed.major not in (2, 3):
        raise UsageError(f"{flag} expects a version like 3 or 2.15, not {value!r}")
    return parsed


def resolve_target(
    python: str | None,
    keras: str | None,
    tensorflow: str | None,
    newest_tensorflow: str,
    newest_keras: str,
) -> Target:
    """Build the Target from the flags, else from what ``python`` has installed."""
    legacy = os.environ.get("TF_USE_LEGACY_KERAS", "").strip().lower() in LEGACY_TRUE
    if keras is not None or tensorflow is not None:
        tf_version = _parse_flag(tensorflow, "--tensorflow") if tensorflow else None
        keras_version = _parse_flag(keras, "--keras") if keras else None
        if keras_version is not None and keras_version.major == 2 and keras == "2":
            keras_version = Version(_NEWEST_KERAS2)
        if keras_version is not None and keras_version.major == 3 and keras == "3":
            keras_version = Version(newest_keras)
        if tf_version is None:
            tf_version = (
                Version(newest_tensorflow)
                if keras_version is None or keras_version.major >= 3
                else keras_version
            )
        if keras_version is None:
            keras_version = (
                Version(newest_keras)
                if tf_version >= _FIRST_TF_WITH_KERAS3
                else Version(_tf_major_minor(tf_version))
            )
        given = " ".join(
            f
            for f in (
                f"--keras {keras}" if keras else "",
                f"--tensorflow {tensorflow}" if tensorflow else "",
            )
            if f
        )
        return Target(str(tf_version), str(keras_version), None, legacy, f"given with {given}")
    installed = _installed_versions(python)
    legacy = (installed.get("legacy") or "").strip().lower() in LEGACY_TRUE
    tf_v = _version(installed.get("tensorflow"))
    keras_v = _version(installed.get("keras"))
    tfk_v = _version(installed.get("tf-keras"))
    where = f"installed in {python or sys.executable}"
    if tf_v is None and keras_v is None:
        return Target(
            newest_tensorflow,
            newest_keras,
            None,
            legacy,
            f"assumed newest: no TensorFlow or Keras {where}",
            assumed=True,
        )
    if tf_v is None:
        tf_v = (
            Version(newest_tensorflow)
            if keras_v is None or keras_v.major >= 3
            else Version(_tf_major_minor(keras_v))
        )
    if keras_v is None:
        keras_v = (
            Version(newest_keras)
            if tf_v >= _FIRST_TF_WITH_KERAS3
            else Version(_tf_major_minor(tf_v))
        )
    return Target(str(tf_v), str(keras_v), str(tfk_v) if tfk_v else None, legacy, where)
