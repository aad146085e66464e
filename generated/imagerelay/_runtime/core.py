"""I/O-free half of the clients: settings, request assembly, retry decisions.

``BaseClient`` and ``AsyncBaseClient`` (``client.py``) share everything here
and differ only in how they wait and send. httpx is imported inside the
functions that use it: this module is loaded with every provider, and httpx
should load when a client is created, not on import (see client.py).
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import os
import random
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, Self, TypeAlias, TypeVar

from pydantic import BaseModel

from .auth import (
    Secret,
    auth_headers,
    auth_params,
    check_headers,
    resolve_api_key,
    same_origin,
)
from .deadline import (
    Deadline,
    call_deadline,
    check_seconds,
    current_scope,
    deadline_error,
    deadline_scope,
    limit_seconds,
    reject_timeout,
)
from .decode import Exchange, connection_error, read_json, unwrap_envelope, validate_payload
from .descriptors import Endpoint, ProviderConfig
from .download import refuse_page
from .encode import RequestParts, encode_request, query_value
from .errors import APIStatusError, RelayError
from .extras import RequestExtras, refuse_key_slots
from .families import warn_unknown_model
from .images import Image, has_images
from .log import log_from_env, logger, protect_httpx_logs
from .model import RelayModel, RelayResponse
from .outcome import no_image_error, refusal_error, task_reply_error
from .redact import redact_url
from .retries import RetryPolicy, plan_retry

if TYPE_CHECKING:
    import httpx

__all__ = [
    "TOO_LATE",
    "ClientCore",
    "HasImages",
    "Timeout",
    "as_timeout",
    "check_download",
    "default_timeout",
    "resolve_base_url",
]

T = TypeVar("T", bound=BaseModel)
# A string, so that naming it in generated signatures does not import httpx.
Timeout: TypeAlias = "float | httpx.Timeout | None"
TOO_LATE = "before the request was sent"


class HasImages(Protocol):
    """A reply model or a stream: anything whose ``images()`` lists its images."""

    def images(self) -> list[Image]: ...


def check_download(response: httpx.Response, exchange: Exchange) -> bytes:
    """A downloaded image's bytes; a page instead of an image is an error."""
    refuse_page(response, exchange)
    return exchange.reply_body(response)


def default_timeout() -> httpx.Timeout:
    """Image generation routinely takes minutes: a short connect timeout catches
    dead hosts fast, a long read timeout waits for the model."""
    import httpx

    return httpx.Timeout(connect=10.0, read=300.0, write=60.0, pool=10.0)


def as_timeout(value: float | httpx.Timeout | None) -> httpx.Timeout | None:
    """A number N means N seconds for read/write/pool and at most 10 s to connect."""
    import httpx

    if value is None or isinstance(value, httpx.Timeout):
        return value
    seconds = float(value)
    return httpx.Timeout(seconds, connect=min(seconds, 10.0))


Http = TypeVar("Http", "httpx.Client", "httpx.AsyncClient")


def own_http(http: Http) -> Http:
    """The httpx client a relay client creates for itself: our User-Agent, and no default
    ``Accept: */*`` (every request names its own Accept, and replacing the default cost
    each request a header search and a rebuild: bench figure 7). A client passed in as
    ``http_client=`` keeps its own headers."""
    del http.headers["Accept"]
    http.headers["User-Agent"] = user_agent()
    return http


def user_agent() -> str:
    """``imagerelay/<version> python/<version> httpx/<version>``."""
    import httpx

    package = sys.modules.get(__name__.split(".", 1)[0])
    version = getattr(package, "__version__", "0")
    python = "{}.{}.{}".format(*sys.version_info[:3])
    return f"imagerelay/{version} python/{python} httpx/{httpx.__version__}"


