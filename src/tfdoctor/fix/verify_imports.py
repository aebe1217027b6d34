"""What the verification imports beside the TensorFlow stack: the requested packages a plan moves.

``check --deep`` imports TensorFlow and Keras. A repair that keeps TensorFlow may move another
package the user asked for (jax/jaxlib back to a release for NumPy 1) or the packages it builds
on (NumPy under torch or jax): then that package must still import, or the repair is rolled back.
The candidates are the requested packages (fix/requested.py) whose version the plan changes and
the requested packages that declare a requirement on one it changes. Their import names come from
the distribution's RECORD (top_level.txt otherwise), read by the probe before the fix.
"""

from __future__ import annotations

from collections.abc import Iterable

from tfdoctor.fix.requested import Requested
from tfdoctor.pep508 import canonical
from tfdoctor.snapshot import Distribution, Snapshot

# Imported by check --deep's own steps (probe/runtime.py stack_steps).
STACK_IMPORTS = frozenset({"tensorflow", "keras", "tf_keras"})
MAX_PER_DISTRIBUTION = 3


def import_names(dist: Distribution) -> list[str]:
    """The top-level modules to import for ``dist``: the one named like the distribution when
    it writes one (jax -> jax), else its public top-level modules (a few at most)."""
    public = [
        t for t in dist.top_level if t.isidentifier() and not t.startswith("_") and t != "tests"
    ]
    own = dist.key.replace("-", "_")
    if own in public:
        return [own]
    return sorted(public)[:MAX_PER_DISTRIBUTION]


def moved_imports(
    snap: Snapshot, requested: Requested, changed: Iterable[str], gone: Iterable[str] = ()
) -> list[str]:
    """Import names of the requested packages that the plan changes or that require one it
    changes, TensorFlow's stack and the packages it removes (``gone``) left out (check --deep
    imports the stack anyway)."""
    moved = {canonical(n) for n in changed}
    if not moved:
        return []
    removed = {canonical(n) for n in gone}
    env = dict(snap.markers)
    wanted = set(requested.names) | requested.line_names()
    out: list[str] = []
    for dist in snap.distributions:
        if dist.error or dist.key not in wanted or dist.key in removed:
            continue
        hit = dist.key in moved or any(
            r.name in moved and r.applies(env) for r in dist.requirements()
        )
        if not hit:
            continue
        for name in import_names(dist):
            if name not in STACK_IMPORTS and name not in out:
                out.append(name)
    return out
