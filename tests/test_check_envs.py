"""tfdoctor check against real environments: the exact finding for each real broken state."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

import specs
from cli_runner import Runner
from envs import EnvSpec

pytestmark = pytest.mark.realenv

CASES: list[tuple[str, EnvSpec, dict[str, str], list[tuple[str, str]]]] = [
    ("healthy TF 2.15 + Keras 2", specs.TF215, {}, []),
    ("healthy TF 2.21 + Keras 3", specs.TF221, {}, []),
    ("healthy TF 2.21 on Python 3.12", specs.TF221_PY312, {}, []),
    ("healthy TF 2.21 on Python 3.13", specs.TF221_PY313, {}, []),
    (
        # works, but tf-keras declares plain `tensorflow` (pip check: not installed): a warning
        "TF 2.21 + tf-keras 2.21 (--no-deps) with TF_USE_LEGACY_KERAS=1",
        specs.TF221_LEGACY,
        {"TF_USE_LEGACY_KERAS": "1"},
        [("TFD210", "declared-conflict")],
    ),
    (
        "keras 3 installed over TF 2.15",
        specs.TF215_KERAS3,
        {},
        [("TFD101", "keras-version-mismatch")],
    ),
    (
        "keras 2.15 forced under TF 2.21",
        specs.TF221_KERAS2,
        {},
        [("TFD101", "keras-version-mismatch")],
    ),
    ("tf-keras 2.20 beside TF 2.21", specs.TF221_TFKERAS220, {}, [("TFD102", "tf-keras-mismatch")]),
    (
        "TF_USE_LEGACY_KERAS=1 without tf-keras",
        specs.TF221,
        {"TF_USE_LEGACY_KERAS": "1"},
        [("TFD502", "tf-keras-mismatch")],
    ),
    ("NumPy 2 under TF 2.15", specs.TF215_NUMPY2, {}, [("TFD201", "numpy-incompatible")]),
    ("protobuf 5 under TF 2.15", specs.TF215_PROTOBUF5, {}, [("TFD202", "protobuf-incompatible")]),
    (
        "tensorboard 2.14 under TF 2.15",
        specs.TF215_TENSORBOARD,
        {},
        [("TFD210", "declared-conflict")],
    ),
    (
        "tf-keras with its dependencies beside tensorflow-cpu",
        specs.TF221_TFKERAS_PULLS_TF,
        {"TF_USE_LEGACY_KERAS": "1"},
        [("TFD301", "duplicate-distribution")],
    ),
    (
        "tensorflow and tensorflow-cpu together",
        specs.TF221_PLUS_TENSORFLOW,
        {},
        [("TFD301", "duplicate-distribution")],
    ),
    (
        "keras and keras-nightly together",
        specs.TF221_KERAS_NIGHTLY,
        {},
        [("TFD301", "duplicate-distribution")],
    ),
    (
        "tensorflow and tensorflow-cpu, then tensorflow uninstalled",
        specs.TF221_PLUS_TENSORFLOW_UNINSTALLED,
        {},
        [("TFD304", "broken-install")],
    ),
    (
        "tensorflow 2.18 then tensorflow-cpu 2.19 with its dependencies",
        specs.TF218_PLUS_CPU219,
        {},
        [("TFD301", "duplicate-distribution")],
    ),
    (
        "tf-keras pulled tensorflow 2.21 beside tensorflow-cpu 2.18",
        specs.TF218_CPU_TFKERAS,
        {},
        [("TFD301", "duplicate-distribution")],
    ),
    (
        "tensorflow-cpu 2.15 upgraded to 2.21: tensorflow-estimator left over",
        specs.TF215_UPGRADED_TF221,
        {},
        [("TFD110", "dependent-package-incompatible")],
    ),
    ("~ensorflow leftover", specs.TF215_TILDE, {}, [("TFD303", "broken-install")]),
    ("files of keras deleted", specs.TF221_KERAS_DAMAGED, {}, [("TFD304", "broken-install")]),
    (
        "two numpy metadata folders",
        specs.TF215_TWO_NUMPY,
        {},
        [("TFD302", "duplicate-distribution")],
    ),
    ("absl-py uninstalled under TF", specs.TF221_NO_ABSL, {}, [("TFD103", "not-installed")]),
    ("Keras without TensorFlow", specs.KERAS_ONLY, {}, [("TFD103", "not-installed")]),
    (
        "tensorflow-text 2.15 beside TF 2.21",
        specs.TF221_TEXT215,
        {},
        [("TFD110", "dependent-package-incompatible")],
    ),
    (
        "KERAS_BACKEND=jax without jax",
        specs.TF221,
        {"KERAS_BACKEND": "jax"},
        [("TFD501", "backend-misconfigured")],
    ),
    (
        "TensorFlow 2.15 built for Python 3.11 in a Python 3.12 env",
        specs.PY312_TF215_FOR_311,
        {},
        [("TFD120", "python-unsupported")],
    ),
    (
        "keras 3.15.1 (Requires-Python >=3.11) in a Python 3.9 env without TensorFlow",
        specs.PY39_KERAS_FOR_311,
        {},
        [("TFD103", "not-installed"), ("TFD121", "python-unsupported")],
    ),
    (
        "a CUDA wheel beside tensorflow-cpu 2.21, a build without CUDA",
        specs.TF221_CUDA_RUNTIME,
        {},
        [("TFD605", "cuda-mismatch")],
    ),
    (
        "a CUDA wheel of another release beside tensorflow 2.21, a CUDA build",
        specs.TF221_GPU_CUDA_RUNTIME,
        {},
        [("TFD601", "cuda-mismatch")],
    ),
    (
        "transformers 4.46 beside TF 2.21 without tf-keras",
        specs.TF221_TRANSFORMERS,
        {},
        [("TFD110", "dependent-package-incompatible")],
    ),
    (
        "numpy's METADATA cannot be read",
        specs.TF215_UNREADABLE_METADATA,
        {},
        [("TFD304", "broken-install")],
    ),
    (
        "conda env with pip-installed TensorFlow",
        specs.TF215_CONDA,
        {},
        [("TFD310", "mixed-installers")],
    ),
]


@pytest.mark.parametrize(
    ("spec", "environ", "expected"),
    [pytest.param(spec, environ, expected, id=label) for label, spec, environ, expected in CASES],
)
def test_exact_findings(
    tfdoctor: Runner,
    real_env: Callable[[EnvSpec], Path],
    spec: EnvSpec,
    environ: dict[str, str],
    expected: list[tuple[str, str]],
) -> None:
    env = real_env(spec)
    result = tfdoctor("check", "--python", str(env), "--format", "json", env=environ)
    assert result.codes() == sorted(expected), result.stdout
    data = result.json()
    assert result.returncode == (1 if data["summary"]["errors"] else 0), result.stderr
    if expected:
        finding = data["findings"][0]
        assert finding["title"] and finding["evidence"] and finding["why"]
        assert finding["fix"] or finding.get("fix_note")


def test_unreadable_metadata_is_reinstalled_at_the_release_its_folder_names(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    """`uv pip install --reinstall numpy`, as the fix said, replaced numpy 1.26.4 by the newest
    NumPy (2.x, which TensorFlow 2.15 cannot import) and moved its dependencies."""
    env = real_env(specs.TF215_UNREADABLE_METADATA)
    (finding,) = tfdoctor("check", "--python", str(env), "--format", "json").json()["findings"]
    assert finding["code"] == "TFD304"
    assert "its folder names release 1.26.4" in finding["evidence"]
    assert finding["fix"] == [
        f"uv pip install --python {env}/bin/python --no-deps --reinstall numpy==1.26.4"
    ]


def test_incomplete_tensorflow_is_one_finding_in_its_own_section(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    # Uninstalling tensorflow took the files tensorflow-cpu lists too: one problem (reinstall
    # tensorflow-cpu), shown under TensorFlow, which is not ✓ and says what is really there.
    env = real_env(specs.TF221_PLUS_TENSORFLOW_UNINSTALLED)
    data = tfdoctor("check", "--python", str(env), "--format", "json").json()
    [broken] = data["findings"]
    assert broken["group"] == "tensorflow"
    assert any("without __init__.py" in e for e in broken["evidence"])
    assert broken["fix"][0].endswith("--no-deps --reinstall tensorflow-cpu==2.21.0")
    text = tfdoctor("check", "--python", str(env)).stdout
    line = next(x for x in text.splitlines() if "TensorFlow (" in x)
    assert line.startswith("[✗] TensorFlow (tensorflow-cpu 2.21.0, "), line
    assert "files missing" in line


@pytest.mark.parametrize(
    ("spec", "keep", "gone", "folded"),
    [
        pytest.param(
            specs.TF218_PLUS_CPU219, "tensorflow-cpu==2.19.1", "tensorflow", [], id="2.18+cpu2.19"
        ),
        pytest.param(
            specs.TF218_CPU_TFKERAS,
            "tensorflow-cpu==2.18.1",
            "tensorflow",
            ["TFD102", "TFD202"],
            id="cpu2.18+tf-keras",
        ),
    ],
)
def test_duplicate_tensorflow_one_decision_for_check_and_fix(
    tfdoctor: Runner,
    real_env: Callable[[EnvSpec], Path],
    spec: EnvSpec,
    keep: str,
    gone: str,
    folded: list[str],
) -> None:
    # check's advice and fix's plan keep the same distribution and version; the other variant
    # is offered as a choice, never swapped in silently; consequences are one finding.
    env = real_env(spec)
    [dup] = tfdoctor("check", "--python", str(env), "--format", "json").json()["findings"]
    assert dup["code"] == "TFD301" and dup["group"] == "tensorflow"
    assert dup["fix"][1].endswith(f"install --python {env}/bin/python {keep}"), dup["fix"]
    assert f"To keep {gone} instead" in dup["fix_note"]
    assert [e.split()[3] for e in dup["evidence"] if e.startswith("and with it")] == folded
    if keep.startswith("tensorflow-cpu") and folded:
        assert "tf-keras 2.21.0 declares plain `tensorflow`" in dup["fix_note"]
    plan = tfdoctor("fix", "--dry-run", "--python", str(env), "--format", "json").json()["plan"]
    assert plan["tensorflow"] == keep
    reinstalled = [s for s in plan["steps"] if s["kind"] == "reinstall"]
    assert reinstalled and reinstalled[0]["targets"] == [keep], plan["steps"]
    assert any(o["flag"].startswith(f"keep {gone} ") for o in plan["options"]), plan["options"]


def test_protobuf_outside_the_declared_range_but_proven_to_work_is_a_warning(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    # TF 2.15 declares protobuf<5, yet the matrix built TF 2.15.1 + protobuf 5.29.6 and ran
    # import/fit/predict/save/load: the rule follows the cell (a warning naming it), never an
    # error that the proof beside it contradicts.
    result = tfdoctor("check", "--python", str(real_env(specs.TF215_PROTOBUF5)), "--format", "json")
    (finding,) = result.json()["findings"]
    assert (finding["code"], finding["severity"]) == ("TFD202", "warning"), finding
    assert "proven to work" in finding["title"]
    assert any(e.startswith("proven: TF 2.15.1 + protobuf 5.") for e in finding["evidence"])
    assert "pip check" in finding["why"]


def test_keras_findings_name_the_matrix_cell_that_shows_what_tf_keras_is(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    # TF 2.15 + Keras 3: the matrix proved that tf.keras silently becomes Keras 3 there (what the
    # finding's why says); tf-keras 2.20 beside TF 2.21 works under TF_USE_LEGACY_KERAS=1 (a
    # cell ran it), so that finding is a warning that names the cell.
    keras3 = tfdoctor("check", "--python", str(real_env(specs.TF215_KERAS3)), "--format", "json")
    (finding,) = keras3.json()["findings"]
    assert finding["code"] == "TFD101" and finding["severity"] == "error"
    assert any(
        e.startswith("proven: TF 2.15.1 + Keras 3.15.1") and "tf.keras is Keras 3." in e
        for e in finding["evidence"]
    ), finding["evidence"]
    assert finding["fix_note"] == (
        "To use Keras 3 instead, upgrade TensorFlow to 2.16 or newer (tfdoctor fix --keras 3)."
    )
    tf_keras = tfdoctor(
        "check", "--python", str(real_env(specs.TF221_TFKERAS220)), "--format", "json"
    )
    assert tf_keras.returncode == 0, "a proven pair is a warning"
    (finding,) = tf_keras.json()["findings"]
    assert (finding["code"], finding["severity"]) == ("TFD102", "warning")
    assert any(
        "TF_USE_LEGACY_KERAS=1): tf.keras is tf-keras 2.20" in e for e in finding["evidence"]
    )


def test_a_keras_finding_names_only_a_cell_of_the_installed_keras_minor(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    # The matrix ran TF 2.21 beside Keras 2.15.0 (it fails), never beside Keras 2.14: the
    # finding on Keras 2.14.0 claims no proof (it once named the 2.15.0 cell), the one on Keras
    # 2.15.0 names that cell.
    from tfdoctor.kb import verified

    assert verified.find("2.21", keras="2.14") == [] and verified.find("2.21", keras="2.15")

    def proofs(spec: EnvSpec) -> list[str]:
        data = tfdoctor("check", "--python", str(real_env(spec)), "--format", "json").json()
        (finding,) = [f for f in data["findings"] if f["code"] == "TFD101"]
        assert finding["title"].startswith(f"keras {spec.no_deps[0].split('==')[1]} does not")
        assert finding["fix_note"] == (
            "If your code needs Keras 2, keep keras 3 and add tf-keras~=2.21.0 with "
            "TF_USE_LEGACY_KERAS=1 instead (tfdoctor fix --keras 2)."
        )
        return [e for e in finding["evidence"] if e.startswith("proven:")]

    assert proofs(specs.TF221_KERAS214) == []
    (proof,) = proofs(specs.TF221_KERAS2)
    assert proof.startswith("proven: TF 2.21.0 + Keras 2.15.0 fails at resolve tf.keras"), proof


def test_estimator_left_over_after_an_upgrade_is_a_warning_from_the_kb(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path]
) -> None:
    """pip/uv upgrade TensorFlow 2.15 -> 2.21: tensorflow-estimator 2.15 stays (pip check is
    content), but TensorFlow 2.21 has no tf.estimator and `import tensorflow_estimator` fails."""
    env = real_env(specs.TF215_UPGRADED_TF221)
    data = tfdoctor("check", "--python", str(env), "--format", "json").json()
    [left] = data["findings"]
    assert left["severity"] == "warning" and left["group"] == "tensorflow"
    assert left["title"] == (
        "tensorflow-estimator 2.15.0 is left over from an older TensorFlow: TensorFlow 2.21.0 "
        "has no tf.estimator (removed in 2.16)"
    )
    assert left["fix"] == [f"uv pip uninstall --python {env}/bin/python tensorflow-estimator"]
    assert "`tfdoctor fix --tensorflow 2.15`" in left["fix_note"]
    imported = subprocess.run(
        [str(env / "bin" / "python"), "-c", "import tensorflow_estimator"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert imported.returncode != 0 and "ImportError" in imported.stderr
