"""Figure 5: import time of the generated package vs ``import openai``.

Each measurement is the wall time of a fresh interpreter running one import
(``python -c "from imagerelay.<provider> import Client"``, what a user writes
before a call), minus a bare ``python -c pass``; all commands run interleaved,
in a rotating order, and medians are quoted. 5a is the chat provider (the
same job as openai's chat completions), 5b the provider with the largest
models module. Whatever the SDK defers at import (pydantic validators, httpx,
streaming and polling code) is paid on the first call instead, so 5c reports
import + client creation + one call for both sides, through an in-memory
transport replying with the same recorded body; it has no target.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from bench.common import Context, Figure, median, run_process
from bench.sdk_process import BENCH_KEY, fixture, sdk_env

TARGET_RATIO = 0.25
BASELINE_IMPORT = "import openai"
# (figure key, provider): the chat provider, and the one with the most models.
PROVIDERS = (("5a", "chat_stream"), ("5b", "gemini_jobs"))
CHAT_FIXTURE = ("chat_stream", "chat_completions_text_to_image")

# One call after a cold import; argv[1] is the reply body. Each asserts the parsed
# content so a side that fails to parse cannot look fast.
_OURS_FIRST_CALL = """\
import sys
from pathlib import Path

import httpx
from imagerelay.chat_stream import Client

BODY = Path(sys.argv[1]).read_bytes()


def reply(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, headers={{"content-type": "application/json"}}, content=BODY)


client = Client({key!r}, base_url="http://relay.test", transport=httpx.MockTransport(reply))
result = client.chat_completions(**{kwargs!r})
assert result.choices[0].message.content == {expected!r}, result
"""

_OPENAI_FIRST_CALL = """\
import sys
from pathlib import Path

import httpx2
import openai

BODY = Path(sys.argv[1]).read_bytes()


def reply(request: httpx2.Request) -> httpx2.Response:
    return httpx2.Response(200, headers={{"content-type": "application/json"}}, content=BODY)


client = openai.OpenAI(
    api_key={key!r},
    base_url="http://relay.test/v1",
    http_client=httpx2.Client(transport=httpx2.MockTransport(reply)),
)
result = client.chat.completions.create(
    model={model!r}, messages={messages!r}, extra_body={{"extra_body": {extra!r}}}, stream=False
)
assert result.choices[0].message.content == {expected!r}, result
"""


def run(ctx: Context) -> list[Figure]:
    repeats = ctx.repeats(21)
    commands = {"bare": [ctx.python, "-c", "pass"], "openai": [ctx.python, "-c", BASELINE_IMPORT]}
    for _, provider in PROVIDERS:
        commands[provider] = [ctx.python, "-c", f"from imagerelay.{provider} import Client"]
    times = _interleaved(ctx, commands, repeats)
    bare = median(times["bare"])
    openai_ms = (median(times["openai"]) - bare) * 1000
    figures = [_import_figure(key, provider, (median(times[provider]) - bare) * 1000, openai_ms, bare, repeats)
               for key, provider in PROVIDERS]
    figures.append(_first_call_figure(ctx, repeats, bare))
    return figures


def _interleaved(ctx: Context, commands: Mapping[str, Sequence[str]], repeats: int) -> dict[str, list[float]]:
    """Wall seconds of each command per repetition, after a warm-up round that fills the
    bytecode caches (skipped in smoke mode)."""
    env = sdk_env(ctx)
    names = list(commands)
    warmup = 0 if ctx.quick else 1
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_index in range(warmup + repeats):
        shift = round_index % len(names)  # rotate, so no command always follows the same one
        for name in names[shift:] + names[:shift]:
            seconds = run_process(commands[name], cwd=ctx.work_dir, env=env).seconds
            if round_index >= warmup:
                times[name].append(seconds)
    return times


def _import_figure(key: str, provider: str, ours_ms: float, openai_ms: float, bare: float, repeats: int) -> Figure:
    return Figure(
        key=key,
        title=f"Import time, `imagerelay.{provider}` vs `openai`",
        ours=ours_ms,
        baseline=openai_ms,
        unit="ms",
        ours_label=f'`python -c "from imagerelay.{provider} import Client"` minus `python -c pass`',
        baseline_label=f'`python -c "{BASELINE_IMPORT}"` (openai 3.57.0) minus `python -c pass`',
        max_ratio=TARGET_RATIO,
        repeats=repeats,
        notes=(f"Bare interpreter start: {bare * 1000:.0f} ms (median, subtracted from both sides).",),
    )


def _first_call_figure(ctx: Context, repeats: int, bare: float) -> Figure:
    scripts = _first_call_scripts(ctx)
    body = ctx.work_dir / "chat_completion.json"
    commands = {name: [ctx.python, str(script), str(body)] for name, script in scripts.items()}
    times = _interleaved(ctx, commands, repeats)
    return Figure(
        key="5c",
        title="Import + first call (what deferred imports and validators cost later)",
        ours=(median(times["ours"]) - bare) * 1000,
        baseline=(median(times["openai"]) - bare) * 1000,
        unit="ms",
        ours_label="fresh interpreter: import `imagerelay.chat_stream`, create `Client` on an "
                   "`httpx.MockTransport`, one `chat_completions` call, minus `python -c pass`",
        baseline_label="the same with `openai.OpenAI(...).chat.completions.create` on an "
                       "`httpx2.MockTransport`, same request and reply body",
        repeats=repeats,
        notes=("No target: reported so that work moved from import time to the first call stays visible.",),
    )


def _first_call_scripts(ctx: Context) -> dict[str, Path]:
    recorded = fixture(ctx.root, *CHAT_FIXTURE)
    kwargs = recorded["call"]["kwargs"]
    reply = recorded["response"]["json"]
    (ctx.work_dir / "chat_completion.json").write_text(json.dumps(reply), "utf-8")
    expected = reply["choices"][0]["message"]["content"]
    sources = {
        "ours": _OURS_FIRST_CALL.format(key=BENCH_KEY, kwargs=kwargs, expected=expected),
        "openai": _OPENAI_FIRST_CALL.format(
            key=BENCH_KEY, model=kwargs["model"], messages=kwargs["messages"], extra=kwargs["relay_extra_body"],
            expected=expected,
        ),
    }
    scripts = {}
    for name, source in sources.items():
        scripts[name] = ctx.work_dir / f"first_call_{name}.py"
        scripts[name].write_text(source, "utf-8")
    return scripts
