"""``python -m tfdoctor.kb keras-internals``: which TensorFlow internals Keras itself imports.

A text that only says a TensorFlow internal is missing (``tensorflow.python.X``,
``tf.__internal__.Y``, dtensor) does not show whose code asked for it. When some Keras release
imports that name, the likely asker is a keras of another release than TensorFlow; when no Keras
release ever did, Keras is not the asker: a package built on TensorFlow (or the user's code) is.

This command reads the source of the keras and tf-keras wheels listed below from the registry and
writes the internal names they use into ``knowledge.keras_tf_internals`` of signatures.json
(explain's ``tf-internal`` families read it). The extraction itself is a pure function
(:func:`tf_internals_used`) over Python source text.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tfdoctor.kb import pypi
from tfdoctor.tfnames import normalize_tf_name as normalize

# (distribution, releases): multi-backend Keras 2.2-2.3, Keras 2.4 (tf.keras's wrapper), the
# standalone keras of TensorFlow 2.6-2.15, tf-keras (Keras 2 for TensorFlow >= 2.15)
RELEASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "keras",
        (
            "2.2.4", "2.2.5", "2.3.1", "2.4.3", "2.6.0", "2.7.0", "2.8.0", "2.9.0", "2.10.0",
            "2.11.0", "2.12.0", "2.13.1", "2.14.0", "2.15.0",
        ),
    ),
    ("tf-keras", ("2.15.1", "2.16.0", "2.17.0", "2.18.0", "2.19.0", "2.20.1")),
)  # fmt: skip
# Keras 3 releases: read for the names of Keras's own classes and functions only
KERAS3_RELEASES: tuple[str, ...] = ("3.0.0", "3.5.0", "3.10.0", "3.15.1")

# the imported names: a parenthesised list (comments may follow its items), or one line that
# backslashes may continue
_FROM = re.compile(
    r"^[ \t]*from[ \t]+(tensorflow(?:\.\w+)*)[ \t]+import[ \t]+(\([^)]*\)|(?:[^\n#\\]|\\\n)+)",
    re.MULTILINE,
)
_COMMENT = re.compile(r"#[^\n]*")
_IMPORT = re.compile(r"^[ \t]*import[ \t]+(tensorflow(?:\.\w+)+)(?:[ \t]+as[ \t]+(\w+))?", re.M)
_TF_ATTR = re.compile(
    r"\btf\.((?:compat\.v[12]\.)?(?:__internal__|experimental\.dtensor|python|core)(?:\.\w+)*)"
)
_INTERNAL_PARTS = frozenset({"python", "core", "__internal__", "dtensor", "tsl"})


def _internal(name: str) -> bool:
    return bool(_INTERNAL_PARTS & set(name.split(".")))


def tf_internals_used(source: str) -> set[str]:
    """The TensorFlow internals one Python source file imports or reaches through ``tf.``:
    modules, the names imported from them, and attributes read through a module's alias."""
    used: set[str] = set()
    aliases: dict[str, str] = {}
    for match in _FROM.finditer(source):
        module = normalize(match.group(1))
        used.add(module)
        names = _COMMENT.sub("", match.group(2)).replace("\\\n", " ")
        for item in names.strip("()").split(","):
            words = item.split()
            if not words or not words[0].isidentifier():
                continue
            used.add(f"{module}.{words[0]}")
            alias = words[2] if len(words) == 3 and words[1] == "as" else words[0]
            aliases[alias] = f"{module}.{words[0]}"
    for match in _IMPORT.finditer(source):
        module = normalize(match.group(1))
        used.add(module)
        if match.group(2):
            aliases[match.group(2)] = module
    for alias, target in aliases.items():
        for attribute in re.findall(rf"\b{re.escape(alias)}\.(\w+)", source):
            used.add(f"{target}.{attribute}")
    for match in _TF_ATTR.finditer(source):
        used.add(normalize("tensorflow." + match.group(1)))
    return {name for name in used if _internal(name)}


_SERIALIZED_KINDS = re.compile(
    r"(?:^|/)(?:layers|initializers|regularizers|constraints|optimizers|losses|metrics|"
    r"activations|engine|models|mixed_precision|dtype_policies)(?:/|\.py$)"
)
_DEFINED = re.compile(r"^(?:class|def)[ \t]+([A-Za-z]\w*)", re.MULTILINE)


_TEST_CODE = re.compile(
    r"(?:_test\.py$|test_utils|testing_utils|integration_test|/testing/|/tests?/)"
)


