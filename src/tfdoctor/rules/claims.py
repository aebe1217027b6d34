"""Which rule reports a declared-requirement violation: the most specific cause wins.

Every violation found by the declared analysis is claimed by exactly one rule code, so one problem
gives one finding (``pip check``'s generic conflict is the fallback, TFD210).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tfdoctor.rules.declared import Violation

if TYPE_CHECKING:
    from tfdoctor.kb import KnowledgeBase

KERAS_NAMES = frozenset({"keras", "keras-nightly"})
TF_KERAS_NAMES = frozenset({"tf-keras", "tf-keras-nightly"})


def claim(violation: Violation, kb: KnowledgeBase) -> str:
    required = violation.name
    requirer = violation.requirer.key
    tf_names = kb.tf_variants() | {"tensorflow"}
    if required == "numpy":
        return "TFD201"
    if required == "protobuf":
        return "TFD202"
    if required.startswith("nvidia-"):
        return "TFD601"
    if violation.missing and required in tf_names | KERAS_NAMES and requirer in tf_names:
        return "TFD103"
    if requirer in tf_names:
        if required in KERAS_NAMES:
            return "TFD101"
        if required in TF_KERAS_NAMES:
            return "TFD102"
        return "TFD103" if violation.missing else "TFD210"
    if requirer in TF_KERAS_NAMES and required in tf_names:
        return "TFD102"
    if requirer in KERAS_NAMES | TF_KERAS_NAMES and violation.missing:
        return "TFD103"
    if required in tf_names | KERAS_NAMES | TF_KERAS_NAMES:
        return "TFD110"
    return "TFD210"


def claimed(ctx_violations: tuple[Violation, ...], kb: KnowledgeBase, code: str) -> list[Violation]:
    return [v for v in ctx_violations if claim(v, kb) == code]
