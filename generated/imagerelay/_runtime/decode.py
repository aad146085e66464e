"""Turn an httpx response into a validated model or the right error.

Every error built here carries the exchange facts (method, redacted URL,
status, provider message, request id); the errors themselves redact any key
the provider echoed back (``errors.RelayError``).

Every JSON text the runtime reads (reply bodies, error bodies, stream events)
goes through ``parse_json``: pydantic-core's parser, whose recursion limit
refuses nesting deeper than about ``MAX_JSON_DEPTH`` levels before anything
recursive (validation, ``json.dumps``, ``repr``) could hit Python's own.
Checking the depth of the bytes ahead of the parse would cost as much as the
parse itself on a 25 MB image reply.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import from_json

from .descriptors import Envelope, ProviderConfig
from .errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ExchangeFacts,
    InvalidRequestError,
    ProviderError,
    RelayError,
    ResponseValidationError,
    one_line,
    status_error_class,
)
from .model import RelayResponse, ReplyContentError, read_reply
from .paths import find_first
from .redact import clip, redact, redact_url
from .rules import wire_text

if TYPE_CHECKING:
    # Imported where used: httpx loads when a client is created, not on import (see client.py).
    import httpx

__all__ = [
    "MAX_JSON_DEPTH",
    "Exchange",
    "JSONTooDeepError",
    "aread_body",
    "connection_error",
    "parse_event",
    "parse_json",
    "parse_json_or_none",
    "read_body",
    "read_json",
    "scrub_cause",
    "status_error",
    "unwrap_envelope",
    "validate_payload",
]

T = TypeVar("T", bound=BaseModel)

# Tried after the provider's own fields: the shapes most relays use.
_MESSAGE_FIELDS = ("error.message", "message", "msg", "error", "detail", "error_msg")
_REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-oneapi-request-id")
_TAGS = re.compile(r"<[^>]+>")
_EXCERPT = 300
_MESSAGE_HEAD = 2000  # of a provider message: one_line cuts it to 300 after collapsing whitespace
# pydantic-core's (jiter's) fixed recursion limit: deeper JSON fails to parse.
MAX_JSON_DEPTH = 200
_TOO_DEEP = f"JSON nested more than {MAX_JSON_DEPTH} levels deep"


class JSONTooDeepError(ValueError):
    """A JSON text nested deeper than ``MAX_JSON_DEPTH``: refused, not parsed."""


def parse_json(data: bytes | str) -> Any:
    """The JSON value of ``data``; ValueError if it is not JSON, JSONTooDeepError if too deep."""
    try:
        return from_json(data)
    except ValueError as exc:
        if "recursion limit" in str(exc):
            raise JSONTooDeepError(_TOO_DEEP) from None
        raise


def parse_json_or_none(data: bytes | str) -> Any:
    """``parse_json(data)``, or None when ``data`` is empty, not JSON or too deep."""
    try:
        return parse_json(data) if data.strip() else None
    except ValueError:
        return None


@dataclass
class Exchange:
    """What errors and logs need to know about one request, and its reply body once read."""

    name: str
    method: str
    # As sent: its query may hold the key (``?key=``), so it is never shown; see ``url``.
    request_url: str | httpx.URL = field(repr=False)
    provider: ProviderConfig
    # The API key, to scrub from echoed text; never shown in the repr.
    secrets: tuple[str, ...] = field(default=(), repr=False)
    # Query parameters that carry the key, masked in ``url``.
    secret_params: tuple[str, ...] = field(default=(), repr=False)
    # The body of a 2xx reply that is not a stream, as the client read it (see
    # ``read_body``); None until then, and for streams.
    body: bytes | None = field(default=None, repr=False)

    @cached_property
    def url(self) -> str:
        """The request URL with secrets masked; worked out when an error or a
        debug log needs it, not for every request."""
        return self.clean(redact_url(self.request_url, self.secret_params))

    def clean(self, text: str) -> str:
        return redact(text, self.secrets)

    def reply_body(self, response: httpx.Response) -> bytes:
        """The reply body: what the client read into ``body``, else httpx's own."""
        return response.content if self.body is None else self.body

    def excerpt(self, response: httpx.Response) -> str:
        import httpx

        try:
            body = self.reply_body(response)
        except httpx.ResponseNotRead:
            return ""  # a stream (callers pass the event text instead), or a body that broke off
        return clip(body, _EXCERPT, self.secrets)

    def facts(self, response: httpx.Response | None, payload: Any = None) -> ExchangeFacts:
        return {
            "method": self.method,
            "url": self.url,
            "status": None if response is None else response.status_code,
            "request_id": None if response is None else self.request_id(response, payload),
            "request_sent": True,
        }

    def request_id(self, response: httpx.Response, payload: Any = None) -> str | None:
        for header in self.provider.request_id_headers + _REQUEST_ID_HEADERS:
            if header in response.headers:
                return response.headers[header]
        for path in self.provider.request_id_fields:
            value = find_first(payload, path)
            if isinstance(value, (str, int)) and not isinstance(value, bool):
                return str(value)
        return None

    def provider_message(self, payload: Any) -> str | None:
        """The provider's own error text in a decoded body, or None."""
        for path in self.provider.error_message_fields + _MESSAGE_FIELDS:
            value = find_first(payload, path)
            # Redacted (clip) before one_line cuts it: a key cut in two is not recognised.
            if isinstance(value, str) and value.strip():
                return one_line(clip(value, _MESSAGE_HEAD, self.secrets))
            if isinstance(value, (Mapping, list)) and value:
                text = json.dumps(value, ensure_ascii=False)
                return one_line(clip(text, _MESSAGE_HEAD, self.secrets))
        return None


