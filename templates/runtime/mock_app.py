"""A mock relay for one provider, built from its generated client and documented examples.

Nothing here is written per provider. The routes are the client's ``Endpoint``s. Auth is
checked where the provider puts it. Requests are validated with the SDK's own request
models and rules, and a refusal comes back in the provider's error shape. Replies are the
spec's documented examples, with every image replaced by a real PNG that the mock serves
itself (URLs) or inlines (base64). A stream is sent in SSE framing with its end marker.

Needs the ``mock`` extra (Starlette; uvicorn to serve on a socket).
"""

from __future__ import annotations

import base64
import copy
import importlib
import itertools
import json
import re
import struct
import zlib
from collections.abc import AsyncIterator, Mapping
from functools import cache
from typing import Any

from .descriptors import Endpoint, ProviderConfig
from .errors import InvalidRequestError
from .model import build_request
from .paths import find_all

__all__ = ["MockProvider", "mock_app", "png"]

_PACKAGE = __name__.rsplit(".", 2)[0]
IMAGE_ROUTE = "/__mock/images"
_URL = re.compile(r"https?://[^\s\"'()<>\]]+")


@cache
def png(width: int = 64, height: int = 64) -> bytes:
    """A valid ``width`` x ``height`` RGB PNG (a gradient), made with the standard library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(
        b"\x00" + bytes(v for x in range(width) for v in (x * 255 // max(width - 1, 1), y * 255 // max(height - 1, 1), 96))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


class MockProvider:
    """What the mock knows of one provider: its config, endpoints, models and examples."""

    def __init__(self, provider: str) -> None:
        package = f"{_PACKAGE}.{provider}"
        try:
            client = importlib.import_module(f"{package}.client")
        except ModuleNotFoundError:
            known = importlib.import_module(_PACKAGE).PROVIDERS
            raise ValueError(f"unknown provider {provider!r} (providers: {', '.join(known)})") from None
        self.id = provider
        self.config: ProviderConfig = client.PROVIDER
        self.endpoints = [value for value in vars(client).values() if isinstance(value, Endpoint)]
        self.data: Mapping[str, Mapping[str, Any]] = importlib.import_module(f"{package}.mockdata").ENDPOINTS
        self.models = importlib.import_module(f"{package}.models")

    def request_class(self, endpoint: Endpoint) -> Any:
        name = self.data[endpoint.name]["request"]
        return None if name is None else getattr(self.models, name)

    def response_class(self, endpoint: Endpoint) -> Any:
        return getattr(self.models, self.data[endpoint.name]["response"])

    def example(self, endpoint: Endpoint, wire: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """The documented example closest to this request: the one whose values it shares most."""
        examples = [example for example in self.data[endpoint.name]["examples"] if example["status"] is not None]
        if not examples:
            return None
        values = {json.dumps(value, sort_keys=True) for value in wire.values()}

        def shared(example: Mapping[str, Any]) -> int:
            return sum(json.dumps(value, sort_keys=True) in values for value in example["call"].values())

        best: Mapping[str, Any] = max(examples, key=shared)
        return best


class _Images:
    """The PNGs this mock serves: each reply gets its own names."""

    def __init__(self) -> None:
        self.counter = itertools.count(1)

    def name(self) -> str:
        return f"{next(self.counter)}.png"


def error_body(config: ProviderConfig, endpoint: Endpoint | None, status: int, message: str) -> dict[str, Any]:
    """An error reply in the provider's shape: its first message field (and envelope code)."""
    body: dict[str, Any] = {}
    path = config.error_message_fields[0] if config.error_message_fields else "error.message"
    target = body
    keys = path.replace("[]", "").split(".")
    for key in keys[:-1]:
        target = target.setdefault(key, {})
    target[keys[-1]] = message
    envelope = endpoint.envelope if endpoint is not None else None
    if envelope is not None and envelope.code and envelope.code not in body:
        body[envelope.code] = status
    return body


