"""The one exception tree every runtime failure belongs to.

Every error carries the facts of the HTTP exchange it came from (method,
redacted URL, status, the provider's own message, request id, and whether the
request may have reached the server) so one ``str(error)`` line is enough to
triage it.

No error can hold an API key: ``RelayError`` passes its message and every
attribute set on it (text, header maps, lists of text, the chained cause's
message) through the redactor (``redact.py``) as it is stored, so a
construction site cannot forget to, and ``str``, ``repr``, tracebacks and
``vars(error)`` only ever show redacted text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from .redact import redact, redact_headers

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "ContentPolicyError",
    "ExchangeFacts",
    "InternalServerError",
    "InvalidAPIKeyError",
    "InvalidRequestError",
    "MissingAPIKeyError",
    "NoCapableProviderError",
    "NoImageError",
    "NotFoundError",
    "PermissionDeniedError",
    "ProviderError",
    "RateLimitError",
    "RelayError",
    "ResponseValidationError",
    "SizeLookupError",
    "StreamIncompleteError",
    "TaskFailedError",
    "UnknownModelWarning",
    "UnprocessableEntityError",
    "WaitTimeoutError",
    "one_line",
    "status_error_class",
]

_MESSAGE_LIMIT = 300


class ExchangeFacts(TypedDict, total=False):
    """Keyword arguments describing the HTTP exchange behind an error."""

    method: str | None
    url: str | None
    status: int | None
    request_id: str | None
    request_sent: bool


def one_line(text: str, limit: int = _MESSAGE_LIMIT) -> str:
    """Collapse whitespace and cut to ``limit`` characters (for messages).

    Redacted before the cut: a key cut in two would no longer be recognised.
    """
    flat = " ".join(redact(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def redacted(value: Any) -> Any:
    """``value`` as an error may keep it: text redacted, also inside header maps (credential
    headers masked whole), other plain dicts, lists and tuples; anything else as it is."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        if all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            return redact_headers(value)
        return {redacted(k): redacted(v) for k, v in value.items()}
    if type(value) in (list, tuple):
        return type(value)(redacted(item) for item in value)
    return value


def _redact_args(exc: BaseException) -> None:
    exc.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in exc.args)


class Held:
    """A value an error hands back to the caller (a parsed reply) as it is, shown redacted.

    ``repr(vars(error))`` shows it, and a relay may have echoed the key into it.
    """

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return redact(repr(self.value))


class RelayError(Exception):
    """Base of every error raised by a generated client."""

    # imagerelay.generate: every candidate considered before this error (facade.Attempt).
    attempts: tuple[Any, ...] = ()

    if not TYPE_CHECKING:  # hidden from mypy, which would allow any attribute otherwise

        def __setattr__(self, name: str, value: Any) -> None:
            if name in ("__cause__", "__context__") and isinstance(value, BaseException):
                if not isinstance(value, RelayError):
                    _redact_args(value)  # a chained traceback prints the cause's message
                super().__setattr__(name, value)
                return
            super().__setattr__(name, redacted(value))

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        url: str | None = None,
        status: int | None = None,
        provider_message: str | None = None,
        request_id: str | None = None,
        request_sent: bool = False,
    ) -> None:
        message = redact(message)
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = url
        self.status = status
        self.provider_message = provider_message
        self.request_id = request_id
        self.request_sent = request_sent
        # Set by the retry logic to explain why the request was not re-sent.
        self.retry_note: str | None = None

    def _facts(self) -> list[str]:
        facts: list[str] = []
        if self.method or self.url:
            facts.append(" ".join(p for p in (self.method, self.url) if p))
        if self.status is not None:
            facts.append(f"HTTP {self.status}")
        if self.provider_message:
            facts.append(f"provider says: {one_line(self.provider_message)!r}")
        if self.request_id:
            facts.append(f"request id {self.request_id}")
        if self.method and self.status is None:
            sent = "may have been sent" if self.request_sent else "was not sent"
            facts.append(f"request {sent}")
        if self.retry_note:
            facts.append(self.retry_note)
        return facts

    def __str__(self) -> str:
        facts = self._facts()
        head = one_line(self.message, 1000)
        return f"{head} [{'; '.join(facts)}]" if facts else head

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class InvalidRequestError(RelayError, ValueError):
    """The request was rejected locally, before any network call."""

    def __init__(self, problems: Iterable[str], *, subject: str = "request") -> None:
        self.problems = list(problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"invalid {subject} ({count} {noun}): " + "; ".join(self.problems))


class NoCapableProviderError(InvalidRequestError):
    """``imagerelay.generate``: no candidate can honour every requested value; nothing was sent.

    ``problems`` holds one line per candidate (provider, model and the exact reason).
    """

    def __init__(self, problems: Iterable[str]) -> None:
        super().__init__(problems, subject="generate request: no capable provider")


class SizeLookupError(InvalidRequestError, KeyError):
    """A ratio/tier pair that a size table does not have."""

    def __str__(self) -> str:
        # KeyError would print the repr of its argument; keep the plain line.
        return RelayError.__str__(self)


class UnknownModelWarning(UserWarning):
    """A model id the provider's doc does not list was sent as given (once per id).

    Relays add models without notice, so an unknown id is not refused; the rules that
    depend on the model family are not checked for it. Silence it with
    ``warnings.filterwarnings("ignore", category=UnknownModelWarning)``.
    """


class MissingAPIKeyError(RelayError):
    """No API key was passed and its environment variable is unset."""


