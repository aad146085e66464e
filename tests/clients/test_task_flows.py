"""Submit-and-poll flows of every task API, through the generated clients.

A scripted server answers the submit call, then the status polls; the tests
assert the polled requests, the final typed task and the errors for failed,
refused and never-finishing tasks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from imagerelay import api_generate, gemini_jobs, image_tasks
from imagerelay._runtime.errors import ContentPolicyError, TaskFailedError, WaitTimeoutError

KEY = "sk-flow-test"


class ScriptedServer:
    """Answers requests from a list, in order, and records what it was asked."""

    def __init__(self, replies: list[dict[str, Any]]) -> None:
        self.replies: Iterator[dict[str, Any]] = iter(replies)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json=next(self.replies))

    def paths(self) -> list[str]:
        return [f"{r.method} {r.url.path}{'?' + r.url.query.decode() if r.url.query else ''}" for r in self.requests]


def _client(factory: Callable[..., Any], server: ScriptedServer) -> Any:
    client = factory(KEY, base_url="https://relay.test", transport=httpx.MockTransport(server))
    client._sleep = lambda seconds: None  # polls run back to back in tests
    return client


def _task(status: str, progress: int | None = None, **extra: Any) -> dict[str, Any]:
    return {"id": "1-abc", "status": status, **({"progress": progress} if progress is not None else {}), **extra}


def test_api_generate_submit_and_wait_polls_the_result_endpoint() -> None:
    done = _task("succeeded", 100, results=[{"url": "https://cdn.test/a.png"}])
    server = ScriptedServer([_task("running", 0), _task("running", 40), done])
    seen: list[tuple[str, float | None]] = []
    with _client(api_generate.Client, server) as client:
        task = client.submit_and_wait(model="nano-banana-2", prompt="p", aspect_ratio="1:4",
                                      on_progress=lambda status, progress: seen.append((status, progress)))
    assert isinstance(task, api_generate.models.TaskResult)
    assert [image.url for image in task.images()] == ["https://cdn.test/a.png"]
    assert server.paths() == ["POST /v1/api/generate", "GET /v1/api/result?id=1-abc", "GET /v1/api/result?id=1-abc"]
    assert seen == [("running", 0.4), ("succeeded", 1.0)]


def test_api_generate_violation_and_failure_are_typed_errors() -> None:
    server = ScriptedServer([_task("violation", error="内容违规")])
    with _client(api_generate.Client, server) as client, pytest.raises(ContentPolicyError) as refused:
        client.wait("1-abc")
    assert refused.value.provider_message == "内容违规"
    server = ScriptedServer([_task("running"), _task("failed", error="upstream timeout")])
    with _client(api_generate.Client, server) as client, pytest.raises(TaskFailedError) as failed:
        client.wait("1-abc")
    assert "upstream timeout" in str(failed.value)
    assert KEY not in str(failed.value)


def test_wait_gives_up_at_its_deadline() -> None:
    server = ScriptedServer([_task("running")] * 50)
    with _client(api_generate.Client, server) as client:
        now = [0.0]  # a fake clock that only the sleeps between polls move
        client._monotonic = lambda: now[0]
        client._sleep = lambda seconds: now.__setitem__(0, now[0] + seconds)
        with pytest.raises(WaitTimeoutError) as timed_out:
            client.wait("1-abc", deadline=60)
    assert timed_out.value.task_status == "running" and timed_out.value.elapsed == 60
    assert 1 < len(server.requests) < 10


def _envelope(status: str, progress: str) -> dict[str, Any]:
    data = {"task_id": "task_xxx", "status": status, "progress": progress}
    if status == "succeeded":
        data["result_url"] = "https://example.com/result.png"
    return {"code": "success", "message": "", "data": data}


def test_image_tasks_create_and_wait_unwraps_the_envelope() -> None:
    server = ScriptedServer([_envelope("pending", "0%"), _envelope("processing", "50%"),
                             _envelope("succeeded", "100%")])
    seen: list[tuple[str, float | None]] = []
    with _client(image_tasks.Client, server) as client:
        task = client.create_task_and_wait(model="NanoBanana2-0.5K", prompt="a red cube",
                                           on_progress=lambda s, p: seen.append((s, p)))
    assert task.task_id == "task_xxx"
    assert [image.url for image in task.images()] == ["https://example.com/result.png"]
    assert server.paths() == ["POST /v1/images/tasks", "GET /v1/images/tasks/task_xxx",
                              "GET /v1/images/tasks/task_xxx"]
    assert seen == [("processing", 0.5), ("succeeded", 1.0)]


def test_gemini_jobs_create_job_and_wait_async() -> None:
    created = {"id": "job_example", "object": "job", "status": "processing", "model": "nano-banana-pro"}
    finished = {**created, "status": "succeeded", "output": {"images": ["https://example.com/out.png"]}}
    server = ScriptedServer([created, created, finished])

    async def run() -> Any:
        client = gemini_jobs.AsyncClient(KEY, base_url="https://backend.test", transport=httpx.MockTransport(server))

        async def no_sleep(seconds: float) -> None:
            return None

        client._sleep = no_sleep
        async with client:
            return await client.create_job_and_wait(model="nano-banana-pro", input={"prompt": "修复键盘"})

    job = asyncio.run(run())
    assert job.status == "succeeded"
    assert [image.url for image in job.images()] == ["https://example.com/out.png"]
    assert server.paths() == ["POST /v1/jobs", "GET /v1/jobs/job_example", "GET /v1/jobs/job_example"]


def test_api_generate_stream_yields_typed_task_updates() -> None:
    events = [_task("running", 30), _task("succeeded", 100, results=[{"url": "https://cdn.test/s.png"}])]
    body = "".join(f"data: {httpx.Response(200, json=e).text}\n\n" for e in events)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body.encode())

    with api_generate.Client(KEY, transport=httpx.MockTransport(handler)) as client:
        with client.generate_stream(model="nano-banana", prompt="p") as stream:
            updates = list(stream)
        assert [update.status for update in updates] == ["running", "succeeded"]
        assert [image.url for image in stream.images()] == ["https://cdn.test/s.png"]


@pytest.mark.parametrize(
    ("status", "error", "text"),
    [("violation", ContentPolicyError, "内容违规"), ("failed", TaskFailedError, "upstream timeout")],
)
def test_a_synchronous_generate_that_failed_raises(status: str, error: type[Exception], text: str) -> None:
    server = ScriptedServer([_task(status, error=text)])
    with _client(api_generate.Client, server) as client, pytest.raises(error) as caught:
        client.generate(model="nano-banana", prompt="p")
    assert caught.value.task_status == status  # type: ignore[attr-defined]
    assert caught.value.provider_message == text  # type: ignore[attr-defined]


def test_a_stream_whose_task_fails_raises_mid_stream() -> None:
    events = [_task("running", 30), _task("failed", error="no quota")]
    body = "".join(f"data: {httpx.Response(200, json=e).text}\n\n" for e in events)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body.encode())

    with (
        api_generate.Client(KEY, transport=httpx.MockTransport(handler)) as client,
        client.generate_stream(model="nano-banana", prompt="p") as stream,
        pytest.raises(TaskFailedError),
    ):
        for _ in stream:
            pass
