"""``BaseClient`` and ``AsyncBaseClient``: what generated clients subclass.

A generated client sets ``_provider`` and adds one thin method per endpoint
that builds its request model and calls ``_request``, ``_stream`` or
``_wait``. Sending, retrying, decoding and error mapping all live here.

Importing a provider loads this module but not httpx (about half of the
import time, see bench/import_time.py): httpx is imported when a client is
created, and the streaming and polling code when first used. Modules on the
import path name httpx in annotations only, or import it inside a function.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self, TypeAlias, TypeVar

from pydantic import BaseModel

from .core import ClientCore
from .decode import Exchange, aread_body, connection_error, read_body, status_error
from .descriptors import Endpoint
from .encode import RequestParts
from .errors import RelayError
from .images import Image, save_bytes
from .model import RelayModel, RelayResponse

if TYPE_CHECKING:
    import httpx

    from .polling import ProgressCallback
    from .streaming import AsyncStream, Stream

__all__ = ["AsyncBaseClient", "BaseClient", "Timeout"]

T = TypeVar("T", bound=BaseModel)


class HasImages(Protocol):
    """A reply model or a stream: anything whose ``images()`` lists its images."""

    def images(self) -> list[Image]: ...


R = TypeVar("R", bound=RelayResponse)
# A string, so that naming it in generated signatures does not import httpx.
Timeout: TypeAlias = "float | httpx.Timeout | None"


def _check_download(response: httpx.Response, exchange: Exchange) -> bytes:
    kind = response.headers.get("content-type", "")
    # An expired link often answers 200 with an HTML or JSON error page.
    if kind.startswith(("text/html", "application/json")):
        raise RelayError(
            f"download did not return an image (content type {kind})",
            **exchange.facts(response),
        )
    return exchange.reply_body(response)


class BaseClient(ClientCore):
    """Synchronous client over ``httpx.Client``."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = 2,
        retry_unsafe: bool = False,
        headers: Mapping[str, str] | None = None,
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """``retry_unsafe=True`` re-sends generation requests that may already
        have started work (see ``retries.py``); ``max_retries`` bounds re-sends."""
        import httpx

        if http_client is not None and transport is not None:
            raise TypeError("pass http_client or transport, not both")
        self._configure(
            api_key,
            base_url,
            timeout,
            max_retries,
            headers,
            own_client=http_client is None,
            retry_unsafe=retry_unsafe,
        )
        self._http = http_client or httpx.Client(transport=transport)
        self._sleep: Callable[[float], None] = time.sleep

    def close(self) -> None:
        """Close the connection pool (only when this client created it; never
        from a ``with_options`` copy)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _attempt(
        self, request: httpx.Request, exchange: Exchange, stream: bool, redirects: bool
    ) -> httpx.Response | RelayError:
        import httpx

        started = self._monotonic()
        try:
            response = self._http.send(request, stream=True, follow_redirects=redirects)
            if response.is_success and not stream:
                # Read here, inside the retry loop: a body cut short is a connection error.
                exchange.body = read_body(response)
        except httpx.HTTPError as exc:
            return connection_error(exc, exchange)
        self._log_response(exchange, response, started)
        if response.is_success:
            return response
        try:
            response.read()
        except httpx.HTTPError:
            pass  # the status alone still makes a useful error
        finally:
            response.close()
        return status_error(response, exchange)

    def _send(
        self,
        name: str,
        idempotent: bool,
        build: Callable[[], httpx.Request],
        *,
        stream: bool = False,
        redirects: bool = False,
    ) -> tuple[httpx.Response, Exchange]:
        """Send with retries (see ``retries.py``); returns a 2xx response."""
        attempt = 0
        while True:
            request = build()
            exchange = self._exchange(name, request)
            result = self._attempt(request, exchange, stream, redirects)
            if not isinstance(result, RelayError):
                return result, exchange
            delay = self._retry_delay(result, idempotent, attempt)
            if delay is None:
                raise result
            self._sleep(delay)
            attempt += 1

    def _call(
        self, endpoint: Endpoint, parts: RequestParts, timeout: Timeout, *, stream: bool
    ) -> tuple[httpx.Response, Exchange]:
        return self._send(
            endpoint.name,
            endpoint.idempotent,
            lambda: self._build(self._http, parts, timeout),
            stream=stream,
        )

    def _request(
        self,
        endpoint: Endpoint,
        request: RelayModel | None,
        response_model: type[T],
        *,
        timeout: Timeout = None,
    ) -> T:
        """Send ``request`` to ``endpoint`` and return the validated reply."""
        parts = self._parts(endpoint, request, sse=False)
        response, exchange = self._call(endpoint, parts, timeout, stream=False)
        return self._decode(endpoint, response, response_model, exchange)

    def _stream(
        self,
        endpoint: Endpoint,
        request: RelayModel | None,
        chunk_model: type[T],
        *,
        timeout: Timeout = None,
    ) -> Stream[T]:
        """Open an SSE reply; status errors raise here, before iteration."""
        from .streaming import ChunkReader, Stream

        parts = self._parts(endpoint, request, sse=True)
        response, exchange = self._call(endpoint, parts, timeout, stream=True)
        return Stream(response, ChunkReader(endpoint, chunk_model, exchange))

    def _wait(
        self,
        poll: Callable[[], R],
        *,
        interval: float = 2.0,
        max_interval: float = 15.0,
        timeout: float = 900.0,
        on_progress: ProgressCallback | None = None,
    ) -> R:
        """Call ``poll`` until its task is terminal; see ``polling.py``."""
        from .polling import WaitSettings, wait_sync

        settings = WaitSettings(interval, max_interval, timeout, on_progress)
        return wait_sync(poll, settings, sleep=self._sleep, clock=self._monotonic)

    def download(self, image: Image, *, timeout: Timeout = None) -> bytes:
        """The image's bytes: decoded inline data, or a GET of its URL."""
        if image.b64_data is not None:
            return image.data()
        parts = self._download_parts(image)
        response, exchange = self._send(
            "download", True, lambda: self._build(self._http, parts, timeout), redirects=True
        )
        return _check_download(response, exchange)

    def save_image(self, image: Image, directory: str | Path, stem: str = "image") -> Path:
        """Write ``image`` (inline or downloaded) to ``directory``; returns the path."""
        if image.b64_data is not None:
            return image.save(directory, stem)
        return save_bytes(self.download(image), directory, stem, image.extension)

    def save_images(
        self, result: HasImages, directory: str | Path, stem: str = "image"
    ) -> list[Path]:
        """Save every image of a reply (or a consumed stream) as ``<stem>-<n>.<ext>``.

        Inline images are decoded; URL images are downloaded through this client.
        File names come from ``stem``, never from the server.
        """
        return [
            self.save_image(image, directory, f"{stem}-{index}")
            for index, image in enumerate(result.images(), start=1)
        ]