class InvalidAPIKeyError(RelayError, ValueError):
    """The API key cannot be sent as given (non-ASCII, control characters, whitespace).

    Raised by the client constructor; the message says what is wrong and where,
    never the key itself.
    """


class APIConnectionError(RelayError):
    """The exchange failed below HTTP (DNS, TCP, TLS, broken connection)."""


class APITimeoutError(APIConnectionError):
    """A connect, read, write or pool timeout expired."""


class StreamIncompleteError(APIConnectionError):
    """An SSE stream ended (or broke) before its end marker."""


class APIStatusError(RelayError):
    """The server answered with a non-2xx status."""

    status: int

    def __init__(
        self,
        message: str,
        *,
        status: int,
        method: str | None = None,
        url: str | None = None,
        provider_message: str | None = None,
        request_id: str | None = None,
        body_excerpt: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            message,
            method=method,
            url=url,
            status=status,
            provider_message=provider_message,
            request_id=request_id,
            request_sent=True,
        )
        self.body_excerpt = body_excerpt
        # Response headers (no request headers, so no credentials): the retry
        # logic reads Retry-After from them.
        self.headers: Mapping[str, str] = dict(headers or {})


class BadRequestError(APIStatusError):
    """HTTP 400."""


class AuthenticationError(APIStatusError):
    """HTTP 401."""


class PermissionDeniedError(APIStatusError):
    """HTTP 403."""


class NotFoundError(APIStatusError):
    """HTTP 404."""


class ConflictError(APIStatusError):
    """HTTP 409."""


class UnprocessableEntityError(APIStatusError):
    """HTTP 422."""


class RateLimitError(APIStatusError):
    """HTTP 429."""


class InternalServerError(APIStatusError):
    """HTTP 5xx."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status: int) -> type[APIStatusError]:
    """The most specific APIStatusError subclass for ``status``."""
    if status >= 500:
        return InternalServerError
    return _BY_STATUS.get(status, APIStatusError)


class ProviderError(RelayError):
    """A 2xx reply that reports failure: an envelope error code or an SSE error event."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        provider_message: str | None = None,
        **facts: Unpack[ExchangeFacts],
    ) -> None:
        super().__init__(message, provider_message=provider_message, **facts)
        self.code = code


class ResponseValidationError(RelayError):
    """The reply did not have the expected shape (invalid JSON or wrong fields)."""

    def __init__(
        self,
        message: str,
        *,
        body_excerpt: str | None = None,
        provider_message: str | None = None,
        **facts: Unpack[ExchangeFacts],
    ) -> None:
        super().__init__(message, provider_message=provider_message, **facts)
        # Redacted before the cut, so no cut leaves the head of a key behind.
        self.body_excerpt = None if body_excerpt is None else redact(body_excerpt)[:300]

    def _facts(self) -> list[str]:
        facts = super()._facts()
        if self.body_excerpt:
            facts.append(f"body starts {one_line(self.body_excerpt, 120)!r}")
        return facts


class TaskFailedError(RelayError):
    """A polled task ended in a failure status."""

    def __init__(
        self,
        message: str,
        *,
        task_status: str | None = None,
        provider_message: str | None = None,
        **facts: Unpack[ExchangeFacts],
    ) -> None:
        super().__init__(message, provider_message=provider_message, **facts)
        self.task_status = task_status


class ContentPolicyError(RelayError):
    """The provider refused the prompt or image as a content-policy violation."""

    def __init__(
        self,
        message: str,
        *,
        task_status: str | None = None,
        provider_message: str | None = None,
        **facts: Unpack[ExchangeFacts],
    ) -> None:
        super().__init__(message, provider_message=provider_message, **facts)
        self.task_status = task_status


class NoImageError(RelayError):
    """A successful reply (or a finished stream) that holds no image.

    ``response`` is the parsed reply (for a stream, its last chunk), so the
    caller can still read any text the model sent instead of an image.
    """

    def __init__(
        self,
        message: str,
        *,
        response: Any = None,
        provider_message: str | None = None,
        **facts: Unpack[ExchangeFacts],
    ) -> None:
        super().__init__(message, provider_message=provider_message, **facts)
        self._response = Held(response)

    @property
    def response(self) -> Any:
        """The parsed reply (for a stream, its last chunk), as the provider sent it."""
        return self._response.value


class TaskPendingError(RelayError):
    """A blocking call came back with its task not final yet (queued, running, or a status
    the spec does not list): there is no image yet, and no failure either.

    ``task_id`` is the task to wait for; ``resume_with`` names the client method that
    does (``client.wait(error.task_id)``), or is None when the spec gives no way to poll.
    """

    def __init__(
        self,
        message: str,
        *,
        task_id: str | None = None,
        task_status: str | None = None,
        progress: float | None = None,
        resume_with: str | None = None,
        provider_message: str | None = None,
        **facts: Unpack[ExchangeFacts],
    ) -> None:
        super().__init__(message, provider_message=provider_message, **facts)
        self.task_id = task_id
        self.task_status = task_status
        self.progress = progress
        self.resume_with = resume_with


class WaitTimeoutError(RelayError):
    """A task was still not finished when the wait deadline passed.

    ``task_id`` is the task to keep waiting for (``client.wait(error.task_id)``).
    """

    def __init__(
        self,
        message: str,
        *,
        task_id: str | None = None,
        task_status: str | None = None,
        progress: float | None = None,
        elapsed: float = 0.0,
    ) -> None:
        super().__init__(message)
        self.task_id = task_id
        self.task_status = task_status
        self.progress = progress
        self.elapsed = elapsed
