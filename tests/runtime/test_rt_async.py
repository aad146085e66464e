from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from imagerelay._runtime.errors import (
    APITimeoutError,
    BadRequestError,
    ContentPolicyError,
    ProviderError,
    StreamIncompleteError,
    TaskFailedError,
    WaitTimeoutError,
)
from imagerelay._runtime.images import Image
from rt_helpers import (
    CHAT,
    ENVELOPED,
    GENERATE,
    GET_TASK,
    KEY,
    AsyncClient,
    ChatChunk,
    GenerateBody,
    Recorder,
    Task,
    TaskQuery,
    make_async_client,
    sse,
)

BODY = GenerateBody(model="m", prompt="p")
TASK = {"id": "t1", "status": "succeeded"}


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_async_request_and_auth() -> None:
    rec = Recorder(httpx.Response(200, json=TASK))

    async def main() -> Task:
        async with make_async_client(rec) as client:
            return await client._request(GENERATE, BODY, Task)

    assert run(main()).status == "succeeded"
    assert rec.requests[0].headers["authorization"] == f"Bearer {KEY}"


def test_async_envelope_error() -> None:
    rec = Recorder(httpx.Response(200, json={"code": "fail", "message": "nope", "data": None}))
    with pytest.raises(ProviderError, match="provider returned code 'fail'"):
        run(make_async_client(rec)._request(ENVELOPED, BODY, Task))


def test_async_retries(sleeps: list[float]) -> None:
    rec = Recorder(
        httpx.Response(429, headers={"retry-after": "1"}),
        httpx.Response(500),
        httpx.Response(200, json=TASK),
    )
    run(make_async_client(rec, sleeps)._request(GET_TASK, TaskQuery(task_id="t1"), Task))
    assert rec.count == 3 and sleeps == [1.0, 1.0]


def test_async_post_timeout_not_resent(sleeps: list[float]) -> None:
    rec = Recorder(httpx.ReadTimeout("slow"), httpx.Response(200, json=TASK))
    with pytest.raises(APITimeoutError, match="could bill twice"):
        run(make_async_client(rec, sleeps)._request(GENERATE, BODY, Task))
    assert rec.count == 1


def chunk(text: str) -> str:
    return "data: " + json.dumps({"choices": [{"delta": {"content": text}}]})


def test_async_stream() -> None:
    rec = Recorder(sse(": ping", chunk("see https://cdn.test/q.png"), "data: [DONE]"))

    async def main() -> tuple[list[ChatChunk], list[Image], bool]:
        client = make_async_client(rec)
        stream = client._stream(CHAT, BODY, ChatChunk)  # no I/O yet
        assert rec.count == 0
        async with stream:
            chunks = [c async for c in stream]
        assert stream.response is not None and stream.response.is_closed
        return chunks, stream.images(), stream.completed

    chunks, images, completed = run(main())
    assert len(chunks) == 1 and completed
    assert [i.url for i in images] == ["https://cdn.test/q.png"]


def test_an_awaited_stream_is_open_and_reads_like_openais() -> None:
    """``stream = await client.x_stream(...)`` sends the request (status errors raise at
    the await), then ``async for`` reads it and ``async with`` closes it."""
    rec = Recorder(sse(chunk("see https://cdn.test/q.png"), "data: [DONE]"))

    async def main() -> tuple[list[ChatChunk], bool]:
        stream = await make_async_client(rec)._stream(CHAT, BODY, ChatChunk)
        assert rec.count == 1 and stream.response is not None
        async with stream:  # already open: not sent again
            chunks = [c async for c in stream]
        assert rec.count == 1 and stream.response.is_closed
        return chunks, stream.completed

    chunks, completed = run(main())
    assert len(chunks) == 1 and completed

    async def refused() -> None:
        await make_async_client(Recorder(httpx.Response(400, json={"msg": "no"})))._stream(
            CHAT, BODY, ChatChunk
        )

    with pytest.raises(BadRequestError):
        run(refused())


def test_async_stream_truncated_and_status_error() -> None:
    rec = Recorder(sse(chunk("a")))
    with pytest.raises(StreamIncompleteError):
        run(make_async_client(rec)._stream(CHAT, BODY, ChatChunk).collect())

    async def enter() -> None:
        async with make_async_client(Recorder(httpx.Response(400, json={"msg": "no"})))._stream(
            CHAT, BODY, ChatChunk
        ):
            pass

    with pytest.raises(BadRequestError):
        run(enter())


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


