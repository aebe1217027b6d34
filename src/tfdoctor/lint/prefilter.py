"""Decide from the bytes alone whether a file needs the ast (most files of a big tree do not).

Every finding needs an import of tensorflow, keras or tf_keras, so the import statements are
read with regular expressions (any match counts, even one in a string: that only sends more
files to the ast). A file is skipped only when no import reaches a changed API (the import names
it, or binds a parent of it and the rest of the dotted chain is written after the bound name),
it uses at most one Keras implementation, and it has no call of a removed method or of
save/load. The one form the ast analysis follows and this does not is an attribute chain split
by parentheses (``(tf).Session``); tests/lint/test_realenv.py checks on thousands of real files
that both give the same findings.
"""

from __future__ import annotations

import re
from functools import lru_cache

from tfdoctor.lint.knowledge import Knowledge, implementation_of, tf2_name
from tfdoctor.lint.target import TF_KERAS

_ROOTS = rb"(?:tensorflow|keras|tf_keras)"
# Literal first words keep these fast; what precedes a match is checked in Python. Any match
# counts, even one in a string: that only sends more files to the ast.
_FROM = re.compile(
    rb"from(?:[ \t]|\\\r?\n)+(" + _ROOTS + rb"(?:[ \t]*\.[ \t]*\w+)*)(?:[ \t]|\\\r?\n)+import[ \t]*"
    rb"(\([^)]*\)|(?:[^\n\\;]|\\\r?\n)*)"
)
_IMPORT = re.compile(
    rb"import(?:[ \t]|\\\r?\n)+((?:[\w.]+[ \t]*(?:as[ \t]+\w+[ \t]*)?,[ \t]*)*"
    + _ROOTS
    + rb"\b(?:[^\n\\;#]|\\\r?\n)*)"
)
_COMMENT = re.compile(rb"#[^\n]*")
# Strings and comments, blanked before deciding which implementations a skipped file uses.
_STRIP = re.compile(
    rb'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    rb'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|#[^\n]*',
    re.S,
)

Binding = tuple[str, str, int]  # (qualified name, bound name, offset of the statement)


def bindings(data: bytes) -> list[Binding]:
    """What the top-level-looking import statements of tensorflow/keras/tf_keras bind, and the
    names assigned an attribute chain of a bound name (``keras = tf.keras``)."""
    found = [*_from_bindings(data), *_import_bindings(data)]
    return [*found, *_alias_bindings(data, found)] if found else found


# `keras = tf.keras`, `K = keras.backend`: a name assigned a bare attribute chain
# (any statement that starts so counts, a call or a comment after the chain included: that only
# sends more files to the ast)
_ALIAS = re.compile(
    rb"^[ \t]*([A-Za-z_]\w*)[ \t]*=[ \t(]*([A-Za-z_]\w*(?:[ \t]*\.[ \t]*\w+)+)", re.M
)


def _alias_bindings(data: bytes, found: list[Binding]) -> list[Binding]:
    """``keras = tf.keras`` binds ``tensorflow.keras`` as ``keras`` (an alias of an alias too)."""
    if b"=" not in data:
        return []
    known = {bound: qualified for qualified, bound, _ in found if bound}
    aliases: list[Binding] = []
    matches = [
        (m.group(1).decode("ascii", "replace"), b"".join(m.group(2).split()), m.start())
        for m in _ALIAS.finditer(data)
    ]
    for _ in range(2):  # keras = tf.keras; layers = keras.layers
        for name, chain, offset in matches:
            root, _dot, rest = chain.decode("ascii", "replace").partition(".")
            if root in known and name not in known:
                known[name] = f"{known[root]}.{rest}"
                aliases.append((known[name], name, offset))
    return aliases


def _from_bindings(data: bytes) -> list[Binding]:
    """``from M import a, b as c``: ``M.a`` bound as ``a``, ``M.b`` as ``c``; ``*`` binds M."""
    found: list[Binding] = []
    for match in _FROM.finditer(data):
        if match.start() and (
            data[match.start() - 1 : match.start()].isalnum() or data[match.start() - 1] == 95
        ):  # 95: "_"
            continue
        module = b"".join(match.group(1).split()).decode("ascii", "replace")
        names = match.group(2)
        if b"#" in names:
            names = _COMMENT.sub(b"", names)
        names = names.replace(b"\\", b" ").strip(b"() \t\r\n")
        for item in names.split(b","):
            words = item.split()
            if not words:
                continue
            name = words[0].decode("ascii", "replace")
            bound = words[2].decode("ascii", "replace") if len(words) == 3 else name
            if name == "*":
                found.append((module, "", match.start()))
            else:
                found.append((f"{module}.{name}", bound, match.start()))
    return found


def _import_bindings(data: bytes) -> list[Binding]:
    """``import a.b as c`` binds ``a.b`` as ``c``; ``import a.b`` binds ``a``."""
    found: list[Binding] = []
    for match in _IMPORT.finditer(data):
        if not _starts_statement(data, match.start()):
            continue
        for item in match.group(1).replace(b"\\", b" ").split(b","):
            words = item.split()
            if not words:
                continue
            dotted = words[0].decode("ascii", "replace")
            root = dotted.split(".")[0]
            if root not in ("tensorflow", "keras", "tf_keras"):
                continue
            if len(words) == 3 and words[1] == b"as":
                found.append((dotted, words[2].decode("ascii", "replace"), match.start()))
            else:
                found.append((root, root, match.start()))
    return found


