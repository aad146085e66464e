"""Figure 8a: what ``imagerelay.generate`` adds to the direct client call it makes.

Ours: ``imagerelay.generate`` (planning the candidate, placing the canonical request,
calling, collecting the result and its attempts); baseline: the same
``api_generate`` call made directly. Same client, same in-memory transport and recorded
reply, process CPU time per call (``bench/facade_calls.py``). Target ≤ 1.05×.

Figure 8b: a 1,000-item batch at concurrency 64 through ``imagerelay batch``'s runner
(journal, plan, call, download, save) against a hand-written ``asyncio.gather`` over raw
httpx doing the same requests and writes, each in a fresh child (``bench/batch_child.py``)
against the local relay of figure 7 (its ``/self`` replies name a PNG it serves), sides
alternating; target ≤ 1.1×. Figure 8c: "flat memory": the peak RSS of our batch child at
4× the items over the same at 1,000 items; target ≤ 1.05×.
"""

from __future__ import annotations

import json

from bench.common import Context, Figure, median, run_process
from bench.relay_server import RelayServer, running_relay
from bench.sdk_process import sdk_env

CALLS_PER_BATCH = 50
QUICK_CALLS = 20
REPEATS = 40
BATCH_ITEMS = 1000
QUICK_BATCH_ITEMS = 100
BATCH_CONCURRENCY = 64
BATCH_REPEATS = 3
LONG_BATCH = 4  # figure 8c: this many times the items
MB = 1e6


def run(ctx: Context) -> list[Figure]:
    return _overhead_figures(ctx) + _batch_figures(ctx)


def _overhead_figures(ctx: Context) -> list[Figure]:
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


def _batch_figures(ctx: Context) -> list[Figure]:
    items = QUICK_BATCH_ITEMS if ctx.quick else BATCH_ITEMS
    repeats = ctx.repeats(BATCH_REPEATS)
    runs: dict[str, list[dict[str, float]]] = {"ours": [], "gather": []}
    with running_relay(ctx.python) as relay:
        for attempt in range(repeats):
            for side, found in runs.items():
                found.append(_batch(ctx, relay, side, items, f"{side}-{attempt}"))
        long = _batch(ctx, relay, "ours", items * LONG_BATCH, "ours-long")
    ours = runs["ours"]
    seconds = {side: [run["seconds"] for run in found] for side, found in runs.items()}
    peak = median([run["peak_rss"] for run in ours]) / MB
    grown = {side: median([run["peak_rss"] - run["baseline_rss"] for run in found]) / MB
             for side, found in runs.items()}
    return [
        Figure(
            key="8b",
            title=f"A {items:,}-item batch at concurrency {BATCH_CONCURRENCY}, vs asyncio.gather over raw httpx",
            ours=median(seconds["ours"]),
            baseline=median(seconds["gather"]),
            unit="s",
            ours_label=(f"`run_batch` (what `imagerelay batch FILE -o DIR --concurrency {BATCH_CONCURRENCY}` runs): "
                        "journal, plan, chat completion, download, save, per item"),
            baseline_label=(f"`asyncio.gather` over the items with a semaphore of {BATCH_CONCURRENCY}, one "
                            "`httpx.AsyncClient`: POST the same body, GET the image, write the file"),
            max_ratio=1.1,
            repeats=repeats,
            notes=(
                ("Wall time of the batch in a fresh child after a one-item warm-up batch; local keep-alive relay "
                 "in its own process; every item of both sides finished, with one image file each."),
                "runs (s): ours " + ", ".join(f"{value:.2f}" for value in seconds["ours"])
                + "; gather " + ", ".join(f"{value:.2f}" for value in seconds["gather"]),
                (f"peak RSS above the pre-batch resident set: ours +{grown['ours']:.1f} MB, gather "
                 f"+{grown['gather']:.1f} MB (a coroutine per item, all created at once)."),
            ),
        ),
        Figure(
            key="8c",
            title=f"Flat memory: peak RSS of a {items * LONG_BATCH:,}-item batch vs a {items:,}-item one",
            ours=long["peak_rss"] / MB,
            baseline=peak,
            unit="MB",
            ours_label=f"peak RSS of our batch child, {items * LONG_BATCH:,} items",
            baseline_label=f"the same, {items:,} items (median of the 8b runs)",
            max_ratio=1.05,
            notes=((f"Above the pre-batch resident set: +{(long['peak_rss'] - long['baseline_rss']) / MB:.1f} MB "
                    f"for {items * LONG_BATCH:,} items, +{grown['ours']:.1f} MB for {items:,}: a fixed set of "
                    "workers reads the batch file item by item."),),
        ),
    ]


def _batch(ctx: Context, relay: RelayServer, side: str, items: int, name: str) -> dict[str, float]:
    cmd = [ctx.python, "-m", "bench.batch_child", side, relay.url, str(items), str(BATCH_CONCURRENCY),
           str(ctx.work_dir / "batch" / name)]
    result: dict[str, float] = json.loads(run_process(cmd, cwd=ctx.work_dir, env=sdk_env(ctx)).stdout)
    return result
