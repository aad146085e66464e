"""Deadlines that are deadlines (issue 13, part 2), against a real server on 127.0.0.1.

A ``deadline`` bounds a whole call or a whole wait in wall time: the wait for a free
connection, every attempt and its retries, the sleeps between polls, and the reading of
a reply however slowly it arrives. Each test measures the wall time the call took and
the error it ended with; without the deadline machinery the same calls run for 15 s or
more (a hung poll is retried with a 300 s read timeout, a trickle never times out).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from imagerelay import api_generate, chat_stream
from imagerelay._runtime.errors import APITimeoutError, WaitTimeoutError
from imagerelay._runtime.pool import DRAIN_SECONDS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
KEY = "sk-deadline-test"
TASK_ID = "1-6634fd9a-3086-4d92-9436-69e86fd23bf8"


def _fixture(provider: str, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / provider / f"{name}.json").read_text("utf-8"))
    return data


GENERATE = _fixture("api_generate", "generate_nano_banana_2")
SUBMIT = _fixture("api_generate", "submit_async")
CHAT_STREAM = _fixture("chat_stream", "chat_completions_stream_text_to_image")


class Behaviour:
    """What the server does for ``METHOD /path``: a JSON reply, a hang, a trickle, a stream."""

    def __init__(self, kind: str, body: Any = None, every: float = 0.3) -> None:
        self.kind, self.body, self.every = kind, body, every


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _serve(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        route = (self.command, urlsplit(self.path).path)
        self.server.counts[route] += 1
        behaviour = self.server.routes.get(route, Behaviour("json", {"error": {"message": "no route"}}))
        getattr(self, f"_{behaviour.kind}")(behaviour)

    do_GET = do_POST = _serve

    def _head(self, kind: str, length: int | None) -> None:
        self.send_response(200)
        self.send_header("content-type", kind)
        if length is not None:
            self.send_header("content-length", str(length))
        self.end_headers()

    def _json(self, behaviour: Behaviour) -> None:
        data = json.dumps(behaviour.body).encode()
        self._head("application/json", len(data))
        self.wfile.write(data)

    def _hang(self, behaviour: Behaviour) -> None:
        self.server.stopping.wait(30)
        self.close_connection = True

    def _trickle(self, behaviour: Behaviour) -> None:
        """A valid reply, one byte every ``every`` seconds: no read ever times out."""
        data = json.dumps(behaviour.body).encode()
        self._head("application/json", len(data))
        for index in range(len(data)):
            self.wfile.write(data[index : index + 1])
            self.wfile.flush()
            if self.server.stopping.wait(behaviour.every):
                return

    def _linger(self, behaviour: Behaviour) -> None:
        """An event stream that sends ``[DONE]``, then keeps its body open for 10 s."""
        self._head("text/event-stream", None)
        for data in behaviour.body:
            self.wfile.write(f"data: {data}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()
        self.server.stopping.wait(10)
        self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[tuple[str, str], Behaviour] = {}
        self.counts: Counter[tuple[str, str]] = Counter()
        self.stopping = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up at its deadline closes mid-reply: expected


@pytest.fixture
def server() -> Iterator[_Server]:
    httpd = _Server()
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.stopping.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=2)


def _timed(call: Callable[[], Any]) -> tuple[float, BaseException]:
    started = time.monotonic()
    with pytest.raises((APITimeoutError, WaitTimeoutError)) as caught:
        call()
    return time.monotonic() - started, caught.value


def _sync(server: _Server, **settings: Any) -> api_generate.Client:
    return api_generate.Client(KEY, base_url=server.url, transport=httpx.HTTPTransport(verify=False), **settings)


def _async(server: _Server, **settings: Any) -> api_generate.AsyncClient:
    transport = httpx.AsyncHTTPTransport(verify=False)
    return api_generate.AsyncClient(KEY, base_url=server.url, transport=transport, **settings)


def _run_async(server: _Server, use: Callable[[api_generate.AsyncClient], Any], **settings: Any) -> Any:
    async def main() -> Any:
        async with _async(server, **settings) as client:
            return await use(client)

    return asyncio.run(main())


RUNNING = Behaviour("json", {"id": TASK_ID, "status": "running", "progress": 10})


def test_wait_on_a_task_that_never_ends_stops_at_its_deadline(server: _Server) -> None:
    server.routes[("GET", "/v1/api/result")] = RUNNING
    with _sync(server) as client:
        took, error = _timed(lambda: client.wait(TASK_ID, deadline=1.5, poll_interval=0.2))
    assert isinstance(error, WaitTimeoutError)
    assert 1.5 <= took < 2.2
    assert error.task_id == TASK_ID and error.task_status == "running"
    assert "(deadline=1.5)" in str(error) and f"wait({TASK_ID!r}, deadline=...)" in str(error)
    assert "timeout=" not in str(error)
    # poll_interval is honoured: polls at 0, 0.2, 0.5, 0.95 (x1.5 each time), not one every 2 s.
    assert 4 <= server.counts[("GET", "/v1/api/result")] <= 5


@pytest.mark.parametrize("flavor", ["sync", "async"])
def test_wait_against_a_hung_poll_ends_at_the_deadline(server: _Server, flavor: str) -> None:
    """The poll's 300 s read timeout, and its retries, are cut to what remains of the wait."""
    server.routes[("GET", "/v1/api/result")] = Behaviour("hang")
    if flavor == "sync":
        with _sync(server) as client:
            took, error = _timed(lambda: client.wait(TASK_ID, deadline=2))
    else:
        took, error = _timed(lambda: _run_async(server, lambda c: c.wait(TASK_ID, deadline=2)))
    assert isinstance(error, WaitTimeoutError)
    assert 2 <= took < 2.6
    assert error.task_id == TASK_ID and error.task_status is None
    assert "not polled successfully" in str(error)
    assert isinstance(error.__cause__, APITimeoutError) and "deadline" in str(error.__cause__)
    assert server.counts[("GET", "/v1/api/result")] == 1  # the hung poll was not re-sent


