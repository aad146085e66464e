"""Mock relays generated from the specs (issue 16, items 1-2 and 4): every provider's client
works against its mock, sync and async, with no fixture written by hand.

The mock is built from the generated client's endpoints and the spec's documented examples
(``<provider>/mockdata.json``): it checks auth where the spec puts it, validates requests
with the SDK's own models and rules, and replies with the documented example, each image a
real PNG it serves (URLs) or inlines (base64).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import imagerelay
import pytest
from imagerelay._runtime.mock_app import IMAGE_ROUTE, MockProvider
from imagerelay.errors import (
    AuthenticationError,
    BadRequestError,
    ContentPolicyError,
    TaskFailedError,
    WaitTimeoutError,
)
from imagerelay.mock import DEFAULT_KEY, MockRelay, TaskOutcome, png

GENERATED = Path(__file__).resolve().parents[2] / "generated"


def _cases() -> list[tuple[str, str, str]]:
    cases = []
    for provider in imagerelay.PROVIDERS:
        for endpoint, data in MockProvider(provider).data.items():
            cases += [(provider, endpoint, example["name"]) for example in data["examples"] if example["status"]]
    return cases


CASES = _cases()


def _example(provider: str, endpoint: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(example for example in MockProvider(provider).data[endpoint]["examples"]
                                 if example["name"] == name)
    return found


def _scalars(value: Any, path: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        return {key: item for name, inner in value.items() for key, item in _scalars(inner, f"{path}.{name}").items()}
    if isinstance(value, list):
        return {key: item for index, inner in enumerate(value) for key, item in _scalars(inner, f"{path}[{index}]").items()}
    return {path: value}


def _is_png(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _check(reply: Any, chunks: list[Any] | None, examples: list[dict[str, Any]], unwrap: str | None,
           new_task: str | None) -> None:
    """The reply is one of ``examples`` (documented for the same call, such as a task's
    successive statuses): every documented value comes back as documented, except images,
    which are real PNGs."""
    problems = []
    for example in examples:
        try:
            _check_one(reply, chunks, example, unwrap, new_task)
            return
        except AssertionError as exc:
            problems.append(exc)
    raise problems[0]


def _check_one(reply: Any, chunks: list[Any] | None, example: dict[str, Any], unwrap: str | None,
               new_task: str | None) -> None:
    documented = example["sse"] if "sse" in example else example["json"]
    if unwrap is not None:  # the client returns what the {code, message, data} envelope holds
        documented = documented[unwrap]
    received = [chunk.to_wire() for chunk in chunks] if chunks is not None else reply.to_wire()
    expected, got = _scalars(documented), _scalars(received)
    images = reply.images()
    image_values = {image.url for image in images} | {image.b64_data for image in images}
    for path, value in expected.items():
        if path.lstrip(".") == new_task:  # a submit gets a task id of its own
            assert str(got.get(path, "")).startswith("mock-task-"), got
            continue
        if got.get(path) != value:  # an image the mock replaced, nothing else
            assert path in got and (got[path] in image_values or IMAGE_ROUTE in str(got[path])), (path, value)
    for image in images:
        assert (image.url or "").find(IMAGE_ROUTE) > 0 or _is_png(base64.b64decode(image.b64_data or ""))


def _call(client: Any, endpoint: str, example: dict[str, Any]) -> tuple[Any, list[Any] | None]:
    result = getattr(client, endpoint)(**example["call"])
    if hasattr(result, "__enter__"):
        with result as stream:
            return stream, list(stream)
    return result, None


async def _acall(client: Any, endpoint: str, example: dict[str, Any]) -> tuple[Any, list[Any] | None]:
    result = await getattr(client, endpoint)(**example["call"])
    if hasattr(result, "__aenter__"):
        async with result as stream:
            return stream, [chunk async for chunk in stream]
    return result, None


@pytest.mark.parametrize(("provider", "endpoint", "name"), CASES, ids=["/".join(case) for case in CASES])
def test_each_documented_call_works_against_the_mock_sync_and_async(provider: str, endpoint: str, name: str) -> None:
    example = _example(provider, endpoint, name)
    same_call = [found for found in MockProvider(provider).data[endpoint]["examples"]
                 if found["status"] and found["call"] == example["call"]]
    envelope = next(found for found in MockProvider(provider).endpoints if found.name == endpoint).envelope
    unwrap = None if envelope is None else envelope.data
    polling = MockProvider(provider).data[endpoint]["polling"]
    new_task = None if polling is None else polling["id_from"]
    relay = MockRelay(provider)
    with relay.client(in_process=True, max_retries=0) as client:
        _check(*_call(client, endpoint, example), same_call, unwrap, new_task)

    async def run() -> None:
        async with relay.client(asynchronous=True, in_process=True, max_retries=0) as client:
            _check(*await _acall(client, endpoint, example), same_call, unwrap, new_task)

    asyncio.run(run())


def test_every_provider_has_a_documented_call_the_mock_answers() -> None:
    assert {provider for provider, _, _ in CASES} == set(imagerelay.PROVIDERS)


def test_over_a_socket_the_images_download_as_real_pngs(tmp_path: Path) -> None:
    example = _example("api_generate", "generate", "nano-banana-2")
    with MockRelay("api_generate") as relay, relay.client() as client:
        assert relay.url.startswith("http://127.0.0.1:")
        result = client.generate(**example["call"])
        paths = client.save_images(result, tmp_path)
    assert [path.name for path in paths] == ["image-1.png"]
    assert _is_png(paths[0].read_bytes()) == (64, 64)


def test_auth_is_checked_where_the_spec_puts_it() -> None:
    relay = MockRelay("gemini_12ai")  # ?key=
    call = _example("gemini_12ai", "generate_content", "text_to_image")["call"]
    with imagerelay.gemini_12ai.Client(api_key="sk-wrong", base_url="http://mock.relay",
                                       transport=relay.transport, max_retries=0) as client, \
            pytest.raises(AuthenticationError, match="invalid API key"):
        client.generate_content(**call)
    # A missing key is named with where the spec wants it, in the provider's error shape.
    reply = httpx.Client(transport=relay.transport, base_url="http://mock.relay").post(
        "/v1beta/models/gemini-2.5-flash-image:generateContent", json=call)
    assert reply.status_code == 401
    assert reply.json() == {"error": {"message": "missing API key: expected in query parameter 'key'"}}


def test_a_request_the_rules_refuse_is_refused_as_the_relay_would() -> None:
    # Sent around the SDK's own checks, as another client could: the mock applies the same rules.
    relay = MockRelay("api_generate")
    body = {"model": "nano-banana-2", "prompt": "x", "aspectRatio": "7:3", "replyType": "json"}
    reply = httpx.Client(transport=relay.transport, base_url="http://mock.relay").post(
        "/v1/api/generate", json=body, headers={"Authorization": f"Bearer {DEFAULT_KEY}"})
    assert reply.status_code == 400
    assert reply.json()["error"]["message"].startswith("aspectRatio='7:3' is not allowed when model family")
    with relay.client(in_process=True, max_retries=0) as client, pytest.raises(BadRequestError, match="7:3"):
        client.generate(model="nano-banana-2", prompt="x", aspect_ratio="1:1", extra_body={"aspectRatio": "7:3"})


def test_png_is_a_valid_image_of_the_size_asked() -> None:
    assert _is_png(png(3, 2)) == (3, 2)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_the_cli_serves_a_mock_that_imagerelay_generate_uses(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(GENERATED), "API_GENERATE_BASE_URL": f"http://127.0.0.1:{port}",
           "API_GENERATE_API_KEY": DEFAULT_KEY}
    server = subprocess.Popen([sys.executable, "-m", "imagerelay", "mock", "api_generate", "--port", str(port),
                               "--task-seconds", "0.5"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stderr is not None
        assert f"export API_GENERATE_BASE_URL=http://127.0.0.1:{port}" in server.stderr.readline() + \
            server.stderr.readline()
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the mock did not start"
                time.sleep(0.05)
        done = subprocess.run([sys.executable, "-m", "imagerelay", "generate", "a red fox", "--provider",
                               "api_generate", "--aspect-ratio", "1:1", "-o", str(tmp_path), "--json"],
                              env=env, capture_output=True, text=True, timeout=60, check=False)
        # Another program's submit_and_wait against the same mock: a task with progress, then a PNG.
        waited = subprocess.run([sys.executable, "-c", SUBMIT_AND_WAIT, str(tmp_path / "waited")],
                                env=env, capture_output=True, text=True, timeout=60, check=False)
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert done.returncode == 0, done.stderr
    saved = [Path(path) for path in json.loads(done.stdout)["images"]]
    assert len(saved) == 1 and _is_png(saved[0].read_bytes()) == (64, 64)
    assert waited.returncode == 0, waited.stderr
    *progress, last = waited.stdout.splitlines()
    assert progress[0].startswith("running 0") and progress[-1] == "succeeded 1.0" and len(progress) >= 3, progress
    assert _is_png(Path(last).read_bytes()) == (64, 64)


SUBMIT_AND_WAIT = """
import sys
from imagerelay.api_generate import Client

