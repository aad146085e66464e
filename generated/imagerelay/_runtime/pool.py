"""Connection limits, the concurrency gate, and giving connections back to the pool.

Limits. A client that makes its own httpx pool sizes it with ``default_limits()``, the
values openai-python uses for batch work: up to 1000 connections, 100 of them kept alive
when idle. ``Client(limits=httpx.Limits(...))`` changes them.

The gate. httpcore's pool (1.0.x) does work proportional to queued requests x connections
each time a request starts or ends, so a thousand ``gather()``ed calls behind a full pool
cost more in bookkeeping than in I/O, and a queued request gives up after the pool timeout
(10 s) whether or not the call could have waited longer. Each client therefore lets at most
``max_connections`` requests into httpx at a time (an asyncio.Semaphore for AsyncClient, a
``ThreadGate`` for Client); the rest wait in the SDK, cheaply, for
as long as their deadline allows (deadline.py), and the pool never has a request queued.
A slot is held from the send until the response is closed, so a stream holds one while
it is open. ``with_options`` copies share the pool and the gate. With ``http_client=`` or
``transport=`` the gate is sized by ``limits`` too: pass the limits of that pool.

Giving connections back. A response read to its end returns its connection to the pool;
one closed mid-body loses it. A stream ends at its end marker (``[DONE]``) before the
server's last bytes (the chunked-body terminator) are read, so a finished stream reads
what is left, at most ``DRAIN_BYTES`` within ``DRAIN_SECONDS``, before it closes; a server
that keeps talking after its end marker costs a connection, never a hang. The async
client bounds its drains with one timer for all of them (drain.py).

``GuardedStream`` / ``AsyncGuardedStream`` wrap the body of every response the clients
hand on: they release the gate slot when the response closes and enforce the call's
deadline while the body is read.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import os
import queue
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import Any

import httpx

from .deadline import Deadline
from .drain import DrainReaper, shuttable_socket
from .log import logger

__all__ = [
    "DRAIN_BYTES",
    "DRAIN_SECONDS",
    "AsyncGate",
    "AsyncGuardedStream",
    "DeadlineReached",
    "GuardedStream",
    "Slot",
    "ThreadGate",
    "clip_timeout",
    "default_limits",
]

DRAIN_BYTES = 64 * 1024
DRAIN_SECONDS = 0.25

Release = Callable[[], None]


def default_limits() -> httpx.Limits:
    return httpx.Limits(max_connections=1000, max_keepalive_connections=100, keepalive_expiry=5.0)


class DeadlineReached(httpx.TimeoutException):
    """Raised from a body read when the call's deadline has passed; the clients turn it into
    APITimeoutError. An httpx exception, so every layer in between treats it as a timeout."""


def clip_timeout(phases: Mapping[str, float | None], remaining: float) -> dict[str, float]:
    """A request's ``timeout`` extension (httpcore's documented per-phase timeouts) with no
    phase longer than ``remaining``; a phase without a limit gets ``remaining``."""
    return {
        phase: remaining if value is None else min(value, remaining)
        for phase, value in phases.items()
    }


class Slot:
    """A place taken at a gate; ``release`` gives it back, once however often it is called."""

    __slots__ = ("_gate",)

    def __init__(self, gate: ThreadGate | AsyncGate) -> None:
        self._gate: ThreadGate | AsyncGate | None = gate

    def release(self) -> None:
        gate, self._gate = self._gate, None
        if gate is not None:
            gate.release()


def _answered_from_memory(response: httpx.Response, slot: Slot) -> bool:
    """A response httpx.MockTransport made is already read and closed: no close would ever
    reach a guard, and nothing holds a connection, so its slot is given back now."""
    if response.is_closed:
        slot.release()
        return True
    return False


class ThreadGate:
    """The sync client's gate: ``size`` requests in httpx at once (None: no limit).

    A counting semaphore whose tokens sit in a queue.SimpleQueue: threading.Semaphore is
    Python code over a Condition, several microseconds a call (bench figure 4a), while
    SimpleQueue's get and put are C. Waiters are not strictly FIFO. The clients reach the
    rest of this module through the gate's methods: a function-level import on every call
    costs as much as the gate itself.
    """

    __slots__ = ("_tokens",)

    def __init__(self, size: int | None) -> None:
        self._tokens: queue.SimpleQueue[None] | None = None
        if size is not None:
            self._tokens = queue.SimpleQueue()
            for _ in range(size):
                self._tokens.put(None)

    def take(self, deadline: Deadline | None, now: float) -> Slot | None:
        """A slot, waiting as long as ``deadline`` allows; None when it passes first."""
        tokens = self._tokens
        if tokens is not None:
            timeout = None if deadline is None else deadline.remaining(now)
            if timeout is not None and timeout <= 0:
                return None
            try:
                tokens.get(timeout=timeout)
            except queue.Empty:
                return None
        return Slot(self)

    def release(self) -> None:
        if self._tokens is not None:
            self._tokens.put(None)

    @staticmethod
    def guard(
        response: httpx.Response, slot: Slot, deadline: Deadline | None, clock: Callable[[], float]
    ) -> None:
        """Hand ``slot`` to the response's body: released when it closes (see GuardedStream)."""
        if not _answered_from_memory(response, slot):
            assert isinstance(response.stream, httpx.SyncByteStream)
            response.stream = GuardedStream(response.stream, response, slot.release, deadline, clock)


