"""The API-change data indexed for one target: what is active, looked up by dotted prefix."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from tfdoctor.lint.api_changes import ApiChange, load_api_data
from tfdoctor.lint.target import IMPLEMENTATIONS, KERAS, TF_KERAS, TF_KERAS_PKG, KerasTarget
from tfdoctor.lint.tf_added import load_added_names

# Dotted prefixes of each Keras implementation, longest first.
_IMPL_PREFIXES: tuple[tuple[str, str], ...] = (
    ("tensorflow.compat.v2.keras", TF_KERAS),
    ("tensorflow.compat.v1.keras", TF_KERAS),
    ("tensorflow.keras", TF_KERAS),
    ("tf_keras", TF_KERAS_PKG),
    ("keras", KERAS),
)
_CANONICAL_PREFIX = {KERAS: "keras", TF_KERAS: "tensorflow.keras", TF_KERAS_PKG: "tf_keras"}
DISPLAY = {KERAS: "keras", TF_KERAS: "tf.keras", TF_KERAS_PKG: "tf_keras"}
MODEL_FORMAT_WORDS = frozenset({"save", "load_model", "save_weights"})


@lru_cache(maxsize=4096)
def implementation_of(qualified: str) -> tuple[str, str | None] | None:
    """(implementation, name relative as ``keras.*``) for a dotted name inside a Keras.

    The relative name is None where the API-change data does not apply (tf.compat.v1.keras).
    """
    for prefix, impl in _IMPL_PREFIXES:
        if qualified == prefix or qualified.startswith(prefix + "."):
            if prefix.startswith("tensorflow.compat.v1"):
                return impl, None
            return impl, "keras" + qualified[len(prefix) :]
    return None


def in_implementation(keras_name: str, implementation: str) -> str:
    """``keras.layers.X`` spelled as a dotted name of ``implementation``."""
    if keras_name == "keras" or keras_name.startswith("keras."):
        return _CANONICAL_PREFIX[implementation] + keras_name[len("keras") :]
    return keras_name


def tf2_name(qualified: str) -> str:
    """``tensorflow.compat.v2.X`` is the TF 2 API ``tensorflow.X``."""
    if qualified.startswith("tensorflow.compat.v2"):
        return "tensorflow" + qualified[len("tensorflow.compat.v2") :]
    return qualified


def display_name(qualified: str) -> str:
    if qualified.startswith("tensorflow.keras"):
        return "tf.keras" + qualified[len("tensorflow.keras") :]
    if qualified == "tensorflow" or qualified.startswith("tensorflow."):
        return "tf" + qualified[len("tensorflow") :]
    return qualified


@dataclass(frozen=True)
class Knowledge:
    target: KerasTarget
    keras_names: dict[str, dict[str, ApiChange]]  # implementation -> old -> active change
    tf_names: dict[str, ApiChange]
    methods: dict[str, dict[str, ApiChange]]  # implementation -> method -> change
    keywords: dict[str, tuple[ApiChange, ...]]  # implementation -> keyword changes
    keras3: frozenset[str]  # implementations that are Keras 3 under the target
    keras_objects: tuple[str, ...]  # keras.* prefixes of what creates Keras objects
    # For the pre-filter, in the dotted names of each implementation (keras.*, tensorflow.keras.*,
    # tf_keras.*, tensorflow.*): the changed names, and for each proper prefix the words that a
    # file importing that prefix must also contain to reach a change below it.
    paths: frozenset[str]
    below: dict[str, tuple[tuple[tuple[str, ...], str], ...]]  # prefix -> (rest, keyword or "")
    keyword_paths: dict[str, tuple[bytes, ...]]  # callee path -> keywords that changed
    method_words: tuple[bytes, ...]
    # tensorflow.* names that a later TensorFlow added -> the first probed release with them
    # (kb/data/tf_added.json), when the target's TensorFlow is known and older; else empty
    added: dict[str, str]
    # of those, the ones with an older spelling of the same API that the target has (the data's
    # renames read backwards: older_spellings) -> that spelling; what TFD714's fix writes
    older: dict[str, str]
    # top-level packages whose objects are not Keras models (kb: other_model_libraries)
    other_model_libraries: frozenset[str] = frozenset()

    def creates_keras_object(self, relative: str) -> bool:
        """True for ``keras.layers.Dense`` (a layer), False for ``keras.utils.to_categorical``
        (a NumPy array): only Keras objects mix badly between implementations."""
        return any(relative == p or relative.startswith(p + ".") for p in self.keras_objects)

    def find_name(self, implementation: str | None, name: str) -> ApiChange | None:
        """The change for the longest dotted prefix of ``name`` that is active."""
        table = self.keras_names.get(implementation, {}) if implementation else self.tf_names
        if not table:
            return None
        parts = name.split(".")
        for end in range(len(parts), 0, -1):
            change = table.get(".".join(parts[:end]))
            if change is not None:
                return change
        return None

    def find_added(self, qualified: str) -> tuple[str, str] | None:
        """(name, first release) for the dotted prefix of ``qualified`` (a tensorflow.* name)
        that needs the newest TensorFlow of those the target lacks; the longer on a tie."""
        if not self.added or not qualified.startswith("tensorflow."):
            return None
        parts = qualified.split(".")
        found: tuple[str, str] | None = None
        for end in range(2, len(parts) + 1):
            name = ".".join(parts[:end])
            release = self.added.get(name)
            if release and (found is None or _release(release) >= _release(found[1])):
                found = (name, release)
        return found


@lru_cache(maxsize=64)
def _release(text: str) -> Version:
    return Version(text)


@lru_cache(maxsize=8)
def knowledge_for(target: KerasTarget) -> Knowledge:
    """The API changes active under ``target``, indexed for the analyzer and the pre-filter."""
    data = load_api_data()
    tables = _Tables()
    tf_version = target.tensorflow_version
    for change in data.changes:
        spec = SpecifierSet(change.breaks)
        if change.package == "tensorflow":
            if spec.contains(tf_version, prereleases=True):
                tables.add_tensorflow(change)
            continue
        for impl in IMPLEMENTATIONS:
            if change.applies_to(impl) and spec.contains(
                target.keras_version(impl), prereleases=True
            ):
                tables.add_keras(change, impl)
    if target.tensorflow_known:
        added = load_added_names()
        for name in sorted({*added.added, *added.returned}):
            release = added.needed_by(name, tf_version)
            if release:
                tables.add_added(name, release)
        tables.older = older_spellings(target, tables.added)
    keras3 = frozenset(impl for impl in IMPLEMENTATIONS if target.keras_version(impl).major >= 3)
    return tables.knowledge(target, keras3, data.keras_objects, data.other_model_libraries)


def older_spellings(target: KerasTarget, needed: Iterable[str]) -> dict[str, str]:
    """For each of the ``needed`` names (``tensorflow.*`` names the target lacks: TFD714), the
    older spelling of the same API that the target has, where the data records one: an entry of
    api_changes.json that renames ``old`` to ``new`` as the same API (``fix: rename``:
    tf_upgrade_v2's renames, the Keras release notes), read backwards, when tf_added.json shows
    ``old`` in the target TensorFlow and the entry does not break ``old`` there.
    ``tf.keras.optimizers.schedules.CosineDecay`` (2.5) is ``tf.keras.experimental.CosineDecay``
    before it; ``tf.math.floormod`` (1.14) is ``tf.floormod`` in 1.13. No pairing is guessed from
    the names: ``tf.distribute.TPUStrategy`` (2.3) and ``tf.distribute.experimental.TPUStrategy``
    are two names in the table, not one API that the data records."""
    names = load_added_names()
    tensorflow = target.tensorflow_version
    wanted = set(needed)
    found: dict[str, str] = {}
    for change in load_api_data().changes:
        if change.kind != "name" or not change.renamable:
            continue
        if change.package == "tensorflow":
            old, new, version = change.old, change.replacement, tensorflow
        elif change.applies_to(TF_KERAS):
            old = in_implementation(change.old, TF_KERAS)
            new = in_implementation(change.replacement, TF_KERAS)
            version = target.keras_version(TF_KERAS)
        else:
            continue
        if new not in wanted or new in found:
            continue
        if SpecifierSet(change.breaks).contains(version, prereleases=True):
            continue  # the old spelling fails in the target too
        if names.present_in(old, tensorflow):
            found[new] = old
    return found


class _Tables:
    """The tables of a Knowledge, filled one active change at a time."""

    def __init__(self) -> None:
        self.keras_names: dict[str, dict[str, ApiChange]] = {impl: {} for impl in IMPLEMENTATIONS}
        self.methods: dict[str, dict[str, ApiChange]] = {impl: {} for impl in IMPLEMENTATIONS}
        self.keywords: dict[str, list[ApiChange]] = {impl: [] for impl in IMPLEMENTATIONS}
        self.tf_names: dict[str, ApiChange] = {}
        self.paths: set[str] = set()
        self.below: dict[str, set[tuple[tuple[str, ...], str]]] = {}
        self.method_words: set[bytes] = set()
        self.keyword_paths: dict[str, set[bytes]] = {}
        self.added: dict[str, str] = {}
        self.older: dict[str, str] = {}

    def add_tensorflow(self, change: ApiChange) -> None:
        self.tf_names[change.old] = change
        self._path(change.old)

    def add_added(self, name: str, release: str) -> None:
        self.added[name] = release
        self._path(name)

    def add_keras(self, change: ApiChange, impl: str) -> None:
        if change.kind == "name":
            self.keras_names[impl][change.old] = change
            self._path(in_implementation(change.old, impl))
        elif change.kind == "method":
            self.methods[impl][change.old] = change
            self.method_words.add(change.old.encode())
        else:
            self.keywords[impl].append(change)
            callee = in_implementation(change.old, impl)
            self.keyword_paths.setdefault(callee, set()).add(change.keyword.encode())
            self._below(callee, change.keyword)

    def _path(self, path: str) -> None:
        """A changed dotted name, and the words below each of its prefixes."""
        self.paths.add(path)
        self._below(path, "")

    def _below(self, path: str, keyword: str) -> None:
        parts = path.split(".")
        for end in range(1, len(parts)):
            self.below.setdefault(".".join(parts[:end]), set()).add((tuple(parts[end:]), keyword))

    def knowledge(
        self,
        target: KerasTarget,
        keras3: frozenset[str],
        keras_objects: tuple[str, ...],
        other_model_libraries: tuple[str, ...] = (),
    ) -> Knowledge:
        return Knowledge(
            target=target,
            keras_names=self.keras_names,
            tf_names=self.tf_names,
            methods=self.methods,
            keywords={impl: tuple(found) for impl, found in self.keywords.items()},
            keras3=keras3,
            keras_objects=keras_objects,
            paths=frozenset(self.paths),
            keyword_paths={path: tuple(sorted(w)) for path, w in self.keyword_paths.items()},
            below={prefix: tuple(sorted(rests)) for prefix, rests in self.below.items()},
            method_words=tuple(sorted(self.method_words)),
            added=self.added,
            older=self.older,
            other_model_libraries=frozenset(other_model_libraries),
        )