def mock_app(provider: str, *, key: str | None = None) -> Any:
    """The Starlette app of ``provider``'s mock relay. ``key``: the only API key accepted;
    None accepts any non-empty key."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response, StreamingResponse
    from starlette.routing import Route

    known = MockProvider(provider)
    images = _Images()

    def refuse(endpoint: Endpoint | None, status: int, message: str) -> Response:
        return JSONResponse(error_body(known.config, endpoint, status, message), status_code=status)

    async def serve_image(request: Request) -> Response:
        return Response(png(), media_type="image/png")

    def handler(endpoint: Endpoint) -> Any:
        async def handle(request: Request) -> Response:
            problem = _auth_problem(known.config, request, key)
            if problem:
                return refuse(endpoint, 401, problem)
            try:
                wire = await _wire(endpoint, request)
            except ValueError as exc:
                return refuse(endpoint, 400, str(exc))
            cls = known.request_class(endpoint)
            if cls is not None:
                try:
                    build_request(cls, wire)
                except InvalidRequestError as exc:
                    return refuse(endpoint, 400, "; ".join(exc.problems))
            example = known.example(endpoint, wire)
            if example is None:
                return refuse(endpoint, 501, f"the spec documents no reply for {endpoint.name}")
            base = str(request.base_url).rstrip("/")
            reply = _with_mock_images(known.response_class(endpoint), endpoint, example, base, images)
            if "sse" in example:
                return StreamingResponse(_events(reply, endpoint), media_type="text/event-stream")
            return JSONResponse(reply, status_code=example["status"] or 200)

        return handle

    routes = [Route(f"{IMAGE_ROUTE}/{{name}}", serve_image, methods=["GET"])]
    routes += [Route(endpoint.path, handler(endpoint), methods=[endpoint.method]) for endpoint in known.endpoints]
    return Starlette(routes=routes)


def _auth_problem(config: ProviderConfig, request: Any, key: str | None) -> str:
    """Why the request's credential is refused, or ""."""
    scheme = config.auth
    if scheme.kind == "none":
        return ""
    if scheme.kind == "query":
        given = request.query_params.get(scheme.name)
        where = f"query parameter {scheme.name!r}"
    else:
        raw = request.headers.get(scheme.name or "authorization")
        prefix = "Bearer " if scheme.kind == "bearer" else scheme.prefix
        given = raw[len(prefix):] if raw is not None and raw.startswith(prefix) else None
        where = f"header {scheme.name or 'Authorization'!r}" + (f" with {prefix.strip()!r}" if prefix else "")
    if not given:
        return "" if scheme.optional else f"missing API key: expected in {where}"
    if key is not None and given != key:
        return "invalid API key"
    return ""


async def _wire(endpoint: Endpoint, request: Any) -> dict[str, Any]:
    """The request's parameters by wire name: path, query, headers and body."""
    wire: dict[str, Any] = {name: request.path_params[name] for name in endpoint.path_params
                            if name in request.path_params}
    wire.update({name: request.query_params[name] for name in endpoint.query_params if name in request.query_params})
    wire.update({name: request.headers[name] for name in endpoint.header_params if name in request.headers})
    if endpoint.body == "json":
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else {}
        except json.JSONDecodeError as exc:
            raise ValueError(f"the body is not JSON ({exc.msg})") from None
        if not isinstance(body, dict):
            raise ValueError("the body is not a JSON object")
        wire.update(body)
    elif endpoint.body == "multipart":
        form = await request.form()
        for name in form:
            values = form.getlist(name)
            read = [await value.read() if hasattr(value, "read") else value for value in values]
            wire[name] = read if len(read) > 1 or name.endswith("[]") else read[0]
    return wire


def _with_mock_images(cls: Any, endpoint: Endpoint, example: Mapping[str, Any], base: str, images: _Images) -> Any:
    """The example's reply with every image it holds made real: URLs point at this mock,
    base64 data is a PNG."""
    reply = copy.deepcopy(example["sse"] if "sse" in example else example["json"])
    paths = getattr(cls, "__relay_images__", None)
    if paths is None:
        return reply
    payloads = reply if isinstance(reply, list) else [reply]
    if endpoint.envelope is not None:
        payloads = [item.get(endpoint.envelope.data) if isinstance(item, dict) else None for item in payloads]
    urls: dict[str, str] = {}
    for payload in payloads:
        for path in paths.urls:
            for text in find_all(payload, path):
                for url in _URL.findall(text) if isinstance(text, str) else ():
                    urls.setdefault(url, f"{base}{IMAGE_ROUTE}/{images.name()}")
        for inline in paths.inline:
            for holder in find_all(payload, inline.path):
                if isinstance(holder, dict) and inline.data_key in holder:
                    holder[inline.data_key] = base64.b64encode(png()).decode()
                    if inline.mime_key:
                        holder[inline.mime_key] = "image/png"
    return _replace_strings(reply, urls) if urls else reply


def _replace_strings(value: Any, urls: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        for old, new in urls.items():
            value = value.replace(old, new)
        return value
    if isinstance(value, dict):
        return {key: _replace_strings(item, urls) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace_strings(item, urls) for item in value]
    return value


async def _events(events: list[Any], endpoint: Endpoint) -> AsyncIterator[bytes]:
    for event in events:
        data = event if isinstance(event, str) else json.dumps(event, ensure_ascii=False)
        yield f"data: {data}\n\n".encode()
    if endpoint.stream_done and (not events or events[-1] != endpoint.stream_done):
        yield f"data: {endpoint.stream_done}\n\n".encode()
