"""pip's and uv's requirement lines, read as requirer -> required package.

Forms (each line is found with ``str.find`` and read with short anchored expressions, so that a
crafted ``requires aaaa...`` line costs linear time):

* installed state: ``tensorflow 2.15.1 requires keras<2.16,>=2.15.0, but you have keras 3.6.0
  which is incompatible.`` (pip >= 20.3), ``... has requirement X, but you'll have X 1.0 which is
  incompatible.`` (older pip), ``... has requirement X, but you have X 1.0.`` (``pip check``),
  ``The package `tensorflow-cpu` requires `keras>=2.15.0,<2.16`, but `3.6.0` is installed``
  (``uv pip check``);
* a request that cannot be met: ``tensorflow-cpu 2.15.1 depends on keras<2.16 and >=2.15.0``
  after ``The conflict is caused by:`` (pip's ResolutionImpossible).

Which root cause a line shows depends on the package required and on who requires it (the
knowledge base says which names are TensorFlow, Keras and the packages built on them): a Keras the
TensorFlow does not accept is ``keras-version-mismatch``, a TensorFlow that a dependent does not
accept ``dependent-package-incompatible``, NumPy and protobuf their own causes, anything else
``declared-conflict``. A request (nothing installed yet) of NumPy, protobuf or another package is
``declared-conflict``.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from tfdoctor.explain import knowledge
from tfdoctor.pep508 import canonical

_NAME = r"[A-Za-z0-9][A-Za-z0-9._-]{0,80}"
_REQUIRER = re.compile(rf"({_NAME})(?:\[[\w,.-]{{0,60}}\])? (\S{{1,60}})$")
_REQUIRED = re.compile(rf"`?({_NAME})")
_UV = re.compile(rf"The package `({_NAME})` requires `({_NAME})")
# setuptools (easy_install, `python setup.py install`): "error: numpy 1.19.1 is installed but
# numpy<1.19.0,>=1.16.0 is required by {'tensorflow'}"
_SETUPTOOLS = re.compile(
    rf"({_NAME}) \S{{1,60}} is installed but [^\n]{{1,200}}? is required by \{{'({_NAME})'"
)


class Requirement(NamedTuple):
    requirer: str
    required: str
    request: bool  # a request that cannot be met (nothing installed yet)


def requirement(norm: str) -> Requirement | None:
    """The requirer and the required package of one resolver line, or None."""
    for word, request in (
        (" requires ", False),
        (" has requirement ", False),
        (" depends on ", True),
    ):
        found = norm.find(word)
        if found < 0:
            continue
        if not request and ", but you" not in norm and "which is not installed" not in norm:
            continue
        left = _REQUIRER.search(norm, max(0, found - 150), found)
        right = _REQUIRED.match(norm, found + len(word))
        if left is None or right is None:
            return None
        return Requirement(canonical(left.group(1)), canonical(right.group(1)), request)
    if " is required by {" in norm:
        found_setuptools = _SETUPTOOLS.search(norm)
        if found_setuptools is not None:
            required, requirer = found_setuptools.groups()
            return Requirement(canonical(requirer), canonical(required), False)
    if "` requires `" in norm:
        uv = _UV.search(norm)
        if uv is not None:
            return Requirement(canonical(uv.group(1)), canonical(uv.group(2)), False)
    return None


def family_of(req: Requirement) -> str:
    """The family (kb/data/signatures.json) of a requirement that is not met."""
    tf = knowledge.tf_distributions()
    keras = {"keras", "keras-nightly"}
    tf_keras = {"tf-keras", "tf-keras-nightly"}
    dependents = knowledge.dependent_distributions()
    kind = "request" if req.request else "resolver"
    if req.required in keras or (req.requirer in keras and req.required in tf):
        return f"{kind}-keras"
    if req.required in tf_keras or (req.requirer in tf_keras and req.required in tf):
        return "resolver-tf-keras" if not req.request else "request-other"
    if req.required in tf or req.requirer in dependents:
        return f"{kind}-dependent"
    if req.required in ("numpy", "protobuf") and not req.request:
        return f"resolver-{req.required}"
    return f"{kind}-other"
