"""The detectors' data: tfdoctor/kb/data/signatures.json, loaded and checked once.

Two kinds of detector, each naming one root cause, with why it happens, the fix as command
templates, the public source that explains it and a verbatim real message (``example``):

* ``signatures``: a regular expression that finds one known message (``pattern``), optionally with
  a ``context`` expression that the lines before it (back to the start of its traceback) must
  match. Every repetition in a pattern is bounded (``{m,n}``), so that a crafted 4,096-character
  line costs linear time, and every pattern holds a literal (its ``needles``) that a line must
  contain before the expression is tried.
* ``families``: what :mod:`tfdoctor.explain.families` finds by looking up what a message names
  (a missing module or attribute, a resolver line, the versions a text states); the code decides
  when a family applies, the data says what it means.

A detector's confidence is measured, not set: ``measured`` counts the training texts of the
corpus (tests/data/explain-corpus, split ``train``) on which the detector fired and how many of
them had its cause; ``calibration`` holds the prior that small counts are pulled towards.
``python bench/explain_corpus.py --calibrate`` recomputes both.

The file is read with importlib.resources from the ``tfdoctor`` package; this module does not
import ``tfdoctor.kb`` so that explain starts without the knowledge base.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from dataclasses import dataclass
from importlib import resources
from typing import Any

from tfdoctor.causes import check_cause
from tfdoctor.explain.facts import KNOWN_PLACEHOLDERS, placeholders_of
from tfdoctor.finding import Severity

if sys.version_info >= (3, 11):
    from re import _constants as sre_constants
    from re import _parser as sre_parse
else:  # pragma: no cover - the same module under its old name
    import sre_constants
    import sre_parse

DATA_PARTS: tuple[str, ...] = ("kb", "data", "signatures.json")
_REPEATS = tuple(
    getattr(sre_constants, name)
    for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")  # the last: Python >= 3.11
    if hasattr(sre_constants, name)
)
MIN_NEEDLE = 3
MAX_REPEAT = 400


@dataclass(frozen=True)
class Measured:
    texts: int  # training texts it fired on
    right: int  # of those, texts whose cause was the detector's


@dataclass(frozen=True)
class Detector:
    id: str
    cause: str
    title: str
    confidence: float  # measured on the corpus's training part (see module doc)
    measured: Measured
    severity: Severity
    why: str
    fix: tuple[tuple[str, ...], ...]  # each step: alternatives, the first fully known is used
    fix_note: str
    source: str
    example: str
    example_source: str
    generic: bool  # a fallback: set aside when a more specific detector matched in the text
    # causes the same message is also established as (the message alone cannot tell them apart):
    # a diagnosis resting on it alone is "uncertain", with these as the alternatives
    ambiguous_with: tuple[str, ...]
    ambiguous_why: str


@dataclass(frozen=True)
class Signature(Detector):
    pattern: re.Pattern[str]
    context: re.Pattern[str] | None
    needles: tuple[str, ...]  # one of them is in every line the pattern can match

    def matches(self, norm: str) -> bool:
        return any(needle in norm for needle in self.needles) and bool(self.pattern.search(norm))


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: loaded once
class Detectors:
    signatures: tuple[Signature, ...]
    families: dict[str, Detector]
    layout: dict[str, frozenset[str]]  # keras.src modules of one Keras major only: keras2 / keras3
    tf_core: frozenset[str]  # names every TensorFlow 2.x has at its top level
    saved_keys: frozenset[str]  # keys of a saved model's config that only another Keras writes
    by_word: dict[str, tuple[int, ...]]  # a word inside a needle -> its signatures (indexes)
    always: frozenset[int]  # signatures without such a word: tried on every line
    # TensorFlow internals that some Keras release imports (knowledge.keras_tf_internals,
    # written by `python -m tfdoctor.kb keras-internals`)
    keras_internals: frozenset[str] = frozenset()
    # the ops TensorFlow itself registers (knowledge.tf_core_ops, `python -m tfdoctor.kb tf-ops`)
    tf_core_ops: frozenset[str] = frozenset()
    # classes and functions Keras itself defines in its serialisable kinds (layers, initializers,
    # optimizers, losses...), any release (knowledge.keras_builtin_names)
    keras_builtins: frozenset[str] = frozenset()
    # functions and classes of Keras's backend and utils modules, any release
    # (knowledge.keras_helper_names)
    keras_helpers: frozenset[str] = frozenset()

    def family(self, family_id: str) -> Detector:
        return self.families[family_id]

    def candidates(self, norm: str) -> list[Signature]:
        """The signatures whose needle words the line holds (in data order), the only ones
        worth trying: a dictionary lookup per word of the line instead of a search per
        signature."""
        found = set(self.always)
        by_word = self.by_word
        for word in set(WORD.findall(norm)):
            hit = by_word.get(word)
            if hit:
                found.update(hit)
        signatures = self.signatures
        return [signatures[i] for i in sorted(found)]


WORD = re.compile(r"\w+")


def _needle_words(needles: tuple[str, ...]) -> tuple[str, ...] | None:
    """For each needle its longest word that does not touch the needle's ends (so it is a whole
    word in every line that holds the needle); None when a needle has none."""
    words = []
    for needle in needles:
        inner = [
            m.group() for m in WORD.finditer(needle) if m.start() > 0 and m.end() < len(needle)
        ]
        if not inner:
            return None
        words.append(max(inner, key=len))
    return tuple(words)


def _dispatch(
    signatures: tuple[Signature, ...],
) -> tuple[dict[str, tuple[int, ...]], frozenset[int]]:
    by_word: dict[str, list[int]] = {}
    always: set[int] = set()
    for index, signature in enumerate(signatures):
        words = _needle_words(signature.needles)
        if words is None:
            always.add(index)
            continue
        for word in set(words):
            by_word.setdefault(word, []).append(index)
    return {w: tuple(s) for w, s in by_word.items()}, frozenset(always)


def _compile(entry_id: str, field: str, text: str) -> re.Pattern[str]:
    try:
        return re.compile(text)
    except re.error as exc:
        raise ValueError(f"signature {entry_id}: bad {field} regex: {exc}") from exc


def unbounded_repeats(pattern: str) -> list[str]:
    """The repetitions of a pattern without an upper bound (or above MAX_REPEAT)."""
    found: list[str] = []

    def walk(items: Any) -> None:
        for op, arg in items:
            if op in _REPEATS:
                low, high, sub = arg
                if high is sre_constants.MAXREPEAT or high > MAX_REPEAT:
                    found.append(f"{{{low},}}")
                walk(sub)
            elif op == sre_constants.SUBPATTERN:
                walk(arg[-1])
            elif op == sre_constants.BRANCH:
                for branch in arg[1]:
                    walk(branch)
            elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
                walk(arg[1])

    walk(sre_parse.parse(pattern))
    return found


def needles_of(pattern: str) -> tuple[str, ...] | None:
    """Literals one of which every match contains: the longest literal run of the pattern, or
    one per branch of a top-level alternation. None when there is none of MIN_NEEDLE chars."""

    def of(items: Any) -> tuple[str, ...] | None:
        best: tuple[str, ...] | None = None
        run = ""
        runs: list[str] = []
        groups: list[Any] = []
        for op, arg in items:
            if op == sre_constants.LITERAL:
                run += chr(arg)
                continue
            runs.append(run)
            run = ""
            if op == sre_constants.SUBPATTERN:
                groups.append(arg[-1])
            elif op == sre_constants.BRANCH:
                branches = [of(branch) for branch in arg[1]]
                if all(branches):
                    joined = tuple(n for b in branches if b for n in b)
                    groups.append(joined)
            elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and arg[0] >= 1:
                groups.append(arg[2])
        runs.append(run)
        longest = max(runs, key=len)
        if len(longest) >= MIN_NEEDLE:
            best = (longest,)
        for group in groups:
            found = group if isinstance(group, tuple) else of(group)
            if found and (best is None or min(map(len, found)) > min(map(len, best))):
                best = found
        return best

    return of(sre_parse.parse(pattern))


def _fix_steps(entry_id: str, raw: list[Any]) -> tuple[tuple[str, ...], ...]:
    steps: list[tuple[str, ...]] = []
    for step in raw:
        alternatives = (step,) if isinstance(step, str) else tuple(step)
        unknown = placeholders_of(alternatives) - KNOWN_PLACEHOLDERS
        if unknown:
            raise ValueError(f"signature {entry_id}: unknown placeholders {sorted(unknown)}")
        if placeholders_of(alternatives[-1:]) - {"pip"}:
            raise ValueError(
                f"signature {entry_id}: the last alternative of a fix must need no facts"
            )
        steps.append(alternatives)
    return tuple(steps)


def confidence_of(measured: Measured, calibration: dict[str, Any]) -> float:
    """How often the detector's cause was right, pulled towards the prior for small counts."""
    prior = float(calibration["prior"])
    strength = float(calibration["strength"])
    return (measured.right + strength * prior) / (measured.texts + strength)


