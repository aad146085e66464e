"""Replies that arrive fine but mean failure: refusals, failed or endless tasks, no image."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Relay
from fault_calls import (
    API_RUNNING,
    CREATES,
    STREAMS,
    WAITERS,
    Call,
    Waiter,
    sse_events,
)
from fault_server import Events, FaultServer, Reply
from imagerelay import api_generate, gemini_12ai, gemini_jobs
from imagerelay._runtime.errors import (
    ContentPolicyError,
    NoImageError,
    TaskFailedError,
    WaitTimeoutError,
)

BY_NAME = {call.name: call for call in CREATES + STREAMS}
RUNNING = {
    "api_generate.wait": "running",
    "gemini_jobs.wait": "processing",
    "image_tasks.wait": "processing",
}


# --- polled tasks ------------------------------------------------------------------------


def test_violation_status_on_a_polled_task(relay: Relay, server: FaultServer) -> None:
    server.script(
        "GET",
        "/v1/api/result",
        Reply(200, API_RUNNING),
        Reply(200, {"id": "1-abc", "status": "violation", "error": "内容违规 / prompt rejected"}),
    )
    error = relay.fails_run(
        ContentPolicyError, api_generate, lambda c: c.wait("1-abc", poll_interval=0.01, deadline=5)
    )
    assert error.task_status == "violation"
    assert error.provider_message == "内容违规 / prompt rejected"
    assert "task refused by the provider's content policy (status 'violation')" in str(error)
    assert server.count("GET", "/v1/api/result") == 2


@pytest.mark.parametrize("waiter", WAITERS, ids=repr)
def test_failed_task(relay: Relay, server: FaultServer, waiter: Waiter) -> None:
    server.script(
        "GET",
        waiter.path,
        Reply(200, waiter.status(RUNNING[waiter.name])),
        Reply(200, waiter.status("failed", error="upstream model crashed")),
    )
    error = relay.fails_run(
        TaskFailedError, waiter.module, lambda c: waiter.wait(c, poll_interval=0.01, deadline=5)
    )
    assert error.task_status == "failed"
    assert str(error).startswith("task failed with status 'failed': upstream model crashed")
    assert server.count("GET", waiter.path) == 2


@pytest.mark.parametrize("waiter", WAITERS, ids=repr)
def test_task_that_never_finishes(relay: Relay, server: FaultServer, waiter: Waiter) -> None:
    status = RUNNING[waiter.name]
    server.script("GET", waiter.path, Reply(200, waiter.status(status)))
    error = relay.fails_run(
        WaitTimeoutError, waiter.module, lambda c: waiter.wait(c, poll_interval=0.01, deadline=0.15)
    )
    assert error.task_status == status
    assert 0.15 <= error.elapsed < 2
    assert error.task_id and str(error).startswith(f"task {error.task_id!r} still {status!r}")
    assert "(deadline=0.15); keep waiting with wait(" in str(error)
    assert server.count("GET", waiter.path) >= 2


# --- Gemini safety refusals ------------------------------------------------------------------

SAFETY_REPLIES = {
    "finish_reason": (
        {
            "candidates": [
                {
                    "content": {"role": "model", "parts": []},
                    "finishReason": "IMAGE_SAFETY",
                    "finishMessage": "Unable to show the generated image.",
                }
            ],
            "usageMetadata": {"promptTokenCount": 9, "totalTokenCount": 9},
        },
        "IMAGE_SAFETY",
    ),
    "block_reason": (
        {
            "promptFeedback": {"blockReason": "PROHIBITED_CONTENT"},
            "usageMetadata": {"promptTokenCount": 9},
        },
        "blockReason=PROHIBITED_CONTENT",
    ),
}


def _needs_markers(module: Any) -> Any:
    return pytest.mark.xfail(
        not module.models.GenerateContentResponse.__relay_refusals__,
        reason="needs refusal markers in specs",
        strict=False,
    )


@pytest.mark.parametrize("kind", sorted(SAFETY_REPLIES))
@pytest.mark.parametrize(
    "call",
    [
        pytest.param(BY_NAME["gemini_12ai.generate_content"], marks=_needs_markers(gemini_12ai)),
        pytest.param(BY_NAME["gemini_jobs.generate_content"], marks=_needs_markers(gemini_jobs)),
    ],
    ids=repr,
)
def test_gemini_safety_refusal(relay: Relay, server: FaultServer, call: Call, kind: str) -> None:
    body, marker = SAFETY_REPLIES[kind]
    server.script(call.method, call.path, Reply(200, body))
    error = relay.fails(ContentPolicyError, call)
    assert error.status == 200 and error.method == "POST"
    assert error.provider_message is not None and marker in error.provider_message
    assert "refused the request on content policy" in str(error)
    assert server.count(call.method, call.path) == 1


# --- replies without any image -------------------------------------------------------------

TEXT_ONLY_GEMINI = {
    "candidates": [
        {
            "content": {"role": "model", "parts": [{"text": "I can describe a fox instead."}]},
            "finishReason": "STOP",
        }
    ]
}
NO_IMAGE = {
    "api_generate.generate": {"id": "1-abc", "status": "succeeded", "progress": 100, "results": []},
    "chat_stream.chat_completions": {
        "choices": [
            {
                "message": {"role": "assistant", "content": "Sorry, text only."},
                "finish_reason": "stop",
            }
        ]
    },
    "gemini_12ai.generate_content": TEXT_ONLY_GEMINI,
    "gemini_jobs.generate_content": TEXT_ONLY_GEMINI,
    "image_tasks.generate": {"created": 1, "data": []},
    "image_tasks.edit": {"created": 1, "data": []},
    "chat_stream.chat_completions_stream": (
        {"choices": [{"delta": {"content": "Sorry, text only."}}]},
        {"choices": [{"delta": {}, "finish_reason": "stop"}]},
        "[DONE]",
    ),
    "api_generate.generate_stream": (
        API_RUNNING,
        {"id": "1-abc", "status": "succeeded", "results": []},
    ),
}


def _needs_requires_image(call: Call) -> Any:
    return pytest.mark.xfail(
        not call.endpoint.requires_image, reason="needs requires_image in specs", strict=False
    )


@pytest.mark.parametrize(
    "call",
    [pytest.param(BY_NAME[name], marks=_needs_requires_image(BY_NAME[name])) for name in NO_IMAGE],
    ids=repr,
)
def test_reply_without_image(relay: Relay, server: FaultServer, call: Call) -> None:
    body = NO_IMAGE[call.name]
    reply = Events(sse_events(body)) if call.kind == "stream" else Reply(200, body)
    server.script(call.method, call.path, reply)
    error = relay.fails(NoImageError, call)
    assert error.response is not None
    assert "the reply holds no image" in str(error)
    assert server.count(call.method, call.path) == 1
