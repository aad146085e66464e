"""One batch of concurrent calls in a fresh interpreter, for figure 7.

``python -m bench.concurrency_child {ours|raw|openai} {json|sse} BASE_URL CALLS`` makes
one warm-up call on a throwaway client (lazy imports, first-call code paths), creates
the async client under test, ``asyncio.gather``s CALLS calls through it and prints
``{"seconds": s, "ok": n, "errors": {...}, "baseline_rss": bytes, "peak_rss": bytes}``.

Each call is checked: a JSON call must parse to the recorded chat completion (its image
URL), a stream must yield the recorded chunk and end cleanly. A failed call counts as an
error, by exception type and first words, and the batch goes on.

- ``ours``: ``imagerelay.chat_stream.AsyncClient`` with its defaults (``chat_completions``
  / ``chat_completions_stream``).
- ``raw``: ``httpx.AsyncClient`` with the same limits and timeouts as ours: ``post`` +
  ``json()``; for streams ``stream()`` + ``aiter_lines()`` read to the end (so its
  connection is reused) with each ``data:`` line parsed.
- ``openai``: openai 3.57.0 ``AsyncOpenAI`` with its defaults, ``chat.completions.create``
  (``stream=True`` for streams, iterated to the end).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from bench.common import ROOT
from bench.sdk_process import BENCH_KEY, current_rss_bytes, fixture, peak_rss_bytes, reset_peak_rss

JSON_CALL = fixture(ROOT, "chat_stream", "chat_completions_text_to_image")
STREAM_CALL = fixture(ROOT, "chat_stream", "chat_completions_stream_text_to_image")
EXPECTED = JSON_CALL["response"]["json"]["choices"][0]["message"]["content"]

Call = Callable[[], Awaitable[None]]


def _check(ok: bool, what: Any) -> None:
    if not ok:
        raise AssertionError(f"unexpected result: {what!r}"[:300])


async def ours(base_url: str, kind: str) -> tuple[Call, Callable[[], Awaitable[None]]]:
    from imagerelay.chat_stream import AsyncClient

    client = AsyncClient(BENCH_KEY, base_url=base_url)
    kwargs = JSON_CALL["call"]["kwargs"]

    async def json_call() -> None:
        reply = await client.chat_completions(**kwargs)
        _check(reply.choices[0].message.content == EXPECTED, reply)

    async def stream_call() -> None:
        async with client.chat_completions_stream(**kwargs) as stream:
            chunks = [chunk async for chunk in stream]
        _check(stream.completed and chunks[0].choices[0].delta.content == EXPECTED, chunks)

    return (json_call if kind == "json" else stream_call), client.aclose


async def raw(base_url: str, kind: str) -> tuple[Call, Callable[[], Awaitable[None]]]:
    import httpx
    from imagerelay._runtime.core import default_timeout
    from imagerelay._runtime.pool import default_limits

    http = httpx.AsyncClient(limits=default_limits(), timeout=default_timeout())
    url, headers = base_url + "/v1/chat/completions", {"Authorization": f"Bearer {BENCH_KEY}"}

    async def json_call() -> None:
        response = await http.post(url, json=JSON_CALL["request"]["json"], headers=headers)
        response.raise_for_status()
        _check(response.json()["choices"][0]["message"]["content"] == EXPECTED, response.text)

    async def stream_call() -> None:
        chunks, done = [], False
        async with http.stream("POST", url, json=STREAM_CALL["request"]["json"], headers=headers) as response:
            response.raise_for_status()
            async for line in response.aiter_lines():
                if line.startswith("data: "):
                    data = line[6:]
                    if data == "[DONE]":
                        done = True
                    else:
                        chunks.append(json.loads(data))
        _check(done and chunks[0]["choices"][0]["delta"]["content"] == EXPECTED, chunks)

    return (json_call if kind == "json" else stream_call), http.aclose


async def openai_sdk(base_url: str, kind: str) -> tuple[Call, Callable[[], Awaitable[None]]]:
    import openai

    client = openai.AsyncOpenAI(api_key=BENCH_KEY, base_url=base_url + "/v1")
    kwargs = JSON_CALL["call"]["kwargs"]
    # openai merges extra_body into the top level; the relay's own field is named extra_body.
    create = {"model": kwargs["model"], "messages": kwargs["messages"], "extra_body": {"extra_body": kwargs["relay_extra_body"]}}

    async def json_call() -> None:
        reply = await client.chat.completions.create(**create)
        _check(reply.choices[0].message.content == EXPECTED, reply)

    async def stream_call() -> None:
        stream = await client.chat.completions.create(**create, stream=True)
        chunks = [chunk async for chunk in stream]
        _check(chunks[0].choices[0].delta.content == EXPECTED, chunks)

    return (json_call if kind == "json" else stream_call), client.close


async def mock(base_url: str, kind: str) -> tuple[Call, Callable[[], Awaitable[None]]]:
    """``ours`` against a mock relay (figure 9): its image is one the mock itself serves."""
    from imagerelay.chat_stream import AsyncClient

    client = AsyncClient(BENCH_KEY, base_url=base_url)
    kwargs = JSON_CALL["call"]["kwargs"]

    async def json_call() -> None:
        reply = await client.chat_completions(**kwargs)
        urls = [image.url or "" for image in reply.images()]
        _check(len(urls) == 1 and urls[0].startswith(f"{base_url}/__mock/images/"), reply)

    return json_call, client.aclose


SIDES = {"ours": ours, "raw": raw, "openai": openai_sdk, "mock": mock}


def _error_key(error: BaseException) -> str:
    return f"{type(error).__name__}: {' '.join(str(error).split()[:8])}"


async def batch(side: str, kind: str, base_url: str, calls: int) -> dict[str, Any]:
    # Warm-up on a client of its own: lazy imports and first-call code paths load untimed,
    # and the measured client meets the batch with an empty pool, as in the report.
    warm_call, warm_close = await SIDES[side](base_url, kind)
    try:
        await warm_call()
    finally:
        await warm_close()
    call, close = await SIDES[side](base_url, kind)
    try:
        baseline = current_rss_bytes()
        reset_peak_rss()
        start = time.perf_counter()
        results = await asyncio.gather(*[call() for _ in range(calls)], return_exceptions=True)
        seconds = time.perf_counter() - start
        peak = peak_rss_bytes()
    finally:
        await close()
    errors = Counter(_error_key(result) for result in results if isinstance(result, BaseException))
    ok = calls - sum(errors.values())
    return {"seconds": seconds, "ok": ok, "errors": dict(errors.most_common(3)), "baseline_rss": baseline, "peak_rss": peak}


if __name__ == "__main__":
    side_name, kind_name, url, count = sys.argv[1:5]
    print(json.dumps(asyncio.run(batch(side_name, kind_name, url, int(count)))))