def _detector_fields(entry: dict[str, Any], calibration: dict[str, Any]) -> dict[str, Any]:
    entry_id = str(entry["id"])
    for field in ("source", "example", "example_source", "why", "title"):
        if not entry.get(field):
            raise ValueError(f"signature {entry_id}: {field} is empty")
    if "confidence" in entry:
        raise ValueError(f"signature {entry_id}: confidence is measured, not set (`measured`)")
    raw = entry.get("measured") or {"texts": 0, "right": 0}
    measured = Measured(int(raw["texts"]), int(raw["right"]))
    if not 0 <= measured.right <= measured.texts:
        raise ValueError(f"signature {entry_id}: measured right outside 0..texts")
    return {
        "id": entry_id,
        "cause": check_cause(str(entry["cause"])),
        "title": str(entry["title"]),
        "confidence": round(confidence_of(measured, calibration), 3),
        "measured": measured,
        "severity": Severity(entry.get("severity", "error")),
        "why": str(entry["why"]),
        "fix": _fix_steps(entry_id, list(entry.get("fix", []))),
        "fix_note": str(entry.get("fix_note", "")),
        "source": str(entry["source"]),
        "example": str(entry["example"]),
        "example_source": str(entry["example_source"]),
        "generic": bool(entry.get("generic", False)),
        **_ambiguity(entry_id, entry),
    }


