"""A real HTTP server on 127.0.0.1 that misbehaves on request.

Each test scripts what ``METHOD /path`` answers with a list of actions (the
last one repeats) and reads back how many requests each route got. The
server speaks HTTP/1.0, so every reply closes its connection: bodies
without a length end at the close, and no keep-alive state leaks from one
request (or one fault) into the next. Every wait is bounded and wakes up
when the server stops.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit


class Action(Protocol):
    def perform(self, handler: FaultHandler, server: FaultServer) -> None: ...


def _encode(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    return json.dumps(body, ensure_ascii=False).encode()


@dataclass(frozen=True)
class Reply:
    """A complete reply; ``declared_length`` lies about Content-Length (short body)."""

    status: int = 200
    body: Any = None
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()
    declared_length: int | None = None

    def perform(self, handler: FaultHandler, server: FaultServer) -> None:
        data = _encode(self.body)
        handler.send_response(self.status)
        handler.send_header("Content-Type", self.content_type)
        length = len(data) if self.declared_length is None else self.declared_length
        handler.send_header("Content-Length", str(length))
        for name, value in self.headers:
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)


@dataclass(frozen=True)
class Events:
    """An SSE reply: each event is sent (with its blank line) and flushed,
    then ``tail`` raw, then the connection closes after ``stall`` seconds."""

    events: tuple[str, ...]
    tail: str = ""
    stall: float = 0.0
    content_type: str = "text/event-stream"

    def perform(self, handler: FaultHandler, server: FaultServer) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", self.content_type)
        handler.send_header("Cache-Control", "no-cache")
        handler.end_headers()
        for event in self.events:
            handler.wfile.write((event + "\n\n").encode())
            handler.wfile.flush()
        if self.tail:
            handler.wfile.write(self.tail.encode())
            handler.wfile.flush()
        if self.stall:
            server.stopping.wait(self.stall)


@dataclass(frozen=True)
class Stall:
    """Say nothing for ``seconds`` (longer than the client's read timeout)."""

    seconds: float
    then: Action | None = None

    def perform(self, handler: FaultHandler, server: FaultServer) -> None:
        if not server.stopping.wait(self.seconds) and self.then is not None:
            self.then.perform(handler, server)


@dataclass(frozen=True)
class Hangup:
    """Close the socket without a reply: ``reset`` sends a TCP RST, else a FIN."""

    reset: bool = True

    def perform(self, handler: FaultHandler, server: FaultServer) -> None:
        connection = handler.connection
        if self.reset:
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        else:
            connection.shutdown(socket.SHUT_RDWR)
        handler.rfile.close()  # drops makefile's reference so close() really closes
        connection.close()
        handler.close_connection = True


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


class FaultHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    server: _HTTPServer
    timeout = 5  # a stuck client cannot hold a handler thread for long

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep the test output clean

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        headers = {name.lower(): value for name, value in self.headers.items()}
        seen = Seen(self.command, split.path, parse_qs(split.query), headers, body)
        self.server.fault.take(seen).perform(self, self.server.fault)

    do_GET = do_POST = _serve


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    fault: FaultServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # writes to a client that already gave up (timeouts) are expected


@dataclass
class FaultServer:
    routes: dict[tuple[str, str], list[Action]] = field(default_factory=dict)
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    seen: list[Seen] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._httpd = _HTTPServer(("127.0.0.1", 0), FaultHandler)
        self._httpd.fault = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def script(self, method: str, path: str, *actions: Action) -> None:
        """What ``method path`` answers, in order; the last action repeats."""
        with self._lock:
            self.routes[(method, path)] = list(actions)

    def count(self, method: str, path: str) -> int:
        with self._lock:
            return self.counts[(method, path)]

    def take(self, seen: Seen) -> Action:
        key = (seen.method, seen.path)
        with self._lock:
            self.counts[key] += 1
            self.seen.append(seen)
            steps = self.routes.get(key)
            if not steps:
                return Reply(404, {"error": {"message": f"no route {seen.method} {seen.path}"}})
            return steps.pop(0) if len(steps) > 1 else steps[0]

    def stop(self) -> None:
        self.stopping.set()  # wakes every stalled handler
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=2)
