"""The polling result step through the generated fal queue client: submit, poll the status until
COMPLETED, then fetch the output from the result endpoint (``polling.result`` in the spec)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

fal_queue = pytest.importorskip("imagerelay.fal_queue", reason="needs the generated package")

from imagerelay._runtime.errors import UnprocessableEntityError, WaitTimeoutError

KEY = "fal-key-0123456789"
RID = "80e732af-660e-45cd-bd63-580e4f2a94cc"
APP = "/fal-ai/flux/requests/" + RID
IMAGE = {"url": "https://fal.media/files/tiger/out.jpeg", "width": 1024, "height": 768, "content_type": "image/jpeg"}
SUBMITTED = {"request_id": RID, "status_url": "https://queue.fal.run" + APP + "/status"}
OUTPUT = {"images": [IMAGE], "seed": 7, "has_nsfw_concepts": [False], "prompt": "a cat"}


class Queue:
    """Answers POST with the submission, status GETs from a script, result GETs with ``result``."""

    def __init__(self, statuses: list[dict[str, Any]], result: httpx.Response) -> None:
        self.statuses = statuses
        self.result = result
        self.seen: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == f"Key {KEY}"
        self.seen.append(f"{request.method} {request.url.path}")
        if request.method == "POST":
            return httpx.Response(200, json=SUBMITTED)
        if request.url.path.endswith("/status"):
            status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
            return httpx.Response(200, json=status)
        return self.result


def _client(queue: Queue) -> Any:
    client = fal_queue.Client(KEY, transport=httpx.MockTransport(queue))
    client._sleep = lambda seconds: None
    return client


def test_submit_and_wait_fetches_the_output_once_completed() -> None:
    queue = Queue(
        [{"status": "IN_QUEUE", "queue_position": 2}, {"status": "IN_PROGRESS", "logs": []}, {"status": "COMPLETED"}],
        httpx.Response(200, json=OUTPUT),
    )
    seen: list[str] = []
    with _client(queue) as client:
        output = client.submit_and_wait(model="fal-ai/flux/dev", prompt="a cat",
                                        on_progress=lambda status, progress: seen.append(status))
    assert isinstance(output, fal_queue.models.FluxOutput)
    assert [image.url for image in output.images()] == [IMAGE["url"]]
    # The reply's own "images" field stays readable under its renamed attribute.
    assert [image.width for image in output.images_] == [1024]
    assert output.to_wire()["images"] == [IMAGE]
    assert queue.seen == ["POST /fal-ai/flux/dev", f"GET {APP}/status", f"GET {APP}/status", f"GET {APP}/status",
                          f"GET {APP}"]
    assert seen == ["IN_QUEUE", "IN_PROGRESS", "COMPLETED"]


def test_wait_alone_returns_the_output_type() -> None:
    queue = Queue([{"status": "COMPLETED"}], httpx.Response(200, json=OUTPUT))
    with _client(queue) as client:
        output = client.wait(RID)
    assert output.seed == 7
    assert queue.seen == [f"GET {APP}/status", f"GET {APP}"]


def test_a_failed_request_surfaces_the_result_endpoints_error() -> None:
    detail = {"detail": [{"loc": ["body", "prompt"], "msg": "field required", "type": "value_error.missing"}]}
    queue = Queue([{"status": "COMPLETED"}], httpx.Response(422, json=detail))
    with _client(queue) as client, pytest.raises(UnprocessableEntityError) as caught:
        client.wait(RID)
    assert caught.value.provider_message == "field required"
    assert KEY not in str(caught.value)


def test_no_result_is_fetched_before_completion() -> None:
    queue = Queue([{"status": "IN_PROGRESS"}], httpx.Response(200, json=OUTPUT))
    with _client(queue) as client:
        ticks = iter(range(0, 10_000, 10))
        client._monotonic = lambda: float(next(ticks))
        with pytest.raises(WaitTimeoutError):
            client.wait(RID, deadline=30)
    assert all(seen.endswith("/status") for seen in queue.seen)


def test_async_submit_and_wait() -> None:
    queue = Queue([{"status": "IN_QUEUE"}, {"status": "COMPLETED"}], httpx.Response(200, json=OUTPUT))

    async def run() -> Any:
        client = fal_queue.AsyncClient(KEY, transport=httpx.MockTransport(queue))

        async def no_sleep(seconds: float) -> None:
            return None

        client._sleep = no_sleep
        async with client:
            return await client.submit_and_wait(model="fal-ai/flux/dev/image-to-image", prompt="a cat",
                                                image_url="https://fal.media/files/koala/in.png")

    output = asyncio.run(run())
    assert [image.url for image in output.images()] == [IMAGE["url"]]
    assert queue.seen[0] == "POST /fal-ai/flux/dev/image-to-image"
    assert queue.seen[-1] == f"GET {APP}"
