"""Families: what an error message names, looked up in the knowledge instead of matched case by case.

A message names something that is missing (``No module named 'keras.engine'``, ``cannot import
name 'dtensor' from 'tensorflow.compat.v2.experimental'``, ``module 'tensorflow' has no attribute
'Session'``, ``'Sequential' object has no attribute 'predict_classes'``, an unrecognised keyword)
or a requirement that is not met (pip's and uv's resolver lines). Which root cause that is depends
on *what* is missing and *whose code* asked for it:

* a Keras or TensorFlow API in the API-change table that lint uses (kb/data/api_changes.json) is
  code written for another release (``removed-api``) -- unless Keras's own code asks TensorFlow
  for it: then Keras and TensorFlow are from different releases (``keras-version-mismatch``);
* TensorFlow internals (``tensorflow.python.*``, ``tf.__internal__``, ``dtensor``) are only used by
  the packages built with TensorFlow: Keras (``keras-version-mismatch``), tf-keras
  (``tf-keras-mismatch``), or a package built on them (``dependent-package-incompatible``);
* Keras internals (``keras.src.*``) of Keras 3 only, asked for by code under Keras 2: the Keras is
  older than the code needs; of Keras 2 only, under Keras 3: a package written against Keras 2;
* NumPy, protobuf and ml_dtypes names: the compiled packages and the installed release disagree;
* a core TensorFlow name (``tf.Variable``) missing from ``tensorflow``: a local ``tensorflow.py``
  (when the traceback shows one) or a hollow installation;
* a top-level package that is not there: not installed.

Each result names a family id; what it says (title, why, fix, source) is data in
kb/data/signatures.json ("families"), and how often each family's cause was right on the
corpus's training part is its confidence.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from tfdoctor.explain import knowledge
from tfdoctor.explain.frames import SitePath, keras_kind, site_path
from tfdoctor.tfnames import normalize_tf_name

_NO_MODULE = re.compile(r"[Nn]o module named ['\"`]?([A-Za-z_][\w.]{0,200})")
_CANNOT_IMPORT = re.compile(
    r"[Cc]an ?not import name ['\"`]?(\w{1,100})['\"`]?(?: from ['\"`]?([A-Za-z_][\w.]{0,200}))?"
)
_MODULE_ATTR = re.compile(
    r"(?:\bmodule ['\"]?([A-Za-z_][\w.]{0,200})['\"]?|(?<![\w.'\"])([A-Za-z_]\w{0,60}(?:\.\w{1,60}){1,12}))"
    r" has no attribute ['\"](\w{1,100})"
)
_NOT_A_PACKAGE = re.compile(r"['\"]([A-Za-z_][\w.]{0,200})['\"] is not a package")
_PY2_MODULE_ATTR = re.compile(r"'module' object has no attribute '(\w{1,100})'")
_OBJECT_ATTR = re.compile(r"'(\w{1,100})' object has no attribute '(\w{1,100})'")
_KEYWORD = re.compile(
    r"(?:Unrecognized keyword arguments?(?: passed to \w{1,100})?|Argument\(s\) not recognized"
    r"|Keyword argument not understood|got an unexpected keyword argument)"
    # Keras 2.x before 2.2 raised TypeError('Keyword argument not understood:', kwarg), printed
    # as a tuple: ('Keyword argument not understood:', 'data_format')
    r"[^'\"]{0,20}(?:['\"],\s{0,3})?['\"](\w{1,100})['\"]"
)
# "cannot import name 'Random' from 'random' (/home/me/random.py)": the file Python took the
# module from (Python >= 3.8 names it)
_IMPORTED_FROM = re.compile(
    r"[Cc]annot import name ['\"]?\w{1,100}['\"]? from (?:partially initialized module )?"
    r"['\"](\w{1,100})['\"][^(\n]{0,80}\(([^()\n]{1,400})\)"
)
_PARTIAL_OR_ATTR = re.compile(
    r"(?:partially initialized module|module) ['\"](\w{1,100})['\"] has no attribute"
)
# modules that a file of the user's must not be named like: the standard library's (Python >= 3.10
# lists them) and the stack's own top-level packages
_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) - {"__main__", "test", "this"}
_STACK_MODULES = frozenset(
    {"numpy", "google", "h5py", "scipy", "six", "absl", "wrapt", "typing_extensions", "ml_dtypes"}
)
_IMPORT_STATEMENT = re.compile(r"^\s*(?:from\s+([\w.]{1,200})\s+import\b|import\s+([\w.]{1,200}))")

# Keras implementations, by the dotted prefix that reaches them; longest first. The name below
# the prefix is the Keras API name (keras.*) that the API-change table is written in.
_KERAS_PREFIXES: tuple[tuple[str, str], ...] = (
    ("tensorflow.compat.v2.keras", "tf.keras"),
    ("tensorflow.compat.v1.keras", "tf.compat.v1.keras"),
    ("tensorflow_core.keras", "tf.keras"),
    ("tensorflow.keras", "tf.keras"),
    ("keras.api._v2.keras", "tf.keras"),
    ("keras.api._v1.keras", "tf.compat.v1.keras"),
    ("keras._tf_keras.keras", "tf.keras"),
    ("tf_keras", "tf-keras"),
    ("keras", "keras"),
)
# Frames that only pass an error on or look a name up for someone else: the caller is further out.
_RELAY_FILES = (
    "traceback_utils.py",
    "lazy_loader.py",
    "module_wrapper.py",
    "deprecation.py",
    "dispatch.py",
    "tf_decorator.py",
    "virtual_root_template_v2.__init__.py",
)
_TF_PACKAGES = ("tensorflow", "tensorflow_core")
# The libraries Keras runs on; Keras imports one only when it is configured as the backend.
_BACKEND_LIBRARIES = ("tensorflow", "jax", "torch", "theano", "cntk", "openvino", "mlx")
_KERAS_PACKAGES = ("keras",)
# Frames of Keras reading a saved model: an error raised below them is about the file's contents.
_LOADING_FUNCTIONS = frozenset(
    {
        "load_model",
        "model_from_json",
        "model_from_config",
        "model_from_yaml",
        "deserialize_keras_object",
        "from_config",
        "load_model_from_hdf5",
        "_deserialize_model",
    }
)
_LOADING_FILES = ("/saving/", "saving_api.py", "hdf5_format.py", "saving_lib.py")
# the implementation names of the API-change table (lint's) for those above
_LINT_IMPLEMENTATION = {"tf-keras": "tf_keras", "tf.compat.v1.keras": "tf.keras"}


class Frame(NamedTuple):
    """One frame of a traceback, as far as its line shows it."""

    site: SitePath | None  # a file under site-packages
    user: str  # another file (the user's own code), "" when the frame is in site-packages
    function: str  # the function it ran, "" when not shown

    @property
    def package(self) -> str:
        return self.site.package if self.site else ""


class Hit(NamedTuple):
    family: str
    detail: str = ""  # what the knowledge adds: the replacement, the release, the package
    # (package, specifier) of the API change the hit rests on: a version of that package stated
    # anywhere in the text (after the message too) outside the specifier withdraws the hit
    breaks: tuple[str, str] | None = None


class Context(NamedTuple):
    frames: Sequence[Frame]
    versions: Mapping[str, str]  # package -> version stated in the text
    shadow: str  # a local tensorflow.py/keras.py named in the traceback, "" when none
    layout: Mapping[str, frozenset[str]]  # keras.src modules: "keras3" / "keras2" only
    tf_core: frozenset[str]  # names every TensorFlow 2.x has at the top level
    last_import: str  # the module of the last `from X import` source line shown, "" none
    last_source: str = ""  # the source line shown under the last frame line
    multibackend: bool = False  # the text shows multi-backend Keras ("Using TensorFlow backend.")
    loading: bool = False  # the traceback runs through Keras's loading of a saved model
    saved_keys: frozenset[str] = frozenset()  # config keys only another Keras writes to a file
    keras_internals: frozenset[str] = frozenset()  # TensorFlow internals some Keras imports
    keras_helpers: frozenset[str] = frozenset()  # backend/utils functions some Keras defines
    keras_builtins: frozenset[str] = frozenset()  # class names of Keras's built-in objects


def is_loading(frame: Frame) -> bool:
    """Whether a frame is Keras reading a saved model (its config, its layers)."""
    if frame.function in _LOADING_FUNCTIONS:
        return True
    site = frame.site
    return site is not None and keras_kind_of(site) and any(f in site.rel for f in _LOADING_FILES)


def keras_kind_of(site: SitePath) -> bool:
    return site.package in (*_KERAS_PACKAGES, "tf_keras") or "/python/keras/" in site.rel


def _caller(frames: Sequence[Frame]) -> Frame | None:
    """The innermost frame that ran the code asking for the name (relay frames skipped)."""
    for frame in reversed(frames):
        if frame.site is not None:
            rel = frame.site.rel
            if rel.endswith(_RELAY_FILES) or frame.function == "__getattr__":
                continue
        elif frame.user.startswith("<frozen") or not frame.user:
            continue
        elif frame.user.replace("\\", "/").endswith("/importlib/__init__.py"):
            continue  # importlib.import_module relays for whoever called it
        return frame
    return None


def _caller_kind(frames: Sequence[Frame]) -> str:
    """keras | tf-keras | tensorflow | dependent | other-package | user | "" (no frames)."""
    frame = _caller(frames)
    return "" if frame is None else _kind_of(frame)


def _kind_of(frame: Frame) -> str:
    if frame.site is None:
        return "user"
    package = frame.site.package
    if package in _KERAS_PACKAGES:
        return "keras"
    if package == "tf_keras":
        return "tf-keras"
    if package in _TF_PACKAGES:
        return "keras" if "/python/keras/" in frame.site.rel else "tensorflow"
    if package in knowledge.dependent_imports():
        return "dependent"
    return "other-package"


def _client_kind(frames: Sequence[Frame]) -> str:
    """Whose code called into Keras or TensorFlow: the kind (user | dependent |
    other-package) of the innermost frame outside them; "" when the frames do not show it."""
    for frame in reversed(frames):
        if frame.site is None and (frame.user.startswith("<frozen") or not frame.user):
            continue
        kind = _kind_of(frame)
        if kind in ("keras", "tf-keras", "tensorflow"):
            continue
        return kind
    return ""


def _from_package(ctx: Context) -> bool:
    """Whether a package (not the user's code) asked Keras/TensorFlow for what is missing."""
    return _client_kind(ctx.frames) in ("dependent", "other-package")


def keras_name(dotted: str) -> tuple[str, str] | None:
    """(``keras.*`` name, implementation) for a dotted name inside a Keras; None otherwise."""
    for prefix, impl in _KERAS_PREFIXES:
        if dotted == prefix or dotted.startswith(prefix + "."):
            return "keras" + dotted[len(prefix) :], impl
    return None


def _tf_public(dotted: str) -> str | None:
    """``tensorflow.X`` for a public TensorFlow name (compat.v2 and tensorflow_core folded)."""
    for prefix in ("tensorflow.compat.v2", "tensorflow_core", "tensorflow"):
        if dotted == prefix or dotted.startswith(prefix + "."):
            return "tensorflow" + dotted[len(prefix) :]
    return None


_PRIVATE_PARTS = frozenset({"python", "core", "__internal__", "dtensor", "tsl"})


def keras_uses(name: str, internals: frozenset[str]) -> bool:
    """Whether some Keras release imports the TensorFlow internal ``name`` (or a name inside
    it). A name that is public once spelled plainly (``tensorflow._api.v1.compat.v2`` is
    ``tf.compat.v2``) counts as used: every Keras uses TensorFlow's public API."""
    wanted = normalize_tf_name(name)
    if not _PRIVATE_PARTS & set(wanted.split(".")):
        return True
    return wanted in internals or any(n.startswith(wanted + ".") for n in internals)


def _is_tf_internal(dotted: str) -> bool:
    public = _tf_public(dotted)
    if public is None:
        return False
    parts = public.split(".")[1:]
    if parts[:1] == ["_api"] and len(parts) >= 3 and parts[1] in ("v1", "v2"):
        # tensorflow._api.v2.distribute is the generated module of the public tf.distribute
        parts = parts[2:]
    return bool(parts) and (
        parts[0] in ("python", "core", "_api", "tsl", "__internal__", "lite")
        or "__internal__" in parts
        or any(p.startswith("_") and not p.startswith("__") for p in parts)
        or (len(parts) >= 3 and parts[0] == "compat" and parts[2] == "experimental")
        or (parts[0] == "experimental" and "dtensor" in parts)
    )


def missing(module: str, name: str, ctx: Context) -> list[Hit]:
    """Hits for a missing ``name`` of ``module`` (name "" when a whole module is missing)."""
    hits = _missing(_generated_api(module, name), name, ctx)
    if ctx.shadow and not any(h.family == "shadow-local-file" for h in hits):
        hits.append(Hit("shadow-local-file", f"`{ctx.shadow}` is imported instead of the package"))
    return hits


# TensorFlow 2 builds its public modules under tensorflow._api.v2 (``module
# 'tensorflow._api.v2.train' has no attribute 'AdamOptimizer'`` is ``tf.train.AdamOptimizer``)
_GENERATED_API = re.compile(r"^(?:tensorflow|tensorflow_core)\._api\.v2(?=\.|$)")


_PUBLIC_IMPLEMENTATIONS = {"tensorflow.python.ops.nn": "tensorflow.nn"}


def _generated_api(module: str, name: str) -> str:
    """The public name of a module of TensorFlow's generated API (``tensorflow._api.v2.train`` ->
    ``tensorflow.train``) when the API-change table knows the missing name there; other modules,
    and names the table does not know (which the internal-module rules place by who asked),
    unchanged."""
    folded = _GENERATED_API.sub("tensorflow", module, count=1)
    if module in _PUBLIC_IMPLEMENTATIONS:
        # TensorFlow 1.x's tf.nn *is* tensorflow.python.ops.nn: its name in messages
        folded = _PUBLIC_IMPLEMENTATIONS[module]
    if folded == module:
        return module
    return folded if knowledge.find_name(f"{folded}.{name}" if name else folded) else module


def _missing(module: str, name: str, ctx: Context) -> list[Hit]:
    full = f"{module}.{name}" if name else module
    top = module.split(".", 1)[0]
    if top == "numpy":
        return [Hit("numpy-name-missing", f"{full} is missing from the installed NumPy")]
    if module.startswith(("google.protobuf", "google._upb")):
        return [Hit("protobuf-name-missing", f"{full} is missing from the installed protobuf")]
    if top == "ml_dtypes":
        return [Hit("ml-dtypes-name-missing", f"{full} is missing from the installed ml_dtypes")]
    if "." not in full:
        return _top_level(full, ctx)
    keras = keras_name(full)
    if keras is not None:
        return _keras(keras[0], keras[1], full, name, ctx)
    if _tf_public(full) is not None:
        return _tensorflow(full, name, ctx)
    if top in knowledge.dependent_imports():
        return [Hit("dependent-name-missing", f"`{full}` is missing from {top}")]
    return []


def _top_level(module: str, ctx: Context) -> list[Hit]:
    caller = _caller(ctx.frames)
    if (
        caller is not None
        and caller.site is not None
        and (
            _is_backend_module(caller.site.rel)
            or (caller.site.package in _KERAS_PACKAGES and module in _BACKEND_LIBRARIES)
        )
    ):
        return [Hit("backend-module-missing", f"Keras's {caller.site.rel} imports `{module}`")]
    if ctx.multibackend and module == "tensorflow" and not ctx.frames:
        return [
            Hit("backend-module-missing", "multi-backend Keras is set to the TensorFlow backend")
        ]
    if module in ("tensorflow", "keras"):
        return [Hit("top-module-missing", f"`{module}` is not installed where this Python looks")]
    if module == "tf_keras":
        return [Hit("tf-keras-missing")]
    if module.endswith("_backend"):
        return []  # a backend module of multi-backend Keras, or the code's own: not a package
    if module in knowledge.dependent_imports() or module.startswith(("tensorflow_", "keras_")):
        return [Hit("stack-module-missing", f"`{module}` is not installed")]
    if module in ("_pywrap_tensorflow_internal", "pywrap_tensorflow"):
        return [Hit("tf-native-module-missing")]
    return []


def _is_backend_module(rel: str) -> bool:
    """A backend module of Keras: multi-backend Keras's keras/backend/*_backend.py, Keras 3's
    keras/src/backend/<name>/..."""
    lowered = rel.lower()
    return (lowered.startswith("keras/backend/") and lowered.endswith("_backend.py")) or (
        lowered.startswith("keras/src/backend/")
        and lowered.split("/")[3:4] != ["common"]
        and lowered.count("/") >= 4
    )


def _keras(name: str, impl: str, full: str, attribute: str, ctx: Context) -> list[Hit]:
    if attribute == "__version__" and impl in ("tf.keras", "tf-keras", "tf-bundled-keras"):
        return [Hit("tf-keras-version-attribute")]
    if impl == "tf.compat.v1.keras":
        return []
    asker = _caller(ctx.frames)
    if name.startswith("keras.src") and impl == "keras" and asker is not None and is_loading(asker):
        # Keras's loader imports the module a saved file's config names: the file was written
        # by another Keras line (its own message says so: keras-saved-by-other-line)
        return []
    caller = _caller_kind(ctx.frames)
    if caller == "keras" and impl == "keras":
        # Keras's own modules asking each other: not code written for another Keras
        return [Hit("keras-internal-from-keras", f"Keras's own code asks for `{full}`")]
    if name.startswith("keras.src") and impl == "keras":
        return _keras_internal(name, ctx)  # private modules: whose Keras they are decides
    tf_name = "tensorflow." + name if impl == "tf.keras" else ""
    if tf_name and full.startswith("tensorflow_core.") and _after_tf115(tf_name):
        # the tensorflow_core spelling is TensorFlow 1.15-2.1's: a name tf.keras gained after
        # 1.15 and lacks here was added later, not lost (no release up to 2.1 lost it)
        return _added_later(tf_name, caller, ctx)
    change = knowledge.find_name(name, _LINT_IMPLEMENTATION.get(impl, impl), ctx.versions) or (
        None if attribute else knowledge.find_below(name)
    )
    if (
        change is not None
        and change.applies_to(_LINT_IMPLEMENTATION.get(impl, impl))
        and knowledge.applies(change, ctx.versions)
    ):
        detail = _replacement(change.old, change.replacement, change.source)
        breaks = (change.package, change.breaks)
        if caller in ("dependent", "other-package"):
            # a package's code (not the user's) asks for it: that release of the package was
            # written for another Keras (causes.md: dependent-package-incompatible)
            return [Hit("dependent-name-missing", _asked_by(ctx, detail), breaks)]
        return [Hit("api-change-keras", detail, breaks)]
    if (
        change is not None
        and impl == "tf.keras"
        and not change.applies_to("tf.keras")
        and caller in ("", "user")
    ):
        # the table knows the name from standalone Keras only: the user's code was written for
        # that Keras's layout and imports it from tf.keras, which never had it
        detail = _replacement(full, change.replacement, change.source)
        return [Hit("api-change-keras", f"{detail}; tf.keras does not have `{name}`")]
    if change is None and caller in ("dependent", "other-package"):
        # a package's code asks Keras for a name this Keras does not have: it was written for
        # another Keras
        who = asker.package if asker is not None else "a package"
        return [Hit("dependent-name-missing", f"{who} asks for `{full}`")]
    if (
        change is None
        and attribute in ctx.keras_helpers
        and name.rsplit(".", 1)[0] in ("keras.backend", "keras.utils")
        and caller in ("", "user")
    ):
        # a backend or utils helper that another Keras release has: what calls such helpers is
        # most often a library built on Keras (einops, keras-contrib, segmentation-models...)
        return [Hit("keras-helper-missing", f"`{full}` is a helper of another Keras release")]
    if change is None and tf_name:
        return _added_later(tf_name, caller, ctx)
    return []


def _after_tf115(tf_name: str) -> bool:
    """Whether TensorFlow 1.15 lacked the name (so a tensorflow_core module without it is that
    of a release older than the one that added it)."""
    return knowledge.tf_added_after_line(tf_name, 1)


def _keras_internal(name: str, ctx: Context) -> list[Hit]:
    if name == "keras.src":
        return [Hit("keras-src-missing")]
    parts = name.split(".")
    modules = {".".join(parts[:end]) for end in range(3, len(parts) + 1)}
    if modules & ctx.layout.get("keras3", frozenset()):
        return [Hit("keras3-module-missing", f"`{name}` exists in Keras 3 only")]
    if modules & ctx.layout.get("keras2", frozenset()) or len(parts) > 2:
        return [
            Hit("keras2-internal-missing", f"`{name}` is Keras 2 code that Keras 3 does not have")
        ]
    return []


def _tensorflow(full: str, attribute: str, ctx: Context) -> list[Hit]:
    module = full[: -len(attribute) - 1] if attribute else full
    caller = _caller_kind(ctx.frames)
    bundled = full.startswith(("tensorflow.python.keras", "tensorflow_core.python.keras"))
    if bundled and caller == "user":
        return [
            Hit("tf-bundled-keras-missing", f"`{full}` is the Keras that TensorFlow <= 2.5 bundled")
        ]
    if bundled and caller == "" and "._impl" not in full:
        # no frames say whose code imports it: never public API, it is most often a library
        # written against TensorFlow <= 2.5 (under TensorFlow 1.5-1.9's _impl layout, most often
        # TensorFlow's own files of two releases: tf1-keras-impl-leftover)
        return [
            Hit(
                "tf-bundled-keras-unplaced", f"`{full}` is the Keras that TensorFlow <= 2.5 bundled"
            )
        ]
    reaching = _tf_public(module) == "tensorflow" and not attribute.startswith("__")
    if _is_tf_internal(full) and reaching and caller in ("", "user"):
        # `tf.python`, `tf.core`: code reaching into TensorFlow's private modules through the
        # public one (TensorFlow 2 no longer exposes them as attributes), not Keras (which
        # uses tf.__internal__, made for it)
        return [Hit("tf-internal-from-user", f"`{full}` is TensorFlow's internal code")]
    if _is_tf_internal(full):
        family = {
            "keras": "tf-internal-from-keras",
            "tf-keras": "tf-internal-from-tf-keras",
            "dependent": "dependent-name-missing",
            "other-package": "dependent-name-missing",
            "user": "tf-internal-from-user",
            "": "tf-internal",
        }.get(caller)
        if family is None:
            return []  # TensorFlow's own modules disagree: the text alone does not say why
        if (
            family == "tf-internal"
            and ctx.keras_internals
            and not keras_uses(full, ctx.keras_internals)
        ):
            # no frames say who asked, and no Keras release imports this name: not Keras
            return [Hit("tf-internal-not-keras", f"no Keras release imports `{full}`")]
        return [Hit(family, f"`{full}` is TensorFlow's internal code")]
    public = _tf_public(full) or full
    change = knowledge.find_name(public, versions=ctx.versions)
    if change is not None and knowledge.applies(change, ctx.versions):
        detail = _replacement(change.old, change.replacement, change.source)
        breaks = (change.package, change.breaks)
        if caller == "keras" or (caller == "" and ctx.multibackend):
            return [Hit("tf-api-from-keras", detail, breaks)]
        if caller in ("dependent", "other-package"):
            return [Hit("dependent-name-missing", _asked_by(ctx, detail), breaks)]
        return [Hit("api-change-tf", detail, breaks)]
    top_name = public.split(".")[1] if public.count(".") >= 1 else ""
    if attribute and public == f"tensorflow.{attribute}" and top_name in ctx.tf_core:
        if ctx.shadow:
            return [Hit("shadow-local-file", f"`{ctx.shadow}` is imported as `tensorflow`")]
        return [Hit("tf-hollow", f"`tf.{attribute}` is in every TensorFlow 2.x")]
    later = _added_later(public, caller, ctx)
    if later:
        return later
    if (
        change is None
        and caller in ("dependent", "other-package")
        and not attribute.startswith("__")
    ):
        # a package's code asks TensorFlow for a name this TensorFlow does not have (one the
        # API table does not know, and not one every TensorFlow 2.x has): that release of the
        # package was written for another one
        return [
            Hit("dependent-name-missing", _asked_by(ctx, f"`{full}` is not in this TensorFlow"))
        ]
    return []


def _added_later(public: str, caller: str, ctx: Context) -> list[Hit]:
    """A public name that a TensorFlow release after the installed one added (tf.function in
    1.14, tf.distribute.TPUStrategy in 2.3): the code was written for a newer TensorFlow. In the
    reports that is a package's code (the user's own follows the docs of what is installed)."""
    first = knowledge.tf_added_in(public)
    if not first or caller not in ("", "dependent", "other-package"):
        return []
    stated = ctx.versions.get("tensorflow", "")
    breaks = ("tensorflow", f"<{first}")
    if stated and not knowledge.breaks_stated(*breaks, ctx.versions):
        return []
    detail = f"`{public}` first appeared in TensorFlow {first}: the installed one is older"
    return [Hit("tf-name-added-later", _asked_by(ctx, detail) if caller else detail, breaks)]


def _asked_by(ctx: Context, detail: str) -> str:
    """The detail of a removed name that a package's code asks for, naming that package."""
    frame = _caller(ctx.frames)
    return f"{frame.package} asks for it: {detail}" if frame is not None and frame.site else detail


def _replacement(old: str, new: str, source: str) -> str:
    return f"`{old}` -> {new} ({source})"


def _user_file(path: str) -> bool:
    """A file of the user's: not under site-packages and not the interpreter's own library."""
    lowered = path.replace("\\", "/").lower()
    if "-packages/" in lowered or "<frozen" in lowered:
        return False
    return re.search(r"/lib(?:64)?/python\d(?:\.\d{1,2})?/", lowered) is None and not re.search(
        r"/(?:lib|python\d{0,3}/lib)/[\w]{1,60}\.py$", lowered
    )


def _named_like(path: str, module: str) -> bool:
    name = path.replace("\\", "/").rstrip("/")
    return name.endswith((f"/{module}.py", f"/{module}/__init__.py")) or name in (
        f"{module}.py",
        f"{module}/__init__.py",
    )


def _shadowable(module: str) -> bool:
    return module in _STDLIB or module in _STACK_MODULES


def shadowing_name(path: str) -> str:
    """The module a file of the user's is named like (``code.py`` -> ``code``) when Python or
    TensorFlow needs a module of that name; "" otherwise."""
    if not path.endswith(".py") or not _user_file(path):
        return ""
    module = path.replace("\\", "/").rsplit("/", 1)[-1][:-3]
    return module if _shadowable(module) else ""


def local_module(text: str, ctx: Context) -> Hit | None:
    """A file of the user's named like a module that TensorFlow or Python needs (random.py,
    inspect.py, numpy.py), which the message shows imported in its place."""
    found = _IMPORTED_FROM.search(text) if "annot import name" in text else None
    if found is not None:
        module, path = found.group(1), found.group(2).strip()
        if _shadowable(module) and _named_like(path, module) and _user_file(path):
            return Hit("shadow-local-module", f"`{path}` is imported as `{module}`")
    named = _PARTIAL_OR_ATTR.search(text) if "has no attribute" in text else None
    if named is not None and _shadowable(named.group(1)):
        module = named.group(1)
        for frame in ctx.frames:
            user = frame.user
            if frame.site is None and _named_like(user, module) and _user_file(user):
                return Hit("shadow-local-module", f"`{user}` is imported as `{module}`")
    return None


def message_hits(text: str, ctx: Context) -> list[Hit]:
    """Everything the families find in one message line."""
    local = local_module(text, ctx)
    if local is not None:
        return [local]
    hits: list[Hit] = []
    not_package = _NOT_A_PACKAGE.search(text) if "is not a package" in text else None
    if not_package is not None and "." in not_package.group(1):
        # "No module named 'keras.backend.tensorflow_backend'; 'keras.backend' is not a package":
        # the installed Keras has keras.backend as a plain module, so the code was written for
        # another layout: the API table says which
        found = _NO_MODULE.search(text)
        return missing(found.group(1).rstrip("."), "", ctx) if found is not None else []
    if "is not a package" in text:
        # "No module named 'keras.models'; 'keras' is not a package": a module named keras is
        # imported, so nothing below it can be: what the API table says does not matter here
        if ctx.shadow:
            return [Hit("shadow-local-file", f"`{ctx.shadow}` is imported instead of the package")]
        return []
    if "o module named" in text:
        found = _NO_MODULE.search(text)
        if found is not None:
            hits += missing(found.group(1).rstrip("."), "", ctx)
    if "import name" in text:
        found = _CANNOT_IMPORT.search(text)
        if found is not None:
            module = found.group(2) or ctx.last_import
            if module:
                hits += missing(module.rstrip("."), found.group(1), ctx)
            else:
                hits += _bare_name(found.group(1), ctx)

    if "has no attribute" in text:
        found = _MODULE_ATTR.search(text)
        if found is not None:
            hits += missing(_module_case(found.group(1) or found.group(2)), found.group(3), ctx)
        else:
            py2 = _PY2_MODULE_ATTR.search(text)
            spelled = _spelled_in_source(py2.group(1), ctx.last_source) if py2 else ""
            if py2 is not None and spelled:
                # Python 2 does not name the module; the source line does (`tf.nn.rnn_cell`)
                hits += missing(spelled, py2.group(1), ctx)
            elif py2 is not None and ctx.last_import:
                hits += missing(ctx.last_import, py2.group(1), ctx)
            elif py2 is not None and ctx.shadow:
                hits.append(Hit("shadow-local-file", f"`{ctx.shadow}` is imported instead"))
            elif py2 is not None and not py2.group(1)[:1].isupper():
                # neither the module nor the source line shown: a name the API table knows
                hits += _bare_name(py2.group(1), ctx)
            obj = _OBJECT_ATTR.search(text)
            if obj is not None:
                hits += _object_attribute(obj.group(1), obj.group(2), ctx)
    if "eyword" in text or "not recognized" in text:
        found = _KEYWORD.search(text)
        if found is not None:
            if ctx.loading and found.group(1) in ctx.saved_keys:
                # the keyword comes from the saved file's config: another Keras wrote it
                return [Hit("saved-by-other-keras", f"the file's config has `{found.group(1)}`")]
            if not ctx.frames and found.group(1) in ctx.saved_keys:
                # a key Keras writes into saved configs, with no frame that shows who passed it:
                # the signatures of such keys say what it most often is
                return hits
            refused_by = _KEYWORD_CLASS.search(text)
            hits += _keyword(
                found.group(1),
                ctx,
                "unexpected keyword" not in text,
                (refused_by.group(1) or refused_by.group(2)) if refused_by else "",
            )
    if "eager execution" in text:
        hits += graph_code_under_eager(text, ctx)
    return hits


# the aliases TensorFlow is imported under in the code people paste
_TF_ALIASES = {"tf": "tensorflow", "tensorflow": "tensorflow"}


def _spelled_in_source(attribute: str, source: str) -> str:
    """The TensorFlow module that a source line asks for ``attribute`` (``tf.nn`` for
    ``cell = tf.nn.rnn_cell.GRUCell(8)`` and ``rnn_cell``), "" when the line does not show it."""
    if attribute not in source:
        return ""
    found = re.search(
        r"(?<![\w.])([A-Za-z_]\w{0,30}(?:\.\w{1,60}){0,6})\." + re.escape(attribute) + r"\b", source
    )
    if found is None:
        return ""
    head, _, rest = found.group(1).partition(".")
    module = _TF_ALIASES.get(head)
    if module is None:
        return ""
    return f"{module}.{rest}" if rest else module


def _bare_name(name: str, ctx: Context) -> list[Hit]:
    """``cannot import name 'Merge'`` with neither its module nor the import shown: a name the
    API table knows (knowledge.find_bare)."""
    if name in ctx.tf_core:
        return []  # tf.constant, tf.Variable...: a name every TensorFlow 2.x has is not gone
    shown = "keras" if ctx.multibackend or any(f.package == "keras" for f in ctx.frames) else ""
    change = knowledge.find_bare(name, shown)
    if change is None and shown != "keras" and len(name) >= 4:
        # not a name TensorFlow lost: one its top level gained later (tf.nest in 1.14)?
        return _added_later(f"tensorflow.{name}", _caller_kind(ctx.frames), ctx)
    if change is None or not knowledge.applies(change, ctx.versions):
        return []
    family = "api-change-keras" if change.package == "keras" else "api-change-tf"
    detail = _replacement(change.old, change.replacement, change.source)
    return [Hit(family, detail, (change.package, change.breaks))]


def _module_case(module: str) -> str:
    """Module names as people retype them: ``TensorFlow.python...`` is ``tensorflow.python...``."""
    top, dot, rest = module.partition(".")
    if top.lower() in ("tensorflow", "keras", "numpy"):
        return top.lower() + dot + rest
    return module


def _object_attribute(cls: str, attribute: str, ctx: Context) -> list[Hit]:
    index = knowledge.api_index()
    changes = index.methods.get(attribute, ())
    asker = _caller(ctx.frames)
    by_package = asker is not None and _kind_of(asker) in ("dependent", "other-package")
    raiser = ctx.frames[-1] if ctx.frames else None
    if (
        raiser is not None
        and raiser.function == "__getattr__"
        and _kind_of(raiser) not in ("keras", "tf-keras", "tensorflow")
    ):
        # the object's own __getattr__ raised, and it is another library's (torch.nn.Module's
        # for a torch 'Embedding' or 'Sequential'): not a Keras object, whatever its class name
        by_package = False
    for change in changes:
        if knowledge.applies(change, ctx.versions):
            detail = _replacement(change.old, change.replacement, change.source)
            if by_package and asker is not None:
                # a package's code (not the user's) calls the method: that release of the
                # package was written for another Keras/TensorFlow
                return [
                    Hit(
                        "dependent-name-missing",
                        f"{asker.package} calls `{cls}.{attribute}`: {detail}",
                        (change.package, change.breaks),
                    )
                ]
            return [Hit("api-change-method", detail, (change.package, change.breaks))]
    if (
        by_package
        and asker is not None
        and attribute.startswith("_")
        and not attribute.startswith("__")
        and cls in ctx.keras_builtins
    ):
        # a package reaches into a private attribute of a Keras object that this release does
        # not have: private names change between releases without notice
        return [Hit("dependent-name-missing", f"{asker.package} uses `{cls}.{attribute}`")]
    for change in index.keywords.get(attribute, ()):
        if knowledge.applies(change, ctx.versions):
            return [
                Hit(
                    "api-change-attribute",
                    _replacement(
                        f"{cls}.{attribute}", change.replacement or "removed", change.source
                    ),
                    (change.package, change.breaks),
                )
            ]
    # what building the objects in real environments found gone (after the curated knowledge)
    gone = knowledge.gone_attribute(cls, attribute, cls in ctx.keras_builtins)
    if gone is not None:
        detail = (
            f"`{cls}.{attribute}` is in {gone.last_had}, not in {gone.gone_from} "
            "(kb/data/object_attributes.json)"
        )
        breaks = ("tensorflow", f">{gone.last_had_tensorflow}")
        if by_package and asker is not None:
            return [Hit("dependent-name-missing", f"{asker.package}: {detail}", breaks)]
        if asker is not None and _kind_of(asker) == "user":
            return [Hit("object-attribute-gone-code", detail, breaks)]
        if asker is None:
            return [Hit("object-attribute-gone", detail, breaks)]
    return []


# Python >= 3.10 names the class whose __init__ refused the keyword
_KEYWORD_CLASS = re.compile(
    r"\b(\w{1,100})\.__init__\(\) got an unexpected keyword|keyword arguments? passed to (\w{1,100})"
)


def _keyword(keyword: str, ctx: Context, by_keras: bool = False, cls: str = "") -> list[Hit]:
    """``by_keras``: the message is Keras refusing a layer's keyword (not Python's generic
    "unexpected keyword argument"); ``cls``: the class Python says refused it, when it says."""
    package = _from_package(ctx)
    for change in knowledge.api_index().keywords.get(keyword, ()):
        owner = change.old.rsplit(".", 1)[-1]
        if cls and owner[:1].isupper() and cls != owner:
            continue  # another class refused it (PyTorch's Adam, a user's class...)
        if change.derived_by:
            # derived from building layers (scripts/keras_keywords.py): lint's knowledge. In the
            # reports of the corpus these refusals (weights=) came from packages' and old models'
            # code, not the user's, so the text alone does not say whose code is out of date
            continue
        if knowledge.applies(change, ctx.versions):
            detail = _replacement(
                f"{change.old}({keyword}=...)", change.replacement or "removed", change.source
            )
            breaks = (change.package, change.breaks)
            if package:
                # a package's code passes it: that release was written for another Keras
                return [Hit("dependent-name-missing", _asked_by(ctx, detail), breaks)]
            return [Hit("api-change-keyword", detail, breaks)]
    if by_keras and package:
        # a package passes Keras a keyword this Keras does not take: written for another Keras
        return [Hit("dependent-name-missing", f"a package passes Keras `{keyword}=`")]
    return []


_SO_SYMBOL = re.compile(r"\.so(?:\.[\d.]{1,12})?: undefined symbol")
# Itanium mangling of a name in namespace tensorflow: ZN, a const/volatile method's qualifiers
# (K, V, r, R, O), then the name's length-prefixed parts
_MANGLED_TF = r"ZN[KVrRO]{0,3}\d{1,3}tensorflow"
_TF_SYMBOL = re.compile(r"undefined symbol:? _" + _MANGLED_TF)


_OTHER_BACKENDS = {
    "theano": "keras/backend/theano_backend.py",
    "cntk": "keras/backend/cntk_backend.py",
}


def other_backend(rel: str) -> str:
    """ "theano" / "cntk" for a frame in that backend module of multi-backend Keras, else ""."""
    return next((name for name, file in _OTHER_BACKENDS.items() if rel == file), "")


def on_other_backend(norm: str, backend: str, frames: Sequence[Frame]) -> Hit | None:
    """An AttributeError of code written for the TensorFlow backend that runs on Theano or CNTK:
    `keras.backend` lacks a TensorFlow-only function (``clear_session``, ``get_session``), or
    the backend module itself fails on a TensorFlow object."""
    inner = frames[-1].site if frames else None
    in_backend = inner is not None and inner.rel == _OTHER_BACKENDS[backend]
    if "module 'keras.backend' has no attribute" in norm or in_backend:
        return Hit("keras-backend-not-tensorflow", f"multi-backend Keras runs on {backend}")
    return None


def undefined_symbol(norm: str) -> list[Hit]:
    """A compiled module that does not fit the TensorFlow it is loaded with: whose module it is
    says which packages disagree."""
    path = site_path(norm)
    if path is not None and _SO_SYMBOL.search(norm):
        package = path.package
        if package in _TF_PACKAGES:
            return [Hit("tf-binaries-mixed", f"{path.rel} does not fit the rest of TensorFlow")]
        if package in knowledge.dependent_imports() or package.startswith("tensorflow_"):
            return [Hit("dependent-abi", f"{path.rel} was built for another TensorFlow")]
        if _TF_SYMBOL.search(norm):
            return [Hit("dependent-abi", f"{path.rel} was built for another TensorFlow")]
        return []
    if _TF_SYMBOL.search(norm):
        return [Hit("tf-symbol-missing", "a module built against another TensorFlow")]
    return []


def import_statement(text: str) -> str:
    """The module of an import statement shown as a traceback's source line, "" if none."""
    found = _IMPORT_STATEMENT.match(text)
    if found is None:
        return ""
    return found.group(1) or found.group(2) or ""


# ----- objects of one Keras implementation reaching the code of another -------------------------
# An object a message names by its module (`<tf_keras.src.layers.core.dense.Dense object at ...>`,
# `<class 'keras.src.engine.keras_tensor.KerasTensor'>`), or by Keras 3's layer repr
# (`<Dense name=dense, built=False>`, keras/src/layers/layer.py __repr__), which only Keras 3 writes.
_KERAS_OBJECT = re.compile(
    r"<(?:class ['\"])?((?:tf_keras|keras|tensorflow(?:_core)?\.python\.keras)\.[\w.]{1,200})"
)
_KERAS3_LAYER_REPR = re.compile(r"<\w{1,100} name=[\w.-]{1,200}, built=(?:True|False)>")
# keras_kind() of a path -> the Keras major it shows ("" when the path does not tell)
_MAJOR_OF_KIND = {
    "keras3": "3",
    "keras2": "2",
    "keras2-src": "2",
    "keras-multibackend": "2",
    "tf-keras": "2",
}


class Implementation(NamedTuple):
    package: str  # keras | tf_keras | tensorflow.python.keras (the Keras TensorFlow <= 2.5 bundled)
    major: str  # "2" | "3" | "" when not known


def _implementation_of_path(rel: str) -> Implementation | None:
    """The Keras implementation a site-packages path (or a module path written with '/') is in."""
    lowered = rel.lower()
    if lowered.startswith(("tensorflow/python/keras/", "tensorflow_core/python/keras/")):
        return Implementation("tensorflow.python.keras", "2")
    kind = keras_kind(lowered)
    if not kind:
        return None
    package = "tf_keras" if kind == "tf-keras" else "keras"
    return Implementation(package, _MAJOR_OF_KIND.get(kind, ""))


def _raising_implementation(frames: Sequence[Frame]) -> Implementation | None:
    """The Keras implementation of the innermost Keras frame (the code that refused the object)."""
    for frame in reversed(frames):
        if frame.site is not None:
            found = _implementation_of_path(frame.site.rel)
            if found is not None:
                return found
    return None


def _named_implementations(text: str) -> list[tuple[str, Implementation]]:
    named = []
    for found in _KERAS_OBJECT.finditer(text):
        implementation = _implementation_of_path(found.group(1).replace(".", "/") + "/")
        if implementation is not None:
            named.append((found.group(1), implementation))
    repr_found = _KERAS3_LAYER_REPR.search(text) if "built=" in text else None
    if repr_found is not None:
        named.append((repr_found.group(), Implementation("keras", "3")))
    return named


def _differ(one: Implementation, other: Implementation) -> bool:
    if one.package != other.package:
        return True
    return bool(one.major and other.major and one.major != other.major)


def foreign_keras_object(text: str, frames: Sequence[Frame]) -> Hit | None:
    """A message (raised by Keras code, as the innermost Keras frame shows) that names an object
    of another Keras implementation: objects of two Keras meet in one model or call."""
    if "<" not in text:
        return None
    raising = _raising_implementation(frames)
    if raising is None:
        return None
    for name, implementation in _named_implementations(text):
        if _differ(implementation, raising):
            return Hit(
                "foreign-keras-object",
                f"`{name}` ({implementation.package}) reached the code of {raising.package}"
                f"{' ' + raising.major if raising.major else ''}",
            )
    return None


# macOS's loader says what Linux's "undefined symbol" says: "dlopen(<file>.so, 6): Symbol not
# found: __ZN10tensorflow..." (dyld 3) or "...: symbol not found in flat namespace '__ZN...'";
# a module built for TensorFlow 1 asks for libtensorflow_framework.1.dylib ("Library not loaded")
_DLOPEN_SYMBOL = re.compile(
    r"\.(?:so|dylib)(?:\.[\d.]{1,12})?, (?:\d{1,3}|0x[0-9A-Fa-f]{1,8})\): "
    r"(?:[Ss]ymbol not found|Library not loaded: @rpath/libtensorflow)"
)
_DLOPEN_TF_SYMBOL = re.compile(
    r"(?:[Ss]ymbol not found: |symbol not found in flat namespace ')_{1,2}" + _MANGLED_TF
)


def dlopen_symbol(norm: str) -> list[Hit]:
    """macOS's form of a compiled module that does not fit the TensorFlow it is loaded with:
    the same families as :func:`undefined_symbol`, by whose module it is."""
    path = site_path(norm)
    if "Symbol not found: _OBJC_CLASS_$_" in norm:
        return []  # a class of a macOS framework: the system is older than the module's build
    if path is not None and _DLOPEN_SYMBOL.search(norm):
        package = path.package
        if package in _TF_PACKAGES:
            if "ibrary not loaded" in norm:
                return []  # TensorFlow's own library is missing: not a mix of two releases
            return [Hit("tf-binaries-mixed", f"{path.rel} does not fit the rest of TensorFlow")]
        if (
            package in knowledge.dependent_imports()
            or package.startswith(("tensorflow_", "tensorflow-"))
            or _DLOPEN_TF_SYMBOL.search(norm)
        ):
            return [Hit("dependent-abi", f"{path.rel} was built for another TensorFlow")]
        return []
    if _DLOPEN_TF_SYMBOL.search(norm):
        return [Hit("tf-symbol-missing", "a module built against another TensorFlow")]
    return []


# TensorFlow's own refusals of TensorFlow 1 graph code (placeholders, graph summaries, queue
# readers, Optimizer.compute_gradients of a tensor) when TensorFlow 2 runs it eagerly
_EAGER_REFUSAL = re.compile(
    r"(?:tf\.placeholder\(\)|Merging tf\.summary\.\* ops|v1\.summary\.FileWriter"
    r"|add_check_numerics_ops\(\)) is not compatible with eager execution"
    r"|(?:Readers|QueueRunners) are not supported when eager execution is enabled"
    r"|`loss` passed to Optimizer\.compute_gradients should be a function when eager execution"
)


def graph_code_under_eager(text: str, ctx: Context) -> list[Hit]:
    """TensorFlow refusing TensorFlow 1 graph code under eager execution: whose code it is (the
    innermost frame outside TensorFlow) says which cause -- the user's code or a package written
    for TensorFlow 1, or multi-backend Keras (Keras 2.2/2.3) that predates TensorFlow 2."""
    found = _EAGER_REFUSAL.search(text)
    if found is None:
        return []
    detail = f"TensorFlow 2 says: {found.group(0)}"
    caller = next(
        (
            kind
            for frame in reversed(ctx.frames)
            if not (frame.site is None and (frame.user.startswith("<frozen") or not frame.user))
            and (kind := _kind_of(frame)) != "tensorflow"
        ),
        "",
    )
    if caller == "keras" or (caller == "" and ctx.multibackend):
        return [Hit("tf-api-from-keras", detail)]
    if caller in ("dependent", "other-package"):
        return [Hit("dependent-name-missing", detail)]
    return [Hit("tf1-graph-code-eager", detail)]
