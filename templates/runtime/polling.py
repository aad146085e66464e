"""Waiting for submit-and-poll tasks to reach a terminal status.

A wait runs inside the deadline scope its helper opened (``deadline.py``): the
loop sleeps at most until the deadline, every poll (and its retries) is cut to
what remains, and a poll stopped by the deadline ends the wait with
WaitTimeoutError, like a task still pending at the deadline. The error names
``deadline=`` and carries the task id to resume with.

The loops take ``sleep`` and ``clock`` as arguments so tests run them with a
fake clock; the clients pass their own (injectable) ones.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from .deadline import Deadline, current_scope
from .errors import APITimeoutError, ContentPolicyError, TaskFailedError, WaitTimeoutError
from .log import logger
from .model import RelayResponse

__all__ = ["ProgressCallback", "WaitSettings", "settle", "wait_async", "wait_sync"]

R = TypeVar("R", bound=RelayResponse)
ProgressCallback = Callable[[str, float | None], None]


@dataclass
class WaitSettings:
    task_id: str
    # The public helper that waits (``wait``, ``wait_<submit>``): named in the error.
    method: str = "wait"
    poll_interval: float = 2.0
    max_poll_interval: float = 15.0
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


def _timed_out(
    result: RelayResponse | None, elapsed: float, deadline: Deadline, settings: WaitSettings
) -> WaitTimeoutError:
    status = None if result is None else result.task_status()
    progress = None if result is None else result.task_progress()
    shown = "" if progress is None else f", {progress:.0%} done"
    state = (
        f"still {status or 'pending'!r}{shown}" if result is not None else "not polled successfully"
    )
    # Short deadlines (tests, interactive use) would otherwise read "after 0s".
    seconds = f"{elapsed:.1f}" if elapsed < 10 else f"{elapsed:.0f}"
    task = settings.task_id
    return WaitTimeoutError(
        f"task {task!r} {state} after {seconds}s, its deadline (deadline={deadline.seconds:g}); "
        f"keep waiting with {settings.method}({task!r}, deadline=...), or poll it again later",
        task_id=task,
        task_status=status,
        progress=progress,
        elapsed=elapsed,
    )


def _next_sleep(delay: float, deadline: Deadline | None, now: float) -> float | None:
    """How long to sleep before the next poll; None when the deadline leaves no time for one."""
    if deadline is None:
        return delay
    remaining = deadline.remaining(now)
    return None if remaining <= 0 else min(delay, remaining)


def wait_sync(
    poll: Callable[[], R],
    settings: WaitSettings,
    *,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
) -> R:
    """Poll until terminal; the interval grows x1.5 per poll up to ``max_poll_interval``."""
    deadline, start = current_scope(), clock()
    delay, last = settings.poll_interval, None
    while True:
        if deadline is not None and deadline.over(clock()):
            raise _timed_out(last, clock() - start, deadline, settings)
        try:
            result = poll()
        except APITimeoutError as exc:
            if deadline is None or not deadline.passed(clock()):
                raise
            raise _timed_out(last, clock() - start, deadline, settings) from exc
        if settle(result, settings):
            return result
        last = result
        pause = _next_sleep(delay, deadline, clock())
        if pause is None:
            continue  # raises above
        sleep(pause)
        delay = min(delay * 1.5, settings.max_poll_interval)


async def wait_async(
    poll: Callable[[], Awaitable[R]],
    settings: WaitSettings,
    *,
    sleep: Callable[[float], Awaitable[None]],
    clock: Callable[[], float],
) -> R:
    """Async :func:`wait_sync`. Cancelling it cancels the sleep or poll in flight
    and leaves nothing behind (there is no state beyond this frame)."""
    deadline, start = current_scope(), clock()
    delay, last = settings.poll_interval, None
    while True:
        if deadline is not None and deadline.over(clock()):
            raise _timed_out(last, clock() - start, deadline, settings)
        try:
            result = await poll()
        except APITimeoutError as exc:
            if deadline is None or not deadline.passed(clock()):
                raise
            raise _timed_out(last, clock() - start, deadline, settings) from exc
        if settle(result, settings):
            return result
        last = result
        pause = _next_sleep(delay, deadline, clock())
        if pause is None:
            continue
        await sleep(pause)
        delay = min(delay * 1.5, settings.max_poll_interval)
