"""Score `tfdoctor explain` on the corpus of real error reports (tests/data/explain-corpus).

Each text goes through the real command line path, ``tfdoctor.cli.main(["explain", "--format",
"json", PATH])`` (in process, standard output captured; the same function the console script
calls), and its top finding is compared with the cause the text's thread established.

Per split (``train``, ``test``): for the positives (a cause from causes.md) how often the first
finding names that cause (right), another cause (wrong), or nothing (silent), and how often
explain says it is uncertain (the text alone does not settle the cause: ``"uncertain": true``
with its ``alternatives``). An uncertain answer is neither right nor wrong: it is counted apart,
with how many of them had the right cause first or among the alternatives. For the negatives
(``none``: not an environment fault) how often explain says nothing (clean). The per-cause table
gives the same for each cause.

Usage::

    python bench/explain_corpus.py                 # both splits' totals, train's per-cause table
    python bench/explain_corpus.py --write         # also write the figures into bench/README.md
    python bench/explain_corpus.py --record        # raise bench/explain_record.json to today's test
                                                   # figures where they are better (the ratchet)
    python bench/explain_corpus.py --calibrate     # measure each detector's confidence on train
                                                   # and write it into kb/data/signatures.json
    python bench/explain_corpus.py --misses        # list the train texts explain gets wrong
    python bench/explain_corpus.py --dev           # the dev view: train texts added after the
                                                   # detectors were written (ids m-*, p-*),
                                                   # totals and each text that is not right
    python bench/explain_corpus.py --fresh         # the shards not yet frozen (index-*.jsonl
                                                   # ids missing from index.jsonl), scored
                                                   # before anyone tunes on them

The failed matrix cells' texts (source ``matrix``, tests/data/explain-corpus/matrix.py) are
scored apart, as the rows ``train (matrix cells)`` and ``test (matrix cells)``: the splits' own
figures, the per-cause table and the ratchet are those of the real user reports.

The rule of the corpus: tune on ``train`` only. This script prints the per-cause table of
``train``; that of ``test`` is only written into bench/README.md (``--write``), and per-text
results of ``test`` are never printed.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import re
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "explain-corpus"
INDEX = CORPUS / "index.jsonl"
RECORD = Path(__file__).resolve().parent / "explain_record.json"
README = Path(__file__).resolve().parent / "README.md"
SPLITS = ("train", "test")
DEV_SHARDS = ("m-", "p-")  # train shards collected after the detectors were written
NEGATIVE = "none"
# failed matrix cells' error texts (tests/data/explain-corpus/matrix.py): scored apart, so that
# the figures of the splits stay those of real user reports
MATRIX = "matrix"
BEGIN = "<!-- explain-corpus: begin (written by bench/explain_corpus.py --write) -->"
END = "<!-- explain-corpus: end -->"


@dataclass(frozen=True)
class Entry:
    id: str
    label: str
    split: str
    path: Path


@dataclass(frozen=True)
class Outcome:
    entry: Entry
    cause: str | None  # the first finding's cause, None when explain gave no finding
    exit_code: int
    seconds: float
    uncertain: bool = False  # explain said the text alone does not settle the cause
    alternatives: tuple[str, ...] = ()


@dataclass
class Tally:
    positives: int = 0
    right: int = 0
    wrong: int = 0
    silent: int = 0
    uncertain: int = 0  # positives answered "uncertain": neither right nor wrong
    uncertain_covered: int = 0  # of those, the cause was first or among the alternatives
    negatives: int = 0
    clean: int = 0  # negatives without any finding

    def add(self, outcome: Outcome) -> None:
        if outcome.entry.label == NEGATIVE:
            self.negatives += 1
            self.clean += outcome.cause is None
        else:
            self.positives += 1
            if outcome.cause is None:
                self.silent += 1
            elif outcome.uncertain:
                self.uncertain += 1
                label = outcome.entry.label
                self.uncertain_covered += label == outcome.cause or label in outcome.alternatives
            elif outcome.cause == outcome.entry.label:
                self.right += 1
            else:
                self.wrong += 1

    def share(self, count: int, total: int) -> float:
        return count / total if total else 0.0

    def figures(self) -> dict[str, float]:
        return {
            "right": self.share(self.right, self.positives),
            "wrong": self.share(self.wrong, self.positives),
            "silent": self.share(self.silent, self.positives),
            "uncertain": self.share(self.uncertain, self.positives),
            "negatives_clean": self.share(self.clean, self.negatives),
        }


@dataclass
class Score:
    split: str
    total: Tally = field(default_factory=Tally)
    by_cause: dict[str, Tally] = field(default_factory=dict)
    seconds: float = 0.0
    texts: int = 0
    exit_codes: dict[int, int] = field(default_factory=dict)

    def add(self, outcome: Outcome) -> None:
        self.total.add(outcome)
        self.by_cause.setdefault(outcome.entry.label, Tally()).add(outcome)
        self.seconds += outcome.seconds
        self.texts += 1
        self.exit_codes[outcome.exit_code] = self.exit_codes.get(outcome.exit_code, 0) + 1


def read_index(splits: Iterable[str] = SPLITS, *, matrix: bool = False) -> list[Entry]:
    """The corpus entries of the given splits (only their ids, labels and paths): the real
    reports, or with ``matrix`` the failed matrix cells' texts instead."""
    wanted = set(splits)
    entries = []
    for line in INDEX.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        raw = json.loads(line)
        if raw["split"] in wanted and (raw.get("source") == MATRIX) == matrix:
            path = CORPUS / "texts" / f"{raw['id']}.txt"
            entries.append(Entry(raw["id"], raw["label"], raw["split"], path))
    return entries


