"""check --deep: TensorFlow and Keras really run in the target; failures get their root cause."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

import specs
from cli_runner import Runner
from envs import EnvSpec

pytestmark = pytest.mark.realenv


def _deep(tfdoctor: Runner, target: Path, *extra: str, **kwargs: object) -> dict:  # type: ignore[type-arg]
    result = tfdoctor(
        "check", "--deep", "--python", str(target), "--format", "json", *extra, **kwargs
    )
    data: dict = result.json()  # type: ignore[type-arg]
    data["_returncode"] = result.returncode
    return data


def _steps(data: dict) -> dict[str, str]:  # type: ignore[type-arg]
    return {s["step"]: s["status"] for s in data["deep"]["steps"]}


def test_healthy_keras3_environment_passes_every_step(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    data = _deep(tfdoctor, real_env(specs.TF221))
    assert data["findings"] == []
    assert _steps(data) == {
        "import tensorflow": "ok",
        "resolve tf.keras": "ok",
        "import keras": "ok",
        "tf.keras objects come from one Keras": "ok",
        "smoke test through tf.keras": "ok",
    }
    resolve = next(s for s in data["deep"]["steps"] if s["step"] == "resolve tf.keras")
    assert resolve["detail"]["module"] == "keras._tf_keras.keras"
    assert resolve["detail"]["kind"] == "keras 3"
    smoke = next(s for s in data["deep"]["steps"] if s["step"] == "smoke test through tf.keras")
    assert smoke["detail"]["format"] == ".keras"


def test_legacy_keras_runs_both_implementations(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    data = _deep(tfdoctor, real_env(specs.TF221_LEGACY), env={"TF_USE_LEGACY_KERAS": "1"})
    # Only the static warning that tf-keras declares plain `tensorflow`: nothing fails.
    assert [(f["code"], f["severity"]) for f in data["findings"]] == [("TFD210", "warning")]
    steps = _steps(data)
    assert steps["smoke test through tf.keras"] == "ok"
    assert steps["smoke test through keras"] == "ok", "standalone Keras 3 is tested on its own"
    resolve = next(s for s in data["deep"]["steps"] if s["step"] == "resolve tf.keras")
    assert resolve["detail"]["implementation"] == "tf_keras"


def test_numpy2_import_failure_proves_the_static_finding(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    data = _deep(tfdoctor, real_env(specs.TF215_NUMPY2))
    assert [(f["code"], f["cause"]) for f in data["findings"]] == [("TFD201", "numpy-incompatible")]
    evidence = data["findings"][0]["evidence"]
    assert any(e.startswith("verified at runtime: import tensorflow failed") for e in evidence)
    assert _steps(data) == {"import tensorflow": "fail"}


def test_duplicate_tensorflow_import_failure_is_folded_into_its_finding(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    """tensorflow-cpu 2.18 + tf-keras with its dependencies (which pulled tensorflow 2.21 into
    the same folder): `import tensorflow` fails with an `undefined symbol`. That is what the
    duplicate does, proven at runtime in TFD301, not a protobuf problem or a cause of its own."""
    data = _deep(tfdoctor, real_env(specs.TF218_CPU_TFKERAS))
    assert _steps(data) == {"import tensorflow": "fail"}
    step = data["deep"]["steps"][0]
    assert "undefined symbol" in step["error"]
    [dup] = data["findings"]
    assert (dup["code"], dup["severity"], dup["group"]) == ("TFD301", "error", "tensorflow")
    proof = [e for e in dup["evidence"] if e.startswith("verified at runtime: import tensorflow")]
    assert proof and "NotFoundError" in proof[0], dup["evidence"]
    # The version mismatches the second TensorFlow brought are folded in too.
    assert [e.split()[3] for e in dup["evidence"] if e.startswith("and with it")] == [
        "TFD102",
        "TFD202",
    ]
    assert data["_returncode"] == 1


def test_any_runtime_failure_of_a_duplicate_tensorflow_is_proof_of_it(
    real_env: Callable[[EnvSpec], Path],
) -> None:
    """Whatever the failure looks like (here protobuf's 'Descriptors cannot be created', which
    explain alone calls protobuf-incompatible), with two TensorFlows in one folder it is what
    the duplicate does: folded into TFD301, never a runtime finding of its own. The snapshot is
    the real environment's; the failing step is the text a mixed folder can print."""
    from tfdoctor.deep import DeepResult, Step
    from tfdoctor.diagnose import diagnose_context
    from tfdoctor.envfacts import environment_facts
    from tfdoctor.rules.runtime import runtime_findings

    env = real_env(specs.TF218_CPU_TFKERAS)
    ctx, report = diagnose_context(str(env / "bin" / "python"))
    error = (
        "TypeError: Descriptors cannot be created directly.\nIf this call came from a _pb2.py "
        "file, your generated code is out of date and must be regenerated with protoc >= 3.19.0."
    )
    deep = DeepResult(
        steps=(Step("import tensorflow", "fail", 2.0, error=error),),
        wall_seconds=2.0,
        returncode=0,
    )
    facts = environment_facts(ctx.snapshot, ctx.tensorflow, ctx.installer)
    findings = runtime_findings(ctx, deep, list(report.findings), facts)
    assert [(f.code, f.severity.value) for f in findings] == [("TFD301", "error")]
    assert any(
        e.startswith("verified at runtime: import tensorflow failed") and "protoc >= 3.19" in e
        for e in findings[0].evidence
    ), findings[0].evidence


