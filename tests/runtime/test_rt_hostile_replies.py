"""Any reply bytes end in a parsed model or one of the SDK's own errors, never the key.

Property tests: hypothesis draws a status, headers (content type, a false content
encoding, headers echoing the key) and a body (random bytes, JSON nested far past
the parser's limit, JSON holding the key, SSE events made of those) and sends it
through the sync and async clients to JSON, enveloped, task and SSE endpoints.
The only outcomes allowed: a result, or a RelayError whose every shown text is
free of the key.
"""

from __future__ import annotations

import asyncio
import json
import traceback
from urllib.parse import quote, quote_plus

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from imagerelay._runtime.descriptors import Endpoint
from imagerelay._runtime.errors import RelayError
from imagerelay._runtime.streaming import AsyncStream, Stream
from pydantic import BaseModel
from rt_helpers import (
    CHAT,
    CHAT_FINISH,
    ENVELOPED,
    GEMINI,
    GENERATE,
    KEY,
    ChatChunk,
    GeminiBody,
    GeminiReply,
    GenerateBody,
    Recorder,
    Task,
    make_async_client,
    make_client,
)

STRICT_GENERATE = GENERATE._replace(requires_image=True, raise_task_failure=True)
TARGETS: list[tuple[Endpoint, type[BaseModel], BaseModel]] = [
    (GENERATE, Task, GenerateBody(model="m", prompt="p")),
    (STRICT_GENERATE, Task, GenerateBody(model="m", prompt="p")),
    (ENVELOPED, Task, GenerateBody(model="m", prompt="p")),
    (GEMINI, GeminiReply, GeminiBody(model="g", contents=[{"parts": [{"text": "p"}]}])),
    (CHAT, ChatChunk, GenerateBody(model="m", prompt="p")),
    (CHAT_FINISH, ChatChunk, GenerateBody(model="m", prompt="p")),
]
SPELLED = [KEY, quote(KEY, safe=""), quote_plus(KEY), json.dumps(KEY)[1:-1]]

