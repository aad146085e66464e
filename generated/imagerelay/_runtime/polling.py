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


class _Watch:
    """The deadline side of one wait: the scope's deadline, the last status polled, and
    the WaitTimeoutError (naming ``deadline=`` and the task id) when time runs out."""

    def __init__(self, settings: WaitSettings, clock: Callable[[], float]) -> None:
        self.settings, self.clock = settings, clock
        self.deadline, self.start = current_scope(), clock()
        self.last: RelayResponse | None = None
        self.delay = settings.poll_interval

    def timed_out(self) -> WaitTimeoutError:
        assert self.deadline is not None  # only a deadline ends a wait early
        return _timed_out(self.last, self.clock() - self.start, self.deadline, self.settings)

    def check(self) -> None:
        """Before a poll: raise when no time is left for it."""
        if self.deadline is not None and self.deadline.over(self.clock()):
            raise self.timed_out()

    def stopped_poll(self, exc: APITimeoutError) -> None:
        """A poll timed out: raise WaitTimeoutError when the deadline was the cause."""
        if self.deadline is not None and self.deadline.passed(self.clock()):
            raise self.timed_out() from exc

    def pause_after(self, result: RelayResponse) -> float:
        """How long to sleep after a pending ``result``, cut to what remains of the deadline;
        the interval grows x1.5 per poll up to ``max_poll_interval``."""
        self.last, pause = result, self.delay
        self.delay = min(self.delay * 1.5, self.settings.max_poll_interval)
        if self.deadline is None:
            return pause
        remaining = self.deadline.remaining(self.clock())
        if remaining <= 0:
            raise self.timed_out()
        return min(pause, remaining)


def wait_sync(
    poll: Callable[[], R],
    settings: WaitSettings,
    *,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
) -> R:
    """Poll until terminal, within the deadline scope the wait helper opened."""
    watch = _Watch(settings, clock)
    while True:
        watch.check()
        try:
            result = poll()
        except APITimeoutError as exc:
            watch.stopped_poll(exc)
            raise
        if settle(result, settings):
            return result
        sleep(watch.pause_after(result))


async def wait_async(
    poll: Callable[[], Awaitable[R]],
    settings: WaitSettings,
    *,
    sleep: Callable[[float], Awaitable[None]],
    clock: Callable[[], float],
) -> R:
    """Async :func:`wait_sync`. Cancelling it cancels the sleep or poll in flight
    and leaves nothing behind (there is no state beyond this frame)."""
    watch = _Watch(settings, clock)
    while True:
        watch.check()
        try:
            result = await poll()
        except APITimeoutError as exc:
            watch.stopped_poll(exc)
            raise
        if settle(result, settings):
            return result
        await sleep(watch.pause_after(result))
