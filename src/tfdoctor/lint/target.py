"""Which Keras and TensorFlow the linted code will run against.

Explicit ``--keras`` / ``--tensorflow`` win; otherwise the versions installed in ``--python``
(default: the active environment) are read from package metadata, never by importing the packages.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

from packaging.version import InvalidVersion, Version

from tfdoctor.errors import UsageError

KERAS = "keras"
TF_KERAS = "tf.keras"
TF_KERAS_PKG = "tf_keras"
IMPLEMENTATIONS = (KERAS, TF_KERAS, TF_KERAS_PKG)
KERAS_3 = 3  # the major of the Keras line that is not Keras 2


@lru_cache(maxsize=64)
def _keras_line(tensorflow: str) -> int:
    """The Keras major that tf.keras is under this TensorFlow (knowledge base)."""
    from tfdoctor.kb import load

    return load().keras_line(tensorflow)


@lru_cache(maxsize=64)
def _tf_keras_from_keras_package(tensorflow: str) -> bool:
    from tfdoctor.kb import load

    return load().tf_keras_from_keras_package(tensorflow)


@lru_cache(maxsize=64)
def _tf_keras_follows_keras3(tensorflow: str) -> bool:
    from tfdoctor.kb import load

    return load().tf_keras_follows_keras3(tensorflow)


def legacy_keras_on(environ: dict[str, str] | os._Environ[str]) -> bool:
    """TF_USE_LEGACY_KERAS as TensorFlow reads it (knowledge base)."""
    from tfdoctor.kb import load

    return load().legacy_keras_switch(environ)


def _installed_versions(python: str | None) -> dict[str, str | None]:
    """Versions of tensorflow (any variant), keras and tf-keras installed for ``python`` (None: the
    active environment), its Python version and TF_USE_LEGACY_KERAS, read by the same probe as
    ``check``."""
    from tfdoctor.kb import load
    from tfdoctor.snapshot import Snapshot
    from tfdoctor.target import resolve, run_probe

    target = resolve(python)
    snapshot = Snapshot.from_probe(run_probe(target))
    chosen = f" ({target.why})" if target.why else ""
    variants = load().tf_variants()
    tensorflow = next((d.version for d in snapshot.distributions if d.key in variants), None)
    return {
        "tensorflow": tensorflow,
        "keras": snapshot.version_of("keras") or snapshot.version_of("keras-nightly"),
        "tf-keras": snapshot.version_of("tf-keras") or snapshot.version_of("tf-keras-nightly"),
        "legacy": "1" if legacy_keras_on(snapshot.environ) else "",
        "where": f"{target.executable}{chosen}",
        "python": snapshot.python.version,
    }


def _version(text: str | None) -> Version | None:
    if not text:
        return None
    try:
        return Version(text)
    except InvalidVersion:
        return None


@dataclass(frozen=True)
class KerasTarget:
    """The Keras/TF versions the code is checked against, and where they come from."""

    tensorflow: str
    keras: str
    tf_keras: str | None
    legacy_keras: bool  # TF_USE_LEGACY_KERAS is on: tf.keras is tf_keras where TF reads it
    origin: str  # human-readable: where the versions come from
    assumed: bool = False  # nothing installed and nothing given: the newest for its Python
    # the TensorFlow release was given (--tensorflow 2.2, not a bare 2) or read from the
    # environment, not inferred from the Keras or assumed: only then is code checked for names
    # that TensorFlow added later (TFD714)
    tensorflow_known: bool = True

    @property
    def tensorflow_version(self) -> Version:
        return Version(self.tensorflow)

    @property
    def keras_line(self) -> int:
        """The Keras major that this TensorFlow's tf.keras is built for."""
        return _keras_line(self.tensorflow)

    @property
    def tf_keras_is_tf_keras_package(self) -> bool:
        """tf.keras is the tf-keras distribution: TF_USE_LEGACY_KERAS on a TF that reads it."""
        return self.legacy_keras and self.keras_line >= KERAS_3

    @property
    def tf_keras_is_keras3(self) -> bool:
        """tf.keras is the installed Keras 3 itself although this TensorFlow expects Keras 2:
        TensorFlow 2.15 with keras>=3 in place of keras 2.15 (keras._tf_keras.keras; the
        knowledge base's tf_keras keras3_module), unless TF_USE_LEGACY_KERAS picks tf-keras."""
        return (
            self.keras_line < KERAS_3
            and Version(self.keras).major >= KERAS_3
            and not self.legacy_keras
            and _tf_keras_follows_keras3(self.tensorflow)
        )

    def keras_version(self, implementation: str) -> Version:
        """The Keras version behind ``keras``, ``tf.keras`` or ``tf_keras`` for this target."""
        tf = self.tensorflow_version
        if implementation == KERAS:
            return Version(self.keras)
        if implementation == TF_KERAS_PKG:
            return Version(self.tf_keras or _tf_major_minor(tf))
        if self.tf_keras_is_keras3:
            return Version(self.keras)
        if self.keras_line < KERAS_3:
            return Version(_tf_major_minor(tf))
        if self.tf_keras_is_tf_keras_package:
            return Version(self.tf_keras or _tf_major_minor(tf))
        return Version(self.keras)

    def package_behind(self, implementation: str) -> str:
        """The implementation whose package serves ``implementation`` under this target: tf.keras
        is the keras package (TF 2.6 to 2.15, and Keras 3 on TF 2.16+) or tf_keras (legacy)."""
        if implementation != TF_KERAS:
            return implementation
        if self.tf_keras_is_tf_keras_package:
            return TF_KERAS_PKG
        return KERAS if _tf_keras_from_keras_package(self.tensorflow) else TF_KERAS

    def same_objects(self, first: str, second: str) -> bool:
        """True when two implementations give the very same classes under this target."""
        if first == second:
            return True
        pair = {first, second}
        keras_major = Version(self.keras).major
        if pair == {KERAS, TF_KERAS}:
            if not _tf_keras_from_keras_package(self.tensorflow):
                return False
            if self.tf_keras_is_keras3:
                return True
            return not self.tf_keras_is_tf_keras_package and keras_major == self.keras_line
        if pair == {TF_KERAS_PKG, TF_KERAS}:
            return self.tf_keras_is_tf_keras_package
        return False

    def same_public_api(self, first: str, second: str) -> bool:
        """True when two implementations are the same Keras line (2 or 3) under this target, so
        that a name spelled under one exists under the other (``tf.keras.X`` -> ``keras.X``).
        Not so for tf.keras on tf-keras (TF_USE_LEGACY_KERAS=1) beside Keras 3: there
        ``tf.keras.optimizers.legacy`` works and ``keras.optimizers.legacy`` fails."""
        return self.keras_version(first).major == self.keras_version(second).major

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


