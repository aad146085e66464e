"""``BaseClient`` and ``AsyncBaseClient`` (``async_client.py``): what generated clients subclass.

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
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Self, TypeVar, cast

from pydantic import BaseModel

from .async_client import AsyncBaseClient
from .core import TOO_LATE, ClientCore, HasImages, Timeout, check_download, own_http
from .deadline import Deadline
from .decode import Exchange, connection_error, read_body, status_error
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
    from .streaming import Stream

__all__ = ["AsyncBaseClient", "BaseClient", "Timeout"]

T = TypeVar("T", bound=BaseModel)
R = TypeVar("R", bound=RelayResponse)


class BaseClient(ClientCore):
    """Synchronous client over ``httpx.Client``."""

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
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """``timeout`` bounds each phase of one HTTP attempt (connect, each read, write,
        the wait for a pooled connection); ``deadline`` (seconds, default none) bounds
        each call as a whole, retries and the reading of the reply included.
        ``limits`` sizes the connection pool this client creates (default: 1000
        connections, 100 kept alive) and the number of requests it lets into httpx at
        once; more calls wait their turn in the client (see ``pool.py``). Give it the
        limits of your ``http_client``/``transport`` when you pass one.
        ``retry_unsafe=True`` re-sends generation requests that may already have
        started work (see ``retries.py``); ``max_retries`` bounds re-sends."""
        import httpx

        from .pool import ThreadGate

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
        self._http = http_client or own_http(httpx.Client(transport=transport, limits=self._limits))
        self._gate = ThreadGate(self._limits.max_connections)
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
        self,
        request: httpx.Request,
        exchange: Exchange,
        stream: bool,
        redirects: bool,
        deadline: Deadline | None,
    ) -> httpx.Response | RelayError:
        """One send through the gate (``pool.py``): the slot goes with the response's body
        and comes back when it closes; an error gives it back at once."""
        import httpx

        gate = self._gate
        slot = gate.take(deadline, self._monotonic())
        if slot is None:
            assert deadline is not None  # only a deadline ends the wait for a slot
            return self._unsent(exchange, deadline, self._gate_wait)
        try:
            if deadline is not None and not self._clip(request, deadline):
                slot.release()
                return self._unsent(exchange, deadline, TOO_LATE)
            started = self._monotonic()
            try:
                response = self._http.send(request, stream=True, follow_redirects=redirects)
            except httpx.HTTPError as exc:
                slot.release()
                return self._failure(exc, exchange, deadline)
            gate.guard(response, slot, deadline, self._monotonic)
            if response.is_success and not stream:
                # Read here, inside the retry loop: a body cut short is a connection error.
                exchange.body = read_body(response)
        except httpx.HTTPError as exc:
            return self._failure(exc, exchange, deadline)  # the body's close gave the slot back
        except BaseException:
            slot.release()
            raise
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
        parts: RequestParts,
        timeout: Timeout,
        *,
        deadline: Deadline | None,
        stream: bool = False,
        redirects: bool = False,
    ) -> tuple[httpx.Response, Exchange]:
        """Send with retries (see ``retries.py``) within ``deadline``; returns a 2xx response."""
        attempt = 0
        while True:
            request = self._build(self._http, parts, timeout)  # anew: each attempt is clipped
            exchange = self._exchange(name, request)
            result = self._attempt(request, exchange, stream, redirects, deadline)
            if not isinstance(result, RelayError):
                return result, exchange
            delay = self._retry_delay(result, idempotent, attempt, deadline)
            if delay is None:
                raise result
            self._sleep(delay)
            attempt += 1

    def _call(
        self,
        endpoint: Endpoint,
        parts: RequestParts,
        timeout: Timeout,
        deadline: Deadline | None,
        *,
        stream: bool,
    ) -> tuple[httpx.Response, Exchange]:
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
    ) -> T:
        """Send ``request`` to ``endpoint`` and return the validated reply."""
        limit = self._call_deadline(deadline)
        parts = self._parts(endpoint, request, sse=False, extra=extra)
        response, exchange = self._call(endpoint, parts, timeout, limit, stream=False)
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
    ) -> Stream[T]:
        """Open an SSE reply; status errors raise here, before iteration. The deadline
        runs on while the stream is read."""
        from .streaming import ChunkReader, Stream

        limit = self._call_deadline(deadline)
        parts = self._parts(endpoint, request, sse=True, extra=extra)
        response, exchange = self._call(endpoint, parts, timeout, limit, stream=True)
        return Stream(response, ChunkReader(endpoint, chunk_model, exchange))

    def _wait(
        self,
        poll: Callable[[], R],
        *,
        task_id: str,
        method: str = "wait",
        poll_interval: float = 2.0,
        max_poll_interval: float = 15.0,
        on_progress: ProgressCallback | None = None,
    ) -> R:
        """Call ``poll`` until its task is terminal, within the deadline of the scope the
        wait helper opened (``_deadline_scope``); see ``polling.py``. ``method`` names
        that helper in errors."""
        from .polling import WaitSettings, wait_sync

        settings = WaitSettings(task_id, method, poll_interval, max_poll_interval, on_progress)
        return wait_sync(poll, settings, sleep=self._sleep, clock=self._monotonic)

    def download(
        self, image: Image, *, timeout: Timeout = None, deadline: float | None = None
    ) -> bytes:
        """The image's bytes: decoded inline data, or a GET of its URL."""
        if image.b64_data is not None:
            return image.data()
        limit = self._call_deadline(deadline)
        parts = self._download_parts(image)
        response, exchange = self._send(
            "download",
            True,
            parts,
            timeout,
            deadline=limit,
            redirects=True,
        )
        return check_download(response, exchange)

    def save_image(
        self,
        image: Image,
        directory: str | Path,
        stem: str = "image",
        *,
        on_progress: DownloadProgress | None = None,
        timeout: Timeout = None,
        deadline: float | None = None,
    ) -> Path:
        """Write ``image`` (inline, or downloaded to disk as it arrives) to ``directory``.

        ``on_progress(1, written, total)`` follows a download (total: None without a
        Content-Length). Returns the path; a failed download leaves no file.
        """
        if image.b64_data is not None:
            return image.save(directory, stem)
        return self._save_url(image, directory, stem, 1, on_progress, timeout, deadline)

    def save_images(
        self,
        result: HasImages,
        directory: str | Path,
        stem: str = "image",
        *,
        on_progress: DownloadProgress | None = None,
    ) -> list[Path]:
        """Save every image of a reply (or a consumed stream) as ``<stem>-<n>.<ext>``.

        Inline images are decoded; URL images are downloaded through this client, each
        straight to disk. File names come from ``stem``, never from the server.
        ``on_progress(n, written, total)`` follows the download of image ``n``.
        """
        paths = []
        for index, image in enumerate(result.images(), start=1):
            name = f"{stem}-{index}"
            if image.b64_data is not None:
                paths.append(image.save(directory, name))
            else:
                paths.append(self._save_url(image, directory, name, index, on_progress, None, None))
        return paths

    def _save_url(
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
        response, exchange = self._send(
            "download", True, parts, timeout, deadline=limit, stream=True, redirects=True
        )
        try:
            file = FileDownload(
                response, exchange, directory, stem, image.extension,
                index=index, on_progress=on_progress,
            )
            try:
                for chunk in response.iter_bytes():
                    file.write(chunk)
            except BaseException as exc:
                file.discard()
                if isinstance(exc, httpx.HTTPError):
                    raise connection_error(exc, exchange) from exc
                raise
            return file.finish()
        finally:
            response.close()