def test_wait_refuses_timeout_and_names_deadline() -> None:
    with api_generate.Client(KEY, base_url="http://127.0.0.1:9") as client:
        with pytest.raises(TypeError, match=r"wait\(\) takes deadline=, not timeout=: deadline=30"):
            client.wait(TASK_ID, timeout=30)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match=r"submit_and_wait\(\) takes deadline="):
            client.submit_and_wait(model="nano-banana-2", prompt="a cat", timeout=5)  # type: ignore[arg-type]


def test_submit_and_wait_takes_deadline_and_poll_interval(server: _Server) -> None:
    server.routes[("POST", "/v1/api/generate")] = Behaviour("json", SUBMIT["response"]["json"])
    server.routes[("GET", "/v1/api/result")] = RUNNING

    def submit_and_wait(client: api_generate.AsyncClient) -> Any:
        return client.submit_and_wait(
            **SUBMIT["call"]["kwargs"], deadline=1.2, poll_interval=0.25, max_poll_interval=0.25
        )

    took, error = _timed(lambda: _run_async(server, submit_and_wait))
    assert isinstance(error, WaitTimeoutError) and error.task_id == TASK_ID
    assert 1.2 <= took < 1.8
    assert server.counts[("POST", "/v1/api/generate")] == 1
    assert 4 <= server.counts[("GET", "/v1/api/result")] <= 6  # every 0.25 s within 1.2 s


def test_a_trickling_reply_stops_at_the_call_deadline_sync(server: _Server) -> None:
    server.routes[("POST", "/v1/api/generate")] = Behaviour("trickle", GENERATE["response"]["json"], every=0.3)
    with _sync(server) as client:
        took, error = _timed(lambda: client.generate(**GENERATE["call"]["kwargs"], deadline=1.5))
    assert isinstance(error, APITimeoutError)
    assert 1.5 <= took < 2.0
    assert str(error).startswith("generate gave up at its deadline (1.5s) while reading the reply")
    assert error.request_sent
    assert server.counts[("POST", "/v1/api/generate")] == 1


def test_a_trickling_reply_stops_at_the_client_deadline_async(server: _Server) -> None:
    server.routes[("POST", "/v1/api/generate")] = Behaviour("trickle", GENERATE["response"]["json"], every=0.3)
    took, error = _timed(
        lambda: _run_async(server, lambda c: c.generate(**GENERATE["call"]["kwargs"]), deadline=1.5)
    )
    assert isinstance(error, APITimeoutError)
    assert 1.5 <= took < 1.9
    assert "gave up at its deadline (1.5s) while reading the reply" in str(error)


def test_a_hung_generate_ends_at_its_deadline_and_says_it_may_have_been_sent(server: _Server) -> None:
    server.routes[("POST", "/v1/api/generate")] = Behaviour("hang")
    with _sync(server).with_options(deadline=1.0) as client:
        took, error = _timed(lambda: client.generate(**GENERATE["call"]["kwargs"]))
    assert 1.0 <= took < 1.5
    assert str(error).startswith("generate gave up at its deadline (1s) while waiting for the reply")
    assert "request may have been sent" in str(error)


@pytest.mark.parametrize("flavor", ["sync", "async"])
def test_a_stream_that_lingers_after_done_is_not_waited_for(server: _Server, flavor: str) -> None:
    """A finished stream reads the rest of its body to keep the connection, but only briefly."""
    server.routes[("POST", "/v1/chat/completions")] = Behaviour("linger", CHAT_STREAM["response"]["sse"][:-1])
    kwargs = CHAT_STREAM["call"]["kwargs"]
    started = time.monotonic()
    if flavor == "sync":
        with chat_stream.Client(KEY, base_url=server.url) as client, client.chat_completions_stream(**kwargs) as stream:
            chunks, completed = list(stream), stream.completed
    else:

        async def main() -> tuple[list[Any], bool]:
            client = chat_stream.AsyncClient(KEY, base_url=server.url)
            async with client, client.chat_completions_stream(**kwargs) as stream:
                return [chunk async for chunk in stream], stream.completed

        chunks, completed = asyncio.run(main())
    took = time.monotonic() - started
    assert len(chunks) == 1 and completed
    assert took < DRAIN_SECONDS + 1.0  # not the 10 s the server keeps the body open
