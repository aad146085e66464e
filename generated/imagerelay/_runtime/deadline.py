"""Deadlines: a limit on the wall time of a whole call, whatever the call is doing.

``timeout`` (httpx's) bounds each phase of one attempt: connecting, each read, each write,
the wait for a pooled connection. None of them bounds a call: retries add attempts and
backoff sleeps, a reply that trickles in one byte at a time never trips a read timeout, and
a call may first wait for a free connection. A *deadline* is the number of seconds the
caller gives the call as a whole: the wait at the concurrency gate, every attempt, the
sleeps between them and the reading of the reply (a stream's too, until it ends). Past it
the call raises ``APITimeoutError`` saying so, and whether the request may have been sent.

Enforcement (``client.py``, ``pool.py``): every phase timeout of an attempt is clipped to
what remains, so a hung connect, send or reply ends at the deadline; the remaining time is
checked between body chunks, so a trickling reply ends too; the async client also runs the
send and each read under ``asyncio.timeout``, and the sync client, which cannot interrupt
its own blocked socket read, has a watchdog thread shut the socket down at the deadline. A
retry whose wait would run past the deadline is not made.

Deadlines nest. ``wait(task_id, deadline=60)`` opens a scope (a ContextVar, so it follows
the call into polls and the final result fetch, sync or async) and every call made inside
ends by then, even one with a longer deadline of its own.

Nothing here imports httpx: this module loads with every provider.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import NamedTuple

from .errors import APITimeoutError

__all__ = [
    "Deadline",
    "call_deadline",
    "check_seconds",
    "current_scope",
    "deadline_error",
    "deadline_scope",
    "limit_seconds",
    "reject_timeout",
]

# A timeout that fires this close to the deadline is the deadline's doing: clipped
# timeouts are set to exactly the time that remained.
SLACK = 0.05


class Deadline(NamedTuple):
    """When a call must be over, on the client's monotonic clock, and the limit it came from."""

    end: float
    seconds: float

    def remaining(self, now: float) -> float:
        return self.end - now

    def over(self, now: float) -> bool:
        """No time is left."""
        return now >= self.end

    def passed(self, now: float) -> bool:
        """Close enough to the end that a timeout now was the deadline's (see SLACK)."""
        return now >= self.end - SLACK


# The deadline of the innermost open scope (a wait, a submit-and-wait), if any.
_SCOPE: ContextVar[Deadline | None] = ContextVar("imagerelay_deadline", default=None)


def check_seconds(name: str, value: float | None) -> float | None:
    """``value`` as a positive number of seconds (or None); anything else is a TypeError/ValueError."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds or None, got {type(value).__name__}")
    if not value > 0:
        raise ValueError(f"{name} must be more than 0 seconds, got {value!r}")
    return float(value)


def limit_seconds(value: float | None) -> float | None:
    """A client's deadline setting: checked seconds, None for none (``math.inf`` lifts one)."""
    seconds = check_seconds("deadline", value)
    return None if seconds == float("inf") else seconds


def current_scope() -> Deadline | None:
    """The deadline of the innermost open scope, if any."""
    return _SCOPE.get()


def call_deadline(seconds: float | None, default: float | None, now: float) -> Deadline | None:
    """The deadline of a call starting ``now``: its own (else the client's), cut to the scope's."""
    own = seconds if seconds is not None else default
    mine = None if own is None or own == float("inf") else Deadline(now + own, own)
    scope = _SCOPE.get()
    if scope is None or (mine is not None and mine.end <= scope.end):
        return mine
    return scope


@contextmanager
def deadline_scope(seconds: float, now: float) -> Iterator[Deadline | None]:
    """Every call made inside ends within ``seconds`` (or the enclosing scope's end, if sooner);
    ``math.inf``: no limit but the enclosing scope's."""
    deadline = call_deadline(check_seconds("deadline", seconds), None, now)
    token = _SCOPE.set(deadline)
    try:
        yield deadline
    finally:
        _SCOPE.reset(token)


def reject_timeout(method: str, timeout: object) -> None:
    """The wait helpers take ``deadline=``; a ``timeout=`` there was a bug waiting to happen:
    as a per-poll HTTP timeout it looked like a bound on the wait and was not one."""
    if timeout is not None:
        raise TypeError(
            f"{method}() takes deadline=, not timeout=: deadline={timeout!r} bounds the whole wait "
            "(every poll, its retries and the sleeps between polls); each poll's HTTP timeout is "
            "the client's, e.g. client.with_options(timeout=30)"
        )


def deadline_error(
    name: str, method: str, url: str, deadline: Deadline, doing: str, *, sent: bool
) -> APITimeoutError:
    """The error of a call stopped by its deadline (``doing``: what it was doing then)."""
    return APITimeoutError(
        f"{name} gave up at its deadline ({deadline.seconds:g}s) {doing}",
        method=method,
        url=url,
        request_sent=sent,
    )
