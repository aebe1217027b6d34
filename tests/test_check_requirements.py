"""``tfdoctor check -r``: real requirement files resolved by uv against the registry for another
Python/platform, and real lock files read with the network switched off."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cli_runner import CliResult, Runner

DATA = Path(__file__).parent / "data" / "requirements"
LINUX = ("--python-version", "3.11", "--platform", "linux", "--arch", "x86_64")


def _check(
    tfdoctor: Runner, *args: str, stdin: str | None = None, cwd: Path | None = None
) -> CliResult:
    return tfdoctor("check", *args, stdin=stdin, cwd=cwd)


def _finding(result: CliResult, code: str) -> dict[str, Any]:
    found = [f for f in result.json()["findings"] if f["code"] == code]
    assert len(found) == 1, result.stdout + result.stderr
    return found[0]


# -- resolved against the registry --------------------------------------------------------------
network = pytest.mark.network


@network
def test_tensorflow_215_on_python_312_names_the_newest_release_with_a_wheel(
    tfdoctor: Runner,
) -> None:
    result = _check(
        tfdoctor,
        "-r",
        "-",
        "--python-version",
        "3.12",
        "--platform",
        "linux",
        "--format",
        "json",
        stdin="tensorflow==2.15.1\n",
    )
    assert result.returncode == 1, result.stderr
    data = result.json()
    assert [f["code"] for f in data["findings"]] == ["TFD120"]
    finding = data["findings"][0]
    assert finding["cause"] == "python-unsupported"
    assert "TensorFlow 2.15 supports Python 3.9, 3.10, 3.11" in finding["evidence"]
    # uv's own words, turned into one sentence: which package has no wheel for which Python
    assert any(
        "tensorflow 2.15.1 has no wheel for this Python (cp312)" in e for e in finding["evidence"]
    )
    assert any("tensorflow==2.21.0" in cmd for cmd in finding["fix"])
    assert "newest release for Python 3.12" in finding["fix_note"]
    assert data["target"]["python"] == "3.12.16" and data["target"]["kind"] == "requirements"
    assert data["requirements"]["mode"] == "unresolved"


@network
def test_keras_3_beside_tensorflow_215_through_includes(tfdoctor: Runner) -> None:
    """-r and -c includes are followed; the conflict is explained and the environment that
    installing keras afterwards leaves is checked by the ordinary rule."""
    result = _check(
        tfdoctor, "-r", str(DATA / "includes" / "requirements.txt"), *LINUX, "--format", "json"
    )
    assert result.returncode == 1, result.stderr
    finding = _finding(result, "TFD101")
    assert finding["cause"] == "keras-version-mismatch"
    assert finding["title"].startswith("keras 3.5.0 does not match TensorFlow 2.15.1")
    assert any(
        "tensorflow 2.15.1 requires keras>=2.15.0,<2.16, but the set asks for keras==3.5.0" in e
        for e in finding["evidence"]
    ), finding["evidence"]
    data = result.json()
    assert data["requirements"]["mode"] == "overridden"
    # the constraint file held: numpy stays below 2; what keras 3 does not need stays as it was
    assert data["packages"]["numpy"]["version"].startswith("1.")
    assert data["packages"]["ml-dtypes"]["version"].startswith("0.3.")
    assert [f["code"] for f in data["findings"]] == ["TFD101"]


@network
def test_numpy_2_under_tensorflow_2140_from_a_poetry_table(tfdoctor: Runner) -> None:
    result = _check(
        tfdoctor, "-r", str(DATA / "poetry-table" / "pyproject.toml"), *LINUX, "--format", "json"
    )
    assert result.returncode == 1, result.stderr
    finding = _finding(result, "TFD201")
    assert finding["cause"] == "numpy-incompatible"
    assert "tensorflow 2.14.0" in finding["title"] and "numpy<2" in finding["title"]
    assert result.json()["requirements"]["mode"] == "resolved", "TF 2.14.0 declares no upper bound"


@network
def test_tf_keras_of_another_minor_from_a_dependency_group(tfdoctor: Runner) -> None:
    """PEP 621 dependencies, an optional group naming the project itself, and a PEP 735 group
    that includes another group."""
    result = _check(
        tfdoctor, "-r", str(DATA / "pep621" / "pyproject.toml"), *LINUX, "--format", "json", "-v"
    )
    finding = _finding(result, "TFD102")
    # the matrix ran TF 2.20 + tf-keras 2.19 under TF_USE_LEGACY_KERAS=1 and tf.keras works: a
    # warning naming that cell (pip check still fails), never an error its proof contradicts
    assert finding["title"].startswith("tf-keras 2.19.0 is not the one TensorFlow 2.20.0")
    assert finding["severity"] == "warning"
    assert any(e.startswith("proven: TF 2.20.0") for e in finding["evidence"])
    assert "tf-keras~=2.20.0" in finding["fix"][0]
    resolved = {d["name"] for d in result.json()["facts"]["distributions"]}
    # every group is part of the set: the optional one (tensorflow-hub) and the included one
    assert {"tensorflow", "tf-keras", "tensorflow-hub", "pytest"} <= resolved
    assert "text-classifier" not in resolved


@network
def test_transformers_5_beside_tensorflow(tfdoctor: Runner) -> None:
    result = _check(
        tfdoctor,
        "-r",
        "-",
        *LINUX,
        "--format",
        "json",
        stdin="tensorflow==2.20.0\ntransformers>=5\n",
    )
    finding = _finding(result, "TFD110")
    assert finding["cause"] == "dependent-package-incompatible"
    assert "has no TensorFlow support" in finding["title"]
    assert finding["fix"] and "transformers<5" in finding["fix"][0]


@network
def test_a_file_with_hashes_as_pip_compile_writes_it(tfdoctor: Runner) -> None:
    """pip-compile --generate-hashes (and uv pip compile, poetry export) put --hash options after
    each pin; check -r once stopped at the first one: 'not a requirement'."""
    hashed = (
        "keras==3.3.3 \\\n"
        "    --hash=sha256:" + "a" * 64 + " \\\n"
        "    --hash=sha256:" + "b" * 64 + "\n"
        "    # via -r requirements.in\n"
        "tensorflow==2.15.1 --hash=sha256:" + "c" * 64 + "\n"
    )
    result = _check(tfdoctor, "-r", "-", *LINUX, "--format", "json", stdin=hashed)
    assert result.returncode == 1, result.stderr
    finding = _finding(result, "TFD101")
    assert finding["title"].startswith("keras 3.3.3 does not match TensorFlow 2.15.1")


@network
def test_tensorflow_and_tensorflow_cpu_in_one_set(tfdoctor: Runner) -> None:
    result = _check(
        tfdoctor,
        "-r",
        "-",
        *LINUX,
        "--format",
        "json",
        stdin="tensorflow==2.16.2\ntensorflow-cpu==2.16.2\n",
    )
    finding = _finding(result, "TFD301")
    assert finding["cause"] == "duplicate-distribution"
    assert (
        "tensorflow 2.16.2 and tensorflow-cpu 2.16.2 both write the package tensorflow"
        in finding["title"]
    )


@network
@pytest.mark.parametrize("listed", ["", "tensorflow==2.21.0\n"])
def test_a_second_variant_pulled_in_by_tf_keras_is_fixed_in_the_set(
    tfdoctor: Runner, tmp_path: Path, listed: str
) -> None:
    """tf-keras declares plain `tensorflow`: resolving it beside tensorflow-cpu adds tensorflow.
    An uninstall, or `tfdoctor fix` (which installs with --no-deps in an environment) would not
    help: the set names the variant that comes in anyway and drops the other one, whether it
    lists tensorflow itself or not. The note says the same (it once began 'Keep only
    tensorflow-cpu', the variant its fix replaces)."""
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"tensorflow-cpu==2.21.0\n{listed}tf-keras==2.21.0\n", encoding="utf-8")
    finding = _finding(
        _check(tfdoctor, "-r", str(requirements), *LINUX, "--format", "json"), "TFD301"
    )
    # the set that lists no tensorflow gets it added, the one that does has it required
    change = "require tensorflow==2.21.0 instead of what the set asks for" if listed else "add"
    assert finding["fix"] == [
        f"# in {requirements}: {change}" + ("" if listed else " tensorflow==2.21.0"),
        f"# in {requirements}: remove tensorflow-cpu",
    ]
    note = finding["fix_note"]
    assert note.startswith("Keep only tensorflow 2.21.0 in the set.")
    assert "tf-keras 2.21.0 declares plain `tensorflow`" in note
    assert "To keep tensorflow-cpu instead, install the set with uv" in note
    assert "tensorflow ; python_version < '0'" in note
    assert "uninstall" not in note and "tfdoctor fix" not in note


