"""explain joined with an environment (explain/join.py): the environment's errors decide."""

from __future__ import annotations

from tfdoctor.explain.join import DiagnosedEnvironment, join_environment
from tfdoctor.finding import Finding, Group, Severity
from tfdoctor.report.model import Report


def _environment(*findings: Finding) -> DiagnosedEnvironment:
    return DiagnosedEnvironment({}, Report("check", {}, {}, findings), "--python")


def _text_finding(cause: str, severity: Severity) -> Finding:
    return Finding("TFD808", cause, severity, "from the text", Group.RUNTIME, confidence=0.7)


def test_a_text_warning_the_environment_proves_as_an_error_is_an_error() -> None:
    """A CUDA warning in the text, a CUDA error in the environment: the joined finding is an
    error (the exit status and the summary count it), with the environment's fix."""
    static = Finding("TFD401", "cuda-mismatch", Severity.ERROR, "CUDA", fix=("do this",))
    joined = join_environment(
        (_text_finding("cuda-mismatch", Severity.WARNING),), _environment(static)
    )
    assert [(f.cause, f.severity) for f in joined] == [("cuda-mismatch", Severity.ERROR)]
    assert joined[0].fix == ("do this",)
    assert dict(joined[0].data)["proven_by"] == "TFD401"


def test_every_environment_error_of_a_proven_cause_is_kept() -> None:
    """Two packages built for another TensorFlow: one proves the text's cause, the other is
    still an error of the environment, not dropped."""
    first = Finding("TFD501", "dependent-package-incompatible", Severity.ERROR, "tensorflow-text")
    second = Finding("TFD501", "dependent-package-incompatible", Severity.ERROR, "tensorflow-io")
    text = _text_finding("dependent-package-incompatible", Severity.ERROR)
    joined = join_environment((text,), _environment(first, second))
    assert len(joined) == 2 and joined[0].title == "from the text"
    proof = next(e for e in joined[0].evidence if e.startswith("in this environment: "))
    other = joined[1].title
    assert other in ("tensorflow-text", "tensorflow-io") and other not in proof
    assert all(f.severity is Severity.ERROR for f in joined)


def test_the_environment_settles_an_uncertainty_only_with_a_cause_named_for_it() -> None:
    from tfdoctor.explain.join import settled

    mismatch = Finding("TFD101", "keras-version-mismatch", Severity.ERROR, "keras 3 on TF 2.15")
    unrelated = Finding("TFD302", "duplicate-distribution", Severity.ERROR, "cryptography twice")
    text = _text_finding("tf-keras-mismatch", Severity.ERROR)
    alternatives = ("keras-version-mismatch", "dependent-package-incompatible")
    assert settled(
        "tf-keras-mismatch", alternatives, join_environment((text,), _environment(mismatch))
    )
    assert not settled(
        "tf-keras-mismatch", alternatives, join_environment((text,), _environment(unrelated))
    )
