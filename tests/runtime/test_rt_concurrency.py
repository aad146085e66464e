"""Concurrency that scales (issue 13, part 1), against a real keep-alive server.

The server (``bench/relay_server.py``, its own process) is a fast HTTP/1.1 chat
completions relay that counts the TCP connections its clients open. Thousands of calls
``gather()``ed through one client must all succeed on a bounded number of connections
(before the gate, 5,000 calls queued in httpx's pool failed after its 10 s pool
timeout); finished streams and JSON calls must hand their connection to the next call;
and a call that cannot get a connection before its deadline fails at that deadline,
with a typed error, instead of being retried.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from imagerelay import chat_stream
from imagerelay._runtime.errors import APITimeoutError, RateLimitError
from imagerelay._runtime.retries import POOL_WAIT_HINT

from bench.relay_server import RelayServer, running_relay, stream_events

KEY = "sk-concurrency-test"
_RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "chat_stream" / "chat_completions_stream_text_to_image.json"
CHAT = json.loads(_RECORDED.read_text("utf-8"))["call"]["kwargs"]
EXPECTED = "https://xxx.xxx.cn/output/38fa5bcb-d055-40b0-9f04-5ef259c9131c-u2_307ace79-d89b-4075-9e71-8180774947c4.jpeg"


@pytest.fixture(scope="module")
def relay() -> Iterator[RelayServer]:
    with running_relay() as server:
        yield server


@pytest.fixture
def fresh(relay: RelayServer) -> RelayServer:
    relay.reset()
    return relay


def _limits(connections: int) -> httpx.Limits:
    return httpx.Limits(max_connections=connections, max_keepalive_connections=connections)


async def _gather(url: str, calls: int, limits: httpx.Limits | None) -> list[Any]:
    async with chat_stream.AsyncClient(KEY, base_url=url, limits=limits) as client:
        return await asyncio.gather(*[client.chat_completions(**CHAT) for _ in range(calls)], return_exceptions=True)


@pytest.mark.parametrize(("calls", "connections"), [(1000, None), (1000, 16), (5000, 8)])
def test_thousands_of_gathered_calls_succeed_on_few_connections(
    fresh: RelayServer, calls: int, connections: int | None
) -> None:
    """``None``: the client's default limits (1000 connections), the issue's report."""
    limits = None if connections is None else _limits(connections)
    results = asyncio.run(_gather(fresh.url, calls, limits))
    failures = [repr(result) for result in results if isinstance(result, BaseException)]
    assert failures[:3] == [] and len(results) == calls
    assert {result.choices[0].message.content for result in results} == {EXPECTED}
    stats = fresh.stats()
    assert stats["requests"] == calls
    bound = 1000 if connections is None else connections
    assert 1 <= stats["peak"] <= bound  # bounded by the limits, however many calls


def test_a_thread_pool_shares_one_sync_client(fresh: RelayServer) -> None:
    with chat_stream.Client(KEY, base_url=fresh.url, limits=_limits(16)) as client:

        def five_calls(_: int) -> list[str | None]:
            return [client.chat_completions(**CHAT).choices[0].message.content for _ in range(5)]

        with ThreadPoolExecutor(max_workers=200) as pool:
            contents = [content for batch in pool.map(five_calls, range(200)) for content in batch]
    assert len(contents) == 1000 and set(contents) == {EXPECTED}
    stats = fresh.stats()
    assert stats["requests"] == 1000 and 1 <= stats["peak"] <= 16


def test_sequential_streams_and_calls_reuse_one_connection(fresh: RelayServer) -> None:
    with chat_stream.Client(KEY, base_url=fresh.url) as client:
        for _ in range(10):
            with client.chat_completions_stream(**CHAT) as stream:
                chunks = list(stream)
            assert stream.completed and chunks[0].choices[0].finish_reason == "stop"
    assert fresh.stats() == {"connections": 1, "requests": 10, "peak": 1}
    fresh.reset()
    with chat_stream.Client(KEY, base_url=fresh.url) as client:
        for _ in range(10):
            assert client.chat_completions(**CHAT).choices[0].message.content == EXPECTED
    assert fresh.stats() == {"connections": 1, "requests": 10, "peak": 1}


def test_async_streams_reuse_one_connection_even_when_left_at_the_finish_chunk(fresh: RelayServer) -> None:
    """A caller that stops at the finish chunk (before ``[DONE]``) still gives the connection back."""
    assert stream_events()[-1] == b"data: [DONE]\n\n"

    async def main() -> None:
        async with chat_stream.AsyncClient(KEY, base_url=fresh.url) as client:
            for _ in range(10):
                async with client.chat_completions_stream(**CHAT) as stream:
                    async for chunk in stream:
                        if chunk.choices[0].finish_reason:
                            break
                assert stream.completed

    asyncio.run(main())
    assert fresh.stats() == {"connections": 1, "requests": 10, "peak": 1}


def test_a_call_waiting_for_a_connection_fails_at_its_deadline_not_after_retries(fresh: RelayServer) -> None:
    async def main() -> tuple[float, APITimeoutError]:
        client = chat_stream.AsyncClient(KEY, base_url=fresh.url, limits=_limits(1))
        async with client, client.chat_completions_stream(**CHAT):  # the stream holds the only connection
            started = time.monotonic()
            with pytest.raises(APITimeoutError) as caught:
                await client.chat_completions(**CHAT, deadline=1.0)
            return time.monotonic() - started, caught.value

    took, error = asyncio.run(main())
    assert 1.0 <= took < 1.4
    assert str(error).startswith(
        "chat_completions gave up at its deadline (1s) while waiting for a free connection (all 1 in use)"
    )
    assert not error.request_sent and "request was not sent" in str(error)
    assert fresh.stats()["requests"] == 1  # only the stream reached the server


def test_a_pool_timeout_of_a_smaller_pool_is_not_retried(fresh: RelayServer) -> None:
    """A caller's own pool, smaller than the gate: its pool timeout is raised, not retried blindly."""
    small = httpx.Client(limits=_limits(1), timeout=httpx.Timeout(10, pool=0.3))
    client = chat_stream.Client(KEY, base_url=fresh.url, http_client=small, max_retries=5)
    with client, client.chat_completions_stream(**CHAT):
        started = time.monotonic()
        with pytest.raises(APITimeoutError) as caught:
            client.chat_completions(**CHAT)
        took = time.monotonic() - started
        # With a deadline, it is retried while time remains, then stopped by the deadline.
        started = time.monotonic()
        with pytest.raises(APITimeoutError) as within:
            client.chat_completions(**CHAT, deadline=1.0)
        took_within = time.monotonic() - started
    small.close()
    assert 0.3 <= took < 0.8 and caught.value.retry_note == POOL_WAIT_HINT
    assert 0.9 <= took_within < 1.4 and "gave up at its deadline (1s)" in str(within.value)
    assert fresh.stats()["requests"] == 1


