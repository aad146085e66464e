"""Bad replies: error pages, empty and cut bodies, wrong shapes, 429s and 5xxs.

Every fault runs against every generated endpoint it applies to, through
both the sync and the async client.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import Relay
from fault_calls import (
    ALL_CALLS,
    CREATES,
    JSON_CALLS,
    POLLS,
    STREAMS,
    WAITERS,
    Call,
    Waiter,
    sse_events,
    with_extras,
)
from fault_server import Action, Events, FaultServer, Reply
from imagerelay._runtime.errors import (
    APIConnectionError,
    InternalServerError,
    ResponseValidationError,
    StreamIncompleteError,
)

OPT_IN = "pass retry_unsafe=True or use client.with_options(retry_unsafe=True) to allow"
HTML_502 = (
    "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>"
    "<center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
)
GENERATION = CREATES + STREAMS


def good(call: Call, body: Any = None) -> Action:
    body = call.ok if body is None else body
    if call.kind == "stream":
        return Events(sse_events(body))
    return Reply(200, body)


def assert_ok(call: Call, outcome: Any) -> None:
    assert len(outcome.images) == call.images
    if call.kind == "stream":
        assert len(outcome.value) == len([v for v in call.ok if not isinstance(v, str)])


# --- gateway error pages ------------------------------------------------------------


@pytest.mark.parametrize("call", GENERATION, ids=repr)
def test_html_502_on_generation_is_not_resent(
    relay: Relay, server: FaultServer, call: Call
) -> None:
    server.script(call.method, call.path, Reply(502, HTML_502, "text/html"), good(call))
    error = relay.fails(InternalServerError, call)
    assert server.count(call.method, call.path) == 1
    assert error.status == 502
    assert error.provider_message.startswith("502 Bad Gateway")
    assert f"{call.method} {server.url}{call.path}" in str(error)
    assert f"could bill twice; {OPT_IN}" in str(error)


@pytest.mark.parametrize("call", POLLS, ids=repr)
def test_html_502_on_poll_is_retried(relay: Relay, server: FaultServer, call: Call) -> None:
    server.script(call.method, call.path, Reply(502, HTML_502, "text/html"), good(call))
    assert_ok(call, relay.call(call))
    assert server.count(call.method, call.path) == 2


@pytest.mark.parametrize("call", POLLS, ids=repr)
def test_html_502_on_poll_gives_up_after_max_retries(
    relay: Relay, server: FaultServer, call: Call
) -> None:
    server.script(call.method, call.path, Reply(502, HTML_502, "text/html"))
    error = relay.fails(InternalServerError, call)
    assert server.count(call.method, call.path) == 3
    assert str(error).endswith("gave up after 3 attempts]")


# --- empty and truncated bodies -----------------------------------------------------------


@pytest.mark.parametrize("call", JSON_CALLS, ids=repr)
def test_empty_200_body(relay: Relay, server: FaultServer, call: Call) -> None:
    server.script(call.method, call.path, Reply(200, b""))
    error = relay.fails(ResponseValidationError, call)
    assert server.count(call.method, call.path) == 1
    assert error.status == 200
    assert "reply is not valid JSON" in str(error)


@pytest.mark.parametrize("call", STREAMS, ids=repr)
def test_empty_200_json_instead_of_stream(relay: Relay, server: FaultServer, call: Call) -> None:
    server.script(call.method, call.path, Reply(200, b""))
    error = relay.fails(ResponseValidationError, call)
    assert "expected an event stream (text/event-stream), got application/json" in str(error)
    assert server.count(call.method, call.path) == 1


@pytest.mark.parametrize("call", STREAMS, ids=repr)
def test_empty_event_stream_is_incomplete(relay: Relay, server: FaultServer, call: Call) -> None:
    server.script(call.method, call.path, Events(()))
    error = relay.fails(StreamIncompleteError, call)
    assert "stream ended before" in str(error) and "the reply is truncated" in str(error)


@pytest.mark.parametrize("call", JSON_CALLS, ids=repr)
def test_truncated_json_body(relay: Relay, server: FaultServer, call: Call) -> None:
    cut = json.dumps(call.ok)[:25]
    server.script(call.method, call.path, Reply(200, cut))
    error = relay.fails(ResponseValidationError, call)
    assert "reply is not valid JSON (EOF while parsing" in str(error)
    assert error.body_excerpt == cut
    assert server.count(call.method, call.path) == 1


@pytest.mark.parametrize("call", CREATES, ids=repr)
def test_body_shorter_than_its_length_on_generation(
    relay: Relay, server: FaultServer, call: Call
) -> None:
    body = json.dumps(call.ok)
    server.script(call.method, call.path, Reply(200, body, declared_length=len(body) + 100))
    error = relay.fails(APIConnectionError, call)
    assert "RemoteProtocolError" in str(error) and error.request_sent
    assert f"could bill twice; {OPT_IN}" in str(error)
    assert server.count(call.method, call.path) == 1


@pytest.mark.parametrize("call", POLLS, ids=repr)
def test_body_shorter_than_its_length_on_poll_is_retried(
    relay: Relay, server: FaultServer, call: Call
) -> None:
    body = json.dumps(call.ok)
    server.script(
        call.method, call.path, Reply(200, body, declared_length=len(body) + 100), good(call)
    )
    assert_ok(call, relay.call(call))
    assert server.count(call.method, call.path) == 2


# --- shapes ------------------------------------------------------------------------------


@pytest.mark.parametrize("call", [c for c in ALL_CALLS if c.missing], ids=repr)
def test_missing_required_field(relay: Relay, server: FaultServer, call: Call) -> None:
    assert call.missing is not None
    body, field = call.missing
    server.script(call.method, call.path, good(call, body))
    error = relay.fails(ResponseValidationError, call)
    assert f"{field}: Field required" in str(error)
    first = body[0] if call.kind == "stream" else body
    assert error.body_excerpt is not None
    assert error.body_excerpt.startswith(json.dumps(first)[:40])
    assert server.count(call.method, call.path) == 1


@pytest.mark.parametrize("call", ALL_CALLS, ids=repr)
def test_unknown_fields_are_tolerated(relay: Relay, server: FaultServer, call: Call) -> None:
    if call.kind == "stream":
        body: Any = tuple(with_extras(v) if isinstance(v, dict) else v for v in call.ok)
    else:
        body = with_extras(call.ok)
    server.script(call.method, call.path, good(call, body))
    outcome = relay.call(call)
    assert_ok(call, outcome)
    reply = outcome.value[0] if call.kind == "stream" else outcome.value
    assert reply.model_extra["x_relay_extra"] == {"node": "edge-7", "list": [1, 2]}


@pytest.mark.parametrize("waiter", WAITERS, ids=repr)
def test_unknown_task_status(
    relay: Relay, server: FaultServer, waiter: Waiter, caplog: pytest.LogCaptureFixture
) -> None:
    server.script(
        "GET",
        waiter.path,
        Reply(200, waiter.status("queued_upstream")),
        Reply(200, waiter.status("succeeded")),
    )

    def wait(client: Any) -> Any:
        return waiter.wait(client, poll_interval=0.01, deadline=5)

    if waiter.closed_status:
        # A closed enum in the spec: an unlisted status fails the poll at once.
        error = relay.fails_run(ResponseValidationError, waiter.module, wait)
        assert "status: Input should be" in str(error)
        assert error.body_excerpt is not None and "queued_upstream" in error.body_excerpt
        assert server.count("GET", waiter.path) == 1
        return
    # An open enum: the status is kept as text and treated as still running.
    outcome = relay.run(waiter.module, wait)
    assert outcome.value.status == "succeeded"
    assert server.count("GET", waiter.path) == 2
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert "unknown task status 'queued_upstream'; still waiting" in warnings


# --- status codes that ask for a retry ----------------------------------------------------


@pytest.mark.parametrize("call", ALL_CALLS, ids=repr)
def test_429_with_retry_after_zero_is_retried(
    relay: Relay, server: FaultServer, call: Call
) -> None:
    limited = Reply(429, {"error": {"message": "rate limited"}}, headers=(("Retry-After", "0"),))
    server.script(call.method, call.path, limited, good(call))
    assert_ok(call, relay.call(call))
    assert server.count(call.method, call.path) == 2


@pytest.mark.parametrize("call", GENERATION, ids=repr)
def test_500_on_generation_is_not_resent(relay: Relay, server: FaultServer, call: Call) -> None:
    server.script(
        call.method, call.path, Reply(500, {"error": {"message": "upstream exploded"}}), good(call)
    )
    error = relay.fails(InternalServerError, call)
    assert server.count(call.method, call.path) == 1
    assert error.provider_message == "upstream exploded"
    assert "HTTP 500; provider says: 'upstream exploded'; not retried" in str(error)
    assert OPT_IN in str(error)


@pytest.mark.parametrize("opt_in", ["constructor", "with_options"])
@pytest.mark.parametrize("call", GENERATION, ids=repr)
def test_500_on_generation_is_resent_when_opted_in(
    relay: Relay, server: FaultServer, call: Call, opt_in: str
) -> None:
    server.script(
        call.method, call.path, Reply(500, {"error": {"message": "upstream exploded"}}), good(call)
    )
    if opt_in == "constructor":
        outcome = relay.call(call, retry_unsafe=True)
    else:
        outcome = relay.call(call, via=lambda client: client.with_options(retry_unsafe=True))
    assert_ok(call, outcome)
    assert server.count(call.method, call.path) == 2


@pytest.mark.parametrize("call", POLLS, ids=repr)
def test_500_on_poll_is_retried(relay: Relay, server: FaultServer, call: Call) -> None:
    server.script(call.method, call.path, Reply(500, {"error": {"message": "hiccup"}}), good(call))
    assert_ok(call, relay.call(call))
    assert server.count(call.method, call.path) == 2
