"""Reporters: the same Report printed for people (terminal, Markdown) and machines (JSON, SARIF)."""


def counted(n: int, word: str) -> str:
    """``1 error``, ``0 errors``, ``1 file``, ``2 environments``: a number and its word."""
    return f"{n} {word}{'s' * (n != 1)}"
