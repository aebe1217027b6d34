"""Clean one pasted line and say what kind of line it is.

Pasted text comes with ANSI colours (also written out as ``\\u001b[..m`` in JSON dumps of notebook
outputs), HTML entities (``&#39;``), CRLF line ends, Windows paths, notebook markers (``----> 1``),
markdown quotes (``> ``), launcher prefixes (``[1,0]<stderr>:``, ``(Worker pid=12)``) and
TensorFlow's C++ log prefixes (``2024-01-01 10:00:00.1: W tensorflow/...cc:64]``,
``E0000 00:00:17.2  7665 cuda_dnn.cc:522]``).
"""

from __future__ import annotations

import functools
import html
import json
import re
from dataclasses import dataclass
from enum import Enum

from tfdoctor.explain.reader import newlines

_ANSI = re.compile(
    r"\x1b\[[0-9;?]*[ -/]*[@-~]"  # CSI: colours, cursor moves
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC: titles, links
    r"|\\u001b\[[0-9;]*m|\\x1b\[[0-9;]*m|\\033\[[0-9;]*m"  # escapes written out in JSON dumps
)
_PREFIXES = re.compile(
    r"^(?:\s*(?:>\s?)+"  # markdown quote
    r"|\s*\[\d+,\d+\]<std(?:out|err)>:"  # mpirun / horovod rank prefix
    r"|\s*\(\w+ pid=\d+\)\s"  # ray worker prefix
    r"|\s*E {2,}(?=\S)"  # pytest's failure lines: "E       ValueError: ..."
    # a CI or container log's time stamp: GitHub Actions' "2024-05-02T10:41:17.4263519Z ",
    # Kubernetes' (CRI) "2024-05-02T10:41:17.426351923Z stderr F "
    r"|\s*\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z\s(?:std(?:out|err) [FP] )?"
    r"|\s*[\w.-]{1,60}[-_]\d{1,4} +\| ?"  # docker compose: "trainer-1  | ", "web_1  | "
    r"|\s*\d{1,6}\.\d{1,3}s\s+\d{1,7}\s"  # a Kaggle notebook's log: "   12.3s    41 "
    r")+"
)
_HTML_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|quot|apos|amp|lt|gt|nbsp);")
_NOTEBOOK_ARROW = re.compile(r"^\s*-+>\s*(?:\d+\s)?")
_TF_LOG = re.compile(
    r"^\s*(?:\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?:?\s+([IWEF])\s"  # 2024-.. W file.cc:1]
    r"|([IWEF])\d{4}\s+\d\d:\d\d:\d\d\.\d+\s+\d+\s)"  # absl: E0000 00:00:17.2  7665 file.cc:1]
    r"\s*\S+:\d+\]\s?"
)
_EXCEPTION = re.compile(
    r"^(?:[A-Za-z_][\w]*\.)*[A-Z]\w*(?:Error|Exception|Warning|Exit|Interrupt|Failure)\b"
    r"(?::|$|\s*\(see above)"
)
_FATAL = re.compile(
    r"Illegal instruction|illegal hardware instruction|Segmentation fault|core dumped"
    r"|Fatal Python error|^\s*Aborted\b|interrupted by signal|exit code 13[24]\b"
)
# uv prints its errors after a multiplication sign and an arrow (\u00d7, \u2570\u2500\u25b6)
_TOOL_ERROR = re.compile(r"^\s*(?:ERROR\b|error:|\u00d7|\u2570\u2500\u25b6|hint:|cause:)")
_WARNING = re.compile(r"^\s*(?:WARNING\b|Warning:)|\b\w*Warning: ")

# Lines that TensorFlow prints on working installs; they are never the cause of a failure.
# Seen in the real runs of tests/data/explain/negative_*.txt and in pasted logs such as
# https://github.com/tensorflow/io/issues/1742 (cuBLAS factory) and
# https://github.com/tensorflow/tensorflow/issues/45930 ("Ignore above cudart dlerror").
_NOISE = re.compile(
    r"This TensorFlow binary is optimized (?:with oneAPI|to use available CPU)"
    r"|To enable (?:the following instructions|them in other operations)"
    r"|Your CPU supports instructions that this TensorFlow binary was not compiled to use"
    r"|The TensorFlow library wasn't compiled to use .* but these are available"
    r"|oneDNN custom operations are on"
    r"|Unable to register cu(?:DNN|FFT|BLAS) factory"
    r"|TF-TRT Warning: Could not find TensorRT"
    r"|Ignore above cudart dlerror if you do not have a GPU"
    r"|All log messages before absl::InitializeLog\(\) is called"
    r"|successful NUMA node read from SysFS had negative value"
    r"|computation placer already registered"
)


