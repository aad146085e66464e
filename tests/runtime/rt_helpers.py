"""Shared test doubles: a scripted MockTransport handler, providers, models, clients."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
from imagerelay._runtime.client import AsyncBaseClient, BaseClient
from imagerelay._runtime.descriptors import (
    AuthScheme,
    Endpoint,
    Envelope,
    ImagePaths,
    InlineImagePath,
    ProviderConfig,
    TaskStatusSpec,
)
from imagerelay._runtime.model import RelayModel, RelayRequest, RelayResponse
from pydantic import Field

KEY = "sk-test-0123456789abcdef"
BASE = "https://relay.test"

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """MockTransport handler answering from a script (the last step repeats)."""

    def __init__(self, *steps: httpx.Response | Exception | Handler) -> None:
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        step = self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]
        if isinstance(step, Exception):
            raise step
        if isinstance(step, httpx.Response):
            return step
        return step(request)

    @property
    def count(self) -> int:
        return len(self.requests)

    def body(self, index: int = -1) -> Any:
        return json.loads(self.requests[index].content)


def provider(kind: str = "bearer", name: str = "Authorization", **extra: Any) -> ProviderConfig:
    return ProviderConfig(
        id="testrelay",
        title="Test relay",
        base_url=BASE,
        base_url_env="TESTRELAY_BASE_URL",
        auth=AuthScheme(kind=kind, name=name, env="TESTRELAY_API_KEY"),  # type: ignore[arg-type]
        error_message_fields=("error.message", "msg"),
        request_id_fields=("request_id",),
        request_id_headers=("x-trace",),
        **extra,
    )


PROVIDER = provider()

GENERATE = Endpoint(name="generate", method="POST", path="/v1/generate")
GET_TASK = Endpoint(
    name="get_task",
    method="GET",
    path="/v1/tasks/{task_id}",
    path_params=("task_id",),
    query_params=("verbose",),
    header_params=("X-Trace-Tag",),
    body="none",
    idempotent=True,
)
GEMINI = Endpoint(
    name="generate_content",
    method="POST",
    path="/v1beta/models/{model}:generateContent",
    path_params=("model",),
)
ENVELOPED = Endpoint(
    name="create_task",
    method="POST",
    path="/v1/images/tasks",
    envelope=Envelope(data="data", code="code", message="message", success_codes=("success",)),
)
UPLOAD = Endpoint(
    name="upload",
    method="POST",
    path="/v1/files/upload",
    body="multipart",
    file_fields=("file",),
)
CHAT = Endpoint(
    name="chat",
    method="POST",
    path="/v1/chat/completions",
    response="sse",
    stream_done="[DONE]",
)
CHAT_FINISH = Endpoint(
    name="chat",
    method="POST",
    path="/v1/chat/completions",
    response="sse",
    stream_finish="choices[].finish_reason",
)


class GenerateBody(RelayRequest):
    model: str
    prompt: str
    aspect_ratio: str | None = Field(None, alias="aspectRatio")


class TaskQuery(RelayRequest):
    task_id: str
    verbose: bool | None = None
    trace_tag: str | None = Field(None, alias="X-Trace-Tag")


class GeminiBody(RelayRequest):
    model: str
    contents: list[dict[str, Any]]


class UploadBody(RelayRequest):
    file: Any
    purpose: str = "reference"


class Task(RelayResponse):
    __relay_images__ = ImagePaths(urls=("results[].url",))
    __relay_task__ = TaskStatusSpec(
        status_field="status",
        progress_field="progress",
        known=frozenset({"queued", "running", "succeeded", "failed", "violation"}),
        success=frozenset({"succeeded"}),
        failure=frozenset({"failed"}),
        violation=frozenset({"violation"}),
        error_field="error",
    )
    id: str
    status: str


class GeminiReply(RelayResponse):
    __relay_images__ = ImagePaths(
        urls=("candidates[].content.parts[].text",),
        inline=(
            InlineImagePath("candidates[].content.parts[].inlineData", "data", "mimeType"),
            InlineImagePath("candidates[].content.parts[].inline_data", "data", "mime_type"),
        ),
    )
    candidates: list[dict[str, Any]] = Field(default_factory=list)


class ChatChunk(RelayResponse):
    __relay_images__ = ImagePaths(urls=("choices[].delta.content",))
    id: str | None = None
    choices: list[dict[str, Any]] = Field(default_factory=list)


class Upload(RelayModel):
    id: str


class Client(BaseClient):
    _provider = PROVIDER


class AsyncClient(AsyncBaseClient):
    _provider = PROVIDER


def make_client(
    handler: Recorder,
    sleeps: list[float] | None = None,
    cls: type[BaseClient] = Client,
    **kwargs: Any,
) -> BaseClient:
    kwargs.setdefault("api_key", KEY)
    client = cls(transport=httpx.MockTransport(handler), **kwargs)
    client._sleep = (sleeps if sleeps is not None else []).append
    client._random = lambda: 0.0
    return client


def make_async_client(
    handler: Recorder,
    sleeps: list[float] | None = None,
    cls: type[AsyncBaseClient] = AsyncClient,
    **kwargs: Any,
) -> AsyncBaseClient:
    kwargs.setdefault("api_key", KEY)
    client = cls(transport=httpx.MockTransport(handler), **kwargs)
    record = sleeps if sleeps is not None else []

    async def fake_sleep(seconds: float) -> None:
        record.append(seconds)

    client._sleep = fake_sleep
    client._random = lambda: 0.0
    return client


def sse(*events: str, content_type: str = "text/event-stream") -> httpx.Response:
    """A streamed SSE reply; each item is raw event text (``data: ...``)."""
    body = "".join(event + "\n\n" for event in events).encode()
    return httpx.Response(200, headers={"content-type": content_type}, content=body)