@network
def test_a_variant_that_only_pulls_in_the_real_build_is_not_a_duplicate(tfdoctor: Runner) -> None:
    """On Windows, tensorflow 2.15 is a stub that depends on tensorflow-intel."""
    result = _check(
        tfdoctor,
        "-r",
        "-",
        "--python-version",
        "3.11",
        "--platform",
        "windows",
        "--format",
        "json",
        stdin="tensorflow==2.15.1\n",
    )
    assert result.returncode == 0, result.stdout
    data = result.json()
    # no duplicate; only the fact that TensorFlow after 2.10 has no GPU on native Windows
    assert [(f["code"], f["severity"]) for f in data["findings"]] == [("TFD604", "info")]
    assert data["packages"]["tensorflow"]["distribution"] == "tensorflow-intel"
    assert data["target"]["platform"] == "windows-AMD64"


@network
@pytest.mark.parametrize("pin", ["", "==2.16.2"])
def test_and_cuda_extra_on_macos(tfdoctor: Runner, pin: str) -> None:
    result = _check(
        tfdoctor,
        "-r",
        "-",
        "--python-version",
        "3.11",
        "--platform",
        "macos",
        "--format",
        "json",
        stdin=f"tensorflow[and-cuda]{pin}\n",
    )
    assert result.returncode == 1
    finding = _finding(result, "TFD603")
    assert finding["cause"] == "platform-unsupported"
    evidence = " ".join(finding["evidence"])
    if pin:  # the CUDA wheels have no macOS build: uv fails, and says so
        assert "nvidia-cublas-cu12" in evidence and "has no wheel for this platform" in evidence
        assert "TFD211" not in result.stdout
    else:  # uv quietly falls back to the newest release without the extra
        assert "uv fell back to tensorflow 2.13.1" in evidence
    # the Windows fact is the knowledge base's (curated.json's windows_native_gpu_last)
    assert (
        "TensorFlow 2.10 was the last release with GPU support on native Windows"
        in (finding["why"])
    )