def explain_json(path: Path) -> tuple[int, dict[str, object]]:
    """`tfdoctor explain --text-only --format json PATH` through the command line's own entry function."""
    from tfdoctor.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        # the text alone: the scores must not depend on the environment active on this machine
        code = main(["explain", "--text-only", "--format", "json", str(path)])
    return code, json.loads(out.getvalue())


def run_entry(entry: Entry) -> Outcome:
    start = time.perf_counter()
    code, data = explain_json(entry.path)
    seconds = time.perf_counter() - start
    findings = data.get("findings") or []
    assert isinstance(findings, list)
    cause = str(findings[0]["cause"]) if findings else None
    uncertain = bool(data.get("uncertain")) and cause is not None
    raw = data.get("alternatives") or []
    assert isinstance(raw, list)
    return Outcome(entry, cause, code, seconds, uncertain, tuple(str(c) for c in raw))


def score(split: str, *, matrix: bool = False) -> Score:
    result = Score(f"{split} ({MATRIX} cells)" if matrix else split)
    for entry in read_index([split], matrix=matrix):
        result.add(run_entry(entry))
    return result


SIGNATURES = ROOT / "src" / "tfdoctor" / "kb" / "data" / "signatures.json"


def calibrate() -> dict[str, object]:
    """Measure every detector on the training texts: on how many it took part in the ranking
    and on how many of those its cause was the text's; write the counts and the prior (the
    share right over all detectors) into signatures.json. Only ``train`` is read."""
    from tfdoctor.explain import explain_stream
    from tfdoctor.explain.signatures import load_detectors

    detectors = load_detectors()
    causes = {s.id: s.cause for s in detectors.signatures}
    causes.update({f.id: f.cause for f in detectors.families.values()})
    texts: dict[str, int] = {}
    right: dict[str, int] = {}
    entries = read_index(["train"])
    for entry in entries:
        with entry.path.open("rb") as stream:
            result = explain_stream(stream)
        for detector in result.detectors:
            texts[detector] = texts.get(detector, 0) + 1
            right[detector] = right.get(detector, 0) + (causes[detector] == entry.label)
    total = sum(texts.values())
    prior = round(sum(right.values()) / total, 3) if total else 0.5
    data = json.loads(SIGNATURES.read_text(encoding="utf-8"))
    data["calibration"]["texts"] = len(entries)
    data["calibration"]["prior"] = prior
    for entry in [*data["signatures"], *data["families"]]:
        entry["measured"] = {"texts": texts.get(entry["id"], 0), "right": right.get(entry["id"], 0)}
    SIGNATURES.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return {"texts": len(entries), "prior": prior, "detectors that fired": len(texts)}


