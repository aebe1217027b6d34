"""Versions a text states, and the distributions it shows installed.

People paste versions in many forms: ``pip freeze`` (``keras==2.7.0``), ``pip list``
(``tensorflow   2.15.0``), ``Successfully installed keras-2.7.0 tensorflow-2.6.1``, resolver
lines (``tensorflow 2.3.1 requires numpy<1.19.0, but you have numpy 1.19.5``), printed versions
(``TensorFlow: 1.11.0``, ``Tensor Flow Version: 2.12.0``, ``tf.__version__`` then ``'2.15.0'``),
prose (``with tensorflow 2.16.1 and keras 3.3.3``) and interpreter banners (``Python 3.7.1
(default, ...)``). The last version stated for a package counts (a paste often shows an upgrade).

The checks against the knowledge base (which TensorFlow wants which Keras, NumPy, protobuf,
Python) are in :func:`version_hits`; they name families of kb/data/signatures.json.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import NamedTuple

from tfdoctor.explain import knowledge
from tfdoctor.pep508 import canonical

_NAMES = (
    r"tensorflow(?:[-_](?:cpu|gpu|intel|macos|aarch64|rocm|directml|cpu-aws))?|tf[-_]nightly(?:[-_](?:cpu|gpu))?"
    r"|intel[-_]tensorflow|keras[-_]nightly|keras|tf[-_]keras|numpy|protobuf|ml[-_]dtypes"
    r"|tensor ?flow|tf"
)
# not followed by a word after a dash: "tf-nightly-2.0-preview" is a distribution's name, not
# tf-nightly 2.0 (a wheel's "-cp36"/"-py3" tags may follow a version)
_VERSION_NUMBER = (
    r"v?(\d{1,2}\.\d{1,3}(?:\.\d{1,4})?(?:(?:a|b|rc)\d{1,3})?(?:\.dev\d{1,12}|\.post\d{1,3})?)"
)
_VERSION = _VERSION_NUMBER + r"(?![\w.]|-(?!cp\d|py\d)[A-Za-z])"
_STATED = re.compile(
    rf"(?<![\w./\\-])({_NAMES})(?:==|===|-|:\s{{0,3}}|\s{{1,40}}(?:[Vv]ersion:?\s{{1,5}}|is\s{{1,5}}|v)?|\s{{0,3}}[Vv]ersion:?\s{{0,5}})"
    rf"{_VERSION}",
    re.IGNORECASE,
)
# A version number right after a word (the cheap test before _STATED): "keras==2.7.0",
# "tensorflow 2.15", "keras-2.7.0", "TensorFlow: 1.11", "Version: 2.12.0".
_MAYBE_STATED = re.compile(r"[A-Za-z][=:\- \t]{1,40}v?\d{1,2}\.\d")
_DUNDER = re.compile(
    r"(?<![\w.])(tf|tensorflow|keras|np|numpy|tf_keras)\.__version__", re.IGNORECASE
)
_QUOTED = re.compile(r"['\"]" + _VERSION_NUMBER + r"['\"]")
_DISTRIBUTION_NAME = re.compile(r"[A-Za-z0-9][\w.-]{0,80}")
_VERSION_NUMBER_ONLY = re.compile(_VERSION_NUMBER)
_BANNER = re.compile(r"^Python (\d)\.(\d{1,2})\.\d{1,3}")
_SATISFIED = re.compile(r"Requirement already satisfied: ([A-Za-z0-9][\w.-]{0,60})")
# pip's "Requirement already satisfied: keras in /env/lib/python3.11/site-packages (3.3.3)": the
# version in parentheses at the end is the installed one
_SATISFIED_VERSION = re.compile(
    r"Requirement already satisfied: ([A-Za-z0-9][\w.-]{0,60})(?:\[[\w,.-]{0,60}\])?"
    r"[^ ]{0,60} in [^\n]{1,300}? \(" + _VERSION + r"\)\s{0,4}$"
)
# `conda list`: name, version, build, channel ("pypi" or a build of "<pip>" for pip's packages)
_CONDA_LIST = re.compile(
    r"^([A-Za-z0-9][\w.-]{0,80}) {2,60}\S{1,60} {2,60}(\S{1,80})(?: {1,60}(\S{1,80}))?$"
)
_MESSAGE = re.compile(r"^[\w.]{0,80}(?:Error|Exception): ")
# pip's "Successfully uninstalled keras-3.0.0": that version is gone from the environment
_UNINSTALLED = re.compile(r"Successfully uninstalled ([A-Za-z0-9][\w.-]{0,80}?)-v?\d")
# uv's summary lines ("Uninstalled 1 package in 12ms", "Installed 3 packages in 300ms"), then one
# line per change: " - keras==2.15.0" is gone from the environment, " + keras==3.15.1" came
_UV_SUMMARY = re.compile(
    r"^(?:Uninstalled|Installed|Resolved|Prepared|Audited|Built) \d{1,6} packages? in "
)
_UV_CHANGE = re.compile(r"^([-+~]) ([A-Za-z0-9][\w.-]{0,80}?)(?:\[[\w,.-]{0,60}\])?==")
# Lines that name versions asked for, not installed ones.
_REQUESTS = (
    "requested",
    "Requested",
    " depends on ",
    "install ",
    "Collecting ",
    "Would install",
    "Downloading ",
    "Uninstalling ",
    "uninstalled ",
    # a release pip or uv could not install: "Could not find a version that satisfies the
    # requirement tensorflow==2.12.0", "No matching distribution found for tensorflow==2.12.0",
    # uv's "Because tensorflow==2.12.0 has no wheels ... and you require tensorflow==2.12.0"
    "satisfies the requirement ",
    "distribution found for ",
    "you require ",
)
# the distributions whose versions the checks below read (pip's "already satisfied" lines name
# every dependency: only these are kept)
_PACKAGES_STATED = frozenset(
    {
        "tensorflow",
        "tensorflow-cpu",
        "tensorflow-gpu",
        "tensorflow-intel",
        "tensorflow-macos",
        "tf-nightly",
        "keras",
        "keras-nightly",
        "tf-keras",
        "numpy",
        "protobuf",
        "ml-dtypes",
    }
)
_SHORT = {
    "tf": "tensorflow",
    "np": "numpy",
    "tensor flow": "tensorflow",
    "tensorflow": "tensorflow",
}


# A version named as a bound, not as the one installed: "SavedModel saved prior to TF 2.5",
# "needs at least tensorflow 2.4", "deprecated since tf 2.11".
_BOUND_BEFORE = re.compile(
    r"(?:\bprior to|\bbefore|\bafter|\bsince|\bthan|\babove|\bbelow|\bat least|\bup to"
    r"|\brequires?|\brequired|\bneeds?|[<>]=?)\s{0,3}$",
    re.IGNORECASE,
)
# ... and after it: "tensorflow 2.15 or newer", "tensorflow 2.15 is required", "keras 3.0+"
_BOUND_AFTER = re.compile(
    r"(?:\+|\s{0,3}(?:or (?:higher|newer|later|above|greater)|and (?:above|up|later)"
    r"|is required|are required|required))",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=2048)
def _stated_in(norm: str) -> tuple[tuple[str, str], ...]:
    """(package, version) stated in a line that does not ask for them."""
    if _MESSAGE.match(norm):
        # a hint inside an exception's message ("ValueError: You have tensorflow 2.16.1 ...
        # Please run `pip install tf-keras`"): what comes before the install command is stated
        norm = norm.split("install ", 1)[0]
    if not _MAYBE_STATED.search(norm) or any(word in norm for word in _REQUESTS):
        return ()
    return tuple(
        (distribution(m.group(1)), m.group(2))
        for m in _STATED.finditer(norm)
        if not _BOUND_BEFORE.search(norm, 0, m.start()) and not _BOUND_AFTER.match(norm, m.end())
    )


class Stated(NamedTuple):
    version: str
    line_no: int
    text: str


def distribution(name: str) -> str:
    """The distribution a name in a text means: PEP 503 normalised, short names spelled out
    (``tf``, ``np``, ``Tensor Flow``)."""
    normalised = canonical(name)
    return _SHORT.get(normalised, _SHORT.get(normalised.replace("-", " "), normalised))


class VersionFacts:
    """What the lines of a text say about versions (bounded: the last one per package)."""

    MAX_PACKAGES = 32

    def __init__(self) -> None:
        self.stated: dict[str, Stated] = {}
        self.installed: dict[str, Stated] = {}  # distribution names shown installed -> where
        self.python: Stated | None = None
        self._pending_dunder = ""
        self._shown_name = ""  # `pip show`'s "Name: X", whose "Version: Y" is the next line
        self.conda_listed: dict[str, set[str]] = {}  # `conda list` names -> "pip" / "conda"
        self.conda_line = Stated("", 0, "")
        self._uv_changes = False  # after uv's "Uninstalled N packages in ..." line

    def feed(self, norm: str, line_no: int, text: str) -> None:
        if self._pending_dunder:
            quoted = _QUOTED.search(norm)
            if quoted is not None:
                self._state(self._pending_dunder, quoted.group(1), line_no, text)
            self._pending_dunder = ""
        if "__version__" in norm:
            dunder = _DUNDER.search(norm)
            if dunder is not None:
                package = distribution(dunder.group(1))
                quoted = _QUOTED.search(norm, dunder.end())
                if quoted is not None:
                    self._state(package, quoted.group(1), line_no, text)
                else:
                    self._pending_dunder = package
        shown_name, self._shown_name = self._shown_name, ""
        if norm.startswith(("Name: ", "Version: ")):
            self._pip_show(norm, shown_name, line_no, text)
        if norm.startswith("Python "):
            banner = _BANNER.match(norm)
            if banner is not None:
                self.python = Stated(f"{banner.group(1)}.{banner.group(2)}", line_no, text)
        if "satisfied" in norm:
            for found in _SATISFIED.finditer(norm):
                self._installed(found.group(1), Stated("", line_no, text))
            satisfied = _SATISFIED_VERSION.search(norm)
            if satisfied is not None and canonical(satisfied.group(1)) in _PACKAGES_STATED:
                self._state(canonical(satisfied.group(1)), satisfied.group(2), line_no, text)
            for name in re.findall(r"->([A-Za-z][\w.-]{0,60})\)", norm):
                self._installed(name, Stated("", line_no, text))
        if "uninstalled " in norm:
            removed = _UNINSTALLED.search(norm)
            if removed is not None:
                package = distribution(removed.group(1))
                self.stated.pop(package, None)
                self.installed.pop(package, None)
        for package, stated in _stated_in(norm):
            self._state(package, stated, line_no, text)
        self._uv_change(norm)
        if "  " in norm:
            self._conda_list(norm, line_no)

    def _uv_change(self, norm: str) -> None:
        """uv's " - keras==2.15.0" after its "Uninstalled N packages" line removed that version,
        as pip's "Successfully uninstalled keras-2.15.0" does (a Markdown list item "- keras==X"
        elsewhere still states X)."""
        if norm.startswith("Uninstalled ") and _UV_SUMMARY.match(norm):
            self._uv_changes = True
            return
        if not self._uv_changes:
            return
        change = _UV_CHANGE.match(norm)
        if change is None:
            self._uv_changes = bool(_UV_SUMMARY.match(norm))
        elif change.group(1) == "-":
            package = distribution(change.group(2))
            self.stated.pop(package, None)
            self.installed.pop(package, None)

    def _pip_show(self, norm: str, shown_name: str, line_no: int, text: str) -> None:
        """`pip show X` prints "Name: X" and, on the next line, "Version: Y": X is installed."""
        if norm.startswith("Name: "):
            name = norm[6:].strip()
            if _DISTRIBUTION_NAME.fullmatch(name):
                self._shown_name = name
        elif shown_name:
            version = _VERSION_NUMBER_ONLY.fullmatch(norm[9:].strip())
            if version is None:
                return
            package = canonical(shown_name)
            if package in _PACKAGES_STATED:
                self._state(package, version.group(1), line_no, text)
            else:
                self._installed(package, Stated(version.group(1), line_no, text))

    def _conda_list(self, norm: str, line_no: int) -> None:
        found = _CONDA_LIST.match(norm)
        if found is None:
            return
        build, channel = found.group(2), found.group(3) or ""
        by = "pip" if build == "<pip>" or channel == "pypi" else ("conda" if channel else "")
        if not by or (len(self.conda_listed) >= 4 * self.MAX_PACKAGES):
            return
        self.conda_listed.setdefault(found.group(1).lower(), set()).add(by)
        if by == "pip":
            self.conda_line = Stated("", line_no, norm)

    def _state(self, package: str, version: str, line_no: int, text: str) -> None:
        if package not in self.stated and len(self.stated) >= self.MAX_PACKAGES:
            return
        self.stated[package] = Stated(version, line_no, text)
        self._installed(package, self.stated[package])

    def _installed(self, name: str, where: Stated) -> None:
        key = canonical(name)
        if key in self.installed or len(self.installed) < self.MAX_PACKAGES:
            self.installed[key] = where

    def versions(self) -> dict[str, str]:
        """package -> version, with ``tensorflow`` standing for whichever variant was stated."""
        out = {name: stated.version for name, stated in self.stated.items()}
        latest = _tensorflow(self)  # the variant stated last, as version_hits reads it
        if "tensorflow" not in out and latest is not None:
            out["tensorflow"] = latest.version
        if self.python is not None:
            out.setdefault("python", self.python.version)
        return out


class VersionHit(NamedTuple):
    family: str
    detail: str
    lines: tuple[Stated, ...]


def _tensorflow(facts: VersionFacts) -> Stated | None:
    variants = [
        s
        for name, s in facts.stated.items()
        if name.startswith(("tensorflow", "tf-nightly", "intel-"))
    ]
    return max(variants, key=lambda s: s.line_no) if variants else None


def _conda_mixed(facts: VersionFacts) -> str:
    """A package of the TensorFlow stack that `conda list` shows from pip beside conda's own
    packages (or from both), "" when none."""
    listed = facts.conda_listed
    if not any("conda" in by for by in listed.values()):
        return ""
    stack = knowledge.stack_distributions()
    for name, by in sorted(listed.items()):
        if "pip" in by and (canonical(name) in stack or len(by) == 2):
            return name
    return ""


def _separate_installations(facts: VersionFacts) -> list[str]:
    """The TensorFlow distributions the text shows installed, less those that ``tensorflow``
    of the same version pins as its platform's implementation (tensorflow-intel on Windows)."""
    variants = sorted(n for n in facts.installed if n in knowledge.tf_distributions())
    meta = facts.installed.get("tensorflow")
    if meta is None or not meta.version:
        return variants
    pinned = knowledge.pinned_implementations(meta.version)
    return [n for n in variants if n not in pinned or facts.installed[n].version != meta.version]


