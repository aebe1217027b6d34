"""Read a source as text and write it back the way it was: same encoding (a UTF-8 BOM, a
coding cookie), same line endings, same mode; atomically, so that a full disk or a crash
leaves the old file or the new one, never a part of either."""

from __future__ import annotations

import contextlib
import io
import os
import stat
import tempfile
import tokenize


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding) of Python source bytes, as Python reads them (BOM, coding cookie).

    The text keeps its line endings (``\\r\\n`` stays); the encoding is ``utf-8-sig`` when the
    file starts with a BOM, so that encoding the text again writes the BOM again.
    """
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding), encoding


def stamp(path: str) -> tuple[int, int]:
    """(size, modification time in ns): enough to see that a file changed since it was read."""
    info = os.stat(path)
    return info.st_size, info.st_mtime_ns


def unwritable(path: str) -> str | None:
    """Why ``path`` cannot be rewritten safely, or None.

    A file without any write permission bit is read-only for tfdoctor even where the user
    could write it anyway (root): someone made it read-only on purpose.
    """
    real = os.path.realpath(path)
    try:
        info = os.stat(real)
    except OSError as exc:
        return f"cannot read its status: {exc.strerror or exc}"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file"
    if not info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        return "it is read-only"
    if not os.access(real, os.W_OK):
        return "no permission to write it"
    folder = os.path.dirname(real) or "."
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"its folder {folder} is not writable (the new text is written beside it first)"
    return None


def write_atomically(path: str, data: bytes) -> None:
    """Replace the file's content by ``data``: write a temporary file in the same folder, give it
    the file's mode (and owner where allowed), flush it to disk, rename it over the file.

    A symbolic link stays a link: the file it points to is replaced.
    """
    real = os.path.realpath(path)
    info = os.stat(real)
    folder, name = os.path.split(real)
    fd, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tfdoctor", dir=folder or ".")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, stat.S_IMODE(info.st_mode))
        if hasattr(os, "chown") and (info.st_uid, info.st_gid) != _owner(temporary):
            with contextlib.suppress(PermissionError):
                os.chown(temporary, info.st_uid, info.st_gid)
        os.replace(temporary, real)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _owner(path: str) -> tuple[int, int]:
    info = os.stat(path)
    return info.st_uid, info.st_gid
