"""The environment a requirement set would make, as the same Snapshot the probe builds for a
real one, so that every check rule runs on it unchanged.

What a resolution cannot say is left empty, never made up: no sys.path, no settings, no files
(no RECORD). Two facts come from the knowledge base instead of the files: the Requires-Dist of
the releases it records (declared.json, from the registry's metadata), and which import package
each TensorFlow/Keras distribution writes (curated ``providers``), so that two distributions
writing one folder (tensorflow + tensorflow-cpu) are seen before they are installed."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from tfdoctor.pep508 import canonical, parse
from tfdoctor.resolve.platforms import WouldBe
from tfdoctor.snapshot import Distribution, KerasConfig, Snapshot

if TYPE_CHECKING:
    from tfdoctor.kb import KnowledgeBase

_EXTRA = re.compile(r"""extra\s*==\s*['"]([^'"]+)['"]""")


class Planned(NamedTuple):
    """A release the set would install. Empty ``requires_dist``: taken from the knowledge base
    when it records the release (``with_declared``), else unknown."""

    name: str
    version: str
    requires_dist: tuple[str, ...] = ()
    requires_python: str = ""
    wheel_tags: tuple[str, ...] = ()
    requested: bool = False
    extras: tuple[str, ...] = ()
    pulled_by: tuple[str, ...] = ()  # the packages of the set that require it, when known


def declared_requirements(kb: KnowledgeBase, name: str, version: str) -> tuple[str, ...]:
    known = kb.declared(name, version)
    return known.requires_dist if known is not None else ()


def snapshot_of(
    packages: Sequence[Planned],
    target: WouldBe,
    location: str,
    prefix: str,
    folder: str,
    kb: KnowledgeBase,
    with_declared: bool = True,
    files: tuple[str, ...] = (),
) -> Snapshot:
    """``location`` names where the packages come from in evidence (``requirements.txt``),
    ``prefix`` the would-be environment in the report header, ``files`` the requirement files
    that a fix changes."""
    markers = target.markers()
    dists = []
    for package in packages:
        requires = package.requires_dist
        if not requires and with_declared:
            requires = declared_requirements(kb, package.name, package.version)
        dists.append(
            Distribution(
                name=canonical(package.name),
                version=package.version,
                location=location,
                origin="site-packages",
                metadata_dir=location,
                requires_dist=requires,
                requires_python=package.requires_python,
                provides_extra=tuple(sorted({m for r in requires for m in _EXTRA.findall(r)})),
                requested=package.requested,
                wheel_tags=package.wheel_tags,
            )
        )
    pulls = {(requirer, p.name) for p in packages for requirer in p.pulled_by}
    dists = _with_import_packages(dists, kb, markers, pulls)
    return Snapshot(
        python=target.python_info(prefix),
        platform=target.platform_info(),
        cwd=folder,
        sys_path=(),
        site_packages=(location,),
        user_site=None,
        user_site_enabled=False,
        distributions=tuple(dists),
        leftovers=(),
        imports={},
        environ={},
        keras_config=KerasConfig(path="", exists=False),
        conda_meta=None,
        markers=markers,
        requirement_files=files,
    )


def _with_import_packages(
    dists: list[Distribution],
    kb: KnowledgeBase,
    markers: dict[str, str],
    pulls: set[tuple[str, str]],
) -> list[Distribution]:
    """Each stack distribution with the import package it writes; a TensorFlow variant that only
    pulls in another variant on this platform (tensorflow -> tensorflow-intel on Windows,
    tensorflow-macos on Apple silicon) writes none: its wheel there is a stub that depends on the
    real build. Those come last, so that the one that imports is found first."""
    variants = kb.tf_variants()
    provided = {name: kb.providers(name) for name in kb.provided_imports()}
    present = {d.key for d in dists}
    out: list[Distribution] = []
    shims: list[Distribution] = []
    for dist in dists:
        writes = tuple(sorted(name for name, owners in provided.items() if dist.key in owners))
        if not writes:
            out.append(dist)
            continue
        declared = {
            canonical(r.name)
            for r in (parse(line) for line in dist.requires_dist)
            if r is not None and r.applies(markers)
        }
        pulled = {b for a, b in pulls if a == dist.key} | declared
        if dist.key in variants and pulled & (variants & present) - {dist.key}:
            shims.append(dist._replace(record_packages=(), record_top_level=()))
        else:
            out.append(dist._replace(record_packages=writes, record_top_level=writes))
    return out + shims
