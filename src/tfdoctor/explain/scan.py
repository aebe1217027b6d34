"""Walk the text once; keep the error lines, the frames of the current traceback and what the
detectors find, in bounded memory.

Which lines are looked at: in a short input (what the reader could hold whole, see
``every_line``) every line; in a long log only the lines that carry one of the trigger words of
:mod:`tfdoctor.explain.lines` and the message lines after an exception (a block of lines without
any trigger word is skipped whole, which is what keeps a 300 MB training log fast). Frame lines
(``File "..."``, site-packages paths) and import statements are noted on a cheap path.

Memory is bounded whatever the input: a window of the last ``WINDOW`` lines (a match's
``context`` is checked against it), the frames of the current traceback (``MAX_FRAMES``), the last
``KEEP_ERROR_LINES`` error lines, the last ``KEEP_PER_DETECTOR`` matches of each detector with a
count of all of them, and the last version stated per package.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections import deque
from dataclasses import dataclass, field

from tfdoctor.explain import families, knowledge
from tfdoctor.explain.families import Frame
from tfdoctor.explain.frames import is_conda, keras_kind, shadow_file, site_path
from tfdoctor.explain.lines import (
    CleanLine,
    LineKind,
    clean,
    collapsed_lines,
    escaped_lines,
    has_trigger,
    is_frame,
    is_traceback_start,
)
from tfdoctor.explain.platforms import (
    WheelTags,
    no_wheel_for_platform,
    shown_os,
    wheel_misfit,
    wheel_tags,
)
from tfdoctor.explain.resolver import family_of, requirement
from tfdoctor.explain.signatures import Detector, Detectors, Signature
from tfdoctor.explain.versions import VersionFacts, minor_of
from tfdoctor.version import InvalidVersion, Version

WINDOW = 80
MAX_FRAMES = 64
KEEP_ERROR_LINES = 50
KEEP_PER_DETECTOR = 3
CONTINUATION_LINES = 8  # lines after an exception line that still belong to its message
_FAMILY_WORDS = (
    "o module named",
    "import name",
    "has no attribute",
    "eyword",
    "not recognized",
    "eager execution",
)
# pip's user site (`pip install --user`): Windows, then Linux/macOS ('/'-separated, lowered)
_USER_SITES = ("/appdata/roaming/python/", "/.local/lib/python")
# pip's "found no release at all" signatures (kb/data/signatures.json), which platforms.py places
_NO_DISTRIBUTION = frozenset({"pip-no-matching-distribution", "pip-from-versions-none"})
# pip's "X.whl is not a supported wheel on this platform", which platforms.py places once the
# text has ended (what it shows of the machine may follow the message)
_UNSUPPORTED_WHEEL = "wheel-not-supported-here"
_NO_GPU = "tf-lists-no-gpu"  # placed once the text has ended (what OS and TensorFlow it shows)
_WHEEL_FAMILIES = {
    "python": "wheel-for-another-python",
    "platform": "wheel-for-another-platform",
}
_RESOLVER_WORDS = (
    " requires ",
    " has requirement ",
    " depends on ",
    "` requires `",
    " is required by {",
)


@dataclass(frozen=True)
class ErrorLine:
    line_no: int
    text: str
    kind: LineKind


@dataclass(frozen=True)
class Match:
    detector: Detector
    line_no: int
    text: str
    kind: LineKind
    anchor: int | None  # the exception line this line is (part of) the message of
    detail: str = ""
    generic: bool = False
    breaks: tuple[str, str] | None = None  # the API change it rests on: (package, specifier)


@dataclass
class DetectorHits:
    recent: deque[Match] = field(default_factory=lambda: deque(maxlen=KEEP_PER_DETECTOR))
    count: int = 0


class Scanner:
    def __init__(self, detectors: Detectors, *, every_line: bool = False) -> None:
        self._detectors = detectors
        self._signatures = detectors.signatures
        self.every_line = every_line
        self._window: deque[str] = deque(maxlen=WINDOW)
        self._anchor: int | None = None
        self._anchor_age = 0
        self._frames: list[Frame] = []
        self._frames_closed = False
        self._last_import = ""
        self._last_import_line = 0
        # the import statement typed just before the traceback (a REPL or a notebook shows it
        # there): what a "cannot import name 'x'" without its module was imported from
        self._typed_import = ""
        self._last_frame: tuple[int, str] = (0, "")  # the last frame line: number, text
        self.line_no = 0
        self.first_exception: int | None = None
        self.last_exception: int | None = None
        self.tracebacks = 0
        self.error_lines: deque[ErrorLine] = deque(maxlen=KEEP_ERROR_LINES)
        self.hits: dict[str, DetectorHits] = {}
        self.versions = VersionFacts()
        self.environments: dict[str, int] = {}  # environment folders seen in frames -> count
        self.environment_files: dict[str, str] = {}  # environment folder -> a file the text names
        self.shadow = ""
        self.last_source = ""  # the source line shown under the last frame line
        self.python = ""  # the Python version the paths show
        self.multibackend = False  # multi-backend Keras (<= 2.3) ran: it prints its backend
        self.other_backend = ""  # "theano" / "cntk": multi-backend Keras ran on that backend
        self._dangling = ""  # an exception line that ends where a wrap cut its message
        self.loads_model = False  # the text shows code loading a saved model (load_model(...))
        # a frame of a user's file named like a module TensorFlow needs (code.py, inspect.py),
        # running at module level: (line, text, path, module)
        self._module_frame: tuple[int, str, str, str] | None = None
        self.conda_frames = False  # a frame ran in a conda installation
        self.user_site_frame: tuple[int, str] | None = None  # a frame in pip's --user site
        # pip refused these wheels as "not a supported wheel": (tags, the match of that line, the
        # text up to it, which a long log after it would push out of the window)
        self._wheels: deque[tuple[WheelTags, Match, str]] = deque(maxlen=KEEP_PER_DETECTOR)

    # ----- reading ---------------------------------------------------------------------------
    def feed(self, block: str) -> None:
        """A block of whole lines, each ending with a newline."""
        if not self.every_line and not has_trigger(block):
            parts = block.rsplit("\n", WINDOW + 1)
            self._window.extend(parts[-WINDOW - 1 : -1])
            count = block.count("\n")
            self.line_no += count
            self._anchor_age += count
            self._dangling = ""
            return
        for raw in block.split("\n")[:-1]:
            pieces = escaped_lines(raw) if "\\" in raw else None
            if pieces is None and "most recent call last" in raw:
                pieces = collapsed_lines(raw)
            if pieces is None:
                self._line(raw)
                continue
            # an escaped traceback in one line (a JSON log record), or one whose line breaks
            # were lost: its lines are read as lines, all with the number of the line that holds
            # them
            self._line(pieces[0])
            for piece in pieces[1:]:
                self._line(piece, advance=False)

    def _line(self, raw: str, *, advance: bool = True) -> None:
        if advance:
            self.line_no += 1
        self._anchor_age += 1
        in_message = self._anchor is not None and self._anchor_age <= CONTINUATION_LINES
        if not (self.every_line or in_message or has_trigger(raw)):
            if "File " in raw or "-packages" in raw or "import " in raw:
                self._frame_or_import(clean(raw))
            self._window.append(raw)
            self._dangling = ""
            return
        line = clean(raw)
        if line.noise:
            self._window.append(raw)
            self._dangling = ""
            return
        if is_traceback_start(line.text):
            self._anchor = None
            self._new_traceback()
        if self._frame_or_import(line):
            self._anchor = None
            self._window.append(raw)
            return
        if "Using TensorFlow backend" in line.text:
            self.multibackend = True
        elif "Using Theano backend" in line.text or "Using CNTK backend" in line.text:
            self.other_backend = "theano" if "Theano" in line.text else "cntk"
        if "load_model(" in line.text or "model_from_json(" in line.text:
            self.loads_model = True
        anchor = None
        if line.kind is LineKind.EXCEPTION:
            self._anchor = anchor = self.last_exception = self.line_no
            if self.first_exception is None:
                self.first_exception = self.line_no
            self._anchor_age = 0
            self._frames_closed = True
        elif in_message:
            anchor = self._anchor
        if line.kind in (LineKind.FATAL, LineKind.EXCEPTION, LineKind.TOOL_ERROR):
            self.error_lines.append(ErrorLine(self.line_no, line.text, line.kind))
        self._signatures_on(line, anchor)
        if self.every_line or anchor is not None or line.kind is not LineKind.INFO:
            self._families_on(line, anchor)
        self.versions.feed(line.norm, self.line_no, line.text)
        self._window.append(raw)
        self._wrapped(line, anchor)

    def _wrapped(self, line: CleanLine, anchor: int | None) -> None:
        """A message that a narrow terminal or a hard-wrapped paste cut before the name it is
        about ("...has no attribute" / "'_internal_create_key'" on the next line) is read once
        more with its two halves joined."""
        dangling, self._dangling = self._dangling, ""
        stripped = line.text.strip()
        quoted = stripped[:1] in ("'", '"', "`")
        symbol = dangling.endswith(_SYMBOL_ENDS) and stripped.startswith(("undefined symbol", "_Z"))
        if (
            dangling
            and anchor is not None
            and (quoted or symbol or dangling.endswith("signature was"))
        ):
            whole = clean(f"{dangling} {stripped}")
            # matched as one message, shown as the line it was completed on
            joined = CleanLine(line.text, whole.norm, whole.kind, whole.noise)
            self._signatures_on(joined, anchor)
            self._families_on(joined, anchor)
            if symbol and f"{dangling} {stripped}".endswith(_SYMBOL_ENDS):
                self._dangling = f"{dangling} {stripped}"  # the symbol is on the line after
        elif anchor is not None and line.text.rstrip().endswith(_DANGLING_ENDS + _SYMBOL_ENDS):
            self._dangling = line.text.rstrip()

    def _new_traceback(self) -> None:
        self.tracebacks += 1
        self._frames = []
        self._frames_closed = False
        typed = self.line_no - self._last_import_line <= 2
        self._typed_import = self._last_import if typed else ""
        self._last_import = ""

    def _frame_or_import(self, line: CleanLine) -> bool:
        """Note a frame line or an import statement shown as a frame's source; True for a
        frame line (nothing else is looked for in it)."""
        parsed = _frame_line(line.text, line.norm)
        if isinstance(parsed, str):
            if self._last_frame[0] and self.line_no == self._last_frame[0] + 1:
                self.last_source = line.norm.strip()[:300]  # the source line of the frame above
            if parsed:
                self._last_import = parsed
                self._last_import_line = self.line_no
                self._stack_import_in(parsed)
            return False
        frame, shadow = parsed
        self._module_frame = None
        named = families.shadowing_name(frame.user) if frame.function == "<module>" else ""
        if named:
            self._module_frame = (self.line_no, line.text, frame.user, named)
        self._last_frame = (self.line_no, line.text)
        path = frame.site
        if self._frames_closed:
            self._frames = []
            self._frames_closed = False
            self._last_import = ""
        if shadow:
            self.shadow = shadow
        if path is not None:
            lowered = path.file.lower()
            if any(user in lowered for user in _USER_SITES):
                self.user_site_frame = (self.line_no, line.text)
            elif is_conda(path.file):
                self.conda_frames = True
            if keras_kind(path.rel) == "keras-multibackend":
                self.multibackend = True
                self.other_backend = families.other_backend(path.rel) or self.other_backend
            if path.prefix and (path.prefix in self.environments or len(self.environments) < 16):
                self.environments[path.prefix] = self.environments.get(path.prefix, 0) + 1
                self.environment_files.setdefault(path.prefix, path.file)
            if path.python:
                self.python = path.python
        if len(self._frames) >= MAX_FRAMES:
            del self._frames[4]  # keep the outermost frames and the innermost ones
        self._frames.append(frame)
        return True

    # ----- detectors ---------------------------------------------------------------------------
    def _add(
        self,
        detector: Detector,
        line: CleanLine,
        anchor: int | None,
        detail: str = "",
        generic: bool = False,
        breaks: tuple[str, str] | None = None,
    ) -> None:
        hits = self.hits.setdefault(detector.id, DetectorHits())
        hits.count += 1
        hits.recent.append(
            Match(detector, self.line_no, line.text, line.kind, anchor, detail, generic, breaks)
        )

    def _signatures_on(self, line: CleanLine, anchor: int | None) -> None:
        context: str | None = None
        norm = line.norm
        for signature in _matching(self._detectors, norm):
            if signature.context is not None:
                if context is None:
                    context = self._context_text(norm)
                if not signature.context.search(context):
                    continue
            if signature.id in _NO_DISTRIBUTION:
                context = self._context_text(norm) if context is None else context
                if self._no_wheel(line, anchor, context):
                    continue
            self._add(signature, line, anchor, generic=signature.generic)
            if signature.id == _UNSUPPORTED_WHEEL:
                tags = wheel_tags(norm)
                if tags is not None:
                    before = "\n".join([*(clean(raw).norm for raw in self._window), norm])
                    self._wheels.append((tags, self.hits[signature.id].recent[-1], before))

    def _no_wheel(self, line: CleanLine, anchor: int | None, context: str) -> bool:
        """pip found nothing of a package that has no wheel for the platform the text shows:
        the platform's fault, not the Python's (platforms.py); True when that is so."""
        found = no_wheel_for_platform(line.norm, context)
        if found is None:
            return False
        family = self._detectors.family("pip-no-wheel-for-platform")
        has = ", ".join(found.has)
        if found.required_by:
            detail = (
                f"pip resolved {found.required_by} for this Python, but no release of its"
                f" requirement {found.package} fits this machine"
                + (f" ({found.platform})" if found.platform else "")
            )
        else:
            detail = f"the recent releases of {found.package} have wheels for {has} only: " + (
                f"the text shows {found.platform}" if found.platform else "none for Windows"
            )
        self._add(family, line, anchor, detail)
        return True

    def _families_on(self, line: CleanLine, anchor: int | None) -> None:
        norm = line.norm
        if any(word in norm for word in _FAMILY_WORDS):
            shadow = shadow_file(norm) or self.shadow
            ctx = families.Context(
                frames=tuple(self._frames),
                versions=self.versions.versions(),
                shadow=shadow,
                layout=self._detectors.layout,
                tf_core=self._detectors.tf_core,
                last_import=self._last_import or self._typed_import,
                last_source=self.last_source,
                multibackend=self.multibackend,
                loading=self.loads_model
                or any(families.is_loading(frame) for frame in self._frames),
                saved_keys=self._detectors.saved_keys,
                keras_internals=self._detectors.keras_internals,
                keras_helpers=self._detectors.keras_helpers,
                keras_builtins=self._detectors.keras_builtins,
            )
            for hit in families.message_hits(norm, ctx):
                if hit.family == "keras-helper-missing" and self.other_backend:
                    continue  # Keras ran on another backend: its keras.backend is that one
                family = self._detectors.family(hit.family)
                self._add(family, line, anchor, hit.detail, breaks=hit.breaks)
        if anchor is not None and "<" in norm:
            self._foreign_keras_object(line, anchor)
        if anchor is not None and self.other_backend and norm.startswith("AttributeError"):
            backend_hit = families.on_other_backend(norm, self.other_backend, self._frames)
            if backend_hit is not None:
                family = self._detectors.family(backend_hit.family)
                self._add(family, line, anchor, backend_hit.detail)
        if "Op type not registered" in norm:
            self._unregistered_op(line, anchor)
        if "Unknown " in norm:
            self._unknown_keras_name(line, anchor)
        if "ndefined symbol" in norm:
            for hit in families.undefined_symbol(norm):
                self._add(self._detectors.family(hit.family), line, anchor, hit.detail)
        if "ymbol not found" in norm or "ibrary not loaded" in norm:
            for hit in families.dlopen_symbol(norm):
                self._add(self._detectors.family(hit.family), line, anchor, hit.detail)
        if any(word in norm for word in _RESOLVER_WORDS):
            req = requirement(norm)
            if req is not None:
                detail = f"{req.requirer} requires {req.required}"
                family = self._detectors.family(family_of(req))
                self._add(family, line, anchor, detail, generic=family.generic)

    def _unregistered_op(self, line: CleanLine, anchor: int | None) -> None:
        """A graph needs an op this TensorFlow does not register: one of TensorFlow's own (a
        newer TensorFlow wrote the graph) or a package's (that package is missing or other)."""
        found = _UNREGISTERED_OP.search(line.norm)
        if found is None:
            return
        op = found.group(1)
        if op.startswith("Nccl"):
            return  # TensorFlow's own, but only in builds with NCCL (Linux GPU): not a version
        if op in self._detectors.tf_core_ops:
            family, detail = "op-from-newer-tensorflow", f"`{op}` is an op of newer TensorFlows"
        else:
            family, detail = "op-type-not-registered", f"TensorFlow itself has no op `{op}`"
        self._add(self._detectors.family(family), line, anchor, detail)

    def _unknown_keras_name(self, line: CleanLine, anchor: int | None) -> None:
        """A saved model names a class or function that this Keras does not know although some
        Keras release defines it: the file was written by another Keras release. (A name no
        Keras defines is the user's own object, missing from custom_objects: not a finding.)"""
        found = _UNKNOWN_KERAS_NAME.search(line.norm)
        if found is None or found.group(1) not in self._detectors.keras_builtins:
            return
        if any(
            m.line_no == self.line_no and m.detector.cause == "model-format"
            for hits in self.hits.values()
            for m in hits.recent
        ):
            return  # a signature of this very name (TFOpLambda, Functional) already says more
        detail = f"`{found.group(1)}` is Keras's own, from another release than this Keras"
        self._add(self._detectors.family("keras-builtin-unknown"), line, anchor, detail)

    def _foreign_keras_object(self, line: CleanLine, anchor: int) -> None:
        """An exception message naming an object of another Keras than the code that raised it."""
        hit = families.foreign_keras_object(line.norm, self._frames)
        if hit is not None:
            family = self._detectors.family(hit.family)
            self._add(family, line, anchor, hit.detail, generic=family.generic)

    def finish(self) -> None:
        """What the last traceback's innermost frame says, read once the text has ended (a
        pasted traceback is often cut before its message): a frame in generated protobuf code
        (``*_pb2.py``) fails on a protobuf runtime its generator did not target. A fallback,
        set aside when a specific detector matched."""
        if self.conda_frames and self.user_site_frame is not None:
            self._user_site_beside_conda(*self.user_site_frame)
        if self._wheels:
            self._unsupported_wheels()
        if _NO_GPU in self.hits:
            self._no_gpu_on_this_os()
        if not self._frames:
            return
        inner = self._frames[-1].site
        if inner is None or not inner.rel.endswith("_pb2.py"):
            return
        detector = self._detectors.family("protobuf-generated-code-failed")
        line_no, text = self._last_frame
        hits = self.hits.setdefault(detector.id, DetectorHits())
        hits.count += 1
        detail = f"the innermost frame is {inner.rel}"
        hits.recent.append(Match(detector, line_no, text, LineKind.OTHER, None, detail, True))

    def _unsupported_wheels(self) -> None:
        """Which tag of each wheel pip refused does not fit, as far as the text around the
        message (the lines before it and after it) shows the machine's Python and platform."""
        python = self.versions.versions().get("python") or self.python
        window = list(self._window)
        for tags, match, before in self._wheels:
            after = window[len(window) - min(len(window), self.line_no - match.line_no) :]
            context = "\n".join([before, *(clean(raw).norm for raw in after)])
            misfit = wheel_misfit(tags, context, python)
            if misfit is None:
                continue
            refused = self.hits[_UNSUPPORTED_WHEEL]
            if match in refused.recent:  # placed: pip's words alone are no longer a finding
                refused.recent.remove(match)
                refused.count -= 1
            detector = self._detectors.family(_WHEEL_FAMILIES[misfit.cause])
            hits = self.hits.setdefault(detector.id, DetectorHits())
            hits.count += 1
            hits.recent.append(
                dataclasses.replace(match, detector=detector, detail=misfit.detail, generic=False)
            )

    def _no_gpu_on_this_os(self) -> None:
        """TensorFlow listing no GPU on an OS where the installed TensorFlow has none at all
        (macOS; native Windows after the last release with GPU support there) is the platform,
        not the CUDA set-up."""
        hits = self.hits[_NO_GPU]
        if not hits.recent:
            return
        text = "\n".join(clean(raw).norm for raw in self._window)
        system = shown_os(text)
        tensorflow = self.versions.versions().get("tensorflow", "")
        last = knowledge.windows_gpu_last()
        if system == "macos":
            detail = "the text shows macOS, where TensorFlow has no CUDA GPU support"
        elif system == "windows" and tensorflow and last and _newer_minor(tensorflow, last):
            detail = (
                f"the text shows native Windows and TensorFlow {tensorflow}: {last} was the last"
                " release with GPU support there"
            )
        else:
            return
        family = self._detectors.family("no-gpu-on-this-platform")
        placed = self.hits.setdefault(family.id, DetectorHits())
        for match in hits.recent:
            placed.count += 1
            placed.recent.append(dataclasses.replace(match, detector=family, detail=detail))
        hits.recent.clear()
        hits.count = 0

    def _stack_import_in(self, module: str) -> None:
        """The source line under a frame of a user's file named like a module TensorFlow needs
        imports TensorFlow or Keras: that import fails because TensorFlow, importing that module
        in turn, gets the user's file."""
        frame = self._module_frame
        self._module_frame = None
        if frame is None or frame[0] != self.line_no - 1:
            return
        if module.split(".", 1)[0] not in ("tensorflow", "keras", "tf_keras"):
            return
        line_no, text, path, named = frame
        detector = self._detectors.family("shadow-local-module")
        hits = self.hits.setdefault(detector.id, DetectorHits())
        hits.count += 1
        detail = f"`{path}` is named like the module `{named}` that TensorFlow imports"
        hits.recent.append(Match(detector, line_no, text, LineKind.OTHER, None, detail))

    def _user_site_beside_conda(self, line_no: int, text: str) -> None:
        """Frames of a conda installation and of pip's user site (``pip install --user``) in one
        traceback: the packages of that conda Python come from two installers."""
        detector = self._detectors.family("user-site-beside-conda")
        hits = self.hits.setdefault(detector.id, DetectorHits())
        hits.count += 1
        detail = "a traceback runs through conda's Python and pip's user site"
        hits.recent.append(Match(detector, line_no, text, LineKind.OTHER, None, detail))

    def _context_text(self, current: str) -> str:
        """The lines before the current one back to the start of their traceback, without the
        blank lines and Markdown fences around a paste (a message alone in a code block is still
        the message alone)."""
        lines = [current]
        for raw in reversed(self._window):
            norm = clean(raw).norm
            if not _MARKUP_ONLY.match(norm):
                lines.append(norm)
            if is_traceback_start(raw):
                break
        lines.reverse()
        return "\n".join(lines)


