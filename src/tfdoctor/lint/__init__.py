"""``tfdoctor lint``: static checks of user code for Keras/TensorFlow incompatibilities.

Public API: :func:`lint_paths` (discover, lint, optionally fix) and :func:`resolve_target`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the runner (libcst, rich) loads on first use: explain reads only the tables
    from tfdoctor.lint.runner import LintResult
    from tfdoctor.lint.target import KerasTarget


def resolve_target(
    python: str | None = None, keras: str | None = None, tensorflow: str | None = None
) -> KerasTarget:
    """The Keras/TF to check against: the flags, else what ``python`` has installed."""
    from tfdoctor.lint.target import resolve_target as _resolve

    return _resolve(python, keras, tensorflow)


def lint_paths(
    paths: Sequence[str],
    target: KerasTarget | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] = (),
    exclude: Sequence[str] = (),
    jobs: int | None = None,
    fix: bool = False,
    diff: bool = False,
) -> LintResult:
    """Lint the Python files and notebooks under ``paths``; ``fix`` writes the safe rewrites,
    ``diff`` only works them out (``LintResult.changes``)."""
    from tfdoctor.lint.rules import select_codes
    from tfdoctor.lint.runner import lint_files
    from tfdoctor.lint.sources import discover

    files = discover(paths, exclude)
    codes = select_codes(list(select) if select is not None else None, list(ignore))
    return lint_files(files, target or resolve_target(), codes, jobs=jobs, fix=fix, diff=diff)


__all__ = ["lint_paths", "resolve_target"]