def minor_of(version: str) -> str:
    """``major.minor`` of a stated version ("2.16" of "2.16.1", "2.16", "2.16rc0")."""
    found = re.match(r"\d{1,4}\.\d{1,4}", version)
    return found.group() if found else version


def version_hits(facts: VersionFacts, python: str) -> Iterator[VersionHit]:
    """The mismatches between the versions a text states, by the knowledge base."""
    variants = _separate_installations(facts)
    if len(variants) >= 2:
        lines = tuple(facts.installed[n] for n in variants)
        yield VersionHit(
            "versions-two-tensorflows", " and ".join(variants) + " are both installed", lines
        )
    mixed = _conda_mixed(facts)
    if mixed:
        yield VersionHit(
            "conda-list-mixed",
            f"`conda list` shows {mixed} installed by pip in a conda environment",
            (facts.conda_line,),
        )
    tf = _tensorflow(facts)
    if tf is None:
        return
    line, requirement = knowledge.keras_line_for(tf.version)
    keras = facts.stated.get("keras")
    if (
        keras is not None
        and requirement
        and knowledge.satisfies(keras.version, requirement) is False
    ):
        yield VersionHit(
            "versions-keras",
            f"TensorFlow {tf.version} needs keras{requirement}; keras {keras.version} is stated",
            (tf, keras),
        )
    tf_keras = facts.stated.get("tf-keras")
    if tf_keras is not None and line == 3:
        minor = minor_of(tf.version)
        if minor_of(tf_keras.version) != minor:  # "tf-keras 2.16" and "2.16.0rc0" are of 2.16
            yield VersionHit(
                "versions-tf-keras",
                f"tf-keras {tf_keras.version} is not of TensorFlow {minor}",
                (tf, tf_keras),
            )
    for package, family in (("numpy", "versions-numpy"), ("protobuf", "versions-protobuf")):
        stated = facts.stated.get(package)
        if stated is None:
            continue
        spec = knowledge.spec_for(tf.version, package)
        if spec and knowledge.satisfies(stated.version, spec) is False:
            yield VersionHit(
                family,
                f"TensorFlow {tf.version} needs {package}{spec}; {package} {stated.version} is stated",
                (tf, stated),
            )
    pythons = knowledge.pythons_for(tf.version)
    if python and pythons and python not in pythons and python.count(".") == 1:
        yield VersionHit(
            "versions-python",
            f"TensorFlow {tf.version} has wheels for Python {', '.join(pythons)}, not {python}",
            (tf,),
        )