def crossval(
    folds: int = 5,
    thresholds: Iterable[float] = (0.5, 0.6, 0.7, 0.8),
    strengths: Iterable[float] = (1, 2, 5, 10),
) -> list[str]:
    """Cross-validated figures on train: each fold is ranked with confidences measured on the
    other folds (what the calibration does for texts it has not seen), for several reporting
    thresholds. Only ``train`` is read."""
    import random

    from tfdoctor.explain import explain_stream
    from tfdoctor.explain.signatures import Measured, confidence_of

    entries = read_index(["train"])
    results = {}
    for entry in entries:
        with entry.path.open("rb") as stream:
            results[entry.id] = explain_stream(stream)
    by_label: dict[str, list[Entry]] = {}
    for entry in sorted(entries, key=lambda e: e.id):
        by_label.setdefault(entry.label, []).append(entry)
    fold_of: dict[str, int] = {}
    rng = random.Random(20261201)
    for group in by_label.values():
        rng.shuffle(group)
        for i, entry in enumerate(group):
            fold_of[entry.id] = i % folds
    lines = []
    for threshold, strength in ((t, s) for t in thresholds for s in strengths):
        tally = Tally()
        for k in range(folds):
            texts: dict[str, int] = {}
            right: dict[str, int] = {}
            for entry in entries:
                if fold_of[entry.id] == k:
                    continue
                for c in results[entry.id].candidates:
                    texts[c.detector] = texts.get(c.detector, 0) + 1
                    right[c.detector] = right.get(c.detector, 0) + (c.cause == entry.label)
            prior = sum(right.values()) / max(1, sum(texts.values()))
            calibration = {"prior": prior, "strength": strength}
            for entry in entries:
                if fold_of[entry.id] != k:
                    continue
                best: dict[str, float] = {}
                for c in results[entry.id].candidates:
                    conf = confidence_of(
                        Measured(texts.get(c.detector, 0), right.get(c.detector, 0)), calibration
                    )
                    if conf >= threshold:
                        best[c.cause] = max(best.get(c.cause, 0.0), conf * c.weight)
                top = max(best, key=lambda cause: best[cause]) if best else None
                tally.add(Outcome(entry, top, 0, 0.0))
        f = tally.figures()
        lines.append(
            f"threshold {threshold:.2f}, prior strength {strength:g}: right {_pct(f['right'])}, wrong {_pct(f['wrong'])}, "
            f"silent {_pct(f['silent'])}, negatives clean {_pct(f['negatives_clean'])}"
        )
    return lines


DOCS = ROOT / "src" / "tfdoctor" / "docs" / "rules"
_DOC_LIST = re.compile(r"(## What it does\n\n[^\n]*\n\n)(?:- `[^\n]*\n)+", re.MULTILINE)


def write_rule_docs() -> int:
    """Refresh the detector lists of the explain rules' pages (docs/rules/TFD8xx.md) from
    signatures.json: id, kind, title, measured share and confidence, source."""
    from tfdoctor.explain.rules import CODE_BY_CAUSE
    from tfdoctor.explain.signatures import load_detectors

    load_detectors.cache_clear()
    detectors = load_detectors()
    listed = [("signature", d) for d in detectors.signatures]
    listed += [("family", d) for d in detectors.families.values()]
    written = 0
    for cause, code in CODE_BY_CAUSE.items():
        lines = []
        for kind, d in listed:
            if d.cause != cause:
                continue
            m = d.measured
            lines.append(
                f"- `{d.id}` ({kind}): {d.title} (right on {m.right} of {m.texts} training "
                f"texts, confidence {d.confidence:.2f}; source: {d.source})\n"
            )
        path = DOCS / f"{code}.md"
        text = path.read_text(encoding="utf-8")
        listing = "".join(lines).replace("\\", "\\\\")
        new, count = _DOC_LIST.subn(r"\g<1>" + listing, text, count=1)
        if count != 1:
            raise SystemExit(f"{path}: no detector list after '## What it does'")
        if new != text:
            path.write_text(new, encoding="utf-8")
            written += 1
    return written


def misses(dev_only: bool = False) -> list[str]:
    """The training texts whose first finding is not their cause, or that are uncertain (never
    the test split); only the dev shards' with ``dev_only``."""
    lines = []
    for entry in read_index(["train"]):
        if dev_only and not entry.id.startswith(DEV_SHARDS):
            continue
        outcome = run_entry(entry)
        expected = None if entry.label == NEGATIVE else entry.label
        if outcome.cause != expected or (outcome.uncertain and expected is not None):
            said = outcome.cause or "(nothing)"
            if outcome.uncertain:
                said = f"uncertain: {said}, or {', '.join(outcome.alternatives)}"
            lines.append(f"{entry.id}: {entry.label} -> {said}")
    return lines


