"""The signature data: complete, sourced, and every signature recognised from its real message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tfdoctor.causes import CAUSES
from tfdoctor.explain import explain_text
from tfdoctor.explain.facts import derive, render
from tfdoctor.explain.rules import code_for
from tfdoctor.explain.signatures import Signature, load_signatures

DATA = Path(__file__).resolve().parents[1] / "data" / "explain"

SIGNATURES = load_signatures()
_REAL_SOURCE = re.compile(r"^real run \(.+\): .+ -- tests/data/explain/(?P<file>[\w.-]+\.txt)$")


def test_at_least_45_signatures_covering_every_cause() -> None:
    assert len(SIGNATURES) >= 45
    covered = {signature.cause for signature in SIGNATURES}
    assert covered == set(CAUSES)


@pytest.mark.parametrize("signature", SIGNATURES, ids=lambda s: s.id)
def test_signature_is_sourced(signature: Signature) -> None:
    assert signature.source.startswith("https://")
    real = _REAL_SOURCE.match(signature.example_source)
    if real is None:
        assert signature.example_source.startswith("https://"), signature.example_source
        return
    captured = (DATA / real.group("file")).read_text(encoding="utf-8").splitlines()
    assert captured[0].startswith("# captured: real run; env: ")
    for line in signature.example.split("\n"):
        assert line in captured, f"{line!r} is not in {real.group('file')}"


@pytest.mark.parametrize("signature", SIGNATURES, ids=lambda s: s.id)
def test_real_example_is_recognised_first(signature: Signature) -> None:
    result = explain_text(signature.example)
    assert result.recognised
    top = result.findings[0]
    assert top.cause == signature.cause
    assert top.code == code_for(signature.cause)
    assert dict(top.data)["signature"] == signature.id
    assert top.confidence is not None and 0 < top.confidence <= 1
    example_lines = signature.example.split("\n")
    for evidence in top.evidence:
        number, text = re.fullmatch(r"line (\d+): (.*)", evidence).groups()  # type: ignore[union-attr]
        raw = example_lines[int(number) - 1].rstrip()
        assert raw.endswith(text) or (text.endswith("...") and text[:-3] in raw)


@pytest.mark.parametrize("signature", SIGNATURES, ids=lambda s: s.id)
def test_fix_renders_without_and_with_facts(signature: Signature) -> None:
    facts = derive(
        {
            "tensorflow": "2.15.1",
            "tensorflow_dist": "tensorflow-cpu",
            "keras": "3.6.0",
            "numpy": "2.0.2",
            "protobuf": "3.19.6",
            "installer": "uv",
            "python": "3.11",
        }
    )
    for step in signature.fix:
        bare = render(step, derive(None))
        assert bare is not None and "{" not in bare, (signature.id, step)
        full = render(step, facts)
        assert full is not None and "{" not in full


def test_fix_names_concrete_versions_when_the_environment_is_known() -> None:
    example = next(s for s in SIGNATURES if s.id == "keras-pip-check").example
    facts = {"tensorflow": "2.15.1", "tensorflow_dist": "tensorflow-cpu", "keras": "3.6.0"}
    fixed = explain_text(example, facts).findings[0].fix
    assert fixed[0] == 'python -m pip install "tensorflow-cpu==2.15.1" "keras>=2.15,<2.16"'
    later = {"tensorflow": "2.21.0", "installer": "uv"}
    assert explain_text(example, later).findings[0].fix[0] == (
        'uv pip install "tensorflow==2.21.0" "keras>=3"'
    )
    unknown = explain_text(example).findings[0]
    assert (
        unknown.fix[0]
        == "# pin keras to the range tensorflow requires (`python -m pip check` prints it)"
    )
    assert "not known" in unknown.fix_note
    # below TF 2.6 there is no keras range to name: reinstalling TensorFlow re-resolves its own
    old = explain_text(example, {"tensorflow": "2.4.1"}).findings[0]
    assert old.fix[0] == 'python -m pip install "tensorflow==2.4.1"'


def test_numpy_fix_depends_on_the_tensorflow_release() -> None:
    example = next(s for s in SIGNATURES if s.id == "numpy2-abi").example
    old = explain_text(example, {"tensorflow": "2.15.1"}).findings[0].fix
    assert old[0] == 'python -m pip install "tensorflow==2.15.1" "numpy<2"'
