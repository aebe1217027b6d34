"""Which keyword arguments of Keras 2's layers Keras 3 refuses (``Dense(2, weights=[...])``
raises ``ValueError: Unrecognized keyword arguments passed to Dense: {'weights': ...}``).

Three steps, all run by a maintainer:

``python scripts/keras_keywords.py keras2 OUT.json``
    with the interpreter of an environment that has Keras 2 (``keras`` 2.15 and TensorFlow of
    the same minor): every public layer class of ``keras.layers`` and the keywords its
    constructor takes (its own parameters and those the base ``Layer`` accepts through
    ``**kwargs``), with the default value where it has one.

``python scripts/keras_keywords.py keras3 KERAS2.json OUT.json``
    with the interpreter of an environment that has Keras 3: each class that Keras 3 still has
    is built with its required arguments, then once more with each Keras 2 keyword added; a
    keyword whose addition makes the constructor raise an error that names it is recorded,
    with the error. The classes built are listed; those that cannot be built without an
    argument this script does not know how to fill are listed as skipped.

``python scripts/keras_keywords.py entries KERAS2.json KERAS3.json...``
    writes, into src/tfdoctor/kb/data/api_changes.json, one ``keyword`` change per keyword that
    every Keras 3 run refused (``breaks: >=3``): one for ``keras.layers`` when every layer that
    took it in Keras 2 refuses it now, one per class otherwise. The runs are kept in
    src/tfdoctor/kb/data/keras_keywords.json. Curated keyword entries are never replaced.
"""

from __future__ import annotations

