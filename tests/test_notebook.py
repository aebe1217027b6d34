"""``%load_ext tfdoctor`` in a real notebook, executed by nbclient on a real ipykernel that runs in
the broken TensorFlow 2.15 + Keras 3 environment; and the Python API it is built on."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import specs
from envs import EnvSpec, python_of

pytestmark = pytest.mark.realenv
SRC = Path(__file__).resolve().parents[1] / "src"
FAILING = (
    "import tensorflow as tf\n"
    "inputs = tf.keras.Input(shape=(4,))\n"
    "outputs = tf.nn.relu(tf.keras.layers.Dense(8)(inputs))"
)


def _kernelspec(folder: Path, env: Path) -> None:
    """A kernel in the TF env whose shell says otherwise: PATH and VIRTUAL_ENV point at
    tfdoctor's own venv, so `%tfdoctor` must go by the kernel's interpreter."""
    spec = folder / "kernels" / "tfenv"
    spec.mkdir(parents=True)
    # Only the package, not src/'s egg-info: that metadata would add tfdoctor's own
    # requirements (uv) to the kernel's environment and a TFD210 to its report.
    importable = folder / "importable"
    shutil.copytree(SRC / "tfdoctor", importable / "tfdoctor")
    own_venv = Path(sys.executable).parent.parent
    kernel = {
        "argv": [python_of(env), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "TF 2.15 + Keras 3",
        "language": "python",
        "env": {
            # tfdoctor itself, as `%pip install tfdoctor` would make it importable
            "PYTHONPATH": str(importable),
            "PATH": f"{own_venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
            "VIRTUAL_ENV": str(own_venv),
            "TF_CPP_MIN_LOG_LEVEL": "2",
        },
    }
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")


def _outputs(cell: Any, kind: str) -> str:
    out = []
    for output in cell.outputs:
        if output.get("output_type") in ("execute_result", "display_data"):
            out.append(output["data"].get(kind, ""))
        elif output.get("output_type") == "stream" and kind == "stream":
            out.append(output["text"])
    return "".join(out)


def test_magic_checks_the_kernels_environment_and_explains_its_last_error(
    real_env: Callable[[EnvSpec], Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    keras_home: Path,
) -> None:
    import nbformat
    from nbclient import NotebookClient

    env = real_env(specs.TF215_KERAS3_KERNEL)
    _kernelspec(tmp_path / "jupyter", env)
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("%load_ext tfdoctor"),
        nbformat.v4.new_code_cell("%tfdoctor"),
        nbformat.v4.new_code_cell(FAILING),
        nbformat.v4.new_code_cell("%tfdoctor explain"),
        nbformat.v4.new_code_cell(
            "import sys, tfdoctor\n"
            "report = tfdoctor.check()\n"
            "print(sys.executable, report.errors, [f.code for f in report.findings])"
        ),
    ]
    client = NotebookClient(
        notebook,
        kernel_name="tfenv",
        timeout=300,
        allow_errors=True,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    load, check, failing, explain, api = notebook.cells

    assert not [o for o in load.outputs if o.get("output_type") == "error"], load.outputs
    html = _outputs(check, "text/html")
    assert html.startswith('<div class="tfdoctor-report"'), check.outputs
    assert str(env) in html, "the kernel's environment, not PATH's or VIRTUAL_ENV's"
    assert "TFD101" in html and "keras 3.15.1 does not match TensorFlow 2.15.1" in html
    assert "Found 1 error and 0 warnings." in html
    assert "&lt;2.16,&gt;=2.15.0" in html, "text is escaped"
    plain = _outputs(check, "text/plain")
    assert plain.startswith(f"tfdoctor check · {env}") and "[✗] Keras (keras 3.15.1)" in plain

    error = [o for o in failing.outputs if o.get("output_type") == "error"]
    assert error and error[0]["ename"] == "ValueError"
    assert "A KerasTensor cannot be used as input to a TensorFlow function" in error[0]["evalue"]

    explained = _outputs(explain, "text/html")
    # the kernel's environment joins in: TF 2.15 beside Keras 3 (TFD101) is the root cause; its
    # tf.keras is Keras 3 itself (lazy_loader.py), so no two Keras implementations meet
    assert "TFD101" in explained and "keras-version-mismatch" in explained, explain.outputs
    assert "1. keras-version-mismatch" in _outputs(explain, "text/plain")

    printed = _outputs(api, "stream")
    assert printed.strip() == f"{python_of(env)} 1 ['TFD101']"


def test_the_api_returns_reports(real_env: Callable[[EnvSpec], Path], tmp_path: Path) -> None:
    import tfdoctor

    env = real_env(specs.TF215_KERAS3)
    report = tfdoctor.check(env)
    assert report.command == "check" and report.errors == 1
    assert [f.code for f in report.findings] == ["TFD101"]
    assert report.to_json()["schema"] == "tfdoctor/1"
    assert str(report).startswith(f"tfdoctor check · {env}\n")

    text = (
        "Traceback (most recent call last):\n"
        '  File "train.py", line 3, in <module>\n'
        "ValueError: A KerasTensor cannot be used as input to a TensorFlow function.\n"
    )
    explained = tfdoctor.explain(text)
    assert explained.command == "explain" and explained.extra["recognised"] is True
    # the text alone: Keras 2 code (TensorFlow ops on symbolic tensors) under Keras 3, which the
    # corpus's threads establish as tf-keras-mismatch (TF >= 2.16: tf-keras + TF_USE_LEGACY_KERAS)
    assert explained.findings[0].cause == "tf-keras-mismatch"
    assert tfdoctor.explain("all good\n").findings == ()
    assert "No known TensorFlow/Keras failure" in explained._replace(findings=())._repr_html_()


def test_the_api_names_its_environment_as_the_cli_does(
    real_env: Callable[[EnvSpec], Path],
) -> None:
    """``tfdoctor.explain(text, python=env)`` joins the environment as ``explain --python env``
    does, and its JSON names the source with the same value (docs/json-schema.md)."""
    import tfdoctor

    env = real_env(specs.TF215_KERAS3)
    log = (Path(__file__).parent / "data" / "explain" / "real_pip_check_keras3.txt").read_text()
    joined = tfdoctor.explain(log, python=env).to_json()
    assert joined["environment_source"] == "--python"
    assert [f["code"] for f in joined["environment_findings"]] == ["TFD101"]
