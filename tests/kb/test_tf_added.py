"""kb/data/tf_added.json: the first TensorFlow release of each public API name, read from the
generated API files of the wheels by scripts/tf_added.py."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tfdoctor.kb import DATA_DIR

DATA = Path(DATA_DIR) / "tf_added.json"
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "tf_added.py"


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DATA.read_text("utf-8"))
    return loaded


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tf_added", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_header_names_the_command_the_source_and_the_releases(
    data: dict[str, Any], script: ModuleType
) -> None:
    assert data["schema"] == 1
    assert data["command"] == "python scripts/tf_added.py build OUT.json"
    assert data["source"].startswith("the generated API files")
    assert data["releases"] == script.RELEASES
    assert data["releases"][0] == "1.13.2"
    assert data["releases"][-1] == "2.21.0"
    assert len(data["releases"]) == 25


def test_facts_read_from_the_wheels(data: dict[str, Any]) -> None:
    added = data["added"]
    # 1.13.2's tensorflow/__init__.py binds no `function`; 1.14.0's has
    # `from tensorflow.python import function`
    assert added["tensorflow.function"] == "1.14.0"
    # 2.2.3's _api/v2/distribute has TPUStrategy only under experimental; 2.3.4's
    # _api/v2/distribute/__init__.py has `... import TPUStrategyV2 as TPUStrategy`
    assert added["tensorflow.distribute.TPUStrategy"] == "2.3.4"
    # 2.1.4's tensorflow_core/python/keras/api/_v2/keras/activations has no swish (the error
    # "module 'tensorflow_core.keras.activations' has no attribute 'swish'"); 2.2.3's
    # tensorflow/keras/activations/__init__.py imports it
    assert added["tensorflow.keras.activations.swish"] == "2.2.3"
    # from the keras 2.x wheels that TF 2.6-2.15 pin: keras 2.6.0's api/_v2/keras/layers imports
    # RandomFlip, keras 2.11.0's api/_v2/keras/optimizers has no AdamW and 2.12.0's has
    assert added["tensorflow.keras.layers.RandomFlip"] == "2.6.5"
    assert added["tensorflow.keras.optimizers.AdamW"] == "2.12.1"
    # names of the first release are not listed
    assert "tensorflow.nn.swish" not in added
    assert "tensorflow.keras" not in added
    assert "tensorflow.Session" not in added


def test_removed_and_returned(data: dict[str, Any]) -> None:
    assert data["removed"]["tensorflow.Session"] == "2.0.4"
    assert data["removed"]["tensorflow.contrib"] == "2.0.4"
    assert data["removed"]["tensorflow.estimator"] == "2.16.2"
    # Keras 3 (TF 2.16+) is not read: a tf.keras name is not removed because of it
    assert "tensorflow.keras.layers.Dense" not in data["removed"]
    # TensorBoard's tf.summary.scalar is not in TF 2.0-2.15's wheels
    assert "tensorflow.summary.scalar" not in data["removed"]
    assert data["returned"]["tensorflow.repeat"] == "2.1.4"
    assert data["added"]["tensorflow.repeat"] == "1.15.5"


def test_every_value_is_a_probed_release_and_no_name_is_private(data: dict[str, Any]) -> None:
    releases = set(data["releases"])
    for key in ("added", "removed", "returned"):
        assert data[key], key
        for name, release in data[key].items():
            assert release in releases, (key, name)
            assert release != data["releases"][0] or key != "added", name
            parts = name.split(".")
            assert parts[0] == "tensorflow", name
            assert not any(part.startswith("_") for part in parts), name
            assert parts[1:2] != ["compat"], name


def test_the_file_stays_small(data: dict[str, Any]) -> None:
    assert len(data["added"]) <= 15_000
    assert DATA.stat().st_size < 1_000_000


def test_what_a_generated_init_binds(script: ModuleType) -> None:
    source = """
from __future__ import print_function as _print_function
import sys as _sys
import importlib
from . import experimental
from tensorflow.python.ops.nn import swish
from tensorflow.python.distribute.tpu_strategy import TPUStrategyV2 as TPUStrategy
from tensorflow.python.ops import *
contrib = LazyLoader("contrib", globals(), "tensorflow.contrib")
setattr(_current_module, "keras", _KerasLazyLoader(globals()))
_current_module.app.flags = flags
try:
  from tensorflow_estimator.python.estimator.api._v2 import estimator
except ImportError:
  pass
_component_api_helper.package_hook(parent_package_str=__name__, child_package_str="a.b.hooked")
del importlib
del _print_function
"""
    assert script.bound_names(source) == {
        "_sys",
        "experimental",
        "swish",
        "TPUStrategy",
        "contrib",
        "keras",
        "estimator",
        "hooked",
    }


def test_combine_dates_names_and_leaves_unread_keras_alone(script: ModuleType) -> None:
    def probe(version: str, names: list[str], uncovered: list[str] | None = None) -> Any:
        return {"version": version, "wheels": [], "names": names, "uncovered": uncovered or []}

    data = script.combine(
        [
            probe("1.0", ["tensorflow", "tensorflow.a", "tensorflow.keras.k", "tensorflow.gone"]),
            probe("2.0", ["tensorflow", "tensorflow.keras.k", "tensorflow.new"]),
            probe("3.0", ["tensorflow", "tensorflow.a", "tensorflow.new"], ["tensorflow.keras."]),
        ]
    )
    assert data["added"] == {"tensorflow.new": "2.0"}
    assert data["removed"] == {"tensorflow.gone": "2.0"}
    assert data["returned"] == {"tensorflow.a": "3.0"}


def test_a_name_inside_a_module_tensorflow_2_dropped_is_gone_with_it() -> None:
    from tfdoctor.lint.tf_added import load_added_names

    names = load_added_names()
    assert names.gone_in("tensorflow.summary.merge_all") == "2.0.4"  # tf.compat.v1 only
    assert names.gone_in("tensorflow.contrib.rnn.static_rnn") == "2.0.4"  # all of contrib
    assert names.gone_in("tensorflow.repeat") == ""  # dropped in 2.0, back in 2.1
    assert names.gone_in("tensorflow.distribute.TPUStrategy") == ""