class AsyncGate:
    """The async client's gate: an asyncio.Semaphore of ``size`` (None: no limit)."""

    __slots__ = ("_reaper", "_semaphore")

    def __init__(self, size: int | None) -> None:
        self._semaphore = None if size is None else asyncio.Semaphore(size)
        self._reaper = DrainReaper(DRAIN_SECONDS)

    async def take(self, deadline: Deadline | None, now: float) -> Slot | None:
        """See ThreadGate.take."""
        semaphore = self._semaphore
        if semaphore is None:
            return Slot(self)
        if deadline is None or not semaphore.locked():
            await semaphore.acquire()
            return Slot(self)
        try:
            async with asyncio.timeout(deadline.remaining(now)):
                await semaphore.acquire()
        except TimeoutError:
            return None
        return Slot(self)

    def release(self) -> None:
        if self._semaphore is not None:
            self._semaphore.release()

    def guard(
        self,
        response: httpx.Response,
        slot: Slot,
        deadline: Deadline | None,
        clock: Callable[[], float],
    ) -> None:
        """See ThreadGate.guard."""
        if not _answered_from_memory(response, slot):
            assert isinstance(response.stream, httpx.AsyncByteStream)
            response.stream = AsyncGuardedStream(
                response.stream, response.extensions, slot.release, deadline, clock, self._reaper
            )


