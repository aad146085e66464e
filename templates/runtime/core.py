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
import time
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar

from pydantic import BaseModel

from .auth import Secret, auth_headers, auth_params, resolve_api_key, same_origin
from .decode import Exchange, read_json, unwrap_envelope, validate_payload
from .descriptors import Endpoint, ProviderConfig
from .encode import RequestParts, encode_request
from .errors import APIStatusError, RelayError
from .images import Image, has_images
from .log import logger, protect_httpx_logs
from .model import RelayModel
from .outcome import no_image_error, refusal_error, task_failure_error
from .redact import redact_url
from .retries import RetryPolicy, plan_retry

if TYPE_CHECKING:
    import httpx

__all__ = ["ClientCore", "as_timeout", "default_timeout", "resolve_base_url"]

T = TypeVar("T", bound=BaseModel)


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
    ) -> None:
        self._api_key: Secret | None = resolve_api_key(self._provider, api_key)
        self._base_url = resolve_base_url(self._provider, base_url)
        # With a caller-supplied httpx client and no timeout, its timeout rules.
        fallback = default_timeout() if own_client else None
        self._timeout: httpx.Timeout | None = as_timeout(timeout) or fallback
        self._retry_policy = RetryPolicy(max_retries=max(0, max_retries), retry_unsafe=retry_unsafe)
        self._owns_http = own_client
        self._headers = dict(headers or {})
        self._random: Callable[[], float] = random.random
        self._monotonic: Callable[[], float] = time.monotonic
        protect_httpx_logs(self._secret_params())

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
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        retry_unsafe: bool | None = None,
    ) -> Self:
        """A copy of this client with other settings, sharing its connection pool.

        Arguments left as None keep this client's value. The copy never closes
        the shared pool; close (or exit) the original client when done::

            client.with_options(retry_unsafe=True, timeout=600).generate(...)
        """
        clone = copy.copy(self)
        clone._owns_http = False
        clone._headers = dict(self._headers)
        if timeout is not None:
            clone._timeout = as_timeout(timeout)
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

    def _parts(self, endpoint: Endpoint, request: RelayModel | None, *, sse: bool) -> RequestParts:
        """Everything about the HTTP request except timeout; may raise InvalidRequestError."""
        wire = request.to_wire() if request is not None else {}
        parts = encode_request(endpoint, wire, self._base_url)
        accept = (
            {"Accept": "text/event-stream", "Cache-Control": "no-store"}
            if sse
            else {"Accept": "application/json"}
        )
        parts.headers = {**accept, **parts.headers, **self._headers}
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
            name, request.method, request.url, self._provider, self._secrets(), self._secret_params()
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

    def _retry_delay(self, error: RelayError, idempotent: bool, attempt: int) -> float | None:
        import httpx

        headers = httpx.Headers(error.headers if isinstance(error, APIStatusError) else None)
        delay = plan_retry(
            error,
            headers,
            idempotent=idempotent,
            attempt=attempt,
            policy=self._retry_policy,
            rand=self._random,
        )
        if delay is not None:
            logger.info("retrying in %.1fs after: %s", delay, error)
        return delay

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
        if endpoint.raise_task_failure:
            failed = task_failure_error(result, exchange, response, payload)
            if failed is not None:
                raise failed
        if endpoint.requires_image:
            found = has_images(payload, getattr(model, "__relay_images__", None))
            missing = no_image_error(result, found, exchange, response, payload)
            if missing is not None:
                raise missing
        return result
