"""PEP 440 versions for the check path, without ``packaging``.

Importing ``packaging`` and ``packaging.version`` costs a plain ``tfdoctor check`` about twice
what this module does (2.7 against 1.2 ms, bench/README.md), so the check path (the knowledge
base, the snapshot, the rules and ``pep508``'s fast path) parses, normalises and orders versions
here. The rest of tfdoctor (fix, lint, explain, matrix, resolve) keeps ``packaging``, which
stays the reference: a differential test (tests/test_version.py) holds this type to the same
accepted strings, normalised forms, equality and order as ``packaging.version.Version``.

Grammar and order follow the PEP 440 specification
(https://peps.python.org/pep-0440/#version-scheme, #normalization, #summary-of-permitted-suffixes-and-relative-ordering):
``[v][N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`` with the spellings it normalises (case,
``alpha``/``beta``/``c``/``pre``/``preview``, ``-``/``_``/``.`` separators or none, implicit
numbers, ``-N`` post-releases, ``rev``/``r``, surrounding whitespace).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

__all__ = ["InvalidVersion", "Version"]

_SEP = "[._-]?"
_NUMBER = "[0-9]+"
# Every part but the surrounding whitespace is ASCII: an IGNORECASE match in Unicode mode would
# also take the Kelvin sign for "k" in a local label, which PEP 440 does not allow.
_PATTERN = re.compile(
    rf"""
    \s* v?
    (?a:
        (?: (?P<epoch>{_NUMBER}) ! )?
        (?P<release> {_NUMBER} (?: \. {_NUMBER} )* )
        (?: {_SEP} (?P<pre_l> alpha|a|beta|b|preview|pre|c|rc ) {_SEP} (?P<pre_n>{_NUMBER})? )?
        (?: - (?P<post_implicit>{_NUMBER})
          | {_SEP} (?P<post_l> post|rev|r ) {_SEP} (?P<post_n>{_NUMBER})? )?
        (?: {_SEP} (?P<dev_l> dev ) {_SEP} (?P<dev_n>{_NUMBER})? )?
        (?: \+ (?P<local> [a-z0-9]+ (?: [._-] [a-z0-9]+ )* ) )?
    )
    \s*
    """,
    re.VERBOSE | re.IGNORECASE,
)
_PLAIN = frozenset("0123456789.")  # "2.16.1": split, no regex
_PRE_SPELLINGS = {"alpha": "a", "a": "a", "beta": "b", "b": "b"}
_PRE_SPELLINGS.update(dict.fromkeys(("c", "pre", "preview", "rc"), "rc"))
_PRE_RANK = {"a": 0, "b": 1, "rc": 2}
_DEV_ONLY = (-1, 0)  # 1.0.dev0 sorts before 1.0a0
_FINAL = (3, 0)  # no pre-release: after every rc
# The key after the release for a final release: no pre-, post-, dev-release or local label.
_FINAL_SUFFIX: tuple[int, int, int, int, int, tuple[tuple[int, str], ...]] = (*_FINAL, -1, 1, 0, ())
_LOCAL_SEPARATORS = re.compile(r"[._-]")

if TYPE_CHECKING:  # the aliases are only read by type checkers: nothing to build at start-up
    from typing import Optional, Union

    LocalSegment = Union[int, str]
    # (epoch, release without trailing zeros, pre rank, pre number, post, dev rank, dev, local)
    _Key = tuple[int, tuple[int, ...], int, int, int, int, int, tuple[tuple[int, str], ...]]
    # (epoch, release, pre, post, dev, local segments)
    _Parts = tuple[
        int,
        tuple[int, ...],
        Optional[tuple[str, int]],
        Optional[int],
        Optional[int],
        tuple[LocalSegment, ...],
    ]


class InvalidVersion(ValueError):
    """The text is not a PEP 440 version."""


class Version:
    """A parsed PEP 440 version: normalised by ``str``, ordered and hashed as PEP 440 says."""

    __slots__ = ("_key", "dev", "epoch", "local_segments", "post", "pre", "release")

    # Read-only (mypy enforces Final): the hash and the order key are computed once.
    epoch: Final[int]
    release: Final[tuple[int, ...]]
    pre: Final[tuple[str, int] | None]  # ("a" | "b" | "rc", number)
    post: Final[int | None]
    dev: Final[int | None]
    local_segments: Final[tuple[LocalSegment, ...]]  # () or ("ubuntu", 1) for "+ubuntu.1"
    _key: Final[_Key]

    def __init__(self, text: str) -> None:
        epoch, release, pre, post, dev, local = _parse(text)
        self.epoch, self.release, self.pre, self.post, self.dev = epoch, release, pre, post, dev
        self.local_segments = local
        self._key = _order_key(epoch, release, pre, post, dev, local)

    # -- the parts, as packaging names them ---------------------------------------------------
    @property
    def local(self) -> str | None:
        return ".".join(map(str, self.local_segments)) if self.local_segments else None

    @property
    def base_version(self) -> str:
        """Epoch and release only: ``"1!2.0"`` for ``"1!2.0rc1.post2+abc"``."""
        release = ".".join(map(str, self.release))
        return f"{self.epoch}!{release}" if self.epoch else release

    @property
    def public(self) -> str:
        """Everything but the local label."""
        return str(self).partition("+")[0]

    @property
    def is_prerelease(self) -> bool:
        return self.pre is not None or self.dev is not None

    @property
    def is_postrelease(self) -> bool:
        return self.post is not None

    @property
    def is_devrelease(self) -> bool:
        return self.dev is not None

    @property
    def major(self) -> int:
        return self.release[0]

    @property
    def minor(self) -> int:
        return self.release[1] if len(self.release) > 1 else 0

    @property
    def micro(self) -> int:
        return self.release[2] if len(self.release) > 2 else 0

    def __str__(self) -> str:
        text = self.base_version
        if self.pre is not None:
            text += f"{self.pre[0]}{self.pre[1]}"
        if self.post is not None:
            text += f".post{self.post}"
        if self.dev is not None:
            text += f".dev{self.dev}"
        local = self.local
        return text if local is None else f"{text}+{local}"

    def __repr__(self) -> str:
        return f"<Version({str(self)!r})>"

    # -- order ---------------------------------------------------------------------------------
    def __hash__(self) -> int:
        return hash(self._key)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key == other._key

    def __ne__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key != other._key

    def __lt__(self, other: Version) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key < other._key

    def __le__(self, other: Version) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key <= other._key

    def __gt__(self, other: Version) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key > other._key

    def __ge__(self, other: Version) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key >= other._key


def _parse(text: str) -> _Parts:
    """(epoch, release, pre, post, dev, local segments), or InvalidVersion."""
    if isinstance(text, str) and text and _PLAIN.issuperset(text):  # "2.16.1": no regex
        parts = text.split(".")
        if "" in parts:
            raise InvalidVersion(f"Invalid version: {text!r}")
        return 0, tuple(map(int, parts)), None, None, None, ()
    match = _PATTERN.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise InvalidVersion(f"Invalid version: {text!r}")
    pre_letters, implicit_post, post_letters = (
        match["pre_l"],
        match["post_implicit"],
        match["post_l"],
    )
    pre = None
    if pre_letters:
        pre = _PRE_SPELLINGS[pre_letters.lower()], int(match["pre_n"] or 0)
    post = None
    if implicit_post:
        post = int(implicit_post)  # "1.0-1" is 1.0.post1
    elif post_letters:
        post = int(match["post_n"] or 0)
    return (
        int(match["epoch"] or 0),
        tuple(map(int, match["release"].split("."))),
        pre,
        post,
        int(match["dev_n"] or 0) if match["dev_l"] else None,
        _local(match["local"]),
    )


def _order_key(
    epoch: int,
    release: tuple[int, ...],
    pre: tuple[str, int] | None,
    post: int | None,
    dev: int | None,
    local: tuple[LocalSegment, ...],
) -> _Key:
    """PEP 440's order as a tuple: trailing zeros of the release do not count (1.0 == 1);
    dev < pre < final < post; no local label < any label, where a number sorts after any
    alphanumeric segment and a shorter label first."""
    if pre is None and post is None and dev is None and not local:
        return (epoch, _trimmed(release), *_FINAL_SUFFIX)
    if pre is not None:
        pre_rank, pre_number = _PRE_RANK[pre[0]], pre[1]
    else:
        pre_rank, pre_number = _DEV_ONLY if post is None and dev is not None else _FINAL
    return (
        epoch,
        _trimmed(release),
        pre_rank,
        pre_number,
        -1 if post is None else post,
        *((1, 0) if dev is None else (0, dev)),
        tuple((s, "") if isinstance(s, int) else (-1, s) for s in local),
    )


def _local(label: str | None) -> tuple[LocalSegment, ...]:
    """``"Ubuntu-01.x"`` -> ``("ubuntu", 1, "x")``: numbers compare as numbers."""
    if label is None:
        return ()
    return tuple(int(s) if s.isdigit() else s.lower() for s in _LOCAL_SEPARATORS.split(label))


def _trimmed(release: tuple[int, ...]) -> tuple[int, ...]:
    size = len(release)
    while size and release[size - 1] == 0:
        size -= 1
    return release[:size]
