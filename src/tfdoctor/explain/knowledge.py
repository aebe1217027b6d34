"""What explain asks the knowledge base, loaded only when a text needs it.

* Version facts (which TensorFlow wants which Keras, NumPy, protobuf, Python; which distributions
  are TensorFlow, Keras or packages built on them): ``tfdoctor.kb``.
* API changes (a Keras or TensorFlow name, method or keyword that a version no longer has): the
  table that ``tfdoctor lint`` uses too, kb/data/api_changes.json, read through lint's loader
  so that there is one reading of one table.
* The first TensorFlow release of each public name (kb/data/tf_added.json): lint's reader too
  (``tfdoctor.lint.tf_added``).

Nothing here is imported at explain's start-up: a text without a version or a missing name never
loads the knowledge base.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from tfdoctor.kb import KnowledgeBase
    from tfdoctor.lint.api_changes import ApiChange


class ApiIndex(NamedTuple):
    names: Mapping[
        str, tuple[ApiChange, ...]
    ]  # dotted old name -> changes (keras.* / tensorflow.*)
    methods: Mapping[str, tuple[ApiChange, ...]]  # method name -> changes
    keywords: Mapping[str, tuple[ApiChange, ...]]  # keyword -> changes


@functools.lru_cache(maxsize=1)
def kb() -> KnowledgeBase:
    from tfdoctor.kb import load

    return load()


@functools.lru_cache(maxsize=1)
def api_index() -> ApiIndex:
    from tfdoctor.lint.api_changes import load_api_data

    names: dict[str, list[ApiChange]] = {}
    methods: dict[str, list[ApiChange]] = {}
    keywords: dict[str, list[ApiChange]] = {}
    for change in load_api_data().changes:
        if change.kind == "name":
            names.setdefault(change.old, []).append(change)
        elif change.kind == "method":
            methods.setdefault(change.old, []).append(change)
        elif change.keyword:
            keywords.setdefault(change.keyword, []).append(change)
    return ApiIndex(
        {k: tuple(v) for k, v in names.items()},
        {k: tuple(v) for k, v in methods.items()},
        {k: tuple(v) for k, v in keywords.items()},
    )


def find_name(
    dotted: str, implementation: str = "", versions: Mapping[str, str] | None = None
) -> ApiChange | None:
    """The change of the longest dotted prefix of ``dotted`` in the table (``keras.utils.np_utils``
    for ``keras.utils.np_utils.to_categorical``); of the entries for that name, the first that
    applies to ``implementation`` when one is given (a name can differ per Keras), and of those
    the first whose releases contain the versions the text states (a name can break in several
    ranges: keras 2.6-2.12 and Keras 3)."""
    names = api_index().names
    parts = dotted.split(".")
    longest: ApiChange | None = None
    for end in range(len(parts), 1, -1):
        found = names.get(".".join(parts[:end]))
        if found:
            fitting = [c for c in found if not implementation or c.applies_to(implementation)]
            stated = [c for c in fitting if versions and applies(c, versions)]
            if stated or not versions:
                return (stated or fitting or found)[0]
            # none of the name's entries holds the stated versions: a module above it may
            # (keras.optimizers.legacy.Adadelta: keras 2.9-2.12; keras.optimizers.legacy: Keras 3)
            longest = longest or (fitting or found)[0]
    return longest


@functools.lru_cache(maxsize=256)
def find_bare(name: str, shown: str = "") -> ApiChange | None:
    """The change of the name in the table whose last part is ``name``, for a message that does
    not say the module (``cannot import name 'Merge'``, Python < 3.8's form). A class name counts
    only when one entry has it (``Layer`` is in several modules); a lower-case name (``merge``,
    ``set_random_seed``) of five letters or more takes the entry of the package the text shows
    (``shown``: "keras" or "tensorflow"), else the shortest path, the one code imports it from
    most often (``keras.layers.merge`` before ``tensorflow.sparse.merge``). None otherwise."""
    if len(name) < 4:
        return None
    index = api_index().names
    found = _by_last_part().get(name, [])
    if name[:1].isupper():
        return index[found[0]][0] if len(found) == 1 else None
    if len(name) < 5 or not found:
        return None
    preferred = [old for old in found if index[old][0].package == shown] or found
    return index[min(preferred, key=lambda old: (len(old), old))][0]


@functools.lru_cache(maxsize=1)
def _by_last_part() -> dict[str, list[str]]:
    """The table's dotted names by their last part: one lookup per message, however long the log."""
    out: dict[str, list[str]] = {}
    for old in api_index().names:
        out.setdefault(old.rsplit(".", 1)[-1], []).append(old)
    return out


def find_below(module: str) -> ApiChange | None:
    """The change of the one name the table lists below a missing module (``keras.wrappers`` is
    missing when code reaches for ``keras.wrappers.scikit_learn``); None when the table lists
    none or several (a module with several changed names, like ``keras.layers``, exists)."""
    prefix = module + "."
    found = [old for old in api_index().names if old.startswith(prefix)]
    return api_index().names[found[0]][0] if len(found) == 1 else None


def applies(change: ApiChange, versions: Mapping[str, str]) -> bool:
    """Whether the change breaks the version the text states (True when none is stated)."""
    return breaks_stated(change.package, change.breaks, versions)


def breaks_stated(package: str, breaks: str, versions: Mapping[str, str]) -> bool:
    """Whether the stated version of ``package`` is in ``breaks`` (True when none is stated).
    For Keras, when only TensorFlow's version is stated, the Keras line that TensorFlow pairs
    with (keras_of_tensorflow)."""
    version = versions.get(package)
    candidates: tuple[str, ...] = (version,) if version else ()
    if not version and package == "keras":
        candidates = keras_of_tensorflow(versions.get("tensorflow", ""))
    if not candidates:
        return True
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    try:
        return any(Version(v) in SpecifierSet(breaks) for v in candidates)
    except (InvalidSpecifier, InvalidVersion):
        return True


def keras_of_tensorflow(tensorflow: str) -> tuple[str, ...]:
    """The Keras releases a TensorFlow pairs with: TF 2.6-2.15 require keras of their own
    minor; older TensorFlow ran beside multi-backend Keras up to 2.4 (or its bundled copy);
    none known for TF >= 2.16 (Keras 3 or tf-keras) and for what is not a version."""
    major, _, rest = tensorflow.partition(".")
    minor = rest.partition(".")[0]
    if not (major.isdigit() and minor.isdigit()):
        return ()
    if major in ("0", "1") or (major == "2" and int(minor) < 6):
        return _MULTI_BACKEND_KERAS
    return (f"2.{minor}",) if major == "2" and int(minor) <= 15 else ()


_MULTI_BACKEND_KERAS = ("1.2.2", "2.0.9", "2.1.6", "2.2.4", "2.2.5", "2.3.1", "2.4.3")


class GoneAttribute(NamedTuple):
    kind: str  # keras.Sequential, tf.distribute.Strategy, ...
    last_had: str  # the last release probed that had it
    gone_from: str  # the first release probed that lacks it
    last_had_tensorflow: str


@functools.lru_cache(maxsize=1)
def _object_kinds() -> dict[str, Any]:
    import json
    from importlib import resources

    data = resources.files("tfdoctor").joinpath("kb").joinpath("data")
    page = data.joinpath("object_attributes.json")
    kinds: dict[str, Any] = json.loads(page.read_text("utf-8"))["kinds"]
    return kinds


# the concrete classes of datasets and strategies are many (PrefetchDataset, MapDataset...)
_KIND_SUFFIXES = (
    ("Dataset", "tf.data.Dataset"),
    ("Strategy", "tf.distribute.Strategy"),
    ("StrategyV1", "tf.distribute.Strategy"),
    ("StrategyV2", "tf.distribute.Strategy"),
)


# objects that only Keras's own code asks for attributes (a layer reads the node that made its
# input): a missing one is Keras meeting an object of another Keras, which signatures say
_READ_BY_KERAS_ONLY = frozenset({"keras.Node"})


def gone_attribute(cls: str, attribute: str, keras_builtin: bool) -> GoneAttribute | None:
    """The release that dropped ``attribute`` of the Keras or TensorFlow object of class ``cls``
    (kb/data/object_attributes.json, found by building the objects in real environments);
    ``keras_builtin``: ``cls`` is one of Keras's own classes (a layer other than those built)."""
    kinds = _object_kinds()
    candidates = [kind for kind, data in kinds.items() if cls in data["types"]]
    if not candidates:
        candidates = [kind for suffix, kind in _KIND_SUFFIXES if cls.endswith(suffix)][:1]
    if not candidates and keras_builtin:
        candidates = ["keras.layers.Layer"]
    for kind in candidates:
        if kind in _READ_BY_KERAS_ONLY:
            continue
        gone = kinds[kind]["gone"].get(attribute)
        if gone:
            return GoneAttribute(
                kind, gone["last_had"], gone["gone_from"], gone["last_had_tensorflow"]
            )
    return None


def tf_added_in(name: str) -> str:
    """The first TensorFlow release (of those probed, 1.13 on: kb/data/tf_added.json) with the
    public name ``name`` (``tensorflow.distribute.TPUStrategy`` -> "2.3.4"); "" when TensorFlow
    1.13 had it already or the table does not know it. Read through lint's reader, as lint's
    TFD714 reads it."""
    from tfdoctor.lint.tf_added import tf_added_in as first_release

    return first_release(name)


def tf_added_after_line(name: str, major: int) -> bool:
    """Whether every TensorFlow ``major`` release probed lacked the public name ``name`` (for 1:
    TensorFlow 1.15 did not have it yet), by the release ``tf_added_in`` gives."""
    from tfdoctor.lint.tf_added import load_added_names
    from tfdoctor.tfnames import normalize_tf_name

    return load_added_names().after_line(normalize_tf_name(name), major)


@functools.lru_cache(maxsize=1)
def tf_distributions() -> frozenset[str]:
    return kb().tf_variants()


@functools.lru_cache(maxsize=1)
def dependent_imports() -> frozenset[str]:
    """Import names of the packages built on TensorFlow/Keras that the kb knows (tf-keras aside:
    it is Keras itself)."""
    return frozenset(
        name.replace("-", "_") for name in kb().dependent_names() if name != "tf-keras"
    )


@functools.lru_cache(maxsize=1)
def dependent_distributions() -> frozenset[str]:
    return frozenset(name for name in kb().dependent_names() if name != "tf-keras")


@functools.lru_cache(maxsize=64)
def wheel_platforms(name: str) -> tuple[str, ...]:
    """The platforms the recent releases of a distribution in declared.json have wheels for
    ("windows-x86_64", ...); () when it is not there or ships pure-Python wheels."""
    platforms: set[str] = set()
    for version in kb().declared_versions(name):
        release = kb().declared(name, version)
        if release is None or not release.platforms:
            return ()  # a pure-Python wheel installs on every platform
        platforms.update(release.platforms)
    return tuple(sorted(platforms))


@functools.lru_cache(maxsize=1)
def stack_distributions() -> frozenset[str]:
    """TensorFlow, Keras, the packages built on them and the libraries TensorFlow pins."""
    return kb().stack_names() | dependent_distributions()


def windows_gpu_last() -> str:
    """The last TensorFlow release with GPU support on native Windows ("" when not recorded)."""
    fact = kb().platform_fact("windows_native_gpu_last")
    return str(fact.value) if fact is not None else ""


def keras_line_for(tensorflow: str) -> tuple[int, str]:
    """(the Keras major ``tf.keras`` needs, the declared keras requirement) for a TF version;
    (0, "") when the kb does not know it."""
    release = kb().tensorflow(tensorflow)
    if release is None:
        return 0, ""
    return release.keras_line, release.spec("keras")


def spec_for(tensorflow: str, package: str) -> str:
    """The effective specifier a TensorFlow release puts on numpy / protobuf ("" unknown)."""
    release = kb().tensorflow(tensorflow)
    if release is None:
        return ""
    return release.spec(package)


def pythons_for(tensorflow: str) -> tuple[str, ...]:
    release = kb().tensorflow(tensorflow)
    return release.pythons if release is not None else ()


def tensorflow_pythons() -> tuple[str, ...]:
    return kb().tensorflow_pythons()


def satisfies(version: str, spec: str) -> bool | None:
    """Whether ``version`` is in ``spec``; None when either cannot be read."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    try:
        return Version(version) in SpecifierSet(spec)
    except (InvalidSpecifier, InvalidVersion):
        return None


def pinned_implementations(tensorflow: str) -> frozenset[str]:
    """The TensorFlow distributions a ``tensorflow`` release installs beside itself by an exact
    pin on some platform (2.12: ``tensorflow-intel==2.12.0`` on Windows, ``tensorflow-cpu-aws``
    on Linux ARM): a pair of them at one version is one installation, not two."""
    from tfdoctor import pep508

    release = kb().tensorflow(tensorflow)
    if release is None:
        return frozenset()
    pinned = set()
    for line in release.requires_dist:
        requirement = pep508.parse(line)
        if requirement is not None and requirement.specifier.startswith("=="):
            pinned.add(pep508.canonical(requirement.name))
    return frozenset(pinned) & tf_distributions()