def async_wait(states: list[dict[str, Any]], deadline: float = 900.0) -> tuple[Task, Clock]:
    clock = Clock()
    client = make_async_client(Recorder())
    client._sleep, client._monotonic = clock.sleep, clock

    async def poll() -> Task:
        state = states.pop(0) if len(states) > 1 else states[0]
        return Task.model_validate({"id": "t1", **state})

    async def main() -> Task:
        with client._deadline_scope(deadline, method="wait"):
            return await client._wait(poll, task_id="t1")

    return run(main()), clock


def test_async_wait_success() -> None:
    task, clock = async_wait([{"status": "queued"}, {"status": "running"}, {"status": "succeeded"}])
    assert task.status == "succeeded" and clock.sleeps == [2.0, 3.0]


def test_async_wait_failure_violation_timeout() -> None:
    with pytest.raises(TaskFailedError, match="boom"):
        async_wait([{"status": "failed", "error": "boom"}])
    with pytest.raises(ContentPolicyError):
        async_wait([{"status": "violation"}])
    with pytest.raises(WaitTimeoutError) as caught:
        async_wait([{"status": "running"}], deadline=5)
    assert caught.value.task_id == "t1" and "deadline=5" in str(caught.value)


def test_async_wait_is_cancellable() -> None:
    polls: list[int] = []

    async def main() -> None:
        client = make_async_client(Recorder())
        client._sleep = asyncio.sleep  # real sleep so cancellation lands in it

        async def poll() -> Task:
            polls.append(1)
            return Task.model_validate({"id": "t", "status": "running"})

        job = asyncio.ensure_future(client._wait(poll, task_id="t", poll_interval=60))
        await asyncio.sleep(0.01)
        job.cancel()
        with pytest.raises(asyncio.CancelledError):
            await job

    run(main())
    assert polls == [1]


def test_cancelling_wait_is_prompt_and_leaves_the_client_usable() -> None:
    rec = Recorder(
        httpx.Response(200, json={"id": "t1", "status": "running"}),
        httpx.Response(200, json={"id": "t1", "status": "running"}),
        httpx.Response(200, json=TASK),
    )

    async def main() -> tuple[float, Task]:
        loop = asyncio.get_running_loop()
        client = make_async_client(rec)
        client._sleep = asyncio.sleep  # a real 60 s sleep between polls
        query = TaskQuery(task_id="t1")

        async def poll() -> Task:
            return await client._request(GET_TASK, query, Task)

        job = asyncio.create_task(client._wait(poll, task_id="t", poll_interval=60))
        await asyncio.sleep(0.02)  # first poll done, now sleeping
        started = loop.time()
        job.cancel()
        with pytest.raises(asyncio.CancelledError):
            await job
        took = loop.time() - started
        assert job.cancelled()
        # The same client polls again and finishes a fresh wait.
        client._sleep = lambda seconds: asyncio.sleep(0)
        result = await client._wait(poll, task_id="t", poll_interval=60)
        await client.aclose()
        return took, result

    took, result = run(main())
    assert took < 0.5
    assert result.status == "succeeded" and rec.count == 3


def test_cancelling_a_poll_in_flight_propagates() -> None:
    async def main() -> None:
        gate = asyncio.Event()

        async def slow(request: httpx.Request) -> httpx.Response:
            await gate.wait()  # never set: the poll hangs until cancelled
            return httpx.Response(200, json=TASK)

        client = AsyncClient(api_key=KEY, transport=httpx.MockTransport(slow))
        query = TaskQuery(task_id="t1")
        job = asyncio.create_task(
            client._wait(lambda: client._request(GET_TASK, query, Task), task_id="t1")
        )
        await asyncio.sleep(0.02)
        job.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(job, 1.0)
        await client.aclose()

    run(main())


def test_async_download_skips_key_for_foreign_host() -> None:
    rec = Recorder(httpx.Response(200, content=b"bytes", headers={"content-type": "image/webp"}))
    data = run(make_async_client(rec).download(Image(url="https://cdn.other.test/x.webp")))
    assert data == b"bytes" and "authorization" not in rec.requests[0].headers