def _starts_statement(data: bytes, offset: int) -> bool:
    """True when only blanks (or ; or :) precede ``import`` on its line."""
    before = data[max(0, offset - 200) : offset].rstrip(b" \t")
    return not before or before.endswith((b"\n", b";", b":", b"\r"))


_CHAIN_CACHE: dict[tuple[str, tuple[tuple[str, ...], ...]], re.Pattern[bytes]] = {}


def _longest_first(chain: bytes) -> int:
    return -len(chain)


def _chain_pattern(bound: str, rests: tuple[tuple[str, ...], ...]) -> re.Pattern[bytes]:
    """``bound.a.b`` for any of ``rests``, as attribute chains are written."""
    key = (bound, rests)
    pattern = _CHAIN_CACHE.get(key)
    if pattern is None:
        dot = rb"\s*\.\s*"
        chains: set[bytes] = {dot.join(re.escape(p).encode() for p in rest) for rest in rests}
        ordered: list[bytes] = sorted(chains, key=_longest_first)
        options = b"|".join(ordered)
        name = re.escape(bound.encode())
        # the literal name comes first so that the regex engine can search for it quickly
        pattern = re.compile(
            name + rb"(?<![\w.]" + name + rb")" + dot + rb"(?:" + options + rb")\b"
        )
        if len(_CHAIN_CACHE) > 256:
            _CHAIN_CACHE.clear()
        _CHAIN_CACHE[key] = pattern
    return pattern


_STATIC: dict[tuple[int, str], tuple[bool, tuple[bytes, ...]]] = {}


def _static_reach(qualified: str, kb: Knowledge) -> tuple[bool, tuple[bytes, ...]]:
    """(the import itself names a changed API, keywords whose presence makes it reach one)."""
    key = (id(kb), qualified)
    cached = _STATIC.get(key)
    if cached is None:
        parts = qualified.split(".")
        direct = False
        keywords: list[bytes] = []
        for end in range(1, len(parts) + 1):
            prefix = ".".join(parts[:end])
            direct = direct or prefix in kb.paths
            keywords.extend(kb.keyword_paths.get(prefix, ()))
        cached = (direct, tuple(keywords))
        if len(_STATIC) > 65536:
            _STATIC.clear()
        _STATIC[key] = cached
    return cached


def _reaches_change(data: bytes, qualified: str, bound: str, kb: Knowledge) -> bool:
    qualified = tf2_name(qualified)
    direct, keywords = _static_reach(qualified, kb)
    if direct or any(word in data for word in keywords):
        return True
    below = kb.below.get(qualified)
    if not below:
        return False
    if not bound:  # a star import: the names below are used bare
        return any(
            all(w.encode() in data for w in (*rest, keyword) if w) for rest, keyword in below
        )
    names = tuple(rest for rest, keyword in below if not keyword)
    if names and _chain_pattern(bound, names).search(data):
        return True
    calls = tuple(rest for rest, keyword in below if keyword and keyword.encode() in data)
    return bool(calls) and _chain_pattern(bound, calls).search(data) is not None


def _implementations(data: bytes, found: list[Binding]) -> dict[str, int]:
    """Implementation -> offset of its first import, from the bindings of ``data``."""
    impls: dict[str, int] = {}
    for qualified, bound, offset in sorted(found, key=lambda b: b[2]):
        hit = implementation_of(qualified)
        if hit is not None:
            impls.setdefault(hit[0], offset)
        elif qualified in ("tensorflow", "tensorflow.compat.v2"):
            pattern = (re.escape(bound.encode()) + rb"\s*\.\s*keras\b") if bound else rb"\bkeras\b"
            use = re.search(pattern, data)
            if use is not None:
                impls.setdefault(TF_KERAS, use.start())
    return impls


def scan(data: bytes, kb: Knowledge) -> tuple[bool, dict[str, tuple[int, int]]]:
    """(needs the ast, implementation -> (line, column) of its first use when it does not)."""
    if b"keras" not in data and b"tensorflow" not in data:
        return False, {}
    found = bindings(data)
    if not found:
        return False, {}
    code: bytes | None = None
    if any(_reaches_change(data, q, bound, kb) for q, bound, _ in found):
        # confirm on the code alone: docstrings name old APIs all the time
        code = _blank_strings(data)
        if any(_reaches_change(code, q, bound, kb) for q, bound, _ in bindings(code)):
            return True, {}
    if not _implementations(data, found):
        return False, {}
    if code is None:
        code = _blank_strings(data)
    exact = _implementations(code, bindings(code))
    if len(exact) >= 2:
        return True, {}
    if not exact:
        return False, {}
    if _method_pattern(kb.method_words).search(code):
        return True, {}
    if kb.keras3.intersection(exact) and _SAVE_CALL.search(code):
        return True, {}
    # locations from the file itself (the blanked code has other offsets)
    raw = _implementations(data, found)
    return False, {impl: line_and_column(data, raw.get(impl, 0)) for impl in exact}


_SAVE_CALL = re.compile(rb"(?:\.\s*(?:save|save_weights)|\b(?:load_model|save_model))\s*\(")


@lru_cache(maxsize=8)
def _method_pattern(words: tuple[bytes, ...]) -> re.Pattern[bytes]:
    if not words:
        return re.compile(rb"(?!)")
    return re.compile(rb"\.\s*(?:" + b"|".join(re.escape(w) for w in words) + rb")\s*\(")


def _blank_strings(data: bytes) -> bytes:
    """The code with strings and comments blanked (offsets change)."""
    return _STRIP.sub(b" ", data)


def line_and_column(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column of a byte offset."""
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    return line, len(data[start:offset].decode("utf-8", "replace")) + 1
