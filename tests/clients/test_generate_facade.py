"""``imagerelay.generate`` across relays (issue 15, items 2-4), against recorded replies.

Candidates that cannot honour a value are skipped with the exact reason and nothing is sent
to them; what is sent carries the ratio and size asked, never another; a failure moves on
only when it provably started no paid work.
"""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path
from typing import Any

import httpx
import imagerelay
import pytest
from imagerelay import api_generate, chat_stream, fal_queue, gemini_12ai, image_tasks
from imagerelay.errors import (
    InternalServerError,
    NoCapableProviderError,
    RateLimitError,
    RelayError,
)
from imagerelay.gemini_12ai import client as gemini_client

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _reply(provider: str, name: str) -> dict[str, Any]:
    recorded: dict[str, Any] = json.loads((FIXTURES / provider / f"{name}.json").read_text("utf-8"))["response"]
    return recorded


class Relay:
    """Answers with ``replies`` in turn (the last one repeats) and keeps every request."""

    def __init__(self, *replies: httpx.Response) -> None:
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]

    def body(self, index: int = -1) -> Any:
        return json.loads(self.requests[index].content)


def _ok(provider: str, name: str) -> httpx.Response:
    reply = _reply(provider, name)
    return httpx.Response(reply["status"], headers={**reply["headers"], "x-request-id": f"req-{provider}"},
                          json=reply["json"])


GEMINI_OK = ("gemini_12ai", "generate_content_text_to_image")
API_OK = ("api_generate", "generate_nano_banana_2")


def _clients(gemini: Relay, api: Relay) -> dict[str, Any]:
    return {
        "gemini_12ai": gemini_12ai.Client(api_key="sk-g", transport=httpx.MockTransport(gemini), max_retries=0),
        "api_generate": api_generate.Client(api_key="sk-a", transport=httpx.MockTransport(api), max_retries=0),
    }


def test_the_request_sent_carries_exactly_the_ratio_and_size_asked() -> None:
    gemini, api = Relay(_ok(*GEMINI_OK)), Relay(_ok(*API_OK))
    result = imagerelay.generate("a red fox", provider=["gemini_12ai", "api_generate"], aspect_ratio="16:9",
                                 size="2K", clients=_clients(gemini, api))
    assert (result.provider, result.model, result.endpoint) == ("gemini_12ai", "gemini-3-pro-image-preview",
                                                                "generate_content")
    body = gemini.body()
    assert body["generationConfig"] == {"responseModalities": ["IMAGE"],
                                        "imageConfig": {"aspectRatio": "16:9", "imageSize": "2K"}}
    assert body["contents"] == [{"role": "user", "parts": [{"text": "a red fox"}]}]
    assert gemini.requests[0].url.path == "/v1beta/models/gemini-3-pro-image-preview:generateContent"
    assert result.request_id == "req-gemini_12ai"
    assert [image.b64_data is not None for image in result.images] == [True]
    assert [(a.provider, a.outcome) for a in result.attempts] == [("gemini_12ai", "succeeded")]
    assert api.requests == []


def test_no_capable_candidate_lists_each_reason_and_sends_nothing() -> None:
    gemini, api = Relay(_ok(*GEMINI_OK)), Relay(_ok(*API_OK))
    with pytest.raises(NoCapableProviderError) as raised:
        imagerelay.generate("a fox", provider=["gemini_12ai", "api_generate", "fal_queue"], size="1536x1024",
                            n=2, clients=_clients(gemini, api))
    text = str(raised.value)
    assert "gemini_12ai: generate_content: pixel size: sizes are the 1K/2K/4K tiers only" in text
    assert "api_generate: generate: n: the doc has no image count" in text
    assert "fal_queue: submit: pixel size: custom sizes are an object {width, height}" in text
    assert [a.outcome for a in raised.value.attempts] == ["skipped"] * 3
    assert gemini.requests == [] and api.requests == []


def test_an_exact_size_goes_only_where_the_pixel_rules_accept_it() -> None:
    gemini, api = Relay(_ok(*GEMINI_OK)), Relay(_ok(*API_OK))
    result = imagerelay.generate("a fox", provider=["gemini_12ai", "api_generate"], size="1536x1024",
                                 clients=_clients(gemini, api))
    assert (result.provider, result.model) == ("api_generate", "gpt-image-2")
    assert api.body()["aspectRatio"] == "1536x1024"
    with pytest.raises(NoCapableProviderError, match="api_generate"):
        # 4000 px is past gpt-image-2's edge limit: refused by the same rule a direct call checks.
        imagerelay.generate("a fox", provider="api_generate", size="4000x1000", clients=_clients(gemini, api))


@pytest.mark.parametrize("refusal", [httpx.Response(401, json={"error": {"message": "bad key"}}),
                                     httpx.Response(429, json={"error": {"message": "slow down"}})],
                         ids=["401", "429"])
