"""Errors that end a command with one clear line and exit status 2."""

from __future__ import annotations


class UsageError(Exception):
    """Bad input from the user: a missing path, an unsupported interpreter, unreadable text.

    The message is one line saying what is wrong and what to do; the CLI prints it and exits 2.
    """


def positive_seconds(value: float, option: str = "--timeout") -> float:
    """``value`` if it is a time limit: a positive, finite number of seconds. ``nan`` and
    ``inf`` (which float() accepts, and which compare false or never run out) are usage errors
    like 0 or -1."""
    if not 0 < value < float("inf"):
        raise UsageError(f"{option} must be a positive number of seconds, not {value:g}")
    return value


EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
