"""Which attributes of Keras and TensorFlow objects a release no longer has
(``'Sequential' object has no attribute 'uses_learning_phase'``,
``'OneDeviceStrategy' object has no attribute 'experimental_run_v2'``).

Two steps, both run by a maintainer:

``python scripts/object_attributes.py probe OUT.json``
    with the interpreter of an environment that has TensorFlow (and, for TensorFlow 1.x, the
    standalone ``keras`` 2.x of that time): builds one object of each kind below (a Sequential
    and a functional model, a layer, its node, an optimizer, a callback, a dataset and its
    iterator, distribution strategies, a variable) and records, per kind, the class names of
    the objects built (with their bases) and every attribute name ``dir()`` lists. Standard
    library and the environment's own packages only.

``python scripts/object_attributes.py entries OBSERVED.json...``
    orders the runs by release and writes src/tfdoctor/kb/data/object_attributes.json: per kind,
    each attribute that one run has and every later run lacks, with the first release that lacks
    it, and the class names the objects of that kind had. The runs are kept there too.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "tfdoctor" / "kb" / "data" / "object_attributes.json"


def _keras() -> tuple[Any, str]:
    """The Keras the environment's users import: standalone keras where TensorFlow 1.x is
    installed next to it, else tf.keras (which is the keras package from TF 2.6 on)."""
    import tensorflow as tf

    if tf.__version__.startswith("1."):
        import keras

        return keras, "keras " + keras.__version__
    keras = tf.keras
    try:
        import keras as standalone

        version = standalone.__version__
    except ImportError:
        version = "tf.keras of TensorFlow " + tf.__version__
    return keras, "keras " + version


def _builders() -> dict[str, Callable[[], Any]]:
    import tensorflow as tf

    keras, _ = _keras()

    def sequential() -> Any:
        return keras.Sequential([keras.layers.Dense(1, input_shape=(2,))])

    def functional() -> Any:
        inputs = keras.Input(shape=(2,))
        return keras.Model(inputs, keras.layers.Dense(1)(inputs))

    def node() -> Any:
        return functional().layers[-1]._inbound_nodes[0]

    def iterator() -> Any:
        dataset = tf.data.Dataset.range(2)
        if tf.__version__.startswith("1."):
            return tf.compat.v1.data.make_one_shot_iterator(dataset)
        return iter(dataset)

    return {
        "keras.Sequential": sequential,
        "keras.Model": functional,
        "keras.layers.Layer": lambda: keras.layers.Dense(1),
        "keras.Node": node,
        "keras.optimizers.Optimizer": lambda: keras.optimizers.Adam(),
        "keras.callbacks.Callback": lambda: keras.callbacks.Callback(),
        "tf.data.Dataset": lambda: tf.data.Dataset.range(2).batch(1),
        "tf.data.Iterator": iterator,
        "tf.distribute.Strategy": lambda: tf.distribute.OneDeviceStrategy("/cpu:0"),
        "tf.distribute.MirroredStrategy": lambda: tf.distribute.MirroredStrategy(["/cpu:0"]),
        "tf.Variable": lambda: tf.Variable(1.0),
    }


def probe(out: str) -> int:
    import tensorflow as tf

    _, keras_version = _keras()
    kinds: dict[str, dict[str, Any]] = {}
    for kind, build in _builders().items():
        try:
            obj = build()
        except Exception as error:  # a kind this release cannot build is recorded as such
            kinds[kind] = {"error": f"{type(error).__name__}: {error}"[:300]}
            continue
        classes = [c.__name__ for c in type(obj).__mro__ if c.__name__ != "object"]
        names = sorted(n for n in dir(obj) if not (n.startswith("__") and n.endswith("__")))
        kinds[kind] = {"classes": classes, "attributes": names}
    result = {
        "tensorflow": tf.__version__,
        "keras": keras_version,
        "python": sys.version.split()[0],
        "kinds": kinds,
    }
    Path(out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"tensorflow {tf.__version__}, {keras_version}: {len(kinds)} kinds")
    return 0


def release(run: dict[str, Any]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(TensorFlow, Keras) release of a run: two runs share TensorFlow 1.15 (keras 2.2.4, 2.3.1)."""
    keras = re.search(r"\d+(?:\.\d+)*", run["keras"])
    return _numbers(run["tensorflow"]), _numbers(keras.group(0) if keras else "")


def _numbers(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".")[:3] if p.isdigit())


def derive(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per kind: the attributes a run has and every later run (that built the kind) lacks."""
    kinds: dict[str, Any] = {}
    for kind in sorted({k for run in runs for k in run["kinds"]}):
        built = [
            (run, run["kinds"][kind]) for run in runs if "attributes" in run["kinds"].get(kind, {})
        ]
        gone: dict[str, dict[str, str]] = {}
        for index, (run, seen) in enumerate(built[:-1]):
            later = built[index + 1 :]
            for name in seen["attributes"]:
                if any(name in other["attributes"] for _, other in later):
                    continue
                gone[name] = {
                    "last_had": f"tensorflow {run['tensorflow']} ({run['keras']})",
                    "last_had_tensorflow": run["tensorflow"],
                    "gone_from": f"tensorflow {later[0][0]['tensorflow']} ({later[0][0]['keras']})",
                    "gone_from_tensorflow": later[0][0]["tensorflow"],
                }
        # the class names the objects had (an error message names the object's own class)
        types = sorted({seen["classes"][0] for _, seen in built})
        kinds[kind] = {"types": types, "gone": dict(sorted(gone.items()))}
    return kinds


def entries(paths: list[str]) -> int:
    runs = [json.loads(Path(p).read_text(encoding="utf-8")) for p in paths]
    runs.sort(key=release)
    data = {
        "description": (
            "Attributes of Keras and TensorFlow objects that a release no longer has, found by "
            "building the objects in real environments (scripts/object_attributes.py); "
            "'gone' names the last release that had each and the first that lacks it."
        ),
        "command": "python scripts/object_attributes.py probe OUT.json (in each environment), "
        "then python scripts/object_attributes.py entries OUT.json...",
        "kinds": derive(runs),
        "runs": runs,
    }
    OUT.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    total = sum(len(k["gone"]) for k in data["kinds"].values())
    print(f"{total} attributes gone across {len(runs)} runs")
    return 0


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "probe":
        return probe(argv[1])
    if len(argv) >= 2 and argv[0] == "entries":
        return entries(argv[1:])
    print(__doc__)
    return 2


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.exit(main(sys.argv[1:]))
