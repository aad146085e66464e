"""``AsyncBaseClient``: the asynchronous twin of ``client.BaseClient``.

It mirrors BaseClient method for method; what differs is how it waits (asyncio)
and how it enforces a deadline: it can cancel a read in progress, so it runs the
send and each body read under ``asyncio.timeout`` (see ``deadline.py``).
Imported by ``client.py``, which generated clients import it from.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Self, TypeVar, cast

from pydantic import BaseModel

from .core import TOO_LATE, ClientCore, HasImages, Timeout, check_download, own_http
from .deadline import Deadline, check_seconds
from .decode import Exchange, aread_body, connection_error, status_error
from .descriptors import Endpoint
from .download import DownloadProgress, FileDownload
from .encode import RequestParts
from .errors import RelayError
from .extras import RequestExtras
from .images import Image
from .model import RelayModel, RelayResponse
from .raw import RawResponse, raw_mode

if TYPE_CHECKING:

    import httpx

    from .polling import ProgressCallback
    from .streaming import AsyncStream

__all__ = ["AsyncBaseClient"]

T = TypeVar("T", bound=BaseModel)
R = TypeVar("R", bound=RelayResponse)


class AsyncBaseClient(ClientCore):
    """Asynchronous client over ``httpx.AsyncClient``; mirrors BaseClient."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        deadline: float | None = None,
        max_retries: int = 2,
        retry_unsafe: bool = False,
        limits: httpx.Limits | None = None,
        headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """See ``BaseClient``; the gate is an asyncio.Semaphore, so thousands of
        ``gather()``ed calls wait in the client, not in httpx's pool."""
        import asyncio  # deferred: sync-only users should not pay for it

        import httpx

        from .pool import AsyncGate

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
            deadline=deadline,
            limits=limits,
        )
        self._http = http_client or own_http(httpx.AsyncClient(transport=transport, limits=self._limits))
        self._gate = AsyncGate(self._limits.max_connections)
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
        self,
        request: httpx.Request,
        exchange: Exchange,
        stream: bool,
        redirects: bool,
        deadline: Deadline | None,
    ) -> httpx.Response | RelayError:
        """See ``BaseClient._attempt``."""
        import httpx

        gate = self._gate
        slot = await gate.take(deadline, self._monotonic())
        if slot is None:
            assert deadline is not None
            return self._unsent(exchange, deadline, self._gate_wait)
        try:
            if deadline is not None and not self._clip(request, deadline):
                slot.release()
                return self._unsent(exchange, deadline, TOO_LATE)
            started = self._monotonic()
            try:
                if deadline is None:  # no coroutine of our own around httpx's
                    response = await self._http.send(
                        request, stream=True, follow_redirects=redirects
                    )
                else:
                    response = await self._send_within(request, redirects, deadline)
            except httpx.HTTPError as exc:
                slot.release()
                return self._failure(exc, exchange, deadline)
            gate.guard(response, slot, deadline, self._monotonic)
            if response.is_success and not stream:
                exchange.body = await aread_body(response)  # see BaseClient._attempt
        except httpx.HTTPError as exc:
            return self._failure(exc, exchange, deadline)
        except BaseException:
            slot.release()
            raise
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

    async def _send_within(
        self, request: httpx.Request, redirects: bool, deadline: Deadline
    ) -> httpx.Response:
        """``http.send`` under ``asyncio.timeout`` too: the clipped httpx timeouts end a
        stalled phase, this ends headers that trickle in."""
        import asyncio

        from .deadline import SLACK
        from .pool import DeadlineReached

        try:
            async with asyncio.timeout(deadline.remaining(self._monotonic()) + SLACK):
                return await self._http.send(request, stream=True, follow_redirects=redirects)
        except TimeoutError as exc:
            raise DeadlineReached("while waiting for the reply", request=request) from exc

    async def _send(
        self,
        name: str,
        idempotent: bool,
        parts: RequestParts,
        timeout: Timeout,
        *,
        deadline: Deadline | None,
        stream: bool = False,
        redirects: bool = False,
    ) -> tuple[httpx.Response, Exchange]:
        attempt = 0
        while True:
            request = self._build(self._http, parts, timeout)  # anew: each attempt is clipped
            exchange = self._exchange(name, request)
            result = await self._attempt(request, exchange, stream, redirects, deadline)
            if not isinstance(result, RelayError):
                return result, exchange
            delay = self._retry_delay(result, idempotent, attempt, deadline)
            if delay is None:
                raise result
            await self._sleep(delay)
            attempt += 1

    def _call(
        self,
        endpoint: Endpoint,
        parts: RequestParts,
        timeout: Timeout,
        deadline: Deadline | None,
        *,
        stream: bool,
    ) -> Awaitable[tuple[httpx.Response, Exchange]]:
        # Returns the coroutine of _send rather than awaiting it: one coroutine less per call.
        return self._send(
            endpoint.name,
            endpoint.idempotent,
            parts,
            timeout,
            deadline=deadline,
            stream=stream,
        )

    def _request(
        self,
        endpoint: Endpoint,
        request: RelayModel | None,
        response_model: type[T],
        *,
        timeout: Timeout = None,
        deadline: float | None = None,
        extra: RequestExtras | None = None,
    ) -> Awaitable[T]:
        """The call, with ``request`` encoded now (generated ``async def`` methods await
        it at once): the coroutine holds the request's bytes, not its model tree, so a
        thousand calls in flight keep fewer objects alive (bench figure 7)."""
        limit = self._call_deadline(deadline)
        parts = self._parts(endpoint, request, sse=False, extra=extra)
        return self._reply(endpoint, parts, response_model, timeout, limit)

    async def _reply(
        self,
        endpoint: Endpoint,
        parts: RequestParts,
        response_model: type[T],
        timeout: Timeout,
        deadline: Deadline | None,
    ) -> T:
        response, exchange = await self._call(endpoint, parts, timeout, deadline, stream=False)
        if raw_mode():  # client.with_raw_response: parsed on demand
            decode = partial(self._decode, endpoint, response, response_model, exchange)
            return cast(T, RawResponse(response, exchange, decode))
        return self._decode(endpoint, response, response_model, exchange)

    def _stream(
        self,
        endpoint: Endpoint,
        request: RelayModel | None,
        chunk_model: type[T],
        *,
        timeout: Timeout = None,
        deadline: float | None = None,
        extra: RequestExtras | None = None,
    ) -> AsyncStream[T]:
        """An SSE reply that connects on ``async with`` or first iteration.

        Not a coroutine, so generated ``def`` methods can return it directly;
        request validation errors still raise here, before any I/O. The deadline
        starts when the stream opens and runs on while it is read.
        """
        from .streaming import AsyncStream

        parts = self._parts(endpoint, request, sse=True, extra=extra)
        seconds = check_seconds("deadline", deadline)
        # A partial, not a lambda: fewer objects for each stream in flight (bench figure 7).
        opener = partial(self._open_stream, endpoint, parts, timeout, seconds)
        return AsyncStream(opener, endpoint, chunk_model)

    def _open_stream(
        self, endpoint: Endpoint, parts: RequestParts, timeout: Timeout, seconds: float | None
    ) -> Awaitable[tuple[httpx.Response, Exchange]]:
        return self._call(endpoint, parts, timeout, self._call_deadline(seconds), stream=True)

    async def _wait(
        self,
        poll: Callable[[], Awaitable[R]],
        *,
        task_id: str,
        method: str = "wait",
        poll_interval: float = 2.0,
        max_poll_interval: float = 15.0,
        on_progress: ProgressCallback | None = None,
    ) -> R:
        from .polling import WaitSettings, wait_async

        settings = WaitSettings(task_id, method, poll_interval, max_poll_interval, on_progress)
        return await wait_async(poll, settings, sleep=self._sleep, clock=self._monotonic)

    async def download(
        self, image: Image, *, timeout: Timeout = None, deadline: float | None = None
    ) -> bytes:
        if image.b64_data is not None:
            return image.data()
        limit = self._call_deadline(deadline)
        parts = self._download_parts(image)
        response, exchange = await self._send(
            "download",
            True,
            parts,
            timeout,
            deadline=limit,
            redirects=True,
        )
        return check_download(response, exchange)

    async def save_image(
        self,
        image: Image,
        directory: str | Path,
        stem: str = "image",
        *,
        on_progress: DownloadProgress | None = None,
        timeout: Timeout = None,
        deadline: float | None = None,
    ) -> Path:
        """See ``BaseClient.save_image``."""
        if image.b64_data is not None:
            return image.save(directory, stem)
        return await self._save_url(image, directory, stem, 1, on_progress, timeout, deadline)

    async def save_images(
        self,
        result: HasImages,
        directory: str | Path,
        stem: str = "image",
        *,
        on_progress: DownloadProgress | None = None,
        parallel: int = 4,
    ) -> list[Path]:
        """See ``BaseClient.save_images``; up to ``parallel`` downloads run at once, and
        the paths come back in the reply's order. If one download fails, the others are
        cancelled and their partial files removed."""
        import asyncio

        if parallel < 1:
            raise ValueError(f"parallel must be at least 1, not {parallel}")
        limit = asyncio.Semaphore(parallel)

        async def save(index: int, image: Image) -> Path:
            name = f"{stem}-{index}"
            if image.b64_data is not None:
                return image.save(directory, name)
            async with limit:
                return await self._save_url(image, directory, name, index, on_progress, None, None)

        images = result.images()
        if len(images) == 1:  # the common case needs no task of its own
            return [await save(1, images[0])]
        tasks = [
            asyncio.ensure_future(save(index, image))
            for index, image in enumerate(images, start=1)
        ]
        try:
            return list(await asyncio.gather(*tasks))
        except BaseException:
            # The first failure is raised as it is (an SDK error, not an ExceptionGroup);
            # the other downloads stop and remove their partial files first.
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise

    async def _save_url(
        self,
        image: Image,
        directory: str | Path,
        stem: str,
        index: int,
        on_progress: DownloadProgress | None,
        timeout: Timeout,
        deadline: float | None,
    ) -> Path:
        import httpx

        limit = self._call_deadline(deadline)
        parts = self._download_parts(image)
        response, exchange = await self._send(
            "download", True, parts, timeout, deadline=limit, stream=True, redirects=True
        )
        try:
            file = FileDownload(
                response, exchange, directory, stem, image.extension,
                index=index, on_progress=on_progress,
            )
            try:
                async for chunk in response.aiter_bytes():
                    file.write(chunk)
            except BaseException as exc:
                file.discard()
                if isinstance(exc, httpx.HTTPError):
                    raise connection_error(exc, exchange) from exc
                raise
            return file.finish()
        finally:
            await response.aclose()
