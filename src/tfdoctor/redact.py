"""Remove what identifies a person or opens a door from text that leaves the machine.

``credentials`` (always on): ``scheme://user:token@host`` -> ``scheme://***@host``, and the values
of variables whose names say they hold a secret (``*_TOKEN=``, ``*_PASSWORD=``...).
``personal`` (``tfdoctor report``): the home folder -> ``~``, the user name -> ``<user>``, the host
name -> ``<host>``."""

from __future__ import annotations

import getpass
import os
import re
import socket
from functools import lru_cache

_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s:@'\"<>]+(?::[^/\s@'\"<>]*)?@")
_SECRET_NAMES = r"[A-Z0-9_]*(?:TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|APIKEY|ACCESS_KEY|CREDENTIALS?)"
_SECRET_ASSIGNMENT = re.compile(rf"\b({_SECRET_NAMES})(\s*[=:]\s*)(['\"]?)[^\s'\"]+\3")


def credentials(text: str) -> str:
    """``https://user:token@host`` -> ``https://***@host``; ``HF_TOKEN=abc`` -> ``HF_TOKEN=***``."""
    text = _URL_CREDENTIALS.sub(r"\1***@", text)
    return _SECRET_ASSIGNMENT.sub(r"\1\2\3***\3", text)


@lru_cache(maxsize=1)
def _identity() -> tuple[str, str, str]:
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
        text = text.replace(home.rstrip(os.sep), "~")
    for value, mark in ((host, "<host>"), (user, "<user>")):
        if value and len(value) >= 3:  # a one- or two-letter name would hit ordinary words
            text = re.sub(rf"(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])", mark, text)
    return text


def secret_values(environ: dict[str, str] | None = None) -> list[str]:
    """Values in the environment that are secrets: of variables named like one, and passwords
    inside URLs (index URLs with a token). Used to prove none of them is ever printed."""
    environ = dict(os.environ) if environ is None else environ
    found = []
    for name, value in environ.items():
        if re.fullmatch(_SECRET_NAMES, name) and value:
            found.append(value)
        for match in re.finditer(r"://[^/\s:@]+:([^/\s@]+)@", value):
            found.append(match.group(1))
    return found
