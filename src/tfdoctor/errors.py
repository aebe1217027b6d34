"""Errors that end a command with one clear line and exit status 2."""

from __future__ import annotations


class UsageError(Exception):
    """Bad input from the user: a missing path, an unsupported interpreter, unreadable text.

    The message is one line saying what is wrong and what to do; the CLI prints it and exits 2.
    """


EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
