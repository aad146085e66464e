"""Both sides of figure 8a, timed in a child interpreter.

``python -m bench.facade_calls {sync|async} BATCH REPEATS`` prints ``{"ours": [...],
"baseline": [...]}``: CPU µs per call of each BATCH-call batch (see overhead_calls.py for
why CPU time and alternating batches). Ours is ``imagerelay.generate`` choosing
api_generate and its model, the baseline the direct ``api_generate`` client call it
makes; both on one client with an in-memory transport replying with the recorded body.
Before timing, both sides are checked to send the same request and find the same image.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from typing import Any, Final

import httpx
import imagerelay
from imagerelay import api_generate

from bench.common import ROOT, alternate
from bench.overhead_calls import BASE_URL, Seen, _async_batch, _httpx_reply, _sync_batch
from bench.sdk_process import BENCH_KEY, fixture

_MODEL: Final = "nano-banana-2"
_RATIO: Final = "1:1"
_TIER: Final = "1K"


def measure(asynchronous: bool, calls: int, repeats: int) -> dict[str, list[float]]:
    recorded = fixture(ROOT, "api_generate", "generate_nano_banana_2")
    body = json.dumps(recorded["response"]["json"]).encode()
    prompt = recorded["call"]["kwargs"]["prompt"]
    expected = recorded["response"]["json"]["results"][0]["url"]
    seen = Seen()
    transport = httpx.MockTransport(_httpx_reply(body, seen))
    loop = asyncio.new_event_loop()
    try:
        if asynchronous:
            aclient = api_generate.AsyncClient(BENCH_KEY, base_url=BASE_URL, transport=transport)
            clients = {"api_generate": aclient}

            async def ours() -> Any:
                return (await imagerelay.agenerate(prompt, provider="api_generate", model=_MODEL,
                                                   aspect_ratio=_RATIO, size=_TIER, clients=clients)).images

            async def direct() -> Any:
                return (await aclient.generate(model=_MODEL, prompt=prompt, aspect_ratio=_RATIO,
                                               image_size=_TIER)).images()

            run_once: Callable[[Any], Any] = loop.run_until_complete
        else:
            client = api_generate.Client(BENCH_KEY, base_url=BASE_URL, transport=transport)
            sync_clients = {"api_generate": client}

            def ours() -> Any:  # type: ignore[misc]
                return imagerelay.generate(prompt, provider="api_generate", model=_MODEL, aspect_ratio=_RATIO,
                                           size=_TIER, clients=sync_clients).images

            def direct() -> Any:  # type: ignore[misc]
                return client.generate(model=_MODEL, prompt=prompt, aspect_ratio=_RATIO, image_size=_TIER).images()

            run_once = lambda value: value
        sent = []
        for side in (ours, direct):
            images = run_once(side())
            if [image.url for image in images] != [expected]:
                raise AssertionError(f"unexpected images: {images!r}"[:300])
            sent.append(seen.summary())
        if sent[0] != sent[1]:
            raise AssertionError(f"the sides sent different requests: {sent[0]} vs {sent[1]}")

        def timed(call: Callable[[], Any]) -> Callable[[], float]:
            if asynchronous:
                return lambda: loop.run_until_complete(_async_batch(call, calls))
            return lambda: _sync_batch(call, calls)

        ours_us, base_us = alternate(timed(ours), timed(direct), repeats, warmup=1 if repeats > 1 else 0)
    finally:
        loop.close()
    return {"ours": ours_us, "baseline": base_us}


if __name__ == "__main__":
    mode, batch, repetitions = sys.argv[1:4]
    print(json.dumps(measure(mode == "async", int(batch), int(repetitions))))
