"""Load ``data/declared.json`` and ``data/curated.json`` into a KnowledgeBase (offline, cached)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Optional

from tfdoctor import pep508
from tfdoctor.kb import requirements
from tfdoctor.kb.model import (
    DeclaredRelease,
    DependentFact,
    Fact,
    KerasRelease,
    Observation,
    TfKerasRelease,
    TFRelease,
    Withdrawn,
)
from tfdoctor.version import InvalidVersion, Version

DATA_DIR = os.path.join(os.path.dirname(__file__), "data")
STACK_LIBRARIES = (
    "numpy",
    "protobuf",
    "ml-dtypes",
    "h5py",
    "tensorboard",
    "tensorboard-data-server",
    "tensorflow-estimator",
    "tensorflow-io-gcs-filesystem",
    "keras-preprocessing",
    "keras-applications",
)
DECLARED_FILE = "declared.json"
CURATED_FILE = "curated.json"


class KnowledgeBaseError(Exception):
    """A data file is missing or malformed."""


def _read(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError as exc:
        raise KnowledgeBaseError(f"knowledge base file missing: {path}") from exc
    except json.JSONDecodeError as exc:
        raise KnowledgeBaseError(f"knowledge base file is not valid JSON: {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise KnowledgeBaseError(f"knowledge base file is not a JSON object: {path}")
    return data


def _fact(raw: Any) -> Optional[Fact]:
    if not isinstance(raw, dict) or "value" not in raw:
        return None
    return Fact(raw["value"], str(raw.get("source", "")), str(raw.get("evidence", "")))


def _version(text: str) -> Optional[Version]:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _text(value: object) -> str:
    return "" if value is None else str(value)


class KnowledgeBase:
    """Declared metadata of the TensorFlow stack plus curated facts, queried by version."""

    def __init__(self, declared_data: Mapping[str, Any], curated_data: Mapping[str, Any]):
        self.declared_data = declared_data
        self.curated_data = curated_data
        self._cache: dict[str, Any] = {}

    # ----- declared data ---------------------------------------------------------------------
    @property
    def generated(self) -> str:
        """When declared.json was refreshed from the registry (UTC, ISO 8601)."""
        return str(self.declared_data.get("generated", ""))

    def _package(self, name: str) -> Mapping[str, Any]:
        package = self.declared_data.get("packages", {}).get(name)
        return package if isinstance(package, dict) else {}

    def declared_versions(self, name: str) -> tuple[str, ...]:
        """Versions of ``name`` in declared.json, oldest first."""
        key = f"versions:{name}"
        if key not in self._cache:
            releases = self._package(name).get("releases", {})
            self._cache[key] = tuple(sorted(releases, key=lambda v: _version(v) or Version("0")))
        result: tuple[str, ...] = self._cache[key]
        return result

    def prepare(self) -> None:
        """Build the indexes every check with TensorFlow uses (while the probe still runs)."""
        self.tensorflow_versions()

    def declared(self, name: str, version: str) -> Optional[DeclaredRelease]:
        """The declared metadata of one release of any distribution in declared.json."""
        raw = self._package(name).get("releases", {}).get(version)
        if not isinstance(raw, dict):
            return None
        return DeclaredRelease(
            name=name,
            version=version,
            requires_python=_text(raw.get("requires_python")),
            requires_dist=tuple(raw.get("requires_dist") or ()),
            pythons=tuple(raw.get("pythons") or ()),
            platforms=tuple(raw.get("platforms") or ()),
            source=str(raw.get("source", "")),
        )

    # ----- TensorFlow --------------------------------------------------------------------------
    def tensorflow_versions(self) -> tuple[str, ...]:
        return self.declared_versions("tensorflow")

    def tensorflow_minors(self) -> tuple[str, ...]:
        minors = {requirements.minor_of(v) for v in self.tensorflow_versions()}
        return tuple(sorted((m for m in minors if m), key=requirements.minor_key))

    def tensorflow(self, version: str) -> Optional[TFRelease]:
        """Facts for a TensorFlow version (any variant: tensorflow-cpu 2.15.1 is TF 2.15.1).

        An exact release when known; else a release of the same minor (rc, dev, local and
        vendor builds: the newest one not after it, else the minor's first); else, for a minor
        newer than all known (tf-nightly, next rc), the newest known release with
        ``extrapolated=True``. None for versions older than 2.0 or not versions.
        """
        key = f"tf:{version}"
        if key not in self._cache:
            self._cache[key] = self._tensorflow(version)
        result: Optional[TFRelease] = self._cache[key]
        return result

    def _tensorflow(self, version: str) -> Optional[TFRelease]:
        parsed = _version(version)
        if parsed is None or parsed.major != 2:
            return None
        releases = self.tensorflow_versions()
        if not releases:
            return None
        public = parsed.public
        if public in releases:
            return self._tf_release(public, version, exact=public == version, extrapolated=False)
        minor = requirements.minor_of(public) or ""
        same_minor = [v for v in releases if requirements.minor_of(v) == minor]
        if same_minor:
            # The newest release not after it (2.14.0.600 -> 2.14.0), else the first one of the
            # minor (2.16.0rc0 -> 2.16.1).
            older = [v for v in same_minor if Version(v) <= parsed]
            chosen = older[-1] if older else same_minor[0]
            return self._tf_release(chosen, version, exact=False, extrapolated=False)
        newest_minor = self.tensorflow_minors()[-1]
        if requirements.minor_key(minor) > requirements.minor_key(newest_minor):
            return self._tf_release(releases[-1], version, exact=False, extrapolated=True)
        return None

    def _curated_minor(self, minor: str) -> tuple[str, Mapping[str, Any]]:
        table = self.curated_data.get("tensorflow", {})
        if minor in table:
            return minor, table[minor]
        older = [m for m in table if requirements.minor_key(m) <= requirements.minor_key(minor)]
        if not older:
            return "", {}
        best = max(older, key=requirements.minor_key)
        return best, table[best]

    def _tf_release(
        self, version: str, requested: str, exact: bool, extrapolated: bool
    ) -> TFRelease:
        raw = self._package("tensorflow")["releases"][version]
        minor = requirements.minor_of(version) or ""
        facts_minor, curated = self._curated_minor(minor)
        facts = {name: f for name, raw_fact in curated.items() if (f := _fact(raw_fact))}
        constraints = {
            name: f
            for name, raw_fact in (curated.get("constraints") or {}).items()
            if (f := _fact(raw_fact))
        }
        notes = tuple(f for raw_note in curated.get("notes") or () if (f := _fact(raw_note)))
        tf_keras = facts.get("tf_keras")
        tf_keras_value = tf_keras.value if tf_keras and isinstance(tf_keras.value, dict) else {}
        sources = {name: f.source for name, f in facts.items()}
        sources.update({f"constraint:{n}": f.source for n, f in constraints.items()})
        verified = {name: f.verified for name, f in facts.items()}
        verified.update({f"constraint:{n}": f.verified for n, f in constraints.items()})
        release_url = str(raw.get("source", ""))
        sources["declared"] = release_url
        verified["declared"] = "registry metadata (python -m tfdoctor.kb refresh)"
        for name in ("numpy", "protobuf", "ml-dtypes", "keras"):
            # Where the effective range of ``name`` comes from: a curated constraint, else declared.
            sources[name] = constraints[name].source if name in constraints else release_url
            verified[name] = (
                constraints[name].verified if name in constraints else verified["declared"]
            )
        keras_line = facts.get("keras_line")
        release = TFRelease(
            version=version,
            requested=requested,
            minor=minor,
            exact=exact,
            extrapolated=extrapolated or (facts_minor != minor),
            yanked=bool(raw.get("yanked", False)),
            requires_python=_text(raw.get("requires_python")),
            pythons=tuple(raw.get("pythons") or ()),
            platforms=tuple(raw.get("platforms") or ()),
            linux_glibc=dict(raw.get("linux_glibc") or {}),
            requires_dist=tuple(raw.get("requires_dist") or ()),
            keras_line=int(keras_line.value)
            if keras_line and isinstance(keras_line.value, int)
            else 0,
            tf_keras_resolves_to=_text(tf_keras_value.get("summary")),
            tf_keras_module=_text(tf_keras_value.get("module")),
            legacy_keras_env=bool(tf_keras_value.get("legacy_env", False)),
            tf_keras_keras3_module=_text(tf_keras_value.get("keras3_module")),
            tf_keras_spec=_text(facts["tf_keras_spec"].value) if "tf_keras_spec" in facts else "",
            keras_requirement="",
            numpy_spec="",
            numpy_declared="",
            protobuf_spec="",
            protobuf_declared="",
            ml_dtypes_spec="",
            cuda=_text(facts["cuda"].value) if "cuda" in facts else "",
            cudnn=_text(facts["cudnn"].value) if "cudnn" in facts else "",
            facts_minor=facts_minor,
            notes=tuple(str(n.value) for n in notes),
            constraints={name: str(f.value) for name, f in constraints.items()},
            sources=sources,
            verified=verified,
        )
        # Fill the specifiers from the declared lines (evaluated for the newest Python).
        return _with_specs(release)

    def newest_tensorflow(self) -> TFRelease:
        release = self.tensorflow(self.tensorflow_versions()[-1])
        assert release is not None
        return release

    def newest_tensorflow_for_python(self, python: str) -> Optional[TFRelease]:
        """The newest TensorFlow release with a wheel for CPython ``python`` ("3.12")."""
        for version in reversed(self.tensorflow_versions()):
            release = self.tensorflow(version)
            if release is not None and not release.yanked and release.supports_python(python):
                return release
        return None

    def newest_keras_for(self, tensorflow_version: str, python: str) -> str:
        """The newest ``keras`` release that a TensorFlow release asks for on CPython ``python``
        (its Requires-Dist) and that allows that Python (its Requires-Python); "" when none."""
        release = self.tensorflow(tensorflow_version)
        if release is None:
            return ""
        spec = release.declared_spec("keras", python)
        for version in reversed(self.declared_versions("keras")):
            keras = self.keras(version)
            if (
                keras is not None
                and pep508.allows(spec, version)
                and pep508.allows(keras.requires_python, python)
            ):
                return version
        return ""

    def tensorflow_pythons(self) -> tuple[str, ...]:
        """Every CPython version some TensorFlow 2.x release has wheels for."""
        found = {p for v in self.tensorflow_versions() for p in (self.tensorflow(v) or _NO).pythons}
        return tuple(sorted(found, key=requirements.minor_key))

    def supported_pythons(self) -> tuple[str, ...]:
        """Python minors ("3.12") that some TensorFlow 2.x release has wheels for."""
        return self.tensorflow_pythons()

    def stack_names(self) -> frozenset[str]:
        """Distributions of the TensorFlow stack: the TF variants, every Keras / tf-keras
        provider and the libraries TensorFlow pins (numpy, protobuf, ml-dtypes, ...)."""
        providers = {n for name in self.provided_imports() for n in self.providers(name)}
        return frozenset(providers | set(STACK_LIBRARIES))

    def tf_variants(self) -> frozenset[str]:
        """Distribution names that are builds of TensorFlow (all provide ``import tensorflow``)."""
        return self.providers("tensorflow")

    # ----- Keras, tf-keras ----------------------------------------------------------------------
    def keras(self, version: str) -> Optional[KerasRelease]:
        """A ``keras`` (or ``keras-nightly``) release; unknown versions keep their major as line."""
        parsed = _version(version)
        if parsed is None:
            return None
        for name in ("keras", "keras-nightly"):
            known = self.declared(name, version)
            if known is not None:
                return KerasRelease(
                    version,
                    parsed.major,
                    True,
                    known.requires_python,
                    known.requires_dist,
                    known.source,
                )
        return KerasRelease(version, parsed.major, False, "", (), "")

    def tf_keras(self, version: str) -> Optional[TfKerasRelease]:
        """A ``tf-keras`` (or ``tf-keras-nightly``) release, with the TensorFlow it belongs to."""
        minor = requirements.minor_of(version)
        if minor is None:
            return None
        known = self.declared("tf-keras", version) or self.declared("tf-keras-nightly", version)
        declared = known.declared_spec("tensorflow") if known else ""
        major, minor_number = (int(part) for part in minor.split("."))
        return TfKerasRelease(
            version=version,
            minor=minor,
            exact=known is not None,
            requires_python=known.requires_python if known else "",
            tensorflow_spec=declared or f">={minor},<{major}.{minor_number + 1}",
            tensorflow_declared=declared,
            source=known.source if known else "",
        )

    def tf_keras_for_tensorflow(self, tensorflow_version: str) -> Optional[TfKerasRelease]:
        """The newest tf-keras release whose major.minor equals TensorFlow's."""
        minor = requirements.minor_of(tensorflow_version)
        matching = [
            v for v in self.declared_versions("tf-keras") if requirements.minor_of(v) == minor
        ]
        return self.tf_keras(matching[-1]) if matching else None

    # ----- curated tables --------------------------------------------------------------------
    def providers(self, import_name: str) -> frozenset[str]:
        """Distribution names that install the top-level import package ``import_name``."""
        fact = _fact(self.curated_data.get("providers", {}).get(import_name))
        return (
            frozenset(str(n) for n in fact.value)
            if fact and isinstance(fact.value, list)
            else frozenset()
        )

    def provided_imports(self) -> tuple[str, ...]:
        return tuple(sorted(self.curated_data.get("providers", {})))

    def dependents(self) -> tuple[DependentFact, ...]:
        """Undeclared requirements of packages built on TensorFlow/Keras (curated)."""
        if "dependents" not in self._cache:
            self._cache["dependents"] = tuple(
                DependentFact(
                    package=str(raw["package"]),
                    versions=str(raw.get("versions", "")),
                    when_tensorflow=str(raw.get("when_tensorflow", "")),
                    requires={str(k): str(v) for k, v in (raw.get("requires") or {}).items()},
                    keras_line=int(raw["keras_line"]) if raw.get("keras_line") else None,
                    supports_tensorflow=bool(raw.get("supports_tensorflow", True)),
                    fix=tuple(str(r) for r in raw.get("fix") or ()),
                    note=str(raw.get("note", "")),
                    text=str(raw.get("text", "")),
                    source=str(raw.get("source", "")),
                    verified=str(raw.get("evidence", "")),
                )
                for raw in self.curated_data.get("dependents", ())
            )
        result: tuple[DependentFact, ...] = self._cache["dependents"]
        return result

    def dependent_facts(
        self,
        package: Optional[str] = None,
        version: Optional[str] = None,
        tensorflow: Optional[str] = None,
    ) -> tuple[DependentFact, ...]:
        """Curated dependent facts; all of them without arguments, else those about
        one installed dependent (``"transformers"``, ``"4.40.0"``) and, with ``tensorflow``,
        only those for that TensorFlow version."""
        facts = self.dependents()
        if package is not None:
            name = pep508.canonical(package)
            facts = tuple(d for d in facts if d.package == name)
        if version is not None:
            facts = tuple(d for d in facts if d.applies_to(version, tensorflow))
        return facts

    def dependent_names(self) -> frozenset[str]:
        """Dependents tfdoctor knows: curated ones and those whose metadata is in declared.json."""
        declared = {
            name
            for name, p in self.declared_data.get("packages", {}).items()
            if p.get("group") == "dependent"
        }
        return frozenset(declared | {d.package for d in self.dependents()})

    def platform_fact(self, name: str) -> Optional[Fact]:
        """A curated platform fact: ``"avx"``, ``"glibc"``, ``"nightly"``."""
        return _fact(self.curated_data.get("platform", {}).get(name))

    def observations(self) -> tuple[Observation, ...]:
        """Experiments on real environments, with the verbatim output they produced."""
        return tuple(
            Observation(
                case=str(raw.get("case", "")),
                command=str(raw.get("command", "")),
                result=str(raw.get("result", "")),
                output=tuple(str(line) for line in raw.get("output", ())),
                source=str(raw.get("source", "")),
            )
            for raw in self.curated_data.get("observations", ())
        )

    # ----- small queries (one home per version fact) ----------------------------------------------
    def keras_line(self, tensorflow_version: str) -> int:
        """The Keras major (2 or 3) that ``tf.keras`` is under a TensorFlow version; 0: unknown."""
        release = self.tensorflow(tensorflow_version)
        return release.keras_line if release else 0

    def keras_line_minors(self, major: int) -> tuple[str, ...]:
        """The TensorFlow minors whose ``tf.keras`` is Keras ``major`` (the curated keras_line),
        oldest first: ``keras_line_minors(3)[0]`` is where Keras 3 begins."""
        table = self.curated_data.get("tensorflow", {})
        minors = [
            minor
            for minor, facts in table.items()
            if (fact := _fact(facts.get("keras_line"))) is not None and fact.value == major
        ]
        return tuple(sorted(minors, key=requirements.minor_key))

    def keras_line_starts(self, major: int) -> str:
        """The first TensorFlow minor whose ``tf.keras`` is Keras ``major`` ("2.16" for 3)."""
        minors = self.keras_line_minors(major)
        return minors[0] if minors else ""

    def tf_keras_from_keras_package(self, tensorflow_version: str) -> bool:
        """True when ``tf.keras`` is served by the ``keras`` distribution (TF 2.6 and later)."""
        release = self.tensorflow(tensorflow_version)
        return bool(release and release.tf_keras_module.startswith("keras."))

    def tf_keras_follows_keras3(self, tensorflow_version: str) -> bool:
        """True when this TensorFlow's ``tf.keras`` becomes Keras 3 itself if keras>=3 is
        installed in place of the Keras 2 it expects (TensorFlow 2.15)."""
        release = self.tensorflow(tensorflow_version)
        return bool(release and release.tf_keras_keras3_module)

    def legacy_keras_switch(self, environ: Mapping[str, str]) -> bool:
        """True when ``environ`` turns TF_USE_LEGACY_KERAS on, exactly as TensorFlow reads it."""
        fact = _fact(self.curated_data.get("legacy_keras_switch"))
        values = fact.value if fact and isinstance(fact.value, list) else []
        return environ.get("TF_USE_LEGACY_KERAS") in values

    def tf_keras_minor(self, tensorflow_version: str) -> str:
        """The tf-keras minor built for a TensorFlow: one per TensorFlow minor (the lower bound
        of the release's tf_keras_spec; a nightly's own minor); "" when unknown."""
        release = self.tensorflow(tensorflow_version)
        if release is None:
            return ""
        if release.extrapolated:
            return requirements.minor_of(tensorflow_version) or ""
        lowest = next(
            (c[2:].strip() for c in release.tf_keras_spec.split(",") if c.strip().startswith(">=")),
            release.minor,
        )
        return requirements.minor_of(lowest) or release.minor

    def tf_keras_requirement(self, tensorflow_version: str) -> str:
        """The tf-keras for a TensorFlow as a specifier ("~=2.16.0"); "" when unknown."""
        minor = self.tf_keras_minor(tensorflow_version)
        return f"~={minor}.0" if minor else ""

    def tf_keras_fits(self, tensorflow_version: str, tf_keras_version: str) -> bool:
        """Whether a tf-keras version (nightlies included) is of this TensorFlow's tf-keras minor."""
        minor = self.tf_keras_minor(tensorflow_version)
        return bool(minor) and requirements.minor_of(tf_keras_version) == minor

    def cuda_driver_minimum(self, cuda: str) -> str:
        """The oldest NVIDIA driver (Linux) that runs CUDA ``cuda`` ("12.2" -> "525.60.13");
        "" when not known."""
        fact = self.platform_fact("cuda_driver_minimum")
        table = fact.value if fact and isinstance(fact.value, dict) else {}
        return str(table.get(cuda.split(".")[0], ""))

    def keras3_save_formats(self) -> tuple[str, ...]:
        """The file suffixes Keras 3's ``model.save`` writes (".keras", ".h5", ".hdf5")."""
        fact = _fact(self.curated_data.get("keras3_save_formats"))
        return tuple(fact.value) if fact and isinstance(fact.value, list) else ()

    def withdrawn(self, tensorflow_version: str) -> tuple[Withdrawn, ...]:
        """Libraries this TensorFlow no longer has (tensorflow-estimator from 2.16 on)."""
        out = []
        for package, raw in sorted(self.curated_data.get("withdrawn", {}).items()):
            fact = _fact(raw)
            value = fact.value if fact and isinstance(fact.value, dict) else {}
            since = str(value.get("since", ""))
            if (
                fact
                and since
                and requirements.minor_key(requirements.minor_of(tensorflow_version) or "0.0")
                >= requirements.minor_key(since)
            ):
                out.append(Withdrawn(package, since, str(value.get("api", "")), fact.source))
        return tuple(out)

    def last_minor_before(self, minor: str) -> str:
        """The newest TensorFlow minor older than ``minor`` ("2.15" before "2.16"); "" if none."""
        older = [
            m
            for m in self.tensorflow_minors()
            if requirements.minor_key(m) < requirements.minor_key(minor)
        ]
        return older[-1] if older else ""

    def newest_declared_spec(self, name: str, tensorflow_version: str, python: str) -> str:
        """What the newest TensorFlow release up to ``tensorflow_version`` that declares ``name``
        asks of it ("~=2.20.0" for tensorboard up to 2.21, which declares none); "" if none."""
        limit = _version(tensorflow_version)
        for version in reversed(self.tensorflow_versions()):
            parsed = _version(version)
            if limit is None or parsed is None or parsed > limit:
                continue
            release = self.tensorflow(version)
            spec = release.declared_spec(name, python) if release else ""
            if spec:
                return spec
        return ""

    def newest_keras_line(self, major: int) -> str:
        """The newest known ``keras`` release of one major ("2.15.0" for 2); "" when none."""
        matching = [
            v
            for v in self.declared_versions("keras")
            if (_version(v) or Version("0")).major == major
        ]
        return matching[-1] if matching else ""


_NO = TFRelease(
    version="",
    requested="",
    minor="",
    exact=False,
    extrapolated=False,
    yanked=False,
    requires_python="",
    pythons=(),
    platforms=(),
    linux_glibc={},
    requires_dist=(),
    keras_line=0,
    tf_keras_resolves_to="",
    tf_keras_module="",
    legacy_keras_env=False,
    tf_keras_spec="",
    keras_requirement="",
    numpy_spec="",
    numpy_declared="",
    protobuf_spec="",
    protobuf_declared="",
    ml_dtypes_spec="",
    cuda="",
    cudnn="",
    facts_minor="",
)


def _with_specs(release: TFRelease) -> TFRelease:
    return release._replace(
        keras_requirement=release.declared_spec("keras"),
        numpy_declared=release.declared_spec("numpy"),
        numpy_spec=release.spec("numpy"),
        protobuf_declared=release.declared_spec("protobuf"),
        protobuf_spec=release.spec("protobuf"),
        ml_dtypes_spec=release.spec("ml-dtypes"),
    )


@lru_cache(maxsize=8)
def load(directory: str | os.PathLike[str] | None = None) -> KnowledgeBase:
    """The knowledge base shipped with tfdoctor (or the one in ``directory``), read once."""
    folder = directory or DATA_DIR
    return KnowledgeBase(
        _read(os.path.join(folder, DECLARED_FILE)), _read(os.path.join(folder, CURATED_FILE))
    )
