"""Fixtures of the fault corpus: a real server, and a harness that drives the
generated clients (sync or async) against it and checks that the API key
never shows in an error or a log record.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import httpx
import pytest
from fault_calls import Call
from fault_server import FaultServer
from imagerelay._runtime.images import Image
from imagerelay._runtime.model import RelayResponse
from imagerelay._runtime.streaming import AsyncStream, Stream

KEY = "sk-fault-SECRET-123"
# Retries and polls really sleep, but never longer than this.
MAX_SLEEP = 0.01


def assert_key_hidden(error: BaseException) -> None:
    """The key is in none of the ways an error is usually shown."""
    texts = [
        str(error),
        repr(error),
        "".join(traceback.format_exception(error)),
        repr(vars(error)),
    ]
    for text in texts:
        assert KEY not in text


@dataclass
class Outcome:
    value: Any  # the reply model, or the list of stream chunks
    images: list[Image]


def _finish_sync(result: Any) -> Outcome:
    if isinstance(result, Stream):
        with result:
            chunks = list(result)
        return Outcome(chunks, result.images())
    images = result.images() if isinstance(result, RelayResponse) else []
    return Outcome(result, images)


async def _finish_async(result: Any) -> Outcome:
    if isinstance(result, AsyncStream):
        async with result:
            chunks = [chunk async for chunk in result]
        return Outcome(chunks, result.images())
    value = await result if inspect.isawaitable(result) else result
    images = value.images() if isinstance(value, RelayResponse) else []
    return Outcome(value, images)


def _tiny_sleep(seconds: float) -> None:
    time.sleep(min(seconds, MAX_SLEEP))


async def _tiny_async_sleep(seconds: float) -> None:
    await asyncio.sleep(min(seconds, MAX_SLEEP))


class Relay:
    """Runs generated client calls of one flavor ("sync"/"async") against the server."""

    def __init__(self, server: FaultServer, flavor: str) -> None:
        self.server, self.flavor = server, flavor

    def client(self, module: ModuleType, **overrides: Any) -> Any:
        sync = self.flavor == "sync"
        cls = module.Client if sync else module.AsyncClient
        # Plain http to 127.0.0.1 only: skip loading CA certificates (30 ms a client).
        transport = (
            httpx.HTTPTransport(verify=False) if sync else httpx.AsyncHTTPTransport(verify=False)
        )
        settings = {
            "api_key": KEY,
            "base_url": self.server.url,
            "timeout": 5.0,
            "transport": transport,
            **overrides,
        }
        client = cls(**settings)
        client._sleep = _tiny_sleep if self.flavor == "sync" else _tiny_async_sleep
        return client

    def run(
        self,
        module: ModuleType,
        invoke: Callable[[Any], Any],
        via: Callable[[Any], Any] | None = None,
        **client_settings: Any,
    ) -> Outcome:
        """``invoke(client)`` on a fresh client (``via`` may derive another from it)."""
        if self.flavor == "sync":
            with self.client(module, **client_settings) as client:
                return _finish_sync(invoke(via(client) if via else client))

        async def main() -> Outcome:
            async with self.client(module, **client_settings) as client:
                return await _finish_async(invoke(via(client) if via else client))

        return asyncio.run(main())

    def call(self, call: Call, **settings: Any) -> Outcome:
        return self.run(call.module, call.invoke, **settings)

    def fails(self, error: type[BaseException], call: Call, **settings: Any) -> Any:
        with pytest.raises(error) as caught:
            self.call(call, **settings)
        assert_key_hidden(caught.value)
        return caught.value

    def fails_run(
        self, error: type[BaseException], module: ModuleType, invoke: Callable[[Any], Any]
    ) -> Any:
        with pytest.raises(error) as caught:
            self.run(module, invoke)
        assert_key_hidden(caught.value)
        return caught.value


@pytest.fixture
def server() -> Iterator[FaultServer]:
    fault_server = FaultServer()
    try:
        yield fault_server
    finally:
        fault_server.stop()


@pytest.fixture(params=["sync", "async"])
def flavor(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def relay(server: FaultServer, flavor: str, caplog: pytest.LogCaptureFixture) -> Iterator[Relay]:
    """The harness; afterwards, no log record of the test may contain the key."""
    caplog.set_level(logging.DEBUG)
    yield Relay(server, flavor)
    for record in caplog.get_records("setup") + caplog.get_records("call"):
        text = record.getMessage() + (record.exc_text or "")
        assert KEY not in text, f"API key in a log record of {record.name}"
