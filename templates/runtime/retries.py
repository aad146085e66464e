"""When a failed exchange is re-sent, and after how long.

The policy
----------
Image generation is billed per request, and a relay that received a request
usually starts (and bills) the work even when the reply never arrives. So a
failed exchange is re-sent automatically only when that cannot bill twice:

* the request never reached the server (DNS failure, refused connection,
  connect timeout): always re-sent;
* the server said "not now": 429, or 503 with ``Retry-After``: always re-sent,
  after the delay it asked for (a delay longer than
  ``RetryPolicy.max_retry_after`` is raised at once instead);
* the endpoint is idempotent (status polls, downloads, task look-ups): a 5xx,
  408, read timeout or broken connection is re-sent too.

A non-idempotent request (generate, submit, create a job, upload) that timed
out after it was sent, lost its connection, or got a 5xx or 408 is NOT re-sent:
the error says so and how to opt in. Callers that prefer a possible double
charge to a failed call opt in per client, ``Client(..., retry_unsafe=True)``,
or per call site, ``client.with_options(retry_unsafe=True).generate(...)``;
those requests are then retried like idempotent ones. A stream that broke off
after it started (``StreamIncompleteError``) is never re-sent: chunks were
already handed to the caller.

Every re-send waits: the server's ``retry-after-ms`` / ``Retry-After`` when
given, else exponential backoff from ``initial_delay`` doubling up to
``max_delay``, with up to 25% jitter. At most ``max_retries`` re-sends.

Within a deadline (``deadline.py``), a re-send whose wait would end past it is
not made: the error is raised at once, saying how much time was left.

A pool timeout (no free connection within ``Timeout.pool``) is not the server's
doing and another wait is all a re-send would add: it is re-sent only when the
call has a deadline and time remains, never blindly. The clients' concurrency
gate (``pool.py``) keeps their own pool from timing out; this is for pools the
caller passed in, smaller than the gate.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import APIConnectionError, APIStatusError, RelayError, StreamIncompleteError

if TYPE_CHECKING:
    # Annotations only: httpx loads when a client is created, not on import (see client.py).
    import httpx

__all__ = [
    "POOL_WAIT_HINT",
    "UNSAFE_RETRY_HINT",
    "RetryPolicy",
    "backoff",
    "plan_retry",
    "retry_after",
]

UNSAFE_RETRY_HINT = (
    "not retried: this request is not idempotent and may already have started work, so "
    "re-sending it could bill twice; pass retry_unsafe=True or use "
    "client.with_options(retry_unsafe=True) to allow"
)


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    # A server asking for a longer wait than this (e.g. a daily quota reset)
    # gets its error raised at once instead of a silently blocked caller.
    max_retry_after: float = 60.0
    # Re-send non-idempotent requests that may have started work (see above).
    retry_unsafe: bool = False


def retry_after(headers: httpx.Headers, now: float | None = None) -> float | None:
    """Seconds the server asked us to wait (``retry-after-ms``, ``Retry-After``)."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(0.0, float(millis) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime  # only for HTTP-date values; a heavy import

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def backoff(policy: RetryPolicy, attempt: int, rand: Callable[[], float]) -> float:
    """Exponential delay for retry number ``attempt`` (0-based), with jitter."""
    base = min(policy.max_delay, policy.initial_delay * (2.0**attempt))
    # Up to 25% less, so clients that failed together do not retry together.
    return base * (1.0 - 0.25 * rand())


POOL_WAIT_HINT = (
    "not retried: no connection came free within the pool timeout; give the call a "
    "deadline= to keep waiting, or use a pool with more connections (limits=)"
)


def _retryable(
    error: RelayError, hint: float | None, idempotent: bool, policy: RetryPolicy, pool_wait: bool
) -> tuple[bool, str | None]:
    """Whether ``error`` may be re-sent, and if not, why (None = no note needed)."""
    if isinstance(error, StreamIncompleteError):
        return False, None
    if pool_wait:
        return False, POOL_WAIT_HINT
    status = error.status if isinstance(error, APIStatusError) else None
    if isinstance(error, APIConnectionError) and not error.request_sent:
        return True, None
    if status == 429 or (status == 503 and hint is not None):
        return True, None
    risky = isinstance(error, APIConnectionError) or (
        status is not None and (status >= 500 or status == 408)
    )
    if not risky:
        return False, None
    if idempotent or policy.retry_unsafe:
        return True, None
    return False, UNSAFE_RETRY_HINT


def plan_retry(
    error: RelayError,
    headers: httpx.Headers,
    *,
    idempotent: bool,
    attempt: int,
    policy: RetryPolicy,
    rand: Callable[[], float],
    remaining: float | None = None,
    pool_wait: bool = False,
) -> float | None:
    """Seconds to wait before re-sending, or None to raise ``error``.

    ``remaining``: seconds left before the call's deadline (None: no deadline).
    ``pool_wait``: the attempt timed out waiting for a pooled connection.
    When the answer is None for a reason the caller should know, the reason
    is left in ``error.retry_note``.
    """
    hint = retry_after(headers)
    allowed, note = _retryable(error, hint, idempotent, policy, pool_wait and remaining is None)
    if not allowed:
        error.retry_note = note
        return None
    if attempt >= policy.max_retries:
        if policy.max_retries:
            error.retry_note = f"gave up after {attempt + 1} attempts"
        return None
    if hint is not None and hint > policy.max_retry_after:
        error.retry_note = f"not retried: the server asked to wait {hint:.0f}s"
        return None
    delay = hint if hint is not None else backoff(policy, attempt, rand)
    if remaining is not None and delay >= remaining:
        error.retry_note = f"not retried: {max(remaining, 0.0):.1f}s were left before the deadline"
        return None
    return delay
