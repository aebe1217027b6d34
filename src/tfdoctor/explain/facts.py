"""Fill the fix templates of a signature with facts about the environment.

``facts`` is a flat map of strings that the caller fills from the environment it knows, e.g.
``{"tensorflow": "2.15.1", "tensorflow_dist": "tensorflow-cpu", "keras": "3.3.3",
"numpy": "2.0.2", "installer": "pip", "python": "3.11"}``. Missing or empty values are unknown.

A fix template is a list of alternatives; the first one whose placeholders are all known is used,
so the data always ends each list with an alternative that needs no facts (only ``{pip}``). A step
that starts with ``#`` is an instruction for a person, not a command to run.

Most fixes pin the installed TensorFlow: ``pip install "<dist>==<installed version>"`` makes the
resolver bring keras, numpy and protobuf back into the ranges that TensorFlow declares. Checked
with pip 23.2.1 and uv 0.13.9 on tensorflow-cpu 2.15.1 with keras 3.6.0, numpy 2.0.2 and
protobuf 3.19.6 forced: both would install keras 2.15.0, numpy 1.26.4 and protobuf 4.25.9.
``tensorflow_dist`` defaults to ``tensorflow``: callers should give the installed distribution
(``tensorflow-cpu``, ``tensorflow-macos``...) so that the pin does not add a second one.

Derived facts, each with the public statement it rests on:

* ``keras_req``: TensorFlow 2.6-2.15 use the separate ``keras`` package of the same minor
  (https://github.com/tensorflow/tensorflow/releases/tag/v2.6.0, "Keras been split into a
  separate PIP package (keras)"); TensorFlow >= 2.16 uses Keras 3
  (https://blog.tensorflow.org/2024/03/whats-new-in-tensorflow-216.html, "Keras 3 will be the
  default Keras version for TensorFlow 2.16 onwards").
* ``tf_keras_req``: tf-keras is released per TensorFlow minor (https://pypi.org/project/tf-keras/,
  versions 2.15 ... 2.21 follow TensorFlow's), so it must match TensorFlow's major.minor.
* ``numpy_req``: TensorFlow < 2.18 is built against NumPy 1.x; 2.18 is the first release that
  "now supports and is compiled with NumPy 2.0 by default"
  (https://github.com/tensorflow/tensorflow/releases/tag/v2.18.0).
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence

_VERSION = re.compile(r"^(\d+)\.(\d+)")
_FORMATTER = string.Formatter()


def _minor(version: str) -> tuple[int, int] | None:
    found = _VERSION.match(version.strip())
    if found is None:
        return None
    return int(found.group(1)), int(found.group(2))


def derive(facts: Mapping[str, str] | None) -> dict[str, str]:
    """The facts given plus those derived from them; unknown values are left out."""
    known = {key: value.strip() for key, value in (facts or {}).items() if value and value.strip()}
    installer = known.get("installer", "")
    if "pip" not in known:
        known["pip"] = "uv pip" if installer == "uv" else "python -m pip"
    known.setdefault("tensorflow_dist", "tensorflow")
    tf_minor = _minor(known.get("tensorflow", ""))
    if tf_minor is not None:
        major, minor = tf_minor
        known["tensorflow_minor"] = f"{major}.{minor}"
        known["tensorflow_next_minor"] = f"{major}.{minor + 1}"
        if major == 2 and 6 <= minor <= 15:
            known["keras_req"] = f"keras>={major}.{minor},<{major}.{minor + 1}"
        elif (major, minor) >= (2, 16):
            known["keras_req"] = "keras>=3"
        if (major, minor) >= (2, 15):
            known["tf_keras_req"] = f"tf-keras>={major}.{minor},<{major}.{minor + 1}"
        if (major, minor) < (2, 18):
            known["numpy_req"] = "numpy<2"
    return known


def _placeholders(template: str) -> list[str]:
    return [name for _, name, _, _ in _FORMATTER.parse(template) if name]


def render(alternatives: Sequence[str], facts: Mapping[str, str]) -> str | None:
    """The first alternative whose placeholders are all in ``facts`` (already derived)."""
    for template in alternatives:
        if all(name in facts for name in _placeholders(template)):
            return template.format_map(facts)
    return None


def placeholders_of(alternatives: Sequence[str]) -> set[str]:
    """Every placeholder the alternatives use (for validating the data)."""
    return {name for template in alternatives for name in _placeholders(template)}


KNOWN_PLACEHOLDERS: frozenset[str] = frozenset(
    {
        "pip",
        "python",
        "tensorflow",
        "tensorflow_dist",
        "tensorflow_minor",
        "tensorflow_next_minor",
        "keras",
        "keras_req",
        "tf_keras",
        "tf_keras_req",
        "numpy",
        "numpy_req",
        "protobuf",
        "installer",
    }
)
