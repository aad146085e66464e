"""A fast local chat-completions relay for figure 7 and the concurrency tests.

``python -m bench.relay_server`` listens on 127.0.0.1 (ephemeral port), prints the port on
its first line of stdout and serves until terminated or its stdin closes. It speaks
HTTP/1.1 with keep-alive (pipelining is not needed by any client here), written on
asyncio's Protocol API so that it is not the bottleneck of a thousand concurrent calls:

- ``POST /v1/chat/completions`` answers like chat_stream's recorded fixtures: a
  ``chat.completion`` JSON reply when the body has ``"stream": false`` (or none), and a
  chunked ``text/event-stream`` of the recorded chunk then ``data: [DONE]`` when it has
  ``"stream": true``. The events and the chunked-body terminator go out in separate writes,
  as a streaming server sends them.
- Under the prefix ``/self`` (a base URL of ``http://127.0.0.1:PORT/self``) the same
  chat completion names an image this server holds instead of the recorded CDN link:
  ``GET /img/<name>.png`` answers a real 64x64 PNG (figure 8b saves what it downloads).
- ``GET /__stats`` answers ``{"connections": n, "requests": m, "peak": p}``: the TCP
  connections that carried at least one relay request, the relay requests served, and the
  most such connections open at once. ``POST /__reset`` sets the first two to zero and the
  peak to the connections open now. Control requests are not counted, so a fresh
  connection used only to ask is not either.

Every connection is counted when its first relay request arrives, which is what "TCP
connections opened" means for a client: a connection it opened and used. A pool's limit
bounds the peak; the count over a run may exceed it when the pool replaces a connection
(keep-alive expiry, a socket it found readable while idle).
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import struct
import subprocess
import sys
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.sdk_process import fixture

ROOT = Path(__file__).resolve().parent.parent
_MAX_HEAD = 64 * 1024


def chat_reply() -> bytes:
    """The body of a non-streamed chat completion (chat_stream's recorded fixture)."""
    return json.dumps(fixture(ROOT, "chat_stream", "chat_completions_text_to_image")["response"]["json"]).encode()


def stream_events() -> list[bytes]:
    """The SSE events of a streamed chat completion, ``[DONE]`` included."""
    recorded = fixture(ROOT, "chat_stream", "chat_completions_stream_text_to_image")
    events = [f"data: {data}\n\n".encode() for data in recorded["response"]["sse"]]
    if not events[-1].startswith(b"data: [DONE]"):
        events.append(b"data: [DONE]\n\n")
    return events


def small_png(side: int = 64) -> bytes:
    """A valid ``side`` x ``side`` RGB PNG (a gradient), built with the standard library."""

    def block(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(value for x in range(side) for value in (x * 4 % 256, y * 4 % 256, 128))
                    for y in range(side))
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + block(b"IHDR", header) + block(b"IDAT", zlib.compress(rows)) + block(b"IEND", b"")


def self_reply(base: str) -> bytes:
    """The chat completion of ``chat_reply`` with its image at ``base``/img/…png."""
    reply = fixture(ROOT, "chat_stream", "chat_completions_text_to_image")["response"]["json"]
    url = f"{base}/img/out.png"
    reply["choices"][0]["message"]["content"] = url
    reply.setdefault("media", {})["outputs"] = [url]
    return json.dumps(reply).encode()


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


class Stats:
    def __init__(self) -> None:
        self.connections = 0
        self.requests = 0
        self.open = 0
        self.peak = 0
        # The /self chat completion (it names this server's port) and the image it names.
        self.self_reply = b""
        self.png = small_png()


class RelayProtocol(asyncio.Protocol):
    def __init__(self, stats: Stats, json_reply: bytes, events: list[bytes]) -> None:
        self.stats, self.json_reply, self.events = stats, json_reply, events
        self.buffer = bytearray()
        self.counted = False
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        if self.counted:
            self.stats.open -= 1

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self._one_request():
            pass

    def _one_request(self) -> bool:
        """Serve one complete request from the buffer; False when more bytes are needed."""
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self.buffer) > _MAX_HEAD and self.transport is not None:
                self.transport.close()
            return False
        head = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        length = 0
        for line in head[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        if len(self.buffer) < end + 4 + length:
            return False
        body = bytes(self.buffer[end + 4 : end + 4 + length])
        del self.buffer[: end + 4 + length]
        method, target = head[0].split(" ")[:2]
        self._route(method, target, body)
        return True

    def _route(self, method: str, target: str, body: bytes) -> None:
        if target == "/__stats":
            stats = {"connections": self.stats.connections, "requests": self.stats.requests, "peak": self.stats.peak}
            self._send_json(json.dumps(stats).encode())
            return
        if target == "/__reset":
            self.stats.connections = self.stats.requests = 0
            self.stats.peak = self.stats.open
            self._send_json(b"{}")
            return
        if not self.counted:
            self.counted = True
            self.stats.connections += 1
            self.stats.open += 1
            self.stats.peak = max(self.stats.peak, self.stats.open)
        self.stats.requests += 1
        if method == "GET" and target.startswith("/img/"):
            self._send_json(self.stats.png, content_type=b"image/png")
            return
        if method == "POST" and target.startswith("/self/v1/chat/completions"):
            self._send_json(self.stats.self_reply)
            return
        if method == "POST" and target.startswith("/v1/chat/completions"):
            if json.loads(body or b"{}").get("stream"):
                self._send_events()
            else:
                self._send_json(self.json_reply)
            return
        self._send_json(b'{"error": {"message": "no such route"}}', status=b"404 Not Found")

    def _send_json(self, body: bytes, status: bytes = b"200 OK", content_type: bytes = b"application/json") -> None:
        assert self.transport is not None
        self.transport.write(
            b"HTTP/1.1 %s\r\ncontent-type: %s\r\ncontent-length: %d\r\n\r\n%s"
            % (status, content_type, len(body), body)
        )

    def _send_events(self) -> None:
        assert self.transport is not None
        self.transport.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\n"
            b"transfer-encoding: chunked\r\n\r\n"
        )
        for event in self.events:
            self.transport.write(_chunk(event))
        self.transport.write(b"0\r\n\r\n")


