"""The probe writes JSON without the json module; it must be exact for any path or text."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import specs
from envs import EnvSpec, python_of, site_packages

SOURCE = (Path(__file__).parents[1] / "src" / "tfdoctor" / "probe" / "static.py").read_text()


@pytest.fixture(scope="module")
def probe() -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "probe_under_test"}
    exec(compile(SOURCE.replace("\nmain()\n", "\n"), "static.py", "exec"), namespace)
    return namespace


@pytest.mark.parametrize(
    "value",
    [
        "plain",
        'quote " and backslash \\ and tab \t and newline \n and \r and \x00 \x1f',
        "non-ASCII: kéras, ñ, 中文, emoji 🙂",
        "/site-packages/\udcff-surrogate-escaped-name",  # a file name that is not UTF-8
        {"nested": [1, 2.5, True, False, None, ["x", {"y": "z"}]], "": ""},
        [],
        {},
    ],
)
def test_dump_round_trips_through_json(probe: dict[str, Any], value: object) -> None:
    out: list[str] = []
    probe["dump"](value, out)
    text = "".join(out)
    assert text.isascii()
    assert json.loads(text) == value


def test_stack_names(probe: dict[str, Any]) -> None:
    is_stack, norm = probe["is_stack"], probe["norm"]
    for name in ("tensorflow_cpu", "tf_keras", "Keras", "nvidia-cudnn-cu12", "numpy", "ml_dtypes"):
        assert is_stack(norm(name)), name
    for name in ("requests", "six", "tfx-bsl"):
        assert not is_stack(norm(name)), name


def _build_of(probe: dict[str, Any], folder: Path) -> dict[str, Any] | None:
    """What the probe reads of a tensorflow package in ``folder`` (as import_origins finds it)."""
    found: dict[str, Any] | None = probe["tensorflow_build"](
        {"tensorflow": {"locations": [str(folder)]}}
    )
    return found


@pytest.mark.realenv
def test_build_info_of_real_tensorflow_builds(
    probe: dict[str, Any], real_env: Callable[[EnvSpec], Path]
) -> None:
    cpu = _build_of(probe, site_packages(real_env(specs.TF221)) / "tensorflow")
    assert cpu is not None and "error" not in cpu, cpu
    assert (cpu["is_cuda_build"], cpu["is_rocm_build"], cpu["cuda_version"]) == (False, False, None)
    cuda = _build_of(probe, site_packages(real_env(specs.TF218)) / "tensorflow")
    assert cuda is not None and "error" not in cuda, cuda
    assert cuda["is_cuda_build"] is True and cuda["is_rocm_build"] is False
    assert (cuda["cuda_version"], cuda["cudnn_version"]) == ("12.5.1", "9")
    # Uninstalling tensorflow from beside tensorflow-cpu took build_info.py too: unknown.
    gone = site_packages(real_env(specs.TF221_PLUS_TENSORFLOW_UNINSTALLED)) / "tensorflow"
    assert _build_of(probe, gone) == {
        "path": str(gone / "python" / "platform" / "build_info.py"),
        "error": "missing",
    }
    # No tensorflow package to read, or one without a folder: nothing is said.
    read = probe["tensorflow_build"]
    assert read({}) is None and read({"tensorflow": None}) is None
    assert read({"tensorflow": {"origin": "/x/tensorflow.py", "locations": []}}) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the dict literal of older releases
        (
            "build_info = {'cuda_version': '64_112', 'cudnn_version': 8, 'is_cuda_build': True}",
            {
                "is_cuda_build": True,
                "is_rocm_build": None,
                "cuda_version": "64_112",
                "cudnn_version": "8",
            },
        ),
        (
            "build_info = collections.OrderedDict([('is_cuda_build', 1)])",
            {
                "is_cuda_build": None,
                "is_rocm_build": None,
                "cuda_version": None,
                "cudnn_version": None,
            },
        ),
        (
            "build_info = collections.OrderedDict([('is_cuda_build', False),",
            "unparseable: SyntaxError",
        ),
        (
            "build_info = collections.OrderedDict([('is_cuda_build', os.environ)])",
            "unparseable: ValueError",
        ),
        ("build_info = collections.OrderedDict([1, 2])", "unparseable: TypeError"),
        ("build_info = load_build_info()", "no build_info literal"),
        ("import collections\n", "no build_info literal"),
        ("\x00\xff garbage", "unparseable"),
    ],
)
def test_build_info_that_is_not_the_literal_tensorflow_writes(
    probe: dict[str, Any], tmp_path: Path, text: str, expected: object
) -> None:
    # A hand-edited or damaged build_info.py (no installer writes these): never run, never a
    # crash; anything but the literal leaves the build unknown.
    platform = tmp_path / "tensorflow" / "python" / "platform"
    platform.mkdir(parents=True)
    (platform / "build_info.py").write_text(text, encoding="utf-8", errors="surrogateescape")
    found = _build_of(probe, tmp_path / "tensorflow")
    assert found is not None
    if isinstance(expected, str):
        assert found["error"].startswith(expected), found
        assert "is_cuda_build" not in found
    else:
        assert {k: v for k, v in found.items() if k != "path"} == expected


@pytest.mark.realenv
def test_build_info_is_read_on_the_oldest_target_python(
    real_env: Callable[[EnvSpec], Path],
) -> None:
    """The probe runs inside the target: its ast reading works on MIN_TARGET (Python 3.7)."""
    from tfdoctor.target import MIN_TARGET

    assert MIN_TARGET == (3, 7)
    folder = site_packages(real_env(specs.TF218)) / "tensorflow"
    script = (
        SOURCE.replace("\nmain()\n", "\n")
        + f"\nprint(tensorflow_build({{'tensorflow': {{'locations': [{str(folder)!r}]}}}}))\n"
    )
    proc = subprocess.run(
        [python_of(real_env(specs.PY37)), "-I", "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "'is_cuda_build': True" in proc.stdout and "'cuda_version': '12.5.1'" in proc.stdout
