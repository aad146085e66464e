"""Refusal markers and ``requires_image``: 200 replies that are still failures."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from imagerelay._runtime.client import BaseClient
from imagerelay._runtime.descriptors import (
    Endpoint,
    Envelope,
    ImagePaths,
    InlineImagePath,
    RefusalMarker,
    TaskStatusSpec,
)
from imagerelay._runtime.errors import ContentPolicyError, NoImageError, StreamIncompleteError
from imagerelay._runtime.model import RelayResponse, find_refusal
from pydantic import Field
from rt_helpers import (
    GEMINI,
    KEY,
    GeminiBody,
    GenerateBody,
    Recorder,
    make_async_client,
    make_client,
    provider,
    sse,
)

PNG_B64 = "iVBORw0KGgo="  # the PNG signature, base64


class GeminiLike(RelayResponse):
    __relay_images__ = ImagePaths(
        inline=(InlineImagePath("candidates[].content.parts[].inlineData", "data", "mimeType"),)
    )
    __relay_refusals__ = (
        RefusalMarker("promptFeedback.blockReason"),
        RefusalMarker(
            "candidates[].finishReason", ("IMAGE_SAFETY", "SAFETY", "PROHIBITED_CONTENT")
        ),
    )
    candidates: list[dict[str, Any]] = Field(default_factory=list)


class StrictGemini(GeminiLike):
    """Like GeminiLike but with a field a refusal reply lacks."""

    modelVersion: str


class TaskLike(RelayResponse):
    __relay_images__ = ImagePaths(urls=("results[].url",))
    __relay_task__ = TaskStatusSpec(
        status_field="status",
        progress_field=None,
        known=frozenset({"running", "succeeded", "failed"}),
        success=frozenset({"succeeded"}),
        failure=frozenset({"failed"}),
        violation=frozenset(),
    )
    id: str
    status: str


class ChatLike(RelayResponse):
    __relay_images__ = ImagePaths(urls=("choices[].delta.content",))
    __relay_refusals__ = (RefusalMarker("choices[].finish_reason", ("content_filter",)),)
    choices: list[dict[str, Any]] = Field(default_factory=list)


GEMINI_NEEDS_IMAGE = GEMINI._replace(requires_image=True)
TASK_NEEDS_IMAGE = Endpoint(
    name="generate", method="POST", path="/v1/generate", requires_image=True
)
CHAT_NEEDS_IMAGE = Endpoint(
    name="chat",
    method="POST",
    path="/v1/chat/completions",
    response="sse",
    stream_done="[DONE]",
    requires_image=True,
)
BODY = GeminiBody(model="gemini-x", contents=[{"parts": [{"text": "a cat"}]}])


class QueryClient(BaseClient):
    _provider = provider("query", "key")


def image_reply() -> dict[str, Any]:
    part = {"inlineData": {"mimeType": "image/png", "data": PNG_B64}}
    return {"candidates": [{"content": {"parts": [part]}, "finishReason": "STOP"}]}


def safety_reply() -> dict[str, Any]:
    return {"candidates": [{"finishReason": "IMAGE_SAFETY", "finishMessage": "blocked"}]}


# --- find_refusal / RelayResponse.refusal -----------------------------------


def test_refusal_names_first_marker_path_and_value() -> None:
    reply = GeminiLike.model_validate(safety_reply())
    assert reply.refusal() == "candidates[].finishReason=IMAGE_SAFETY"
    blocked = GeminiLike.model_validate({"promptFeedback": {"blockReason": "OTHER"}})
    assert blocked.refusal() == "promptFeedback.blockReason=OTHER"


def test_refusal_markers_are_tried_in_order() -> None:
    both = {**safety_reply(), "promptFeedback": {"blockReason": "SAFETY"}}
    assert GeminiLike.model_validate(both).refusal() == "promptFeedback.blockReason=SAFETY"


def test_listed_values_only_and_case_insensitive() -> None:
    markers = GeminiLike.__relay_refusals__
    assert find_refusal({"candidates": [{"finishReason": "STOP"}]}, markers) is None
    assert find_refusal({"candidates": [{"finishReason": "MAX_TOKENS"}]}, markers) is None
    found = find_refusal(
        {"candidates": [{"finishReason": "STOP"}, {"finishReason": "safety"}]}, markers
    )
    assert found == "candidates[].finishReason=safety"


def test_any_value_marker_ignores_empty_values() -> None:
    markers = (RefusalMarker("promptFeedback.blockReason"),)
    for empty in ("", "  ", None, [], {}, False):
        assert find_refusal({"promptFeedback": {"blockReason": empty}}, markers) is None
    assert find_refusal({}, markers) is None and find_refusal(None, markers) is None
    found = find_refusal({"promptFeedback": {"blockReason": {"code": 3}}}, markers)
    assert found == 'promptFeedback.blockReason={"code": 3}'


def test_no_markers_means_no_refusal() -> None:
    assert TaskLike.model_validate({"id": "t", "status": "running"}).refusal() is None


# --- JSON replies -------------------------------------------------------------


def test_json_refusal_raises_content_policy_error_with_exchange_facts() -> None:
    rec = Recorder(httpx.Response(200, json=safety_reply(), headers={"x-trace": "tr-9"}))
    client = make_client(rec, cls=QueryClient)
    with pytest.raises(ContentPolicyError) as caught:
        client._request(GEMINI, BODY, GeminiLike)
    error = caught.value
    assert (error.method, error.status, error.request_id) == ("POST", 200, "tr-9")
    assert error.url == "https://relay.test/v1beta/models/gemini-x:generateContent?key=***"
    assert error.provider_message == "candidates[].finishReason=IMAGE_SAFETY"
    assert error.task_status is None
    assert str(error) == (
        "generate_content: the provider refused the request on content policy "
        "[POST https://relay.test/v1beta/models/gemini-x:generateContent?key=***; HTTP 200; "
        "provider says: 'candidates[].finishReason=IMAGE_SAFETY'; request id tr-9]"
    )
    assert KEY not in repr(error)
    assert rec.count == 1  # a refusal is final: never re-sent


def test_refusal_wins_over_a_shape_mismatch() -> None:
    rec = Recorder(
        httpx.Response(200, json={"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"}})
    )
    with pytest.raises(
        ContentPolicyError, match="provider says: 'promptFeedback.blockReason=PROHIBITED"
    ):
        make_client(rec)._request(GEMINI, BODY, StrictGemini)


def test_refusal_is_read_inside_an_envelope() -> None:
    enveloped = Endpoint(
        name="create",
        method="POST",
        path="/v1/x",
        envelope=Envelope(data="data", code="code", success_codes=("0",)),
    )
    rec = Recorder(httpx.Response(200, json={"code": 0, "data": safety_reply()}))
    with pytest.raises(ContentPolicyError):
        make_client(rec)._request(enveloped, BODY, GeminiLike)


def test_reply_with_image_passes() -> None:
    rec = Recorder(httpx.Response(200, json=image_reply()))
    reply = make_client(rec)._request(GEMINI_NEEDS_IMAGE, BODY, GeminiLike)
    assert [image.mime_type for image in reply.images()] == ["image/png"]


def test_required_image_missing_raises_no_image_error_with_response() -> None:
    text_only = {"candidates": [{"content": {"parts": [{"text": "I can only describe it."}]}}]}
    rec = Recorder(httpx.Response(200, json=text_only))
    with pytest.raises(NoImageError) as caught:
        make_client(rec)._request(GEMINI_NEEDS_IMAGE, BODY, GeminiLike)
    error = caught.value
    assert isinstance(error.response, GeminiLike)
    assert error.response.candidates[0]["content"]["parts"][0]["text"] == "I can only describe it."
    assert str(error) == (
        "generate_content: the reply holds no image "
        "[POST https://relay.test/v1beta/models/gemini-x:generateContent; HTTP 200]"
    )


def test_no_image_is_fine_when_not_required() -> None:
    rec = Recorder(httpx.Response(200, json={"candidates": []}))
    assert make_client(rec)._request(GEMINI, BODY, GeminiLike).images() == []


def test_no_image_error_quotes_a_relay_message() -> None:
    rec = Recorder(
        httpx.Response(200, json={"candidates": [], "message": "upstream returned nothing"})
    )
    with pytest.raises(NoImageError, match="provider says: 'upstream returned nothing'"):
        make_client(rec)._request(GEMINI_NEEDS_IMAGE, BODY, GeminiLike)


@pytest.mark.parametrize("status", ["running", "failed", "someday"])
def test_task_not_yet_succeeded_is_not_a_missing_image(status: str) -> None:
    rec = Recorder(httpx.Response(200, json={"id": "t1", "status": status}))
    task = make_client(rec)._request(
        TASK_NEEDS_IMAGE, GenerateBody(model="m", prompt="p"), TaskLike
    )
    assert task.status == status


def test_succeeded_task_without_image_raises() -> None:
    rec = Recorder(httpx.Response(200, json={"id": "t1", "status": "succeeded", "results": []}))
    with pytest.raises(NoImageError) as caught:
        make_client(rec)._request(TASK_NEEDS_IMAGE, GenerateBody(model="m", prompt="p"), TaskLike)
    assert caught.value.response.status == "succeeded"


def test_async_json_refusal_and_missing_image() -> None:
    async def main(reply: dict[str, Any]) -> None:
        async with make_async_client(Recorder(httpx.Response(200, json=reply))) as client:
            await client._request(GEMINI_NEEDS_IMAGE, BODY, GeminiLike)

    with pytest.raises(ContentPolicyError, match="IMAGE_SAFETY"):
        asyncio.run(main(safety_reply()))
    with pytest.raises(NoImageError):
        asyncio.run(main({"candidates": []}))


# --- streams ------------------------------------------------------------------


def chat(text: str | None = None, finish: str | None = None) -> str:
    choice: dict[str, Any] = {"delta": {"content": text} if text else {}, "finish_reason": finish}
    return "data: " + json.dumps({"choices": [choice]})


def test_refusal_chunk_raises_during_iteration() -> None:
    rec = Recorder(sse(chat("drawing "), chat(finish="content_filter"), "data: [DONE]"))
    stream = make_client(rec)._stream(
        CHAT_NEEDS_IMAGE, GenerateBody(model="m", prompt="p"), ChatLike
    )
    assert next(stream).choices[0]["delta"]["content"] == "drawing "
    with pytest.raises(ContentPolicyError) as caught:
        next(stream)
    assert caught.value.provider_message == "choices[].finish_reason=content_filter"
    assert caught.value.status == 200
    assert stream.response.is_closed


def test_stream_without_image_raises_at_the_end() -> None:
    rec = Recorder(sse(chat("no picture today"), chat(finish="stop"), "data: [DONE]"))
    stream = make_client(rec)._stream(
        CHAT_NEEDS_IMAGE, GenerateBody(model="m", prompt="p"), ChatLike
    )
    chunks = [next(stream), next(stream)]  # every chunk is still delivered
    with pytest.raises(NoImageError) as caught:
        next(stream)
    assert caught.value.response is chunks[-1]
    assert str(caught.value).startswith("chat: the reply holds no image [POST")


def test_stream_image_in_any_chunk_is_enough() -> None:
    rec = Recorder(sse(chat("here: https://cdn.test/a.png"), chat(finish="stop"), "data: [DONE]"))
    stream = make_client(rec)._stream(
        CHAT_NEEDS_IMAGE, GenerateBody(model="m", prompt="p"), ChatLike
    )
    assert len(stream.collect()) == 2
    assert [image.url for image in stream.images()] == ["https://cdn.test/a.png"]


def test_empty_completed_stream_is_no_image() -> None:
    rec = Recorder(sse(": keep-alive", "data: [DONE]"))
    with pytest.raises(NoImageError) as caught:
        make_client(rec)._stream(
            CHAT_NEEDS_IMAGE, GenerateBody(model="m", prompt="p"), ChatLike
        ).collect()
    assert caught.value.response is None


def test_truncated_stream_is_incomplete_not_no_image() -> None:
    rec = Recorder(sse(chat("working")))
    with pytest.raises(StreamIncompleteError):
        make_client(rec)._stream(
            CHAT_NEEDS_IMAGE, GenerateBody(model="m", prompt="p"), ChatLike
        ).collect()


def test_async_stream_refusal_and_missing_image() -> None:
    async def main(*events: str) -> list[ChatLike]:
        client = make_async_client(Recorder(sse(*events)))
        body = GenerateBody(model="m", prompt="p")
        async with client._stream(CHAT_NEEDS_IMAGE, body, ChatLike) as stream:
            return [chunk async for chunk in stream]

    with pytest.raises(ContentPolicyError):
        asyncio.run(main(chat(finish="content_filter"), "data: [DONE]"))
    with pytest.raises(NoImageError):
        asyncio.run(main(chat("text"), "data: [DONE]"))
    assert len(asyncio.run(main(chat("https://cdn.test/b.webp"), "data: [DONE]"))) == 1
