# ruff: noqa: UP010, UP031 -- the probe step runs under CPython 2.7 (the 0.12 and 1.0 wheels)
"""The public TensorFlow names that TensorFlow 1.0 removed or renamed (``tf.mul``, ``tf.pack``,
``tf.scalar_summary``, ``tf.nn.rnn_cell``...), found by listing the API of the 0.12 and 1.0
wheels.

Two steps, both run by a maintainer (the wheels are for CPython 2.7 and 3.5):

``python2.7 scripts/tf1_renames.py probe SITE OUT.json``
    with ``tensorflow==X`` installed under SITE (``pip install --target SITE``): every public
    name reachable from ``tensorflow`` through its public modules (``tf.nn``, ``tf.nn.rnn_cell``,
    ``tf.train``..., ``tf.contrib`` left out: TF 2 removed it whole), with, for each function or
    class, an identity key (module and qualified name of the object) so that a name and its
    new spelling in the same release can be matched. Standard library only; Python 2 and 3.

``python scripts/tf1_renames.py entries OLD.json NEW.json``
    writes one ``name`` change (``breaks: >=1.0``, ``derived_by`` set) into
    src/tfdoctor/kb/data/api_changes.json for each name of OLD missing from NEW, its replacement
    the name of NEW that OLD already had for the same object (0.12 shipped the new spellings
    beside the old ones: ``tf.multiply`` is ``tf.mul``'s object) or the same module moved
    (``tf.nn.rnn_cell`` -> ``tf.contrib.rnn``), else "" (see the TensorFlow 1.0 release notes).
    The runs are kept in src/tfdoctor/kb/data/tf1_renames.json.
"""

from __future__ import print_function

import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
API_CHANGES = os.path.join(ROOT, "src", "tfdoctor", "kb", "data", "api_changes.json")
OBSERVED = os.path.join(ROOT, "src", "tfdoctor", "kb", "data", "tf1_renames.json")
DERIVED_BY = "scripts/tf1_renames.py"
SOURCE = "https://github.com/tensorflow/tensorflow/releases/tag/v1.0.0"
_SKIPPED = frozenset(["contrib", "python", "core", "tools", "compiler", "models", "examples"])
# modules moved whole to contrib in 1.0 (the release notes), with where their names went
_MOVED_MODULES = {
    "tensorflow.nn.rnn_cell": "tensorflow.contrib.rnn",
    "tensorflow.nn.seq2seq": "tensorflow.contrib.legacy_seq2seq",
}


# what the TensorFlow 1.0 release notes (SOURCE) name as the new spelling, where 0.12 did not
# already ship it as the same object
_DOCUMENTED = {
    "tensorflow.neg": "tensorflow.negative",
    "tensorflow.pack": "tensorflow.stack",
    "tensorflow.unpack": "tensorflow.unstack",
    "tensorflow.select": "tensorflow.where",
    "tensorflow.batch_matmul": "tensorflow.matmul",
    "tensorflow.complex_abs": "tensorflow.abs",
    "tensorflow.concat_v2": "tensorflow.concat",
    "tensorflow.split_v": "tensorflow.split",
    "tensorflow.scalar_summary": "tensorflow.summary.scalar",
    "tensorflow.histogram_summary": "tensorflow.summary.histogram",
    "tensorflow.image_summary": "tensorflow.summary.image",
    "tensorflow.audio_summary": "tensorflow.summary.audio",
    "tensorflow.merge_summary": "tensorflow.summary.merge",
    "tensorflow.merge_all_summaries": "tensorflow.summary.merge_all",
    "tensorflow.train.SummaryWriter": "tensorflow.summary.FileWriter",
    "tensorflow.train.SummaryWriterCache": "tensorflow.summary.FileWriterCache",
    "tensorflow.nn.rnn": "tensorflow.contrib.rnn.static_rnn",
    "tensorflow.nn.bidirectional_rnn": "tensorflow.contrib.rnn.static_bidirectional_rnn",
    "tensorflow.nn.state_saving_rnn": "tensorflow.contrib.rnn.static_state_saving_rnn",
}


# of those, the ones --fix may rename mechanically: the same operation under its new name in
# TensorFlow 1 and 2 alike (the summaries and RNN functions moved to APIs that TensorFlow 2 changed
# again, and tf.where broadcasts in TensorFlow 2: rewritten by hand)
_SAFE_RENAMES = frozenset(
    {
        "tensorflow.neg",
        "tensorflow.pack",
        "tensorflow.unpack",
        "tensorflow.batch_matmul",
        "tensorflow.complex_abs",
        "tensorflow.concat_v2",
        "tensorflow.split_v",
    }
)


def _key(obj):
    module = getattr(obj, "__module__", None)
    name = getattr(obj, "__name__", None)
    if not module or not name:
        return ""
    return "%s.%s" % (module, name)


