"""The lint rules (TFD7xx): codes, causes and one-line summaries. Docs: docs/rules/TFD7xx.md."""

from __future__ import annotations

from tfdoctor.finding import Group, Severity
from tfdoctor.registry import RuleInfo, register

MIXED_IN_FILE = register(
    RuleInfo(
        code="TFD701",
        name="mixed-keras-in-file",
        cause="mixed-keras-objects",
        severity=Severity.WARNING,
        group=Group.CODE,
        kind="lint",
        summary="one file uses more than one Keras implementation (keras, tf.keras, tf_keras)",
    )
)
MIXED_IN_PROJECT = register(
    RuleInfo(
        code="TFD702",
        name="mixed-keras-in-project",
        cause="mixed-keras-objects",
        severity=Severity.WARNING,
        group=Group.CODE,
        kind="lint",
        summary="a file uses another Keras implementation than the rest of the project",
    )
)
MIXED_IN_CALL = register(
    RuleInfo(
        code="TFD703",
        name="mixed-keras-objects",
        cause="mixed-keras-objects",
        severity=Severity.ERROR,
        group=Group.CODE,
        kind="lint",
        summary="objects of two Keras implementations meet in one model or call",
    )
)
REMOVED_NAME = register(
    RuleInfo(
        code="TFD710",
        name="removed-api",
        cause="removed-api",
        severity=Severity.ERROR,
        group=Group.CODE,
        kind="lint",
        summary="a module, class or function that the target Keras/TensorFlow no longer has",
    )
)
MODEL_FORMAT = register(
    RuleInfo(
        code="TFD711",
        name="keras3-model-format",
        cause="model-format",
        severity=Severity.ERROR,
        group=Group.CODE,
        kind="lint",
        summary="model.save / load_model / save_weights with a format Keras 3 does not read or write",
    )
)
REMOVED_METHOD = register(
    RuleInfo(
        code="TFD712",
        name="removed-model-method",
        cause="removed-api",
        severity=Severity.ERROR,
        group=Group.CODE,
        kind="lint",
        summary="a Model method that the target Keras no longer has (fit_generator, "
        "predict_classes...)",
    )
)
REMOVED_KEYWORD = register(
    RuleInfo(
        code="TFD713",
        name="removed-keyword-argument",
        cause="removed-api",
        severity=Severity.ERROR,
        group=Group.CODE,
        kind="lint",
        summary="a keyword argument that the target Keras no longer accepts (lr=, input_length=)",
    )
)
ADDED_NAME = register(
    RuleInfo(
        code="TFD714",
        name="api-added-later",
        cause="removed-api",
        severity=Severity.ERROR,
        group=Group.CODE,
        kind="lint",
        summary="a TensorFlow name that the target TensorFlow does not have yet: a later release "
        "added it (tf.distribute.TPUStrategy in 2.3)",
    )
)

LINT_RULES: tuple[RuleInfo, ...] = (
    MIXED_IN_FILE,
    MIXED_IN_PROJECT,
    MIXED_IN_CALL,
    REMOVED_NAME,
    MODEL_FORMAT,
    REMOVED_METHOD,
    REMOVED_KEYWORD,
    ADDED_NAME,
)
LINT_CODES: frozenset[str] = frozenset(rule.code for rule in LINT_RULES)


def select_codes(select: list[str] | None, ignore: list[str] | None) -> frozenset[str]:
    """Codes enabled by ruff-style prefixes: ``select`` (default: all) minus ``ignore``."""
    chosen = {
        code
        for code in LINT_CODES
        if select is None or any(code.startswith(p.strip().upper()) for p in select)
    }
    for prefix in ignore or ():
        chosen = {code for code in chosen if not code.startswith(prefix.strip().upper())}
    return frozenset(chosen)
