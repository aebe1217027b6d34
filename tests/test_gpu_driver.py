"""TFD602: the NVIDIA driver against the minimum of the CUDA that TensorFlow is built with (the
minimum per CUDA major comes from the knowledge base). The snapshot is a real environment's; only
the driver version, which no installer can make, is set as /proc/driver/nvidia/version would."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import specs
from envs import EnvSpec


@pytest.mark.realenv
@pytest.mark.parametrize(
    ("driver", "too_old"), [("470.82.01", True), ("525.60.13", False), ("550.54.15", False)]
)
def test_driver_minimum_of_the_cuda_tensorflow_is_built_with(
    real_env: Callable[[EnvSpec], Path], driver: str, too_old: bool
) -> None:
    from tfdoctor.diagnose import diagnose_snapshot
    from tfdoctor.target import load_snapshot

    # a GPU build (TFD602 does not apply to tensorflow-cpu): TensorFlow 2.18, CUDA 12.5
    snapshot = load_snapshot(str(real_env(specs.TF218)))
    platform = snapshot.platform._replace(nvidia_driver=driver)
    report = diagnose_snapshot(snapshot._replace(platform=platform), select=["TFD602"])
    found = [f for f in report.findings if f.code == "TFD602"]
    assert bool(found) is too_old, found
    if too_old:
        assert "CUDA 12 needs driver >= 525.60.13" in found[0].evidence
        assert found[0].fix_note == "Update the NVIDIA driver to 525.60.13 or newer."


@pytest.mark.realenv
@pytest.mark.parametrize(("system", "found"), [("Windows", True), ("Linux", False)])
def test_tensorflow_after_2_10_on_native_windows_is_said_to_run_on_the_cpu(
    real_env: Callable[[EnvSpec], Path], system: str, found: bool
) -> None:
    """TFD604, a fact: TensorFlow 2.10 was the last release with GPU support on native Windows.
    The snapshot is a real TensorFlow 2.21 environment's; only the OS, which no installer makes,
    is set as platform.system() would report it."""
    from tfdoctor.diagnose import diagnose_snapshot
    from tfdoctor.finding import Severity
    from tfdoctor.target import load_snapshot

    snapshot = load_snapshot(str(real_env(specs.TF221)))
    platform = snapshot.platform._replace(system=system, sys_platform=system.lower())
    report = diagnose_snapshot(snapshot._replace(platform=platform), select=["TFD604"])
    findings = [f for f in report.findings if f.code == "TFD604"]
    assert bool(findings) is found, findings
    if found:
        [info] = findings
        assert info.severity is Severity.INFO and info.cause == "platform-unsupported"
        assert info.title == (
            "TensorFlow 2.21.0 has no GPU support on native Windows: it runs on the CPU"
        )
        assert "TensorFlow 2.10 was the last release with GPU support on native Windows" in (
            " ".join(info.evidence)
        )
        assert '"tensorflow<2.11"' in info.fix_note and "WSL2" in info.fix_note
        # what TensorFlow 2.10 needs comes from the knowledge base's release facts
        assert '"tensorflow<2.11", Python 3.7-3.10, CUDA 11.2, cuDNN 8.1)' in info.fix_note
    # the GPU section claims no CUDA build, nor a driver it cannot read, on Windows
    [gpu] = [g.label for g in report.groups if g.group.value == "gpu"]
    assert gpu == (
        "the NVIDIA driver is not read on Windows; TensorFlow 2.21 has no GPU build for native "
        "Windows"
        if found
        else "no NVIDIA driver; TensorFlow 2.21 is a CPU-only build (tensorflow-cpu)"
    )


@pytest.mark.realenv
@pytest.mark.parametrize(
    ("spec", "old", "label"),
    [
        (specs.TF221, False, "TensorFlow 2.21 is a CPU-only build (tensorflow-cpu)"),
        (specs.TF218, False, "TensorFlow 2.18 built with CUDA 12.5, cuDNN 9.3"),
        # a snapshot from before build_info.py was read: the name still tells tensorflow-cpu
        (specs.TF221, True, "TensorFlow 2.21 is a CPU-only build (tensorflow-cpu)"),
        (specs.TF218, True, "TensorFlow 2.18 built with CUDA 12.5, cuDNN 9.3"),
    ],
)
def test_gpu_section_says_what_the_build_is(
    real_env: Callable[[EnvSpec], Path], spec: EnvSpec, old: bool, label: str
) -> None:
    """The GPU line follows the build_info.py of the installed TensorFlow: tensorflow-cpu says
    is_cuda_build False, tensorflow (Linux) True with the CUDA it was built with."""
    from tfdoctor.diagnose import diagnose_snapshot
    from tfdoctor.snapshot import Snapshot
    from tfdoctor.target import resolve, run_probe

    data = run_probe(resolve(str(real_env(spec))))
    if old:
        del data["tensorflow_build"]
    snapshot = Snapshot.from_probe(data)
    assert (snapshot.tensorflow_build is None) is old
    report = diagnose_snapshot(snapshot)
    [gpu] = [g.label for g in report.groups if g.group.value == "gpu"]
    assert gpu == f"no NVIDIA driver; {label}"
