"""Figure 8a: what ``imagerelay.generate`` adds to the direct client call it makes.

Ours: ``imagerelay.generate`` (planning the candidate, placing the canonical request,
calling, collecting the result and its attempts); baseline: the same
``api_generate`` call made directly. Same client, same in-memory transport and recorded
reply, process CPU time per call (``bench/facade_calls.py``). Target ≤ 1.05×.

Figure 8b of issue 15 (a 1,000-item batch at concurrency 64 against a hand-written
``asyncio.gather`` over raw httpx) is not measured yet.
"""

from __future__ import annotations

import json

from bench.common import Context, Figure, median, run_process
from bench.sdk_process import sdk_env

CALLS_PER_BATCH = 50
QUICK_CALLS = 20
REPEATS = 40


def run(ctx: Context) -> list[Figure]:
    calls = QUICK_CALLS if ctx.quick else CALLS_PER_BATCH
    repeats = ctx.repeats(REPEATS)
    figures = []
    for key, asynchronous in (("8a", False), ("8a_async", True)):
        cmd = [ctx.python, "-m", "bench.facade_calls", "async" if asynchronous else "sync", str(calls), str(repeats)]
        values = json.loads(run_process(cmd, cwd=ctx.work_dir, env=sdk_env(ctx)).stdout)
        mode = "async" if asynchronous else "sync"
        figures.append(Figure(
            key=key,
            title=f"Facade overhead per call, {mode}: imagerelay.{'agenerate' if asynchronous else 'generate'} "
                  "vs the direct client",
            ours=median(values["ours"]),
            baseline=median(values["baseline"]),
            unit="µs/call",
            ours_label="`imagerelay.generate(prompt, provider='api_generate', model=..., aspect_ratio=..., size=...)`",
            baseline_label="`api_generate.Client.generate(...)` with the same values, on the same client",
            max_ratio=1.05,
            repeats=repeats,
            notes=((f"Median of {repeats} alternating batches of {calls} calls each (process CPU time), after a "
                    "warm-up batch; in-memory transport replying with the recorded fixture body; both sides are "
                    "checked to send the same request."),),
        ))
    return figures