@lru_cache(maxsize=1)
def _newest_tensorflow() -> Version:
    """The newest TensorFlow minor the knowledge base knows (assumed when nothing says)."""
    from tfdoctor.kb import load

    return Version(_tf_major_minor(Version(load().tensorflow_versions()[-1])))


@lru_cache(maxsize=4)
def _newest_keras(major: int) -> Version:
    """``--keras 2`` / ``--keras 3``: the newest minor of that line (knowledge base)."""
    from tfdoctor.kb import load

    newest = _version(load().newest_keras_line(major))
    if newest is None:
        raise UsageError(f"--keras {major}: no Keras {major} release is known")
    return Version(_tf_major_minor(newest))


def _keras_for(tensorflow: Version) -> Version:
    """The Keras that goes with a TensorFlow when none is named: its own Keras 2 minor, or the
    newest Keras 3."""
    if _keras_line(str(tensorflow)) >= KERAS_3:
        return _newest_keras(KERAS_3)
    return Version(_tf_major_minor(tensorflow))


def _parse_flag(value: str, flag: str) -> Version:
    """A --keras (2 or 3, or a release of them) or --tensorflow (a TensorFlow 2 release)."""
    parsed = _version(value)
    if flag == "--tensorflow":
        if parsed is None or parsed.major != 2:
            raise UsageError(
                f"--tensorflow expects a TensorFlow 2 version like 2.15 or 2, not {value!r}"
                " (lint knows the Keras APIs of TensorFlow 2.0 and newer)"
            )
    elif parsed is None or parsed.major not in (2, 3):
        raise UsageError(f"--keras expects 2, 3 or a version like 2.15 or 3.5, not {value!r}")
    return parsed


def resolve_target(
    python: str | None,
    keras: str | None,
    tensorflow: str | None,
) -> KerasTarget:
    """Build the KerasTarget from the flags, else from what ``python`` has installed."""
    if keras is not None or tensorflow is not None:
        return _target_from_flags(keras, tensorflow, legacy_keras_on(os.environ))
    return _target_from_installed(python)


