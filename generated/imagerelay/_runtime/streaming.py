"""Server-sent-event replies as iterators of validated chunk models.

Events are decoded by ``sse.EventDecoder``: ``:`` comment lines (keep-alives)
never reach us, multi-line ``data:`` fields arrive joined with ``"\n"``, and an
event cut off before its blank line is dropped, as the SSE spec says. A stream is complete when its ``stream_done`` data value arrives,
a chunk carries a value at ``stream_finish``, or (for chunks that describe a
task) a chunk reaches a terminal task status. A stream that could have
signalled its end in any of these ways and ends without doing so raises
StreamIncompleteError, because a silently truncated image is worse than an
error. Chunks that set a refusal marker raise ContentPolicyError, and a
``requires_image`` stream that ends with no image raises NoImageError. A 2xx
reply that is one JSON chunk instead of an event stream (a relay ignoring
``stream: true``) is read as a stream of that one chunk.

A stream that signalled its end reads what little the server still sends (the
chunked-body terminator) before it closes, so its connection goes back to the
pool instead of being dropped (bounded: ``pool.py``). The call's deadline runs
while the stream is read; when it passes, iteration raises APITimeoutError.
"""

from __future__ import annotations

from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Awaitable,
    Callable,
    Generator,
    Iterator,
    Mapping,
)
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar, cast

from pydantic import BaseModel

from .decode import (
    Exchange,
    connection_error,
    parse_event,
    parse_json_or_none,
    scrub_cause,
    validate_payload,
)
from .descriptors import Endpoint
from .errors import (
    APIConnectionError,
    APITimeoutError,
    ProviderError,
    RelayError,
    ResponseValidationError,
    StreamIncompleteError,
)
from .images import Image, ImageCollector
from .model import RelayResponse
from .outcome import no_image_error, refusal_error, task_failure_error, task_reply_error
from .paths import find_all
from .sse import Event, EventDecoder

if TYPE_CHECKING:
    # Imported where used: a provider module imports Stream for its annotations, and
    # importing a provider must not load httpx (it loads when a client is created).
    import httpx

__all__ = ["AsyncStream", "ChunkReader", "Stream"]

T = TypeVar("T", bound=BaseModel)

_KEEPALIVE_EVENTS = frozenset({"ping", "keepalive", "keep-alive", "heartbeat"})


def _holds_error(payload: Any) -> bool:
    """An OpenAI-style ``{"error": {...}}`` object in place of a chunk."""
    return isinstance(payload, Mapping) and isinstance(payload.get("error"), Mapping)


def is_event_stream(response: httpx.Response) -> bool:
    return "text/event-stream" in response.headers.get("content-type", "")


