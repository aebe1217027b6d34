"""``python -m tfdoctor.kb tf-ops``: the ops TensorFlow itself registers (its ``tf.raw_ops``).

"Op type not registered 'X'" has two readings: X comes from a package built on TensorFlow
(tensorflow-text, -decision-forests, -io...) that is missing or built for another TensorFlow, or X
is an op of TensorFlow itself that a newer TensorFlow added, so the graph (a SavedModel) was
written by a newer TensorFlow than the one loading it. The op names TensorFlow registers tell the
two apart. This command reads them from an installed TensorFlow (every generated op wrapper,
``gen_*.py``, exports its op as ``tf.raw_ops.<Op>``) and writes them into
``knowledge.tf_core_ops`` of signatures.json. Run it against the newest TensorFlow release.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tfdoctor.kb.keras_internals import write_knowledge

_RAW_OP = re.compile(r"""tf_export\(\s*["']raw_ops\.(\w+)["']""")


def raw_ops_in(source: str) -> set[str]:
    """The op names one generated wrapper module exports as ``tf.raw_ops``."""
    return set(_RAW_OP.findall(source))


def _version(package: Path) -> str:
    """``<distribution> <version>`` of the distribution that installed the package: the one
    whose RECORD lists tensorflow/__init__.py (tensorflow-cpu, -macos, tf-nightly...), not
    another tensorflow_* beside it (tensorflow_estimator, tensorflow_io_gcs_filesystem)."""
    site = package.parent
    for dist in sorted([*site.glob("tensorflow*.dist-info"), *site.glob("tf_nightly*.dist-info")]):
        record = dist / "RECORD"
        if not record.is_file() or not any(
            line.startswith("tensorflow/__init__.py,")
            for line in record.read_text(encoding="utf-8", errors="replace").splitlines()
        ):
            continue
        for line in (dist / "METADATA").read_text(encoding="utf-8").splitlines():
            if line.startswith("Version:"):
                return f"{dist.name.split('-')[0]} {line.split(':', 1)[1].strip()}"
    return "tensorflow"


def collect(site_packages: Path) -> dict[str, Any]:
    package = site_packages / "tensorflow"
    if not (package / "__init__.py").is_file():
        raise FileNotFoundError(f"no tensorflow package in {site_packages}")
    names: set[str] = set()
    for path in sorted(package.rglob("gen_*.py")):
        names |= raw_ops_in(path.read_text(encoding="utf-8", errors="replace"))
    return {
        "names": sorted(names),
        "source": f"{_version(package)} (the wheel from the registry): tf.raw_ops exported by "
        "its generated op wrappers, tensorflow/**/gen_*.py",
        "command": "python -m tfdoctor.kb tf-ops --site-packages <site-packages of that TensorFlow>",
    }


def main(site_packages: Path, signatures: Path) -> int:
    knowledge = collect(site_packages)
    write_knowledge(signatures, {"tf_core_ops": knowledge})
    print(f"wrote {len(knowledge['names'])} ops to {signatures}")
    return 0
