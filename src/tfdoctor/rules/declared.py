"""Declared requirements of every installed distribution, checked like ``pip check`` and more.

Differences from ``pip check``, each deliberate:
- markers are evaluated in the *target's* environment, whatever interpreter tfdoctor runs in;
- a requirement ``pkg[extra]`` also checks the requirements of ``pkg``'s extra;
- a requirement on ``tensorflow`` is met by any TensorFlow variant that provides the same import
  package (``tensorflow-cpu``, ``tensorflow-intel``...), which pip reports as missing;
- pre-releases satisfy specifiers, as in pip.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from tfdoctor.pep508 import Req, canonical
from tfdoctor.snapshot import Distribution, Snapshot

if TYPE_CHECKING:
    from tfdoctor.kb import KnowledgeBase


class Violation(NamedTuple):
    requirer: Distribution
    requirement: Req
    installed: Distribution | None  # None: the requirement is not installed at all
    extra: str = ""  # set when the requirement comes from an extra another package asked for
    provided_by: str = ""  # the variant that stands in for the required name (tensorflow-cpu...)

    @property
    def missing(self) -> bool:
        return self.installed is None

    @property
    def name(self) -> str:
        return canonical(self.requirement.name)

    def describe(self) -> str:
        via = f" (extra [{self.extra}])" if self.extra else ""
        who = f"{self.requirer.name} {self.requirer.version}{via} requires {self.requirement}"
        if self.installed is None:
            return f"{who}, which is not installed"
        shown = self.installed.name if self.provided_by else self.name
        return f"{who}, but {shown} {self.installed.version} is installed"


class DeclaredAnalysis(NamedTuple):
    """``violations`` are the independent problems; ``consequences`` maps a distribution that is
    itself the problem (the wrong version, or one that does not fit the installed TensorFlow) to
    its own unmet requirements, which go away once it is fixed (one problem, one finding)."""

    violations: tuple[Violation, ...]
    checked: int
    consequences: Mapping[str, tuple[Violation, ...]] = MappingProxyType({})
    # Requirements met only by another variant (tf-keras's `tensorflow` by tensorflow-cpu): not a
    # fault here, but `pip check` calls the name missing and a plain install of the requirer adds it.
    stand_ins: tuple[Violation, ...] = ()

    def followups(self, *dists: Distribution | None) -> list[str]:
        lines: list[str] = []
        for dist in dists:
            if dist is None:
                continue
            lines += [
                f"follows from it: {v.describe()}" for v in self.consequences.get(dist.key, ())
            ]
        return lines


def fold_consequences(
    violations: list[Violation], anchors: frozenset[str]
) -> tuple[tuple[Violation, ...], dict[str, tuple[Violation, ...]]]:
    """Separate the violations caused by a distribution that is itself wrong."""
    culprits: set[str] = set()
    for v in violations:
        if v.requirer.key in anchors and v.installed is not None and v.installed.key not in anchors:
            culprits.add(v.installed.key)  # TensorFlow/Keras reject its installed version
        if v.name in anchors and v.requirer.key not in anchors:
            culprits.add(v.requirer.key)  # it does not fit the installed TensorFlow/Keras
    primary: list[Violation] = []
    folded: dict[str, list[Violation]] = {}
    for v in violations:
        if v.requirer.key in culprits and v.name not in anchors:
            folded.setdefault(v.requirer.key, []).append(v)
        else:
            primary.append(v)
    return tuple(primary), {k: tuple(vs) for k, vs in folded.items()}


def _environment(snapshot: Snapshot) -> dict[str, str]:
    """The target's marker environment, as its probe computed it."""
    return dict(snapshot.markers)


def _applies(req: Req, env: dict[str, str], extra: str) -> bool:
    return req.applies(env, extra)


def _contains(req: Req, version: str) -> bool:
    return req.allows(version)


# Extras nobody declares a need for, but whose presence shows they were asked for: installed
# nvidia-* wheels mean `tensorflow[and-cuda]`, so all of its pins must hold.
IMPLIED_EXTRAS = {"and-cuda": "nvidia-"}