@network
def test_a_conflict_no_rule_explains_is_reported_with_both_sides(
    tfdoctor: Runner, tmp_path: Path
) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("keras==3.5.0\nscipy==1.10.1\nnumpy>=2\n", encoding="utf-8")
    result = _check(tfdoctor, "-r", str(requirements), *LINUX, "--format", "json", cwd=tmp_path)
    finding = _finding(result, "TFD211")
    assert finding["cause"] == "declared-conflict"
    assert (
        "scipy 1.10.1 requires numpy>=1.19.5,<1.27.0, but the set asks for numpy>=2"
        in finding["title"]
    )
    assert not any("Traceback" in e for e in finding["evidence"])


@network
def test_environment_yml_pins_python_and_names_conda_packages_of_the_stack(
    tfdoctor: Runner,
) -> None:
    result = _check(
        tfdoctor,
        "-r",
        str(DATA / "conda" / "environment.yml"),
        "--platform",
        "linux",
        "--format",
        "json",
    )
    data = result.json()
    assert data["target"]["python"] == "3.12.16", "python=3.12 in the file decides (a late patch)"
    assert [f["code"] for f in data["findings"]] == ["TFD120"]
    notes = " ".join(data["requirements"]["notes"])
    assert "cudatoolkit" in notes


@network
def test_default_target_is_the_examined_interpreter_and_markdown_renders(tfdoctor: Runner) -> None:
    result = _check(tfdoctor, "-r", "-", "--format", "markdown", stdin="tensorflow-cpu==2.21.0\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("## tfdoctor check")
    assert "**0 errors, 0 warnings**" in result.stdout
    assert f"- **Python**: {'.'.join(map(str, sys.version_info[:3]))}" in result.stdout
    assert "- **tensorflow (tensorflow-cpu)**: 2.21.0" in result.stdout
    assert "No problems found." in result.stdout


# -- lock files: read offline -------------------------------------------------------------------
def _offline(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    if shutil.which("unshare") is None or subprocess.run(["unshare", "-rn", "true"]).returncode:
        pytest.skip("unshare -rn is not available here")
    return subprocess.run(
        ["unshare", "-rn", sys.executable, "-m", "tfdoctor", "check", *args],
        capture_output=True,
        text=True,
        env={**env, "UV_OFFLINE": "1"},
        cwd=cwd,
    )


@pytest.mark.parametrize(
    ("lock", "code", "title"),
    [
        ("uv-keras3/uv.lock", "TFD101", "keras 3.15.1 does not match TensorFlow 2.15.1"),
        ("poetry-numpy2/poetry.lock", "TFD201", "NumPy 2.4.6 is outside what tensorflow 2.14.0"),
    ],
)
def test_lock_files_are_read_as_they_are_without_a_network(
    clean_environ: dict[str, str], tmp_path: Path, lock: str, code: str, title: str
) -> None:
    proc = _offline(
        "-r", str(DATA / lock), *LINUX, "--format", "json", env=clean_environ, cwd=tmp_path
    )
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert [f["code"] for f in data["findings"]] == [code]
    assert data["findings"][0]["title"].startswith(title)
    assert data["requirements"]["mode"] == "locked"


def test_the_keras_note_of_a_lock_file_changes_the_file_not_the_environment(
    clean_environ: dict[str, str], tmp_path: Path
) -> None:
    """`tfdoctor fix` cannot act on a requirement set: TFD101's other way out (Keras 3 with a
    newer TensorFlow) is a requirement to change in the file, as its fix is."""
    lock = DATA / "uv-keras3" / "uv.lock"
    proc = _offline("-r", str(lock), *LINUX, "--format", "json", env=clean_environ, cwd=tmp_path)
    (finding,) = json.loads(proc.stdout)["findings"]
    assert finding["code"] == "TFD101"
    assert finding["fix_note"] == (
        f"To use Keras 3 instead, require tensorflow>=2.16 in {lock} (the set resolves it to "
        "2.15.1 now) and keep keras 3."
    )


def test_a_lock_for_python_311_checked_for_312_names_the_wheels(
    clean_environ: dict[str, str], tmp_path: Path
) -> None:
    lock = DATA / "pylock-tf215" / "pylock.toml"
    fits = _offline("-r", str(lock), *LINUX, "--format", "json", env=clean_environ, cwd=tmp_path)
    assert fits.returncode == 0 and json.loads(fits.stdout)["findings"] == [], fits.stdout
    other = _offline(
        "-r",
        str(lock),
        "--python-version",
        "3.12",
        "--platform",
        "linux",
        "--format",
        "json",
        env=clean_environ,
        cwd=tmp_path,
    )
    finding = json.loads(other.stdout)["findings"][0]
    assert finding["code"] == "TFD120"
    assert "tensorflow 2.15.1 is built for cp311 (" in " ".join(finding["evidence"])


# -- bad input: one line, exit 2 ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("-r", "missing.txt"), None, "no such file: "),
        (("-r", "-"), "tensorflow===\n", "<stdin>:1: not a requirement"),
        (("-r", str(DATA / "uv-keras3" / "uv.lock"), "-r", "-"), "keras\n", "give it alone"),
        (("-r", "-", "--python-version", "three"), "keras\n", "--python-version takes a version"),
        (("--platform", "macos"), None, "go with -r FILE"),
        (("-r", "-", "--deep"), "keras\n", "with -r there is none yet"),
        (("-r", str(DATA / "README.md"), *LINUX), None, "not a requirement"),
    ],
)
def test_bad_input_is_one_line(
    tfdoctor: Runner, args: tuple[str, ...], stdin: str | None, message: str
) -> None:
    result = _check(tfdoctor, *args, stdin=stdin)
    assert result.returncode == 2, result.stdout
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr


