"""A mock relay for one provider, built from its generated client and documented examples.

Nothing here is written per provider. The routes are the client's ``Endpoint``s. Auth is
checked where the provider puts it. Requests are validated with the SDK's own request
models and rules, and a refusal comes back in the provider's error shape. Replies are the
spec's documented examples, with every image replaced by a real PNG that the mock serves
itself (URLs) or inlines (base64). A stream is sent in SSE framing with its end marker.

Tasks live: a submit gets a fresh id, its status endpoint walks the spec's unfinished
statuses (with progress) for ``task_seconds``, then ends with ``task_outcome`` ("success",
"failure", "violation", or "never" for a task that never finishes).

``Faults`` makes the mock misbehave for resilience tests: a share of requests rate-limited
(429 with Retry-After), failing before or after the work (503 / 500), refused on content
policy, slow replies, streams cut before their end marker.

Needs the ``mock`` extra (Starlette; uvicorn to serve on a socket).
"""

from __future__ import annotations

import asyncio
import base64
import copy
import importlib
import importlib.resources
import itertools
import json
import random
import re
import struct
import time
import zlib
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from .canonical import value_at
from .descriptors import Endpoint, ProviderConfig
from .errors import InvalidRequestError
from .facade import canonical_of
from .model import build_request
from .paths import find_all

__all__ = ["Faults", "MockProvider", "TaskOutcome", "mock_app", "png", "synthesize"]

TaskOutcome = Literal["success", "failure", "violation", "never"]

_PACKAGE = __name__.rsplit(".", 2)[0]
IMAGE_ROUTE = "/__mock/images"
_URL = re.compile(r"https?://[^\s\"'()<>\]]+")
_DATA_URL = re.compile(r"data:image/[\w.+-]+;base64,[A-Za-z0-9+/_-]+=*")


@lru_cache(maxsize=32)
def png(width: int = 64, height: int = 64) -> bytes:
    """A valid ``width`` x ``height`` RGB PNG (a gradient), made with the standard library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    # A horizontal gradient: every row alike, so even a 4096-pixel image is quick to make.
    row = b"\x00" + bytes(v for x in range(width) for v in (x * 255 // max(width - 1, 1), 128, 96))
    rows = row * height
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
        text = importlib.resources.files(package).joinpath("mockdata.json").read_text(encoding="utf-8")
        self.data: Mapping[str, Mapping[str, Any]] = json.loads(text)["endpoints"]
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
        # File parts are bytes: compared by their repr, like any value JSON cannot hold.
        values = {json.dumps(value, sort_keys=True, default=repr) for value in wire.values()}

        def shared(example: Mapping[str, Any]) -> int:
            return sum(json.dumps(value, sort_keys=True, default=repr) in values for value in example["call"].values())

        best: Mapping[str, Any] = max(examples, key=shared)
        return best


Size = tuple[int, int]
DEFAULT_SIZE: Size = (64, 64)
_MAX_SIDE = 4096
_PIXELS = re.compile(r"^([1-9]\d{0,4})x([1-9]\d{0,4})$")
_RATIO = re.compile(r"^([1-9]\d{0,2}):([1-9]\d{0,2})$")
_IMAGE_NAME = re.compile(r"^\d+-(\d+)x(\d+)\.png$")


class _Images:
    """The PNGs this mock serves: each gets its own name, which carries its size."""

    def __init__(self) -> None:
        self.counter = itertools.count(1)

    def name(self, size: Size) -> str:
        return f"{next(self.counter)}-{size[0]}x{size[1]}.png"


def requested_size(provider: str, endpoint: Endpoint, wire: Mapping[str, Any]) -> Size:
    """The image size a request asks for, read where its canonical mapping puts the exact
    size ("1536x1024") or the ratio ("16:9", drawn 64 pixels high); 64x64 otherwise."""
    if not endpoint.canonical:
        return DEFAULT_SIZE
    canonical = canonical_of(provider, endpoint.name)
    for concept in ("pixel_size", "aspect_ratio"):
        slot = canonical.slot(concept)
        value = value_at(wire, slot.path) if slot else None
        if not isinstance(value, str):
            continue
        exact, ratio = _PIXELS.match(value), _RATIO.match(value)
        if exact:
            return min(int(exact[1]), _MAX_SIDE), min(int(exact[2]), _MAX_SIDE)
        if ratio:
            return max(1, min(64 * int(ratio[1]) // int(ratio[2]), _MAX_SIDE)), 64
    return DEFAULT_SIZE


def error_body(config: ProviderConfig, endpoint: Endpoint | None, status: int, message: str) -> dict[str, Any]:
    """An error reply in the provider's shape: its first message field (and envelope code)."""
    body: dict[str, Any] = {}
    _put(body, config.error_message_fields[0] if config.error_message_fields else "error.message", message)
    envelope = endpoint.envelope if endpoint is not None else None
    if envelope is not None and envelope.code and envelope.code not in body:
        body[envelope.code] = status
    return body