# Markdown emphasis and quotes people wrap a pasted error line in: **_AttributeError: ..._**
_EMPHASIS = "*_`\"' "
_FRAME = re.compile(r'^\s*(?:File "|File (?:[~/<.\\]|[A-Za-z]:[\\/])|Cell In\[|~[/\\])')


# Typographic quotes, as web pages and word processors turn a pasted error's quotes into:
# \u2018libcusolver.so.10\u2019 matches as 'libcusolver.so.10'; and the no-break spaces that
# copying from a rendered page or a chat (&nbsp;, U+202F, U+2007) leaves between the words.
_TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00a0": " ",
        "\u202f": " ",
        "\u2007": " ",
    }
)


class LineKind(str, Enum):
    """What a line is, from the strongest evidence of a failure to the weakest."""

    FATAL = "fatal"  # the process died: SIGILL, segfault, abort
    EXCEPTION = "exception"  # a Python exception line (or its continuation)
    TOOL_ERROR = "tool-error"  # pip / uv / TensorFlow E-level log error
    WARNING = "warning"
    INFO = "info"  # TensorFlow I-level log
    OTHER = "other"


@dataclass(frozen=True)
class CleanLine:
    text: str  # what the user wrote, without colours and prefixes (shown as evidence)
    norm: str  # text with Windows separators turned to '/' and plain quotes, for matching
    kind: LineKind
    noise: bool


@functools.lru_cache(maxsize=2048)  # logs repeat lines: tracebacks, warnings, progress
def clean(raw: str) -> CleanLine:
    text = _ANSI.sub("", raw).replace("\r", "").rstrip()
    if "&" in text and _HTML_ENTITY.search(text):
        text = html.unescape(text)  # copied from a web page's source: &#39;tensorflow&#39;
    text = _PREFIXES.sub("", text)
    text = _NOTEBOOK_ARROW.sub("", text)
    level = ""
    log = _TF_LOG.match(text)
    if log is not None:
        level = log.group(1) or log.group(2) or ""
        text = text[log.end() :]
    text = text.strip()
    return CleanLine(
        text=text,
        # a path in a Python repr (pip's OSError messages) doubles its backslashes
        norm=text.replace("\\\\", "/").replace("\\", "/").translate(_TYPOGRAPHY),
        kind=_kind(text, level),
        noise=bool(_NOISE.search(text)),
    )


def _kind(text: str, level: str) -> LineKind:
    if _FATAL.search(text) or level == "F":
        return LineKind.FATAL
    if _EXCEPTION.match(text.lstrip(_EMPHASIS)):
        return LineKind.EXCEPTION
    if level == "E" or _TOOL_ERROR.match(text):
        return LineKind.TOOL_ERROR
    if level == "W" or _WARNING.search(text):
        return LineKind.WARNING
    if level == "I":
        return LineKind.INFO
    return LineKind.OTHER


# A traceback written into one line with its line breaks escaped: a JSON log record
# ({"level": "error", "msg": "Traceback ...\n  File \"/x.py\" ..."}), a notebook's output saved
# as JSON, or the repr of a captured stderr (b'Traceback (most recent call last):\n  File ...').
_ESCAPED_BREAK = re.compile(r"(?<!\\)(?:\\\\)*\\[nr]")
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)")
_TRACEBACK_ESCAPED = "Traceback (most recent call last):\\n"
_SURROGATE = re.compile("[\ud800-\udfff]")  # half a pair: it cannot be printed
_ESCAPES = {"n": "\n", "r": "", "t": "\t", '"': '"', "'": "'", "\\": "\\", "/": "/"}


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if len(code) > 1:
        point = int(code[1:], 16)
        return "\ufffd" if 0xD800 <= point <= 0xDFFF else chr(point)  # half a surrogate pair
    return _ESCAPES.get(code, match.group(0))


def looks_escaped(raw: str) -> bool:
    """Whether a line holds escaped text with line breaks (see :func:`escaped_lines`)."""
    if "\\" not in raw or _ESCAPED_BREAK.search(raw) is None:
        return False
    return raw.lstrip()[:1] in ("{", "[", '"') or _TRACEBACK_ESCAPED in raw


