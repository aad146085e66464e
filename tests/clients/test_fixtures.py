"""Replay every recorded fixture through the generated sync and async clients.

Each fixture is a documented request/response pair: the client must send exactly
the documented request and parse the documented response into typed models.
"""

from __future__ import annotations

import asyncio
import base64
import importlib
import json
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from typing import Any

import httpx
import pytest
from imagerelay._runtime.model import RelayModel
from imagerelay._runtime.paths import find_all, find_first

FIXTURE_DIR = Path(__file__).resolve().parent.parent / "fixtures"
FIXTURES = sorted(FIXTURE_DIR.glob("*/*.json"))
API_KEY = "sk-fixture-7f3a9c2e"
BASE_URL = "https://relay.test"
# A 1x1 PNG: what a multipart file field carries in the replayed requests.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001"
    "0d0a2db40000000049454e44ae426082"
)


def _fixture_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def _with_key(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("{API_KEY}", API_KEY)
    if isinstance(value, dict):
        return {key: _with_key(item) for key, item in value.items()}
    return value


def _response(spec: dict[str, Any]) -> httpx.Response:
    headers = spec.get("headers", {})
    if "sse" in spec:
        events = [item if isinstance(item, str) else json.dumps(item) for item in spec["sse"]]
        body = "".join(f"data: {event}\n\n" for event in events).encode()
        return httpx.Response(spec["status"], headers=headers, content=body)
    if "json" in spec:
        return httpx.Response(spec["status"], headers=headers, json=spec["json"])
    return httpx.Response(spec["status"], headers=headers, text=spec.get("text", ""))


def _multipart(request: httpx.Request) -> tuple[dict[str, str], dict[str, tuple[str | None, bytes]]]:
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + request.content)
    form: dict[str, str] = {}
    files: dict[str, tuple[str | None, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if part.get_filename() is not None:
            files[str(name)] = (part.get_filename(), payload)
        else:
            form[str(name)] = payload.decode()
    return form, files


def assert_documented_request(expected: dict[str, Any], request: httpx.Request) -> None:
    expected = _with_key(expected)
    assert request.method == expected["method"]
    assert request.url.path == expected["path"]
    assert dict(request.url.params) == expected.get("query", {})
    for name, value in expected.get("headers", {}).items():
        assert request.headers.get(name) == value, name
    if "json" in expected:
        assert request.headers["content-type"] == "application/json"
        assert json.loads(request.content) == expected["json"]
    elif "form" in expected or "files" in expected:
        form, files = _multipart(request)
        assert form == expected.get("form", {})
        assert {name: filename for name, (filename, _) in files.items()} == expected.get("files", {})
        assert all(content == PNG for _, content in files.values())
    else:
        assert request.content == b""


def _kwargs(fixture: dict[str, Any]) -> dict[str, Any]:
    kwargs = dict(fixture["call"]["kwargs"])
    # A fixture names the documented upload file; the client gets (filename, bytes).
    for name, filename in fixture["request"].get("files", {}).items():
        kwargs[name] = (filename, PNG)
    return kwargs


def _assert_parsed(fixture: dict[str, Any], result: RelayModel, images: list[Any]) -> None:
    expect = fixture["expect"]
    wire = result.to_wire()
    for path, value in expect.get("fields", {}).items():
        found = find_all(wire, path) if isinstance(value, list) else find_first(wire, path)
        assert found == value, path
    if "image_urls" in expect:
        assert [_as_written(image) for image in images] == expect["image_urls"]
    if "image_count" in expect:
        assert len(images) == expect["image_count"]


def _as_written(image: Any) -> str | None:
    """An image as a reply writes it: its URL, or the data URL the runtime decoded."""
    if image.url is None and image.b64_data is not None:
        return f"data:{image.mime_type};base64,{image.b64_data}"
    return image.url


def test_a_data_url_image_is_expected_as_the_reply_writes_it() -> None:
    from imagerelay._runtime.images import find_urls

    png = base64.b64encode(PNG).decode()
    (image,) = find_urls(f"here it is: data:image/png;base64,{png}")
    assert image.url is None and _as_written(image) == f"data:image/png;base64,{png}"


def _load(path: Path) -> tuple[dict[str, Any], Any]:
    fixture = json.loads(path.read_text(encoding="utf-8"))
    return fixture, importlib.import_module(f"imagerelay.{path.parent.name}")


@pytest.mark.parametrize("path", FIXTURES, ids=_fixture_id)
def test_sync_client_replays_fixture(path: Path) -> None:
    fixture, package = _load(path)
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return _response(fixture["response"])

    with package.Client(API_KEY, base_url=BASE_URL, transport=httpx.MockTransport(handler)) as client:
        call = getattr(client, fixture["call"]["method"])
        outcome = call(**_kwargs(fixture))
        if isinstance(outcome, RelayModel):
            result, images = outcome, outcome.images()
        else:
            with outcome as stream:
                chunks = list(stream)
            assert chunks, "the stream yielded no chunk"
            result, images = chunks[-1], stream.images()
    assert len(sent) == 1
    assert_documented_request(fixture["request"], sent[0])
    assert type(result).__module__ == f"imagerelay.{path.parent.name}.models"
    _assert_parsed(fixture, result, images)


@pytest.mark.parametrize("path", FIXTURES, ids=_fixture_id)
def test_async_client_replays_fixture(path: Path) -> None:
    fixture, package = _load(path)
    sent: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        await request.aread()
        return _response(fixture["response"])

    async def run() -> tuple[RelayModel, list[Any]]:
        transport = httpx.MockTransport(handler)
        async with package.AsyncClient(API_KEY, base_url=BASE_URL, transport=transport) as client:
            call = getattr(client, fixture["call"]["method"])
            # Every async method is awaited, streams too (as with openai's AsyncOpenAI).
            outcome = await call(**_kwargs(fixture))
            if isinstance(outcome, RelayModel):
                return outcome, outcome.images()
            assert len(sent) == 1  # the awaited stream is open
            async with outcome as stream:
                chunks = [chunk async for chunk in stream]
            assert chunks, "the stream yielded no chunk"
            return chunks[-1], stream.images()

    result, images = asyncio.run(run())
    assert len(sent) == 1
    assert_documented_request(fixture["request"], sent[0])
    _assert_parsed(fixture, result, images)


def test_every_fixture_folder_is_a_provider() -> None:
    # A new spec needs no fixture of its own: its mock relay answers the client tests
    # (test_mock_relay.py). Recorded fixtures are the exact-wire checks of the doc's examples.
    specs = {path.stem for path in (FIXTURE_DIR.parent.parent / "specs").glob("*.yaml")}
    recorded = {path.parent.name for path in FIXTURES}
    assert recorded <= specs