class AsyncBaseClient(ClientCore):
    """Asynchronous client over ``httpx.AsyncClient``; mirrors BaseClient."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = 2,
        retry_unsafe: bool = False,
        headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        import asyncio  # deferred: sync-only users should not pay for it

        import httpx

        if http_client is not None and transport is not None:
            raise TypeError("pass http_client or transport, not both")
        self._configure(
            api_key,
            base_url,
            timeout,
            max_retries,
            headers,
            own_client=http_client is None,
            retry_unsafe=retry_unsafe,
        )
        self._http = http_client or httpx.AsyncClient(transport=transport)
        self._sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    async def aclose(self) -> None:
        """Close the connection pool (only when this client created it)."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _attempt(
        self, request: httpx.Request, exchange: Exchange, stream: bool, redirects: bool
    ) -> httpx.Response | RelayError:
        import httpx

        started = self._monotonic()
        try:
            response = await self._http.send(request, stream=True, follow_redirects=redirects)
            if response.is_success and not stream:
                exchange.body = await aread_body(response)  # see BaseClient._attempt
        except httpx.HTTPError as exc:
            return connection_error(exc, exchange)
        self._log_response(exchange, response, started)
        if response.is_success:
            return response
        try:
            await response.aread()
        except httpx.HTTPError:
            pass  # the status alone still makes a useful error
        finally:
            await response.aclose()
        return status_error(response, exchange)

    async def _send(
        self,
        name: str,
        idempotent: bool,
        build: Callable[[], httpx.Request],
        *,
        stream: bool = False,
        redirects: bool = False,
    ) -> tuple[httpx.Response, Exchange]:
        attempt = 0
        while True:
            request = build()
            exchange = self._exchange(name, request)
            result = await self._attempt(request, exchange, stream, redirects)
            if not isinstance(result, RelayError):
                return result, exchange
            delay = self._retry_delay(result, idempotent, attempt)
            if delay is None:
                raise result
            await self._sleep(delay)
            attempt += 1

    def _call(
        self, endpoint: Endpoint, parts: RequestParts, timeout: Timeout, *, stream: bool
    ) -> Awaitable[tuple[httpx.Response, Exchange]]:
        # Returns the coroutine of _send rather than awaiting it: one coroutine less per call.
        return self._send(
            endpoint.name,
            endpoint.idempotent,
            lambda: self._build(self._http, parts, timeout),
            stream=stream,
        )

    async def _request(
        self,
        endpoint: Endpoint,
        request: RelayModel | None,
        response_model: type[T],
        *,
        timeout: Timeout = None,
    ) -> T:
        parts = self._parts(endpoint, request, sse=False)
        response, exchange = await self._call(endpoint, parts, timeout, stream=False)
        return self._decode(endpoint, response, response_model, exchange)

    def _stream(
        self,
        endpoint: Endpoint,
        request: RelayModel | None,
        chunk_model: type[T],
        *,
        timeout: Timeout = None,
    ) -> AsyncStream[T]:
        """An SSE reply that connects on ``async with`` or first iteration.

        Not a coroutine, so generated ``def`` methods can return it directly;
        request validation errors still raise here, before any I/O.
        """
        from .streaming import AsyncStream

        parts = self._parts(endpoint, request, sse=True)
        return AsyncStream(
            lambda: self._call(endpoint, parts, timeout, stream=True), endpoint, chunk_model
        )

    async def _wait(
        self,
        poll: Callable[[], Awaitable[R]],
        *,
        interval: float = 2.0,
        max_interval: float = 15.0,
        timeout: float = 900.0,
        on_progress: ProgressCallback | None = None,
    ) -> R:
        from .polling import WaitSettings, wait_async

        settings = WaitSettings(interval, max_interval, timeout, on_progress)
        return await wait_async(poll, settings, sleep=self._sleep, clock=self._monotonic)

    async def download(self, image: Image, *, timeout: Timeout = None) -> bytes:
        if image.b64_data is not None:
            return image.data()
        parts = self._download_parts(image)
        response, exchange = await self._send(
            "download", True, lambda: self._build(self._http, parts, timeout), redirects=True
        )
        return _check_download(response, exchange)

    async def save_image(self, image: Image, directory: str | Path, stem: str = "image") -> Path:
        if image.b64_data is not None:
            return image.save(directory, stem)
        return save_bytes(await self.download(image), directory, stem, image.extension)

    async def save_images(
        self, result: HasImages, directory: str | Path, stem: str = "image"
    ) -> list[Path]:
        """Save every image of a reply (or a consumed stream); see ``BaseClient.save_images``."""
        return [
            await self.save_image(image, directory, f"{stem}-{index}")
            for index, image in enumerate(result.images(), start=1)
        ]