class _Watchdog:
    """One daemon thread that runs actions at given times: the sync client's way to
    interrupt a socket read blocked in another thread (see GuardedStream.interrupt)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[list[Any]] = []
        self._order = itertools.count()
        self._cancelled = 0
        self._thread: threading.Thread | None = None

    def after(self, seconds: float, action: Callable[[], None]) -> Callable[[], None]:
        """Run ``action`` in ``seconds``; returns a function that cancels it."""
        entry = [time.monotonic() + seconds, next(self._order), action]
        with self._cond:
            heapq.heappush(self._heap, entry)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="imagerelay-watchdog", daemon=True
                )
                self._thread.start()
            self._cond.notify()
        return lambda: self._cancel(entry)

    def _cancel(self, entry: list[Any]) -> None:
        with self._cond:
            if entry[2] is None:
                return
            entry[2] = None  # dropped when it reaches the top of the heap, or below
            self._cancelled += 1
            # Calls with long deadlines end long before them: drop what they left behind.
            if self._cancelled > 1024 and self._cancelled * 2 > len(self._heap):
                self._heap = [item for item in self._heap if item[2] is not None]
                heapq.heapify(self._heap)
                self._cancelled = 0

    def _next_due(self) -> Callable[[], None]:
        with self._cond:
            while True:
                while self._heap and self._heap[0][2] is None:
                    heapq.heappop(self._heap)
                    self._cancelled -= 1
                wait = self._heap[0][0] - time.monotonic() if self._heap else None
                if wait is not None and wait <= 0:
                    entry = heapq.heappop(self._heap)
                    action: Callable[[], None] = entry[2]
                    entry[2] = None  # ran: a later cancel is a no-op
                    return action
                self._cond.wait(wait)

    def _run(self) -> None:
        while True:
            action = self._next_due()
            try:
                action()
            except Exception:  # noqa: BLE001 -- a failed interrupt leaves the read to its timeout
                logger.debug("watchdog action failed", exc_info=True)

    def _forget_thread(self) -> None:
        self._thread = None  # after fork: the child has no watchdog thread yet
        self._cond = threading.Condition()


WATCHDOG = _Watchdog()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=WATCHDOG._forget_thread)


def _socket_of(extensions: Mapping[str, Any]) -> socket.socket | None:
    """The real socket under an HTTP/1.1 response (the watchdog calls
    ``socket.socket.shutdown`` on it; asyncio's TransportSocket view does not qualify)."""
    sock = shuttable_socket(extensions)
    return sock if isinstance(sock, socket.socket) else None


class _Guard:
    """What the sync and async guards share: the slot, the deadline, the close flag."""

    def __init__(
        self, release: Release | None, deadline: Deadline | None, clock: Callable[[], float]
    ) -> None:
        self._release = release
        self.deadline = deadline
        self._clock = clock
        self._closed = False

    def _over(self) -> bool:
        return self.deadline is not None and self.deadline.over(self._clock())

    def _expired(self) -> bool:
        """A read failing now failed because of the deadline."""
        return self.deadline is not None and self.deadline.passed(self._clock())

    def _reached(self) -> DeadlineReached:
        return DeadlineReached("while reading the reply")

    def _mark_closed(self) -> bool:
        """True the first time only (async: one event loop, so no lock is needed)."""
        first, self._closed = not self._closed, True
        return first

    def _give_back(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            release()


class GuardedStream(_Guard, httpx.SyncByteStream):
    def __init__(
        self,
        inner: httpx.SyncByteStream,
        response: httpx.Response,
        release: Release | None,
        deadline: Deadline | None,
        clock: Callable[[], float],
    ) -> None:
        super().__init__(release, deadline, clock)
        self._lock = threading.Lock()  # close and the watchdog's interrupt run on two threads
        self._inner = inner
        # The extensions, not the response: the response holds this stream, and a cycle
        # would keep a large body alive until the garbage collector runs.
        self._extensions = response.extensions
        self._socket: socket.socket | None = None
        self._cancels: list[Callable[[], None]] = []
        if deadline is not None:
            self._interrupt_after(deadline.remaining(clock()))

    def _interrupt_after(self, seconds: float) -> None:
        if self._socket is None:
            self._socket = _socket_of(self._extensions)
        if self._socket is not None:  # none for HTTP/2 and in-memory transports
            self._cancels.append(WATCHDOG.after(seconds, self.interrupt))

    def __iter__(self) -> Iterator[bytes]:
        if self.deadline is None:
            return iter(self._inner)  # nothing to enforce: no extra layer per chunk
        return self._within_deadline()

    def _within_deadline(self) -> Iterator[bytes]:
        try:
            for chunk in self._inner:
                if self._over():
                    raise self._reached()
                yield chunk
        except DeadlineReached:
            raise
        except httpx.HTTPError as exc:
            # A clipped read timeout, or the watchdog's shutdown seen as a broken connection.
            if self._expired():
                raise self._reached() from exc
            raise

    def _mark_closed(self) -> bool:
        with self._lock:
            return super()._mark_closed()

    def interrupt(self) -> None:
        """From the watchdog thread: end a read blocked on this response's socket.

        Only while the response is open: once closed, its connection may already serve
        another request. ``socket.socket.shutdown`` also for TLS sockets, whose own
        shutdown would unwrap the TLS object under the reading thread."""
        with self._lock:
            if self._closed or self._socket is None:
                return
            try:
                socket.socket.shutdown(self._socket, socket.SHUT_RDWR)
            except OSError:
                pass

    def drain(self, rest: Iterator[object], response: httpx.Response) -> None:
        """Read what is left of a finished reply (bounded), so its connection can be reused."""
        if response.is_closed:
            return
        limit = response.num_bytes_downloaded + DRAIN_BYTES
        self._interrupt_after(DRAIN_SECONDS)
        try:
            for _ in rest:
                if response.num_bytes_downloaded > limit:
                    return
        except (httpx.HTTPError, ValueError):
            pass  # what follows the end marker does not matter; the connection is dropped

    def close(self) -> None:
        if not self._mark_closed():
            return
        for cancel in self._cancels:
            cancel()
        try:
            self._inner.close()
        finally:
            self._give_back()


class AsyncGuardedStream(_Guard, httpx.AsyncByteStream):
    def __init__(
        self,
        inner: httpx.AsyncByteStream,
        extensions: Mapping[str, Any],
        release: Release | None,
        deadline: Deadline | None,
        clock: Callable[[], float],
        reaper: DrainReaper,
    ) -> None:
        super().__init__(release, deadline, clock)
        self._inner = inner
        self._extensions = extensions  # not the response: see GuardedStream
        self._reaper = reaper

    def __aiter__(self) -> AsyncIterator[bytes]:
        if self.deadline is None:
            return self._inner.__aiter__()  # nothing to enforce: no extra layer per chunk
        return self._within_deadline(self.deadline)

    async def _within_deadline(self, deadline: Deadline) -> AsyncIterator[bytes]:
        chunks = self._inner.__aiter__()
        try:
            while True:
                yield await self._next_within(chunks, deadline)
        except StopAsyncIteration:
            return
        finally:
            aclose = getattr(chunks, "aclose", None)
            if aclose is not None:  # a caller that stops early leaves it suspended
                await aclose()

    async def _next_within(self, chunks: AsyncIterator[bytes], deadline: Deadline) -> bytes:
        if self._over():
            raise self._reached()
        try:
            # Under asyncio.timeout: unlike httpcore's read timeout, fixed when the body
            # starts, it is cut to what remains now, and it stops a read in progress.
            async with asyncio.timeout(deadline.remaining(self._clock())):
                return await chunks.__anext__()
        except TimeoutError as exc:
            raise self._reached() from exc
        except DeadlineReached:
            raise
        except httpx.TimeoutException as exc:
            if self._expired():
                raise self._reached() from exc
            raise

    async def drain(self, rest: AsyncIterator[object], response: httpx.Response) -> None:
        """``GuardedStream.drain`` for the async client."""
        if response.is_closed:
            return
        limit = response.num_bytes_downloaded + DRAIN_BYTES
        sock = shuttable_socket(self._extensions)
        if sock is None:  # HTTP/2: no socket to shut, so a timeout of its own
            try:
                async with asyncio.timeout(DRAIN_SECONDS):
                    await _read_rest(rest, response, limit)
            except (httpx.HTTPError, ValueError, TimeoutError):
                pass
            return
        ticket = self._reaper.watch(sock)
        try:
            await _read_rest(rest, response, limit)
        except (httpx.HTTPError, ValueError):
            pass  # cut by the reaper, or broken: the connection is dropped
        finally:
            ticket.done()

    async def aclose(self) -> None:
        if not self._mark_closed():
            return
        try:
            await self._inner.aclose()
        finally:
            self._give_back()


async def _read_rest(rest: AsyncIterator[object], response: httpx.Response, limit: int) -> None:
    async for _ in rest:
        if response.num_bytes_downloaded > limit:
            return
