"""Fill the fix templates of a signature with facts about the environment.

``facts`` is a flat map of strings that the caller fills from the environment it knows, e.g.
``{"tensorflow": "2.15.1", "tensorflow_dist": "tensorflow-cpu", "keras": "3.3.3",
"numpy": "2.0.2", "installer": "pip", "python": "3.11"}``. Missing or empty values are unknown.

A fix template is a list of alternatives; the first one whose placeholders are all known is used,
so the data always ends each list with an alternative that needs no facts (only ``{pip}``). A step
that starts with ``#`` is an instruction for a person, not a command to run.

Most fixes pin the installed TensorFlow: ``pip install "<dist>==<installed version>"`` makes the
resolver bring keras, numpy and protobuf back into the ranges that TensorFlow declares. Checked
with pip 23.2.1 and uv 0.13.9 on tensorflow-cpu 2.15.1 with keras 3.6.0, numpy 2.0.2 and
protobuf 3.19.6 forced: both would install keras 2.15.0, numpy 1.26.4 and protobuf 4.25.9.
``tensorflow_dist`` defaults to ``tensorflow``: callers should give the installed distribution
(``tensorflow-cpu``, ``tensorflow-macos``...) so that the pin does not add a second one.

``target`` is the environment's interpreter as one shell word (tfdoctor.envfacts writes it):
with it every command is aimed at that environment, whatever is active where it is pasted:
``uv pip install`` gets ``--python TARGET`` (without it uv installs into the active venv, or a
``.venv`` of the working directory), ``{pip}`` is ``TARGET -m pip`` for the other installers, and
a step that starts with ``python`` or ``tfdoctor check`` runs TARGET / checks it.

Derived facts come from the knowledge base (tfdoctor.kb, loaded only when a TensorFlow version is
known): ``keras_req`` is the keras range that TensorFlow release declares (narrowed by curated
constraints), ``tf_keras_req`` the tf-keras of its major.minor, ``numpy_req`` the NumPy range it
declares and its compiled code accepts.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence

_VERSION = re.compile(r"^(\d+)\.(\d+)")
_FORMATTER = string.Formatter()
# What a version, a distribution name or an installer is made of. The facts come from the
# environment's metadata, which anyone may have written, and the templates put them between
# double quotes, where the shell still expands $(...) and backticks: a value with any other
# character is unknown rather than pasted into a command.
_PLAIN = re.compile(r"^[A-Za-z0-9._+!-]{1,100}$")
# facts that are command words already quoted by tfdoctor itself (shellwords.word), not metadata
_COMMAND_FACTS = ("pip", "target")
_UV_PIP = re.compile(r"(?<![\w-])uv pip (?:install|uninstall|check|list|show|freeze|tree)(?![\w-])")


def _minor(version: str) -> tuple[int, int] | None:
    found = _VERSION.match(version.strip())
    if found is None:
        return None
    return int(found.group(1)), int(found.group(2))


def derive(facts: Mapping[str, str] | None) -> dict[str, str]:
    """The facts given plus those derived from them; unknown values are left out."""
    known = {
        key: value.strip()
        for key, value in (facts or {}).items()
        if value.strip() and (key in _COMMAND_FACTS or _PLAIN.match(value.strip()))
    }
    installer = known.get("installer", "")
    target = known.get("target", "")
    if "pip" not in known:
        if installer == "uv":
            known["pip"] = "uv pip"
        else:
            known["pip"] = f"{target} -m pip" if target else "python -m pip"
    known.setdefault("tensorflow_dist", "tensorflow")
    tf_minor = _minor(known.get("tensorflow", ""))
    if tf_minor is not None:
        major, minor = tf_minor
        known["tensorflow_minor"] = f"{major}.{minor}"
        known["tensorflow_next_minor"] = f"{major}.{minor + 1}"
        known.update(_requirements(known["tensorflow"]))
    return known


def _requirements(tensorflow: str) -> dict[str, str]:
    from tfdoctor.explain import knowledge

    release = knowledge.kb().tensorflow(tensorflow)
    if release is None:
        return {}
    out: dict[str, str] = {}
    keras = release.spec("keras")
    if keras:
        out["keras_req"] = f"keras{keras}"
    if release.tf_keras_spec:
        out["tf_keras_req"] = f"tf-keras{release.tf_keras_spec}"
    numpy = release.spec("numpy")
    if numpy:
        out["numpy_req"] = f"numpy{numpy}"
    return out


def _placeholders(template: str) -> list[str]:
    return [name for _, name, _, _ in _FORMATTER.parse(template) if name]


def render(alternatives: Sequence[str], facts: Mapping[str, str]) -> str | None:
    """The first alternative whose placeholders are all in ``facts`` (already derived)."""
    for template in alternatives:
        if all(name in facts for name in _placeholders(template)):
            command = template.format_map(facts)
            target = facts.get("target", "")
            return _aimed(command, target) if target else command
    return None


def _aimed(command: str, target: str) -> str:
    """``command`` aimed at the environment whose interpreter is ``target`` (a shell word)."""
    if command.startswith("#"):
        return command  # an instruction for a person
    command = _UV_PIP.sub(lambda found: f"{found.group(0)} --python {target}", command)
    if command.startswith("python "):
        return f"{target} {command[len('python ') :]}"
    if command == "tfdoctor check" or command.startswith("tfdoctor check --deep"):
        return f"tfdoctor check --python {target}{command[len('tfdoctor check') :]}"
    return command


def placeholders_of(alternatives: Sequence[str]) -> set[str]:
    """Every placeholder the alternatives use (for validating the data)."""
    return {name for template in alternatives for name in _placeholders(template)}


KNOWN_PLACEHOLDERS: frozenset[str] = frozenset(
    {
        "pip",
        "python",
        "tensorflow",
        "tensorflow_dist",
        "tensorflow_minor",
        "tensorflow_next_minor",
        "keras",
        "keras_req",
        "tf_keras",
        "tf_keras_req",
        "numpy",
        "numpy_req",
        "protobuf",
        "installer",
    }
)