class ChunkReader(Generic[T]):
    """Per-event logic shared by Stream and AsyncStream (no I/O)."""

    def __init__(self, endpoint: Endpoint, model: type[T], exchange: Exchange) -> None:
        self.endpoint, self.model, self.exchange = endpoint, model, exchange
        self.finished = False
        self.done = False  # the stream_done marker arrived: stop reading
        self.sse = EventDecoder()
        self.collector = ImageCollector(getattr(model, "__relay_images__", None))
        self.last: T | None = None
        # Task chunks end the stream by reaching a terminal status.
        self.task_stream = getattr(model, "__relay_task__", None) is not None

    def feed(self, event: Event, response: httpx.Response) -> T | None:
        """The chunk in ``event``, or None for markers, keep-alives and what follows the end."""
        if self.done:
            return None
        data = event.data.strip()
        if self.endpoint.stream_done is not None and data == self.endpoint.stream_done:
            self.finished = self.done = True
            return None
        if not data or event.event in _KEEPALIVE_EVENTS:
            return None
        payload = self._json(data, response)
        if event.event == "error" or _holds_error(payload):
            raise self._provider_error(payload, response)
        return self._accept(payload, data, response)

    def whole_body(self, response: httpx.Response) -> T:
        """The chunk of a 2xx reply that is not an event stream (body read).

        Relays that ignore ``stream: true`` answer with the whole reply as one JSON body
        (the 001 doc shows its chunk that way): when the body is a chunk that carries an
        image or an end (finish marker, final task status), it is the stream's one chunk.
        Anything else (an error body, a page) is an error naming the reply.
        """
        payload = parse_json_or_none(response.content)
        if isinstance(payload, Mapping) and not _holds_error(payload):
            try:
                chunk = self._accept(payload, response.text, response)
            except ResponseValidationError:
                chunk = None
            if chunk is not None and (self.finished or self.collector.found_any()):
                self.finished = True  # a whole body is complete by construction
                return chunk
            if chunk is not None and self.endpoint.raise_task_pending:
                pending = task_reply_error(chunk, self.endpoint, self.exchange, response, payload)
                if pending is not None:
                    raise pending
        raise self.not_a_stream(response)

    def _accept(self, payload: Any, data: str, response: httpx.Response) -> T:
        """Check and keep one decoded chunk (refusal, validation, images, end markers)."""
        refused = refusal_error(self.model, payload, self.exchange, response)
        if refused is not None:
            raise refused
        # Data URLs in text are checked at the end (``end``): a chunk may hold part of one.
        chunk = validate_payload(
            self.model, payload, self.exchange, response, excerpt=data, data_urls=False
        )
        self.last = chunk
        if isinstance(payload, Mapping):
            self.collector.add(payload)
        finish = self.endpoint.stream_finish
        if finish is not None and any(v not in ("", [], {}) for v in find_all(payload, finish)):
            self.finished = True
        if self.task_stream and isinstance(chunk, RelayResponse) and chunk.is_terminal():
            self.finished = True
        if self.endpoint.raise_task_failure:
            failed = task_failure_error(chunk, self.exchange, response)
            if failed is not None:
                raise failed
        return chunk

    def _json(self, data: str, response: httpx.Response) -> Any:
        return parse_event(data, self.exchange, response)  # bounded depth, see decode.parse_json

    def _provider_error(self, payload: Any, response: httpx.Response) -> ProviderError:
        return ProviderError(
            f"{self.exchange.name}: the provider reported an error mid-stream",
            provider_message=self.exchange.provider_message(payload),
            **self.exchange.facts(response, payload),
        )

    def end(self, response: httpx.Response) -> None:
        """Called when the stream ends: raises if it is truncated or holds no image."""
        expected = self._expected_end()
        if expected and not self.finished:
            raise StreamIncompleteError(
                f"{self.exchange.name}: stream ended before {expected}; the reply is truncated",
                method=self.exchange.method,
                url=self.exchange.url,
                request_sent=True,
            )
        problems = self.collector.problems()
        if problems:
            raise ResponseValidationError(
                f"{self.exchange.name}: reply does not match {self.model.__name__}: "
                + "; ".join(problems),
                **self.exchange.facts(response),
            )
        if self.endpoint.requires_image:
            found = self.collector.found_any()
            missing = no_image_error(self.last, found, self.exchange, response)
            if missing is not None:
                raise missing

    def _expected_end(self) -> str:
        """How this stream should have ended, in words ("" when it may just stop)."""
        markers = [m for m in (self.endpoint.stream_done, self.endpoint.stream_finish) if m]
        ways = [f"its end marker ({' or '.join(repr(m) for m in markers)})"] if markers else []
        if self.task_stream:
            last = self.last.task_status() if isinstance(self.last, RelayResponse) else None
            shown = f" (last status {last!r})" if last is not None else ""
            ways.append(f"the task reached a final status{shown}")
        return " or ".join(ways)

    def out_of_time(self, exc: httpx.HTTPError) -> APITimeoutError:
        """The error for a stream its call's deadline stopped (``pool.DeadlineReached``)."""
        error = APITimeoutError(
            f"{self.exchange.name} gave up at its deadline {exc}; the stream is incomplete",
            method=self.exchange.method,
            url=self.exchange.url,
            request_sent=True,
        )
        error.__cause__ = scrub_cause(exc, self.exchange)
        return error

    def failed(self, exc: httpx.HTTPError) -> APIConnectionError:
        """The error for a read that failed mid-stream: the deadline's, or a break."""
        from .pool import DeadlineReached

        return self.out_of_time(exc) if isinstance(exc, DeadlineReached) else self.broken(exc)

    def broken(self, exc: httpx.HTTPError) -> StreamIncompleteError:
        error = StreamIncompleteError(
            f"{self.exchange.name}: stream broke off ({type(exc).__name__}: "
            f"{self.exchange.clean(str(exc)) or 'connection lost'})",
            method=self.exchange.method,
            url=self.exchange.url,
            request_sent=True,
        )
        error.__cause__ = scrub_cause(exc, self.exchange)
        return error

    def not_a_stream(self, response: httpx.Response) -> RelayError:
        """The error for a 2xx reply that is not ``text/event-stream`` (body read)."""
        payload = parse_json_or_none(response.content)
        message = self.exchange.provider_message(payload) if payload is not None else None
        if message is not None:
            return ProviderError(
                f"{self.exchange.name} failed: the provider answered with an error instead "
                "of a stream",
                provider_message=message,
                **self.exchange.facts(response, payload),
            )
        kind = response.headers.get("content-type", "no content type")
        return ResponseValidationError(
            f"{self.exchange.name}: expected an event stream (text/event-stream), got {kind}",
            body_excerpt=self.exchange.excerpt(response),
            **self.exchange.facts(response, payload),
        )