def _ambiguity(entry_id: str, entry: dict[str, Any]) -> dict[str, Any]:
    raw = entry.get("ambiguous_with")
    if raw is None:
        return {"ambiguous_with": (), "ambiguous_why": ""}
    causes = tuple(check_cause(str(c)) if c != "none" else "none" for c in raw["causes"])
    why = str(raw.get("why", ""))
    if not causes or not why or entry["cause"] in causes:
        raise ValueError(f"signature {entry_id}: ambiguous_with needs other causes and a why")
    return {"ambiguous_with": causes, "ambiguous_why": why}


def parse_signature(entry: dict[str, Any], calibration: dict[str, Any]) -> Signature:
    entry_id = str(entry["id"])
    pattern = str(entry["pattern"])
    context = entry.get("context")
    for field, text in (("pattern", pattern), ("context", context)):
        if text and unbounded_repeats(str(text)):
            raise ValueError(f"signature {entry_id}: unbounded repetition in {field}; use {{m,n}}")
    needles = needles_of(pattern)
    if not needles:
        raise ValueError(f"signature {entry_id}: the pattern has no literal to look for")
    return Signature(
        **_detector_fields(entry, calibration),
        pattern=_compile(entry_id, "pattern", pattern),
        context=_compile(entry_id, "context", str(context)) if context else None,
        needles=needles,
    )


def read_data() -> dict[str, Any]:
    path = resources.files("tfdoctor")
    for part in DATA_PARTS:
        path = path.joinpath(part)
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@functools.lru_cache(maxsize=1)
def load_detectors() -> Detectors:
    data = read_data()
    calibration = data["calibration"]
    signatures = tuple(parse_signature(entry, calibration) for entry in data["signatures"])
    families = {
        str(entry["id"]): Detector(**_detector_fields(entry, calibration))
        for entry in data["families"]
    }
    ids = [s.id for s in signatures] + [entry["id"] for entry in data["families"]]
    if len(ids) != len(set(ids)):
        raise ValueError("signatures.json: duplicate detector ids")
    knowledge = data["knowledge"]
    layout = {
        major: frozenset(knowledge["keras_src_layout"][major]) for major in ("keras2", "keras3")
    }
    by_word, always = _dispatch(signatures)
    tf_core = frozenset(knowledge["tf_core_names"]["names"])
    saved_keys = frozenset(knowledge["saved_config_keys"]["names"])

    def names(key: str) -> frozenset[str]:
        return frozenset(knowledge.get(key, {}).get("names", ()))

    return Detectors(
        signatures,
        families,
        layout,
        tf_core,
        saved_keys,
        by_word,
        always,
        names("keras_tf_internals"),
        names("tf_core_ops"),
        names("keras_builtin_names"),
        names("keras_helper_names"),
    )


def load_signatures() -> tuple[Signature, ...]:
    return load_detectors().signatures
