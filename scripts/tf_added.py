"""The first TensorFlow release that has each public API name (``tf.function``,
``tf.distribute.TPUStrategy``, ``tf.keras.activations.swish``), read from the generated API files
of the TensorFlow wheels on PyPI, without installing them.

``python scripts/tf_added.py build OUT.json [--work DIR] [--pip CMD]``
    downloads, for each release of ``RELEASES`` (the last patch of every minor from 1.13 to
    2.21), one Linux x86_64 wheel (``tensorflow-cpu`` where it exists, else ``tensorflow``; any
    CPython tag) with ``pip download --no-deps``, reads its public names, deletes the wheel, and
    writes OUT.json (src/tfdoctor/kb/data/tf_added.json):

    * ``added``: each public name not in the first release (1.13.2) -> the first release that has
      it;
    * ``removed`` (informational): each name that a release had and the newest release that can
      tell no longer has -> the first release after the last one that had it;
    * ``returned``: each name that disappeared in a later release and came back -> the first
      release of its last stretch (mostly names of TF 1.x's API that TF 2.0 dropped and a later
      2.x brought back, such as ``tf.repeat`` in 2.1 and ``tf.data.Iterator`` in 2.3: for a 2.x
      user, ``added`` alone would call them older than they are; lint's TFD714 and explain read
      it through ``tfdoctor/lint/tf_added.py``).

    The names read from each release are kept in DIR (default ``/tmp/tf_added``) as
    ``names-VERSION.json``; a second run reads them instead of downloading again.

``python scripts/tf_added.py names WHEEL [KERAS_WHEEL]``
    prints the public names read from one TensorFlow wheel (and, for TF 2.6-2.15, the keras
    wheel its tf.keras comes from), one a line: what ``build`` reads, for checking by hand.

Where the names come from:

* the module ``tensorflow.a.b`` is ``<package>/_api/vN/a/b/__init__.py`` (``<package>`` is
  ``tensorflow_core`` in 1.15-2.1, ``tensorflow`` otherwise; N is 1 for TF 1.x, 2 for TF 2.x);
  its names are what that file binds: ``from M import x [as y]``, ``import m``, ``y = ...``,
  ``def``/``class`` at module level (inside ``if``/``try``/``with`` too), minus ``del``;
* the root ``tensorflow`` is the package's own ``__init__.py`` (generated from
  api_template.__init__.py), read the same way, plus ``setattr(_current_module, "name", ...)``,
  ``_current_module.a.b = ...`` and 1.13's ``package_hook(child_package_str=...)`` (estimator);
* ``tensorflow.keras``: 1.13 generates it under ``_api/v1/keras``; 1.15-2.1 under
  ``<package>/python/keras/api/_vN/keras`` (the root's ``from ...python.keras.api._vN import
  keras``); 2.2-2.5 under ``tensorflow/keras`` (``from tensorflow import keras``; 2.5's
  keras-nightly is used only with ``_PREFER_OSS_KERAS`` set); 2.6-2.15 take it from the
  ``keras`` package (``keras.api._v2.keras``), so its wheel is read too: the release that the
  TensorFlow wheel's ``Requires-Dist: keras (...)`` resolves to, below 3 up to 2.15;
* ``tensorflow.losses``, ``.metrics``, ``.optimizers``, ``.initializers`` of TF 2.x are aliases of
  ``tensorflow.keras.<same>`` (the root sets them from keras), so they get its names.

Not covered:

* everything under ``tensorflow.compat`` (``compat.v1``/``compat.v2`` repeat the API), and every
  name with a component starting with ``_`` (``tf.__internal__``, ``tf.__version__``);
* ``tensorflow.keras.*`` and the four keras aliases from 2.16 on: tf.keras is then Keras 3 (or
  tf_keras), a release of its own that TensorFlow does not pin, so those names count as unknown
  there (not removed);
* names that other packages add when they are imported: ``tensorflow.estimator.*``
  (tensorflow_estimator), ``tensorflow.contrib.*``, and TensorBoard's ``tensorflow.summary``
  ``audio``, ``histogram``, ``image``, ``scalar``, ``text`` in TF 2.0-2.15 (these five are in
  1.x's and 2.16+'s wheels, so they are left out of ``removed`` and ``returned``);
* names a module binds by ``from M import *`` or by code that runs at import time other than
  the forms above (TensorFlow's module wrappers, lazy ``__getattr__``).
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import shlex
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypedDict

RELEASES = [
    "1.13.2", "1.14.0", "1.15.5",
    "2.0.4", "2.1.4", "2.2.3", "2.3.4", "2.4.4", "2.5.3", "2.6.5", "2.7.4", "2.8.4", "2.9.3",
    "2.10.1", "2.11.1", "2.12.1", "2.13.1", "2.14.1", "2.15.1", "2.16.2", "2.17.1", "2.18.1",
    "2.19.1", "2.20.0", "2.21.0",
]  # fmt: skip
COMMAND = "python scripts/tf_added.py build OUT.json"
SOURCE = (
    "the generated API files (tensorflow/_api/...) of the TensorFlow wheels on PyPI, "
    "read without installing"
)
# `pip download` is asked for the first of these that has a Linux x86_64 wheel of the release
DISTRIBUTIONS = ("tensorflow-cpu", "tensorflow")
PYTHONS = ("3.7", "3.9", "3.10", "3.11", "3.12")
PLATFORMS = (
    "manylinux1_x86_64",
    "manylinux2010_x86_64",
    "manylinux2014_x86_64",
    "manylinux_2_17_x86_64",
    "manylinux_2_27_x86_64",
    "manylinux_2_28_x86_64",
)
KERAS_ALIASES = ("losses", "metrics", "optimizers", "initializers")
# tensorboard/summary/_tf/summary/__init__.py adds these to tf.summary of TF 2.x at import
TENSORBOARD_SUMMARY = ("audio", "histogram", "image", "scalar", "text")
# keep the file small: above this many entries, tf.keras names deeper than KERAS_DEPTH go
MAX_ADDED = 15_000
KERAS_DEPTH = 4

_DATA_PREFIX = re.compile(r"^[^/]+\.data/(?:purelib|platlib)/")
# 2.2-2.5: tf.keras is the wheel's tensorflow/keras (2.5's default: _PREFER_OSS_KERAS unset)
_KERAS_FOLDER = re.compile(r"^\s*from tensorflow import keras\s*$", re.MULTILINE)
# 1.15-2.1: tf.keras is the wheel's <package>/python/keras/api/_vN/keras
_IN_WHEEL_KERAS = re.compile(r"(?:\btensorflow(?:_core)?|from \.)\.?python\.keras\.api\.(_v[12])")


def _member_paths(wheel: zipfile.ZipFile) -> dict[str, str]:
    """Each member's path as installed (without ``NAME.data/purelib/``) -> its zip name."""
    return {_DATA_PREFIX.sub("", name): name for name in wheel.namelist()}


