"""`tfdoctor matrix`: the grid's expansion, the store, real cells through the local pool and a
local Ray instance, and the API-change table proven in the test suite's own environments."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from envs import build
from specs import TF215, TF221
from tfdoctor.kb import verified
from tfdoctor.lint.api_changes import load_api_data
from tfdoctor.matrix import proofs
from tfdoctor.matrix.executors import run_local, run_ray
from tfdoctor.matrix.runner import probe_existing, run_cell, stable
from tfdoctor.matrix.spec import Cell, Stage, expand, load_grid
from tfdoctor.matrix.store import Store

PYTHONS = {f"3.{m}" for m in range(6, 14)}


@pytest.fixture(scope="module")
def cells() -> list[Cell]:
    return expand(load_grid(), pythons=PYTHONS)


def _of(cells: list[Cell], family: str, minor: str) -> list[Cell]:
    return [c for c in cells if c.family == family and c.tensorflow.startswith(minor + ".")]


def test_grid_covers_every_minor_from_2_6_with_oldest_and_newest_python(cells: list[Cell]) -> None:
    declared = [c for c in cells if c.family == "declared"]
    minors = sorted({tuple(int(p) for p in c.tensorflow.split(".")[:2]) for c in declared})
    assert minors[0] == (2, 6) and (2, 15) in minors and (2, 21) in minors
    assert {c.python for c in _of(cells, "declared", "2.15")} == {"3.9", "3.11"}
    assert {c.python for c in _of(cells, "declared", "2.21")} == {"3.10", "3.13"}
    assert all(c.python != "3.6" for c in cells)  # below min_python: pruned
    assert len({c.key() for c in cells}) == len(cells)


def test_axes_follow_what_tensorflow_declares(cells: list[Cell]) -> None:
    keras = {c.axes[0][1]: c.stages[1].packages for c in _of(cells, "keras-line", "2.15")}
    assert keras["too_old"] == ("keras==2.14.0",)  # TF 2.15 declares keras>=2.15,<2.16
    assert keras["keras2"] == ("keras==2.15.0",)
    protobuf = _of(cells, "protobuf", "2.15")[0]
    assert protobuf.stages[1] == Stage(("protobuf>=5,<6",), no_deps=True)  # declared <5.0.0dev
    assert not _of(cells, "protobuf", "2.20")  # protobuf>=5.28 has no upper bound: pruned
    oldest = [c for c in _of(cells, "numpy", "2.15") if dict(c.axes)["numpy"] == "oldest"]
    assert {c.stages[1].packages for c in oldest} == {("numpy==1.23.5",)}
    assert not _of(cells, "tf-keras", "2.14") and _of(cells, "tf-keras", "2.15")
    same = [c for c in _of(cells, "tf-keras", "2.16") if dict(c.axes)["tf_keras"] == "same"]
    assert same[0].stages[1] == Stage(("tf-keras==2.16.0",), no_deps=True)
    assert {dict(c.settings).get("TF_USE_LEGACY_KERAS") for c in same} == {None, "1"}


def test_variants_replace_the_tensorflow_distribution_of_the_first_stage(
    cells: list[Cell],
) -> None:
    variants = {dict(c.axes)["variant"]: c for c in _of(cells, "variants", "2.21")}
    assert set(variants) == {"tensorflow", "tensorflow[and-cuda]"}
    tf = variants["tensorflow"].tensorflow
    assert variants["tensorflow[and-cuda]"].stages == (Stage((f"tensorflow[and-cuda]=={tf}",)),)
    assert variants["tensorflow"].key() != variants["tensorflow[and-cuda]"].key()
    assert not _of(cells, "variants", "2.19")  # tf_min = 2.20


def test_a_cells_key_is_its_content(cells: list[Cell]) -> None:
    cell = cells[0]
    again = expand(load_grid(), pythons=PYTHONS)[0]
    assert again.key() == cell.key()
    relabelled = Cell("other-family", cell.tensorflow, cell.python, cell.stages)
    assert relabelled.key() == Cell("x", cell.tensorflow, cell.python, cell.stages).key()
    assert Cell("x", cell.tensorflow, cell.python, cell.stages, settings=(("A", "1"),)).key() != (
        relabelled.key()
    )


def test_the_command_lists_the_grid_and_rejects_a_missing_spec(
    tfdoctor: Any, tmp_path: Path
) -> None:
    listed = tfdoctor("matrix", "list", "--family", "declared", "--tf", "2.15",
                      "--store", str(tmp_path / "v.json"))  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    assert "TF 2.15.1 py3.11" in listed.stdout and "2 cells, 0 stored, 2 to do" in listed.stdout
    bad = tfdoctor("matrix", "list", "--grid", str(tmp_path / "none.toml"))
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "no grid spec" in bad.stderr
    # facts and api-report read every stored cell: they offer no selection they would ignore
    for verb in ("facts", "api-report"):
        selected = tfdoctor("matrix", verb, "--tf", "2.15")
        assert selected.returncode == 2 and "unrecognized arguments: --tf 2.15" in selected.stderr
        assert "--limit" not in tfdoctor("matrix", verb, "--help").stdout


# Small real cells: a venv with one small package; `import tensorflow` fails for real.
SMALL = (
    Cell("small", "", "3.12", (Stage(("six==1.16.0",)),)),
    Cell("small", "", "3.12", (Stage(("six==1.16.0",)), Stage(("packaging==24.1",))),
         settings=(("TF_USE_LEGACY_KERAS", "1"),)),
)  # fmt: skip


def test_store_keeps_records_by_key_and_a_rerun_skips_them(tmp_path: Path) -> None:
    store = Store(tmp_path / "verified.json")
    done: list[str] = []

    def keep(cell: Cell, record: dict[str, Any]) -> None:
        store.add(record)
        store.save()
        done.append(cell.key())

    run_local([c for c in SMALL if c.key() not in store], 2, keep)
    assert sorted(done) == sorted(c.key() for c in SMALL)
    again = Store(tmp_path / "verified.json")
    assert set(again.cells) == {c.key() for c in SMALL}
    assert [c for c in SMALL if c.key() not in again] == []
    record = again.cells[SMALL[1].key()]
    assert record["installed"] == {} and record["settings"] == {"TF_USE_LEGACY_KERAS": "1"}
    assert record["failed_at"] == "import tensorflow"
    assert record["error_signature"] == "ModuleNotFoundError: No module named 'tensorflow'"
    assert not list(
        Path(os.environ.get("TMPDIR", "/tmp")).glob(f"tfdoctor-matrix/cell-{SMALL[0].key()}-*")
    )


def test_ray_and_the_local_pool_give_identical_records(monkeypatch: pytest.MonkeyPatch) -> None:
    ray = pytest.importorskip("ray")
    monkeypatch.setenv("RAY_memory_monitor_refresh_ms", "0")
    local: dict[str, dict[str, Any]] = {}
    remote: dict[str, dict[str, Any]] = {}
    run_local(SMALL, 2, lambda c, r: local.__setitem__(c.key(), r))
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        run_ray(SMALL, "local", lambda c, r: remote.__setitem__(c.key(), r))
    finally:
        ray.shutdown()
    assert set(local) == set(remote) == {c.key() for c in SMALL}
    for key in local:
        assert stable(local[key]) == stable(remote[key])


@pytest.mark.realenv
def test_a_real_tensorflow_cell_records_every_step() -> None:
    cell = next(c for c in expand(load_grid(), pythons=PYTHONS)
                if c.family == "tf-keras" and c.tensorflow == "2.21.0" and c.settings
                and dict(c.axes)["tf_keras"] == "same")  # fmt: skip
    record = run_cell(cell)
    assert record["installed"]["tf-keras"] == "2.21.0", record["steps"]
    steps = {s["step"]: s for s in record["steps"]}
    assert steps["resolve tf.keras"]["detail"]["implementation"] == "tf_keras"
    assert steps["smoke test through tf.keras"]["status"] == "ok"
    assert steps["mixed keras + tf.keras model"]["status"] == "fail"  # Keras 3 layer in tf-keras
    assert record["outcome"] == "fail" and record["failed_at"] == "mixed keras + tf.keras model"


def _contradictions(env: Path) -> tuple[list[str], int]:
    record = probe_existing(env)
    assert record["api"], record["steps"]
    results = proofs.verdicts([record])
    bad = [f"{v.change.id}: {v.contradict + v.replacement_fails}" for v in results
           if v.contradict or v.replacement_fails]  # fmt: skip
    return bad, sum(len(v.agree) for v in results)


@pytest.mark.realenv
@pytest.mark.parametrize("spec", [TF215, TF221], ids=["tf215", "tf221"])
def test_every_api_change_holds_in_the_suites_environments(spec: Any) -> None:
    bad, agreeing = _contradictions(build(spec))
    assert bad == []
    # most entries checked, several per impl; those that scripts/keras_exports.py derived from its
    # own runs of keras 2.6-2.15 name releases these two environments do not have
    curated = [c for c in load_api_data().changes if not c.derived_by]
    assert agreeing > len(curated)


def test_the_stored_cells_prove_facts_in_words() -> None:
    records = verified.records()
    if len(records) < 10:
        pytest.skip("verified.json holds no cells yet")
    failing = next(
        r for r in records if r["outcome"] == "fail" and r["failed_at"] == "import tensorflow"
    )
    text = verified.proof(failing["tensorflow"], numpy=failing["installed"]["numpy"])
    assert text is not None and text.startswith("proven: TF ")
    assert "built 20" in text
    assert verified.proof("1.15") is None


def test_api_changes_are_proven_by_the_stored_cells() -> None:
    # the whole store: the API results are left out of the copy the check rules read
    records = [r for r in Store().cells.values() if r.get("api")]
    if not records:
        pytest.skip("verified.json holds no API checks yet")
    bad = [v.change.id for v in proofs.verdicts(records) if v.contradict or v.replacement_fails]
    assert bad == []


def test_verified_json_is_the_documented_schema() -> None:
    data = json.loads((Path(verified.__file__).parent / "data" / "verified.json").read_text())
    assert data["schema"] == 1
    for key, record in data["cells"].items():
        assert record["key"] == key
        assert record["outcome"] in ("pass", "fail")
        assert (record["outcome"] == "fail") == (record["failed_at"] is not None)
        assert record["steps"][0]["step"] == "install"
        assert "/tmp/" not in json.dumps(record["steps"])  # node-local paths are <cell>


CALLS = """
import json, warnings
warnings.simplefilter("ignore")
import tensorflow as tf
keras = tf.keras
out = {}
def outcome(function):
    try:
        function()
        return "ok"
    except Exception as error:  # what the entry claims: the name is there and raises, or is gone
        return type(error).__name__