@network
def test_and_cuda_behind_a_linux_marker_is_fine_on_macos(tfdoctor: Runner) -> None:
    """The fix TFD603 suggests: the extra only where CUDA builds exist."""
    requirements = (
        "tensorflow[and-cuda]==2.16.2; sys_platform == 'linux'\n"
        "tensorflow==2.16.2; sys_platform != 'linux'\n"
    )
    mac = _check(
        tfdoctor,
        "-r",
        "-",
        "--python-version",
        "3.11",
        "--platform",
        "macos",
        "--format",
        "json",
        stdin=requirements,
    )
    assert mac.returncode == 0 and mac.json()["findings"] == [], mac.stdout


@network
def test_a_python_range_does_not_choose_the_version(tfdoctor: Runner) -> None:
    """Poetry's `python = "^3.10"` is a range, not a pin: the target interpreter's Python stays."""
    result = _check(
        tfdoctor, "-r", str(DATA / "poetry-table" / "pyproject.toml"), "--format", "json"
    )
    assert result.json()["target"]["python"] == ".".join(map(str, sys.version_info[:3]))
    assert [f["code"] for f in result.json()["findings"]] == ["TFD201"]


@network
def test_a_requirement_set_is_fixed_in_its_file_not_in_an_interpreter(
    tfdoctor: Runner, tmp_path: Path
) -> None:
    """There is no environment behind -r: a fix command that installs into `python3.11` would
    change whichever interpreter that name finds on the user's PATH."""
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("tensorflow==2.15.1\nkeras==3.3.3\n", encoding="utf-8")
    as_json = _check(tfdoctor, "-r", str(requirements), *LINUX, "--format", "json")
    finding = _finding(as_json, "TFD101")
    assert finding["fix"], finding
    for command in finding["fix"]:
        assert command.startswith(f"# in {requirements}: require "), command
    assert "keras<2.16,>=2.15.0" in finding["fix"][0]
    assert "tfdoctor fix" not in finding["fix_note"]
    assert f"require tensorflow>=2.16 in {requirements} " in finding["fix_note"]
    terminal = _check(tfdoctor, "-r", str(requirements), *LINUX)
    assert terminal.returncode == 1
    assert "pip install" not in terminal.stdout
    last = terminal.stdout.strip().splitlines()[-1]
    assert "Change the requirement set" in last and "tfdoctor fix" not in last


