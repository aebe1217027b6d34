"""Merge the collectors' shards into index.jsonl and draw the train/test split.

The split is drawn once per entry and then frozen: an entry already in index.jsonl keeps its
split forever; new entries (a new shard, matrix failures) are drawn at random, 30 % test,
stratified by label, with a fixed seed. Run: python tests/data/explain-corpus/freeze.py
"""

from __future__ import annotations

import json
import random
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
INDEX = HERE / "index.jsonl"
TEST_SHARE = 0.3
SEED = 20261201
FIELDS = ("id", "label", "url", "source", "resolution", "versions", "shape", "split")


def read_jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def main() -> int:
    frozen = {e["id"]: e for e in read_jsonl(INDEX)} if INDEX.exists() else {}
    new: list[dict[str, object]] = []
    for shard in sorted(HERE.glob("index-*.jsonl")):
        for entry in read_jsonl(shard):
            if entry["id"] not in frozen:
                new.append(entry)
    by_label: dict[str, list[dict[str, object]]] = defaultdict(list)
    for entry in sorted(new, key=lambda e: str(e["id"])):
        by_label[str(entry["label"])].append(entry)
    rng = random.Random(SEED + len(frozen))
    for label in sorted(by_label):
        group = by_label[label]
        rng.shuffle(group)
        n_test = round(len(group) * TEST_SHARE)
        for i, entry in enumerate(group):
            entry["split"] = "test" if i < n_test else "train"
            frozen[str(entry["id"])] = entry
    lines = [
        json.dumps({k: frozen[i][k] for k in FIELDS}, ensure_ascii=False) for i in sorted(frozen)
    ]
    INDEX.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(frozen)} entries ({len(new)} new) in {INDEX.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
