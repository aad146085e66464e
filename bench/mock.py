"""Figure 9: a mock relay (``imagerelay mock chat_stream``, uvicorn, one process) under
1,000 concurrent calls.

Each run is a fresh child (``bench/concurrency_child.py``, side ``mock``) that
``asyncio.gather``s 1,000 JSON ``chat_completions`` through one ``chat_stream.AsyncClient``
against the mock: every call is checked, the reply's image must be one the mock serves. The
baseline is the same client and calls against figure 7's hand-written asyncio relay
(``bench/relay_server.py``), which answers a fixed reply without checking anything. Reported,
no target: the mock checks each request with the SDK's rules and builds each reply, in a
process of its own; a ratio near 1 means the client, not the mock, sets the pace.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

from bench.common import Context, Figure, median, run_process
from bench.relay_server import running_relay
from bench.sdk_process import BENCH_KEY, sdk_env

CALLS = 1000
QUICK_CALLS = 100
REPEATS = 3


@contextmanager
def running_mock(ctx: Context) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = sdk_env(ctx)
    process = subprocess.Popen([ctx.python, "-m", "imagerelay", "mock", "chat_stream", "--port", str(port),
                                "--key", BENCH_KEY], env=env, cwd=ctx.work_dir, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the mock relay did not start") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def run(ctx: Context) -> list[Figure]:
    calls = QUICK_CALLS if ctx.quick else CALLS
    repeats = ctx.repeats(REPEATS)
    seconds: dict[str, list[float]] = {"mock": [], "ours": []}
    with running_mock(ctx) as mock_url, running_relay(ctx.python) as relay:
        for _ in range(repeats):
            for side, url in (("mock", mock_url), ("ours", relay.url)):
                cmd = [ctx.python, "-m", "bench.concurrency_child", side, "json", url, str(calls)]
                result = json.loads(run_process(cmd, cwd=ctx.work_dir, env=sdk_env(ctx)).stdout)
                if result["ok"] != calls:
                    raise AssertionError(f"{side}: {calls - result['ok']} of {calls} calls failed: {result['errors']}")
                seconds[side].append(result["seconds"])
    return [Figure(
        key="9",
        title=f"Mock relay under {calls:,} concurrent calls, vs figure 7's fixed-reply relay",
        ours=median(seconds["mock"]),
        baseline=median(seconds["ours"]),
        unit="s",
        ours_label=f"`imagerelay mock chat_stream` (uvicorn, 1 process): {calls:,} concurrent JSON `chat_completions`",
        baseline_label="the same calls against `bench/relay_server.py` (asyncio, a fixed reply, no checks)",
        repeats=repeats,
        notes=(f"Every call succeeded on both sides ({calls:,}/{calls:,}), each checked; runs (s): mock "
               + ", ".join(f"{value:.2f}" for value in seconds["mock"]) + "; fixed-reply relay "
               + ", ".join(f"{value:.2f}" for value in seconds["ours"]) + f". os.cpu_count() = {os.cpu_count()}.",),
    )]