import ast
import inspect
import json
import os
import sys
import textwrap
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
API_CHANGES = ROOT / "src" / "tfdoctor" / "kb" / "data" / "api_changes.json"
OBSERVED = ROOT / "src" / "tfdoctor" / "kb" / "data" / "keras_keywords.json"
DERIVED_BY = "scripts/keras_keywords.py"
SOURCE = "https://keras.io/guides/migrating_to_keras_3/"
# the keywords the base Layer of Keras 2 takes through **kwargs that users pass, with a value a
# Keras 2 user passes (they have no default to read). Its other allowed kwargs ("autocast",
# "implementation") are Keras's own plumbing: kept only where a class names them itself (LSTM).
_BASE_VALUES: dict[str, Any] = {
    "input_dim": 3,
    "input_shape": [3],
    "batch_input_shape": [None, 3],
    "batch_size": 1,
    "weights": None,
    "activity_regularizer": None,
}
# values for required constructor arguments of Keras 3 layers, by parameter name
_REQUIRED: dict[str, Any] = {
    "units": 2,
    "filters": 2,
    "kernel_size": 3,
    "rate": 0.1,
    "pool_size": 2,
    "size": 2,
    "cropping": 1,
    "padding": 1,
    "target_shape": [2],
    "dims": [1],
    "n": 2,
    "function": "identity",
    "num_heads": 2,
    "key_dim": 2,
    "axis": -1,
    "stddev": 0.1,
    "input_dim": 10,
    "output_dim": 2,
    "height": 2,
    "width": 2,
    "scale": 1.0,
    "factor": 0.1,
    "max_tokens": 10,
    "num_tokens": 10,
    "num_bins": 2,
    "depth_multiplier": 1,
    "layer": "dense",
    "cell": "cell",
    "cells": "cells",
    "activation": "relu",
    "axes": 1,
    "equation": "ab,bc->ac",
    "output_shape": 2,
    "height_factor": 0.1,
    "width_factor": 0.1,
}
# tried when a class cannot be built with its required arguments alone (InputLayer needs a shape)
_FALLBACK: dict[str, Any] = {"shape": [3]}


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def _base_keywords(layer_class: type) -> list[str]:
    """The keywords Keras 2's Layer.__init__ lists as allowed in **kwargs (read from its source)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(layer_class.__init__)))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "allowed_kwargs" for t in node.targets)
            and isinstance(node.value, ast.Set)
        ):
            return sorted(
                e.value
                for e in node.value.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            )
    raise SystemExit("Keras 2's Layer.__init__ has no allowed_kwargs set: not a Keras 2?")


def keras2(out: str) -> int:
    import keras  # the environment's, not tfdoctor's

    if not keras.__version__.startswith("2."):
        raise SystemExit(f"keras {keras.__version__} is not Keras 2")
    base = _base_keywords(keras.layers.Layer)
    base_params = inspect.signature(keras.layers.Layer.__init__).parameters
    classes: dict[str, dict[str, Any]] = {}
    for name in sorted(dir(keras.layers)):
        obj = getattr(keras.layers, name)
        if name.startswith("_") or not inspect.isclass(obj):
            continue
        if not issubclass(obj, keras.layers.Layer) or obj is keras.layers.Layer:
            continue
        keywords: dict[str, Any] = {}
        for param in inspect.signature(obj.__init__).parameters.values():
            if param.name == "self" or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                continue
            has = param.default is not param.empty and _jsonable(param.default)
            keywords[param.name] = param.default if has else None
        for param in base_params.values():
            if param.name != "self" and param.kind is param.POSITIONAL_OR_KEYWORD:
                keywords.setdefault(param.name, param.default if _jsonable(param.default) else None)
        for keyword in base:
            if keyword in _BASE_VALUES:
                keywords.setdefault(keyword, _BASE_VALUES[keyword])
        classes[name] = keywords
    result = {"keras": keras.__version__, "python": sys.version.split()[0], "classes": classes}
    Path(out).write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"keras {keras.__version__}: {len(classes)} layer classes")
    return 0


def _required(keras: Any, cls: type) -> dict[str, Any] | None:
    args: dict[str, Any] = {}
    for param in inspect.signature(cls.__init__).parameters.values():
        if param.name == "self" or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        if param.default is not param.empty:
            continue
        if param.name not in _REQUIRED:
            return None
        value = _REQUIRED[param.name]
        if value == "dense":
            value = (
                keras.layers.LSTM(2) if cls.__name__ == "Bidirectional" else keras.layers.Dense(2)
            )
        elif value == "cell":
            value = keras.layers.SimpleRNNCell(2)
        elif value == "cells":
            value = [keras.layers.SimpleRNNCell(2)]
        elif value == "identity":
            value = _identity
        args[param.name] = value
    return args


def _identity(x: Any) -> Any:
    return x


def keras3(keras2_json: str, out: str) -> int:
    import keras  # the environment's, not tfdoctor's

    if not keras.__version__.startswith("3."):
        raise SystemExit(f"keras {keras.__version__} is not Keras 3")
    old = json.loads(Path(keras2_json).read_text(encoding="utf-8"))
    refused: list[list[str]] = []
    skipped: list[str] = []
    built: list[str] = []
    for name, keywords in sorted(old["classes"].items()):
        cls = getattr(keras.layers, name, None)
        if cls is None or not inspect.isclass(cls):
            continue  # the class itself is gone: the name entries say so, not keywords
        required = _required(keras, cls)
        if required is None:
            skipped.append(name)
            continue
        try:
            cls(**required)
        except Exception:
            required = {**required, **_FALLBACK}
            try:
                cls(**required)
            except Exception:  # cannot be built here at all: nothing to compare against
                skipped.append(name)
                continue
        built.append(name)
        for keyword, value in sorted(keywords.items()):
            if keyword in required:
                continue
            try:
                cls(**required, **{keyword: value})
            except Exception as error:  # any refusal that names the keyword is recorded
                message = f"{type(error).__name__}: {error}"
                # "got multiple values for keyword argument": the class sets it itself
                if keyword in str(error) and "multiple values" not in str(error):
                    refused.append([name, keyword, message.splitlines()[0][:300]])
    result = {
        "keras": keras.__version__,
        "python": sys.version.split()[0],
        "refused": refused,
        "skipped": skipped,
        "built": built,
    }
    Path(out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"keras {keras.__version__}: {len(refused)} keywords refused, {len(skipped)} skipped")
    return 0


def derive(
    old: dict[str, Any], runs: list[dict[str, Any]], curated: set[tuple[str, str]]
) -> list[dict[str, Any]]:
    """Keyword entries for what every Keras 3 run refused; curated (old, keyword) pairs are left
    to their curated entries."""
    refused_by_all = set.intersection(*({(c, k) for c, k, _e in run["refused"]} for run in runs))
    built = set.intersection(*(set(run["built"]) for run in runs))
    error = {(c, k): e for c, k, e in runs[-1]["refused"]}
    versions = ", ".join(run["keras"] for run in runs)
    takers: dict[str, set[str]] = {}
    for cls, keywords in old["classes"].items():
        for keyword in keywords:
            takers.setdefault(keyword, set()).add(cls)
    entries = []
    for keyword in sorted({k for _c, k in refused_by_all}):
        classes = sorted(c for c, k in refused_by_all if k == keyword)
        probed = takers[keyword] & built
        # refused by (nearly) every layer that took it: one entry for keras.layers, naming the
        # classes that still take it
        everywhere = len(classes) >= 10 and len(classes) >= 0.9 * len(probed)
        still = sorted(probed - set(classes)) if everywhere else []
        owners = ["keras.layers"] if everywhere else [f"keras.layers.{c}" for c in classes]
        for owner in owners:
            if (owner, keyword) in curated:
                continue
            example = error[(classes[0] if everywhere else owner.rsplit(".", 1)[-1], keyword)]
            which = (
                f"{len(classes)} of the {len(probed)} layer classes that took it"
                if everywhere
                else owner
            )
            entries.append(
                {
                    "id": f"keyword:{owner}:{keyword}@derived",
                    "kind": "keyword",
                    "old": owner,
                    "package": "keras",
                    "breaks": ">=3",
                    "replacement": "",
                    "fix": "manual",
                    "note": (
                        f"keras {old['keras']} accepts `{keyword}=` ({which}); Keras {versions} "
                        f"refuse it (proven by building the layers: {example})"
                    ),
                    "source": SOURCE,
                    "keyword": keyword,
                    **({"except_classes": still} if still else {}),
                    "derived_by": DERIVED_BY,
                }
            )
    return entries


def entries(keras2_json: str, paths: list[str]) -> int:
    old = json.loads(Path(keras2_json).read_text(encoding="utf-8"))
    runs = [json.loads(Path(p).read_text(encoding="utf-8")) for p in paths]
    runs.sort(key=lambda r: [int(x) for x in r["keras"].split(".")[:3] if x.isdigit()])
    data = json.loads(API_CHANGES.read_text(encoding="utf-8"))
    kept = [c for c in data["changes"] if c.get("derived_by") != DERIVED_BY]
    curated = {(c["old"], c["keyword"]) for c in kept if c.get("kind") == "keyword"}
    new = derive(old, runs, curated)
    data["changes"] = kept + new
    API_CHANGES.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    observed = {
        "command": "python scripts/keras_keywords.py keras2|keras3 ... (in each environment)",
        "keras2": old,
        "keras3": runs,
    }
    OBSERVED.write_text(json.dumps(observed, indent=1) + "\n", encoding="utf-8")
    print(f"{len(new)} keyword entries written")
    return 0


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "keras2":
        return keras2(argv[1])
    if len(argv) == 3 and argv[0] == "keras3":
        return keras3(argv[1], argv[2])
    if len(argv) >= 3 and argv[0] == "entries":
        return entries(argv[1], argv[2:])
    print(__doc__)
    return 2


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    sys.exit(main(sys.argv[1:]))
