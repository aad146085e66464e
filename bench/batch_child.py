"""One batch in a fresh interpreter, for figure 8b.

``python -m bench.batch_child {ours|gather} BASE_URL ITEMS CONCURRENCY FOLDER`` writes
ITEMS requests (``{"id", "prompt", "provider": "chat_stream", "aspect_ratio": "1:1"}``),
warms its code up with a one-item batch in a scratch folder, then runs the batch into
FOLDER and prints ``{"seconds": s, "cpu_seconds": s, "done": n, "files": n, "baseline_rss": bytes,
"peak_rss": bytes}``. Each item is a chat completion whose reply names a PNG on the same
local relay (``/self`` in ``bench/relay_server.py``), downloaded and saved.

- ``ours``: ``imagerelay batch``'s runner (``run_batch(read_requests(FILE), FOLDER,
  concurrency=CONCURRENCY)``): plans each item, journals every state change in SQLite,
  saves each image through the client, resumable.
- ``gather``: what one would write by hand: ``asyncio.gather`` over every item with a
  semaphore of CONCURRENCY, one ``httpx.AsyncClient`` (our connection limits): POST the
  same body, ``json()``, GET the image URL, write the file. No journal, no checks.

Both must finish every item (``done`` and ``files`` equal ITEMS) or the figure stops.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from bench.sdk_process import BENCH_KEY, current_rss_bytes, peak_rss_bytes, reset_peak_rss


def write_requests(path: Path, items: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for index in range(items):
            out.write(json.dumps({"id": f"item-{index}", "prompt": f"a red fox, take {index}",
                                  "provider": "chat_stream", "aspect_ratio": "1:1"}) + "\n")


async def ours(requests: Path, folder: Path, concurrency: int) -> int:
    from imagerelay._runtime.batch import read_requests, run_batch

    summary = await run_batch(read_requests(requests), folder, concurrency=concurrency)
    if summary.problems:
        raise AssertionError(f"{len(summary.problems)} items did not finish: {summary.problems[:3]}")
    return summary.counts.get("done", 0)


def _body(prompt: str) -> dict[str, Any]:
    """The body ours sends (``imagerelay generate ... --dry-run`` prints it)."""
    return {"model": "NanoBanana", "messages": [{"role": "user", "content": [{"type": "text", "text": prompt}]}],
            "extra_body": {"google": {"image_config": {"aspect_ratio": "1:1"}}}, "stream": False}


async def gather(requests: Path, folder: Path, concurrency: int) -> int:
    import httpx

    items = [json.loads(line) for line in requests.read_text(encoding="utf-8").splitlines()]
    base = os.environ["CHAT_STREAM_BASE_URL"]
    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=100, keepalive_expiry=5.0)
    gate = asyncio.Semaphore(concurrency)
    done = 0
    async with httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(600.0, connect=10.0),
                                 headers={"Authorization": f"Bearer {BENCH_KEY}"}) as client:

        async def one(item: dict[str, Any]) -> None:
            nonlocal done
            async with gate:
                reply = await client.post(f"{base}/v1/chat/completions", json=_body(item["prompt"]))
                reply.raise_for_status()
                url = reply.json()["choices"][0]["message"]["content"]
                image = await client.get(url)
                image.raise_for_status()
                (folder / f"{item['id']}-1.png").write_bytes(image.content)
                done += 1

        await asyncio.gather(*(one(item) for item in items))
    return done


def main(side: str, base_url: str, items: int, concurrency: int, folder: Path) -> dict[str, Any]:
    os.environ["CHAT_STREAM_BASE_URL"] = f"{base_url}/self"
    os.environ["CHAT_STREAM_API_KEY"] = BENCH_KEY
    run = ours if side == "ours" else gather
    folder.mkdir(parents=True, exist_ok=True)
    warm = folder / "warm-up"  # a one-item batch first: lazy imports, first-call code paths
    (warm / "out").mkdir(parents=True)
    write_requests(warm / "requests.jsonl", 1)
    asyncio.run(run(warm / "requests.jsonl", warm / "out", 1))
    requests, out = folder / "requests.jsonl", folder / "out"
    write_requests(requests, items)
    out.mkdir()
    baseline_rss = current_rss_bytes()
    reset_peak_rss()
    started, cpu = time.perf_counter(), time.process_time()
    done = asyncio.run(run(requests, out, concurrency))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    files = sum(1 for path in out.glob("*.png") if path.stat().st_size > 0)
    if done != items or files != items:
        raise AssertionError(f"{side}: {done} done and {files} files of {items} items")
    return {"seconds": seconds, "cpu_seconds": cpu, "done": done, "files": files, "baseline_rss": baseline_rss,
            "peak_rss": peak_rss_bytes()}


if __name__ == "__main__":
    side_, url_, items_, concurrency_, folder_ = sys.argv[1:6]
    print(json.dumps(main(side_, url_, int(items_), int(concurrency_), Path(folder_))))
