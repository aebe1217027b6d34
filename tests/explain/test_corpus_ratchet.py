"""The ratchet: explain's figures on the corpus's test split never fall below the record.

The record (bench/explain_record.json) is raised with `python bench/explain_corpus.py --record`
as the score rises. Only the totals are compared and shown: per-text results of the test split
are never printed (the corpus rule: tune on train only).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[2] / "bench" / "explain_corpus.py"


def _scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("explain_corpus", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_test_split_does_not_fall_below_the_record() -> None:
    scorer = _scorer()
    record = scorer.read_record()
    now = scorer.score("test").total.figures()
    shown = {k: round(v, 4) for k, v in now.items()}
    assert now["right"] >= record["right"] - 1e-9, (shown, record)
    assert now["negatives_clean"] >= record["negatives_clean"] - 1e-9, (shown, record)
    assert now["wrong"] <= record["wrong"] + 1e-9, (shown, record)


def test_the_corpus_is_as_the_record_says() -> None:
    scorer = _scorer()
    entries = scorer.read_index(["test"])
    recorded = scorer.read_record_file()["entries"]
    assert len(entries) >= recorded  # entries are only ever added to the corpus
    assert all(entry.path.is_file() for entry in entries)


def test_matrix_cells_are_scored_apart_from_the_real_reports() -> None:
    """Failed matrix cells' texts (source `matrix`) join the corpus with their known cause, but
    the splits' figures (and the ratchet above) stay those of real user reports."""
    import json

    from tfdoctor.causes import CAUSES

    scorer = _scorer()
    real = scorer.read_index(["train", "test"])
    cells = scorer.read_index(["train", "test"], matrix=True)
    assert cells and not {e.id for e in real} & {e.id for e in cells}
    assert all(e.id.startswith("x-") and e.label in CAUSES and e.path.is_file() for e in cells)
    index = [json.loads(line) for line in scorer.INDEX.read_text(encoding="utf-8").splitlines()]
    sources = {e["id"]: e["source"] for e in index}
    assert all(sources[e.id] != "matrix" for e in real)
    assert all(sources[e.id] == "matrix" for e in cells)
    for cause in CAUSES:  # every cause has at least 10 real reports
        assert sum(e.label == cause for e in real) >= 10, cause


def test_fresh_scores_only_the_entries_not_yet_frozen(tmp_path: Path) -> None:
    """`--fresh` measures new shards before anyone tunes on them: the entries of index-*.jsonl
    that index.jsonl does not hold yet, real reports only."""
    import json

    scorer = _scorer()
    (tmp_path / "texts").mkdir()
    frozen = {"id": "z-001", "label": "none", "split": "train", "source": "github"}
    (tmp_path / "index.jsonl").write_text(json.dumps(frozen) + "\n", encoding="utf-8")
    shard = [
        frozen,
        {"id": "z-002", "label": "numpy-incompatible", "source": "github"},
        {"id": "x-abc", "label": "numpy-incompatible", "source": "matrix"},
    ]
    (tmp_path / "index-z.jsonl").write_text(
        "".join(json.dumps(e) + "\n" for e in shard), encoding="utf-8"
    )
    text = "AttributeError: _ARRAY_API not found\n"  # NumPy 2 under a TF built for NumPy 1
    (tmp_path / "texts" / "z-002.txt").write_text(text, encoding="utf-8")
    scorer.CORPUS, scorer.INDEX = tmp_path, tmp_path / "index.jsonl"
    assert [e.id for e in scorer.fresh_entries()] == ["z-002"]
    view = scorer.fresh()
    assert view.total.positives == 1 and view.total.right + view.total.silent == 1
