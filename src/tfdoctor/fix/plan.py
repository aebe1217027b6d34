"""What ``tfdoctor fix`` intends to do, as plain values: the plan is shown before anything runs.

A Step names one change (its ``kind``), what it changes (``targets``), why (the finding codes) and
the commands that do it in the installer that manages the environment. ``Plan`` holds the steps
in the order they are applied, the intent they follow, the choices the user did not make and what
could not be resolved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# uninstall | install | reinstall | move | rename | setenv | manual
STEP_KINDS = ("uninstall", "move", "install", "reinstall", "rename", "setenv", "manual")
# Kinds that change files of the environment (and so need the journal and a verification).
CHANGING = frozenset({"uninstall", "move", "install", "reinstall", "rename"})


@dataclass(frozen=True)
class Intent:
    """What the user asked for: which TensorFlow and which Keras to end with."""

    tensorflow: str | None = None  # "2.15": move to the newest 2.15.x for the target's Python
    latest: bool = False  # move to the newest TensorFlow for the target's Python
    keras: int | None = None  # 2: Keras 2 code on TF >= 2.16 through tf-keras; 3: Keras 3
    rename_shadowing: bool = False  # consent to rename files that shadow a package
    choose: int | None = None  # --choose N: the alternative of a whole-environment solve (1-based)

    def describe(self, change: str = "", keras_way: str = "tf-keras") -> str:
        """``change``: what the plan does to TensorFlow when the user named no release ("move
        TensorFlow from 2.15.1 to 2.21.0" for --keras 3 on a Keras 2 TensorFlow); "" keeps it.
        ``keras_way``: how the plan keeps Keras 2 code working for --keras 2 (tf-keras on a
        Keras 3 TensorFlow, the TensorFlow's own Keras 2 on an older one)."""
        if self.latest:
            tf = "move TensorFlow to the newest release for this Python"
        elif self.tensorflow:
            tf = f"move TensorFlow to {self.tensorflow}"
        elif change:
            tf = change
        else:
            tf = "keep the installed TensorFlow and bring the rest in line with it"
        if self.keras == 2:
            return tf + f"; keep Keras 2 code working ({keras_way})"
        if self.keras == 3:
            return tf + "; use Keras 3"
        return tf


@dataclass(frozen=True)
class Step:
    kind: str
    targets: tuple[str, ...]
    reason_codes: tuple[str, ...]
    commands: tuple[str, ...]
    note: str = ""
    # Where a move/rename goes: pairs (source, destination).
    moves: tuple[tuple[str, str], ...] = ()
    # For setenv: (name, value); value "" means unset.
    variables: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in STEP_KINDS:
            raise ValueError(f"unknown step kind {self.kind!r}")

    @property
    def changes_files(self) -> bool:
        return self.kind in CHANGING

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "targets": list(self.targets),
            "reasons": list(self.reason_codes),
            "commands": list(self.commands),
        }
        if self.note:
            out["note"] = self.note
        if self.moves:
            out["moves"] = [{"from": a, "to": b} for a, b in self.moves]
        if self.variables:
            out["variables"] = dict(self.variables)
        return out


@dataclass(frozen=True)
class Option:
    """A choice the user did not make: the flag that picks it and what it costs."""

    flag: str
    effect: str

    def to_json(self) -> dict[str, str]:
        return {"flag": self.flag, "effect": self.effect}


@dataclass(frozen=True)
class Plan:
    python: str  # the target interpreter
    prefix: str  # the environment's folder (sys.prefix)
    tool: str  # uv | pip: what applies the installs
    installer: str  # uv | pip | poetry | conda: whose commands are shown
    intent: Intent
    steps: tuple[Step, ...]
    tensorflow: str = ""  # the TensorFlow pin the plan ends with ("tensorflow-cpu==2.15.1")
    # What happens to the installed TensorFlow when the plan does not keep it, in words.
    tensorflow_change: str = ""
    requirements: tuple[str, ...] = ()  # what was handed to the resolver
    options: tuple[Option, ...] = ()
    unresolved: tuple[str, ...] = ()  # why versions could not be chosen
    notes: tuple[str, ...] = ()  # what the plan decided on its own, in words
    findings: tuple[str, ...] = ()  # codes of the findings the plan answers
    final_pins: tuple[str, ...] = field(default=(), compare=False)  # for --into
    # A whole-environment solve (fix/whole.py): the alternatives and the one the steps follow.
    alternatives: tuple[Any, ...] = field(default=(), compare=False)
    chosen: int = 0
    whole: Any = field(default=None, compare=False, repr=False)
    # Modules the verification imports beside TensorFlow: requested packages the plan moves.
    verify_imports: tuple[str, ...] = ()
    # How --keras 2 is kept working, in words: "tf-keras", or the TensorFlow's own Keras 2.
    keras_way: str = "tf-keras"

    def describe_intent(self) -> str:
        return self.intent.describe(self.tensorflow_change, self.keras_way)

    @property
    def changes(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.changes_files)

    @property
    def manual(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.kind == "manual")

    @property
    def environ(self) -> dict[str, str]:
        """The variables the setenv steps ask for ("" = unset)."""
        out: dict[str, str] = {}
        for step in self.steps:
            if step.kind == "setenv":
                out.update(dict(step.variables))
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "python": self.python,
            "prefix": self.prefix,
            "tool": self.tool,
            "installer": self.installer,
            "intent": self.describe_intent(),
            "tensorflow": self.tensorflow,
            "requirements": list(self.requirements),
            "steps": [s.to_json() for s in self.steps],
            "options": [o.to_json() for o in self.options],
            "unresolved": list(self.unresolved),
            "notes": list(self.notes),
            "findings": list(self.findings),
            "alternatives": [a.to_json() for a in self.alternatives],
            "chosen": self.chosen + 1 if self.alternatives else None,
            "verify_imports": list(self.verify_imports),
        }
