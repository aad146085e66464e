"""``MockRelay``: a provider's mock relay in this process, on a real socket or as a transport.

``with MockRelay("api_generate") as relay:`` serves the mock on 127.0.0.1 (a free port) in
a background thread; ``relay.url`` is its base URL, ``relay.client()`` a client pointed at
it, and ``relay.transport`` / ``relay.async_transport`` reach the app with no socket at all.
``serve`` runs one in the foreground (``imagerelay mock PROVIDER``).
"""

from __future__ import annotations

import asyncio
import threading
import time
from types import TracebackType
from typing import Any, Self

import httpx

from .mock_app import Faults, TaskOutcome, mock_app

__all__ = ["DEFAULT_KEY", "MockRelay", "serve"]

# The key the mock accepts unless told otherwise; a stand-in, never a real one.
DEFAULT_KEY = "sk-mock-relay"
_START_SECONDS = 10.0


class MockRelay:
    """One provider's mock relay; a context manager (the socket is served while inside)."""

    def __init__(self, provider: str, *, key: str | None = DEFAULT_KEY, host: str = "127.0.0.1", port: int = 0,
                 task_seconds: float = 0.5, task_outcome: TaskOutcome = "success",
                 faults: Faults | None = None) -> None:
        self.provider = provider
        # None accepts any non-empty key.
        self.key = key
        self.host, self.port = host, port
        self.app = mock_app(provider, key=key, task_seconds=task_seconds, task_outcome=task_outcome, faults=faults)
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.url = ""

    def __enter__(self) -> Self:
        import uvicorn

        config = uvicorn.Config(self.app, host=self.host, port=self.port, log_level="warning", lifespan="off",
                                access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name=f"mock-{self.provider}", daemon=True)
        self._thread.start()
        started = time.monotonic()
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() - started > _START_SECONDS:
                raise RuntimeError(f"the {self.provider} mock relay did not start on {self.host}:{self.port}")
            time.sleep(0.01)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://{self.host}:{port}"
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(_START_SECONDS)
        self._server, self._thread = None, None

    @property
    def async_transport(self) -> httpx.AsyncBaseTransport:
        """An ``httpx.AsyncBaseTransport`` into the app: no socket, for async clients."""
        return httpx.ASGITransport(app=self.app)

    @property
    def transport(self) -> httpx.BaseTransport:
        """An ``httpx.BaseTransport`` into the app: no socket, for sync clients."""
        return _SyncASGITransport(self.app)

    def client(self, *, asynchronous: bool = False, in_process: bool = False, **options: Any) -> Any:
        """The provider's ``Client`` (``AsyncClient``) with this mock's key, pointed at it:
        over the socket (inside ``with``), or ``in_process`` through the transport."""
        from .facade import client_class

        cls = client_class(self.provider, "AsyncClient" if asynchronous else "Client")
        if in_process:
            transport = self.async_transport if asynchronous else self.transport
            return cls(api_key=self.key or DEFAULT_KEY, base_url="http://mock.relay", transport=transport, **options)
        if not self.url:
            raise RuntimeError("the mock relay is not serving: use it as `with MockRelay(...) as relay:`")
        return cls(api_key=self.key or DEFAULT_KEY, base_url=self.url, **options)


class _SyncASGITransport(httpx.BaseTransport):
    """httpx's ASGI transport for sync clients: the app runs on an event loop of its own, in
    a daemon thread, so a sync client works from plain code and from inside async code alike."""

    def __init__(self, app: Any) -> None:
        self._inner = httpx.ASGITransport(app=app)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(target=_run_until_stopped, args=(loop,), name="mock-relay-transport",
                                 daemon=True).start()
                self._loop = loop
            return self._loop

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def send() -> httpx.Response:
            response = await self._inner.handle_async_request(request)
            body = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=body)

        return asyncio.run_coroutine_threadsafe(send(), self._running_loop()).result()

    def close(self) -> None:
        with self._lock:
            loop, self._loop = self._loop, None
        if loop is not None:
            loop.call_soon_threadsafe(loop.stop)


def _run_until_stopped(loop: asyncio.AbstractEventLoop) -> None:
    try:
        loop.run_forever()
    finally:
        loop.close()


def serve(provider: str, *, host: str = "127.0.0.1", port: int = 8765, key: str | None = DEFAULT_KEY,
          task_seconds: float = 0.5, task_outcome: TaskOutcome = "success", faults: Faults | None = None) -> None:
    """Serve ``provider``'s mock relay in the foreground until interrupted."""
    import uvicorn

    app = mock_app(provider, key=key, task_seconds=task_seconds, task_outcome=task_outcome, faults=faults)
    uvicorn.run(app, host=host, port=port, log_level="warning", lifespan="off", access_log=False)
