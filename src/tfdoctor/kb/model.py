"""The knowledge base's values: immutable records (``typing.NamedTuple``, cheap to define at
start-up, see :mod:`tfdoctor.snapshot`), no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple, Optional

from tfdoctor import pep508
from tfdoctor.kb import requirements


class Fact(NamedTuple):
    """One curated fact: its value, the public URL it came from, and how it was checked."""

    value: object
    source: str
    verified: str


class TFRelease(NamedTuple):
    """What tfdoctor knows about one TensorFlow release (declared metadata + curated facts).

    ``version`` is the release the facts belong to; ``requested`` is what was asked for. When they
    differ (a patch, rc, dev or nightly version not in the data) ``exact`` is False; when even
    the minor is unknown (a nightly of the next minor) the newest known minor stands in and
    ``extrapolated`` is True.
    """

    version: str
    requested: str
    minor: str
    exact: bool
    extrapolated: bool
    yanked: bool
    requires_python: str
    pythons: tuple[str, ...]
    platforms: tuple[str, ...]
    linux_glibc: Mapping[str, str]
    requires_dist: tuple[str, ...]
    keras_line: int
    tf_keras_resolves_to: str
    tf_keras_module: str
    legacy_keras_env: bool
    tf_keras_spec: str
    keras_requirement: str
    numpy_spec: str
    numpy_declared: str
    protobuf_spec: str
    protobuf_declared: str
    ml_dtypes_spec: str
    cuda: str
    cudnn: str
    facts_minor: str
    notes: tuple[str, ...] = ()
    # what tf.keras is when keras>=3 is installed in place of the Keras 2 it expects (TF 2.15:
    # keras._tf_keras.keras, Keras 3 itself); "" where tf.keras then fails or is not known
    tf_keras_keras3_module: str = ""
    constraints: Mapping[str, str] = MappingProxyType({})
    sources: Mapping[str, str] = MappingProxyType({})
    verified: Mapping[str, str] = MappingProxyType({})

    def declared_spec(self, name: str, python: Optional[str] = None) -> str:
        """The declared specifier on ``name`` for a Python version ("" if none is declared).

        Requires-Dist lines may differ by Python (TF 2.16 declares two numpy ranges); without
        ``python`` the newest Python this release supports is assumed. Extras are ignored.
        """
        return requirements.spec_for(self.requires_dist, name, python or self.newest_python())

    def spec(self, name: str, python: Optional[str] = None) -> str:
        """The effective specifier on ``name``: declared, narrowed by a curated constraint."""
        return pep508.combine(self.declared_spec(name, python), self.constraints.get(name, ""))

    def newest_python(self) -> str:
        return self.pythons[-1] if self.pythons else "3.11"

    def supports_python(self, python: str) -> bool:
        """Whether a wheel exists for this CPython (``"3.12"``) and Requires-Python allows it."""
        short = ".".join(python.split(".")[:2])
        return short in self.pythons and pep508.allows(self.requires_python, python)


class KerasRelease(NamedTuple):
    """One release of the ``keras`` distribution."""

    version: str
    line: int
    exact: bool
    requires_python: str
    requires_dist: tuple[str, ...]
    source: str


class TfKerasRelease(NamedTuple):
    """One release of ``tf-keras`` (Keras 2 packaged for TF >= 2.16)."""

    version: str
    minor: str
    exact: bool
    requires_python: str
    tensorflow_spec: str
    """The TensorFlow it belongs with: declared where tf-keras declares it, else X.Y for X.Y."""
    tensorflow_declared: str
    source: str


class DeclaredRelease(NamedTuple):
    """A release of any distribution in declared.json (dependents, variants, nightlies)."""

    name: str
    version: str
    requires_python: str
    requires_dist: tuple[str, ...]
    pythons: tuple[str, ...]
    platforms: tuple[str, ...]
    source: str

    def declared_spec(self, name: str, python: str = "3.11", extra: str = "") -> str:
        return requirements.spec_for(self.requires_dist, name, python, extra)


class DependentProblem(NamedTuple):
    """What a DependentFact finds wrong in one environment, with the installs that fix it."""

    title: str
    evidence: tuple[str, ...]
    install: tuple[str, ...]
    note: str = ""


class DependentFact(NamedTuple):
    """An undeclared requirement of a package that builds on TensorFlow or Keras.

    ``versions`` selects the dependent's releases it is about (a specifier on ``package``, ""
    for all). ``when_tensorflow`` narrows it to installs with such a TensorFlow ("" for any).
    ``requires`` maps distributions to the specifier they must satisfy ("" = must be installed);
    the key ``tensorflow`` stands for any TensorFlow variant. ``keras_line`` is the Keras (2 or 3)
    the package works with, None when either works. ``supports_tensorflow`` is False for
    releases without any TensorFlow support; ``fix`` lists requirements that repair it.
    """

    package: str
    versions: str
    when_tensorflow: str
    requires: Mapping[str, str]
    keras_line: Optional[int]
    supports_tensorflow: bool
    text: str
    source: str
    verified: str
    fix: tuple[str, ...] = ()
    note: str = ""

    @property
    def why(self) -> str:
        return self.text

    def applies_to(self, version: str, tensorflow: Optional[str] = None) -> bool:
        """Whether the fact is about this release of the package (and this TensorFlow)."""
        if not pep508.allows(self.versions, version):
            return False
        return tensorflow is None or pep508.allows(self.when_tensorflow, tensorflow)

    def check(
        self, version: str, installed: Mapping[str, str], tensorflow: Optional[str]
    ) -> Optional[DependentProblem]:
        """The problem this fact finds, given the dependent's version, the installed
        distributions (canonical name -> version) and the installed TensorFlow version.
        None when the fact does not apply or is satisfied."""
        if tensorflow is None or not self.applies_to(version, tensorflow):
            return None
        who = f"{self.package} {version}"
        if not self.supports_tensorflow:
            return DependentProblem(
                f"{who} has no TensorFlow support, but TensorFlow {tensorflow} is installed",
                (f"{self.package} releases {self.versions or '(all)'} have no TensorFlow models",),
                self.fix,
                self.note,
            )
        evidence, install = [], []
        for name, spec in self.requires.items():
            have = tensorflow if name == "tensorflow" else _installed(installed, name)
            if have is not None and pep508.allows(spec, have):
                continue
            wanted = spec or _default_spec(name, tensorflow)
            evidence.append(
                f"needs {name}{spec or ' (any version)'}; "
                + (f"installed: {name} {have}" if have else f"{name} is not installed")
            )
            install.append(f"{name}{wanted}")
        if not evidence:
            return None
        return DependentProblem(
            f"{who} needs {', '.join(install)} with TensorFlow {tensorflow}",
            tuple(evidence),
            self.fix or tuple(install),
            self.note,
        )


def _installed(installed: Mapping[str, str], name: str) -> Optional[str]:
    """The installed version of ``name`` or of its nightly twin (tf-keras / tf-keras-nightly)."""
    return installed.get(name) or installed.get(f"{name}-nightly")


def _default_spec(name: str, tensorflow: str) -> str:
    minor = requirements.minor_of(tensorflow)
    return f"~={minor}.0" if name == "tf-keras" and minor else ""


class Withdrawn(NamedTuple):
    """A library TensorFlow stopped shipping (tensorflow-estimator: tf.estimator is gone since
    TensorFlow ``since``); a copy left beside a newer TensorFlow is a leftover."""

    package: str
    since: str  # the first TensorFlow minor without it
    api: str  # what user code loses ("tf.estimator")
    source: str


class Observation(NamedTuple):
    """What happened when a real environment was built and run (kept verbatim)."""

    case: str
    command: str
    result: str
    output: tuple[str, ...]
    source: str