with Client() as client:  # the mock's URL and key from the environment, as any program would
    task = client.submit_and_wait(model="nano-banana-2", prompt="a red fox", aspect_ratio="1:1",
                                  poll_interval=0.05, on_progress=lambda status, done: print(status, done))
    print(client.save_images(task, sys.argv[1])[0])
"""


def _task_cases() -> list[tuple[str, str]]:
    return [(provider, endpoint) for provider in imagerelay.PROVIDERS
            for endpoint, data in MockProvider(provider).data.items() if data["polling"]]


def _submit_call(provider: str, endpoint: str) -> dict[str, Any]:
    """The documented call of ``endpoint``, or of an endpoint taking the same request."""
    data = MockProvider(provider).data
    same = [name for name, found in data.items() if found["request"] == data[endpoint]["request"]]
    call: dict[str, Any] = next(example["call"] for name in [endpoint, *same] for example in data[name]["examples"])
    return call


TASKS = _task_cases()


@pytest.mark.parametrize(("provider", "endpoint"), TASKS, ids=["/".join(case) for case in TASKS])
def test_a_submitted_task_runs_through_its_statuses_to_an_image(provider: str, endpoint: str,
                                                               tmp_path: Path) -> None:
    polling = MockProvider(provider).data[endpoint]["polling"]
    relay = MockRelay(provider, task_seconds=0.2)
    seen: list[tuple[str, float | None]] = []
    with relay.client(in_process=True, max_retries=0) as client:
        result = getattr(client, f"{endpoint}_and_wait")(**_submit_call(provider, endpoint), poll_interval=0.02,
                                                          on_progress=lambda status, done: seen.append((status, done)))
        paths = client.save_images(result, tmp_path)
    statuses = [status for status, _ in seen]
    assert statuses[-1] in polling["success"] and set(statuses[:-1]) <= set(polling["unfinished"]), statuses
    assert len(statuses) >= 3  # it ran for a while: the mock's tasks take task_seconds
    if polling["progress"]:
        done = [fraction for _, fraction in seen]
        assert done == sorted(done) and done[-1] == 1.0 and done[0] is not None and done[0] < 1
    assert [_is_png(path.read_bytes()) for path in paths] == [(64, 64)]

    async def run() -> None:
        async with relay.client(asynchronous=True, in_process=True, max_retries=0) as aclient:
            final = await getattr(aclient, f"{endpoint}_and_wait")(**_submit_call(provider, endpoint),
                                                                    poll_interval=0.02)
            assert len(final.images()) == 1

    asyncio.run(run())


@pytest.mark.parametrize(("outcome", "error"), [("failure", TaskFailedError), ("violation", ContentPolicyError),
                                                ("never", WaitTimeoutError)])
def test_task_outcomes_are_knobs(outcome: TaskOutcome, error: type[Exception]) -> None:
    relay = MockRelay("api_generate", task_seconds=0.05, task_outcome=outcome)
    with relay.client(in_process=True, max_retries=0) as client, pytest.raises(error) as raised:
        client.submit_and_wait(**_submit_call("api_generate", "submit"), poll_interval=0.02, deadline=0.5)
    if outcome != "never":
        assert f"the task ended in {outcome}" in str(raised.value)


@pytest.mark.parametrize(("ratio", "size"), [("1536x1024", (1536, 1024)), ("16:9", (113, 64)), ("1:1", (64, 64))])
def test_the_image_has_the_size_the_request_asked_for(ratio: str, size: tuple[int, int], tmp_path: Path) -> None:
    # Read where the spec's canonical mapping puts the exact size or the ratio (api_generate: aspectRatio).
    model = "gpt-image-2" if "x" in ratio else "nano-banana-2"
    relay = MockRelay("api_generate")
    with relay.client(in_process=True, max_retries=0) as client:
        result = client.generate(model=model, prompt="a fox", aspect_ratio=ratio)
        (path,) = client.save_images(result, tmp_path)
    assert _is_png(path.read_bytes()) == size


def test_data_url_images_in_a_reply_become_real_pngs() -> None:
    from imagerelay._runtime.mock_app import _Images, _with_mock_images

    known = MockProvider("chat_stream")
    endpoint = next(found for found in known.endpoints if found.name == "chat_completions")
    example = {"status": 200, "json": {"choices": [{"message": {
        "content": "here: data:image/jpeg;base64,AAAA and https://cdn.test/a.png"}}]}}
    reply = _with_mock_images(known.response_class(endpoint), endpoint, example, "http://m", _Images(), (8, 4))
    text = reply["choices"][0]["message"]["content"]
    data = text.split("data:image/png;base64,")[1].split(" ")[0]
    assert _is_png(base64.b64decode(data)) == (8, 4)
    assert text.endswith(" and http://m/__mock/images/1-8x4.png")