def fresh_entries() -> list[Entry]:
    """The entries of the collectors' shards that are not frozen into index.jsonl yet."""
    frozen = {
        json.loads(line)["id"] for line in INDEX.read_text(encoding="utf-8").splitlines() if line
    }
    entries = []
    for shard in sorted(CORPUS.glob("index-*.jsonl")):
        for line in shard.read_text(encoding="utf-8").splitlines():
            raw = json.loads(line) if line.strip() else None
            if raw and raw["id"] not in frozen and raw.get("source") != MATRIX:
                path = CORPUS / "texts" / f"{raw['id']}.txt"
                entries.append(Entry(raw["id"], raw["label"], "fresh", path))
    return entries


def fresh() -> Score:
    """The unseen view: new shards scored before they are frozen and before any detector is
    written against them (their split is not drawn yet, so no per-text result is printed)."""
    result = Score("fresh (not yet frozen)")
    for entry in fresh_entries():
        result.add(run_entry(entry))
    return result


def dev() -> Score:
    """The dev view: the train texts of the shards added after the detectors were written."""
    result = Score("dev (train m-*, p-*)")
    for entry in read_index(["train"]):
        if entry.id.startswith(DEV_SHARDS):
            result.add(run_entry(entry))
    return result


def _pct(value: float) -> str:
    return f"{value * 100:.1f} %"


