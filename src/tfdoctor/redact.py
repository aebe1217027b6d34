"""Remove what identifies a person or opens a door from text that leaves the machine.

``credentials`` (always on): ``scheme://user:token@host`` -> ``scheme://***@host``, and the values
of variables whose names say they hold a secret (``*_TOKEN=``, ``*_PASSWORD=``...).
``personal`` (``tfdoctor report``): the home folder -> ``~``, the user name -> ``<user>``, the host
name -> ``<host>``."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, TextIO

_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s:@'\"<>]+(?::[^/\s@'\"<>]*)?@")
_SECRET_NAMES = r"[A-Z0-9_]*(?:TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|APIKEY|ACCESS_KEY|CREDENTIALS?)"
_SECRET_ASSIGNMENT = re.compile(rf"\b({_SECRET_NAMES})(\s*[=:]\s*)(['\"]?)[^\s'\"]+\3")


def credentials(text: str) -> str:
    """``https://user:token@host`` -> ``https://***@host``; ``HF_TOKEN=abc`` -> ``HF_TOKEN=***``."""
    text = _URL_CREDENTIALS.sub(r"\1***@", text)
    return _SECRET_ASSIGNMENT.sub(r"\1\2\3***\3", text)


@lru_cache(maxsize=1)
def _identity() -> tuple[str, str, str]:
    import getpass
    import socket

    home = os.path.expanduser("~")
    try:
        user = getpass.getuser()
    except Exception:  # no user name in this environment (containers)
        user = ""
    try:
        host = socket.gethostname()
    except OSError:
        host = ""
    return home, user, host


def personal(text: str) -> str:
    """Credentials, then the home folder, the user name and the host name."""
    text = credentials(text)
    home, user, host = _identity()
    if home and home not in ("/", os.sep) and len(home) > 1:
        # in any case: Windows and macOS paths are (C:\Users\Alice is C:\users\alice there)
        text = re.sub(re.escape(home.rstrip(os.sep)), "~", text, flags=re.IGNORECASE)
    for value, mark in ((host, "<host>"), (user, "<user>")):
        if value and len(value) >= 3:  # a one- or two-letter name would hit ordinary words
            text = re.sub(
                rf"(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])", mark, text, flags=re.I
            )
    return text


def secret_values(environ: Mapping[str, str]) -> list[str]:
    """Values in the environment that are secrets: of variables named like one (``HF_TOKEN``,
    ``AWS_SECRET_ACCESS_KEY``; values shorter than 8 characters are flags, not secrets) and
    passwords inside URLs (index URLs with a token). Longest first, so that a secret containing
    another is replaced whole."""
    found = set()
    for name, value in environ.items():
        if re.fullmatch(_SECRET_NAMES, name.upper()) and len(value) >= 8:
            found.add(value)
        for match in re.finditer(r"://[^/\s:@]+:([^/\s@]+)@", value):
            if len(match.group(1)) >= 4:
                found.add(match.group(1))
    return sorted(found, key=len, reverse=True)


class RedactingStream:
    """A text stream that never lets a secret of the environment (or URL credentials) through:
    every command's output goes through it when the environment holds secrets."""

    def __init__(self, stream: TextIO, secrets: list[str]):
        self._stream = stream
        self._secrets = secrets

    def write(self, text: str) -> int:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return self._stream.write(_URL_CREDENTIALS.sub(r"\1***@", text))

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:  # isatty, flush, fileno, encoding...
        return getattr(self._stream, name)


def guard_output(environ: Mapping[str, str]) -> None:
    """Route standard output and error through RedactingStream when the environment has secrets."""
    secrets = secret_values(environ)
    if secrets:
        sys.stdout = RedactingStream(sys.stdout, secrets)
        sys.stderr = RedactingStream(sys.stderr, secrets)
