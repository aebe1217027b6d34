"""Parsing wheel file names and Requires-Dist lines as the registry writes them."""

from __future__ import annotations

from tfdoctor.kb.refresh import keep_requirement
from tfdoctor.kb.requirements import minor_of, spec_for
from tfdoctor.kb.wheeltags import WheelTags, parse_wheel_filename
from tfdoctor.pep508 import allows
from tfdoctor.pep508 import combine as intersect


def test_wheel_tags() -> None:
    linux = parse_wheel_filename(
        "tensorflow-2.15.1-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
    )
    mac = parse_wheel_filename("tensorflow-2.15.1-cp311-cp311-macosx_12_0_arm64.whl")
    win = parse_wheel_filename("tensorflow-2.15.1-cp39-cp39-win_amd64.whl")
    assert linux is not None and mac is not None and win is not None
    assert linux.pythons == ("3.10",) and linux.platforms == ("linux-x86_64",)
    assert dict(linux.glibc) == {"x86_64": "2.17"}
    merged = WheelTags.merge([linux, mac, win])
    assert merged.pythons == ("3.9", "3.10", "3.11")
    assert merged.platforms == ("linux-x86_64", "macos-arm64", "windows-x86_64")
    pure = parse_wheel_filename("keras-3.6.0-py3-none-any.whl")
    assert pure is not None and pure.pure and pure.pythons == ()
    assert parse_wheel_filename("tensorflow-2.15.1.tar.gz") is None


def test_markers_are_evaluated_per_python() -> None:
    lines = (
        'numpy <2.0.0,>=1.23.5 ; python_version <= "3.11"',
        'numpy <2.0.0,>=1.26.0 ; python_version >= "3.12"',
        "keras >=3.0.0",
        "nvidia-cudnn-cu12 ==8.9.7.29 ; extra == 'and-cuda'",
    )
    assert allows(spec_for(lines, "numpy", "3.11"), "1.24.0")
    assert not allows(spec_for(lines, "numpy", "3.12"), "1.24.0")
    assert spec_for(lines, "nvidia-cudnn-cu12", "3.11") == ""
    assert spec_for(lines, "nvidia-cudnn-cu12", "3.11", extra="and-cuda") == "==8.9.7.29"
    assert spec_for(lines, "Keras", "3.9") == ">=3.0.0"


def test_specifier_helpers() -> None:
    assert not allows(intersect(">=1.23.5", "<2"), "2.0.2")
    assert allows("", "anything-goes")
    assert minor_of("2.23.0.dev20261026") == "2.23"
    assert minor_of("2") == "2.0"
    assert minor_of("nope") is None


def test_which_requirement_lines_refresh_keeps() -> None:
    assert keep_requirement("numpy<2.0.0,>=1.23.5")
    assert keep_requirement('tensorflow>=2.16; extra == "tf"')
    assert keep_requirement("tf-keras >=2.16 ; extra == 'tf'")
    assert keep_requirement("nvidia-cudnn-cu12 ==8.9.7.29 ; extra == 'and-cuda'")
    assert not keep_requirement('pytest>=7.2.0; extra == "dev-tensorflow"')
