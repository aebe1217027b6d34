"""The readers behind ``check -r``, on the text forms users write (no network)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tfdoctor.errors import UsageError
from tfdoctor.resolve.conda import conda_spec
from tfdoctor.resolve.conflict import explain
from tfdoctor.resolve.locks import chosen_tags, wheel_tags
from tfdoctor.resolve.platforms import WouldBe, would_be
from tfdoctor.resolve.pyproject import poetry_constraint, poetry_requirement
from tfdoctor.resolve.sources import read_requirements_text


@pytest.mark.parametrize(
    ("poetry", "pep440"),
    [
        ("^2.15", ">=2.15,<3.0"),
        ("^0.3.1", ">=0.3.1,<0.4.0"),
        ("^0.0.3", ">=0.0.3,<0.0.4"),
        ("~1.2.3", ">=1.2.3,<1.3"),
        ("~1", ">=1,<2"),
        ("2.15.1", "==2.15.1"),
        ("2.15.*", "==2.15.*"),
        (">=1.23.5,<2.0.0", ">=1.23.5,<2.0.0"),
        (">=1.23 <2", ">=1.23,<2"),
        ("*", ""),
    ],
)
def test_poetry_constraints(poetry: str, pep440: str) -> None:
    assert poetry_constraint(poetry) == (pep440, "")


def test_poetry_union_keeps_its_first_alternative_and_says_so() -> None:
    spec, note = poetry_constraint("^1.26 || ^2.0")
    assert spec == ">=1.26,<2.0" and "first alternative" in note


def test_poetry_table_entries() -> None:
    line, _ = poetry_requirement(
        "tensorflow", {"version": "^2.16", "extras": ["and-cuda"], "python": "<3.13"}
    )
    assert line == 'tensorflow[and-cuda]>=2.16,<3.0 ; (python_full_version < "3.13")'
    assert poetry_requirement("mylib", {"path": "../mylib"})[0] is None


@pytest.mark.parametrize(
    ("conda", "expected"),
    [
        ("tensorflow=2.15", ("tensorflow", "==2.15.*")),
        ("conda-forge::keras==3.3.3", ("keras", "==3.3.3")),
        ("numpy>=1.26,<2", ("numpy", ">=1.26,<2")),
        ("tensorflow 2.15.*", ("tensorflow", "==2.15.*")),
        ("tensorflow=2.15.0=cpu_py311h6ac8430_0", ("tensorflow", "==2.15.0")),
        ("ml_dtypes", ("ml_dtypes", "")),
    ],
)
def test_conda_match_specs(conda: str, expected: tuple[str, str]) -> None:
    assert conda_spec(conda) == expected


def test_requirements_text_follows_includes_and_keeps_options(tmp_path: Path) -> None:
    (tmp_path / "base.txt").write_text("tensorflow==2.15.1 \\\n  ; sys_platform == 'linux'\n")
    text = "--extra-index-url https://example.org/simple\n-r base.txt\n-c c.txt\nkeras  # pin\n"
    direct, lines = read_requirements_text(text, "req.txt", str(tmp_path))
    assert [r.name for r in direct] == ["tensorflow", "keras"]
    assert direct[0].marker == 'sys_platform == "linux"' and direct[0].origin.endswith("base.txt:1")
    assert lines == [
        "--extra-index-url https://example.org/simple",
        f"-r {tmp_path / 'base.txt'}",
        f"-c {tmp_path / 'c.txt'}",
        "keras",
    ]


def test_per_requirement_options_are_not_part_of_the_requirement(tmp_path: Path) -> None:
    text = (
        "tensorflow==2.15.1 \\\n    --hash=sha256:aaaa \\\n    --hash=sha256:bbbb\n"
        "    # via -r requirements.in\n"
        "keras==2.15.0 --hash=sha256:cccc\n"
        "./pkg --config-settings=editable_mode=compat\n"
    )
    direct, lines = read_requirements_text(text, "req.txt", str(tmp_path))
    assert [(r.name, r.specifier, r.origin) for r in direct[:2]] == [
        ("tensorflow", "==2.15.1", "req.txt:1"),
        ("keras", "==2.15.0", "req.txt:5"),
    ]
    assert lines == ["tensorflow==2.15.1", "keras==2.15.0", str(tmp_path / "pkg")]


def test_a_missing_include_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"req.txt:2: no such file"):
        read_requirements_text("keras\n-r nowhere.txt\n", "req.txt", str(tmp_path))


def test_wheel_tags_pick_what_an_installer_would() -> None:
    names = [
        "tensorflow-2.15.1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "tensorflow-2.15.1-cp311-cp311-macosx_12_0_arm64.whl",
        "tensorflow-2.15.1-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    ]
    assert wheel_tags(names[1]) == ("cp311-cp311-macosx_12_0_arm64",)
    linux311 = WouldBe("3.11.0", "linux", "x86_64")
    assert chosen_tags(names, linux311) == (
        "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",
    )
    # no wheel for 3.12: the ones for this platform, so the rule can name their Pythons
    assert len(chosen_tags(names, WouldBe("3.12.0", "linux", "x86_64"))) == 2


def test_would_be_defaults_to_the_target_and_takes_the_usual_arch_of_another_os() -> None:
    assert would_be(None, None, None, "3.11.7", "Linux", "x86_64") == WouldBe(
        "3.11.7", "linux", "x86_64"
    )
    mac = would_be("3.12", "macos", None, "3.11.7", "Linux", "x86_64")
    # 3.12 is a Python 3.12 in use (a late patch), not 3.12.0, which some releases exclude
    assert mac == WouldBe("3.12.16", "macos", "arm64") and mac.uv_platform == "aarch64-apple-darwin"
    assert mac.markers()["sys_platform"] == "darwin"
    assert would_be("3.9.1", None, None, "3.11.7", "Linux", "x86_64").python == "3.9.1"
    assert would_be("3.99", None, None, "3.11.7", "Linux", "x86_64").python == "3.99.0"


# uv 0.13.9's words, as it printed them for these sets.
KERAS = """error: No solution found when resolving dependencies
  cause: Because tensorflow==2.15.1 depends on keras>=2.15.0,<2.16 and you require tensorflow==2.15.1, we can conclude that you require keras>=2.15.0,<2.16.
         And because you require keras==3.5.0, we can conclude that your requirements are unsatisfiable.
