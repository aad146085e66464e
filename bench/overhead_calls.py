"""Both sides of one client-overhead figure, timed in a child interpreter.

``python -m bench.overhead_calls {httpx|openai} {sync|async} BATCH REPEATS`` prints
``{"ours": [...], "baseline": [...]}``: CPU µs per call of each BATCH-call batch.

CPU time of this process, not wall time: with an in-memory transport a call is pure
computation, and on a shared virtual machine wall-clock batches varied by ±20% as the
host scheduled other work, enough to move a median of 9 by ±8%. Many short batches,
alternating, put both sides under the same conditions.

Every side talks to an in-memory transport that replies with a recorded fixture
body. Clients are created once, as an application does. Before timing, one call
of each side is checked: the parsed result holds the fixture's values and both
sides sent the same request (method, path, JSON body, auth header), so a side
that skips work cannot look fast.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import httpx2
import openai
from imagerelay import api_generate, chat_stream

from bench.common import ROOT, alternate
from bench.sdk_process import BENCH_KEY, fixture

BASE_URL = "http://relay.test"
_JSON = {"content-type": "application/json"}


@dataclass
class Seen:
    """The last request a transport received (httpx or httpx2: same attributes)."""

    request: Any = None

    def summary(self) -> tuple[str, str, Any, str | None]:
        req = self.request
        return req.method, req.url.path, json.loads(req.content), req.headers.get("authorization")


@dataclass
class Side:
    call: Callable[[], Any]  # a coroutine function on the async sides
    check: Callable[[Any], None]
    seen: Seen = field(default_factory=Seen)


def _httpx_reply(body: bytes, seen: Seen) -> Callable[[httpx.Request], httpx.Response]:
    def reply(request: httpx.Request) -> httpx.Response:
        seen.request = request
        return httpx.Response(200, headers=_JSON, content=body)

    return reply


def _httpx2_reply(body: bytes, seen: Seen) -> Callable[[httpx2.Request], httpx2.Response]:
    def reply(request: httpx2.Request) -> httpx2.Response:
        seen.request = request
        return httpx2.Response(200, headers=_JSON, content=body)

    return reply


def versus_httpx(asynchronous: bool) -> tuple[Side, Side]:
    """api_generate ``generate`` (replyType json) vs the same POST and ``response.json()``."""
    recorded = fixture(ROOT, "api_generate", "generate_nano_banana_2")
    body = json.dumps(recorded["response"]["json"]).encode()
    kwargs, payload = recorded["call"]["kwargs"], recorded["request"]["json"]
    url, auth = BASE_URL + recorded["request"]["path"], {"Authorization": f"Bearer {BENCH_KEY}"}
    expected = recorded["response"]["json"]["results"][0]["url"]
    ours, raw = Side(lambda: None, lambda r: None), Side(lambda: None, lambda r: None)
    ours_transport = httpx.MockTransport(_httpx_reply(body, ours.seen))
    raw_transport = httpx.MockTransport(_httpx_reply(body, raw.seen))
    if asynchronous:
        client = api_generate.AsyncClient(BENCH_KEY, base_url=BASE_URL, transport=ours_transport)
        http = httpx.AsyncClient(transport=raw_transport)

        async def raw_call() -> Any:
            response = await http.post(url, json=payload, headers=auth)
            response.raise_for_status()
            return response.json()

        ours.call, raw.call = lambda: client.generate(**kwargs), raw_call
    else:
        sync_client = api_generate.Client(BENCH_KEY, base_url=BASE_URL, transport=ours_transport)
        sync_http = httpx.Client(transport=raw_transport)

        def sync_raw_call() -> Any:
            response = sync_http.post(url, json=payload, headers=auth)
            response.raise_for_status()
            return response.json()

        ours.call, raw.call = lambda: sync_client.generate(**kwargs), sync_raw_call
    ours.check = lambda result: _expect(result.images()[0].url == expected and result.status == "succeeded", result)
    raw.check = lambda result: _expect(result["results"][0]["url"] == expected, result)
    return ours, raw


def versus_openai(asynchronous: bool) -> tuple[Side, Side]:
    """chat_stream ``chat_completions`` vs openai ``chat.completions.create``, same body both ways."""
    recorded = fixture(ROOT, "chat_stream", "chat_completions_text_to_image")
    reply = recorded["response"]["json"]
    body, kwargs = json.dumps(reply).encode(), recorded["call"]["kwargs"]
    expected = reply["choices"][0]["message"]["content"]
    # openai merges extra_body into the top level; the relay's own field is named extra_body.
    create_kwargs = {"model": kwargs["model"], "messages": kwargs["messages"],
                     "extra_body": {"extra_body": kwargs["relay_extra_body"]}, "stream": False}
    ours, base = Side(lambda: None, lambda r: None), Side(lambda: None, lambda r: None)
    transport = httpx.MockTransport(_httpx_reply(body, ours.seen))
    transport2 = httpx2.MockTransport(_httpx2_reply(body, base.seen))
    if asynchronous:
        client = chat_stream.AsyncClient(BENCH_KEY, base_url=BASE_URL, transport=transport)
        oa = openai.AsyncOpenAI(api_key=BENCH_KEY, base_url=BASE_URL + "/v1",
                                http_client=httpx2.AsyncClient(transport=transport2))
        ours.call = lambda: client.chat_completions(**kwargs)
        base.call = lambda: oa.chat.completions.create(**create_kwargs)
    else:
        sync_client = chat_stream.Client(BENCH_KEY, base_url=BASE_URL, transport=transport)
        sync_oa = openai.OpenAI(api_key=BENCH_KEY, base_url=BASE_URL + "/v1",
                                http_client=httpx2.Client(transport=transport2))
        ours.call = lambda: sync_client.chat_completions(**kwargs)
        base.call = lambda: sync_oa.chat.completions.create(**create_kwargs)
    ours.check = lambda result: _expect(
        result.choices[0].message.content == expected and result.images()[0].url == expected, result)
    base.check = lambda result: _expect(
        type(result).__name__ == "ChatCompletion" and result.choices[0].message.content == expected, result)
    return ours, base


def _expect(ok: bool, result: Any) -> None:
    if not ok:
        raise AssertionError(f"unexpected parse result: {result!r}"[:500])


def _sync_batch(call: Callable[[], Any], calls: int) -> float:
    start = time.process_time()
    for _ in range(calls):
        call()
    return (time.process_time() - start) / calls * 1e6


async def _async_batch(call: Callable[[], Awaitable[Any]], calls: int) -> float:
    start = time.process_time()
    for _ in range(calls):
        await call()
    return (time.process_time() - start) / calls * 1e6


def measure(against: str, asynchronous: bool, calls: int, repeats: int) -> dict[str, list[float]]:
    ours, base = (versus_openai if against == "openai" else versus_httpx)(asynchronous)
    loop = asyncio.new_event_loop()
    try:
        run_once: Callable[[Callable[[], Any]], Any] = loop.run_until_complete if asynchronous else lambda f: f
        for side in (ours, base):
            side.check(run_once(side.call()))
        if ours.seen.summary() != base.seen.summary():
            raise AssertionError(f"the sides sent different requests: {ours.seen.summary()} vs {base.seen.summary()}")

        def timed(side: Side) -> Callable[[], float]:
            if asynchronous:
                return lambda: loop.run_until_complete(_async_batch(side.call, calls))
            return lambda: _sync_batch(side.call, calls)

        ours_us, base_us = alternate(timed(ours), timed(base), repeats, warmup=1 if repeats > 1 else 0)
    finally:
        loop.close()
    return {"ours": ours_us, "baseline": base_us}


if __name__ == "__main__":
    against_name, mode, batch, repetitions = sys.argv[1:5]
    print(json.dumps(measure(against_name, mode == "async", int(batch), int(repetitions))))