def read_body(response: httpx.Response) -> bytes:
    """A streamed reply's whole body, gathered in one buffer; the response is closed.

    ``response.read()`` keeps every network chunk (64 KiB each) in a list, then joins
    them: the freed chunks of a 25 MB image reply often stay resident (heap
    fragmentation) under the parse that follows, a third copy (bench figure 6).
    Appending to one buffer reuses a single chunk's memory over and over. Returned
    as bytes: the JSON parser copies a bytearray before reading it. A reply httpx
    already holds whole (a transport that answers from memory) is taken as it is.
    """
    held = _held_content(response)
    if held is not None:
        response.close()
        return held
    body = bytearray()
    try:
        for chunk in response.iter_bytes():
            body += chunk
    finally:
        response.close()
    return bytes(body)


async def aread_body(response: httpx.Response) -> bytes:
    """``read_body`` for the async client."""
    held = _held_content(response)
    if held is not None:
        await response.aclose()
        return held
    body = bytearray()
    try:
        async for chunk in response.aiter_bytes():
            body += chunk
    finally:
        await response.aclose()
    return bytes(body)


def _held_content(response: httpx.Response) -> bytes | None:
    import httpx

    try:
        return response.content
    except httpx.ResponseNotRead:
        return None


def status_error(response: httpx.Response, exchange: Exchange) -> APIStatusError:
    """The APIStatusError subclass for a non-2xx response (body read, or broken off)."""
    body = _held_content(response) or b""  # None: reading it failed, the status still says much
    try:
        payload = parse_json(body) if body.strip() else None
        note = ""
    except ValueError as exc:
        payload = None
        note = f" (error body unread: {exc})" if isinstance(exc, JSONTooDeepError) else ""
    message = exchange.provider_message(payload) if payload is not None else None
    if message is None and body.strip() and not note:
        # Not JSON (an HTML gateway page, plain text): show its text content.
        message = one_line(_TAGS.sub(" ", exchange.excerpt(response)), 200)
    reason = response.reason_phrase or "error"
    return status_error_class(response.status_code)(
        f"{exchange.name} failed: {reason}{note}",
        status=response.status_code,
        method=exchange.method,
        url=exchange.url,
        provider_message=message or None,
        request_id=exchange.request_id(response, payload),
        body_excerpt=exchange.excerpt(response),
        headers=response.headers,
    )


def read_json(response: httpx.Response, exchange: Exchange) -> Any:
    """The decoded JSON body of a 2xx response; invalid JSON is an error.

    Parsed straight from the bytes (pydantic-core's parser): ``json.loads`` would
    first decode the whole body to a str, a third copy of a 25 MB base64 image next
    to the bytes and the parsed value. It is also several times faster.
    """
    try:
        return parse_json(exchange.reply_body(response))
    except JSONTooDeepError as exc:
        raise ResponseValidationError(
            f"{exchange.name}: reply refused: {exc}",
            body_excerpt=exchange.excerpt(response),
            **exchange.facts(response),
        ) from None
    except ValueError as exc:
        raise ResponseValidationError(
            f"{exchange.name}: reply is not valid JSON ({exc})",
            body_excerpt=exchange.excerpt(response),
            **exchange.facts(response),
        ) from None


def unwrap_envelope(
    payload: Any, envelope: Envelope, exchange: Exchange, response: httpx.Response
) -> Any:
    """The payload inside ``{code, message, data}``; a failure code raises ProviderError."""
    if not isinstance(payload, Mapping):
        raise ResponseValidationError(
            f"{exchange.name}: expected a JSON object around the reply, "
            f"got {type(payload).__name__}",
            body_excerpt=exchange.excerpt(response),
            **exchange.facts(response, payload),
        )
    code = find_first(payload, envelope.code) if envelope.code else None
    # A missing code is not a failure: some relays drop it on success.
    if (
        code is not None
        and envelope.success_codes
        and wire_text(code) not in envelope.success_codes
    ):
        text = find_first(payload, envelope.message) if envelope.message else None
        raise ProviderError(
            f"{exchange.name} failed: provider returned code {wire_text(code)!r}",
            code=wire_text(code),
            provider_message=exchange.clean(str(text)) if text not in (None, "") else None,
            **exchange.facts(response, payload),
        )
    return find_first(payload, envelope.data)


