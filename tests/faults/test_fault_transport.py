"""Broken transport: hang-ups, read timeouts, streams cut short, cancellation."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
from conftest import KEY, Relay, assert_key_hidden
from fault_calls import API_RUNNING, CHAT_CHUNK, CREATES, POLLS, STREAMS, Call, sse_events
from fault_server import Events, FaultServer, Hangup, Reply, Stall
from imagerelay import api_generate
from imagerelay._runtime.errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    StreamIncompleteError,
)

OPT_IN = "pass retry_unsafe=True or use client.with_options(retry_unsafe=True) to allow"
GENERATION = CREATES + STREAMS
READ_TIMEOUT = 0.2  # the server stalls far longer than this
STALL = 3.0


def good(call: Call) -> Any:
    return Events(sse_events(call.ok)) if call.kind == "stream" else Reply(200, call.ok)


# --- hang-ups --------------------------------------------------------------------------


@pytest.mark.parametrize("reset", [True, False], ids=["rst", "fin"])
@pytest.mark.parametrize("call", GENERATION, ids=repr)
def test_hangup_on_generation_is_a_connection_error_not_resent(
    relay: Relay, server: FaultServer, call: Call, reset: bool
) -> None:
    server.script(call.method, call.path, Hangup(reset=reset), good(call))
    error = relay.fails(APIConnectionError, call)
    assert not isinstance(error, APITimeoutError)
    assert error.request_sent is True and error.status is None
    assert "request may have been sent" in str(error)
    assert f"could bill twice; {OPT_IN}" in str(error)
    assert server.count(call.method, call.path) == 1


@pytest.mark.parametrize("call", GENERATION, ids=repr)
def test_hangup_on_generation_is_resent_when_opted_in(
    relay: Relay, server: FaultServer, call: Call
) -> None:
    server.script(call.method, call.path, Hangup(), good(call))
    outcome = relay.call(call, via=lambda client: client.with_options(retry_unsafe=True))
    assert len(outcome.images) == call.images
    assert server.count(call.method, call.path) == 2


@pytest.mark.parametrize("call", POLLS, ids=repr)
def test_hangup_on_poll_is_retried(relay: Relay, server: FaultServer, call: Call) -> None:
    server.script(call.method, call.path, Hangup(), good(call))
    assert len(relay.call(call).images) == call.images
    assert server.count(call.method, call.path) == 2


# --- read timeouts ---------------------------------------------------------------------------


@pytest.mark.parametrize("call", GENERATION, ids=repr)
def test_read_timeout_on_generation(relay: Relay, server: FaultServer, call: Call) -> None:
    server.script(call.method, call.path, Stall(STALL, good(call)))
    started = time.monotonic()
    error = relay.fails(APITimeoutError, call, timeout=READ_TIMEOUT)
    assert time.monotonic() - started < STALL / 2
    assert "timed out waiting for the reply" in str(error) and error.request_sent
    assert OPT_IN in str(error)
    assert server.count(call.method, call.path) == 1


@pytest.mark.parametrize("call", POLLS, ids=repr)
def test_read_timeout_on_poll_is_retried(relay: Relay, server: FaultServer, call: Call) -> None:
    server.script(call.method, call.path, Stall(STALL, good(call)), good(call))
    assert len(relay.call(call, timeout=READ_TIMEOUT).images) == call.images
    assert server.count(call.method, call.path) == 2


def test_stream_that_stalls_mid_way_breaks_off(relay: Relay, server: FaultServer) -> None:
    call = STREAMS[0]
    server.script(call.method, call.path, Events(sse_events([CHAT_CHUNK]), stall=STALL))
    error = relay.fails(StreamIncompleteError, call, timeout=READ_TIMEOUT)
    assert "stream broke off (ReadTimeout" in str(error)
    assert server.count(call.method, call.path) == 1


# --- streams cut before their end ------------------------------------------------------------

FIRST_CHUNK = {STREAMS[0].name: CHAT_CHUNK, STREAMS[1].name: API_RUNNING}


def _collect_into(received: list[Any], call: Call) -> Any:
    """An invoke that keeps every chunk that arrived before the stream failed."""

    def invoke(client: Any) -> Any:
        stream = call.invoke(client)
        if hasattr(stream, "__iter__"):
            with stream:
                received.extend(stream)
            return None

        async def consume() -> None:
            async with stream:
                async for chunk in stream:
                    received.append(chunk)

        return consume()

    return invoke


@pytest.mark.parametrize("call", STREAMS, ids=repr)
def test_stream_closed_before_its_end_marker(relay: Relay, server: FaultServer, call: Call) -> None:
    server.script(call.method, call.path, Events(sse_events([FIRST_CHUNK[call.name]])))
    received: list[Any] = []
    error = relay.fails_run(StreamIncompleteError, call.module, _collect_into(received, call))
    assert len(received) == 1  # the chunk before the cut was delivered, then the error
    assert "stream ended before" in str(error) and "the reply is truncated" in str(error)
    assert server.count(call.method, call.path) == 1


def test_task_stream_names_the_last_status(relay: Relay, server: FaultServer) -> None:
    call = STREAMS[1]
    server.script(call.method, call.path, Events(sse_events([API_RUNNING])))
    error = relay.fails(StreamIncompleteError, call)
    assert "before the task reached a final status (last status 'running')" in str(error)


def test_stream_cut_inside_an_event(relay: Relay, server: FaultServer) -> None:
    call = STREAMS[0]
    tail = "data: " + json.dumps(CHAT_CHUNK)[:30]
    server.script(call.method, call.path, Events(sse_events([CHAT_CHUNK]), tail=tail))
    error = relay.fails(StreamIncompleteError, call)
    assert "stream ended before its end marker ('[DONE]' or 'choices[].finish_reason')" in str(
        error
    )


def test_stream_with_keepalives_and_split_data_lines(relay: Relay, server: FaultServer) -> None:
    call = STREAMS[0]
    text = json.dumps(CHAT_CHUNK, indent=1).splitlines()
    multi_line = "\n".join("data: " + line for line in text)
    events = (": keep-alive", multi_line, ": keep-alive", "data: [DONE]")
    server.script(call.method, call.path, Events(events))
    outcome = relay.call(call)
    assert [image.url for image in outcome.images] == ["https://cdn.test/c.png"]


# --- after the end marker -------------------------------------------------------------------


@pytest.mark.parametrize(
    "tail",
    ["", ": keep-alive " + "x" * 200_000 + "\n\n"],
    ids=["silent", "talking past the drain's byte bound"],
)
def test_a_relay_that_keeps_the_stream_open_after_its_end_marker_costs_no_wait(
    relay: Relay, server: FaultServer, tail: str
) -> None:
    """After ``[DONE]`` a finished stream reads what is left so its connection can be
    reused, but only DRAIN_BYTES within DRAIN_SECONDS (0.25 s): a relay that then stays
    silent (or keeps talking) for STALL seconds, with the read timeout longer still, must
    not hold the call up."""
    call = STREAMS[0]
    server.script(call.method, call.path, Events(sse_events(call.ok), tail=tail, stall=STALL))
    started = time.monotonic()
    outcome = relay.call(call)
    assert time.monotonic() - started < STALL - 1.0
    assert [image.url for image in outcome.images] == ["https://cdn.test/c.png"]


# --- cancellation --------------------------------------------------------------------------


def _cancel_wait(server: FaultServer, relay: Relay, *, after: float) -> tuple[float, Any]:
    """Cancel ``wait`` after ``after`` seconds, then reuse the same client."""

    async def main() -> tuple[float, Any]:
        async with relay.client(api_generate) as client:
            client._sleep = asyncio.sleep  # real sleeps between polls
            job = asyncio.create_task(client.wait("1-abc", poll_interval=30, deadline=60))
            await asyncio.sleep(after)
            started = time.monotonic()
            job.cancel()
            with pytest.raises(asyncio.CancelledError):
                await job
            took = time.monotonic() - started
            server.script("GET", "/v1/api/result", Reply(200, POLLS[0].ok))
            return took, await client.get_result(id="1-abc")

    return asyncio.run(main())


@pytest.mark.parametrize("flavor", ["async"], indirect=True)
def test_cancel_while_sleeping_between_polls(relay: Relay, server: FaultServer) -> None:
    server.script("GET", "/v1/api/result", Reply(200, API_RUNNING))
    took, result = _cancel_wait(server, relay, after=0.1)
    assert took < 0.5 and result.status == "succeeded"
    assert server.count("GET", "/v1/api/result") == 2  # one poll, then the reuse


@pytest.mark.parametrize("flavor", ["async"], indirect=True)
def test_cancel_while_a_poll_is_in_flight(relay: Relay, server: FaultServer) -> None:
    server.script("GET", "/v1/api/result", Stall(STALL, Reply(200, API_RUNNING)))
    took, result = _cancel_wait(server, relay, after=0.1)
    assert took < 0.5 and result.status == "succeeded"
    assert server.count("GET", "/v1/api/result") == 2


# --- the key reaches the server, and only the server ---------------------------------------


@pytest.mark.parametrize(
    "call",
    [c for c in CREATES if c.name.endswith(("generate", "chat_completions", "generate_content"))],
    ids=repr,
)
def test_key_is_sent_and_kept_out_of_errors(relay: Relay, server: FaultServer, call: Call) -> None:
    server.script(call.method, call.path, Reply(401, {"error": {"message": f"bad key {KEY}"}}))
    error = relay.fails(AuthenticationError, call)
    seen = server.seen[0]
    sent = seen.query.get("key", [""])[0] or seen.headers.get("authorization", "")
    assert sent in (KEY, f"Bearer {KEY}")
    assert error.provider_message == "bad key ***"
    assert_key_hidden(error)