@network
def test_keras_2_under_a_keras_3_tensorflow_is_fixed_in_the_file(
    tfdoctor: Runner, tmp_path: Path
) -> None:
    """The other way out of TFD101 there (tf-keras for Keras 2 code) is also a line to add to the
    file, not `tfdoctor fix --keras 2`, which cannot act on a requirement set."""
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("tensorflow==2.21.0\nkeras==2.15.0\n", encoding="utf-8")
    result = _check(tfdoctor, "-r", str(requirements), *LINUX, "--format", "json")
    finding = _finding(result, "TFD101")
    assert finding["title"].startswith("keras 2.15.0 does not match TensorFlow 2.21.0")
    assert finding["fix_note"] == (
        f"If your code needs Keras 2, keep keras 3, add tf-keras~=2.21.0 to {requirements} "
        "instead and set TF_USE_LEGACY_KERAS=1 where it runs."
    )


@network
def test_the_keras_3_note_names_a_variant_that_has_a_keras_3_release(
    tfdoctor: Runner, tmp_path: Path
) -> None:
    """tensorflow-gpu's last release is 2.12 (a stub; GPU support is in tensorflow itself since):
    "require tensorflow-gpu>=2.16" asks for a release that does not exist, so the note names
    tensorflow in its place."""
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("tensorflow-gpu==2.10.1\nkeras==3.3.3\n", encoding="utf-8")
    args = ("--python-version", "3.10", "--platform", "linux", "--arch", "x86_64")
    result = _check(tfdoctor, "-r", str(requirements), *args, "--format", "json")
    finding = _finding(result, "TFD101")
    assert finding["fix_note"] == (
        f"To use Keras 3 instead, require tensorflow>=2.16 in {requirements} in place of "
        "tensorflow-gpu, which has no release from 2.16 on (the set resolves it to 2.10.1 now), "
        "and keep keras 3."
    )


@network
def test_the_keras_2_note_of_a_variant_set_does_not_lead_to_two_variants(
    tfdoctor: Runner, tmp_path: Path
) -> None:
    """tf-keras declares plain `tensorflow`: added to a tensorflow-cpu set as the note said, it
    brought tensorflow in beside tensorflow-cpu (TFD301). The note now says to name tensorflow
    in place of the variant as well, and the set written as it says is clean."""
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("tensorflow-cpu==2.21.0\nkeras==2.15.0\n", encoding="utf-8")
    finding = _finding(
        _check(tfdoctor, "-r", str(requirements), *LINUX, "--format", "json"), "TFD101"
    )
    assert finding["fix_note"] == (
        f"If your code needs Keras 2, keep keras 3, add tf-keras~=2.21.0 to {requirements} "
        "instead and set TF_USE_LEGACY_KERAS=1 where it runs; tf-keras declares plain "
        "`tensorflow`, so require tensorflow==2.21.0 there in place of tensorflow-cpu too (the "
        "set would resolve both)."
    )
    requirements.write_text("tensorflow==2.21.0\nkeras>=3.12.0\ntf-keras~=2.21.0\n", "utf-8")
    result = _check(tfdoctor, "-r", str(requirements), *LINUX, "--format", "json")
    assert result.returncode == 0, result.stdout
    assert result.json()["findings"] == []