def test_keras3_under_tf215_is_seen_as_tf_keras_being_keras3(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    """TF 2.15 with Keras 3 imports fine, but tf.keras silently becomes Keras 3."""
    data = _deep(tfdoctor, real_env(specs.TF215_KERAS3))
    assert [(f["code"], f["cause"]) for f in data["findings"]] == [
        ("TFD101", "keras-version-mismatch")
    ]
    evidence = data["findings"][0]["evidence"]
    assert any(
        "tf.keras of TensorFlow 2.15.1 is keras._tf_keras.keras (Keras 3.15.1)" in e
        for e in evidence
    )


def test_keras2_under_tf221_fails_at_runtime(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    data = _deep(tfdoctor, real_env(specs.TF221_KERAS2))
    assert [(f["code"], f["cause"]) for f in data["findings"]] == [
        ("TFD101", "keras-version-mismatch")
    ]
    assert "fail" in _steps(data).values()
    assert any(e.startswith("verified at runtime:") for e in data["findings"][0]["evidence"])


def test_crash_of_the_interpreter_is_caught(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    """A keras.py that segfaults (a real SIGSEGV through ctypes) in the working directory."""
    (tmp_path / "keras.py").write_text("import ctypes\nctypes.string_at(0)\n")
    data = _deep(tfdoctor, real_env(specs.TF221), cwd=tmp_path)
    assert data["deep"]["crashed"] == "killed by SIGSEGV"
    # TensorFlow 2.21 imports keras while `import tensorflow` runs.
    assert data["deep"]["unfinished"] == "import tensorflow"
    codes = {f["code"] for f in data["findings"]}
    assert "TFD401" in codes  # the static cause: keras.py shadows keras
    shadow = next(f for f in data["findings"] if f["code"] == "TFD401")
    runtime = [f for f in data["findings"] if f["code"] == "TFD905"]
    assert runtime or any("SIGSEGV" in e for e in shadow["evidence"])


def test_time_limit(tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]) -> None:
    data = _deep(tfdoctor, real_env(specs.TF221), "--timeout", "1")
    assert data["deep"]["timed_out"] is True
    assert data["deep"]["unfinished"] == "import tensorflow"
    assert [f["code"] for f in data["findings"]] == ["TFD906"]
    assert data["_returncode"] == 1
    # A healthy environment stopped at the limit: said as such, with the way out, never "the
    # environment does not work as installed" (what it once said, with no word of --timeout).
    (finding,) = data["findings"]
    assert "does not work as installed" not in finding["why"], finding["why"]
    assert finding["why"].startswith("The step was stopped at the time limit (--timeout)")
    assert finding["fix_note"].endswith("longer time limit (--timeout 600).")
    assert re.search(r"import tensorflow did not finish within \d+\.\d s", str(finding))
