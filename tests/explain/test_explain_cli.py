"""`tfdoctor explain`: output formats, the JSON schema, exit codes, bad input."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tfdoctor.cli import main
from tfdoctor.explain.signatures import load_detectors

DATA = Path(__file__).resolve().parents[1] / "data" / "explain"


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))


def test_json_has_the_check_schema_with_findings_best_first(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = DATA / "real_tf221_legacy_keras_missing.txt"
    assert main(["explain", "--format", "json", str(path)]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["schema"] == "tfdoctor/1"
    assert out["command"] == "explain"
    assert out["recognised"] is True
    assert out["input"]["path"] == str(path)
    assert out["input"]["lines"] == len(path.read_text(encoding="utf-8").splitlines())
    assert out["input"]["error_lines"][-1] == {
        "line": 12,
        "text": "ImportError: Keras cannot be imported. Check that it is installed.",
        "kind": "exception",
    }
    findings = out["findings"]
    assert [f["cause"] for f in findings] == ["tf-keras-mismatch", "not-installed"]
    assert [f["code"] for f in findings] == ["TFD802", "TFD818"]
    confidences = [f["confidence"] for f in findings]
    assert confidences == sorted(confidences, reverse=True)
    first = findings[0]
    assert set(first) >= {"code", "cause", "severity", "title", "group", "evidence", "why", "fix"}
    assert first["group"] == "runtime"
    assert first["evidence"][0].startswith("line 5: WARNING:tensorflow:Your environment has")
    assert first["data"]["signature"] == "tf-keras-legacy-env-missing"
    assert first["data"]["source"].startswith("https://")


def test_unknown_text_says_so_and_points_to_check_deep(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _stdin(monkeypatch, (DATA / "negative_user_keyerror.txt").read_bytes())
    assert main(["explain"]) == 0
    out = capsys.readouterr().out
    assert "No known TensorFlow/Keras failure found in the text." in out
    assert "KeyError: 'learning_rate'" in out
    assert "tfdoctor check --deep" in out


def test_unknown_text_as_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("All good: 10 epochs, loss 0.03.\n", encoding="utf-8")
    assert main(["explain", "--format", "json", str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["recognised"] is False
    assert out["findings"] == []
    assert out["next"] == "tfdoctor check --deep"


def test_text_output_names_cause_confidence_line_why_and_fix(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _stdin(monkeypatch, (DATA / "real_tf215_numpy2.txt").read_bytes())
    assert main(["explain", "-"]) == 1
    out = capsys.readouterr().out
    assert "1 known cause in <stdin>" in out
    numpy2 = next(s for s in load_detectors().signatures if s.id == "numpy2-abi")
    assert "numpy-incompatible" in out and f"{round(numpy2.confidence * 100)}%" in out
    assert "TFD806" in out
    assert "A module that was compiled using NumPy 1.x cannot be run in" in out
    assert "Why: TensorFlow before 2.18" in out
    assert 'python -m pip install "numpy<2"' in out


def test_text_with_rich_markup_characters_is_printed_verbatim(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "log.txt"
    line = "ValueError: Unrecognized keyword arguments: ['batch_shape', 'optional'] [bold]x[/bold]"
    path.write_text(line.replace("ValueError: ", "Exception encountered: ") + "\n", "utf-8")
    main(["explain", str(path)])
    assert "['batch_shape', 'optional'] [bold]x[/bold]" in capsys.readouterr().out


def test_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "--format", "markdown", str(DATA / "real_tf221_save_dir.txt")]) == 1
    out = capsys.readouterr().out
    assert out.startswith("# tfdoctor explain: ")
    assert "## 1. Keras 3 cannot save to a folder (SavedModel)" in out
    save = next(s for s in load_detectors().signatures if s.id == "keras3-save-needs-extension")
    percent = f"{round(save.confidence * 100)}%"
    assert f"`TFD815` · cause `model-format` · error · confidence {percent}" in out
    assert "> line 11: ``ValueError: Invalid filepath extension for saving." in out


def test_markdown_shows_the_pasted_lines_as_written(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A pasted line's dunder names, IPython's <cell line: 0>, Colab's [file](url) links and
    backticks are code, not emphasis, an HTML tag or a link: the rendered report shows the line
    the user pasted."""
    path = tmp_path / "colab.txt"
    error = (
        "AttributeError: module 'keras.backend' has no attribute 'set_session' (__init__ of `x`)"
    )
    path.write_text(
        "[<ipython-input-3-5c1a2b>](https://localhost:8080/#) in <cell line: 0>()\n" + error + "\n",
        encoding="utf-8",
    )
    assert main(["explain", "--text-only", "--format", "markdown", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"> line 2: ``{error}``" in out
    assert "Confirm it in the environment that printed this: `tfdoctor check`" in out

    path.write_text("FooError: __init__ <cell line: 0> failed\n", encoding="utf-8")
    assert main(["explain", "--text-only", "--format", "markdown", str(path)]) == 0
    out = capsys.readouterr().out
    assert "- line 1: `FooError: __init__ <cell line: 0> failed`" in out
    assert "To test the environment itself, run: `tfdoctor check --deep`" in out


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("__init__", "`__init__`"),
        ("a `b` c", "``a `b` c``"),
        ("`x`", "`` `x` ``"),
        ("a ``b``", "``` a ``b`` ```"),
    ],
)
def test_code_span(text: str, span: str) -> None:
    from tfdoctor.report.markdown import code_span

    assert code_span(text) == span


