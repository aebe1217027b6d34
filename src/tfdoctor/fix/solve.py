"""Solve the whole environment: the alternatives that make every requested package work together.

The first alternative keeps what the intent fixes (the TensorFlow version, the Keras line) and lets
uv move whatever else must move. When it moves a package the user asked for and the intent left
TensorFlow free, a second alternative keeps those packages where they are and lets TensorFlow
move instead. When no alternative exists, the resolver's explanation says why (fix/conflict.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tfdoctor.fix.requested import Requested, find_requested
from tfdoctor.fix.uvsolver import Solved, solve
from tfdoctor.pep508 import allows, canonical
from tfdoctor.rules.base import Context
from tfdoctor.snapshot import Distribution

NEVER = "python_version < '0'"  # an override marker that is never true: drops a requirement


@dataclass(frozen=True)
class Move:
    name: str
    before: str  # "" when not installed before
    after: str

    def __str__(self) -> str:
        return f"{self.name} {self.before or '(new)'} -> {self.after}"


@dataclass(frozen=True)
class Alternative:
    title: str
    tensorflow: str  # the TensorFlow pin it ends with: tensorflow-cpu==2.15.1
    pins: Mapping[str, str]  # the whole resolution
    moves: tuple[Move, ...]
    requested_moved: tuple[str, ...]  # requested packages whose version changes
    gives_up: str
    keeps_intent: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "tensorflow": self.tensorflow,
            "moves": [{"name": m.name, "from": m.before, "to": m.after} for m in self.moves],
            "requested_moved": list(self.requested_moved),
            "gives_up": self.gives_up,
        }


@dataclass
class WholeSolve:
    alternatives: list[Alternative] = field(default_factory=list)
    conflict: str = ""  # plain words when no consistent set exists
    advice: list[str] = field(default_factory=list)  # what to drop or pin
    notes: list[str] = field(default_factory=list)
    offline: bool = False

    def fewest(self) -> int:
        """The alternative that changes the fewest requested packages (the first on a tie)."""
        if not self.alternatives:
            return 0
        return min(
            range(len(self.alternatives)),
            key=lambda i: (len(self.alternatives[i].requested_moved), i),
        )


@dataclass(frozen=True)
class Ask:
    """What the whole solve starts from (from the planner's draft)."""

    uv: str
    variant: str  # the TensorFlow distribution kept
    tf_version: str  # the version the intent ends with
    stack: tuple[str, ...]  # the planner's requirements: TF pin, Keras line, NumPy, protobuf...
    tf_free: bool  # the intent lets TensorFlow move when that keeps requested packages
    removed: frozenset[str] = frozenset()  # distributions the plan uninstalls


def solve_whole(ctx: Context, ask: Ask) -> WholeSolve:
    snap = ctx.snapshot
    requested = find_requested(snap)
    installed = {d.key: d for d in snap.distributions if not d.error and d.key not in ask.removed}
    fixed = {k: d for k, d in installed.items() if _fixed(d)}
    variants = ctx.kb.tf_variants()
    overrides = [f"{n} ; {NEVER}" for n in sorted(variants - {ask.variant}) if n not in fixed]
    overrides += [f"{n} ; {NEVER}" for n in sorted(fixed)]
    preferences = [f"{k}=={d.version}" for k, d in sorted(installed.items()) if k not in fixed]
    asked = _requested_lines(requested, installed, fixed, variants)
    out = WholeSolve(notes=[_source_note(requested), *requested.notes])
    if fixed:
        out.notes.append(
            f"kept as installed (not from the package index): {', '.join(sorted(fixed))}; "
            "their own requirements are part of the solve"
        )

    def run(requirements: list[str]) -> Solved:
        lines = [*requirements, *_fixed_requirements(fixed)]
        solved = solve(ask.uv, snap.python.executable, _dedupe(lines), (), overrides, preferences)
        out.offline = out.offline or solved.offline
        return solved

    first = run([*ask.stack, *asked])
    wanted = set(requested.names) | requested.line_names()
    if first.ok:
        out.alternatives.append(_alternative(ctx, first, installed, wanted, ask, keeps=True))
    if not ask.tf_free:
        if not first.ok:
            _explain(out, first, requested, ask)
            _concrete_pins(out, first, [*ask.stack, *asked], run)
        return out
    moved = out.alternatives[0].requested_moved if out.alternatives else ()
    if first.ok and not moved:
        return out
    # Keep the requested packages where they are (or as the project files ask) and let
    # TensorFlow move to a release that accepts them.
    keep = [f"{n}=={installed[n].version}" for n in moved if n in installed and n not in fixed]
    other = [r for r in asked if canonical(_name(r)) not in set(moved)]
    loose = [ask.variant, *_dependents(ask.stack, ctx), *keep, *other]
    second = run(loose)
    if second.ok:
        second = _with_release_facts(ctx, second, loose, ask, run)
    if second.ok and second.pins.get(ask.variant) != ask.tf_version:
        kept = [f"{n} {installed[n].version}" for n in moved if n in installed]
        out.alternatives.append(
            _alternative(ctx, second, installed, wanted, ask, keeps=False, kept=kept)
        )
    if not out.alternatives:
        _explain(out, first, requested, ask)
        _concrete_pins(out, first, [*ask.stack, *asked], run)
    elif not first.ok:
        from tfdoctor.fix.conflict import describe

        sentence, _ = describe(first.error, requested, ask.variant, ask.tf_free)
        out.notes.append(
            f"keeping {ask.variant} {ask.tf_version} is impossible ({sentence}): the only "
            "consistent set moves TensorFlow"
        )
    return out


def _fixed(dist: Distribution) -> bool:
    """Installed from a URL, a path or another index (a local version label): the package index
    cannot give it back, so it stays as it is."""
    return bool(dist.direct_url) or "+" in dist.version


def _fixed_requirements(fixed: Mapping[str, Distribution]) -> list[str]:
    out = []
    for dist in fixed.values():
        for line in dist.requires_dist:
            marker = line.partition(";")[2]
            name = canonical(_name(line))
            if "extra" not in marker and name not in fixed:
                out.append(line)
    return out


def _requested_lines(
    requested: Requested,
    installed: Mapping[str, Distribution],
    fixed: Mapping[str, Distribution],
    variants: frozenset[str],
) -> list[str]:
    lines = [line for line, _ in requested.lines if canonical(_name(line)) not in fixed]
    named = requested.line_names()
    for name in sorted(requested.names):
        if name in installed and name not in fixed and name not in named and name not in variants:
            lines.append(requested.requirement(name))
    return lines


def _dependents(stack: Sequence[str], ctx: Context) -> list[str]:
    """The installed packages built on TensorFlow the planner asked for (unpinned)."""
    dependents = ctx.kb.dependent_names()
    return [r for r in stack if canonical(_name(r)) in dependents and _name(r) == r]


def _with_release_facts(
    ctx: Context, solved: Solved, loose: list[str], ask: Ask, run: Any
) -> Solved:
    """TensorFlow moved: the knowledge base's Keras/NumPy/protobuf facts of the release it moved
    to must hold too (they narrow what the release declares); solve again with them if not."""
    version = solved.pins.get(ask.variant, "")
    release = ctx.kb.tensorflow(version)
    if release is None:
        return solved
    py = ctx.snapshot.python.minor
    facts = [f"keras{release.keras_requirement}"] if release.keras_requirement else []
    facts += [f"{n}{s}" for n in ("numpy", "protobuf") if (s := release.spec(n, python=py))]
    if all(allows(_spec(f), solved.pins.get(canonical(_name(f)), "0")) for f in facts):
        return solved
    result: Solved = run([*loose, f"{ask.variant}=={version}", *facts])
    return result


def _alternative(
    ctx: Context,
    solved: Solved,
    installed: Mapping[str, Distribution],
    wanted: set[str],
    ask: Ask,
    keeps: bool,
    kept: Sequence[str] = (),
) -> Alternative:
    moves = []
    for name, version in sorted(solved.pins.items()):
        before = installed[name].version if name in installed else ""
        if before != version:
            moves.append(Move(name, before, version))
    tf_after = solved.pins.get(ask.variant, ask.tf_version)
    requested_moved = tuple(
        m.name for m in moves if m.name in wanted and m.before and m.name != ask.variant
    )
    if not keeps:
        requested_moved = (*requested_moved, ask.variant)
    tf_before = installed[ask.variant].version if ask.variant in installed else ""
    if keeps:
        title = f"keep {ask.variant} {ask.tf_version}"
        gave = [
            f"{m.name} {m.before} (moves to {m.after})"
            for m in moves
            if m.name in wanted and m.before and m.name != ask.variant
        ]
        gives_up = ", ".join(gave) if gave else "nothing you asked for"
    else:
        title = f"keep {', '.join(kept)}" if kept else f"move {ask.variant} to {tf_after}"
        gives_up = f"{ask.variant} {tf_before or '(none)'} -> {tf_after}"
        old = ctx.kb.tensorflow(tf_before) if tf_before else None
        new = ctx.kb.tensorflow(tf_after)
        if old is not None and new is not None and old.keras_line != new.keras_line:
            gives_up += (
                f": tf.keras becomes Keras {new.keras_line} (Keras {old.keras_line} code may "
                "need changes: see `tfdoctor lint`)"
            )
    return Alternative(
        title=title,
        tensorflow=f"{ask.variant}=={tf_after}",
        pins=dict(solved.pins),
        moves=tuple(moves),
        requested_moved=requested_moved,
        gives_up=gives_up,
        keeps_intent=keeps,
    )


def _concrete_pins(out: WholeSolve, failed: Solved, lines: list[str], run: Any) -> None:
    """For a requirement that excludes the TensorFlow kept: the release that would fit, found by
    solving again with that requirement left open."""
    from tfdoctor.fix.conflict import asked_in

    for req in asked_in(failed.error)[:3]:
        name = canonical(_name(req))
        if req == name or any(canonical(_name(s)) == name for s in lines[:1]):
            continue
        loose = [line for line in lines if canonical(_name(line)) != name] + [name]
        again: Solved = run(loose)
        if again.ok and name in again.pins:
            out.advice.append(
                f"or pin {name}=={again.pins[name]} instead of {req}: that release fits the rest"
            )


def _explain(out: WholeSolve, failed: Solved, requested: Requested, ask: Ask) -> None:
    from tfdoctor.fix.conflict import describe

    out.conflict, out.advice = describe(failed.error, requested, ask.variant, ask.tf_free)


def _source_note(requested: Requested) -> str:
    sources = sorted(set(requested.names.values()) | {o.split(":")[0] for _, o in requested.lines})
    return "requested packages from: " + (", ".join(sources) or "none found")


def _dedupe(lines: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for line in lines:
        if line not in seen:
            seen.add(line)
            out.append(line)
    return out


def _name(requirement: str) -> str:
    for i, ch in enumerate(requirement):
        if not (ch.isalnum() or ch in "-_."):
            return requirement[:i]
    return requirement


def _spec(requirement: str) -> str:
    name = _name(requirement)
    rest = requirement[len(name) :]
    return rest.split(";", 1)[0].strip()
