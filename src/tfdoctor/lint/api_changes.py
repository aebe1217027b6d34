"""The API-change data (kb/data/api_changes.json): names, methods and keywords that break.

Each change names the old API, the versions of Keras or TensorFlow where it breaks (a PEP 440
specifier), its replacement, whether ``--fix`` may rename it mechanically, and the public source
(migration guide or release notes) that documents it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

KINDS = ("name", "method", "keyword")
PACKAGES = ("keras", "tensorflow")
OUTCOMES = ("error", "ignored")
_IMPLEMENTATIONS = ("keras", "tf.keras", "tf_keras")


@dataclass(frozen=True)
class ApiChange:
    id: str
    kind: str  # name | method | keyword
    old: str  # dotted name (keras.* for every Keras implementation, tensorflow.* for TF)
    package: str  # keras | tensorflow: whose version decides
    breaks: str  # PEP 440 specifier of the versions where `old` fails
    replacement: str
    fix: str  # rename (safe and mechanical) | manual
    note: str
    source: str
    keyword: str = ""
    still_importable: bool = False  # the name exists but raises when used
    # error: using it fails; ignored: accepted with a deprecation warning, without effect
    outcome: str = "error"
    implementations: tuple[str, ...] = ()  # only these (keras, tf.keras, tf_keras); () = all
    # the replacement is spelled in the package that serves tf.keras under the target
    # (keras or tf_keras), not through tf.keras
    replacement_from_package: bool = False
    # the maintainer script that wrote the entry from its observations, "" for a curated one
    derived_by: str = ""
    # a keyword change of a module (keras.layers): the classes in it that still take the keyword
    except_classes: tuple[str, ...] = ()

    @property
    def renamable(self) -> bool:
        return self.fix == "rename"

    def applies_to(self, implementation: str) -> bool:
        return not self.implementations or implementation in self.implementations

    def covers(self, relative: str) -> bool:
        """Whether the change is about ``relative`` (keras.layers.Dense): ``old`` itself or a
        name under it that is not one of the classes that still take the keyword."""
        if relative == self.old:
            return True
        return relative.startswith(self.old + ".") and (
            relative.rsplit(".", 1)[-1] not in self.except_classes
        )


@dataclass(frozen=True)
class ApiData:
    changes: tuple[ApiChange, ...]
    # dotted prefixes (as keras.*) of what creates Keras objects: layers, models, optimizers...
    keras_objects: tuple[str, ...]
    # top-level packages whose objects are not Keras models (scikit-learn's estimators...)
    other_model_libraries: tuple[str, ...] = ()


def parse_api_data(raw: dict[str, object]) -> ApiData:
    changes = []
    entries = raw.get("changes")
    if not isinstance(entries, list):
        raise ValueError("api_changes.json: 'changes' must be a list")
    for entry in entries:
        change = ApiChange(
            **{
                **entry,
                "implementations": tuple(entry.get("implementations", ())),
                "except_classes": tuple(entry.get("except_classes", ())),
            }
        )
        if change.kind not in KINDS or change.package not in PACKAGES:
            raise ValueError(f"api_changes.json: bad kind/package in {change.id}")
        if change.outcome not in OUTCOMES:
            raise ValueError(f"api_changes.json: bad outcome in {change.id}")
        if not set(change.implementations) <= set(_IMPLEMENTATIONS):
            raise ValueError(f"api_changes.json: bad implementations in {change.id}")
        if change.fix not in ("rename", "manual"):
            raise ValueError(f"api_changes.json: bad fix in {change.id}")
        if not change.source.startswith("https://"):
            raise ValueError(f"api_changes.json: {change.id} has no source URL")
        changes.append(change)
    objects = raw.get("keras_objects")
    values = objects.get("value") if isinstance(objects, dict) else None
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValueError("api_changes.json: 'keras_objects' must have a list of dotted names")
    others = raw.get("other_model_libraries")
    names = others.get("value") if isinstance(others, dict) else []
    if not isinstance(names, list) or not all(isinstance(v, str) for v in names):
        raise ValueError("api_changes.json: 'other_model_libraries' must have a list of names")
    return ApiData(tuple(changes), tuple(values), tuple(names))


@lru_cache(maxsize=1)
def load_api_data() -> ApiData:
    page = resources.files("tfdoctor").joinpath("kb").joinpath("data").joinpath("api_changes.json")
    text = page.read_text("utf-8")
    return parse_api_data(json.loads(text))