def _implied_extras(
    dist: Distribution, installed: dict[str, Distribution], kb: KnowledgeBase, snapshot: Snapshot
) -> list[str]:
    if dist.key not in kb.tf_variants():
        return []
    build = snapshot.build_of(dist)
    found = []
    for extra, prefix in IMPLIED_EXTRAS.items():
        if extra == "and-cuda" and build is not None and not build.is_cuda_build:
            continue  # a build without CUDA (tensorflow-cpu) never loads them: TFD605
        if extra in dist.provides_extra and any(name.startswith(prefix) for name in installed):
            found.append(extra)
    return found


def analyse(
    snapshot: Snapshot, kb: KnowledgeBase, leaving: frozenset[str] = frozenset()
) -> DeclaredAnalysis:
    """``leaving``: distributions the repair of a duplicate removes (a second TensorFlow): their
    requirements are not claimed, and they do not satisfy anyone else's."""
    env = _environment(snapshot)
    installed = {
        name: dists[0]
        for name, dists in snapshot.by_name.items()
        if not dists[0].error and name not in leaving
    }
    # Present but unreadable (TFD304 reports it): its version is unknown, so nothing is claimed.
    unreadable = {name for name, dists in snapshot.by_name.items() if dists[0].error}
    # Distributions that stand in for a required one because they provide the same import package.
    substitutes = {
        "tensorflow": kb.providers("tensorflow") - {"tensorflow"},
        "tf-keras": kb.providers("tf_keras") - {"tf-keras"},
    }
    violations: list[Violation] = []
    stand_ins: list[Violation] = []
    checked = 0
    wanted_extras: list[tuple[Distribution, str, Distribution]] = []

    def check_one(requirer: Distribution, req: Req, extra: str) -> None:
        nonlocal checked
        checked += 1
        name = canonical(req.name)
        if name in unreadable:
            return
        dist = installed.get(name)
        provided_by = ""
        if dist is None:
            for alternative in sorted(substitutes.get(name, ())):
                if alternative in installed:
                    dist = installed[alternative]
                    provided_by = alternative
                    break
        if dist is None:
            violations.append(Violation(requirer, req, None, extra))
            return
        if not _contains(req, dist.version):
            violations.append(Violation(requirer, req, dist, extra, provided_by))
        elif provided_by and name not in snapshot.by_name:
            stand_ins.append(Violation(requirer, req, dist, extra, provided_by))
        for wanted in sorted(req.extras):
            wanted_extras.append((requirer, wanted, dist))

    for requirer in installed.values():
        for req in requirer.requirements():
            if _applies(req, env, ""):
                check_one(requirer, req, "")
        for extra in _implied_extras(requirer, installed, kb, snapshot):
            wanted_extras.append((requirer, extra, requirer))
    seen: set[tuple[str, str]] = set()
    for asker, extra, dist in wanted_extras:
        if (dist.key, extra) in seen:
            continue
        seen.add((dist.key, extra))
        for req in dist.requirements(extra):
            if _applies(req, env, extra):
                checked += 1
                name = canonical(req.name)
                found = installed.get(name)
                provided_by = ""
                for alternative in sorted(substitutes.get(name, ())) if found is None else ():
                    if alternative in installed:  # tensorflow-cpu meets `tensorflow>=2.10`
                        found, provided_by = installed[alternative], alternative
                        break
                if found is None:
                    violations.append(Violation(dist, req, None, extra))
                elif not _contains(req, found.version):
                    violations.append(Violation(dist, req, found, extra, provided_by))
        del asker
    anchors = kb.tf_variants() | {
        "tensorflow",
        "keras",
        "keras-nightly",
        "tf-keras",
        "tf-keras-nightly",
    }
    primary, consequences = fold_consequences(violations, frozenset(anchors))
    return DeclaredAnalysis(
        violations=primary,
        checked=checked,
        consequences=consequences,
        stand_ins=tuple(stand_ins),
    )
