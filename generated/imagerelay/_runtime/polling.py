"""Waiting for submit-and-poll tasks to reach a terminal status.

The loops take ``sleep`` and ``clock`` as arguments so tests run them with a
fake clock; the clients pass their own (injectable) ones.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from .errors import ContentPolicyError, TaskFailedError, WaitTimeoutError
from .log import logger
from .model import RelayResponse

__all__ = ["ProgressCallback", "WaitSettings", "settle", "wait_async", "wait_sync"]

R = TypeVar("R", bound=RelayResponse)
ProgressCallback = Callable[[str, float | None], None]


@dataclass
class WaitSettings:
    interval: float = 2.0
    max_interval: float = 15.0
    timeout: float = 900.0
    on_progress: ProgressCallback | None = None
    # Unknown statuses already warned about (warn once per status).
    warned: set[str] = field(default_factory=set)


def settle(result: RelayResponse, settings: WaitSettings) -> bool:
    """True when ``result`` succeeded, False while pending; raises on failure."""
    status = result.task_status()
    if settings.on_progress is not None:
        settings.on_progress(status or "unknown", result.task_progress())
    outcome = result.task_outcome()
    if outcome == "success":
        return True
    error_text = result.task_error()
    if outcome == "violation":
        raise ContentPolicyError(
            f"task refused by the provider's content policy (status {status!r})",
            task_status=status,
            provider_message=error_text,
        )
    if outcome == "failure":
        raise TaskFailedError(
            f"task failed with status {status!r}: {error_text or 'no error text given'}",
            task_status=status,
            provider_message=error_text,
        )
    spec = type(result).__relay_task__
    known = spec.known if spec is not None else frozenset()
    if status is not None and status not in known and status not in settings.warned:
        settings.warned.add(status)
        logger.warning("unknown task status %r; still waiting", status)
    return False


def _timed_out(result: RelayResponse, elapsed: float) -> WaitTimeoutError:
    status, progress = result.task_status(), result.task_progress()
    shown = "" if progress is None else f", {progress:.0%} done"
    # Short deadlines (tests, interactive use) would otherwise read "after 0s".
    seconds = f"{elapsed:.1f}" if elapsed < 10 else f"{elapsed:.0f}"
    return WaitTimeoutError(
        f"task still {status or 'pending'!r}{shown} after {seconds}s; "
        "wait longer (timeout=...) or poll it again later",
        task_status=status,
        progress=progress,
        elapsed=elapsed,
    )


def wait_sync(
    poll: Callable[[], R],
    settings: WaitSettings,
    *,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
) -> R:
    """Poll until terminal; backoff grows x1.5 per poll up to ``max_interval``."""
    start, delay = clock(), settings.interval
    while True:
        result = poll()
        if settle(result, settings):
            return result
        remaining = settings.timeout - (clock() - start)
        if remaining <= 0:
            raise _timed_out(result, clock() - start)
        sleep(min(delay, remaining))
        delay = min(delay * 1.5, settings.max_interval)


async def wait_async(
    poll: Callable[[], Awaitable[R]],
    settings: WaitSettings,
    *,
    sleep: Callable[[float], Awaitable[None]],
    clock: Callable[[], float],
) -> R:
    """Async :func:`wait_sync`. Cancelling it cancels the sleep or poll in flight
    and leaves nothing behind (there is no state beyond this frame)."""
    start, delay = clock(), settings.interval
    while True:
        result = await poll()
        if settle(result, settings):
            return result
        remaining = settings.timeout - (clock() - start)
        if remaining <= 0:
            raise _timed_out(result, clock() - start)
        await sleep(min(delay, remaining))
        delay = min(delay * 1.5, settings.max_interval)
