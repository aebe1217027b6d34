"""The API-change data and the rule pages are complete and well-formed."""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

from packaging.specifiers import SpecifierSet

from tfdoctor.catalog import all_rules
from tfdoctor.lint.api_changes import ApiChange, load_api_data
from tfdoctor.lint.rules import LINT_RULES, select_codes
from tfdoctor.registry import rule_doc


def _kb_data(name: str) -> Any:
    """A data file of the knowledge base (src/tfdoctor/kb/data/NAME), as the package ships it."""
    page = resources.files("tfdoctor").joinpath("kb", "data", name)
    return json.loads(page.read_text("utf-8"))


def _derived_by(script: str) -> list[ApiChange]:
    """The API-table entries that a maintainer script under scripts/ derived."""
    return [c for c in load_api_data().changes if c.derived_by == script]


def test_at_least_60_changes_with_sources() -> None:
    data = load_api_data()
    assert len(data.changes) >= 60
    assert len({c.id for c in data.changes}) == len(data.changes)
    keras3 = [c for c in data.changes if c.package == "keras" and "3" in c.breaks]
    tf2 = [c for c in data.changes if c.package == "tensorflow"]
    assert len(keras3) >= 30 and len(tf2) >= 20
    for change in data.changes:
        assert re.match(
            r"https://(keras\.io|github\.com/(keras-team|tensorflow)/|"
            r"www\.tensorflow\.org/)",
            change.source,
        ), change.id
        assert SpecifierSet(change.breaks), change.id
        assert change.replacement or change.kind == "keyword", change.id
        if change.kind == "name":
            assert change.old.split(".")[0] in ("keras", "tensorflow"), change.id
        if change.renamable and change.kind == "name":
            # a rename must be a dotted name, not prose
            assert re.fullmatch(r"[A-Za-z_][\w.]*", change.replacement), change.id


def test_replacements_read_as_what_to_use() -> None:
    # lint writes "<old> does not exist in ...; use <replacement>": the text names what to use
    for change in load_api_data().changes:
        assert not re.match(r"(?i)(removed|gone|dropped|deleted)\b", change.replacement), change.id


def test_every_lint_rule_registered_with_a_doc_page() -> None:
    registered = {rule.code: rule for rule in all_rules()}
    for rule in LINT_RULES:
        assert registered[rule.code] == rule and rule.kind == "lint"
        doc = rule_doc(rule.code)
        assert doc.startswith(f"# {rule.code} {rule.name}\n"), rule.code
        for section in ("## What it does", "## Why it breaks", "## How to fix", "## Example"):
            assert section in doc, (rule.code, section)


def test_select_codes_prefixes() -> None:
    assert select_codes(["TFD71"], None) == {
        "TFD710",
        "TFD711",
        "TFD712",
        "TFD713",
        "TFD714",
    }
    assert select_codes(None, ["tfd7"]) == frozenset()
    assert select_codes(["TFD1"], None) == frozenset()


def test_entries_derived_from_the_keras_export_probes_say_what_the_probes_saw() -> None:
    # scripts/keras_exports.py wrote them: each breaks exactly in the standalone keras releases
    # where the probe's import failed (src/tfdoctor/kb/data/keras_exports.json)
    from packaging.version import Version

    observed = _kb_data("keras_exports.json")
    derived = _derived_by("scripts/keras_exports.py")
    assert len(derived) >= 50
    for change in derived:
        failed = {
            run["keras"]
            for run in observed["runs"]
            for module, name, _ in run["missing"]
            if (f"{module}.{name}" if name else module) == change.old
        }
        said = {
            run["keras"]
            for run in observed["runs"]
            if Version(run["keras"]) in SpecifierSet(change.breaks)
        }
        assert failed == said, change.id
        keras3 = observed["keras3"]
        # gone in Keras 3 as well, unless a curated entry (of the name or a module above it)
        # says what to use there
        said_by_curated = any(
            (c.old == change.old or change.old.startswith(c.old + "."))
            and c.kind == "name"
            and not c.derived_by
            and c.applies_to("keras")
            and Version(keras3["keras"]) in SpecifierSet(c.breaks)
            for c in load_api_data().changes
        )
        assert (Version(keras3["keras"]) in SpecifierSet(change.breaks)) == (
            not keras3["resolves"][change.old] and not said_by_curated
        ), change.id
        assert change.implementations == ("keras",)  # tf.keras has every one of them