def resolve_base_url(provider: ProviderConfig, explicit: str | None) -> str:
    """The base URL passed in, else ``$base_url_env``, else the provider default."""
    import httpx

    env = os.environ.get(provider.base_url_env, "") if provider.base_url_env else ""
    url = (explicit or env.strip() or provider.base_url).rstrip("/")
    if httpx.URL(url).scheme not in ("http", "https"):
        raise RelayError(f"base_url must start with http:// or https://, got {redact_url(url)!r}")
    return url


@lru_cache(maxsize=512)
def _parsed_url(url: str) -> httpx.URL:
    """``url`` parsed once: httpx parses a str URL twice per request (client merge,
    then ``Request``), about a sixth of a call's cost; an ``httpx.URL`` it reuses.
    Endpoints without path parameters have one URL per client, so this mostly hits."""
    import httpx

    return httpx.URL(url)


class ClientCore:
    """Settings and request/response plumbing shared by the sync and async clients."""

    _provider: ClassVar[ProviderConfig]

    def _configure(
        self,
        api_key: str | None,
        base_url: str | None,
        timeout: float | httpx.Timeout | None,
        max_retries: int,
        headers: Mapping[str, str] | None,
        *,
        own_client: bool,
        retry_unsafe: bool = False,
        deadline: float | None = None,
        limits: httpx.Limits | None = None,
    ) -> None:
        from .pool import default_limits

        self._api_key: Secret | None = resolve_api_key(self._provider, api_key)
        self._base_url = resolve_base_url(self._provider, base_url)
        # With a caller-supplied httpx client and no timeout, its timeout rules.
        fallback = default_timeout() if own_client else None
        self._timeout: httpx.Timeout | None = as_timeout(timeout) or fallback
        self._deadline = limit_seconds(deadline)
        self._limits = limits or default_limits()
        self._retry_policy = RetryPolicy(max_retries=max(0, max_retries), retry_unsafe=retry_unsafe)
        self._owns_http = own_client
        self._headers = check_headers(headers)
        self._random: Callable[[], float] = random.random
        self._monotonic: Callable[[], float] = time.monotonic
        protect_httpx_logs(self._secret_params())
        log_from_env()

    @property
    def base_url(self) -> str:
        return self._base_url

    @property
    def max_retries(self) -> int:
        return self._retry_policy.max_retries

    @property
    def retry_unsafe(self) -> bool:
        """Whether non-idempotent requests that may have started work are re-sent."""
        return self._retry_policy.retry_unsafe

    @property
    def timeout(self) -> httpx.Timeout | None:
        return self._timeout

    def with_options(
        self,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        retry_unsafe: bool | None = None,
        deadline: float | None = None,
    ) -> Self:
        """A copy of this client with other settings, sharing its connection pool and gate.

        Arguments left as None keep this client's value (``deadline=math.inf`` lifts a
        deadline); ``headers`` are added to this client's (checked as at construction),
        ``api_key`` and ``base_url`` are checked as at construction too. The copy never
        closes the shared pool; close (or exit) the original client when done::

            client.with_options(retry_unsafe=True, deadline=600).generate(...)
            client.with_options(api_key=other_account_key).generate(...)
        """
        clone = copy.copy(self)
        clone._owns_http = False
        clone._headers = dict(self._headers)
        if base_url is not None:
            clone._base_url = resolve_base_url(self._provider, base_url)
        if api_key is not None:
            clone._api_key = resolve_api_key(self._provider, api_key)
        if headers is not None:
            clone._headers.update(check_headers(headers))
        if timeout is not None:
            clone._timeout = as_timeout(timeout)
        if deadline is not None:
            clone._deadline = limit_seconds(deadline)
        policy = self._retry_policy
        if max_retries is not None:
            policy = dataclasses.replace(policy, max_retries=max(0, max_retries))
        if retry_unsafe is not None:
            policy = dataclasses.replace(policy, retry_unsafe=retry_unsafe)
        clone._retry_policy = policy
        return clone

    def __repr__(self) -> str:
        key = "unset" if self._api_key is None else "***"
        return f"{type(self).__name__}(base_url={self._base_url!r}, api_key={key})"

    def _secret_params(self) -> tuple[str, ...]:
        auth = self._provider.auth
        return (auth.name,) if auth.kind == "query" else ()

    def _secrets(self) -> tuple[str, ...]:
        return () if self._api_key is None else (self._api_key.reveal(),)

    def _parts(
        self,
        endpoint: Endpoint,
        request: RelayModel | None,
        *,
        sse: bool,
        extra: RequestExtras | None = None,
    ) -> RequestParts:
        """Everything about the HTTP request except timeout; may raise InvalidRequestError."""
        wire = request.to_wire() if request is not None else {}
        if endpoint.model_field is not None:
            provider = self._provider
            warn_unknown_model(
                provider.id, wire.get(endpoint.model_field), provider.model_ids, provider.families
            )
        parts = encode_request(endpoint, wire, self._base_url, None if extra is None else extra.body)
        accept = (
            {"Accept": "text/event-stream", "Cache-Control": "no-store"}
            if sse
            else {"Accept": "application/json"}
        )
        parts.headers = {**accept, **parts.headers, **self._headers}
        if extra is not None:
            headers, query = refuse_key_slots(extra, self._provider.auth)
            parts.headers.update(headers)
            parts.params.update({name: query_value(value) for name, value in query.items()})
        parts.auth_headers = auth_headers(self._provider.auth, self._api_key)
        parts.auth_params = auth_params(self._provider.auth, self._api_key)
        return parts

    def _download_parts(self, image: Image) -> RequestParts:
        if not image.url:
            raise RelayError("image has neither a URL nor inline data")
        parts = RequestParts("GET", image.url, headers={"Accept": "image/*,*/*;q=0.8"})
        # The key only travels to the provider's own host, never to a CDN.
        if same_origin(image.url, self._base_url):
            parts.auth_headers = auth_headers(self._provider.auth, self._api_key)
            parts.auth_params = auth_params(self._provider.auth, self._api_key)
        return parts

    def _build(
        self,
        http: httpx.Client | httpx.AsyncClient,
        parts: RequestParts,
        timeout: float | httpx.Timeout | None,
    ) -> httpx.Request:
        import httpx

        chosen = as_timeout(timeout) or self._timeout
        params = {**parts.params, **parts.auth_params}
        return http.build_request(
            parts.method,
            _parsed_url(parts.url),
            params=params or None,
            headers={**parts.headers, **parts.auth_headers},
            content=parts.content,
            data=parts.data,
            files=parts.files,
            timeout=httpx.USE_CLIENT_DEFAULT if chosen is None else chosen,
        )

    def _exchange(self, name: str, request: httpx.Request) -> Exchange:
        exchange = Exchange(
            name,
            request.method,
            request.url,
            self._provider,
            self._secrets(),
            self._secret_params(),
        )
        if logger.isEnabledFor(logging.DEBUG):  # the redacted URL is only worked out if shown
            logger.debug("%s: %s %s", name, request.method, exchange.url)
        return exchange

    def _log_response(self, exchange: Exchange, response: httpx.Response, started: float) -> None:
        if not logger.isEnabledFor(logging.DEBUG):
            return
        elapsed = self._monotonic() - started
        logger.debug(
            "%s: %s %s -> %d in %.2fs",
            exchange.name,
            exchange.method,
            exchange.url,
            response.status_code,
            elapsed,
        )

    def _retry_delay(
        self, error: RelayError, idempotent: bool, attempt: int, deadline: Deadline | None
    ) -> float | None:
        import httpx

        now = self._monotonic()
        if deadline is not None and deadline.passed(now):
            return None  # the error already says the deadline stopped the call
        remaining = None if deadline is None else deadline.remaining(now)
        headers = httpx.Headers(error.headers if isinstance(error, APIStatusError) else None)
        delay = plan_retry(
            error,
            headers,
            idempotent=idempotent,
            attempt=attempt,
            policy=self._retry_policy,
            rand=self._random,
            remaining=remaining,
            pool_wait=isinstance(error.__cause__, httpx.PoolTimeout),
        )
        if delay is not None:
            logger.info("retrying in %.1fs after: %s", delay, error)
        return delay

    # -- deadlines (deadline.py) ----------------------------------------------------------

    def _call_deadline(self, seconds: float | None) -> Deadline | None:
        """The deadline of a call starting now: ``seconds``, else the client's, within any scope."""
        if seconds is None and self._deadline is None and current_scope() is None:
            return None  # the usual case, on every call
        return call_deadline(check_seconds("deadline", seconds), self._deadline, self._monotonic())

    @contextmanager
    def _deadline_scope(
        self, seconds: float, *, method: str, timeout: object = None
    ) -> Iterator[Deadline | None]:
        """Bound every call made inside by ``seconds`` (the wait helpers); they take no timeout=."""
        reject_timeout(method, timeout)
        with deadline_scope(seconds, self._monotonic()) as deadline:
            yield deadline

    def _clip(self, request: httpx.Request, deadline: Deadline) -> bool:
        """Cut every phase timeout of ``request`` to what remains; False if nothing does."""
        from .pool import clip_timeout

        remaining = deadline.remaining(self._monotonic())
        if remaining <= 0:
            return False
        request.extensions["timeout"] = clip_timeout(request.extensions["timeout"], remaining)
        return True

    @property
    def _gate_wait(self) -> str:
        return f"while waiting for a free connection (all {self._limits.max_connections} in use)"

    def _unsent(self, exchange: Exchange, deadline: Deadline, doing: str) -> RelayError:
        return deadline_error(
            exchange.name, exchange.method, exchange.url, deadline, doing, sent=False
        )

    def _failure(
        self, exc: httpx.HTTPError, exchange: Exchange, deadline: Deadline | None
    ) -> RelayError:
        """The error for a failed attempt; a timeout at the deadline says it was the deadline."""
        import httpx

        from .pool import DeadlineReached

        error = connection_error(exc, exchange)
        if deadline is None or not (
            isinstance(exc, DeadlineReached)
            or (isinstance(exc, httpx.TimeoutException) and deadline.passed(self._monotonic()))
        ):
            return error
        phases = (
            (httpx.PoolTimeout, "while waiting for a free connection"),
            (httpx.ConnectTimeout, "while connecting"),
            (httpx.WriteTimeout, "while sending the request"),
            (DeadlineReached, str(exc)),
        )
        doing = next(
            (text for kind, text in phases if isinstance(exc, kind)), "while waiting for the reply"
        )
        stopped = deadline_error(
            exchange.name, exchange.method, exchange.url, deadline, doing, sent=error.request_sent
        )
        stopped.__cause__ = error.__cause__
        return stopped

    def _decode(
        self, endpoint: Endpoint, response: httpx.Response, model: type[T], exchange: Exchange
    ) -> T:
        payload: Any = read_json(response, exchange)
        if endpoint.envelope is not None:
            payload = unwrap_envelope(payload, endpoint.envelope, exchange, response)
        refused = refusal_error(model, payload, exchange, response)
        if refused is not None:
            raise refused
        result = validate_payload(model, payload, exchange, response)
        # The checks below read the payload, like refusal_error above and the stream
        # reader: it is the reply as sent, and reading it needs no dump of ``result``.
        if endpoint.raise_task_failure or endpoint.raise_task_pending:
            unfinished = task_reply_error(result, endpoint, exchange, response, payload)
            if unfinished is not None:
                raise unfinished
        if endpoint.requires_image:
            found = has_images(payload, getattr(model, "__relay_images__", None))
            missing = no_image_error(result, found, exchange, response, payload)
            if missing is not None:
                raise missing
        if isinstance(result, RelayResponse):
            object.__setattr__(result, "_request_id", exchange.request_id(response, payload))
        return result