def probe(site, out):
    import site as site_module
    import types

    site_module.addsitedir(site)
    import tensorflow as tf

    names = {}
    seen = set()

    def walk(module, dotted, depth):
        if id(module) in seen or depth > 3:
            return
        seen.add(id(module))
        for attr in sorted(dir(module)):
            if attr.startswith("_"):
                continue
            if depth == 0 and attr in _SKIPPED:
                continue
            try:
                obj = getattr(module, attr)
            except Exception:  # a lazy attribute that fails to load is simply not listed
                continue
            full = dotted + "." + attr
            if getattr(obj, "__class__", type(obj)).__name__ == "_Feature":
                continue  # `from __future__ import division` leaking into a module
            if isinstance(obj, types.ModuleType):
                if not getattr(obj, "__name__", "").startswith("tensorflow"):
                    continue  # numpy, six... re-exported by a module
                if depth > 0 and full not in _MOVED_MODULES:
                    continue  # the implementation modules a public module imported
                names[full] = "module"
                walk(obj, full, depth + 1)
            else:
                names[full] = _key(obj)

    walk(tf, "tensorflow", 0)
    with open(out, "w") as handle:
        json.dump(
            {"tensorflow": tf.__version__, "python": sys.version.split()[0], "names": names},
            handle,
            indent=1,
            sort_keys=True,
        )
    print("tensorflow %s: %d names" % (tf.__version__, len(names)))
    return 0


def derive(old, new):
    old_names, new_names = old["names"], new["names"]
    by_key = {}
    for name, key in old_names.items():
        if key and key != "module" and name in new_names:
            by_key.setdefault(key, []).append(name)
    entries = []
    for name in sorted(set(old_names) - set(new_names)):
        parent = name.rsplit(".", 1)[0]
        if parent in old_names and parent not in new_names:
            continue  # a whole module is gone: its entry covers the names in it
        key = old_names[name]
        survivors = sorted(by_key.get(key, [])) if key and key != "module" else []
        replacement = survivors[0] if survivors else ""
        if not replacement and name in _DOCUMENTED:
            replacement = _DOCUMENTED[name]
            documented = _DOCUMENTED[name]
            if not documented.startswith("tensorflow.contrib.") and documented not in new_names:
                raise SystemExit("%s is not in tensorflow %s" % (documented, new["tensorflow"]))
        if not replacement:
            for module, moved in _MOVED_MODULES.items():
                if name == module or name.startswith(module + "."):
                    replacement = moved + name[len(module) :]
        entries.append(
            {
                "id": "name:%s@tf1.0" % name,
                "kind": "name",
                "old": name,
                "package": "tensorflow",
                "breaks": ">=1.0",
                "replacement": replacement or "see the TensorFlow 1.0 release notes",
                "fix": "rename" if survivors or name in _SAFE_RENAMES else "manual",
                "note": "in tensorflow %s, not in %s (derived by listing both releases' API%s)"
                % (
                    old["tensorflow"],
                    new["tensorflow"],
                    "; %s already had the object as %s" % (old["tensorflow"], replacement)
                    if survivors
                    else "; the release notes name %s" % replacement
                    if name in _DOCUMENTED
                    else "",
                ),
                "source": SOURCE,
                "derived_by": DERIVED_BY,
            }
        )
    return entries


def entries(old_path, new_path):
    with open(old_path) as handle:
        old = json.load(handle)
    with open(new_path) as handle:
        new = json.load(handle)
    with open(API_CHANGES) as handle:
        data = json.load(handle)
    kept = [c for c in data["changes"] if c.get("derived_by") != DERIVED_BY]
    curated = {c["old"] for c in kept if c.get("kind") == "name"}
    new_entries = [e for e in derive(old, new) if e["old"] not in curated]
    data["changes"] = kept + new_entries
    with open(API_CHANGES, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    gone = sorted(set(old["names"]) - set(new["names"]))
    observed = {
        "command": "python2.7 scripts/tf1_renames.py probe SITE OUT.json (tensorflow 0.12.1 and "
        "1.0.1 installed with pip install --target SITE), then entries OLD.json NEW.json",
        "old": {
            "tensorflow": old["tensorflow"],
            "python": old["python"],
            "names": len(old["names"]),
        },
        "new": {
            "tensorflow": new["tensorflow"],
            "python": new["python"],
            "names": len(new["names"]),
        },
        "gone": {name: old["names"][name] for name in gone},
        "kept_with_new_spelling": {
            name: old["names"][name]
            for name in sorted(set(old["names"]) & set(new["names"]))
            if old["names"][name] and old["names"][name] in {old["names"][g] for g in gone}
        },
    }
    with open(OBSERVED, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(observed, indent=1) + "\n")
    print("%d entries written (%d names gone)" % (len(new_entries), len(gone)))
    return 0


def main(argv):
    if len(argv) == 3 and argv[0] == "probe":
        return probe(argv[1], argv[2])
    if len(argv) == 3 and argv[0] == "entries":
        return entries(argv[1], argv[2])
    print(__doc__)
    return 2


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.exit(main(sys.argv[1:]))