@dataclass(frozen=True)
class Faults:
    """How often the mock misbehaves (each a share of requests, 0 to 1), and how."""

    # 429 with Retry-After, before anything else is looked at (after the key).
    rate_limit: float = 0.0
    retry_after: float = 1.0
    # 503 after the request is checked, before any work: no task is created.
    error_before_work: float = 0.0
    # 500 after the work: a submitted task exists, but the caller never learns its id.
    error_after_work: float = 0.0
    # Refused on content policy: the provider's refusal marker, a task ending in violation,
    # or a 400 saying so where the spec has neither.
    refuse_content: float = 0.0
    # Seconds before each reply starts.
    delay: float = 0.0
    # Streams stop after their first event, without the end marker.
    cut_streams: bool = False
    # Seed of the draws, for a reproducible sequence of faults.
    seed: int | None = None

    def __post_init__(self) -> None:
        for name in ("rate_limit", "error_before_work", "error_after_work", "refuse_content"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} is a share of requests between 0 and 1, not {getattr(self, name)!r}")
        if self.delay < 0 or self.retry_after < 0:
            raise ValueError("delay and retry_after are seconds, not negative")


@dataclass
class _Task:
    created: float
    polling: Mapping[str, Any]
    # The outcome this task ends in (the mock's, or "violation" when a fault refused it).
    outcome: TaskOutcome
    # The image size its request asked for.
    size: tuple[int, int]


