"""The planner's hook into the whole-environment solve.

The planner first asks the resolver only for what its findings need (fast: a one-package repair
stays one resolution). That answer is then checked against every installed package that it does
not change: when each of their declared requirements still holds, the set is consistent and the
installs can run with ``--no-deps``. When one would break (jax needs NumPy 2, the plan installs
NumPy 1.26), the whole environment is solved at once (fix/solve.py) and the alternative chosen
becomes the install step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tfdoctor.errors import UsageError
from tfdoctor.fix.plan import Intent
from tfdoctor.fix.resolver import Resolution, Tool
from tfdoctor.fix.solve import Alternative, Ask, WholeSolve, solve_whole
from tfdoctor.rules.base import Context


@dataclass
class Settled:
    """What the whole solve decided for the plan."""

    resolution: Resolution
    tensorflow: str = ""  # "" = the planner's own pin
    whole: WholeSolve | None = None
    chosen: int = 0  # index into whole.alternatives
    unresolved: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def breaks(ctx: Context, changed: Mapping[str, str], removed: set[str]) -> list[str]:
    """Declared requirements of the packages a plan leaves alone that its changes would break
    (and that hold now): ``jax 0.10.2 requires numpy>=2.0; the plan installs numpy 1.26.4``."""
    snap = ctx.snapshot
    env = dict(snap.markers)
    now = {d.key: d.version for d in snap.distributions if not d.error}
    variants = ctx.kb.tf_variants()
    # A requirement on `tensorflow` is met by the variant the plan keeps (same `import tensorflow`).
    kept_variant = any(
        d.key in variants and d.key not in removed for d in snap.distributions
    ) or any(n in variants for n in changed)
    out = []
    for dist in snap.distributions:
        if dist.error or dist.key in changed or dist.key in removed:
            continue
        for req in dist.requirements():
            name = req.name
            if name not in changed and name not in removed:
                continue
            if name in variants and name in removed and name not in changed and kept_variant:
                continue
            if not req.applies(env) or (name in now and not req.allows(now[name])):
                continue
            if name in removed and name not in changed:
                out.append(f"{dist.key} {dist.version} requires {req.line}; the plan removes it")
            elif not req.allows(changed[name]):
                out.append(
                    f"{dist.key} {dist.version} requires {name}{req.specifier}; the plan installs "
                    f"{name} {changed[name]}"
                )
    return out


def settle(
    ctx: Context,
    tool: Tool,
    intent: Intent,
    variant: str,
    tf_version: str,
    tf_moved: bool,
    stack: list[str],
    removed: set[str],
    first: Resolution,
    prior: WholeSolve | None = None,
    soft: tuple[str, ...] = (),
) -> Settled | None:
    """None when the planner's own resolution is consistent with the rest of the environment.
    ``soft``: the pins the planner added to keep the packages that require a stack package where
    they are; when its resolution fails with them, the whole solve (which may move them) runs."""
    if not first.ok:
        if not soft or "No solution found" not in first.error:
            return None  # the planner says why (an unreachable index, its own requirements)
        broken = [f"{', '.join(soft)} cannot stay with the versions the repair needs"]
    else:
        broken = breaks(ctx, dict(first.installs), removed)
    if not broken:
        return None
    if tool.kind != "uv":
        return None  # pip cannot solve for a whole environment without installing
    tf_free = not (intent.tensorflow or intent.latest or intent.keras or tf_moved)
    whole = prior or solve_whole(
        ctx, Ask(tool.uv, variant, tf_version, tuple(stack), tf_free, frozenset(removed))
    )
    notes = [f"solved for the whole environment: {broken[0]}", *whole.notes]
    if whole.offline:
        notes.append("the package index was unreachable: versions come from uv's cache")
    if not whole.alternatives:
        reason = whole.conflict or "uv found no consistent set for the whole environment"
        unresolved = [reason, *(f"to repair: {a}" for a in whole.advice)]
        return Settled(Resolution(), whole=whole, unresolved=unresolved, notes=notes)
    chosen = _choice(intent, whole)
    alt = whole.alternatives[chosen]
    if not alt.keeps_intent:
        notes.append(f"this alternative ({alt.title}) moves TensorFlow: {alt.gives_up}")
    return Settled(
        resolution=to_resolution(alt, ctx),
        tensorflow=alt.tensorflow,
        whole=whole,
        chosen=chosen,
        notes=notes,
    )


def _choice(intent: Intent, whole: WholeSolve) -> int:
    if intent.choose is not None:
        count = len(whole.alternatives)
        if not 1 <= intent.choose <= count:
            raise UsageError(f"--choose {intent.choose}: this plan has alternatives 1 to {count}")
        return intent.choose - 1
    return whole.fewest()


def to_resolution(alt: Alternative, ctx: Context) -> Resolution:
    """The alternative as the install step's changes: every pin that differs from what is
    installed (the whole set was resolved as one, so ``--no-deps`` holds)."""
    installed = {d.key: d.version for d in ctx.snapshot.distributions if not d.error}
    installs = tuple((m.name, m.after) for m in alt.moves)
    removes = tuple((m.name, installed[m.name]) for m in alt.moves if m.name in installed)
    return Resolution(installs, removes)
