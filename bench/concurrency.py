"""Figure 7: 1,000 concurrent calls through one async client against a local relay.

A fast keep-alive HTTP/1.1 relay (``bench/relay_server.py``, its own process) answers
chat_stream's recorded chat completion, as JSON or as an event stream ending in
``[DONE]``, and counts the TCP connections its clients open. Each run is a fresh child
(``bench/concurrency_child.py``) that warms its code up with one call on a throwaway
client, then ``asyncio.gather``s 1,000 calls through a new async client (an empty pool
meeting a burst, as in the issue's report) and reports wall time, successes and its peak
RSS above its resident set before the batch. The three sides run alternately (ours, raw
httpx, openai, ours, ...) and the medians are quoted:

- ours: ``imagerelay.chat_stream.AsyncClient`` with its defaults;
- raw httpx: ``httpx.AsyncClient`` with the same limits and timeouts as ours;
- openai 3.57.0 ``AsyncOpenAI`` with its defaults (the same 1000/100 connection limits).

The figures are wall times of the batch (lower is better; throughput is calls over it):
7a/7c vs openai, target ≤ 1× (throughput at least openai's), 7b/7d vs raw httpx, target
≤ 1.11× (throughput at least 0.9× raw httpx's); 7e is our peak RSS vs openai's, reported.
Every one of our calls must succeed (a failure stops the figure); the baselines'
successes, everyone's connections and peak RSS are in the notes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.common import Context, Figure, median, run_process
from bench.relay_server import RelayServer, running_relay
from bench.sdk_process import sdk_env

CALLS = 1000
QUICK_CALLS = 100
REPEATS = 5
SIDES = ("ours", "raw", "openai")
KINDS = ("json", "sse")
MB = 1e6
_LABEL = {"ours": "ours", "raw": "raw httpx", "openai": "openai"}
_WHAT = {"json": "JSON `chat_completions`", "sse": "SSE `chat_completions_stream`"}


@dataclass
class Side:
    """The runs of one side on one kind of call."""

    seconds: list[float] = field(default_factory=list)
    ok: list[int] = field(default_factory=list)
    connections: list[int] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)


def run(ctx: Context) -> list[Figure]:
    calls = QUICK_CALLS if ctx.quick else CALLS
    repeats = ctx.repeats(REPEATS)
    results: dict[str, dict[str, Side]] = {kind: {side: Side() for side in SIDES} for kind in KINDS}
    with running_relay(ctx.python) as relay:
        for _ in range(repeats):
            for kind in KINDS:
                for side in SIDES:
                    _once(ctx, relay, side, kind, calls, results[kind][side])
    for kind in KINDS:
        ours = results[kind]["ours"]
        if min(ours.ok) != calls:
            raise AssertionError(f"{kind}: {calls - min(ours.ok)} of our {calls} calls failed: {ours.errors}")
    figures: list[Figure] = []
    keys = iter("abcd")
    for kind in KINDS:
        for baseline, target in (("openai", 1.0), ("raw", 1.11)):
            figures.append(_time_figure(f"7{next(keys)}", kind, baseline, target, results[kind], calls, repeats))
    figures.append(_rss_figure(results["json"], calls, repeats))
    return figures


def _once(ctx: Context, relay: RelayServer, side: str, kind: str, calls: int, into: Side) -> None:
    relay.reset()
    cmd = [ctx.python, "-m", "bench.concurrency_child", side, kind, relay.url, str(calls)]
    result = json.loads(run_process(cmd, cwd=ctx.work_dir, env=sdk_env(ctx)).stdout)
    into.seconds.append(result["seconds"])
    into.ok.append(result["ok"])
    into.connections.append(relay.stats()["connections"])
    into.peak_mb.append((result["peak_rss"] - result["baseline_rss"]) / MB)
    for error, count in result["errors"].items():
        into.errors[error] = into.errors.get(error, 0) + count


def _summary(name: str, side: Side, calls: int) -> str:
    seconds = median(side.seconds)
    failed = f", errors {side.errors}" if side.errors else ""
    return (f"{_LABEL[name]}: {min(side.ok)}/{calls} succeeded (worst run), {calls / seconds:,.0f} calls/s, "
            f"{median(side.connections):,.0f} TCP connections, peak RSS +{median(side.peak_mb):.1f} MB{failed}")


def _time_figure(key: str, kind: str, baseline: str, target: float, sides: dict[str, Side], calls: int,
                 repeats: int) -> Figure:
    ours, base = sides["ours"], sides[baseline]
    runs: Callable[[Side], str] = lambda side: ", ".join(f"{s:.2f}" for s in side.seconds)
    return Figure(
        key=key,
        title=f"{calls:,} concurrent {kind.upper()} calls, one async client, vs {_LABEL[baseline]}",
        ours=median(ours.seconds),
        baseline=median(base.seconds),
        unit="s",
        ours_label=f"`asyncio.gather` of {calls:,} {_WHAT[kind]} through one `chat_stream.AsyncClient` (defaults)",
        baseline_label=("the same through openai 3.57.0 `AsyncOpenAI` (defaults)" if baseline == "openai" else
                        "the same through `httpx.AsyncClient` with our limits and timeouts"),
        max_ratio=target,
        repeats=repeats,
        notes=(
            (
                "Wall time of the batch through a new client (code warmed up by a throwaway one), local "
                "keep-alive relay in its own process; "
                f"ratio ≤ {target:g}× means throughput ≥ {1 / target:.2g}× the baseline's."
            ),
            *(_summary(name, side, calls) for name, side in sides.items()),
            f"runs (s): ours {runs(ours)}; {_LABEL[baseline]} {runs(base)}",
        ),
    )


def _rss_figure(sides: dict[str, Side], calls: int, repeats: int) -> Figure:
    return Figure(
        key="7e",
        title=f"{calls:,} concurrent JSON calls: peak RSS above the pre-batch resident set, vs openai",
        ours=median(sides["ours"].peak_mb),
        baseline=median(sides["openai"].peak_mb),
        unit="MB",
        ours_label="peak RSS of the child during the 7a batch, above its RSS after warm-up and client creation",
        baseline_label="the same for openai `AsyncOpenAI`",
        repeats=repeats,
        notes=(f"raw httpx: +{median(sides['raw'].peak_mb):.1f} MB.",),
    )