class _Tasks:
    """The tasks this mock has accepted, and where each is in its life."""

    def __init__(self, seconds: float, outcome: TaskOutcome, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds, self.outcome, self.clock = seconds, outcome, clock
        self.tasks: dict[str, _Task] = {}
        self.counter = itertools.count(1)

    def submit(self, polling: Mapping[str, Any], outcome: TaskOutcome | None, size: tuple[int, int]) -> str:
        task_id = f"mock-task-{next(self.counter)}"
        self.tasks[task_id] = _Task(self.clock(), polling, outcome or self.outcome, size)
        return task_id

    def state(self, task: _Task) -> tuple[str, float]:
        """(unfinished | success | failure | violation, the fraction done)."""
        done = 1.0 if self.seconds <= 0 else min(1.0, (self.clock() - task.created) / self.seconds)
        if done < 1.0 or task.outcome == "never":
            return "unfinished", min(done, 0.99)
        return task.outcome, 1.0


def mock_app(provider: str, *, key: str | None = None, task_seconds: float = 0.5,
             task_outcome: TaskOutcome = "success", faults: Faults | None = None) -> Any:
    """The Starlette app of ``provider``'s mock relay. ``key``: the only API key accepted
    (None accepts any non-empty key); tasks take ``task_seconds`` and end in ``task_outcome``;
    ``faults``: how often and how it misbehaves."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response, StreamingResponse
    from starlette.routing import Route

    known = MockProvider(provider)
    images = _Images()
    tasks = _Tasks(task_seconds, task_outcome)
    faults = faults or Faults()
    draw = random.Random(faults.seed).random
    # The status endpoint of each task API, and the polling facts of its submit endpoint.
    polled = {data["polling"]["get"]: data["polling"] for data in known.data.values() if data["polling"]}

    def refuse(endpoint: Endpoint | None, status: int, message: str) -> Response:
        return JSONResponse(error_body(known.config, endpoint, status, message), status_code=status)

    async def serve_image(request: Request) -> Response:
        sized = _IMAGE_NAME.match(request.path_params["name"])
        if sized is None:
            return refuse(None, 404, "no such image on this mock relay")
        return Response(png(int(sized[1]), int(sized[2])), media_type="image/png")

    def reply_for(endpoint: Endpoint, wire: dict[str, Any], base: str) -> Response:
        data = known.data[endpoint.name]
        refused = bool(faults.refuse_content) and draw() < faults.refuse_content
        if data["polling"]:
            reply = _submitted(known, endpoint, wire, base, images, tasks, "violation" if refused else None)
            if faults.error_after_work and draw() < faults.error_after_work:
                return refuse(endpoint, 500, "mock relay: failed after the task was created (error_after_work)")
            return JSONResponse(reply)
        if refused and endpoint.name not in polled:
            refusal: Response = _refusal(known, endpoint, refuse)
            return refusal
        if faults.error_after_work and endpoint.name not in polled and draw() < faults.error_after_work:
            return refuse(endpoint, 500, "mock relay: failed after the work was done (error_after_work)")
        if endpoint.name in polled:
            task_id = wire.get(polled[endpoint.name]["id_param"])
            task = tasks.tasks.get(str(task_id))
            if task is not None:
                return JSONResponse(_task_reply(known, endpoint, task, str(task_id), base, images, tasks))
        example = known.example(endpoint, wire)
        if example is None:
            if endpoint.name in polled:
                return refuse(endpoint, 404, f"no task {task_id!r} on this mock relay")
            cls = known.response_class(endpoint)
            reply = synthesize(cls)
            _ensure_image(_payload(reply, endpoint), getattr(cls, "__relay_images__", None), base, images,
                          requested_size(known.id, endpoint, wire))
            if endpoint.response == "sse":
                return StreamingResponse(_events([reply], endpoint, faults.cut_streams),
                                         media_type="text/event-stream")
            return JSONResponse(reply)
        reply = _with_mock_images(known.response_class(endpoint), endpoint, example, base, images,
                                  requested_size(known.id, endpoint, wire))
        if "sse" in example:
            return StreamingResponse(_events(reply, endpoint, faults.cut_streams), media_type="text/event-stream")
        return JSONResponse(reply, status_code=example["status"] or 200)

    def handler(group: list[Endpoint]) -> Any:
        async def handle(request: Request) -> Response:
            first = group[0]
            problem = _auth_problem(known.config, request, key)
            if problem:
                return refuse(first, 401, problem)
            if faults.delay:
                await asyncio.sleep(faults.delay)
            if faults.rate_limit and draw() < faults.rate_limit:
                limited = refuse(first, 429, "mock relay: rate limited (rate_limit)")
                limited.headers["Retry-After"] = f"{faults.retry_after:g}"
                return limited
            refusals: list[str] = []
            for endpoint in group:  # endpoints on one path differ by a fixed body value
                try:
                    wire = await _wire(endpoint, request)
                except ValueError as exc:
                    return refuse(endpoint, 400, str(exc))
                fixed = known.data[endpoint.name]["fixed"]
                if len(group) > 1 and any(wire.get(name) != value for name, value in fixed.items()):
                    refusals.append(", ".join(f"{name}={value!r}" for name, value in fixed.items())
                                    + f" selects {endpoint.name}")
                    continue
                cls = known.request_class(endpoint)
                try:
                    if cls is not None:
                        build_request(cls, wire)
                except InvalidRequestError as exc:
                    refusals.append("; ".join(exc.problems))
                    continue
                if faults.error_before_work and draw() < faults.error_before_work:
                    return refuse(endpoint, 503, "mock relay: unavailable, nothing was started (error_before_work)")
                return reply_for(endpoint, wire, str(request.base_url).rstrip("/"))
            return refuse(first, 400, refusals[0])

        return handle

    groups: dict[tuple[str, str], list[Endpoint]] = {}
    for endpoint in known.endpoints:
        groups.setdefault((endpoint.method, endpoint.path), []).append(endpoint)
    routes = [Route(f"{IMAGE_ROUTE}/{{name}}", serve_image, methods=["GET"])]
    routes += [Route(path, handler(group), methods=[method]) for (method, path), group in groups.items()]
    return Starlette(routes=routes)


def _payload(reply: Any, endpoint: Endpoint) -> Any:
    """Where a reply's fields sit: inside the envelope's data when there is one."""
    if endpoint.envelope is not None and isinstance(reply, dict):
        return reply.setdefault(endpoint.envelope.data, {})
    return reply


def _put(payload: Any, path: str, value: Any) -> None:
    if not isinstance(payload, dict):
        return
    *parents, last = path.replace("[]", "").split(".")
    for key in parents:
        payload = payload.setdefault(key, {})
        if not isinstance(payload, dict):
            return
    payload[last] = value


def _progress(sample: Any, done: float) -> Any:
    """``done`` written the way the documented example writes progress ("50%", 50, 0.5)."""
    if isinstance(sample, str):
        return f"{round(done * 100)}%"
    if isinstance(sample, float) and sample <= 1:
        return round(done, 2)
    return round(done * 100)


def _template(known: MockProvider, endpoint: Endpoint, statuses: list[str], status: str,
              also: Endpoint | None = None) -> Mapping[str, Any] | None:
    """The endpoint's documented example with one of ``statuses`` (any example otherwise);
    ``also``'s examples when the endpoint has none and both reply with the same class."""
    examples: list[Mapping[str, Any]] = [found for found in known.data[endpoint.name]["examples"]
                                         if found["status"] and "json" in found]
    if not examples and also is not None and known.data[also.name]["response"] == known.data[endpoint.name]["response"]:
        examples = [found for found in known.data[also.name]["examples"] if found["status"] and "json" in found]
    for example in examples:
        reply = example["json"]
        if endpoint.envelope is not None and isinstance(reply, dict):
            reply = reply.get(endpoint.envelope.data)
        if {str(value) for value in find_all(reply, status)} & set(statuses):
            return example
    return examples[0] if examples else None


def _submitted(known: MockProvider, endpoint: Endpoint, wire: Mapping[str, Any], base: str, images: _Images,
               tasks: _Tasks, outcome: TaskOutcome | None = None) -> Any:
    """A submit's reply: its documented example (or the status endpoint's), with a new task id."""
    polling = known.data[endpoint.name]["polling"]
    size = requested_size(known.id, endpoint, wire)
    task_id = tasks.submit(polling, outcome, size)
    example, shape = known.example(endpoint, wire), endpoint
    if example is None or "json" not in example:
        shape = next(found for found in known.endpoints if found.name == polling["get"])
        example = _template(known, shape, polling["unfinished"], polling["status"])
    reply = {} if example is None else _with_mock_images(known.response_class(shape), shape, example, base, images,
                                                          size)
    payload = _payload(reply, endpoint)
    _put(payload, polling["id_from"], task_id)
    if polling["unfinished"] and polling["status"] in payload:
        _put(payload, polling["status"], polling["unfinished"][0])
    return reply


def _task_reply(known: MockProvider, endpoint: Endpoint, task: _Task, task_id: str, base: str, images: _Images,
                tasks: _Tasks) -> Any:
    """A status poll: an unfinished status with progress until the task's time is up, then
    its outcome (a success carries the documented reply, its images real)."""
    polling = task.polling
    state, done = tasks.state(task)
    if state == "unfinished":
        statuses = polling["unfinished"] or polling["success"]
        status = statuses[min(int(done * len(statuses)), len(statuses) - 1)]
    else:
        finals = polling[state] or polling["failure"] or polling["success"]
        status = finals[0]
    submit = next(found for found in known.endpoints if known.data[found.name]["polling"] is polling)
    example = _template(known, endpoint, [status], polling["status"], also=submit)
    cls = known.response_class(endpoint)
    reply = {} if example is None else _with_mock_images(cls, endpoint, example, base, images, task.size)
    payload = _payload(reply, endpoint)
    if state == "success" and not polling["result"]:
        _ensure_image(payload, getattr(cls, "__relay_images__", None), base, images, task.size)
    _put(payload, polling["status"], status)
    if polling["id_param"] in payload or polling["id_from"] in payload:
        _put(payload, polling["id_from"] if polling["id_from"] in payload else polling["id_param"], task_id)
    if polling["progress"]:
        sample = next(iter(find_all(payload, polling["progress"])), None)
        _put(payload, polling["progress"], _progress(sample, done))
    if state in ("failure", "violation") and polling["error"]:
        _put(payload, polling["error"], f"mock relay: the task ended in {state} (task_outcome={tasks.outcome!r})")
    return reply


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
        if request.headers.get("content-type", "").startswith("multipart/"):
            raise ValueError(f"{endpoint.method} {endpoint.path} takes a JSON body (application/json), "
                             "not multipart/form-data: send files as the URLs or data the fields describe")
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


def _with_mock_images(cls: Any, endpoint: Endpoint, example: Mapping[str, Any], base: str, images: _Images,
                      size: Size) -> Any:
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
                    if url not in urls:
                        urls[url] = f"{base}{IMAGE_ROUTE}/{images.name(size)}"
                for url in _DATA_URL.findall(text) if isinstance(text, str) else ():
                    urls[url] = f"data:image/png;base64,{base64.b64encode(png(*size)).decode()}"
        for inline in paths.inline:
            for holder in find_all(payload, inline.path):
                if isinstance(holder, dict) and inline.data_key in holder:
                    holder[inline.data_key] = base64.b64encode(png(*size)).decode()
                    if inline.mime_key:
                        holder[inline.mime_key] = "image/png"
    return _replace_strings(reply, urls) if urls else reply


def synthesize(cls: Any) -> dict[str, Any]:
    """A minimal reply of ``cls`` (a generated pydantic model) by wire name, for an endpoint
    the spec documents no reply for: each required field with a plain value of its type."""
    reply: dict[str, Any] = {}
    for name, field in cls.model_fields.items():
        if field.is_required():
            reply[field.alias or name] = _value_of(field.annotation)
    return reply


def _value_of(annotation: Any) -> Any:
    import types
    import typing

    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _value_of(args[0])
    if origin is typing.Literal:
        return args[0]
    if origin in (typing.Union, types.UnionType):
        chosen = [arg for arg in args if arg is not type(None)]
        return _value_of(chosen[0]) if chosen else None
    if origin in (list, tuple, set, frozenset):
        return []
    if origin is dict or annotation is dict:
        return {}
    if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
        return synthesize(annotation)
    simple: dict[Any, Any] = {str: "mock", int: 0, float: 0.0, bool: False}
    return simple.get(annotation)


def _ensure_image(payload: Any, paths: Any, base: str, images: _Images, size: Size) -> None:
    """A finished task whose template holds no image gets one, where the spec says images are."""
    if paths is None or not isinstance(payload, dict):
        return
    if any(find_all(payload, path) for path in paths.urls) or any(
            find_all(payload, inline.path) for inline in paths.inline):
        return
    if paths.urls:
        _put_new(payload, paths.urls[0], f"{base}{IMAGE_ROUTE}/{images.name(size)}")
    elif paths.inline:
        inline = paths.inline[0]
        holder = {inline.data_key: base64.b64encode(png(*size)).decode()}
        if inline.mime_key:
            holder[inline.mime_key] = "image/png"
        _put_new(payload, inline.path, holder)


def _put_new(payload: dict[str, Any], path: str, value: Any) -> None:
    """Put ``value`` at ``path``, creating objects and, for "[]" steps, one-item lists."""
    target: Any = payload
    steps = path.split(".")
    for position, step in enumerate(steps):
        last = position == len(steps) - 1
        key, each = (step[:-2], True) if step.endswith("[]") else (step, False)
        if last and not each:
            target[key] = value
            return
        if each:
            items = target.setdefault(key, [])
            if not isinstance(items, list):
                return
            if last:
                items.append(value)
                return
            if not items or not isinstance(items[0], dict):
                items.insert(0, {})
            target = items[0]
        else:
            target = target.setdefault(key, {})
            if not isinstance(target, dict):
                return


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


def _refusal(known: MockProvider, endpoint: Endpoint, refuse: Callable[[Endpoint, int, str], Any]) -> Any:
    """A content-policy refusal the way the spec says this provider words one: its refusal
    marker in an otherwise empty reply, or a 400 saying so."""
    from starlette.responses import JSONResponse

    markers = getattr(known.response_class(endpoint), "__relay_refusals__", ())
    if not markers:
        return refuse(endpoint, 400, "mock relay: refused by content policy (refuse_content)")
    marker = markers[0]
    reply: dict[str, Any] = {}
    _put_new(_payload(reply, endpoint), marker.path, marker.values[0] if marker.values else "SAFETY")
    return JSONResponse(reply)


async def _events(events: list[Any], endpoint: Endpoint, cut: bool = False) -> AsyncIterator[bytes]:
    if cut:  # the connection ends mid-stream: the last event and the end marker never come
        events = events[:-1]
    for event in events:
        data = event if isinstance(event, str) else json.dumps(event, ensure_ascii=False)
        yield f"data: {data}\n\n".encode()
    if cut:
        return
    if endpoint.stream_done and (not events or events[-1] != endpoint.stream_done):
        yield f"data: {endpoint.stream_done}\n\n".encode()
