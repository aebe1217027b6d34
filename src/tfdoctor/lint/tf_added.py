"""The first TensorFlow release of each public API name (kb/data/tf_added.json).

scripts/tf_added.py builds the table from the generated API files of one TensorFlow wheel per
minor (1.13-2.21): ``added`` maps each public ``tensorflow.*`` name that 1.13.2 lacked to the first
probed release that has it (``tensorflow.distribute.TPUStrategy`` -> 2.3.4), ``returned`` each
name that TensorFlow 2's API dropped and a later 2.x brought back to the first release of that
stretch (``tensorflow.repeat``: 1.15, not 2.0, again from 2.1). lint (TFD714) and explain read it
here, so that there is one reading of one table.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from packaging.version import InvalidVersion, Version


@dataclass(frozen=True)
class AddedNames:
    added: Mapping[str, str]  # name -> the first probed release that has it
    returned: Mapping[str, str]  # name -> the first release of its last stretch after a gap
    releases: tuple[str, ...] = ()  # the releases probed, oldest first
    removed: Mapping[str, str] = field(default_factory=dict)  # name -> first release without it

    def gone_in(self, name: str) -> str:
        """The first probed release that lacks ``name`` or the module it is in (for
        ``tensorflow.contrib.rnn.static_rnn``: ``tensorflow.contrib``, 2.0), if it has not come
        back since; "" otherwise."""
        parts = name.split(".")
        for end in range(len(parts), 1, -1):
            dotted = ".".join(parts[:end])
            if dotted in self.removed and dotted not in self.returned:
                return self.removed[dotted]
        return ""

    def first_release(self, name: str) -> str:
        """The release from which TensorFlow has ``name`` to this day (a returned name: from its
        return); "" when 1.13 had it already or the table does not know it."""
        return self.returned.get(name) or self.added.get(name, "")

    def needed_by(self, name: str, target: Version) -> str:
        """The first probed release that a TensorFlow of ``target``'s major line needs for
        ``name`` when ``target`` is older than it; "" when ``target`` has it or the table does
        not know the name. Releases are compared by minor (the table probes the last patch of
        each minor: 2.3.4 stands for 2.3). A returned name counts in its own major line from
        its return (TensorFlow 2 dropped it), in the older line from ``added`` (1.13 or later)."""
        back = self.returned.get(name, "")
        first = back if back and _minor(back).major == target.major else self.added.get(name, "")
        if not first:
            return ""
        return first if Version(f"{target.major}.{target.minor}") < _minor(first) else ""

    def present_in(self, name: str, target: Version) -> bool:
        """Whether the table shows ``name`` in a TensorFlow of ``target``'s minor: the table knows
        it (added, back after a gap, or removed: a name never added was in 1.13 already), neither
        it nor a module above it came later, and neither was gone by then. False for a name the
        table does not know: it may never have existed."""
        if name not in self.added and name not in self.returned and name not in self.removed:
            return False
        parts = name.split(".")
        if any(self.needed_by(".".join(parts[:end]), target) for end in range(2, len(parts) + 1)):
            return False
        gone = self.gone_in(name)
        return not gone or Version(f"{target.major}.{target.minor}") < _minor(gone)

    def after_line(self, name: str, major: int) -> bool:
        """Whether ``name`` is newer (by ``first_release``) than the newest probed release of
        TensorFlow ``major`` (1.15.5 for 1): every release of that line lacked it."""
        first = self.first_release(name)
        line = [Version(r) for r in self.releases if Version(r).major == major]
        return bool(first and line) and Version(first) > max(line)


@lru_cache(maxsize=64)
def _minor(release: str) -> Version:
    version = Version(release)
    return Version(f"{version.major}.{version.minor}")


def minor_of(release: str) -> str:
    """``2.3.4`` -> ``2.3``: the TensorFlow minor a probed release stands for."""
    try:
        return str(_minor(release))
    except InvalidVersion:
        return release


def parse_added_names(raw: Mapping[str, object]) -> AddedNames:
    tables = []
    for key in ("added", "returned", "removed"):
        table = raw.get(key, {})
        if not isinstance(table, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in table.items()
        ):
            raise ValueError(f"tf_added.json: '{key}' must map names to releases")
        tables.append(dict(table))
    releases = raw.get("releases", [])
    if not isinstance(releases, list) or not all(isinstance(r, str) for r in releases):
        raise ValueError("tf_added.json: 'releases' must be a list of releases")
    return AddedNames(tables[0], tables[1], tuple(releases), tables[2])


@lru_cache(maxsize=1)
def load_added_names() -> AddedNames:
    page = resources.files("tfdoctor").joinpath("kb").joinpath("data").joinpath("tf_added.json")
    return parse_added_names(json.loads(page.read_text("utf-8")))


def tf_added_in(name: str) -> str:
    """The first TensorFlow release (of those probed, 1.13 on) with the public name ``name`` in
    any spelling (``tensorflow.compat.v2.distribute.TPUStrategy``, TensorFlow 1.15-2.1's
    ``tensorflow_core``) -> 2.3.4; "" when TensorFlow 1.13 had it already or the table does not
    know it."""
    from tfdoctor.tfnames import normalize_tf_name

    return load_added_names().first_release(normalize_tf_name(name))