async def serve(port_out: Any = sys.stdout) -> None:
    loop = asyncio.get_running_loop()
    stats, json_reply, events = Stats(), chat_reply(), stream_events()
    server = await loop.create_server(lambda: RelayProtocol(stats, json_reply, events), "127.0.0.1", 0, backlog=4096)
    port = server.sockets[0].getsockname()[1]
    stats.self_reply = self_reply(f"http://127.0.0.1:{port}")
    print(port, file=port_out, flush=True)
    # Ends when the parent closes our stdin (or dies): no orphan server outlives a test.
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


@dataclass(frozen=True)
class RelayServer:
    """A running relay_server process, seen from its parent."""

    url: str

    def _control(self, method: str, path: str) -> dict[str, int]:
        host, port = self.url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        try:
            connection.request(method, path)
            data: dict[str, int] = json.loads(connection.getresponse().read())
            return data
        finally:
            connection.close()

    def stats(self) -> dict[str, int]:
        """``{"connections": n, "requests": m, "peak": p}`` since the start or the last reset."""
        return self._control("GET", "/__stats")

    def reset(self) -> None:
        self._control("POST", "/__reset")


@contextmanager
def running_relay(python: str = sys.executable) -> Iterator[RelayServer]:
    """Start the server in its own process (its own GIL: the client under test gets a
    core to itself) and stop it on exit."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))}
    process = subprocess.Popen([python, "-m", "bench.relay_server"], cwd=ROOT, env=env, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        yield RelayServer(f"http://127.0.0.1:{port}")
    finally:
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


if __name__ == "__main__":
    asyncio.run(serve())