def builtin_names(path: str, source: str) -> set[str]:
    """The public classes and functions a Keras module of a serialisable kind (layers,
    initializers, optimizers, losses, metrics, activations...) defines at its top level: the
    names a saved model's config refers to."""
    if not _SERIALIZED_KINDS.search(path) or _TEST_CODE.search(path):
        return set()
    return {name for name in _DEFINED.findall(source) if not name.startswith("_")}


_HELPER_MODULES = re.compile(
    r"(?:^|/)(?:backend(?:/[\w]+)?\.py|backend/__init__\.py|utils/\w+\.py)$"
)


def helper_names(path: str, source: str) -> set[str]:
    """The public functions and classes a Keras backend or utils module defines at its top level
    (``keras.backend.is_tensor``, ``keras.utils.get_file``...): the helpers libraries built on
    Keras call."""
    if not _HELPER_MODULES.search(path) or _TEST_CODE.search(path):
        return set()
    return {name for name in _DEFINED.findall(source) if not name.startswith("_")}


def _wheel_sources(wheel: bytes) -> Iterator[tuple[str, str]]:
    with zipfile.ZipFile(io.BytesIO(wheel)) as archive:
        for info in archive.infolist():
            if info.filename.endswith(".py"):
                yield info.filename, archive.read(info).decode("utf-8", errors="replace")


def _wheel_urls(index: str, name: str, versions: tuple[str, ...]) -> list[str]:
    """The wheel of each release, from the project's JSON (one request per distribution)."""
    url = pypi.project_url(index, name)
    data = pypi.get_json(url)
    if data is None:
        raise pypi.RegistryError(f"{name} is not on {index}")
    urls = []
    for version in versions:
        files = data.get("releases", {}).get(version) or []
        wheels = [f for f in files if str(f.get("filename", "")).endswith(".whl")]
        if not wheels:
            raise pypi.RegistryError(f"{name} {version} has no wheel on {index}")
        urls.append(pypi.file_url(url, wheels[0]))
    return urls


def collect(
    index: str = pypi.DEFAULT_INDEX,
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(knowledge.keras_tf_internals, .keras_builtin_names, .keras_helper_names)."""
    internals: set[str] = set()
    builtins: set[str] = set()
    helpers: set[str] = set()
    read: list[str] = []
    releases = (*RELEASES, ("keras", KERAS3_RELEASES))
    for name, versions in releases:
        for version, url in zip(versions, _wheel_urls(index, name, versions)):
            print(f"reading {name} {version}")
            wheel = pypi.download(url)
            for path, source in _wheel_sources(wheel):
                if not version.startswith("3."):
                    internals |= tf_internals_used(source)
                builtins |= builtin_names(path, source)
                helpers |= helper_names(path, source)
            read.append(f"{name}=={version}")
    keras2 = [r for r in read if not r.startswith("keras==3.")]
    return (
        {
            "names": sorted(internals),
            "source": f"{index}: the .py files of the wheels of {', '.join(keras2)}",
            "command": "python -m tfdoctor.kb keras-internals",
        },
        {
            "names": sorted(builtins),
            "source": f"{index}: the classes and functions that the layers, initializers, "
            "regularizers, constraints, optimizers, losses, metrics and activations modules of "
            f"the wheels of {', '.join(read)} define",
            "command": "python -m tfdoctor.kb keras-internals",
        },
        {
            "names": sorted(helpers),
            "source": f"{index}: the public functions and classes that the backend and utils "
            f"modules of the wheels of {', '.join(read)} define",
            "command": "python -m tfdoctor.kb keras-internals",
        },
    )


def write_knowledge(signatures: Path, lists: dict[str, dict[str, Any]]) -> None:
    """Put derived name lists into ``knowledge`` of signatures.json (the rest stays as it is)."""
    data = json.loads(signatures.read_text(encoding="utf-8"))
    data["knowledge"].update(lists)
    signatures.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main(signatures: Path, index: str = pypi.DEFAULT_INDEX) -> int:
    knowledge = collect(index)
    internals, builtins, helpers = knowledge
    write_knowledge(
        signatures,
        {
            "keras_tf_internals": internals,
            "keras_builtin_names": builtins,
            "keras_helper_names": helpers,
        },
    )
    counts = ", ".join(str(len(part["names"])) for part in knowledge)
    print(f"wrote {counts} names (internals, builtins, helpers) to {signatures}")
    return 0
