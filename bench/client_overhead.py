"""Figure 4: client overhead per call through an in-memory transport.

4a/4b: ``api_generate`` ``Client.generate`` / ``AsyncClient.generate`` (build and
validate the request model, check its documented rules, send, validate the reply,
find its images) vs raw httpx posting the same JSON with the same auth header and
calling ``response.json()``. Target ≤ 1.3×.

4c/4d: ``chat_stream`` ``chat_completions`` vs the official openai SDK's
``chat.completions.create`` (sync and async), same request body, same recorded
chat.completion reply. Target ≤ 0.5×.

Each pair runs in its own fresh interpreter (``bench/overhead_calls.py``): clients
are created once, both sides are checked to parse the reply and send the same
request, then many short batches of calls alternate between the sides; the figure
is the median CPU µs per call over the batches (see overhead_calls.py for why CPU time).
"""

from __future__ import annotations

import json

from bench.common import Context, Figure, median, run_process
from bench.sdk_process import sdk_env

CALLS_PER_BATCH = 50
QUICK_CALLS = 20
REPEATS = 40  # 40 x 50 = the 2,000 timed calls per side the issue names

# key, baseline, asynchronous, target
FIGURES = (
    ("4a", "httpx", False, 1.3),
    ("4b", "httpx", True, 1.3),
    ("4c", "openai", False, 0.5),
    ("4d", "openai", True, 0.5),
)

_OURS = {
    "httpx": "`imagerelay.api_generate.{client}.generate` (replyType json)",
    "openai": "`imagerelay.chat_stream.{client}.chat_completions`",
}
_BASELINE = {
    "httpx": "raw `httpx.{client}`: `post(url, json=body, headers=auth)`, `raise_for_status()`, `json()`",
    "openai": "openai 3.57.0 `{openai}(...).chat.completions.create` over `httpx2.MockTransport`",
}


def run(ctx: Context) -> list[Figure]:
    calls = QUICK_CALLS if ctx.quick else CALLS_PER_BATCH
    repeats = ctx.repeats(REPEATS)
    return [_figure(ctx, key, against, asynchronous, target, calls, repeats)
            for key, against, asynchronous, target in FIGURES]


def _figure(ctx: Context, key: str, against: str, asynchronous: bool, target: float, calls: int,
            repeats: int) -> Figure:
    cmd = [ctx.python, "-m", "bench.overhead_calls", against, "async" if asynchronous else "sync",
           str(calls), str(repeats)]
    values = json.loads(run_process(cmd, cwd=ctx.work_dir, env=sdk_env(ctx)).stdout)
    mode = "async" if asynchronous else "sync"
    client = "AsyncClient" if asynchronous else "Client"
    return Figure(
        key=key,
        title=f"Client overhead per call, {mode}, vs {'raw httpx' if against == 'httpx' else 'openai SDK'}",
        ours=median(values["ours"]),
        baseline=median(values["baseline"]),
        unit="µs/call",
        ours_label=_OURS[against].format(client=client),
        baseline_label=_BASELINE[against].format(client=client, openai="AsyncOpenAI" if asynchronous else "OpenAI"),
        max_ratio=target,
        repeats=repeats,
        notes=((f"Median of {repeats} alternating batches of {calls} calls each (process CPU time), "
                "after a warm-up batch; in-memory transport replying with the recorded fixture body."),),
    )
