"""client.with_raw_response (issue 14, item 5): the HTTP reply of a successful call
(status, headers, request id, elapsed) with .parse() for the usual result, sync and
async, streams included; errors still raise; the key never shows in its headers."""

from __future__ import annotations

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from imagerelay import api_generate, chat_stream
from imagerelay._runtime.errors import BadRequestError
from imagerelay._runtime.raw import RawResponse

KEY = "sk-raw-SECRET-1"
TASK = {"id": "t", "status": "succeeded", "results": [{"url": "https://cdn.test/x.png"}]}
CHUNK = {"choices": [{"index": 0, "delta": {"content": "https://cdn.test/o.png"}, "finish_reason": "stop"}]}
CHAT = {"model": "NanoBanana", "messages": [{"role": "user", "content": "a fox"}],
        "relay_extra_body": {"google": {"image_config": {"aspect_ratio": "1:1"}}}}
HEADERS = {"x-request-id": "req-7", "x-debug-auth": f"Bearer {KEY}"}  # a relay echoing the key


def _task(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, headers=HEADERS, json=TASK)


def _events(request: httpx.Request) -> httpx.Response:
    body = f"data: {json.dumps(CHUNK)}\n\ndata: [DONE]\n\n".encode()
    return httpx.Response(200, headers={**HEADERS, "content-type": "text/event-stream"}, content=body)


def test_sync_raw_response_then_parse() -> None:
    with api_generate.Client(KEY, transport=httpx.MockTransport(_task)) as client:
        raw = client.with_raw_response.generate(model="nano-banana", prompt="p")
        plain = client.generate(model="nano-banana", prompt="p")  # raw mode does not leak
    assert isinstance(raw, RawResponse) and isinstance(plain, api_generate.models.TaskResult)
    assert (raw.status_code, raw.request_id, raw.method) == (200, "req-7", "POST")
    assert raw.headers["x-debug-auth"] == "Bearer ***" and KEY not in repr(raw) + str(raw.headers)
    assert raw.elapsed is None  # an in-memory transport: httpx does not time it
    parsed = raw.parse()
    assert parsed == plain and raw.parse() is parsed  # parsed once
    assert parsed._request_id == "req-7"


def test_async_raw_response_and_raw_streams() -> None:
    async def main() -> None:
        async with api_generate.AsyncClient(KEY, transport=httpx.MockTransport(_task)) as client:
            raw = await client.with_raw_response.generate(model="nano-banana", prompt="p")
            assert raw.status_code == 200 and raw.parse().status == "succeeded"
        async with chat_stream.AsyncClient(KEY, transport=httpx.MockTransport(_events)) as chat:
            raw_stream = await chat.with_raw_response.chat_completions_stream(**CHAT)  # type: ignore[arg-type]
            assert raw_stream.status_code == 200 and raw_stream.request_id == "req-7"
            async with raw_stream.parse() as stream:
                chunks = [chunk async for chunk in stream]
            assert len(chunks) == 1 and stream.completed

    asyncio.run(main())
    with chat_stream.Client(KEY, transport=httpx.MockTransport(_events)) as chat, \
            chat.with_raw_response.chat_completions_stream(**CHAT).parse() as stream:  # type: ignore[arg-type]
        stream.collect()
    assert [image.url for image in stream.images()] == ["https://cdn.test/o.png"]


class _TaskHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        body = json.dumps(TASK).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_elapsed_time_over_a_real_connection() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TaskHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with api_generate.Client(KEY, base_url=f"http://127.0.0.1:{server.server_port}") as client:
            raw = client.with_raw_response.generate(model="nano-banana", prompt="p")
    finally:
        server.shutdown()
        server.server_close()
    assert raw.elapsed is not None and 0 < raw.elapsed < 10
    assert raw.parse().status == "succeeded"


def test_error_statuses_still_raise() -> None:
    refused = httpx.MockTransport(lambda request: httpx.Response(400, json={"error": {"message": "bad"}}))
    with api_generate.Client(KEY, transport=refused) as client, pytest.raises(BadRequestError):
        client.with_raw_response.generate(model="nano-banana", prompt="p")