def _summary(error: ValidationError) -> str:
    shown = []
    for item in error.errors(include_url=False)[:3]:
        where = ".".join(str(part) for part in item["loc"]) or "(root)"
        shown.append(f"{where}: {item['msg']}")
    more = error.error_count() - len(shown)
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")


def parse_event(data: str, exchange: Exchange, response: httpx.Response) -> Any:
    """The JSON value of one stream event's data; ResponseValidationError if it has none."""
    try:
        return parse_json(data)
    except ValueError as exc:
        what = f"refused: {exc}" if isinstance(exc, JSONTooDeepError) else "is not JSON"
        raise ResponseValidationError(
            f"{exchange.name}: stream event {what}",
            body_excerpt=clip(data, _EXCERPT, exchange.secrets),
            **exchange.facts(response),
        ) from None


def validate_payload(
    model: type[T],
    payload: Any,
    exchange: Exchange,
    response: httpx.Response,
    *,
    excerpt: str | None = None,
    data_urls: bool = True,
) -> T:
    """``model.model_validate(payload)``; a mismatch is a ResponseValidationError.

    ``excerpt`` replaces the body excerpt (a stream passes its event's text);
    ``data_urls``: see ``model.read_reply``.
    """
    try:
        if issubclass(model, RelayResponse):
            return read_reply(model, payload, data_urls=data_urls)
        return model.model_validate(payload)
    except (ValidationError, ReplyContentError) as exc:
        summary = _summary(exc) if isinstance(exc, ValidationError) else str(exc)
        raise ResponseValidationError(
            f"{exchange.name}: reply does not match {model.__name__}: {summary}",
            body_excerpt=(
                exchange.excerpt(response)
                if excerpt is None
                else clip(excerpt, _EXCERPT, exchange.secrets)
            ),
            **exchange.facts(response, payload),
        ) from None


def scrub_cause(exc: BaseException, exchange: Exchange) -> BaseException:
    """``exc`` with the key scrubbed from its message, so a chained traceback
    (``The above exception was the direct cause...``) cannot print it."""
    exc.args = tuple(exchange.clean(a) if isinstance(a, str) else a for a in exc.args)
    return exc


def _failure_text(exc: httpx.HTTPError, exchange: Exchange) -> str:
    import httpx

    timeouts: tuple[tuple[type[httpx.TimeoutException], str], ...] = (
        (httpx.ConnectTimeout, "timed out connecting"),
        (httpx.ReadTimeout, "timed out waiting for the reply"),
        (httpx.WriteTimeout, "timed out sending the request"),
        (httpx.PoolTimeout, "timed out waiting for a free connection"),
    )
    text = f"{type(exc).__name__}: {exchange.clean(str(exc)) or 'connection failed'}"
    if isinstance(exc, httpx.DecodingError):
        text += " (the reply body does not match its Content-Encoding)"
    return next((shown for kind, shown in timeouts if isinstance(exc, kind)), text)


def _request_sent(exc: httpx.HTTPError) -> bool:
    """False for failures that happen before any byte of the request reaches the server."""
    import httpx

    not_sent = (
        httpx.ConnectError,
        httpx.ConnectTimeout,
        httpx.PoolTimeout,
        httpx.ProxyError,
        httpx.UnsupportedProtocol,
    )
    return not isinstance(exc, not_sent)


def _unsendable(exc: httpx.LocalProtocolError, exchange: Exchange) -> InvalidRequestError:
    """httpx refused to write the request (an illegal header value): nothing was sent,
    and sending it again would fail the same way, so it is not a connection error."""
    error = InvalidRequestError(
        [f"the HTTP layer refused to send it ({exchange.clean(str(exc)) or 'protocol error'})"],
        subject=f"{exchange.name} request",
    )
    error.method, error.url = exchange.method, exchange.url
    return error


def connection_error(exc: httpx.HTTPError, exchange: Exchange) -> RelayError:
    """The runtime error for an httpx failure while sending or reading (chained to it).

    Any ``httpx.HTTPError`` maps to an SDK error with the request's context: a
    timeout, a connection or protocol failure, a body that does not decode.
    """
    import httpx

    error: RelayError
    if isinstance(exc, httpx.LocalProtocolError):
        error = _unsendable(exc, exchange)
    else:
        kind = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
        error = kind(
            f"{exchange.name} failed: {_failure_text(exc, exchange)}",
            method=exchange.method,
            url=exchange.url,
            request_sent=_request_sent(exc),
        )
    error.__cause__ = scrub_cause(exc, exchange)
    return error