def test_a_refusal_before_work_moves_to_the_next_candidate(refusal: httpx.Response) -> None:
    gemini, api = Relay(refusal), Relay(_ok(*API_OK))
    result = imagerelay.generate("a fox", provider=["gemini_12ai", "api_generate"], aspect_ratio="1:1",
                                 clients=_clients(gemini, api))
    assert result.provider == "api_generate"
    assert [(a.provider, a.outcome, a.may_be_billed) for a in result.attempts] == [
        ("gemini_12ai", "failed", False), ("api_generate", "succeeded", False)]
    assert len(gemini.requests) == 1 and len(api.requests) == 1


def test_a_server_error_after_sending_stops_and_reports_every_attempt() -> None:
    gemini, api = Relay(httpx.Response(500, json={"error": {"message": "boom"}})), Relay(_ok(*API_OK))
    with pytest.raises(InternalServerError) as raised:
        imagerelay.generate("a fox", provider=["gemini_12ai", "api_generate"], aspect_ratio="1:1",
                            clients=_clients(gemini, api))
    assert [(a.provider, a.outcome, a.may_be_billed) for a in raised.value.attempts] == [
        ("gemini_12ai", "failed", True)]
    assert api.requests == []  # the paid request may have run: no second one

    gemini, api = Relay(httpx.Response(500, json={"error": {"message": "boom"}})), Relay(_ok(*API_OK))
    result = imagerelay.generate("a fox", provider=["gemini_12ai", "api_generate"], aspect_ratio="1:1",
                                 clients=_clients(gemini, api), fallback_after_billing=True)
    assert result.provider == "api_generate" and len(result.attempts) == 2


def test_the_last_candidate_raises_its_own_error() -> None:
    gemini, api = Relay(httpx.Response(401, json={})), Relay(httpx.Response(429, json={}))
    with pytest.raises(RateLimitError) as raised:
        imagerelay.generate("a fox", provider=["gemini_12ai", "api_generate"], aspect_ratio="1:1",
                            clients=_clients(gemini, api))
    assert [(a.provider, a.outcome) for a in raised.value.attempts] == [("gemini_12ai", "failed"),
                                                                        ("api_generate", "failed")]
    assert "HTTP 401" in raised.value.attempts[0].reason


def test_a_tier_in_the_model_id_picks_the_model() -> None:
    completion = {"choices": [{"index": 0, "message": {"role": "assistant", "content": "https://cdn.test/o.png"},
                               "finish_reason": "stop"}]}
    relay = Relay(httpx.Response(200, json=completion))
    client = chat_stream.Client(api_key="sk-c", transport=httpx.MockTransport(relay))
    result = imagerelay.generate("a fox", provider="chat_stream", size="2K", aspect_ratio="3:2",
                                 clients={"chat_stream": client})
    assert result.model == "NanoBananaPro-2K"
    body = relay.body()
    assert body["model"] == "NanoBananaPro-2K"
    assert body["extra_body"] == {"google": {"image_config": {"aspect_ratio": "3:2"}}}
    assert [image.url for image in result.images] == ["https://cdn.test/o.png"]


def test_agenerate_uses_async_clients() -> None:
    gemini = Relay(_ok(*GEMINI_OK))

    async def main() -> imagerelay.GenerateResult:
        async with gemini_12ai.AsyncClient(api_key="sk-g", transport=httpx.MockTransport(gemini)) as client:
            return await imagerelay.agenerate("a fox", provider="gemini_12ai", aspect_ratio="4:3",
                                              clients={"gemini_12ai": client})

    result = asyncio.run(main())
    assert result.provider == "gemini_12ai" and result.model == "gemini-2.5-flash-image"
    assert gemini.body()["generationConfig"]["imageConfig"] == {"aspectRatio": "4:3"}