# a line that is only the frame of a paste: blank, or a Markdown code fence (```python, ~~~)
_MARKUP_ONLY = re.compile(r"(?:(?:`{3,}|~{3,})[\w+-]{0,20})?\Z")
# the words a message ends on when a wrap cut off the name it is about
_DANGLING_ENDS = (
    "has no attribute",
    "No module named",
    "cannot import name",
    "from",
    "The signature was",  # pybind11: the signature goes on the next line
)
# the loader's "<file>.so: undefined symbol: <symbol>" wrapped after the file or the words
_SYMBOL_ENDS = (".so:", "undefined symbol:")
_UNKNOWN_KERAS_NAME = re.compile(
    r"Unknown (?:layer|initializer|regularizer|constraint|activation function|activation|"
    r"optimizer|loss function|loss|metric function|metric)(?: class)?: ?'?(\w{1,100})'?"
    r"(?=\s*$|\.(?:\s|$)|,)"
)
_UNREGISTERED_OP = re.compile(r"Op type not registered '(\w{1,200})' in binary")
_PATH_FRAME = re.compile(
    r"^[\[~ ]{0,4}(?:[A-Za-z]:)?[^\s:]{0,400}\.(?:py|pyx)(?:\]\([^)\s]{0,200}\))?(?::\d{1,7})?(?: {1,4}(?:in \S|[A-Za-z_<])|\"?, line \d)"
)


