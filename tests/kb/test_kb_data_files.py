"""The data files themselves: every curated fact is sourced, curated and declared agree."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest

from tfdoctor.kb import DATA_DIR, KnowledgeBase, load
from tfdoctor.kb.validate import agreement_problems, check, source_problems


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load()


def test_shipped_data_passes_check() -> None:
    assert check(DATA_DIR) == []


def test_every_curated_fact_has_a_source(kb: KnowledgeBase) -> None:
    assert source_problems(kb.curated_data) == []
    for tf_minor, entry in kb.curated_data["tensorflow"].items():
        for name, fact in entry.items():
            if name in ("constraints", "notes"):
                continue
            assert fact["source"].startswith("https://"), (tf_minor, name)
            assert fact["evidence"], (tf_minor, name)


def test_check_reports_a_fact_without_source(kb: KnowledgeBase, tmp_path: Path) -> None:
    curated = copy.deepcopy(dict(kb.curated_data))
    del curated["tensorflow"]["2.15"]["cuda"]["source"]
    (tmp_path / "curated.json").write_text(json.dumps(curated))
    shutil.copy(Path(DATA_DIR) / "declared.json", tmp_path / "declared.json")
    problems = check(tmp_path)
    assert problems == ["curated.tensorflow.2.15.cuda: source is not a URL: None"]


def test_check_reports_a_missing_minor(kb: KnowledgeBase) -> None:
    curated = copy.deepcopy(dict(kb.curated_data))
    del curated["tensorflow"]["2.16"]
    problems = agreement_problems(kb.declared_data, curated)
    assert problems == [
        "declared.json has TensorFlow 2.16.x releases but curated.json has no entry for 2.16"
    ]


def test_declared_covers_every_tensorflow_2_release_with_its_url(kb: KnowledgeBase) -> None:
    versions = kb.tensorflow_versions()
    assert versions[0] == "2.0.0"
    assert {"2.12.0", "2.15.1", "2.16.1", "2.17.1", "2.18.1"} <= set(versions)
    for version in versions:
        release = kb.declared("tensorflow", version)
        assert release is not None
        assert release.source == f"https://pypi.org/pypi/tensorflow/{version}/json"
        assert release.requires_dist, version
        assert release.pythons, version


def test_declared_keeps_only_relevant_extras(kb: KnowledgeBase) -> None:
    for name, package in kb.declared_data["packages"].items():
        for version, release in package["releases"].items():
            for line in release["requires_dist"] or ():
                if "extra ==" in line:
                    head = line.split(";")[0].lower()
                    assert (
                        "tensorflow" in head
                        or "keras" in head
                        or "tf-nightly" in head
                        or "and-cuda" in line
                        or "and_cuda" in line
                    ), (name, version, line)


def test_data_files_stay_small() -> None:
    assert (Path(DATA_DIR) / "declared.json").stat().st_size < 2_000_000
    assert (Path(DATA_DIR) / "curated.json").stat().st_size < 500_000


def test_observations_keep_the_errors_verbatim(kb: KnowledgeBase) -> None:
    by_case = {o.case: o for o in kb.observations()}
    numpy2 = by_case["2.15.1 + numpy 2.0.2"]
    assert numpy2.result.startswith("failed")
    assert "AttributeError: _ARRAY_API not found" in numpy2.output
    keras2_on_216 = by_case["2.16.2 + keras 2.15.0 (Keras 2 beside TF 2.16)"]
    assert "RecursionError: maximum recursion depth exceeded in comparison" in keras2_on_216.output
    assert all(o.source.startswith("https://pypi.org/project/") for o in by_case.values())