def _target_from_flags(keras: str | None, tensorflow: str | None, legacy: bool) -> KerasTarget:
    """``--keras`` / ``--tensorflow``: a bare major means its newest release; the other
    version follows from the one given."""
    tf_version = _parse_flag(tensorflow, "--tensorflow") if tensorflow else None
    keras_version = _parse_flag(keras, "--keras") if keras else None
    if keras_version is not None and keras == str(keras_version.major):
        keras_version = _newest_keras(keras_version.major)
    if tf_version is not None and tensorflow == str(tf_version.major):
        # a bare 2 is any TensorFlow 2, not 2.0: the one of the Keras given, else the newest
        tf_version = None
    tensorflow_known = tf_version is not None
    if tf_version is None:
        tf_version = (
            _newest_tensorflow()
            if keras_version is None or keras_version.major >= KERAS_3
            else keras_version
        )
    if keras_version is None:
        keras_version = _keras_for(tf_version)
    given = " ".join(
        f
        for f in (
            f"--keras {keras}" if keras else "",
            f"--tensorflow {tensorflow}" if tensorflow else "",
        )
        if f
    )
    return KerasTarget(
        str(tf_version),
        str(keras_version),
        None,
        legacy,
        f"given with {given}",
        tensorflow_known=tensorflow_known,
    )


def _target_from_installed(python: str | None) -> KerasTarget:
    """What ``python`` has installed; without TensorFlow, the newest TensorFlow for its Python."""
    installed = _installed_versions(python)
    legacy = bool(installed.get("legacy"))
    tf_v = _version(installed.get("tensorflow"))
    keras_v = _version(installed.get("keras"))
    tfk_v = _version(installed.get("tf-keras"))
    where = f"installed in {installed.get('where')}"
    tensorflow_known = tf_v is not None
    if tf_v is None and tfk_v is not None and (keras_v is None or keras_v.major >= KERAS_3):
        # tf-keras alone (legacy Keras 2 code): the TensorFlow of its minor, as tf-keras pins it
        tf_v = Version(_tf_major_minor(tfk_v))
        where = (
            f"no TensorFlow {where}; assuming TensorFlow {tf_v}, the one tf-keras {tfk_v} goes with"
        )
    if tf_v is None and (keras_v is None or keras_v.major >= KERAS_3):
        tf_v, paired, assumption = _newest_for_python(installed.get("python") or "")
        return KerasTarget(
            str(tf_v),
            str(keras_v or paired),
            str(tfk_v) if tfk_v else None,
            legacy,
            f"no TensorFlow {where}; {assumption}",
            assumed=keras_v is None,
            tensorflow_known=False,
        )
    if tf_v is None:
        assert keras_v is not None
        tf_v = Version(_tf_major_minor(keras_v))  # Keras 2: the TensorFlow of its minor
        where = (
            f"no TensorFlow {where}; assuming TensorFlow {tf_v}, the one keras {keras_v} goes with"
        )
    if keras_v is None:
        keras_v = _keras_for(tf_v)
    return KerasTarget(
        str(tf_v),
        str(keras_v),
        str(tfk_v) if tfk_v else None,
        legacy,
        where,
        tensorflow_known=tensorflow_known,
    )


def _newest_for_python(python: str) -> tuple[Version, Version, str]:
    """For an interpreter without TensorFlow: the newest TensorFlow minor with a release for its
    Python, the Keras that release pairs with (its own Keras 2 minor, else the newest Keras 3
    it declares that this Python can install), and the words that say what was assumed. The
    newest of both when no release supports that Python (or its version is not known)."""
    from tfdoctor.kb import load

    kb = load()
    minor = ".".join(python.split(".")[:2])
    release = kb.newest_tensorflow_for_python(minor) if minor else None
    if release is None:
        newest = _newest_tensorflow()
        why = f"no TensorFlow release supports Python {minor}; " if minor else ""
        return newest, _keras_for(newest), f"{why}assuming the newest, TensorFlow {newest}"
    tensorflow = Version(release.minor)
    keras = _keras_for(tensorflow)
    if keras.major >= KERAS_3:
        keras = _version(kb.newest_keras_for(release.version, python)) or keras
        keras = Version(_tf_major_minor(keras))
    return tensorflow, keras, f"assuming TensorFlow {tensorflow}, the newest for Python {minor}"
