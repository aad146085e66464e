"""Turn an endpoint descriptor and a request's wire dict into request parts.

Path, query and header parameters are taken out of the wire dict by their
wire names (top-level keys); what remains is the body. Nothing here does
I/O except reading a ``Path`` given as a multipart file.
"""

from __future__ import annotations

import json
import mimetypes
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeAlias
from urllib.parse import quote

from pydantic_core import to_json

from .descriptors import Endpoint
from .errors import InvalidRequestError
from .extras import ExtraBody, merge_body
from .images import sniff_mime
from .redact import MASK, SECRET_QUERY_PARAMS, redact_headers, redact_url
from .rules import wire_text

__all__ = ["FileInput", "FilePart", "RequestParts", "encode_request", "join_url", "query_value"]

FilePart = tuple[str, bytes, str]
# What a multipart file field accepts from callers.
FileInput: TypeAlias = bytes | Path | IO[bytes] | tuple[str, bytes] | tuple[str, bytes, str]
# "{name}" or "{name:path}"; the latter's value may span several path segments.
_PLACEHOLDER = re.compile(r"\{([^{}:]+)(:path)?\}")
_BODYLESS = frozenset({"GET", "HEAD", "DELETE", "OPTIONS"})


@dataclass
class RequestParts:
    """Arguments for ``httpx.Client.build_request``.

    Credentials live apart in ``auth_headers`` / ``auth_params`` (merged only
    when the request is built), so the repr can show everything else.
    """

    method: str
    url: str
    params: dict[str, str | list[str]] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes | None = None
    data: dict[str, str | list[str]] | None = None
    files: list[tuple[str, FilePart]] | None = None
    auth_headers: dict[str, str] = field(default_factory=dict)
    auth_params: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        url = redact_url(self.url, self.auth_params)
        params = {
            k: (MASK if k.lower() in SECRET_QUERY_PARAMS else v) for k, v in self.params.items()
        }
        shown = [
            f"{self.method} {url}",
            f"params={params!r}",
            f"headers={redact_headers(self.headers)!r}",
        ]
        secret = [*self.auth_headers, *self.auth_params]
        if secret:
            shown.append("auth=[" + ", ".join(f"{name}={MASK}" for name in secret) + "]")
        if self.content is not None:
            shown.append(f"content=<{len(self.content)} bytes>")
        if self.files:
            shown.append(f"files={[name for name, _ in self.files]!r}")
        return f"RequestParts({', '.join(shown)})"


def join_url(base_url: str, path: str) -> str:
    """``https://h/api`` + ``/v1/x`` -> ``https://h/api/v1/x`` (base paths kept)."""
    return base_url.rstrip("/") + "/" + path.lstrip("/")


def _text(value: Any) -> str:
    if isinstance(value, (Mapping, list, tuple)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return wire_text(value)


def _fill_path(template: str, wire: dict[str, Any]) -> str:
    if "{" not in template:
        return template
    missing = [name for name, _ in _PLACEHOLDER.findall(template) if wire.get(name) is None]
    if missing:
        raise InvalidRequestError(
            [f"{name} is required (it is part of the URL)" for name in missing]
        )
    return _PLACEHOLDER.sub(
        lambda m: _path_value(m.group(1), wire_text(wire.pop(m.group(1))), spans=bool(m.group(2))),
        template,
    )


def _path_value(name: str, text: str, *, spans: bool) -> str:
    """One escaped segment; or, for "{name:path}", '/'-separated segments escaped one by one."""
    if not spans:
        # safe="" so a value can never add path segments ("a/../b").
        return quote(text, safe="")
    segments = text.split("/")
    # Relative or empty segments would let a value climb out of its place in the URL.
    if any(segment in ("", ".", "..") for segment in segments):
        raise InvalidRequestError(
            [f"{name} must be '/'-separated names without empty, '.' or '..' parts; got {text!r}"]
        )
    return "/".join(quote(segment, safe="") for segment in segments)


def _take(wire: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: wire.pop(name) for name in names if wire.get(name) is not None}


def query_value(value: Any) -> str | list[str]:
    """A query parameter or form field as text (objects as compact JSON, lists repeated)."""
    if isinstance(value, (list, tuple)):
        return [_text(item) for item in value]
    return _text(value)


def _file_part(name: str, value: Any) -> FilePart:
    """Normalise bytes / Path / file object / (filename, bytes[, mime]) to one tuple."""
    if isinstance(value, tuple) and len(value) in (2, 3):
        filename, content = str(value[0]), _file_part(name, value[1])[1]
        guessed = mimetypes.guess_type(filename)[0] or sniff_mime(content[:16])
        mime = str(value[2]) if len(value) == 3 else guessed
        return filename, content, mime or "application/octet-stream"
    if isinstance(value, Path):
        return _file_part(name, (value.name, value.read_bytes()))
    if hasattr(value, "read"):
        content = value.read()
        filename = Path(str(getattr(value, "name", name))).name
        return _file_part(name, (filename, content))
    if isinstance(value, (bytes, bytearray, memoryview)):
        content = bytes(value)
        mime = sniff_mime(content[:16]) or "application/octet-stream"
        extension = mimetypes.guess_extension(mime) or ".bin"
        return name.removesuffix("[]") + extension, content, mime
    kind = type(value).__name__
    raise InvalidRequestError(
        [
            f"{name}: a file must be bytes, a Path, a binary file or (filename, bytes, mime); got {kind}"
        ]
    )


def _multipart(
    body: dict[str, Any], file_fields: tuple[str, ...]
) -> tuple[dict[str, str | list[str]], list[tuple[str, FilePart]]]:
    data: dict[str, str | list[str]] = {}
    files: list[tuple[str, FilePart]] = []
    for name, value in body.items():
        # Declared file fields, and files an extra_body adds (declared text fields never hold bytes).
        if name in file_fields or isinstance(value, (bytes, bytearray, memoryview, Path)) or hasattr(value, "read"):
            items = value if isinstance(value, list) else [value]
            files.extend((name, _file_part(name, item)) for item in items)
        else:
            data[name] = query_value(value)
    return data, files


def encode_request(
    endpoint: Endpoint, wire: Mapping[str, Any], base_url: str, extra_body: ExtraBody | None = None
) -> RequestParts:
    """Request parts for ``endpoint`` carrying ``wire`` (auth is added later); ``extra_body``
    (see ``extras.py``) goes into the body whatever its keys are named."""
    body = dict(wire)
    path = _fill_path(endpoint.path, body)
    for name in endpoint.path_params:
        body.pop(name, None)
    params: dict[str, str | list[str]] = {}
    headers = dict(endpoint.extra_headers)
    if endpoint.query_params:  # most endpoints have neither: skip the work for them
        params = {k: query_value(v) for k, v in _take(body, endpoint.query_params).items()}
    if endpoint.header_params:
        headers.update({k: _text(v) for k, v in _take(body, endpoint.header_params).items()})
    if extra_body is not None:
        body = merge_body(endpoint, body, extra_body)
    parts = RequestParts(endpoint.method.upper(), join_url(base_url, path), params, headers)
    if endpoint.body == "multipart":
        parts.data, parts.files = _multipart(body, endpoint.file_fields)
    elif endpoint.body == "json" and (body or parts.method not in _BODYLESS):
        # pydantic-core's encoder: compact UTF-8 JSON like json.dumps(ensure_ascii=False,
        # separators=(",", ":")), about ten times faster, and it knows pydantic's types.
        parts.content = to_json(body)
        parts.headers["Content-Type"] = "application/json"
    return parts