models = keras.models
out["model_from_yaml"] = outcome(lambda: models.model_from_yaml("a: 1"))
model = keras.Sequential([keras.layers.Input((2,)), keras.layers.Dense(1)])
out["to_yaml"] = outcome(lambda: model.to_yaml())
out["model_from_json"] = outcome(lambda: models.model_from_json(model.to_json()))
print(json.dumps(out))
"""


@pytest.mark.realenv
@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (TF215, {"model_from_yaml": "RuntimeError", "to_yaml": "RuntimeError"}),
        (TF221, {"model_from_yaml": "AttributeError", "to_yaml": "AttributeError"}),
    ],
    ids=["tf215", "tf221"],
)
def test_yaml_entries_raise_when_called_and_their_replacement_works(
    spec: Any, expected: dict[str, str]
) -> None:
    # The two api_changes.json entries a cell's import check cannot prove (the name is still
    # there through Keras 2.15 and raises when called): called for real in the suite's envs.
    import subprocess

    python = build(spec) / "bin" / "python"
    out = subprocess.run(
        [str(python), "-c", CALLS],
        capture_output=True,
        text=True,
        check=True,
        env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"},
    )
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got == {**expected, "model_from_json": "ok"}
    ids = {c.id for c in load_api_data().changes}
    assert {"name:keras.models.model_from_yaml", "method:to_yaml"} <= ids


def test_rerun_builds_stored_cells_again(tmp_path: Path) -> None:
    # after a change to api_changes.json the stored api cells must be run again
    from tfdoctor.commands.matrix import cells_to_build

    store = Store(tmp_path / "verified.json")
    store.add({"key": SMALL[0].key(), "outcome": "pass"})
    assert cells_to_build(list(SMALL), store) == [SMALL[1]]
    assert set(cells_to_build(list(SMALL), store, rerun=True)) == set(SMALL)


def test_the_rules_read_the_cells_without_their_api_results(tmp_path: Path) -> None:
    """verified-cells.json is verified.json without the API results (what the rules read on
    every check): written with it, and the shipped copy is in step with the shipped records."""
    data = Path(verified.__file__).parent / "data"
    full = json.loads((data / "verified.json").read_text(encoding="utf-8"))
    shipped = json.loads((data / verified.CELLS_FILE).read_text(encoding="utf-8"))
    assert shipped == verified.cells_only(full)
    assert all("api" not in r and "steps" in r for r in shipped["cells"].values())
    assert len(verified.records()) == len(full["cells"])

    store = Store(tmp_path / "verified.json")
    store.add({"key": "k1", "outcome": "pass", "api": {"name:x": "ok"}, "steps": []})
    store.save()
    beside = json.loads((tmp_path / verified.CELLS_FILE).read_text(encoding="utf-8"))
    assert beside["cells"] == {"k1": {"key": "k1", "outcome": "pass", "steps": []}}
    assert Store(tmp_path / "verified.json").cells["k1"]["api"] == {"name:x": "ok"}


def test_layers_are_built_with_the_arguments_that_derived_their_keyword_entries() -> None:
    import ast

    from tfdoctor.matrix.runner import LAYER_ARGUMENTS

    script = Path(__file__).resolve().parents[1] / "scripts" / "keras_keywords.py"
    tree = ast.parse(script.read_text(encoding="utf-8"))
    assigned = next(
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.AnnAssign)
        and isinstance(node.target, ast.Name)
        and node.target.id == "_REQUIRED"
    )
    derived = ast.literal_eval(assigned)
    objects = ["dense", "cell", "cells", "identity"]  # built in the script, not JSON
    assert {k: v for k, v in derived.items() if v not in objects} == LAYER_ARGUMENTS