def totals_table(scores: list[Score]) -> list[str]:
    lines = [
        "| split | positives | top-1 right | wrong | uncertain (cause among its alternatives) "
        "| silent | negatives | negatives with no finding |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in scores:
        t, f = s.total, s.total.figures()
        lines.append(
            f"| {s.split} | {t.positives} | {t.right} ({_pct(f['right'])}) | {t.wrong} "
            f"({_pct(f['wrong'])}) | {t.uncertain} ({_pct(f['uncertain'])}; "
            f"{t.uncertain_covered}) | {t.silent} ({_pct(f['silent'])}) | {t.negatives} | "
            f"{t.clean} ({_pct(f['negatives_clean'])}) |"
        )
    return lines


def cause_table(scores: list[Score]) -> list[str]:
    head = "| cause |" + "".join(
        f" {s.split}: n · right · wrong · uncertain · silent |" for s in scores
    )
    lines = [head, "|---|" + "---:|" * len(scores)]
    causes = sorted({c for s in scores for c in s.by_cause})
    for cause in causes:
        cells = []
        for s in scores:
            t = s.by_cause.get(cause, Tally())
            if cause == NEGATIVE:
                cells.append(f" {t.negatives} · {t.clean} clean · {t.negatives - t.clean} flagged ")
            else:
                cells.append(
                    f" {t.positives} · {t.right} · {t.wrong} · {t.uncertain} · {t.silent} "
                )
        lines.append(f"| `{cause}` |" + "|".join(cells) + "|")
    return lines


def speed_line(scores: list[Score]) -> str:
    texts = sum(s.texts for s in scores)
    seconds = sum(s.seconds for s in scores)
    return (
        f"{texts} texts in {seconds:.2f} s through `tfdoctor.cli.main` in one process: "
        f"{seconds / texts * 1000:.1f} ms per text (the first one also imports the modules)."
    )


def write_readme(scores: list[Score], matrix_scores: list[Score], note: str) -> None:
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    body = [
        BEGIN,
        "## `tfdoctor explain` on the corpus of real error reports",
        "",
        "`python bench/explain_corpus.py --write` runs `tfdoctor explain --format json` (the command",
        "line's own `main`, in process) on every text of `tests/data/explain-corpus/` and compares its",
        "first finding with the cause the text's thread established. Positives: right = the first",
        "finding names that cause, wrong = another cause, silent = no finding. Negatives (`none`: not",
        "an environment fault): clean = no finding at all. The `test` split (30 %, drawn at random",
        "when the corpus was frozen) is never used for tuning; `tests/explain/test_corpus_ratchet.py`",
        "fails when its figures fall below those recorded in `bench/explain_record.json`.",
        "The rows `(matrix cells)` are the error texts of failed `tfdoctor matrix` cells with their",
        "known cause (source `matrix`, `tests/data/explain-corpus/matrix.py`), scored apart from the",
        "real reports: the goal of 90 % right is measured on real reports only.",
        "",
        f"Run of {when}" + (f" ({note})" if note else "") + ":",
        "",
        *totals_table(scores + matrix_scores),
        "",
        "Per cause (`none` = the negatives; real reports):",
        "",
        *cause_table(scores),
        "",
        speed_line(scores + matrix_scores),
        END,
    ]
    text = README.read_text(encoding="utf-8")
    if BEGIN in text and END in text:
        before, rest = text.split(BEGIN, 1)
        after = rest.split(END, 1)[1]
        text = before + "\n".join(body) + after
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(body) + "\n"
    README.write_text(text, encoding="utf-8")


def read_record_file() -> dict[str, object]:
    data: dict[str, object] = json.loads(RECORD.read_text(encoding="utf-8"))
    return data


def read_record() -> dict[str, float]:
    test = read_record_file()["test"]
    assert isinstance(test, dict)
    return {str(k): float(v) for k, v in test.items()}


def _down(value: float) -> float:
    return math.floor(value * 10_000) / 10_000


def _up(value: float) -> float:
    return math.ceil(value * 10_000) / 10_000


def raise_record(test: Score, reset: bool = False) -> dict[str, float]:
    """The record keeps the best figure seen: right and negatives_clean only rise, wrong only
    falls. ``reset`` writes today's figures as they are (a trade accepted on purpose, e.g. more
    right for more wrong: say so in the commit)."""
    now = test.total.figures()
    old = read_record() if RECORD.exists() and not reset else None
    # rounded towards the safe side, so that the figure it was recorded from still passes
    new = {
        "right": _down(now["right"]),
        "wrong": _up(now["wrong"]),
        "negatives_clean": _down(now["negatives_clean"]),
    }
    if old is not None:
        new["right"] = max(new["right"], old["right"])
        new["negatives_clean"] = max(new["negatives_clean"], old["negatives_clean"])
        new["wrong"] = min(new["wrong"], old["wrong"])
    record = {
        "description": "Figures of `tfdoctor explain` on the test split of "
        "tests/data/explain-corpus (bench/explain_corpus.py --record); the test suite fails "
        "when today's right or negatives_clean fall below these, or wrong rises above.",
        "entries": test.texts,
        "test": new,
    }
    RECORD.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return new


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="write the figures to bench/README.md")
    parser.add_argument("--note", default="", help="a word on the run for bench/README.md")
    parser.add_argument(
        "--record", action="store_true", help="raise bench/explain_record.json (the ratchet)"
    )
    parser.add_argument(
        "--reset-record",
        action="store_true",
        help="write today's test figures as the record even where they are worse (a trade)",
    )
    parser.add_argument(
        "--calibrate", action="store_true", help="measure the detectors' confidence on train"
    )
    parser.add_argument("--misses", action="store_true", help="list the train texts missed")
    parser.add_argument(
        "--dev", action="store_true", help="the dev view (train m-*, p-*): totals and misses"
    )
    parser.add_argument(
        "--fresh", action="store_true", help="the shards not yet frozen: totals and per cause"
    )
    parser.add_argument(
        "--crossval", action="store_true", help="5-fold cross-validated figures on train"
    )
    args = parser.parse_args(argv)
    if args.calibrate:
        print(f"calibrated: {calibrate()}")
        print(f"rule pages refreshed: {write_rule_docs()}")
    if args.misses:
        print("\n".join(misses()))
        return 0
    if args.dev:
        print("\n".join(totals_table([dev()])))
        print()
        print("\n".join(misses(dev_only=True)))
        return 0
    if args.fresh:
        view = fresh()
        print("\n".join(totals_table([view])))
        print()
        print("\n".join(cause_table([view])))
        return 0
    if args.crossval:
        print("\n".join(crossval()))
        return 0
    scores = [score(split) for split in SPLITS]
    matrix_scores = [score(split, matrix=True) for split in SPLITS]
    print("\n".join(totals_table(scores + matrix_scores)))
    print()
    print("\n".join(cause_table([s for s in scores if s.split == "train"])))
    print()
    print(speed_line(scores + matrix_scores))
    for s in scores:
        print(f"exit codes on {s.split}: {dict(sorted(s.exit_codes.items()))}")
    if args.write:
        write_readme(scores, matrix_scores, args.note)
        print(f"written to {README.relative_to(ROOT)}")
    if args.record or args.reset_record:
        test = next(s for s in scores if s.split == "test")
        print(f"record: {raise_record(test, reset=args.reset_record)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
