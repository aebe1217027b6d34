"""tfdoctor: find out why TensorFlow and Keras do not work together, and fix it.

From Python: ``tfdoctor.check(python=None) -> Report`` and ``tfdoctor.explain(text) -> Report``
(see :mod:`tfdoctor.api`); in Jupyter/IPython: ``%load_ext tfdoctor``, then ``%tfdoctor`` and
``%tfdoctor explain`` (see :mod:`tfdoctor.notebook`). This module stays light: the command line
imports it first thing, so everything else is imported only when called.
"""

from __future__ import annotations

__version__ = "0.1.0"

TYPE_CHECKING = False
if TYPE_CHECKING:
    import os
    from collections.abc import Iterable
    from typing import Any

    from tfdoctor.report.model import Report


def check(
    python: str | os.PathLike[str] | None = None,
    *,
    deep: bool = False,
    timeout: float = 180.0,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
) -> Report:
    """Check an environment (default: the interpreter running this code); see tfdoctor.api."""
    from tfdoctor.api import check as run

    return run(python, deep=deep, timeout=timeout, select=select, ignore=ignore)


def explain(text: str, python: str | os.PathLike[str] | None = None) -> Report:
    """Rank the known root causes in an error text; see tfdoctor.api."""
    from tfdoctor.api import explain as run

    return run(text, python=python)


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext tfdoctor``: registers the ``%tfdoctor`` magic."""
    from tfdoctor.notebook import load_ipython_extension as load

    load(ipython)


__all__ = ["__version__", "check", "explain", "load_ipython_extension"]
