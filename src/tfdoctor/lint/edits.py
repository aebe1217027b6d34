"""Planned rewrites: decided by the analyzer (ast), applied by the fixer (libcst).

One small frozen class per kind of rewrite, as ruff's ``Edit``: each names the node it applies
to by its start (1-based line, 0-based character column), and attribute chains also by their
end, so the fixer finds the very node the analyzer saw.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Union


@dataclass(frozen=True)
class Position:
    line: int
    column: int


@dataclass(frozen=True)
class PrefixSwap:
    """Replace the dotted prefix ``old`` by ``new`` (``tensorflow.keras`` -> ``keras``)."""

    old: str
    new: str

    def apply(self, dotted: str) -> str:
        if dotted == self.old or dotted.startswith(self.old + "."):
            return self.new + dotted[len(self.old) :]
        return dotted


@dataclass(frozen=True)
class ChainRename:
    """``tf.keras.layers.experimental.preprocessing.X`` -> ``tf.keras.layers.X``."""

    start: Position
    end: Position
    dotted: str
    old: str = ""  # the chain as written, when it has no blanks or comments inside


@dataclass(frozen=True)
class ChainSwap:
    """``tf.keras.layers.Dense`` -> ``keras.layers.Dense`` (one Keras per file)."""

    start: Position
    end: Position
    swap: PrefixSwap


@dataclass(frozen=True)
class ImportRename:
    """``import keras.utils.np_utils as u`` -> ``import keras.utils as u``."""

    start: Position
    dotted: str


@dataclass(frozen=True)
class ImportSwap:
    """``import tensorflow.keras.layers as L`` -> ``import keras.layers as L``."""

    start: Position
    swap: PrefixSwap


@dataclass(frozen=True)
class ImportToFrom:
    """``import keras.layers as L`` -> ``from tensorflow.keras import layers as L``."""

    start: Position
    module: str
    name: str
    asname: str  # "" when the name is bound as itself


@dataclass(frozen=True)
class FromRename:
    """``from keras.utils.np_utils import x`` -> ``from keras.utils import x``."""

    start: Position
    module: str


@dataclass(frozen=True)
class FromSwap:
    """``from tensorflow.keras.layers import Dense`` -> ``from keras.layers import Dense``."""

    start: Position
    swap: PrefixSwap


@dataclass(frozen=True)
class FromRenameName:
    """``from keras.utils import np_utils`` -> ``from tensorflow.keras import utils as np_utils``:
    the module and the one imported name both change; ``asname`` keeps the bound name."""

    start: Position
    module: str
    name: str
    asname: str


@dataclass(frozen=True)
class FromToImport:
    """``from tensorflow import keras [as k]`` -> ``import keras [as k]``."""

    start: Position
    module: str
    asname: str  # "" when the module is bound as itself


@dataclass(frozen=True)
class KeywordRename:
    """``Adam(lr=...)`` -> ``Adam(learning_rate=...)``."""

    start: Position
    keyword: str
    old: str = ""


@dataclass(frozen=True)
class ImportInsert:
    """``import keras`` as a new top-level statement after line ``after_line`` (0: first)."""

    after_line: int
    module: str


Edit = Union[
    ChainRename,
    ChainSwap,
    ImportRename,
    ImportSwap,
    ImportToFrom,
    FromRename,
    FromSwap,
    FromRenameName,
    FromToImport,
    KeywordRename,
    ImportInsert,
]


def moved(edit: Edit, lines: int) -> Edit:
    """The same edit with every line number moved by ``lines`` (for a part of a file)."""
    if isinstance(edit, ImportInsert):
        return replace(edit, after_line=edit.after_line + lines)
    start = Position(edit.start.line + lines, edit.start.column)
    if isinstance(edit, (ChainRename, ChainSwap)):
        return replace(edit, start=start, end=Position(edit.end.line + lines, edit.end.column))
    return replace(edit, start=start)


def edit_line(edit: Edit) -> int:
    """The line an edit is anchored at (an insert: the line it goes after)."""
    return edit.after_line if isinstance(edit, ImportInsert) else edit.start.line