"""
MARKER = """error: No solution found when resolving dependencies
  cause: Because tensorflow-text==2.15.0 depends on tensorflow{platform_machine != 'arm64' or sys_platform != 'darwin'}>=2.15.0,<2.16 and you require tensorflow-text==2.15.0, we can conclude that you require tensorflow>=2.15.0,<2.16.
         And because you require tensorflow==2.16.2, we can conclude that your requirements are unsatisfiable.
"""
ABI = """error: No solution found when resolving dependencies
  cause: Because tensorflow==2.15.1 has no wheels with a matching Python ABI tag (e.g., `cp312`) and you require tensorflow==2.15.1, we can conclude that your requirements are unsatisfiable.

hint: You require CPython 3.12 (`cp312`), but we only found wheels for `tensorflow` (v2.15.1) with the following Python ABI tags: `cp39`, `cp310`, `cp311`
"""
UNREACHABLE = """error: Failed to fetch: `https://__token__:s3cr3t@pkgs.example.org/simple/keras/`
  Caused by: Request failed after 3 retries
  Caused by: error sending request for url (https://__token__:s3cr3t@pkgs.example.org/simple/keras/)
"""


def test_conflicts_in_plain_words() -> None:
    keras = explain(KERAS)
    assert keras.kind == "conflict" and keras.asked == ("keras",)
    assert keras.sentence == (
        "tensorflow 2.15.1 requires keras>=2.15.0,<2.16, but the set asks for keras==3.5.0: "
        "no keras release satisfies both"
    )
    assert set(keras.packages) == {"keras", "tensorflow"}
    marker = explain(MARKER)
    assert marker.sentence.startswith(
        "tensorflow-text 2.15.0 requires tensorflow>=2.15.0,<2.16, but the set asks for "
        "tensorflow==2.16.2"
    )
    abi = explain(ABI)
    assert abi.kind == "python" and abi.packages == ("tensorflow",)
    assert abi.sentence.startswith("tensorflow 2.15.1 has no wheel for this Python (cp312)")


def test_an_unreachable_index_is_not_a_conflict_and_its_token_is_not_repeated() -> None:
    found = explain(UNREACHABLE)
    assert found.kind == "unreachable"
    assert "s3cr3t" not in " ".join(found.details)


NOT_A_PROJECT = """error: `/tmp/work` does not appear to be a Python project, as neither `pyproject.toml` nor `setup.py` are present in the directory
"""
TYPO = """error: No solution found when resolving dependencies
  cause: Because tensorflw was not found in the package registry and you require tensorflw==2.15, we can conclude that your requirements are unsatisfiable.
"""
NEEDS_311 = """error: No solution found when resolving dependencies
  cause: Because the requested Python version (>=3.9.25) does not satisfy Python>=3.11 and keras==3.15.1 depends on Python>=3.11, we can conclude that keras==3.15.1 cannot be used.
         And because you require keras==3.15.1, we can conclude that your requirements are unsatisfiable.
"""


@pytest.mark.parametrize(
    ("message", "why", "way_out"),
    [
        (KERAS, "exclude each other", "Change one side of the conflict"),
        (ABI, "no wheel for this Python", "a release with a wheel"),
        (NEEDS_311, "Requires-Python leaves this Python out", "an older release"),
        (TYPO, "No matching distribution found", "Correct the name"),
        (NOT_A_PROJECT, "uv cannot resolve the set", "Correct what uv's message names"),
    ],
)
def test_an_unresolvable_set_says_what_kind_of_failure_it_is(
    message: str, why: str, way_out: str
) -> None:
    """TFD211 said 'two requirements exclude each other ... Change one side of the conflict' of
    every failure: of `-e .` in a folder without a project, of a misspelt name, of a release
    that supports no Python 3.9."""
    from tfdoctor.resolve.rules import unresolvable

    found = unresolvable(
        explain(message), ["requirements.txt"], WouldBe("3.9.25", "linux", "x86_64")
    )
    assert why in found.why and way_out in found.fix_note, (found.why, found.fix_note)
    if message is not KERAS:
        assert "exclude each other" not in found.why and "conflict" not in found.fix_note