@functools.lru_cache(maxsize=2048)
def _frame_line(text: str, norm: str) -> tuple[Frame, str] | str:
    """A frame line as (frame, local tensorflow.py/keras.py it names), else the module of the
    import statement it is ("" when none)."""
    path = site_path(norm) if "-packages/" in norm else None
    if not (is_frame(text) or (path is not None and _looks_like_frame(text))):
        return families.import_statement(text) if "import" in text else ""
    user = _user_file(norm) if path is None else ""
    function = text.rsplit(" in ", 1)[1].split("(", 1)[0].strip() if " in " in text else ""
    return Frame(path, user, function), shadow_file(norm) or ""


@functools.lru_cache(maxsize=2048)
def _matching(detectors: Detectors, norm: str) -> tuple[Signature, ...]:
    """The signatures whose pattern matches the line (their context is checked by the caller)."""
    return tuple(s for s in detectors.candidates(norm) if s.matches(norm))


def _looks_like_frame(text: str) -> bool:
    """A site-packages path at the start of a line, as IPython, Colab and autograph print
    frames (``/env/.../keras/engine/training.py in fit(...)``, ``[/usr/...](https://...) in``,
    ``/env/.../base_layer.py:1030 __call__``); not a warning or error that starts with the path
    of the file that raised it (``.../ensure_tf_install.py:68: UserWarning: ...``)."""
    return _PATH_FRAME.match(text) is not None


def _user_file(norm: str) -> str:
    start = norm.find('File "')
    if start >= 0:
        end = norm.find('"', start + 6)
        return norm[start + 6 : end if end > 0 else None]
    start = norm.find("File ")
    if start >= 0:  # IPython >= 8: File ~/x.py:3, in f / File C:/Users/me/x.py:3, in f
        rest = norm[start + 5 :]
        drive = rest[:2] if rest[1:3] == ":/" and rest[:1].isalpha() else ""
        return drive + rest[len(drive) :].split(":", 1)[0].split(",", 1)[0]
    return norm.split(" in ", 1)[0].strip("[] ")


def _newer_minor(version: str, than: str) -> bool:
    """Whether a stated version's major.minor is after ``than`` ("2.12.0" after "2.10")."""
    try:
        return Version(minor_of(version)) > Version(minor_of(than))
    except InvalidVersion:
        return False
