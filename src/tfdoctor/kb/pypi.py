"""Read package metadata from a PyPI-compatible registry (JSON API + wheel METADATA).

Only `refresh` uses this module; tfdoctor itself never touches the network.

Requires-Dist of one release comes from, in order of preference:
1. the per-release JSON API (``/pypi/NAME/VERSION/json``, ``info.requires_dist``);
2. the wheel's PEP 658 metadata file (``<wheel url>.metadata``), when the registry lists one;
3. the ``*.dist-info/METADATA`` member of the wheel itself, read with HTTP range requests
   (the tail of the zip and the one member; the wheel is never downloaded whole).
Some mirrors serve only the project JSON; 3 makes refresh work there too.
"""

from __future__ import annotations

import json
import struct
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from email.parser import HeaderParser
from typing import Any, Optional
from urllib.parse import urljoin

DEFAULT_INDEX = "https://pypi.org/pypi"
USER_AGENT = "tfdoctor-kb-refresh (+https://github.com/tfdoctor)"
TIMEOUT_S = 60.0
_TAIL_BYTES = 256 * 1024
_CD_SIGNATURE = b"PK\x01\x02"
_LOCAL_SIGNATURE = b"PK\x03\x04"
_EOCD_SIGNATURE = b"PK\x05\x06"


class RegistryError(Exception):
    """The registry could not be reached or answered something unusable."""


@dataclass(frozen=True)
class WheelMetadata:
    """Requires-Python and Requires-Dist of one release, with the URL they were read from."""

    requires_python: Optional[str]
    requires_dist: tuple[str, ...]
    source: str


def _request(url: str, headers: Optional[dict[str, str]] = None) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **(headers or {})})
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
        body: bytes = response.read()
        return body


def get_json(url: str) -> Optional[dict[str, Any]]:
    """The decoded JSON at ``url``; None on 404. Raises RegistryError when unreachable."""
    try:
        data = json.loads(_request(url))
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise RegistryError(f"{url}: HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise RegistryError(f"cannot reach {url}: {reason}") from exc
    if not isinstance(data, dict):
        raise RegistryError(f"{url}: expected a JSON object")
    return data


def project_url(index: str, name: str) -> str:
    return f"{index.rstrip('/')}/{name}/json"


def release_url(index: str, name: str, version: str) -> str:
    return f"{index.rstrip('/')}/{name}/{version}/json"


def download(url: str) -> bytes:
    """The whole file at ``url`` (a wheel). Raises RegistryError when it cannot be read."""
    try:
        return _request(url)
    except (urllib.error.URLError, OSError) as exc:
        raise RegistryError(f"cannot read {url}: {getattr(exc, 'reason', exc)}") from exc


def file_url(project_json_url: str, file_entry: dict[str, Any]) -> str:
    """Absolute URL of a release file (some mirrors give URLs relative to the JSON)."""
    return urljoin(project_json_url, str(file_entry["url"]))


def _get_range(url: str, start: int, end: Optional[int] = None) -> bytes:
    spec = f"bytes={start}-" if end is None else f"bytes={start}-{end}"
    if start < 0:
        spec = f"bytes={start}"
    try:
        return _request(url, {"Range": spec})
    except (urllib.error.URLError, OSError) as exc:
        raise RegistryError(f"cannot read {url}: {getattr(exc, 'reason', exc)}") from exc


def _find_metadata_entry(buffer: bytes) -> Optional[tuple[int, int, int]]:
    """(method, compressed size, local header offset) of */METADATA in a central directory."""
    search_from = 0
    while True:
        at = buffer.find(b".dist-info/METADATA", search_from)
        if at < 0:
            return None
        search_from = at + 1
        # The name starts 46 bytes after its central-directory header; walk back to it.
        for name_len in range(len(".dist-info/METADATA"), 256):
            header = at + len(".dist-info/METADATA") - name_len - 46
            if header < 0:
                break
            if buffer[header : header + 4] != _CD_SIGNATURE:
                continue
            (length,) = struct.unpack_from("<H", buffer, header + 28)
            if length != name_len:
                continue
            (method,) = struct.unpack_from("<H", buffer, header + 10)
            (compressed,) = struct.unpack_from("<I", buffer, header + 20)
            (offset,) = struct.unpack_from("<I", buffer, header + 42)
            return method, compressed, offset


def _central_directory(url: str, tail: bytes) -> bytes:
    eocd = tail.rfind(_EOCD_SIGNATURE)
    if eocd < 0:
        raise RegistryError(f"{url}: not a zip file (no end of central directory)")
    size, offset = struct.unpack_from("<II", tail, eocd + 12)
    if offset == 0xFFFFFFFF:
        raise RegistryError(f"{url}: zip64 wheel whose METADATA is not near the end")
    return _get_range(url, offset, offset + size - 1)


def read_wheel_metadata(url: str) -> str:
    """The text of the wheel's ``*.dist-info/METADATA``, read with HTTP range requests."""
    tail = _get_range(url, -_TAIL_BYTES)
    entry = _find_metadata_entry(tail)
    if entry is None:
        entry = _find_metadata_entry(_central_directory(url, tail))
    if entry is None:
        raise RegistryError(f"{url}: no *.dist-info/METADATA in the wheel")
    method, compressed, offset = entry
    header = _get_range(url, offset, offset + 30 + 1024 + compressed)
    if header[:4] != _LOCAL_SIGNATURE:
        raise RegistryError(f"{url}: bad local file header for METADATA")
    name_len, extra_len = struct.unpack_from("<HH", header, 26)
    start = 30 + name_len + extra_len
    data = header[start : start + compressed]
    if len(data) < compressed:
        data += _get_range(url, offset + start + len(data), offset + start + compressed - 1)
    if method == 8:
        data = zlib.decompress(data, -15)
    elif method != 0:
        raise RegistryError(f"{url}: METADATA uses unsupported zip method {method}")
    return data.decode("utf-8", errors="replace")


def parse_metadata(text: str) -> tuple[Optional[str], tuple[str, ...]]:
    """Requires-Python and the Requires-Dist lines of a core-metadata document."""
    message = HeaderParser().parsestr(text, headersonly=True)
    requires_python = message.get("Requires-Python")
    lines = tuple(str(line).strip() for line in message.get_all("Requires-Dist") or [])
    return (str(requires_python).strip() if requires_python else None), lines


def release_metadata(
    index: str, name: str, version: str, wheel_url: Optional[str], pep658: bool
) -> Optional[WheelMetadata]:
    """Requires-Python and Requires-Dist of one release, or None when nothing tells them."""
    url = release_url(index, name, version)
    data = get_json(url)
    if data is not None:
        info = data.get("info") or {}
        dist = tuple(str(line) for line in info.get("requires_dist") or [])
        return WheelMetadata(info.get("requires_python") or None, dist, url)
    if wheel_url is None:
        return None
    if pep658:
        try:
            requires_python, dist = parse_metadata(_request(wheel_url + ".metadata").decode())
            return WheelMetadata(requires_python, dist, wheel_url + ".metadata")
        except (urllib.error.URLError, OSError):
            pass
    requires_python, dist = parse_metadata(read_wheel_metadata(wheel_url))
    return WheelMetadata(requires_python, dist, wheel_url + "#METADATA")