class Stream(Generic[T]):
    """Iterator of chunk models over one SSE reply; close it (or use ``with``)."""

    def __init__(self, response: httpx.Response, reader: ChunkReader[T]) -> None:
        self.response = response
        self._reader = reader
        self._chunks = self._iterate()

    @property
    def request_id(self) -> str | None:
        return self._reader.exchange.request_id(self.response)

    @property
    def completed(self) -> bool:
        """True once the stream signalled its end (an end marker or a final task status)."""
        return self._reader.finished

    def __iter__(self) -> Iterator[T]:
        return self

    def __next__(self) -> T:
        return next(self._chunks)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._chunks.close()
        self.response.close()

    def collect(self) -> list[T]:
        """Every remaining chunk (the stream is consumed and closed)."""
        return list(self)

    def images(self) -> list[Image]:
        """Images in the chunks read so far (complete once the stream ends)."""
        return self._reader.collector.images()

    def _iterate(self) -> Generator[T, None, None]:
        import httpx

        from .pool import GuardedStream

        reader, response = self._reader, self.response
        reads = None
        try:
            if not is_event_stream(response):
                try:
                    response.read()
                except httpx.HTTPError as exc:  # a false Content-Encoding, a short body
                    raise connection_error(exc, reader.exchange) from exc
                yield reader.whole_body(response)
                reader.end(response)
                return
            reads = response.iter_bytes()
            try:
                for read in reads:
                    for event in reader.sse.feed(read):
                        chunk = reader.feed(event, response)
                        if chunk is not None:
                            yield chunk
                    if reader.done:
                        break
            except httpx.HTTPError as exc:
                raise reader.failed(exc) from exc
            reader.end(response)
        finally:
            # Also when the caller stops early: a finished stream still gives its connection back.
            if (
                reader.finished
                and reads is not None
                and isinstance(response.stream, GuardedStream)
            ):
                response.stream.drain(reads, response)
            response.close()


class AsyncStream(Generic[T]):
    """Async iterator of chunk models over one SSE reply; ``async with`` closes it.

    Created without I/O (so a plain ``def`` can return it); the request is sent on
    ``await`` (``stream = await client.x_stream(...)``, as with openai), ``async with``,
    ``await stream.open()`` or the first ``__anext__``, and status errors raise there.
    An awaited stream is still closed by ``async with stream:``, ``aclose()`` or reading
    it to its end.
    """

    def __init__(
        self,
        opener: Callable[[], Awaitable[tuple[httpx.Response, Exchange]]],
        endpoint: Endpoint,
        chunk_model: type[T],
    ) -> None:
        self._opener: Callable[[], Awaitable[tuple[httpx.Response, Exchange]]] | None = opener
        self._endpoint, self._model = endpoint, chunk_model
        self.response: httpx.Response | None = None
        self._reader: ChunkReader[T] | None = None
        self._chunks: AsyncGenerator[T, None] | None = None

    async def open(self) -> Self:
        """Send the request (once); later calls do nothing."""
        if self._chunks is None and self._opener is not None:
            response, exchange = await self._opener()
            self._opener = None  # the request it holds is not needed again
            self.response, self._reader = response, ChunkReader(
                self._endpoint, self._model, exchange
            )
            self._chunks = self._iterate(response, self._reader)
        return self

    @property
    def request_id(self) -> str | None:
        if self._reader is None or self.response is None:
            return None
        return self._reader.exchange.request_id(self.response)

    @property
    def completed(self) -> bool:
        return self._reader is not None and self._reader.finished

    def __aiter__(self) -> AsyncIterator[T]:
        return self

    async def __anext__(self) -> T:
        if self._chunks is None:
            await self.open()
            assert self._chunks is not None  # set by open()
        return await self._chunks.__anext__()

    __aenter__ = open  # the same coroutine: one less for each stream in flight

    def __await__(self) -> Generator[Any, None, Self]:
        return self.open().__await__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._chunks is not None:
            await self._chunks.aclose()
        if self.response is not None:
            await self.response.aclose()

    async def collect(self) -> list[T]:
        """Every remaining chunk (the stream is consumed and closed)."""
        return [chunk async for chunk in self]

    def images(self) -> list[Image]:
        """Images in the chunks read so far (complete once the stream ends)."""
        return [] if self._reader is None else self._reader.collector.images()

    @staticmethod
    async def _iterate(response: httpx.Response, reader: ChunkReader[T]) -> AsyncGenerator[T, None]:
        import httpx

        from .pool import AsyncGuardedStream

        try:
            if not is_event_stream(response):
                try:
                    await response.aread()
                except httpx.HTTPError as exc:  # a false Content-Encoding, a short body
                    raise connection_error(exc, reader.exchange) from exc
                yield reader.whole_body(response)
                reader.end(response)
                return
            # httpx's aiter_bytes is an async generator (typed as an iterator): closed below.
            reads = cast(AsyncGenerator[bytes, None], response.aiter_bytes())
            try:
                async for read in reads:
                    for event in reader.sse.feed(read):
                        chunk = reader.feed(event, response)
                        if chunk is not None:
                            yield chunk
                    if reader.done:
                        break
            except httpx.HTTPError as exc:
                raise reader.failed(exc) from exc
            finally:
                # See Stream._iterate: a finished stream gives its connection back.
                if reader.finished and isinstance(response.stream, AsyncGuardedStream):
                    await response.stream.drain(reads, response)
                await reads.aclose()
            reader.end(response)
        finally:
            await response.aclose()
