"""The detector data: complete, sourced, measured, linear, and every detector recognised from its
real message."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tfdoctor.causes import CAUSES
from tfdoctor.explain import explain_text
from tfdoctor.explain.engine import MIN_CONFIDENCE
from tfdoctor.explain.facts import derive, render
from tfdoctor.explain.rules import code_for
from tfdoctor.explain.signatures import (
    Detector,
    load_detectors,
    needles_of,
    parse_signature,
    read_data,
    unbounded_repeats,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "explain"
DETECTORS = load_detectors()
SIGNATURES = DETECTORS.signatures
ALL: list[Detector] = [*SIGNATURES, *DETECTORS.families.values()]
_REAL_SOURCE = re.compile(r"^real run \(.+\): .+ -- tests/data/explain/(?P<file>[\w.-]+\.txt)$")


def test_detectors_cover_every_cause() -> None:
    assert len(ALL) >= 100
    assert {detector.cause for detector in ALL} == set(CAUSES)


@pytest.mark.parametrize("detector", ALL, ids=lambda d: d.id)
def test_detector_is_sourced(detector: Detector) -> None:
    assert detector.source.startswith("https://")
    real = _REAL_SOURCE.match(detector.example_source)
    if real is None:
        assert detector.example_source.startswith("https://"), detector.example_source
        return
    captured = (DATA / real.group("file")).read_text(encoding="utf-8").splitlines()
    assert captured[0].startswith("# captured: real run; env: ")
    for line in detector.example.split("\n"):
        assert line in captured, f"{line!r} is not in {real.group('file')}"


@pytest.mark.parametrize("detector", ALL, ids=lambda d: d.id)
def test_real_example_is_recognised_first(detector: Detector) -> None:
    result = explain_text(detector.example)
    assert detector.id in result.detectors
    if detector.confidence < MIN_CONFIDENCE:
        # measured too seldom right on the training texts to be reported: it still matches its
        # example, and says nothing of its own
        assert all(dict(f.data).get("signature") != detector.id for f in result.findings)
        return
    top = result.findings[0]
    assert top.cause == detector.cause
    assert top.code == code_for(detector.cause)
    assert top.confidence is not None and 0 < top.confidence <= 1
    example_lines = detector.example.split("\n")
    for evidence in top.evidence:
        number, text = re.fullmatch(r"line (\d+): (.*)", evidence).groups()  # type: ignore[union-attr]
        raw = example_lines[int(number) - 1].rstrip()
        assert raw.endswith(text) or (text.endswith("...") and text[:-3] in raw)


def test_confidence_is_measured_on_the_training_texts() -> None:
    data = read_data()
    calibration = data["calibration"]
    assert calibration["split"] == "train" and calibration["texts"] >= 300
    for entry in [*data["signatures"], *data["families"]]:
        assert "confidence" not in entry, entry["id"]
        # a detector added since the last calibration has no counts yet (read as 0 of 0)
        measured = entry.get("measured", {"texts": 0, "right": 0})
        assert 0 <= measured["right"] <= measured["texts"]
    fired = [d for d in ALL if d.measured.texts]
    assert len(fired) >= 60
    for detector in ALL:
        share = detector.measured.right / detector.measured.texts if detector.measured.texts else 0
        # more texts make the confidence follow the measured share more closely
        if detector.measured.texts >= 10:
            assert abs(detector.confidence - share) < 0.1, detector.id


def test_a_set_confidence_is_refused() -> None:
    entry = json.loads(json.dumps(read_data()["signatures"][0]))
    entry["confidence"] = 0.9
    with pytest.raises(ValueError, match="measured, not set"):
        parse_signature(entry, read_data()["calibration"])


@pytest.mark.parametrize("signature", SIGNATURES, ids=lambda s: s.id)
def test_pattern_repetition_is_bounded_and_has_a_needle(signature: Detector) -> None:
    entry = next(e for e in read_data()["signatures"] if e["id"] == signature.id)
    assert unbounded_repeats(entry["pattern"]) == []
    assert unbounded_repeats(entry.get("context") or "") == []
    needles = needles_of(entry["pattern"])
    assert needles and all(len(n) >= 3 for n in needles)


def test_unbounded_patterns_are_refused() -> None:
    assert unbounded_repeats(r"requires [\w.]+.*, but") == ["{1,}", "{0,}"]
    entry = dict(read_data()["signatures"][0], pattern=r"has requirement keras.*, but")
    with pytest.raises(ValueError, match="unbounded repetition"):
        parse_signature(entry, read_data()["calibration"])


def test_needles_are_the_literals_every_match_holds() -> None:
    assert needles_of(r"No module named 'keras\.api(?:\._v[12])?'") == (
        "No module named 'keras.api",
    )
    assert needles_of(r"Illegal instruction: 4|illegal hardware instruction") == (
        "Illegal instruction: 4",
        "illegal hardware instruction",
    )
    assert needles_of(r"\d{1,3}\w{1,4}") is None


@pytest.mark.parametrize("detector", ALL, ids=lambda d: d.id)
def test_fix_renders_without_and_with_facts(detector: Detector) -> None:
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
    for step in detector.fix:
        bare = render(step, derive(None))
        assert bare is not None and "{" not in bare, (detector.id, step)
        full = render(step, facts)
        assert full is not None and "{" not in full


@pytest.mark.parametrize(
    "version", ["2.15.0$(touch /tmp/x)", "2.15.0`id`", '2.15.0" ; id ; "', "2.15.0\nid"]
)
def test_a_fact_that_is_not_a_plain_version_is_not_pasted_into_a_command(version: str) -> None:
    """The facts come from the environment's metadata: a Version: with shell syntax in it must
    not end up inside the double quotes of a printed command (where $(...) still runs)."""
    text = (DATA / "real_tf215_numpy2.txt").read_text(encoding="utf-8")
    facts = {"tensorflow": version, "tensorflow_dist": "tensorflow", "numpy": version}
    fixes = [c for f in explain_text(text, facts).findings for c in f.fix]
    assert fixes and not any(version.split("2.15.0")[1] in c for c in fixes), fixes
    assert derive({"tensorflow_dist": "tensorflow;id"})["tensorflow_dist"] == "tensorflow"


def test_fix_names_concrete_versions_from_the_knowledge_base() -> None:
    example = DETECTORS.family("resolver-keras").example
    facts = {"tensorflow": "2.15.1", "tensorflow_dist": "tensorflow-cpu", "keras": "3.6.0"}
    fixed = explain_text(example, facts).findings[0].fix
    assert fixed[0] == 'python -m pip install "tensorflow-cpu==2.15.1" "keras<2.16,>=2.15.0"'
    later = {"tensorflow": "2.21.0", "installer": "uv"}
    assert explain_text(example, later).findings[0].fix[0] == (
        'uv pip install "tensorflow==2.21.0" "keras>=3.12.0"'
    )
    unknown = explain_text(example).findings[0]
    assert unknown.fix[0].startswith("# install the keras of your TensorFlow")
    assert "not known" in unknown.fix_note
    # TF 2.6.0/2.6.1 declared keras~=2.6; the kb's curated constraint narrows it to <2.7
    assert explain_text(example, {"tensorflow": "2.6.1"}).findings[0].fix[0] == (
        'python -m pip install "tensorflow==2.6.1" "keras<2.7,~=2.6"'
    )
    # below TF 2.6 there is no keras range to name: reinstalling TensorFlow re-resolves its own
    old = explain_text(example, {"tensorflow": "2.4.1"}).findings[0]
    assert old.fix[0] == 'python -m pip install "tensorflow==2.4.1"'


def test_numpy_fix_depends_on_the_tensorflow_release() -> None:
    example = next(s for s in SIGNATURES if s.id == "numpy2-abi").example
    old = explain_text(example, {"tensorflow": "2.15.1"}).findings[0].fix
    assert old[0] == 'python -m pip install "tensorflow==2.15.1" "numpy<2.0.0,>=1.23.5"'


@pytest.mark.parametrize(
    ("installer", "pip"),
    [
        ("uv", "uv pip install --python '/e nv/bin/python'"),
        ("pip", "'/e nv/bin/python' -m pip install"),
        ("conda", "'/e nv/bin/python' -m pip install"),
        ("poetry", "'/e nv/bin/python' -m pip install"),
    ],
)
def test_a_known_interpreter_is_what_every_command_changes(installer: str, pip: str) -> None:
    """With the environment's interpreter known (``target``, as tfdoctor.envfacts writes it), no
    command is left to the environment active where it is pasted."""
    facts = {"tensorflow": "2.21.0", "installer": installer, "target": "'/e nv/bin/python'"}
    keras = explain_text(DETECTORS.family("resolver-keras").example, facts).findings[0]
    assert keras.fix[0] == f'{pip} "tensorflow==2.21.0" "keras>=3.12.0"'
    gpu = next(s for s in SIGNATURES if s.id == "tf-lists-no-gpu")
    steps = [render(step, derive(facts)) for step in gpu.fix]
    assert steps[0] is not None and steps[0].startswith("'/e nv/bin/python' -c ")
    assert "tfdoctor check --python '/e nv/bin/python' --deep" in steps


@pytest.mark.parametrize("detector_id", ["tensorflow-imported-as-none", "top-module-missing"])
def test_installing_tensorflow_keeps_the_installed_distribution(detector_id: str) -> None:
    """In an environment with tensorflow-cpu, 'install tensorflow' adds a second distribution
    writing the same folder (TFD301, the newest release's files over 2.15's): the installed
    distribution is the one named."""
    detector = next(d for d in ALL if d.id == detector_id)
    facts = {"tensorflow": "2.15.1", "tensorflow_dist": "tensorflow-cpu", "installer": "pip"}
    commands = [render(step, derive(facts)) for step in detector.fix]
    assert 'python -m pip install "tensorflow-cpu"' in commands
    assert render(detector.fix[0], derive(None)) == 'python -m pip install "tensorflow"'


def test_without_versions_no_fix_uninstalls_the_keras_that_tf_keras_may_be() -> None:
    """On TensorFlow 2.6 to 2.15 tf.keras is the keras package: a fix printed when the text does
    not say which TensorFlow it is must not uninstall keras (only keras-nightly beside keras,
    where both write the same files, is removed whatever the release)."""
    for detector in ALL:
        for step in detector.fix:
            bare = render(step, derive(None)) or ""
            for command in bare.splitlines():
                words = command.split()
                if words[:1] != ["#"] and "uninstall" in words and "keras" in words:
                    assert "keras-nightly" in words, (detector.id, command)
