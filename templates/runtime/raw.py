"""``client.with_raw_response.<method>(...)``: the HTTP reply of a call, parsed on demand.

Like openai-python's ``with_raw_response``: status, headers, request id and elapsed time
of a successful call (what a billing dispute needs), and ``.parse()`` for the model the
plain method returns. Error statuses still raise the usual errors. The generated
``...WithRawResponse`` classes call the plain methods inside ``raw_responses()``; the
clients then hand back a RawResponse where they would parse.

Headers come redacted, like everything the SDK shows: a relay may echo the key in one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Generic, TypeVar

from pydantic import BaseModel

from .redact import redact_headers

if TYPE_CHECKING:
    import httpx

    from .decode import Exchange
    from .streaming import AsyncStream, Stream

__all__ = ["RawResponse", "araw_stream", "raw_mode", "raw_responses", "raw_stream"]

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)  # a stream's chunk model

_RAW: ContextVar[bool] = ContextVar("imagerelay_raw_responses", default=False)


@contextmanager
def raw_responses() -> Iterator[None]:
    """Within it, the clients return RawResponse instead of the parsed model."""
    token = _RAW.set(True)
    try:
        yield
    finally:
        _RAW.reset(token)


def raw_mode() -> bool:
    return _RAW.get()


class RawResponse(Generic[T]):
    """A successful reply as received; ``parse()`` gives what the plain method returns."""

    def __init__(self, response: httpx.Response, exchange: Exchange, parse: Callable[[], T]) -> None:
        self.status_code = response.status_code
        self.http_version = response.http_version
        self.headers = redact_headers(response.headers, exchange.secret_params)
        self.request_id = exchange.request_id(response)
        self.method = exchange.method
        self.url = exchange.url  # secrets masked
        self._response = response
        self._parse = parse
        self._parsed: list[T] = []

    @property
    def elapsed(self) -> float | None:
        """Seconds from sending the request to the end of the body (None while a stream
        is still open, and for replies an in-memory transport made)."""
        try:
            return self._response.elapsed.total_seconds()
        except RuntimeError:  # httpx: not known until the body is closed
            return None

    def parse(self) -> T:
        """The reply as the plain method returns it (parsed once, then cached); a reply that
        does not match its model raises ResponseValidationError here."""
        if not self._parsed:
            self._parsed.append(self._parse())
        return self._parsed[0]

    def __repr__(self) -> str:
        return f"<RawResponse [{self.status_code}] {self.method} {self.url}>"


def raw_stream(stream: Stream[M]) -> RawResponse[Stream[M]]:
    """A sync stream's reply (already open): ``parse()`` is the stream itself."""
    return RawResponse(stream.response, stream._reader.exchange, lambda: stream)


async def araw_stream(stream: AsyncStream[M]) -> RawResponse[AsyncStream[M]]:
    """An async stream, opened (status errors raise here); ``parse()`` is the stream."""
    await stream.open()
    assert stream.response is not None and stream._reader is not None  # set by open()
    return RawResponse(stream.response, stream._reader.exchange, lambda: stream)