def _memory_transport(stream_body: bytes, json_body: bytes) -> httpx.MockTransport:
    """Answers from memory: every other call a 429 (an error reply, first), else the chunk or JSON."""
    count = iter(range(10**9))

    def reply(request: httpx.Request) -> httpx.Response:
        if next(count) % 2 == 0:
            return httpx.Response(429, json={"error": {"message": "slow down"}})
        if json.loads(request.content).get("stream"):
            return httpx.Response(200, content=stream_body, headers={"content-type": "text/event-stream"})
        return httpx.Response(200, content=json_body, headers={"content-type": "application/json"})

    return httpx.MockTransport(reply)


def _memory_bodies() -> tuple[bytes, bytes]:
    stream = b"".join(stream_events())
    reply = json.loads(_RECORDED.with_name("chat_completions_text_to_image.json").read_text("utf-8"))
    return stream, json.dumps(reply["response"]["json"]).encode()


def test_replies_answered_from_memory_give_their_slot_back() -> None:
    """httpx.MockTransport hands back responses already read and closed: no close ever
    reaches the body guard, so the slot must be freed at once, or a client with N
    connections would hang on its N+1st call (a deadline turns that hang into an error)."""
    transport = _memory_transport(*_memory_bodies())
    with chat_stream.Client(KEY, limits=_limits(2), transport=transport, deadline=5, max_retries=0) as client:
        for _ in range(20):
            with pytest.raises(RateLimitError, match="slow down"):
                client.chat_completions(**CHAT)
            assert client.chat_completions(**CHAT).choices[0].message.content == EXPECTED
            with pytest.raises(RateLimitError, match="slow down"):
                client.chat_completions_stream(**CHAT)
            with client.chat_completions_stream(**CHAT) as stream:
                assert stream.collect()[0].choices[0].delta.content == EXPECTED

    async def collect(client: chat_stream.AsyncClient) -> list[Any]:
        async with client.chat_completions_stream(**CHAT) as stream:
            return await stream.collect()

    async def main() -> None:
        async with chat_stream.AsyncClient(
            KEY, limits=_limits(2), transport=transport, deadline=5, max_retries=0
        ) as client:
            for _ in range(20):
                calls = [client.chat_completions(**CHAT) for _ in range(4)] + [collect(client) for _ in range(4)]
                results = await asyncio.gather(*calls, return_exceptions=True)
                failures = [result for result in results if isinstance(result, BaseException)]
                assert len(failures) == 4 and all(isinstance(error, RateLimitError) for error in failures)

    asyncio.run(main())
