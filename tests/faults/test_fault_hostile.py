"""Issue 13, "exceptions outside the tree": whatever bytes come back, only the SDK's own
errors escape a call, with the request's context.

Nesting a thousand levels deep (error bodies, 200 bodies, stream events), a false
``Content-Encoding: gzip`` and a short ``Content-Length`` on a non-stream 200 to
streaming and JSON endpoints, and API keys no header can carry, refused when the
client is built. Against the fault server on 127.0.0.1, sync and async.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import Relay
from fault_calls import (
    ALL_CALLS,
    EVERY_PROVIDER_CALLS,
    FAL_STATUS,
    JSON_CALLS,
    STREAMS,
    Call,
    sse_events,
)
from fault_server import Events, FaultServer, Reply
from imagerelay import api_generate, chat_stream, fal_queue, gemini_12ai, gemini_jobs, image_tasks
from imagerelay._runtime.decode import MAX_JSON_DEPTH
from imagerelay._runtime.errors import (
    APIConnectionError,
    BadRequestError,
    InternalServerError,
    InvalidAPIKeyError,
    InvalidRequestError,
    ProviderError,
    RelayError,
    ResponseValidationError,
)
from leaks import error_texts

DEPTH = 1000
TOO_DEEP = f"JSON nested more than {MAX_JSON_DEPTH} levels deep"
NESTED = "[" * DEPTH + "]" * DEPTH
NESTED_ERROR = '{"error": {"message": ' + "[" * DEPTH + '"x"' + "]" * DEPTH + "}}"
GZIP = (("Content-Encoding", "gzip"),)
PROVIDERS = [api_generate, chat_stream, fal_queue, gemini_12ai, gemini_jobs, image_tasks]


def assert_context(error: RelayError, server: FaultServer, call: Call) -> None:
    """The error names the request it came from."""
    assert error.method == call.method
    assert error.url is not None and error.url.startswith(f"{server.url}{call.path}")
    assert f"{call.method} {server.url}{call.path}" in str(error)


# --- nesting ----------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [NESTED, NESTED_ERROR], ids=["array", "in-error-message"])
@pytest.mark.parametrize("call", EVERY_PROVIDER_CALLS, ids=repr)
def test_deeply_nested_error_body_is_a_status_error(
    relay: Relay, server: FaultServer, call: Call, body: str
) -> None:
    server.script(call.method, call.path, Reply(400, body))
    error = relay.fails(BadRequestError, call)
    assert error.status == 400 and error.provider_message is None
    assert f"failed: Bad Request (error body unread: {TOO_DEEP})" in str(error)
    assert_context(error, server, call)


@pytest.mark.parametrize("call", [*JSON_CALLS, FAL_STATUS], ids=repr)
def test_deeply_nested_200_body_is_a_validation_error(
    relay: Relay, server: FaultServer, call: Call
) -> None:
    server.script(call.method, call.path, Reply(200, NESTED))
    error = relay.fails(ResponseValidationError, call)
    assert f"reply refused: {TOO_DEEP}" in str(error)
    assert error.body_excerpt is not None and error.body_excerpt.startswith("[[[[")
    assert_context(error, server, call)


@pytest.mark.parametrize("event", ["data: " + NESTED, "event: error\ndata: " + NESTED_ERROR])
@pytest.mark.parametrize("call", STREAMS, ids=repr)
def test_deeply_nested_stream_event_is_a_validation_error(
    relay: Relay, server: FaultServer, call: Call, event: str
) -> None:
    first = sse_events(call.ok)[0]
    server.script(call.method, call.path, Events((first, event)))
    error = relay.fails(ResponseValidationError, call)
    assert f"stream event refused: {TOO_DEEP}" in str(error)
    assert_context(error, server, call)


@pytest.mark.parametrize("call", STREAMS, ids=repr)
def test_deeply_nested_json_instead_of_a_stream(
    relay: Relay, server: FaultServer, call: Call
) -> None:
    server.script(call.method, call.path, Reply(200, NESTED_ERROR))
    error = relay.fails(ResponseValidationError, call)
    assert "expected an event stream (text/event-stream), got application/json" in str(error)


def test_nesting_just_under_the_limit_still_parses(relay: Relay, server: FaultServer) -> None:
    call = STREAMS[0]
    deep: Any = "x"
    for _ in range(MAX_JSON_DEPTH - 4):
        deep = [deep]
    chunk = {**call.ok[0], "x_relay_extra": deep}
    server.script(call.method, call.path, Events(sse_events([chunk, *call.ok[1:]])))
    outcome = relay.call(call)
    assert len(outcome.images) == call.images


# --- bodies that do not decode ------------------------------------------------------------------


@pytest.mark.parametrize("call", STREAMS, ids=repr)
def test_false_gzip_on_a_non_stream_200_to_a_streaming_endpoint(
    relay: Relay, server: FaultServer, call: Call
) -> None:
    body = {"error": {"message": "not a stream"}}
    server.script(call.method, call.path, Reply(200, body, headers=GZIP))
    error = relay.fails(APIConnectionError, call)
    assert "DecodingError" in str(error) and "does not match its Content-Encoding" in str(error)
    assert error.request_sent is True
    assert_context(error, server, call)
    assert server.count(call.method, call.path) == 1


@pytest.mark.parametrize("call", STREAMS, ids=repr)
def test_short_body_on_a_non_stream_200_to_a_streaming_endpoint(
    relay: Relay, server: FaultServer, call: Call
) -> None:
    body = json.dumps({"error": {"message": "not a stream"}})
    server.script(call.method, call.path, Reply(200, body, declared_length=len(body) + 50))
    error = relay.fails(APIConnectionError, call)
    assert "RemoteProtocolError" in str(error) and error.request_sent is True
    assert_context(error, server, call)


@pytest.mark.parametrize("call", STREAMS, ids=repr)
def test_false_gzip_on_an_event_stream(relay: Relay, server: FaultServer, call: Call) -> None:
    server.script(
        call.method,
        call.path,
        Reply(200, "\n\n".join(sse_events(call.ok)) + "\n\n", "text/event-stream", headers=GZIP),
    )
    error = relay.fails(APIConnectionError, call)
    assert "DecodingError" in str(error)
    assert_context(error, server, call)


@pytest.mark.parametrize("call", [*JSON_CALLS, FAL_STATUS], ids=repr)
def test_false_gzip_on_a_json_200(relay: Relay, server: FaultServer, call: Call) -> None:
    server.script(call.method, call.path, Reply(200, call.ok, headers=GZIP))
    error = relay.fails(APIConnectionError, call)
    assert "DecodingError" in str(error) and error.request_sent is True
    assert_context(error, server, call)


@pytest.mark.parametrize("call", [ALL_CALLS[0], *STREAMS], ids=repr)
def test_false_gzip_on_an_error_body_keeps_the_status(
    relay: Relay, server: FaultServer, call: Call
) -> None:
    server.script(call.method, call.path, Reply(500, {"error": {"message": "x"}}, headers=GZIP))
    error = relay.fails(InternalServerError, call)
    assert error.status == 500 and error.provider_message is None
    assert_context(error, server, call)


@pytest.mark.parametrize("call", STREAMS, ids=repr)
def test_error_event_that_is_json_but_no_object(
    relay: Relay, server: FaultServer, call: Call
) -> None:
    server.script(call.method, call.path, Events(("event: error\ndata: [1, 2]",)))
    error = relay.fails(ProviderError, call)
    assert "the provider reported an error mid-stream" in str(error)


# --- keys no header can carry ---------------------------------------------------------------------

BAD_KEYS = {
    "non-ascii": (
        "sk-BAD\u00e9key-1",
        "a non-ASCII character (U+00E9 LATIN SMALL LETTER E WITH ACUTE) at position 7",
    ),
    "zero-width": (
        "sk-BAD\u200bkey-1",
        "a non-ASCII character (U+200B ZERO WIDTH SPACE) at position 7",
    ),
    "newline": ("sk-BAD\nkey-1", "a line break (U+000A) at position 7"),
    "nul": ("sk-BAD\x00key-1", "a control character (U+0000) at position 7"),
    "space": ("sk-BAD key-1", "a space at position 7"),
    "pasted-prefix-and-space": ("Bearer sk-BAD key-1", "a space at position 14"),
}


@pytest.mark.parametrize("bad", sorted(BAD_KEYS))
@pytest.mark.parametrize("module", PROVIDERS, ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_unsendable_key_is_refused_when_the_client_is_built(
    relay: Relay, server: FaultServer, module: Any, bad: str
) -> None:
    key, problem = BAD_KEYS[bad]
    with pytest.raises(InvalidAPIKeyError) as caught:
        relay.client(module, api_key=key)
    error = caught.value
    assert f"api_key has {problem}" in str(error)
    assert isinstance(error, ValueError)
    for text in error_texts(error).values():
        assert "sk-BAD" not in text and "key-1" not in text
    assert server.seen == []  # refused before anything was sent


@pytest.mark.parametrize("module", PROVIDERS, ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_unsendable_key_in_the_environment_is_refused(
    server: FaultServer, module: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = module.client.PROVIDER.auth.env
    monkeypatch.setenv(env, "sk-BAD\r\nkey-1")
    with pytest.raises(
        InvalidAPIKeyError, match=rf"\${env} has a line break \(U\+000D\) at position 7"
    ):
        module.Client(base_url=server.url)


@pytest.mark.parametrize(
    ("headers", "problem"),
    [
        ({"X-Trace": "line one\nline two"}, "header X-Trace: a line break (U+000A) at position 9 of its value"),
        ({"X-Note": "café"}, "header X-Note: a non-ASCII character (U+00E9 LATIN SMALL LETTER E WITH ACUTE) at position 4"),
        ({"X Trace": "1"}, "header name 'X Trace' is not an HTTP token"),
    ],
    ids=["newline", "non-ascii", "bad name"],
)
def test_a_header_httpx_cannot_send_is_refused_when_the_client_is_built(
    relay: Relay, server: FaultServer, headers: dict[str, str], problem: str
) -> None:
    """Before: a UnicodeEncodeError (or a protocol error) from inside every call."""
    with pytest.raises(InvalidRequestError) as caught:
        relay.client(ALL_CALLS[0].module, headers=headers)
    assert problem in str(caught.value)
    assert "line two" not in str(caught.value) and "café" not in str(caught.value)  # values may be keys
    assert server.seen == []
