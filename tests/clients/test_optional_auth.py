"""A key the doc marks optional (``auth.optional`` in the spec: api_generate's 可选, chat_stream's
"No") may be left out: the client then sends no credential. Where the doc requires one,
a missing key still fails at construction."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from imagerelay import api_generate, chat_stream, image_tasks
from imagerelay._runtime.errors import MissingAPIKeyError

TASK = {"id": "t", "status": "succeeded", "results": [{"url": "https://cdn.test/x.png"}]}
CHUNK = {"choices": [{"index": 0, "delta": {"content": "https://cdn.test/o.png"}, "finish_reason": "stop"}]}


class Recorder:
    def __init__(self, reply: httpx.Response) -> None:
        self.requests: list[httpx.Request] = []
        self.reply = reply

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.reply


@pytest.fixture(autouse=True)
def no_keys_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("API_GENERATE_API_KEY", "CHAT_STREAM_API_KEY", "IMAGE_TASKS_API_KEY"):
        monkeypatch.delenv(name, raising=False)


def _generate(**client_args: Any) -> httpx.Request:
    server = Recorder(httpx.Response(200, json=TASK))
    with api_generate.Client(transport=httpx.MockTransport(server), **client_args) as client:
        client.generate(model="nano-banana", prompt="p")
    return server.requests[0]


def test_a_client_without_a_key_sends_no_credential_where_the_doc_makes_it_optional() -> None:
    assert "authorization" not in _generate().headers
    assert _generate(api_key="sk-given").headers["authorization"] == "Bearer sk-given"

    server = Recorder(httpx.Response(200, headers={"content-type": "text/event-stream"},
                                     content=f"data: {json.dumps(CHUNK)}\n\ndata: [DONE]\n\n".encode()))
    with chat_stream.Client(transport=httpx.MockTransport(server)) as client, client.chat_completions_stream(
        model="NanoBanana", messages=[{"role": "user", "content": "a fox"}],
        relay_extra_body={"google": {"image_config": {"aspect_ratio": "1:1"}}},
    ) as stream:
        stream.collect()
    assert [image.url for image in stream.images()] == ["https://cdn.test/o.png"]
    assert "authorization" not in server.requests[0].headers


def test_the_environment_variable_is_still_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_GENERATE_API_KEY", "sk-from-env")
    assert _generate().headers["authorization"] == "Bearer sk-from-env"


def test_a_required_key_still_fails_at_construction() -> None:
    with pytest.raises(MissingAPIKeyError, match="set the IMAGE_TASKS_API_KEY environment variable"):
        image_tasks.Client()
