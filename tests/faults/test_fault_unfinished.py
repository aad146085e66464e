"""Replies that are not what the call expected, but still valid: an unfinished task
from a blocking call, and a whole JSON body where a stream was asked for (issue 13,
part 5). Nothing paid for may be lost: the first carries the task id to wait with,
the second is the stream's one chunk.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from conftest import Relay
from fault_calls import API_ARGS, API_DONE, API_RUNNING, CHAT_REPLY, _chat_args, sse_events
from fault_server import Events, FaultServer, Reply
from imagerelay import api_generate, chat_stream
from imagerelay._runtime.errors import (
    NoImageError,
    ProviderError,
    ResponseValidationError,
    TaskFailedError,
    TaskPendingError,
)

GENERATE = "/v1/api/generate"
RESULT = "/v1/api/result"


@pytest.mark.parametrize(
    "reply",
    [
        {"id": "1-abc", "status": "queued"},
        API_RUNNING,
        {"id": "1-abc", "status": "rendering-on-gpu-7", "progress": "42%"},
    ],
    ids=["queued", "running", "unknown status"],
)
def test_generate_answered_with_an_unfinished_task_raises_with_the_id_to_wait_for(
    relay: Relay, server: FaultServer, reply: dict[str, Any]
) -> None:
    server.script("POST", GENERATE, Reply(200, reply))
    error = relay.fails_run(TaskPendingError, api_generate, lambda c: c.generate(**API_ARGS))
    assert error.task_id == "1-abc"
    assert error.resume_with == "wait"
    assert error.task_status == reply.get("status")
    assert "client.wait('1-abc')" in str(error)
    assert "POST" in str(error) and "HTTP 200" in str(error)
    assert server.count("POST", GENERATE) == 1  # never re-sent: that would bill twice


def test_the_pending_error_reports_progress(relay: Relay, server: FaultServer) -> None:
    server.script("POST", GENERATE, Reply(200, {"id": "1-abc", "status": "running", "progress": "42%"}))
    error = relay.fails_run(TaskPendingError, api_generate, lambda c: c.generate(**API_ARGS))
    assert error.progress == pytest.approx(0.42)


def test_waiting_with_the_pending_error_gets_the_paid_images(relay: Relay, server: FaultServer) -> None:
    server.script("POST", GENERATE, Reply(200, API_RUNNING))
    server.script("GET", RESULT, Reply(200, API_RUNNING), Reply(200, API_DONE))

    def generate_then_resume(client: Any) -> Any:
        if relay.flavor == "sync":
            try:
                return client.generate(**API_ARGS)
            except TaskPendingError as error:
                return getattr(client, error.resume_with)(error.task_id, poll_interval=0.01, deadline=5)

        async def go() -> Any:
            try:
                return await client.generate(**API_ARGS)
            except TaskPendingError as error:
                return await getattr(client, error.resume_with)(error.task_id, poll_interval=0.01, deadline=5)

        return go()

    outcome = relay.run(api_generate, generate_then_resume)
    assert [image.url for image in outcome.images] == ["https://cdn.test/a.png"]
    assert server.count("POST", GENERATE) == 1 and server.count("GET", RESULT) == 2


def test_a_failed_final_status_is_still_a_failure_not_pending(relay: Relay, server: FaultServer) -> None:
    server.script("POST", GENERATE, Reply(200, {"id": "1-abc", "status": "failed", "error": "boom"}))
    relay.fails_run(TaskFailedError, api_generate, lambda c: c.generate(**API_ARGS))


# --- a stream answered with one JSON body --------------------------------------------------

CHAT_AS_CHUNK = {
    "id": "c1",
    "object": "chat.completion.chunk",
    "choices": [
        {"index": 0, "delta": {"content": "https://cdn.test/c.png"}, "finish_reason": "stop"}
    ],
    "media": {"outputs": ["https://cdn.test/c.png"]},
}


@pytest.mark.parametrize(
    "body",
    [CHAT_AS_CHUNK, {**CHAT_REPLY, "media": {"outputs": ["https://cdn.test/c.png"]}}],
    ids=["the documented chunk", "a chat.completion"],
)
@pytest.mark.parametrize("content_type", ["application/json", "text/plain; charset=utf-8"])
def test_a_stream_answered_with_a_json_body_yields_it_as_the_one_chunk(
    relay: Relay, server: FaultServer, body: dict[str, Any], content_type: str
) -> None:
    server.script("POST", "/v1/chat/completions", Reply(200, body, content_type=content_type))
    outcome = relay.run(chat_stream, lambda c: c.chat_completions_stream(**_chat_args()))
    assert len(outcome.value) == 1
    assert outcome.value[0].id == "c1"
    assert "https://cdn.test/c.png" in [image.url for image in outcome.images]


def test_a_task_stream_answered_with_the_final_task_as_json(relay: Relay, server: FaultServer) -> None:
    server.script("POST", GENERATE, Reply(200, API_DONE))
    outcome = relay.run(api_generate, lambda c: c.generate_stream(**API_ARGS))
    assert [chunk.status for chunk in outcome.value] == ["succeeded"]
    assert [image.url for image in outcome.images] == ["https://cdn.test/a.png"]


def test_a_task_stream_answered_with_an_unfinished_task_as_json(relay: Relay, server: FaultServer) -> None:
    server.script("POST", GENERATE, Reply(200, API_RUNNING))
    error = relay.fails_run(TaskPendingError, api_generate, lambda c: c.generate_stream(**API_ARGS))
    assert error.task_id == "1-abc" and error.resume_with == "wait"


def test_a_json_chunk_without_an_image_is_no_image(relay: Relay, server: FaultServer) -> None:
    refusal = {"id": "c1", "choices": [{"index": 0, "delta": {"content": "I cannot draw that."}, "finish_reason": "stop"}]}
    server.script("POST", "/v1/chat/completions", Reply(200, refusal))
    error = relay.fails_run(NoImageError, chat_stream, lambda c: c.chat_completions_stream(**_chat_args()))
    assert error.response.choices[0].delta.content == "I cannot draw that."


@pytest.mark.parametrize(
    ("body", "error_type", "says"),
    [
        ({"error": {"message": "quota exceeded", "type": "billing"}}, ProviderError, "quota exceeded"),
        ({"message": "quota exceeded"}, ProviderError, "quota exceeded"),
        ("<html>busy</html>", ResponseValidationError, "expected an event stream"),
        ([1, 2, 3], ResponseValidationError, "expected an event stream"),
    ],
    ids=["openai error", "bare message", "html page", "json list"],
)
def test_a_json_body_that_is_not_a_chunk_is_still_an_error(
    relay: Relay, server: FaultServer, body: Any, error_type: type[Exception], says: str
) -> None:
    kind = "text/html" if isinstance(body, str) else "application/json"
    server.script("POST", "/v1/chat/completions", Reply(200, body, content_type=kind))
    error = relay.fails_run(error_type, chat_stream, lambda c: c.chat_completions_stream(**_chat_args()))
    assert says in str(error)


# --- data URLs split across stream chunks ----------------------------------------------

PNG_DATA = base64.b64encode(bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")).decode()


def _chat_chunks(*texts: str) -> Events:
    chunks = [{"id": "c1", "choices": [{"index": 0, "delta": {"content": text}}]} for text in texts]
    return Events(sse_events([*chunks, {"id": "c1", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}, "[DONE]"]))


def test_a_data_url_split_across_chunks_is_one_image(relay: Relay, server: FaultServer) -> None:
    """Each chunk holds part of the data URL; the first part alone (5 base64 characters,
    one past a whole group) is not valid base64, which once failed the stream."""
    url = f"data:image/png;base64,{PNG_DATA}"
    cut = len("data:image/png;base64,") + 5
    server.script("POST", "/v1/chat/completions", _chat_chunks(url[:cut], url[cut:]))
    outcome = relay.run(chat_stream, lambda c: c.chat_completions_stream(**_chat_args()))
    assert [(image.b64_data, image.mime_type) for image in outcome.images] == [(PNG_DATA, "image/png")]


def test_a_streamed_data_url_that_is_no_image_fails_when_the_stream_ends(
    relay: Relay, server: FaultServer
) -> None:
    page = base64.b64encode(b"<!doctype html><html>quota exceeded</html>").decode()
    url = f"data:image/png;base64,{page}"
    server.script("POST", "/v1/chat/completions", _chat_chunks(url[:30], url[30:]))
    error = relay.fails_run(ResponseValidationError, chat_stream, lambda c: c.chat_completions_stream(**_chat_args()))
    assert "the data URL at choices[].delta.content holds image/png content that is no image" in str(error)
    assert error.method == "POST" and error.status == 200
