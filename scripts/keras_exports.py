"""Which names of tf.keras's public API the standalone ``keras`` 2.x package does not export at
the same path (``from keras.optimizers import Adam`` fails in keras 2.6-2.8, where
``tf.keras.optimizers.Adam`` works).

Two steps, both run by a maintainer:

``python scripts/keras_exports.py probe OUT.json``
    run with the interpreter of an environment that has ``keras`` 2.x and ``tensorflow`` of the
    same minor installed: for every module of ``keras/api/_v2/keras`` (what tf.keras exposes),
    tries ``from keras.<module> import <name>`` and records each that fails, with its error.
    Standard library only.

``python scripts/keras_exports.py entries KERAS3_PYTHON OBSERVED.json...``
    reads the probes' outputs and writes, into src/tfdoctor/kb/data/api_changes.json, one
    ``name`` change per missing name (implementation ``keras``: tf.keras has it), its ``breaks``
    the releases where the probe proved it missing, and Keras 3 as well where the name does not
    resolve under KERAS3_PYTHON (an environment with Keras 3 installed: tests/lint/resolve_names.py
    is run there) and no curated entry says Keras 3 already; the probes' outputs are kept in
    src/tfdoctor/kb/data/keras_exports.json.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
API_CHANGES = ROOT / "src" / "tfdoctor" / "kb" / "data" / "api_changes.json"
OBSERVED = ROOT / "src" / "tfdoctor" / "kb" / "data" / "keras_exports.json"
_API_IMPORT = re.compile(r"^from [\w.]+ import (\w+)(?: as (\w+))?", re.MULTILINE)
# modules of tf.keras that are not a user's API (TensorFlow's own hooks into Keras)
_SKIPPED = ("keras.__internal__", "keras.dtensor")


def probe(out: str) -> int:
    import keras  # the environment's, not tfdoctor's
    import tensorflow

    base = Path(keras.__file__).parent / "api" / "_v2" / "keras"
    missing: list[list[str]] = []
    for init in sorted(base.rglob("__init__.py")):
        relative = init.parent.relative_to(base)
        if not relative.parts:
            continue
        module = "keras." + ".".join(relative.parts)
        if module.startswith(_SKIPPED):
            continue
        try:
            importlib.import_module(module)
        except Exception as error:  # any failure to import is what is recorded
            missing.append([module, "", f"{type(error).__name__}: {error}"])
            continue
        names = {alias or name for name, alias in _API_IMPORT.findall(init.read_text())}
        for name in sorted(n for n in names if not n.startswith("_")):
            try:
                exec(f"from {module} import {name}", {})  # a fixed import statement
            except Exception as error:
                missing.append([module, name, f"{type(error).__name__}: {error}"])
    result = {
        "keras": keras.__version__,
        "tensorflow": tensorflow.__version__,
        "python": sys.version.split()[0],
        "missing": missing,
    }
    Path(out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"keras {keras.__version__}: {len(missing)} names of tf.keras missing at their path")
    return 0


def _minor(version: str) -> tuple[int, int]:
    major, minor = version.split(".")[:2]
    return int(major), int(minor)


def _old(module: str, name: str) -> str:
    return f"{module}.{name}" if name else module


def _resolve_in(python: str, names: list[str]) -> dict[str, bool]:
    out = subprocess.run(
        [python, str(ROOT / "tests" / "lint" / "resolve_names.py")],
        input=json.dumps({"names": names}),
        capture_output=True,
        text=True,
        check=True,
        env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"},
    )
    resolved: dict[str, bool] = json.loads(out.stdout.strip().splitlines()[-1])
    return resolved


def derive(
    observed: list[dict[str, Any]],
    keras3: str,
    in_keras3: dict[str, bool],
    kept: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], int]:
    """The derived entries of the probes' runs (sorted by release), and how many names curated
    entries (``kept``) already say. Where a curated entry says what a name is in Keras 3, the
    derived one stops at Keras 3: two entries for one name and release would leave lint and
    explain the one written last, and the curated one says what to use in Keras 3."""
    minors = [_minor(o["keras"]) for o in observed]
    missing_in: dict[str, list[int]] = {}
    for index, run in enumerate(observed):
        for module, name, _error in run["missing"]:
            # "from keras.layers import experimental" and "import keras.layers.experimental" fail
            # alike: one entry for the module
            missing_in.setdefault(_old(module, name), [])
            if index not in missing_in[_old(module, name)]:
                missing_in[_old(module, name)].append(index)

    def curated_in(old: str, version: str, prefixes: bool = False) -> bool:
        return any(
            (c["old"] == old or (prefixes and old.startswith(c["old"] + ".")))
            and c.get("kind", "name") == "name"
            and "keras" in c.get("implementations", ["keras"])
            and Version(version) in SpecifierSet(c["breaks"])
            for c in kept
        )

    new = []
    skipped = 0
    for old, indexes in sorted(missing_in.items()):
        first, last = min(indexes), max(indexes)
        if indexes != list(range(first, last + 1)):
            continue  # missing, back, missing again: not one range
        since = "{}.{}".format(*minors[first])
        if curated_in(old, observed[first]["keras"]):
            skipped += 1  # a curated entry says it already (written from the wheels by hand)
            continue
        until = "{}.{}".format(*minors[last + 1]) if last + 1 < len(minors) else "3"
        releases = ", ".join(observed[i]["keras"] for i in indexes)
        breaks = f">={since},<{until}"
        replacement, fix = "tensorflow." + old, "rename"
        if not in_keras3[old] and not curated_in(old, keras3, prefixes=True):
            # gone again in Keras 3: every release from `since` on but the ones that have it
            kept_minors = range(last + 1, len(minors))
            breaks = f">={since}" + "".join(",!={}.{}.*".format(*minors[i]) for i in kept_minors)
            releases += f" and Keras {keras3}"
            # tf.keras is Keras 3 there too: the Keras 2 name lives on in tf-keras
            last_minor = "{}.{}".format(*minors[last])
            replacement = (
                f"tensorflow.{old} (keras {since}-{last_minor}); "
                f"tf_keras{old[len('keras') :]} (tf-keras) under Keras 3"
            )
            fix = "manual"
        new.append(
            {
                "id": f"name:{old}@keras{since}",
                "kind": "name",
                "old": old,
                "package": "keras",
                "breaks": breaks,
                "replacement": replacement,
                "fix": fix,
                "note": (
                    f"the standalone keras package does not export `{old}` at this path "
                    f"(proven in keras {releases}, each with tensorflow-cpu of the same minor: "
                    f"the import fails); tf.keras has it there"
                ),
                "source": f"https://github.com/keras-team/keras/tree/v{observed[first]['keras']}"
                "/keras",
                "implementations": ["keras"],
                "derived_by": "scripts/keras_exports.py",
            }
        )
    return new, skipped


def entries(keras3_python: str, paths: list[str]) -> int:
    keras3 = subprocess.run(
        [keras3_python, "-c", "import keras; print(keras.__version__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    observed = [json.loads(Path(p).read_text(encoding="utf-8")) for p in paths]
    observed.sort(key=lambda o: _minor(o["keras"]))
    data = json.loads(API_CHANGES.read_text(encoding="utf-8"))
    changes = data["changes"]
    generated = [c for c in changes if c.get("derived_by") == "scripts/keras_exports.py"]
    kept = [c for c in changes if c.get("derived_by") != "scripts/keras_exports.py"]
    names = sorted({_old(m, n) for run in observed for m, n, _e in run["missing"]})
    in_keras3 = _resolve_in(keras3_python, names)
    new, skipped = derive(observed, keras3, in_keras3, kept)
    data["changes"] = kept + new
    API_CHANGES.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    OBSERVED.write_text(
        json.dumps(
            {
                "command": "python scripts/keras_exports.py probe OUT.json (in each environment)",
                "runs": [{k: v for k, v in run.items()} for run in observed],
                "keras3": {"keras": keras3, "resolves": in_keras3},
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"{len(new)} entries written ({len(generated)} replaced), {skipped} said by curated ones")
    return 0


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "probe":
        return probe(argv[1])
    if len(argv) >= 3 and argv[0] == "entries":
        return entries(argv[1], argv[2:])
    print(__doc__)
    return 2


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.exit(main(sys.argv[1:]))