_echo = st.sampled_from(SPELLED).map(lambda key: f"bad key {key}")
_json_leaf = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=20), _echo, st.floats(allow_nan=False)
)
_json = st.recursive(
    _json_leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_shapes = st.sampled_from(
    [
        {"id": "t1", "status": "failed", "error": f"quota of {KEY} used"},
        {"id": "t1", "status": "violation", "error": KEY},
        {"id": "t1", "status": "succeeded", "results": []},
        {"code": "denied", "message": f"key {KEY}", "data": None},
        {"code": "success", "data": {"id": "t1", "status": "running"}},
        {"error": {"message": f"key {KEY} revoked"}},
        {"promptFeedback": {"blockReason": KEY}},
        {"choices": [{"delta": {"content": KEY}, "finish_reason": "stop"}]},
    ]
)


def _nested(depth: int, kind: str) -> str:
    if kind == "array":
        return "[" * depth + "]" * depth
    return '{"error": ' * depth + json.dumps(KEY) + "}" * depth


_deep = st.builds(
    _nested, st.integers(min_value=150, max_value=3000), st.sampled_from(["array", "object"])
)
_text_body = st.one_of(
    _deep,
    _json.map(json.dumps),
    _shapes.map(json.dumps),
    st.text(max_size=80),
    _echo,
)


def _sse(events: list[tuple[str | None, str]]) -> str:
    lines = []
    for name, data in events:
        head = f"event: {name}\n" if name else ""
        lines.append(head + "\n".join("data: " + part for part in data.split("\n")) + "\n\n")
    return "".join(lines)


_sse_body = st.lists(
    st.tuples(st.sampled_from([None, "error", "ping"]), st.one_of(_text_body, st.just("[DONE]"))),
    max_size=4,
).map(_sse)
_body = st.one_of(
    st.binary(max_size=120),
    _text_body.map(str.encode),
    _sse_body.map(str.encode),
)
_headers = st.fixed_dictionaries(
    {},
    optional={
        "content-type": st.sampled_from(
            [
                "application/json",
                "text/event-stream",
                "text/html",
                "text/plain; charset=utf-8",
                "text/event-stream; charset=no-such-codec",
            ]
        ),
        "content-encoding": st.sampled_from(["gzip", "br", "deflate", "identity", "zstd, gzip"]),
        "x-echo": st.sampled_from(SPELLED),
        "location": st.sampled_from([f"/elsewhere?key={quote_plus(KEY)}", "//::bad url"]),
        "retry-after": st.sampled_from(["0", "nan", "-1", "Wed, 21 Oct 2015 07:28:00 GMT", "soon"]),
    },
)
_status = st.sampled_from([200, 201, 204, 302, 400, 401, 404, 408, 422, 429, 500, 503])


def _reply(status: int, headers: dict[str, str], body: bytes) -> httpx.Response:
    # A stream, as from the network: httpx decodes (and may fail to) while it is read.
    return httpx.Response(status, headers=headers, stream=httpx.ByteStream(body))


def _assert_allowed(error: BaseException) -> None:
    assert isinstance(error, RelayError), f"{type(error).__name__} escaped: {error!r}"
    texts = [str(error), repr(error), "".join(traceback.format_exception(error)), repr(vars(error))]
    for text in texts:
        for spelled in SPELLED:
            assert spelled not in text


def _call_sync(target: int, reply: httpx.Response) -> None:
    endpoint, model, body = TARGETS[target]
    client = make_client(Recorder(reply), max_retries=0)
    if endpoint.response == "sse":
        with client._stream(endpoint, body, model) as stream:
            assert isinstance(stream, Stream)
            stream.collect()
    else:
        client._request(endpoint, body, model)


async def _call_async(target: int, reply: httpx.Response) -> None:
    endpoint, model, body = TARGETS[target]
    client = make_async_client(Recorder(reply), max_retries=0)
    if endpoint.response == "sse":
        stream = client._stream(endpoint, body, model)
        assert isinstance(stream, AsyncStream)
        async with stream:
            await stream.collect()
    else:
        await client._request(endpoint, body, model)


HOSTILE = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@HOSTILE
@given(
    target=st.integers(min_value=0, max_value=len(TARGETS) - 1),
    status=_status,
    headers=_headers,
    body=_body,
)
def test_sync_client_raises_only_its_own_errors(
    target: int, status: int, headers: dict[str, str], body: bytes
) -> None:
    try:
        _call_sync(target, _reply(status, headers, body))
    except Exception as error:  # noqa: BLE001 - the point is what kind it is
        _assert_allowed(error)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    target=st.integers(min_value=0, max_value=len(TARGETS) - 1),
    status=_status,
    headers=_headers,
    body=_body,
)
def test_async_client_raises_only_its_own_errors(
    target: int, status: int, headers: dict[str, str], body: bytes
) -> None:
    try:
        asyncio.run(_call_async(target, _reply(status, headers, body)))
    except Exception as error:  # noqa: BLE001 - the point is what kind it is
        _assert_allowed(error)


@pytest.mark.parametrize("target", range(len(TARGETS)), ids=lambda i: TARGETS[i][0].name)
@pytest.mark.parametrize("status", [200, 400, 500])
def test_nesting_a_thousand_deep_is_refused_everywhere(target: int, status: int) -> None:
    endpoint = TARGETS[target][0]
    deep = _nested(1000, "array")
    body = _sse([(None, deep)]) if endpoint.response == "sse" and status == 200 else deep
    content_type = "text/event-stream" if endpoint.response == "sse" else "application/json"
    with pytest.raises(RelayError) as caught:
        _call_sync(target, _reply(status, {"content-type": content_type}, body.encode()))
    assert "JSON nested more than 200 levels deep" in str(caught.value)
    assert not isinstance(caught.value.__cause__, RecursionError)


@pytest.mark.parametrize(
    "url", ["http://[::1/a.png", "http://cdn.test\x00/a.png", "https://cdn.test/" + "a" * 70000]
)
def test_an_image_url_httpx_cannot_parse_is_refused_before_sending(url: str) -> None:
    from imagerelay._runtime.errors import InvalidRequestError
    from imagerelay._runtime.images import Image

    rec = Recorder(httpx.Response(200, content=b"\x89PNG\r\n\x1a\n"))
    with pytest.raises(InvalidRequestError, match="is not a URL that can be fetched") as caught:
        make_client(rec).download(Image(url=url + f"?key={KEY}"))
    assert rec.count == 0
    assert KEY not in str(caught.value) and len(str(caught.value)) < 400
