"""check says what is true: a CPU-only TensorFlow has no driver problem, an unparseable
duplicate version does not crash a rule, missing compiled files are seen by default."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import specs
from cli_runner import Runner
from envs import EnvSpec
from tfdoctor.diagnose import diagnose_snapshot
from tfdoctor.snapshot import Snapshot
from tfdoctor.target import RunningProbe, resolve

pytestmark = pytest.mark.realenv


def _probe(env: Path) -> dict[str, object]:
    data: dict[str, object] = RunningProbe(resolve(str(env))).result()
    return data


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param(specs.TF218, [("TFD602", "error")], id="tensorflow uses the GPU"),
        pytest.param(specs.TF218_CPU, [], id="tensorflow-cpu uses none"),
    ],
)
def test_old_nvidia_driver_matters_only_to_a_gpu_build(
    real_env: Callable[[EnvSpec], Path], spec: EnvSpec, expected: list[tuple[str, str]]
) -> None:
    # A machine with an NVIDIA driver 470 (CUDA 11): the probe of the real env, with the driver
    # the probe would read from /proc/driver/nvidia/version on such a machine.
    data = _probe(real_env(spec))
    platform = data["platform"]
    assert isinstance(platform, dict)
    platform["nvidia_driver"] = "470.256.02"
    report = diagnose_snapshot(Snapshot.from_probe(data))
    assert [(f.code, f.severity.value) for f in report.findings] == expected


@pytest.mark.parametrize("read", [True, False], ids=["build read", "snapshot before the read"])
def test_a_driver_matters_not_to_tensorflow_cpu_whether_or_not_its_build_was_read(
    real_env: Callable[[EnvSpec], Path], read: bool
) -> None:
    # tensorflow-cpu's build_info.py says is_cuda_build False; a probe answer from before it was
    # read (no tensorflow_build) falls back to the name. Either way: no driver finding.
    data = _probe(real_env(specs.TF218_CPU))
    platform = data["platform"]
    assert isinstance(platform, dict)
    platform["nvidia_driver"] = "470.256.02"
    if not read:
        del data["tensorflow_build"]
    report = diagnose_snapshot(Snapshot.from_probe(data))
    assert report.findings == ()


def test_cuda_wheel_beside_tensorflow_cpu_on_a_gpu_machine(
    real_env: Callable[[EnvSpec], Path],
) -> None:
    # The real env (tensorflow-cpu 2.21 + nvidia-cuda-runtime-cu12 12.1.105) on a Linux machine
    # with an NVIDIA driver: not TFD601's pins of tensorflow-cpu's and-cuda extra (TensorFlow
    # never loads the wheels), but TFD605, whose fix is the CUDA build of the same release.
    data = _probe(real_env(specs.TF221_CUDA_RUNTIME))
    platform = data["platform"]
    assert isinstance(platform, dict)
    platform["nvidia_driver"] = "550.54.15"
    report = diagnose_snapshot(Snapshot.from_probe(data))
    [found] = report.findings
    assert (found.code, found.cause, found.severity.value) == ("TFD605", "cuda-mismatch", "warning")
    assert found.title == (
        "1 CUDA/cuDNN wheel beside tensorflow-cpu 2.21.0, which is built without CUDA: "
        "TensorFlow never uses it"
    )
    assert found.why.startswith("TensorFlow never uses it: tensorflow-cpu is built without CUDA")
    assert [(r.kind, r.target) for r in found.remedies] == [
        ("uninstall", "tensorflow-cpu"),
        ("install", "tensorflow[and-cuda]==2.21.0"),
    ]
    assert found.fix[0].endswith(" tensorflow-cpu") and "uninstall" in found.fix[0]
    assert found.fix[1].endswith(" 'tensorflow[and-cuda]==2.21.0'")
    assert "for TensorFlow on the CPU only, remove the wheels: " in found.fix_note
    assert found.fix_note.endswith(" nvidia-cuda-runtime-cu12")
    [gpu] = [g.label for g in report.groups if g.group.value == "gpu"]
    assert gpu == "NVIDIA driver 550.54.15; TensorFlow 2.21 is a CPU-only build (tensorflow-cpu)"


def test_cuda_wheel_beside_tensorflow_cpu_with_a_driver_too_old_for_the_cuda_build(
    real_env: Callable[[EnvSpec], Path],
) -> None:
    # Driver 470 runs CUDA 11 only: the CUDA build of TensorFlow 2.21 (CUDA 12.5) would not use
    # the GPU either (TFD602 right after the switch). The fix is the removal of the unused wheel,
    # the note says which driver the switch needs, and fix's plan removes it (no manual switch).
    from tfdoctor.fix.planner import _cuda_beside_cpu_build, _Draft
    from tfdoctor.kb import load
    from tfdoctor.rules.base import Context

    data = _probe(real_env(specs.TF221_CUDA_RUNTIME))
    platform = data["platform"]
    assert isinstance(platform, dict)
    platform["nvidia_driver"] = "470.256.02"
    snapshot = Snapshot.from_probe(data)
    report = diagnose_snapshot(snapshot)
    [found] = report.findings
    assert found.code == "TFD605"
    assert [(r.kind, r.target) for r in found.remedies] == [
        ("uninstall", "nvidia-cuda-runtime-cu12")
    ]
    assert len(found.fix) == 1 and found.fix[0].endswith(" nvidia-cuda-runtime-cu12")
    assert found.fix_note.startswith(
        "For TensorFlow on the GPU (with an NVIDIA driver 525.60.13 or newer: this machine's is "
        "470.256.02), replace tensorflow-cpu with the CUDA build of the same release"
    )
    draft = _Draft()
    _cuda_beside_cpu_build(Context(snapshot, load()), [found], draft)
    assert (draft.uninstall, draft.manual) == ({"nvidia-cuda-runtime-cu12": ["TFD605"]}, [])
    [option] = draft.options
    assert option.effect.startswith(
        "only useful with an NVIDIA driver 525.60.13 or newer: this machine's is 470.256.02"
    )


def test_files_of_a_cuda_build_are_not_called_cpu_only_for_the_name_beside_them(
    real_env: Callable[[EnvSpec], Path],
) -> None:
    # tensorflow-cpu 2.21 and tensorflow 2.21 in one folder (TFD301), tensorflow installed last:
    # the build_info.py `import tensorflow` reads says is_cuda_build True. Whose files they are
    # is unknown, but they are no CPU-only build: the GPU line does not say so, and a driver too
    # old for CUDA 12 is reported (the files load CUDA).
    data = _probe(real_env(specs.TF221_PLUS_TENSORFLOW))
    build = data["tensorflow_build"]
    assert isinstance(build, dict) and build["is_cuda_build"] is True
    report = diagnose_snapshot(Snapshot.from_probe(data))
    [gpu] = [g.label for g in report.groups if g.group.value == "gpu"]
    assert "CPU-only" not in gpu
    assert gpu == "no NVIDIA driver; TensorFlow 2.21 built with CUDA 12.5, cuDNN 9.3"
    platform = data["platform"]
    assert isinstance(platform, dict)
    platform["nvidia_driver"] = "470.256.02"
    report = diagnose_snapshot(Snapshot.from_probe(data))
    assert "TFD602" in {f.code for f in report.findings}


def test_the_build_of_a_tensorflow_metapackage_is_that_of_the_release_it_pins(
    real_env: Callable[[EnvSpec], Path],
) -> None:
    # `tensorflow` on Windows (2.11-2.18) and Linux ARM writes no tensorflow/ folder: it pins
    # tensorflow-intel / tensorflow-cpu-aws, which does. Built here from the real tensorflow-cpu
    # 2.15.1 env: a `tensorflow` 2.15.1 without files that pins it. The build_info.py read is
    # the pinned release's, CPU-only: not 'built with CUDA 12.2', and no TFD602 for driver 470.
    data = _probe(real_env(specs.TF215))
    dists = data["distributions"]
    assert isinstance(dists, list)
    [cpu] = [d for d in dists if d["name"].replace("_", "-") == "tensorflow-cpu"]
    meta = dict(
        cpu,
        name="tensorflow",
        metadata_dir=cpu["metadata_dir"].replace("tensorflow_cpu-", "tensorflow-"),
        requires_dist=[f'tensorflow-cpu=={cpu["version"]}; platform_system == "Linux"'],
        provides_extra=[],
        record_top_level=[],
        record_packages=[],
        record_missing=[],
        record_checked=0,
    )
    dists.insert(0, meta)
    platform = data["platform"]
    assert isinstance(platform, dict)
    platform["nvidia_driver"] = "470.256.02"
    snapshot = Snapshot.from_probe(data)
    report = diagnose_snapshot(snapshot)
    [gpu] = [g.label for g in report.groups if g.group.value == "gpu"]
    assert gpu == "NVIDIA driver 470.256.02; TensorFlow 2.15 is a CPU-only build (tensorflow)"
    assert "TFD602" not in {f.code for f in report.findings}
    [tf] = snapshot.by_name["tensorflow"]
    assert snapshot.build_of(tf) == snapshot.tensorflow_build
    # a `tensorflow` that pins another version, or that writes the folder too, is no metapackage
    # of it: whose the files are is unknown
    meta["requires_dist"] = ["tensorflow-cpu==2.15.0"]
    [tf] = Snapshot.from_probe(data).by_name["tensorflow"]
    assert Snapshot.from_probe(data).build_of(tf) is None


def _copy(env: Path, to: Path) -> Path:
    import subprocess

    subprocess.run(["cp", "-al", str(env), str(to)], check=True)
    return to


def _site(env: Path) -> Path:
    return next(env.glob("lib/python3*/site-packages"))


def test_missing_compiled_library_is_reported_without_v(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    # libtensorflow_framework.so.2 deleted (a cleanup script, a disk quota): every import of
    # TensorFlow fails with a loader error, and check sees it by default.
    env = _copy(real_env(specs.TF221), tmp_path / "env")
    (_site(env) / "tensorflow" / "libtensorflow_framework.so.2").unlink()
    data = tfdoctor("check", "--python", str(env), "--format", "json").json()
    assert [(f["code"], f["group"]) for f in data["findings"]] == [("TFD304", "tensorflow")]
    assert "missing: tensorflow/libtensorflow_framework.so.2" in data["findings"][0]["evidence"]


def test_duplicate_metadata_without_a_version_does_not_crash(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    # A second numpy metadata folder whose METADATA has no valid version (a hand-edited or
    # half-written copy; no installer writes this): TFD302, not "could not complete".
    env = _copy(real_env(specs.TF215), tmp_path / "env")
    site = _site(env)
    current = next(site.glob("numpy-*.dist-info"))
    stale = site / "numpy-unknown.dist-info"
    stale.mkdir()
    for item in current.iterdir():
        text = item.read_bytes()
        if item.name == "METADATA":
            lines = text.decode().splitlines()
            text = "\n".join(
                "Version: unknown" if line.startswith("Version:") else line for line in lines
            ).encode()
        (stale / item.name).write_bytes(text)
    data = tfdoctor("check", "--python", str(env), "--format", "json").json()
    assert [(f["code"], f["severity"]) for f in data["findings"]] == [("TFD302", "error")], data[
        "findings"
    ]


def test_extra_requiring_tensorflow_is_met_by_tensorflow_cpu(
    tfdoctor: Runner, real_env: Callable[[EnvSpec], Path], tmp_path: Path
) -> None:
    # `bar` requires `foo[tf]`, whose extra requires `tensorflow>=2.10`: tensorflow-cpu meets it.
    # (Two metadata-only distributions, written as an installer writes them.)
    env = _copy(real_env(specs.TF221), tmp_path / "env")
    site = _site(env)
    for name, lines in {
        "foo": ["Provides-Extra: tf", 'Requires-Dist: tensorflow>=2.10; extra == "tf"'],
        "bar": ["Requires-Dist: foo[tf]"],
    }.items():
        meta = site / f"{name}-1.0.dist-info"
        meta.mkdir()
        head = ["Metadata-Version: 2.1", f"Name: {name}", "Version: 1.0", *lines]
        (meta / "METADATA").write_text("\n".join(head) + "\n", encoding="utf-8")
        (meta / "INSTALLER").write_text("uv\n", encoding="utf-8")
        (meta / "RECORD").write_text(f"{name}-1.0.dist-info/METADATA,,\n", encoding="utf-8")
    data = tfdoctor("check", "--python", str(env), "--format", "json").json()
    assert data["findings"] == []
