"""Every generated endpoint the fault corpus drives, with a good reply for each.

A ``Call`` names the route the server must script, how to invoke the
generated method on a client (sync or async alike), a reply that parses,
and, where the reply model has required fields, a reply missing one.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Literal, get_origin

from imagerelay import api_generate, chat_stream, fal_queue, gemini_12ai, gemini_jobs, image_tasks

PNG_B64 = "iVBORw0KGgoAAAANSUhEUg=="  # PNG signature + IHDR start, base64

Kind = Literal["create", "poll", "stream"]


@dataclass(frozen=True)
class Call:
    name: str  # "<provider>.<method>"
    module: ModuleType
    method: str
    path: str
    invoke: Callable[[Any], Any]
    # JSON body of a good reply; for streams, the SSE data values in order.
    ok: Any
    kind: Kind
    images: int  # images in the good reply
    # A reply missing a required field, and that field's wire name.
    missing: tuple[Any, str] | None = None

    def __repr__(self) -> str:
        return self.name

    @property
    def endpoint(self) -> Any:
        """The generated ``Endpoint`` constant behind this call."""
        method = self.name.split(".", 1)[1]
        return getattr(self.module.client, method.upper())


def sse_events(values: Any) -> tuple[str, ...]:
    return tuple("data: " + (v if isinstance(v, str) else json.dumps(v)) for v in values)


def with_extras(body: Any) -> Any:
    """``body`` with unknown fields added to every object in it."""
    out = copy.deepcopy(body)

    def add(node: Any) -> None:
        if isinstance(node, dict):
            for value in node.values():
                add(value)
            node["x_relay_extra"] = {"node": "edge-7", "list": [1, 2]}
        elif isinstance(node, list):
            for item in node:
                add(item)

    add(out)
    return out


# --- request arguments ----------------------------------------------------------


def _chat_args() -> dict[str, Any]:
    m = chat_stream.models
    return {
        "model": "NanoBanana",
        "messages": [m.ChatMessage(role="user", content="a red fox")],
        "relay_extra_body": m.ExtraBody(
            google=m.GoogleOptions(image_config=m.ImageConfig(aspect_ratio="1:1"))
        ),
    }


def _gemini_12ai_args() -> dict[str, Any]:
    m = gemini_12ai.models
    return {
        "model": "gemini-2.5-flash-image",
        "contents": [m.Content(role="user", parts=[m.Part(text="a red fox")])],
    }


def _gemini_jobs_args() -> dict[str, Any]:
    m = gemini_jobs.models
    return {
        "model": "nano-banana-pro",
        "contents": [m.Content(role="user", parts=[m.Part(text="a red fox")])],
        "generation_config": m.GenerationConfig(image_config=m.ImageConfig(image_size="1K")),
    }


API_ARGS = {"model": "nano-banana-2", "prompt": "a red fox", "aspect_ratio": "1:1"}
TASKS_ARGS = {"model": "NanoBanana", "prompt": "a red fox"}

# --- good replies -----------------------------------------------------------------

API_DONE = {
    "id": "1-abc",
    "status": "succeeded",
    "progress": 100,
    "results": [{"url": "https://cdn.test/a.png"}],
}
API_RUNNING = {"id": "1-abc", "status": "running", "progress": 10}
CHAT_REPLY = {
    "id": "c1",
    "object": "chat.completion",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "![img](https://cdn.test/c.png)"},
            "finish_reason": "stop",
        }
    ],
}
CHAT_CHUNK = {
    "id": "c1",
    "object": "chat.completion.chunk",
    "choices": [{"index": 0, "delta": {"content": "![img](https://cdn.test/c.png)"}}],
}
CHAT_LAST = {"id": "c1", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
GEMINI_SNAKE = {
    "candidates": [
        {
            "content": {
                "role": "model",
                "parts": [{"inline_data": {"mime_type": "image/png", "data": PNG_B64}}],
            },
            "finishReason": "STOP",
        }
    ]
}
GEMINI_CAMEL = {
    "candidates": [
        {
            "content": {
                "role": "model",
                "parts": [{"inlineData": {"mimeType": "image/png", "data": PNG_B64}}],
            },
            "finishReason": "STOP",
        }
    ]
}
JOB_RUNNING = {"id": "job_1", "object": "job", "status": "processing"}
JOB_DONE = {"id": "job_1", "status": "succeeded", "output": {"images": ["https://cdn.test/j.png"]}}
TASK_PENDING = {"code": "success", "message": "", "data": {"task_id": "t1", "status": "pending"}}
TASK_DONE = {
    "code": "success",
    "message": "",
    "data": {
        "task_id": "t1",
        "status": "succeeded",
        "progress": "100%",
        "result_url": "https://cdn.test/t.png",
    },
}
IMAGES_REPLY = {"created": 1, "data": [{"url": "https://cdn.test/g.png"}]}


def _drop(body: dict[str, Any], *path: str) -> dict[str, Any]:
    out = copy.deepcopy(body)
    node = out
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return out


GEMINI_JOBS_PATH = "/v1beta/models/nano-banana-pro:generateContent"
_JOBS_NO_DATA = copy.deepcopy(GEMINI_CAMEL)
del _JOBS_NO_DATA["candidates"][0]["content"]["parts"][0]["inlineData"]["data"]

CREATES = [
    Call(
        "api_generate.generate",
        api_generate,
        "POST",
        "/v1/api/generate",
        lambda c: c.generate(**API_ARGS),
        API_DONE,
        "create",
        1,
        (_drop(API_DONE, "status"), "status"),
    ),
    Call(
        "api_generate.submit",
        api_generate,
        "POST",
        "/v1/api/generate",
        lambda c: c.submit(**API_ARGS),
        API_RUNNING,
        "create",
        0,
        (_drop(API_RUNNING, "id"), "id"),
    ),
    Call(
        "chat_stream.chat_completions",
        chat_stream,
        "POST",
        "/v1/chat/completions",
        lambda c: c.chat_completions(**_chat_args()),
        CHAT_REPLY,
        "create",
        1,
        (_drop(CHAT_REPLY, "choices"), "choices"),
    ),
    Call(
        "gemini_12ai.generate_content",
        gemini_12ai,
        "POST",
        "/v1beta/models/gemini-2.5-flash-image:generateContent",
        lambda c: c.generate_content(**_gemini_12ai_args()),
        GEMINI_SNAKE,
        "create",
        1,
        None,  # every field of the reply is optional
    ),
    Call(
        "gemini_jobs.generate_content",
        gemini_jobs,
        "POST",
        GEMINI_JOBS_PATH,
        lambda c: c.generate_content(**_gemini_jobs_args()),
        GEMINI_CAMEL,
        "create",
        1,
        (_JOBS_NO_DATA, "data"),
    ),
    Call(
        "gemini_jobs.create_job",
        gemini_jobs,
        "POST",
        "/v1/jobs",
        lambda c: c.create_job(
            model="nano-banana-pro", input=gemini_jobs.models.JobInput(prompt="a red fox")
        ),
        JOB_RUNNING,
        "create",
        0,
        (_drop(JOB_RUNNING, "id"), "id"),
    ),
    Call(
        "gemini_jobs.upload_file",
        gemini_jobs,
        "POST",
        "/v1/files/upload",
        lambda c: c.upload_file(file=b"\x89PNG\r\n\x1a\n0000", kind="image", purpose="reference"),
        {"id": "file_1", "url": "https://cdn.test/f.png"},
        "create",
        0,
        None,  # the reply shape is undocumented: every field optional
    ),
    Call(
        "image_tasks.create_task",
        image_tasks,
        "POST",
        "/v1/images/tasks",
        lambda c: c.create_task(**TASKS_ARGS),
        TASK_PENDING,
        "create",
        0,
        (_drop(TASK_PENDING, "data", "task_id"), "task_id"),
    ),
    Call(
        "image_tasks.generate",
        image_tasks,
        "POST",
        "/v1/images/generations",
        lambda c: c.generate(**TASKS_ARGS),
        IMAGES_REPLY,
        "create",
        1,
        (_drop(IMAGES_REPLY, "data"), "data"),
    ),
    Call(
        "image_tasks.edit",
        image_tasks,
        "POST",
        "/v1/images/edits",
        lambda c: c.edit(**TASKS_ARGS, image="https://cdn.test/in.png"),
        IMAGES_REPLY,
        "create",
        1,
        (_drop(IMAGES_REPLY, "data"), "data"),
    ),
]

POLLS = [
    Call(
        "api_generate.get_result",
        api_generate,
        "GET",
        "/v1/api/result",
        lambda c: c.get_result(id="1-abc"),
        API_DONE,
        "poll",
        1,
        (_drop(API_DONE, "status"), "status"),
    ),
    Call(
        "gemini_jobs.get_job",
        gemini_jobs,
        "GET",
        "/v1/jobs/job_1",
        lambda c: c.get_job(job_id="job_1"),
        JOB_DONE,
        "poll",
        1,
        (_drop(JOB_DONE, "status"), "status"),
    ),
    Call(
        "image_tasks.get_task",
        image_tasks,
        "GET",
        "/v1/images/tasks/t1",
        lambda c: c.get_task(task_id="t1"),
        TASK_DONE,
        "poll",
        1,
        (_drop(TASK_DONE, "data", "status"), "status"),
    ),
]

STREAMS = [
    Call(
        "chat_stream.chat_completions_stream",
        chat_stream,
        "POST",
        "/v1/chat/completions",
        lambda c: c.chat_completions_stream(**_chat_args()),
        (CHAT_CHUNK, CHAT_LAST, "[DONE]"),
        "stream",
        1,
        ((_drop(CHAT_CHUNK, "choices"),), "choices"),
    ),
    Call(
        "api_generate.generate_stream",
        api_generate,
        "POST",
        "/v1/api/generate",
        lambda c: c.generate_stream(**API_ARGS),
        (API_RUNNING, API_DONE),
        "stream",
        1,
        ((_drop(API_RUNNING, "status"),), "status"),
    ),
]

JSON_CALLS = CREATES + POLLS
ALL_CALLS = CREATES + POLLS + STREAMS

# The sixth provider, for faults that only need one of its routes (error replies, keys).
FAL_STATUS = Call(
    "fal_queue.get_status",
    fal_queue,
    "GET",
    "/fal-ai/flux/requests/r1/status",
    lambda c: c.get_status(request_id="r1"),
    {"status": "IN_QUEUE", "queue_position": 0},
    "poll",
    0,
)
EVERY_PROVIDER_CALLS = ALL_CALLS + [FAL_STATUS]


@dataclass(frozen=True)
class Waiter:
    """A task API's poll route and its generated ``wait``; ``status`` builds a reply."""

    name: str
    module: ModuleType
    path: str
    wait: Callable[..., Any]
    status: Callable[..., Any]
    # The reply model whose status field decides how unknown statuses are handled.
    task_model: type[Any]

    @property
    def closed_status(self) -> bool:
        """True when the spec's status enum is closed (a Literal): unknown values fail the parse."""
        return get_origin(self.task_model.model_fields["status"].annotation) is Literal

    def __repr__(self) -> str:
        return self.name


def _api_status(status: str, **extra: Any) -> dict[str, Any]:
    return {"id": "1-abc", "status": status, **extra}


def _job_status(status: str, **extra: Any) -> dict[str, Any]:
    return {"id": "job_1", "status": status, **extra}


def _task_status(status: str, **extra: Any) -> dict[str, Any]:
    return {"code": "success", "message": "", "data": {"task_id": "t1", "status": status, **extra}}


WAITERS = [
    Waiter(
        "api_generate.wait",
        api_generate,
        "/v1/api/result",
        lambda c, **kw: c.wait("1-abc", **kw),
        _api_status,
        api_generate.models.TaskResult,
    ),
    Waiter(
        "gemini_jobs.wait",
        gemini_jobs,
        "/v1/jobs/job_1",
        lambda c, **kw: c.wait("job_1", **kw),
        _job_status,
        gemini_jobs.models.Job,
    ),
    Waiter(
        "image_tasks.wait",
        image_tasks,
        "/v1/images/tasks/t1",
        lambda c, **kw: c.wait("t1", **kw),
        _task_status,
        image_tasks.models.ImageTask,
    ),
]