def _dotted(node: ast.expr) -> list[str] | None:
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return None if base is None else [*base, node.attr]
    return None


def _statements(body: Iterable[ast.stmt]) -> Iterator[ast.stmt]:
    """The module-level statements, with those inside if/try/with blocks, in order."""
    for statement in body:
        yield statement
        if isinstance(statement, ast.If):
            yield from _statements(statement.body)
            yield from _statements(statement.orelse)
        elif isinstance(statement, ast.Try):
            yield from _statements(statement.body)
            for handler in statement.handlers:
                yield from _statements(handler.body)
            yield from _statements(statement.orelse)
            yield from _statements(statement.finalbody)
        elif isinstance(statement, ast.With):
            yield from _statements(statement.body)


def bound_names(source: str) -> set[str]:
    """The names (dotted below the module for ``_current_module.a.b = ...``) that a generated
    ``__init__.py`` binds at module level and does not delete again."""
    tree = ast.parse(source)
    names: set[str] = set()
    for statement in _statements(tree.body):
        if isinstance(statement, ast.ImportFrom):
            if statement.module == "__future__":
                continue
            names.update(a.asname or a.name for a in statement.names if a.name != "*")
        elif isinstance(statement, ast.Import):
            names.update(a.asname or a.name.split(".")[0] for a in statement.names)
        elif isinstance(statement, (ast.FunctionDef, ast.ClassDef)):
            names.add(statement.name)
        elif isinstance(statement, (ast.Assign, ast.AnnAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                parts = _dotted(target)
                if parts and parts[0] == "_current_module":
                    parts = parts[1:]
                if parts and (len(parts) == 1 or parts[0] in names):
                    names.add(".".join(parts))
        elif isinstance(statement, ast.Delete):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    names.discard(target.id)
        elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            names.update(_names_bound_by_call(statement.value))
    return names


def _names_bound_by_call(call: ast.Call) -> set[str]:
    """``setattr(_current_module, "name", ...)`` and
    ``package_hook(child_package_str="a.b.name")`` (TF 1.13's estimator)."""
    function = _dotted(call.func)
    if function == ["setattr"] and len(call.args) >= 2:
        module, name = call.args[0], call.args[1]
        if (
            isinstance(module, ast.Name)
            and module.id == "_current_module"
            and isinstance(name, ast.Constant)
            and isinstance(name.value, str)
        ):
            return {name.value}
    if function and function[-1] == "package_hook":
        for keyword in call.keywords:
            value = keyword.value
            if (
                keyword.arg == "child_package_str"
                and isinstance(value, ast.Constant)
                and isinstance(value.value, str)
            ):
                return {value.value.rsplit(".", 1)[-1]}
    return set()


def _is_public(name: str) -> bool:
    parts = name.split(".")
    return not any(part.startswith("_") for part in parts) and (
        len(parts) < 2 or parts[1] != "compat"
    )


def _tree_names(
    wheel: zipfile.ZipFile, paths: dict[str, str], prefix: str, module: str
) -> set[str]:
    """The names of the generated package under ``prefix`` (``tensorflow/_api/v2/``), as
    ``module`` (``tensorflow``) and below: each folder with an ``__init__.py`` and what it binds.
    Skips ``compat`` right below ``prefix``."""
    names: set[str] = set()
    for path in sorted(paths):
        if not path.startswith(prefix) or path.rsplit("/", 1)[-1] != "__init__.py":
            continue
        folders = path[len(prefix) :].split("/")[:-1]
        if folders[:1] == ["compat"]:
            continue
        dotted = ".".join([module, *folders])
        names.add(dotted)
        source = wheel.read(paths[path]).decode("utf-8")
        names.update(f"{dotted}.{name}" for name in bound_names(source))
    return names


def read_wheel(tf_wheel: Path, keras_wheel: Path | None = None) -> tuple[set[str], list[str]]:
    """The public names of one TensorFlow wheel (``tensorflow.*``, compat and ``_`` names left
    out) and the prefixes it cannot tell (``tensorflow.keras`` when that is Keras 3)."""
    with zipfile.ZipFile(tf_wheel) as wheel:
        paths = _member_paths(wheel)
        package = "tensorflow_core" if "tensorflow_core/__init__.py" in paths else "tensorflow"
        api = next(
            (
                f"{package}/_api/{version}/"
                for version in ("v2", "v1")
                if f"{package}/_api/{version}/__init__.py" in paths
            ),
            None,
        )
        if api is None:
            raise SystemExit(f"{tf_wheel}: no {package}/_api/v1 or v2")
        if api.endswith("v2/") and f"{package}/_api/v1/__init__.py" in paths:
            raise SystemExit(f"{tf_wheel}: both _api/v1 and _api/v2")
        root_source = wheel.read(paths[f"{package}/__init__.py"]).decode("utf-8")
        names = {"tensorflow"}
        names.update(f"tensorflow.{name}" for name in bound_names(root_source))
        names.update(_tree_names(wheel, paths, api, "tensorflow"))
        uncovered: list[str] = []
        if not any(name.startswith("tensorflow.keras.") for name in names):
            in_wheel = _IN_WHEEL_KERAS.search(root_source)
            if _KERAS_FOLDER.search(root_source):
                keras = _tree_names(wheel, paths, f"{package}/keras/", "tensorflow.keras")
                if not keras:
                    raise SystemExit(f"{tf_wheel}: no {package}/keras")
                names.update(keras)
            elif in_wheel:
                prefix = f"{package}/python/keras/api/{in_wheel.group(1)}/keras/"
                keras = _tree_names(wheel, paths, prefix, "tensorflow.keras")
                if not keras:
                    raise SystemExit(f"{tf_wheel}: no {prefix}")
                names.update(keras)
            elif keras_2_requirement(tf_wheel):
                if keras_wheel is None:
                    raise SystemExit(f"{tf_wheel}: tf.keras is the keras package: give its wheel")
                with zipfile.ZipFile(keras_wheel) as kwheel:
                    kpaths = _member_paths(kwheel)
                    keras = _tree_names(kwheel, kpaths, "keras/api/_v2/keras/", "tensorflow.keras")
                if not keras:
                    raise SystemExit(f"{keras_wheel}: no keras/api/_v2/keras")
                names.update(keras)
            else:
                uncovered.append("tensorflow.keras.")
    if api.endswith("v2/"):
        for alias in KERAS_ALIASES:
            if f"tensorflow.{alias}" not in names:
                continue
            if any(name.startswith(f"tensorflow.{alias}.") for name in names):
                raise SystemExit(f"{tf_wheel}: tf.{alias} has names of its own in TF 2.x")
            if "tensorflow.keras." in uncovered:
                uncovered.append(f"tensorflow.{alias}.")
            source = f"tensorflow.keras.{alias}."
            names.update(
                f"tensorflow.{alias}.{name[len(source) :]}"
                for name in list(names)
                if name.startswith(source)
            )
    return {name for name in names if _is_public(name)}, uncovered


def keras_2_requirement(tf_wheel: Path) -> str | None:
    """The wheel's ``keras`` requirement (``keras<2.7,>=2.6.0``) when tf.keras is a Keras 2
    release of the keras package: the root loads ``keras.api._v2.keras`` (2.6-2.14's lazy loader,
    2.15's ``_KerasLazyLoader`` when keras is 2.x) and the requirement keeps keras below 3."""
    with zipfile.ZipFile(tf_wheel) as wheel:
        paths = _member_paths(wheel)
        package = "tensorflow_core" if "tensorflow_core/__init__.py" in paths else "tensorflow"
        root_source = wheel.read(paths[f"{package}/__init__.py"]).decode("utf-8")
        metadata = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
        text = wheel.read(metadata).decode("utf-8")
    if _KERAS_FOLDER.search(root_source) or '"keras.api._v2.keras' not in root_source:
        return None
    for line in text.splitlines():
        match = re.match(r"Requires-Dist: keras(?![-\w])\s*\(?([^();]*)\)?\s*(;.*)?$", line)
        if match:
            requirement = match.group(1).replace(" ", "")
            if re.search(r"(?:<|==|~=)2\.|<3(?:\.0)*(?:,|$)", requirement):
                return f"keras{requirement}"
    return None


def download(pip: list[str], requirement: str, python: str, into: Path) -> Path | None:
    """The wheel that ``pip download`` saves for ``requirement`` (CPython ``python``, Linux
    x86_64), or None when there is none."""
    before = set(into.glob("*.whl"))
    platforms = [arg for platform in PLATFORMS for arg in ("--platform", platform)]
    command = [
        *pip, "download", "--no-deps", "--only-binary=:all:", "--python-version", python,
        *platforms, "--dest", str(into), requirement,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    new = sorted(set(into.glob("*.whl")) - before)
    if done.returncode != 0 or len(new) != 1:
        for path in new:
            path.unlink()
        return None
    return new[0]


class Probe(TypedDict):
    version: str
    wheels: list[str]
    names: list[str]
    uncovered: list[str]


def release_names(version: str, work: Path, pip: list[str]) -> Probe:
    """What ``read_wheel`` finds in the release (cached in ``work``), with the wheels read."""
    cache = work / f"names-{version}.json"
    if cache.exists():
        cached: Probe = json.loads(cache.read_text())
        return cached
    into = work / "wheels"
    into.mkdir(parents=True, exist_ok=True)
    for python in PYTHONS:
        for distribution in DISTRIBUTIONS:
            tf_wheel = download(pip, f"{distribution}=={version}", python, into)
            if tf_wheel is not None:
                break
        if tf_wheel is not None:
            break
    else:
        raise SystemExit(f"no Linux x86_64 wheel of tensorflow-cpu or tensorflow {version}")
    keras_wheel = None
    try:
        requirement = keras_2_requirement(tf_wheel)
        if requirement:
            keras_wheel = download(pip, requirement, python, into)
        names, uncovered = read_wheel(tf_wheel, keras_wheel)
    finally:
        wheels = [tf_wheel.name] + ([keras_wheel.name] if keras_wheel else [])
        tf_wheel.unlink()
        if keras_wheel is not None:
            keras_wheel.unlink()
    result: Probe = {
        "version": version,
        "wheels": wheels,
        "names": sorted(names),
        "uncovered": uncovered,
    }
    cache.write_text(json.dumps(result, indent=0))
    print(f"{version}: {len(names)} names from {', '.join(wheels)}", file=sys.stderr)
    return result


def _covered(name: str, uncovered: Iterable[str]) -> bool:
    return not any(name.startswith(prefix) for prefix in uncovered)


class DataFile(TypedDict):
    schema: int
    command: str
    source: str
    releases: list[str]
    added: dict[str, str]
    removed: dict[str, str]
    returned: dict[str, str]


def combine(probes: list[Probe]) -> DataFile:
    """The data file from the releases' names, oldest release first."""
    releases = [p["version"] for p in probes]
    present = [set(p["names"]) for p in probes]
    uncovered = [p["uncovered"] for p in probes]
    everything: set[str] = set().union(*present)
    added: dict[str, str] = {}
    removed: dict[str, str] = {}
    returned: dict[str, str] = {}
    for name in sorted(everything):
        having = [i for i, names in enumerate(present) if name in names]
        if having[0] > 0:
            added[name] = releases[having[0]]
        telling = [i for i in range(len(releases)) if _covered(name, uncovered[i])]
        newest = telling[-1]
        if _tensorboard_summary(name):
            continue
        if name not in present[newest]:
            removed[name] = releases[min(i for i in telling if i > having[-1])]
        gaps = [i for i in telling if having[0] < i < having[-1] and name not in present[i]]
        if gaps:
            returned[name] = releases[min(i for i in having if i > gaps[-1])]
    if len(added) > MAX_ADDED:
        added = {
            name: release
            for name, release in added.items()
            if not name.startswith("tensorflow.keras.") or name.count(".") < KERAS_DEPTH
        }
    return {
        "schema": 1,
        "command": COMMAND,
        "source": SOURCE,
        "releases": releases,
        "added": added,
        "removed": removed,
        "returned": returned,
    }


def _tensorboard_summary(name: str) -> bool:
    """``tf.summary.scalar`` and the like: TensorBoard's in TF 2.0-2.15, so a wheel that lacks
    them does not tell that the API lacks them."""
    parts = name.split(".")
    return len(parts) == 3 and parts[1] == "summary" and parts[2] in TENSORBOARD_SUMMARY


def build(out: Path, work: Path, pip: list[str]) -> int:
    work.mkdir(parents=True, exist_ok=True)
    probes = [release_names(version, work, pip) for version in RELEASES]
    data = combine(probes)
    out.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    added, removed, returned = len(data["added"]), len(data["removed"]), len(data["returned"])
    print(f"{out}: {added} added, {removed} removed, {returned} returned", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    build_command = commands.add_parser("build", help="download the wheels, write OUT.json")
    build_command.add_argument("out", type=Path)
    build_command.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "tf_added"
    )
    build_command.add_argument(
        "--pip", default=f"{shlex.quote(sys.executable)} -m pip", help="the pip command to run"
    )
    names_command = commands.add_parser("names", help="print the names read from a wheel")
    names_command.add_argument("wheel", type=Path)
    names_command.add_argument("keras_wheel", type=Path, nargs="?")
    args = parser.parse_args(argv)
    if args.command == "build":
        return build(args.out, args.work, shlex.split(args.pip))
    names, uncovered = read_wheel(args.wheel, args.keras_wheel)
    print("\n".join(sorted(names)))
    for prefix in uncovered:
        print(f"not covered: {prefix}*", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
