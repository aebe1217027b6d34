"""Plain typed facts about one target environment, as collected by the probe.

Everything here is data: no I/O, no rules. ``Snapshot.from_probe`` turns the probe's JSON into these
immutable records and ``Snapshot.to_json`` gives it back for ``-v``/JSON output and tests.

The records are ``typing.NamedTuple``s rather than frozen dataclasses because they are created on
every ``tfdoctor check`` start-up: a frozen dataclass costs ~1.4 ms to define (it compiles its
methods), a NamedTuple ~0.25 ms, and this module alone defined eight of them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from functools import cached_property
from types import MappingProxyType
from typing import Any, NamedTuple

from tfdoctor.pep508 import Req, canonical, parse
from tfdoctor.version import InvalidVersion, Version


class PythonInfo(NamedTuple):
    version: str
    implementation: str
    executable: str
    prefix: str
    base_prefix: str
    is_venv: bool
    pyvenv_cfg: str | None
    bits: int
    release_level: str = "final"

    @property
    def minor(self) -> str:
        return ".".join(self.version.split(".")[:2])


class PlatformInfo(NamedTuple):
    system: str
    machine: str
    sys_platform: str
    release: str
    libc: tuple[str, ...] | None
    mac_ver: str | None
    cpu_flags: tuple[str, ...] | None
    nvidia_driver: str | None


class PathEntry(NamedTuple):
    path: str
    resolved: str
    origin: str  # working-directory | pythonpath | stdlib | site-packages | user-site | pth:<file> | other
    exists: bool


class Distribution(NamedTuple):
    name: str
    version: str
    location: str
    origin: str
    metadata_dir: str
    requires_dist: tuple[str, ...] = ()
    requires_python: str = ""
    provides_extra: tuple[str, ...] = ()
    installer: str = ""
    requested: bool = False
    top_level_txt: tuple[str, ...] = ()
    record_top_level: tuple[str, ...] | None = None
    record_packages: tuple[str, ...] | None = None
    record_missing: tuple[str, ...] = ()
    record_missing_count: int = 0
    record_checked: int = 0
    direct_url: dict[str, Any] | None = None
    wheel_tags: tuple[str, ...] = ()
    error: str = ""

    @property
    def key(self) -> str:
        return canonical(self.name)

    @property
    def parsed_version(self) -> Version | None:
        try:
            return Version(self.version)
        except InvalidVersion:
            return None

    @property
    def top_level(self) -> tuple[str, ...]:
        """Import names this distribution writes (RECORD first, top_level.txt otherwise)."""
        if self.record_top_level is not None:
            return tuple(t for t in self.record_top_level if not t.startswith("*"))
        return self.top_level_txt

    def requirements(self, extra: str = "") -> list[Req]:
        """Declared requirements; with ``extra``, only the lines that can belong to that extra.

        Parsing is the costly part of a check, so lines of other extras are skipped by text.
        """
        out = []
        for line in self.requires_dist:
            mentions_extra = "extra" in line.partition(";")[2]
            if mentions_extra and (not extra or canonical(extra) not in canonical(line)):
                continue
            parsed = parse(line)
            if parsed is not None:
                out.append(parsed)
        return out


class ImportOrigin(NamedTuple):
    name: str
    origin: str | None
    locations: tuple[str, ...]
    namespace: bool
    error: str = ""


class CondaRecord(NamedTuple):
    name: str
    version: str
    build: str
    channel: str


class KerasConfig(NamedTuple):
    path: str
    exists: bool
    content: dict[str, Any] | None = None
    error: str = ""


class TensorFlowBuild(NamedTuple):
    """What tensorflow/python/platform/build_info.py of the TensorFlow that imports says of its
    build (read, never imported). None: the file does not say; ``error``: it could not be read
    (missing, unreadable, not the literal TensorFlow writes), so the build is unknown."""

    path: str
    is_cuda_build: bool | None = None
    is_rocm_build: bool | None = None
    cuda_version: str | None = None
    cudnn_version: str | None = None
    error: str = ""


_NO_MARKERS: Mapping[str, str] = MappingProxyType({})


class _SnapshotFields(NamedTuple):
    python: PythonInfo
    platform: PlatformInfo
    cwd: str
    sys_path: tuple[PathEntry, ...]
    site_packages: tuple[str, ...]
    user_site: str | None
    user_site_enabled: bool
    distributions: tuple[Distribution, ...]
    leftovers: tuple[str, ...]
    imports: dict[str, ImportOrigin | None]
    environ: dict[str, str]
    keras_config: KerasConfig
    conda_meta: tuple[CondaRecord, ...] | None
    pth_files: tuple[tuple[str, str], ...] = ()
    pythonpath_sources: tuple[tuple[str, str], ...] = ()  # (file, line) that set PYTHONPATH
    markers: Mapping[str, str] = _NO_MARKERS
    # `check -r`: the requirement files the would-be environment comes from (no interpreter to
    # install into: a fix is a change of these files)
    requirement_files: tuple[str, ...] = ()
    # None: no tensorflow package to read, or a snapshot from before the probe read it
    tensorflow_build: TensorFlowBuild | None = None


class Snapshot(_SnapshotFields):
    """Everything the probe found. A subclass of the record (with an instance dictionary) so
    that the lookups the rules repeat are computed once."""

    # -- lookups used by the rules -------------------------------------------------------------
    @cached_property
    def by_name(self) -> dict[str, list[Distribution]]:
        """Distributions by canonical name, in sys.path order (the first one is what imports)."""
        out: dict[str, list[Distribution]] = {}
        for dist in self.distributions:
            out.setdefault(dist.key, []).append(dist)
        return out

    def get(self, name: str) -> Distribution | None:
        """The distribution that imports first; one whose metadata cannot be read is unknown."""
        found = self.by_name.get(canonical(name))
        return found[0] if found and not found[0].error else None

    def version_of(self, name: str) -> str | None:
        dist = self.get(name)
        return dist.version if dist else None

    def importable(self, name: str) -> ImportOrigin | None:
        return self.imports.get(name)

    def build_of(self, dist: Distribution) -> TensorFlowBuild | None:
        """The build facts of the TensorFlow distribution ``dist`` when they are known and its
        own: the build_info.py read lies in its ``tensorflow`` folder, and no other distribution
        writes that folder (of two, the files on disk are whichever was installed last), or
        ``dist`` writes none of it and pins the one release that does (a metapackage)."""
        build = self.tensorflow_build
        if build is None or build.error or build.is_cuda_build is None:
            return None
        folder = os.path.normpath(os.path.join(dist.location, "tensorflow"))
        read = os.path.normpath(os.path.join(folder, "python", "platform", "build_info.py"))
        if os.path.normpath(build.path) != read:
            return None
        others = [
            other
            for other in self.distributions
            if other.key != dist.key
            and other.location == dist.location
            and "tensorflow" in (other.record_packages or ())
        ]
        if not others:
            return build
        # `tensorflow` on Windows (2.11-2.18) and on Linux ARM is a wheel without the package:
        # it pins the release that writes it (tensorflow-intel, tensorflow-cpu-aws), whose build
        # it is
        writer = others[0]
        if (
            len(others) == 1
            and dist.record_packages is not None
            and "tensorflow" not in dist.record_packages
            and any(
                canonical(r.name) == writer.key and r.specifier == f"=={writer.version}"
                for r in dist.requirements()
            )
        ):
            return build
        return None

    @property
    def is_conda(self) -> bool:
        return self.conda_meta is not None

    # -- (de)serialisation ---------------------------------------------------------------------
    @classmethod
    def from_probe(cls, data: dict[str, Any]) -> Snapshot:
        """The snapshot of a probe's answer; one that is not shaped as the probe writes it (an
        interpreter that only pretends) is a usage error, not a crash."""
        try:
            return cls._from_probe(data)
        except (KeyError, TypeError, AttributeError, ValueError, IndexError) as exc:
            from tfdoctor.errors import UsageError

            py = data.get("python") if isinstance(data, dict) else None
            where = py.get("executable") if isinstance(py, dict) else None
            raise UsageError(
                f"the probe's answer{' from ' + str(where) if isinstance(where, str) else ''} "
                f"is not shaped as tfdoctor's probe writes it ({type(exc).__name__}: "
                f"{str(exc)[:80]}); is it a Python interpreter?"
            ) from None

    @classmethod
    def _from_probe(cls, data: dict[str, Any]) -> Snapshot:
        py = data["python"]
        plat = data["platform"]
        imports: dict[str, ImportOrigin | None] = {}
        for name, spec in data.get("imports", {}).items():
            if spec is None:
                imports[name] = None
            else:
                imports[name] = ImportOrigin(
                    name=name,
                    origin=spec.get("origin"),
                    locations=tuple(spec.get("locations") or ()),
                    namespace=bool(spec.get("namespace")),
                    error=spec.get("error", ""),
                )
        kc = _keras_config(data.get("keras_config") or {})
        conda = data.get("conda_meta")
        return cls(
            python=PythonInfo(
                version=py["version"],
                implementation=py["implementation"],
                executable=py["executable"],
                prefix=py["prefix"],
                base_prefix=py["base_prefix"],
                is_venv=py["is_venv"],
                pyvenv_cfg=py.get("pyvenv_cfg"),
                bits=py.get("bits", 64),
                release_level=py.get("release_level", "final"),
            ),
            platform=PlatformInfo(
                system=plat["system"],
                machine=plat["machine"],
                sys_platform=plat["sys_platform"],
                release=plat.get("release", ""),
                libc=tuple(plat["libc"]) if plat.get("libc") else None,
                mac_ver=plat.get("mac_ver"),
                cpu_flags=tuple(plat["cpu_flags"]) if plat.get("cpu_flags") is not None else None,
                nvidia_driver=plat.get("nvidia_driver"),
            ),
            cwd=data["cwd"],
            sys_path=tuple(PathEntry(**entry) for entry in data["sys_path"]),
            site_packages=tuple(data.get("site_packages", ())),
            user_site=data.get("user_site", {}).get("path"),
            user_site_enabled=bool(data.get("user_site", {}).get("enabled")),
            distributions=tuple(_distribution(d) for d in data.get("distributions", ())),
            leftovers=tuple(data.get("leftovers", ())),
            imports=imports,
            environ=dict(data.get("environ", {})),
            keras_config=KerasConfig(
                path=kc.get("path", ""),
                exists=bool(kc.get("exists")),
                content=kc.get("content"),
                error=kc.get("error", ""),
            ),
            conda_meta=None
            if conda is None
            else tuple(
                CondaRecord(
                    name=str(r.get("name") or r.get("file") or ""),
                    version=str(r.get("version") or ""),
                    build=str(r.get("build") or ""),
                    channel=str(r.get("channel") or ""),
                )
                for r in conda
            ),
            pth_files=tuple((p["path"], p.get("head", "")) for p in data.get("pth_files", ())),
            pythonpath_sources=tuple(
                (p["path"], p.get("line", "")) for p in data.get("pythonpath_sources", ())
            ),
            markers=dict(data.get("markers", {})),
            tensorflow_build=_tensorflow_build(data.get("tensorflow_build")),
        )

    def to_json(self) -> dict[str, Any]:
        """Every fact, for output (check -v, --format json -v): credentials inside URLs
        (direct_url.json, index URLs in variables) are redacted."""
        out: dict[str, Any] = _redacted(_plain(self))
        return out


def _redacted(value: Any) -> Any:
    from tfdoctor.redact import credentials

    if isinstance(value, str):
        return credentials(value) if "@" in value or "=" in value else value
    if isinstance(value, list):
        return [_redacted(item) for item in value]
    if isinstance(value, dict):
        return {key: _redacted(item) for key, item in value.items()}
    return value


def _plain(value: Any) -> Any:
    """Records as dictionaries and sequences as lists, recursively: ready for JSON."""
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        return {key: _plain(item) for key, item in value._asdict().items()}
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _distribution(d: dict[str, Any]) -> Distribution:
    tops = d.get("record_top_level")
    return Distribution(
        name=canonical(d.get("name", "")),
        version=d.get("version", ""),
        location=d["location"],
        origin=d.get("origin", ""),
        metadata_dir=d.get("metadata_dir", ""),
        requires_dist=tuple(d.get("requires_dist", ())),
        requires_python=d.get("requires_python", ""),
        provides_extra=tuple(d.get("provides_extra", ())),
        installer=d.get("installer", ""),
        requested=bool(d.get("requested")),
        top_level_txt=tuple(d.get("top_level_txt", ())),
        record_top_level=tuple(tops) if tops is not None else None,
        record_packages=tuple(d["record_packages"])
        if d.get("record_packages") is not None
        else None,
        record_missing=tuple(d.get("record_missing", ())),
        record_missing_count=int(d.get("record_missing_count", 0)),
        record_checked=int(d.get("record_checked", 0)),
        direct_url=d.get("direct_url"),
        wheel_tags=tuple(d.get("wheel_tags", ())),
        error=d.get("error", ""),
    )


def _tensorflow_build(raw: dict[str, Any] | None) -> TensorFlowBuild | None:
    if raw is None:
        return None

    def flag(key: str) -> bool | None:
        value = raw.get(key)
        return value if isinstance(value, bool) else None

    return TensorFlowBuild(
        path=str(raw.get("path", "")),
        is_cuda_build=flag("is_cuda_build"),
        is_rocm_build=flag("is_rocm_build"),
        cuda_version=raw.get("cuda_version"),
        cudnn_version=raw.get("cudnn_version"),
        error=str(raw.get("error", "")),
    )


def _keras_config(raw: dict[str, Any]) -> dict[str, Any]:
    """The probe sends keras.json as text; it is parsed here (the probe imports no json)."""
    if "text" not in raw or raw.get("error"):
        return raw
    out = {k: v for k, v in raw.items() if k != "text"}
    try:
        content = json.loads(raw["text"])
    except ValueError as exc:
        out["error"] = f"invalid JSON: {exc}"
        return out
    if isinstance(content, dict):
        out["content"] = content
    else:
        out["error"] = "invalid: not a JSON object"
    return out