def test_warning_only_exits_zero(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "gpu.log"
    path.write_text(
        "2021-04-09 19:52:41.024315: W tensorflow/stream_executor/platform/default/"
        "dso_loader.cc:60] Could not load dynamic library 'libcudart.so.11.0'; dlerror: "
        "libcudart.so.11.0: cannot open shared object file: No such file or directory\n",
        encoding="utf-8",
    )
    assert main(["explain", "--format", "json", str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["findings"][0]["severity"] == "warning"


def test_missing_file_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["explain", str(tmp_path / "nope.txt")]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"tfdoctor: no such file: {tmp_path / 'nope.txt'}"


def test_folder_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["explain", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_binary_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "model.h5"
    path.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(8192))
    assert main(["explain", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"tfdoctor: {path} is not text")


@pytest.mark.parametrize("recognised", [True, False])
def test_text_output_sends_no_control_character_of_the_input_to_the_terminal(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    recognised: bool,
) -> None:
    """An ESC sequence the ANSI filter does not take (a terminal reset, a DCS string, a C1 CSI)
    in a pasted line is shown without its control characters, as every text writer does."""
    message = (
        "ModuleNotFoundError: No module named 'keras.src.engine'"
        if recognised
        else "KeyError: 'learning_rate'"
    )
    for variable in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(variable, raising=False)  # rich's own styles are not the input's
    path = tmp_path / "paste\x1b]0;x.txt"
    path.write_text(f"{message} \x1bc\x1bP1$q\x1b\\ \u009b31m end\n", encoding="utf-8")
    assert main(["explain", "--text-only", str(path)]) == (1 if recognised else 0)
    out = capsys.readouterr().out
    assert "end" in out
    assert not any((ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F for c in out), repr(out)


def test_the_environment_of_an_ipython_traceback_under_home_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """IPython >= 8 writes a frame's path under the home folder as ``~/...``: that environment
    is on this machine, and is the one checked (not the active environment)."""
    import argparse
    import os
    import sys

    from tfdoctor.commands import explain as command
    from tfdoctor.explain import explain_text

    monkeypatch.setenv("HOME", str(tmp_path))
    site = tmp_path / "venv" / "lib" / "python3.11" / "site-packages" / "keras" / "src"
    site.mkdir(parents=True)
    (site / "models.py").write_text("", encoding="utf-8")
    (tmp_path / "venv" / "bin").mkdir()
    os.symlink(sys.executable, tmp_path / "venv" / "bin" / "python")
    result = explain_text(
        "File ~/venv/lib/python3.11/site-packages/keras/src/models.py:12, in fit(self)\n"
        "ModuleNotFoundError: No module named 'keras.src.engine'\n"
    )
    assert result.environment == "~/venv"
    checked = _record_checked_environments(monkeypatch)
    args = argparse.Namespace(text_only=False, python=None)
    assert command._environment(args, result) is None
    assert checked == ["~/venv"]


def test_the_traceback_environment_of_another_user_is_not_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another user's venv runs root's interpreter, but with that user's site-packages, whose
    .pth files and sitecustomize run at start-up: a traceback naming it is not checked."""
    import argparse
    import os
    import sys

    from tfdoctor.commands import explain as command
    from tfdoctor.explain import explain_text

    site = tmp_path / "venv" / "lib" / "python3.11" / "site-packages"
    (site / "keras").mkdir(parents=True)
    (site / "keras" / "models.py").write_text("", encoding="utf-8")
    (tmp_path / "venv" / "bin").mkdir()
    os.symlink(sys.executable, tmp_path / "venv" / "bin" / "python")
    result = explain_text(
        f'  File "{site}/keras/models.py", line 1, in <module>\n'
        "ModuleNotFoundError: No module named 'keras.src.engine'\n"
    )
    assert result.environment == str(tmp_path / "venv")
    real_stat = os.stat

    def stat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        found = real_stat(path, *args, **kwargs)  # type: ignore[arg-type]
        if os.fspath(path) == str(site):  # type: ignore[arg-type]
            fields = list(found)
            fields[4] = os.getuid() + 4242  # st_uid: neither this user nor root
            return os.stat_result(fields)
        return found

    monkeypatch.setattr(os, "stat", stat)
    checked = _record_checked_environments(monkeypatch)
    args = argparse.Namespace(text_only=False, python=None)
    assert command._environment(args, result) is None
    assert checked == []


def test_the_python_apis_document_is_the_explain_document() -> None:
    """``tfdoctor.explain(text).to_json()`` is what ``explain --format json`` prints: the same
    schema, with whether the text settles its cause and the alternatives."""
    import tfdoctor
    from json_schemas import assert_valid
    from tfdoctor.explain import explain_text

    text = (
        "ModuleNotFoundError: No module named 'tensorflow'\n"
        "ImportError: numpy.core.multiarray failed to import\n"
    )
    document = tfdoctor.explain(text).to_json()
    assert_valid(document)
    result = explain_text(text)
    assert document["uncertain"] is result.uncertain
    assert document["uncertain_reason"] == result.uncertain_reason
    assert document["alternatives"] == list(result.alternatives)


def test_an_unusable_active_environment_leaves_the_text_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """$VIRTUAL_ENV still names a venv that was deleted: without --python, explain explains the
    text alone instead of failing on an environment nobody asked for."""
    monkeypatch.setenv("VIRTUAL_ENV", str(tmp_path / "deleted-venv"))
    path = DATA / "real_tf215_numpy2.txt"
    assert main(["explain", "--format", "json", str(path)]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["findings"][0]["cause"] == "numpy-incompatible"
    assert "environment_source" not in out
    # asked for by name, the same environment is a usage error
    assert main(["explain", "--python", str(tmp_path / "deleted-venv"), str(path)]) == 2


def _record_checked_environments(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The interpreters explain would examine, recorded instead of run."""
    from tfdoctor.commands import explain as command
    from tfdoctor.errors import UsageError

    checked: list[str] = []

    def diagnose_context(python: str) -> None:
        checked.append(python)
        raise UsageError("not examined in this test")

    monkeypatch.setattr("tfdoctor.diagnose.diagnose_context", diagnose_context)
    monkeypatch.setattr(command, "_active_with_tensorflow", lambda: None)
    return checked


def test_the_next_step_names_the_environment_given_with_python(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A text that shows no environment, explained with --python: confirming it means checking
    that environment, not whichever one is active."""
    import shlex
    import sys

    path = tmp_path / "error.txt"
    path.write_text("ValueError: Argument(s) not recognized: {'lr': 0.001}\n", encoding="utf-8")
    main(["explain", "--python", sys.executable, "--format", "json", str(path)])
    out = json.loads(capsys.readouterr().out)
    assert out["next"] == f"tfdoctor check --python {shlex.quote(sys.executable)}"


def test_an_empty_input_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Nothing was pasted (an empty file, Ctrl-D at once): saying 'no known failure found in
    the text' would read as if a text had been examined."""
    path = tmp_path / "log.txt"
    path.write_bytes(b"")
    assert main(["explain", "--text-only", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"tfdoctor: {path} is empty: nothing to explain; give the traceback or log "
        "(a file, or piped in: ... 2>&1 | tfdoctor explain)\n"
    )
    _stdin(monkeypatch, b"")
    assert main(["explain", "--text-only"]) == 2
    assert capsys.readouterr().err.startswith("tfdoctor: standard input is empty: nothing")


def test_an_uncertain_answer_names_each_alternative_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Two causes about as likely: the reason names both, and 'It may also be' does not name
    the second again ('... removed-api and numpy-incompatible are about as likely from the text
    alone. It may also be: numpy-incompatible.')."""
    path = tmp_path / "session.txt"
    path.write_text(
        (DATA / "real_tf215_numpy2.txt").read_text(encoding="utf-8")
        + ">>> print(tf.keras.__version__)\n"
        "Traceback (most recent call last):\n"
        '  File "<stdin>", line 1, in <module>\n'
        "AttributeError: module 'keras.api._v2.keras' has no attribute '__version__'\n",
        encoding="utf-8",
    )
    main(["explain", "--text-only", "--format", "json", str(path)])
    data = json.loads(capsys.readouterr().out)
    assert data["uncertain"] and len(data["alternatives"]) == 1
    second = data["alternatives"][0]
    assert second in data["uncertain_reason"]  # the JSON keeps it
    main(["explain", "--text-only", str(path)])
    closing = next(line for line in capsys.readouterr().out.splitlines() if "Uncertain" in line)
    assert closing.count(second) == 1 and "It may also be" not in closing, closing