def escaped_lines(raw: str) -> list[str] | None:
    """The lines of a line that holds escaped text with line breaks (a JSON string, a Python
    repr), unescaped; None for any other line. Only a line that starts as JSON does (``{``,
    ``[``, ``"``) or that holds an escaped traceback's first line is read so: a Windows path
    (``C:\\new\\readme.txt``) in a plain line is not split at its ``\\n``."""
    if not looks_escaped(raw):
        return None
    text = raw.strip().rstrip(",")  # a line of an indented JSON document ends with a comma
    if text[:1] in ("{", "[", '"'):
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            pass  # cut short, or not JSON (a Python repr): unescaped as it is below
        else:
            return [
                line
                for string in _strings(value)
                for line in newlines(_SURROGATE.sub("\ufffd", string)).split("\n")
            ]
        if text[:1] == '"' and _TRACEBACK_ESCAPED not in raw:
            return None  # a quoted Windows path ("C:\\new\\x.py"), not an escaped text
    return _ESCAPE.sub(_unescape, raw).split("\n")


def _strings(value: object) -> list[str]:
    """The strings in a JSON value, in document order (a notebook output's lines are the items
    of a list, a log record's message is one value)."""
    found: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return found


# a traceback whose line breaks were lost on the way (a web page's comment, an issue title, a
# chat message): one line that holds the traceback's start and its frames
_COLLAPSED_MIN = 160
_COLLAPSED_FRAME = ('File "', "<ipython-input-", "Cell In[", "--->")
_COLLAPSED_BREAK = re.compile(
    r"\s+(?="
    r'File "|Traceback \(most recent call last\)|During handling of the above exception'
    r"|The above exception was the direct cause"
    r"|(?:[A-Za-z_]\w*\.)*[A-Z]\w*(?:Error|Exception|Warning|Exit|Interrupt|Failure): )"
)
_COLLAPSED_SOURCE = re.compile(r'(File "[^"]{1,400}", line \d{1,7}, in [^\s]{1,200})\s+(\S.*)')


def collapsed_lines(raw: str) -> list[str] | None:
    """The lines of a traceback collapsed into one line, split where its lines began: before
    its start, each frame, the chain's sentences and each ``SomeError: message``; None for any
    other line."""
    if len(raw) < _COLLAPSED_MIN or "Traceback (most recent call last)" not in raw:
        return None
    if not any(mark in raw for mark in _COLLAPSED_FRAME):
        return None
    pieces: list[str] = []
    for piece in _COLLAPSED_BREAK.split(raw):
        frame = _COLLAPSED_SOURCE.match(piece)
        # a frame and the source line under it: `File "x.py", line 3, in main  model.fit(...)`
        pieces.extend(frame.groups() if frame else [piece] if piece.strip() else [])
    return pieces if len(pieces) > 1 else None


def is_traceback_start(text: str) -> bool:
    return "Traceback (most recent call last)" in text


def is_frame(text: str) -> bool:
    """A stack frame line (plain Python or IPython form) rather than message text; not an
    error that starts with the word File (``File format not supported: ...``)."""
    return _FRAME.match(text) is not None


# Words at least one of which every line worth a closer look contains; the lines of an exception
# message (up to CONTINUATION_LINES after it) are looked at whatever they contain. A block of text
# without any of these words is skipped whole: each word costs one pass over the block, which is
# what keeps a 500 MB training log fast, so the list is kept short. Not every detector is reached
# through them (a keras.json, a `pip list` beside the error): test_explain_stream.py checks the
# lines without an error word that a long log is known to end with.
TRIGGER_WORDS: tuple[str, ...] = (
    "rror",  # Error, error
    "RROR",
    "xception",
    "arning",  # Warning, warning, UserWarning
    "ARNING",
    "Traceback",
    "llegal",  # Illegal instruction, illegal hardware instruction
    "dumped",  # (core dumped)
    "equire",  # requires, has requirement, You require
    "epends on",
    "nightly",
    "compiled",
    "ailed",  # Failed, failed
    "annot",  # Cannot, cannot
    "ould not",  # Could not, could not
    "uDNN",  # CuDNN, cuDNN
    "ndefined",  # undefined symbol
    "hint:",  # pip >= 23's hints: a conda package, a package without RECORD
    "GPUs",  # Num GPUs Available: 0 (what a script prints, no error word on the line)
    "physical_device:CPU",  # [PhysicalDevice(name='/physical_device:CPU:0', ...)]: no GPU listed
    "ncompatible",  # pip-compile's "There are incompatible versions in the resolved dependencies"
)


def has_trigger(text: str) -> bool:
    return any(word in text for word in TRIGGER_WORDS)