def test_progress_follows_a_polled_task_through_its_statuses() -> None:
    statuses = iter(["IN_QUEUE", "IN_PROGRESS", "COMPLETED"])

    def queue(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(200, json={"request_id": "r1", "status": "IN_QUEUE"})
        if request.url.path.endswith("/status"):
            return httpx.Response(200, json={"status": next(statuses)})
        return httpx.Response(200, json={"images": [{"url": "https://cdn.test/r1.png"}]})

    seen: list[tuple[str, float | None]] = []
    client = fal_queue.Client(api_key="k", transport=httpx.MockTransport(queue))
    client._sleep = lambda seconds: None  # type: ignore[method-assign]  # no real waiting between polls
    result = imagerelay.generate("a fox", provider="fal_queue", clients={"fal_queue": client},
                                 on_progress=lambda message, fraction: seen.append((message, fraction)))
    assert [image.url for image in result.images] == ["https://cdn.test/r1.png"]
    messages = [message for message, _ in seen]
    assert messages[0] == "fal_queue (fal-ai/flux/dev): sending to submit"
    assert messages[1:] == [f"fal_queue (fal-ai/flux/dev): {s}" for s in ("IN_QUEUE", "IN_PROGRESS", "COMPLETED")]


PNG_A = b"\x89PNG\r\n\x1a\n" + b"A" * 40
PNG_B = b"\x89PNG\r\n\x1a\n" + b"B" * 40


def test_a_repeated_request_shape_places_each_calls_own_prompt_and_images() -> None:
    # The second call reuses the planned route (same shape): its values must still be its own.
    gemini = Relay(_ok(*GEMINI_OK))
    clients = _clients(gemini, Relay(_ok(*API_OK)))
    for prompt, image in (("a fox", PNG_A), ("a heron", PNG_B), ("a fox", PNG_A)):
        imagerelay.generate(prompt, provider="gemini_12ai", images=[image], aspect_ratio="1:1", clients=clients)
    sent = [gemini.body(index)["contents"][0]["parts"] for index in range(3)]
    assert [parts[0] for parts in sent] == [{"text": "a fox"}, {"text": "a heron"}, {"text": "a fox"}]
    assert [base64.b64decode(parts[1]["inline_data"]["data"]) for parts in sent] == [PNG_A, PNG_B, PNG_A]


def test_content_a_client_refuses_skips_that_candidate_even_for_a_known_shape() -> None:
    completion = {"choices": [{"index": 0, "message": {"role": "assistant", "content": "https://cdn.test/o.png"},
                               "finish_reason": "stop"}]}
    chat, tasks = Relay(httpx.Response(200, json=completion)), Relay(httpx.Response(500, json={}))
    clients = {"chat_stream": chat_stream.Client(api_key="sk-c", transport=httpx.MockTransport(chat)),
               "image_tasks": image_tasks.Client(api_key="sk-t", transport=httpx.MockTransport(tasks))}
    providers = ["chat_stream", "image_tasks"]
    first = imagerelay.generate("a fox", provider=providers, images=["https://cdn.test/in.png"], aspect_ratio="1:1",
                                clients=clients)
    assert first.provider == "chat_stream"
    # Same shape (one text image), content both clients refuse: each is skipped, nothing is sent.
    with pytest.raises(NoCapableProviderError) as raised:
        imagerelay.generate("a fox", provider=providers, images=["not a url"], aspect_ratio="1:1", clients=clients)
    assert [(a.provider, a.outcome) for a in raised.value.attempts] == [("chat_stream", "skipped"),
                                                                        ("image_tasks", "skipped")]
    assert "image_tasks (NanoBanana): images: 'not a url' is not an http(s) URL" in str(raised.value)
    assert len(chat.requests) == 1 and tasks.requests == []


@pytest.mark.parametrize(("message", "moves_on"), [("no channel available now", True), ("upstream timeout", False)])
def test_a_5xx_the_spec_marks_as_before_work_moves_on(monkeypatch: pytest.MonkeyPatch, message: str,
                                                     moves_on: bool) -> None:
    # errors.before_work: [{status: 503, message: "no channel", reason: ...}] in gemini_12ai's spec.
    marked = gemini_client.PROVIDER._replace(before_work=((503, "no channel"),))
    monkeypatch.setattr(gemini_client, "PROVIDER", marked)
    gemini = Relay(httpx.Response(503, json={"error": {"message": message}}))
    api = Relay(_ok(*API_OK))
    if moves_on:
        result = imagerelay.generate("a fox", provider=["gemini_12ai", "api_generate"], aspect_ratio="1:1",
                                     clients=_clients(gemini, api))
        assert [(a.provider, a.outcome, a.may_be_billed) for a in result.attempts] == [
            ("gemini_12ai", "failed", False), ("api_generate", "succeeded", False)]
    else:
        with pytest.raises(RelayError) as raised:
            imagerelay.generate("a fox", provider=["gemini_12ai", "api_generate"], aspect_ratio="1:1",
                                clients=_clients(gemini, api))
        assert raised.value.status == 503
        assert [(a.provider, a.may_be_billed) for a in raised.value.attempts] == [("gemini_12ai", True)]
        assert api.requests == []


def test_a_required_wire_object_is_named_with_the_values_that_fill_it() -> None:
    # chat_stream's doc marks extra_body.google.image_config.aspect_ratio required: no ratio, no call.
    with pytest.raises(NoCapableProviderError) as raised:
        imagerelay.generate("a fox", provider="chat_stream", clients={})
    needs = "needs extra_body, which generate fills from aspect_ratio= or output_format="
    line = (f"chat_stream: chat_completions with NanoBanana (and 7 more models): {needs}; "
            f"chat_completions_stream with NanoBanana (and 7 more models): {needs}")
    assert raised.value.problems == [line]