@network
def test_python_x_y_is_resolved_as_a_python_in_use_not_as_its_first_patch(
    tfdoctor: Runner, tmp_path: Path
) -> None:
    """uv reads `--python-version 3.9` as 3.9.0, which cryptography 50 excludes (Requires-Python
    >=3.9,!=3.9.0,!=3.9.1): the pinned set `tfdoctor new` wrote for Python 3.9 (cryptography comes
    with tensorboard's google-auth) was reported as a set that cannot be installed (TFD211)."""
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("tensorflow-cpu==2.15.1\ncryptography==50.0.2\n", encoding="utf-8")
    args = ("--python-version", "3.9", "--platform", "linux", "--arch", "x86_64")
    result = _check(tfdoctor, "-r", str(requirements), *args, "--format", "json")
    assert result.returncode == 0, result.stdout
    data = result.json()
    assert data["findings"] == [] and data["requirements"]["mode"] == "resolved"
    assert data["target"]["python"] == "3.9.25"
    exact = ("--python-version", "3.9.0", "--platform", "linux", "--arch", "x86_64")
    first_patch = _check(tfdoctor, "-r", str(requirements), *exact, "--format", "json")
    (finding,) = first_patch.json()["findings"]
    assert finding["code"] == "TFD211", "an exact 3.9.0 is still checked as 3.9.0"
    assert any("--python-version 3.9.0 " in e for e in finding["evidence"])


@network
def test_a_release_python_3_9_cannot_install_is_said_and_proves_nothing_there(
    tfdoctor: Runner, tmp_path: Path
) -> None:
    """keras 3.15.1 needs Python 3.11: on 3.9 the set cannot be resolved even with the user's pins
    winning, so only its pins are checked. Those pins used to pass as installed: TFD101 cited the
    matrix cell of TF 2.15.1 + Keras 3.15.1 (built on Python 3.11), `tensorflow>=2.16` became
    2.21.0 (no Python 3.9 build: a false TFD120), and no finding said that keras 3.15.1 itself
    cannot be installed on Python 3.9."""
    args = ("--python-version", "3.9", "--platform", "linux", "--arch", "x86_64")
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("tensorflow==2.15.1\nkeras==3.15.1\n", encoding="utf-8")
    data = _check(tfdoctor, "-r", str(requirements), *args, "--format", "json").json()
    assert data["requirements"]["mode"] == "unresolved"
    assert sorted(f["code"] for f in data["findings"]) == ["TFD101", "TFD121"]
    keras_line = next(f for f in data["findings"] if f["code"] == "TFD101")
    assert not any(e.startswith("proven:") for e in keras_line["evidence"]), keras_line
    too_new = next(f for f in data["findings"] if f["code"] == "TFD121")
    assert too_new["title"] == "keras 3.15.1 requires Python >=3.11, not 3.9.25"
    assert too_new["fix"] == [
        f"# in {requirements}: require 'keras<3.15.1' instead of what the set asks for"
    ]
    assert "refuse to install this release on Python 3.9" in too_new["why"]

    requirements.write_text("tensorflow>=2.16\nkeras==3.15.1\n", encoding="utf-8")
    data = _check(tfdoctor, "-r", str(requirements), *args, "--format", "json").json()
    assert [f["code"] for f in data["findings"]] == ["TFD121"], "no TFD120: 2.20.0 fits 3.9"
    assert any("keras 3.15.1 requires Python>=3.11" in e for e in data["findings"][0]["evidence"])
    assert data["packages"]["tensorflow"]["version"] == "2.20.0"
    # the set written as the fix says resolves and is clean
    requirements.write_text("tensorflow>=2.16\nkeras<3.15.1\n", encoding="utf-8")
    result = _check(tfdoctor, "-r", str(requirements), *args, "--format", "json")
    assert result.returncode == 0 and result.json()["findings"] == [], result.stdout


@network
def test_a_package_the_set_does_not_name_is_added_not_replaced(
    tfdoctor: Runner, tmp_path: Path
) -> None:
    """TFD103 told a set without TensorFlow to "require tensorflow==2.20.0 instead of what the set
    asks for": the set asks for no TensorFlow, so the line is one to add."""
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("keras==3.15.1\n", encoding="utf-8")
    args = ("--python-version", "3.9", "--platform", "linux", "--arch", "x86_64")
    data = _check(tfdoctor, "-r", str(requirements), *args, "--format", "json").json()
    fixes = {f["code"]: f["fix"] for f in data["findings"]}
    assert fixes["TFD103"] == [f"# in {requirements}: add tensorflow==2.20.0"]
    assert fixes["TFD121"] == [
        f"# in {requirements}: require 'keras<3.15.1' instead of what the set asks for"
    ]