def test_no_two_entries_for_one_name_break_in_one_release() -> None:
    # lint indexes a target's active changes by name, the one read last winning: a derived
    # entry that also breaks where a curated one does (Keras 3) hid the curated advice
    # ("use keras.layers", a rename) behind "tf_keras... under Keras 3"
    from packaging.version import Version

    observed = _kb_data("keras_exports.json")
    releases = [run["keras"] for run in observed["runs"]] + [observed["keras3"]["keras"], "3.0"]
    names = [c for c in load_api_data().changes if c.kind == "name"]
    for impl in ("keras", "tf.keras", "tf_keras"):
        for release in releases:
            active: dict[tuple[str, str], str] = {}
            for change in names:
                if change.applies_to(impl) and Version(release) in SpecifierSet(change.breaks):
                    key = (change.package, change.old)
                    assert key not in active, (impl, release, active[key], change.id)
                    active[key] = change.id


def test_derived_keyword_entries_match_the_layers_built() -> None:
    # scripts/keras_keywords.py wrote them: each keyword was taken by the class in keras 2 and
    # refused by it in every Keras 3 run (src/tfdoctor/kb/data/keras_keywords.json); an entry for
    # all of keras.layers names exactly the classes built that still take it
    observed = _kb_data("keras_keywords.json")
    runs = observed["keras3"]
    refused = set.intersection(*({(c, k) for c, k, _e in run["refused"]} for run in runs))
    built = set.intersection(*(set(run["built"]) for run in runs))
    taken = {(c, k) for c, keywords in observed["keras2"]["classes"].items() for k in keywords}
    derived = _derived_by("scripts/keras_keywords.py")
    assert len(derived) >= 10
    for change in derived:
        assert change.kind == "keyword" and change.breaks == ">=3", change.id
        if change.old == "keras.layers":
            takers = {c for c, k in taken if k == change.keyword} & built
            refusing = {c for c in takers if (c, change.keyword) in refused}
            assert set(change.except_classes) == takers - refusing, change.id
            assert refusing, change.id
        else:
            cls = change.old.rsplit(".", 1)[-1]
            assert (cls, change.keyword) in taken and (cls, change.keyword) in refused, change.id


def test_object_attributes_gone_match_the_runs() -> None:
    # scripts/object_attributes.py: each attribute said gone is in the run of the release that
    # last had it and in no later run that built the kind (kb/data/object_attributes.json)
    from packaging.version import Version

    data = _kb_data("object_attributes.json")
    runs = data["runs"]  # in release order (TensorFlow, then Keras)
    assert len(runs) >= 5
    order = [(Version(r["tensorflow"]), r["keras"]) for r in runs]
    assert [v for v, _ in order] == sorted(v for v, _ in order)
    for kind, facts in data["kinds"].items():
        built = [r for r in runs if "attributes" in r["kinds"].get(kind, {})]
        assert facts["types"] == sorted({r["kinds"][kind]["classes"][0] for r in built}), kind
        for name, gone in facts["gone"].items():
            index = next(
                i
                for i, r in enumerate(built)
                if f"tensorflow {r['tensorflow']} ({r['keras']})" == gone["last_had"]
            )
            assert name in built[index]["kinds"][kind]["attributes"], (kind, name)
            later = built[index + 1 :]
            assert later and all(name not in r["kinds"][kind]["attributes"] for r in later)
    assert "experimental_run_v2" in data["kinds"]["tf.distribute.Strategy"]["gone"]


def _script_set(script: str, name: str) -> frozenset[str]:
    """The frozenset literal a maintainer script under scripts/ assigns to ``name``."""
    import ast
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "scripts" / script
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            call = node.value
            assert isinstance(call, ast.Call) and call.args, name
            return frozenset(ast.literal_eval(call.args[0]))
    raise AssertionError(f"{script} assigns no {name}")


def test_tf1_renames_match_the_api_listed() -> None:
    # scripts/tf1_renames.py: each entry is a name of tensorflow 0.12.1's API that 1.0.1's lacks,
    # and a replacement it renames to is in 1.0.1's API (src/tfdoctor/kb/data/tf1_renames.json)
    observed = _kb_data("tf1_renames.json")
    derived = _derived_by("scripts/tf1_renames.py")
    assert len(derived) >= 20
    for change in derived:
        assert change.old in observed["gone"], change.id
        assert change.breaks == ">=1.0" and change.package == "tensorflow", change.id
        if change.renamable:
            assert change.replacement in observed[
                "kept_with_new_spelling"
            ] or change.old in _script_set("tf1_renames.py", "_SAFE_RENAMES"), change.id
