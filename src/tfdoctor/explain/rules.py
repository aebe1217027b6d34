"""The explain rules: one code per root cause (TFD801-TFD818), in the order of shared/causes.md.

A diagnosis from pasted text is reported under the code of its cause; the signature that matched
is named in ``Finding.data["signature"]``. Each code has a page in docs/rules/<CODE>.md.
"""

from __future__ import annotations

from tfdoctor.finding import Group, Severity
from tfdoctor.registry import RuleInfo, register

_SUMMARIES: tuple[tuple[str, str, str], ...] = (
    (
        "TFD801",
        "keras-version-mismatch",
        "The error text shows a Keras line that does not fit the TensorFlow",
    ),
    (
        "TFD802",
        "tf-keras-mismatch",
        "The error text shows tf-keras missing or of another TensorFlow minor",
    ),
    (
        "TFD803",
        "dependent-package-incompatible",
        "The error text shows a stack package built for another TensorFlow or Keras",
    ),
    (
        "TFD804",
        "mixed-keras-objects",
        "The error text shows objects of two Keras implementations combined",
    ),
    (
        "TFD805",
        "removed-api",
        "The error text shows a TensorFlow/Keras API that this version no longer has",
    ),
    (
        "TFD806",
        "numpy-incompatible",
        "The error text shows a NumPy outside what TensorFlow supports",
    ),
    (
        "TFD807",
        "protobuf-incompatible",
        "The error text shows a protobuf outside what TensorFlow supports",
    ),
    (
        "TFD808",
        "cuda-mismatch",
        "The error text shows CUDA, cuDNN or the driver not matching TensorFlow",
    ),
    (
        "TFD809",
        "duplicate-distribution",
        "The error text shows two distributions of the same package",
    ),
    (
        "TFD810",
        "broken-install",
        "The error text shows leftovers of an interrupted install or uninstall",
    ),
    (
        "TFD811",
        "shadowed-module",
        "The error text shows a local file shadowing tensorflow or keras",
    ),
    ("TFD812", "python-unsupported", "The error text shows no TensorFlow release for this Python"),
    (
        "TFD813",
        "platform-unsupported",
        "The error text shows the OS, CPU or CPU features are not supported",
    ),
    ("TFD814", "backend-misconfigured", "The error text shows a Keras backend that is not usable"),
    (
        "TFD815",
        "model-format",
        "The error text shows a saved-model format the installed Keras cannot use",
    ),
    (
        "TFD816",
        "mixed-installers",
        "The error text shows pip and conda managing the same environment",
    ),
    ("TFD817", "declared-conflict", "The error text shows a declared requirement that is not met"),
    (
        "TFD818",
        "not-installed",
        "The error text shows TensorFlow, Keras or a dependency is not installed",
    ),
)

CODE_BY_CAUSE: dict[str, str] = {}
RULES: list[RuleInfo] = []

for _code, _cause, _summary in _SUMMARIES:
    _info = register(
        RuleInfo(
            code=_code,
            name=f"explain-{_cause}",
            cause=_cause,
            severity=Severity.ERROR,
            group=Group.RUNTIME,
            summary=_summary,
            kind="explain",
        )
    )
    RULES.append(_info)
    CODE_BY_CAUSE[_cause] = _code


def code_for(cause: str) -> str:
    """The TFD8xx code under which a diagnosis of ``cause`` is reported."""
    return CODE_BY_CAUSE[cause]
