"""One timer for all of an async client's drains (see ``pool.AsyncGuardedStream.drain``).

A stream that signalled its end still reads what the server sends after it (the chunked
body's terminator) so that its connection can be reused, and that read is bounded in
time. ``asyncio.timeout`` around each read left a Timeout, a timer handle and a context
copy in the loop's heap for the whole bound: at a thousand concurrent streams, that
garbage cost more than the read itself (bench figure 7d). Every drain has the same bound,
so drains expire in the order they start: a FIFO queue and one timer at its head do.

An overdue drain's socket is shut down, as the sync client's watchdog does: the pending
read ends with an httpx error, the drain gives up, and httpcore drops the connection
(a shut socket reads as closed, so it is never reused). Overdue means past the bound and
GRACE_TURNS more turns of the event loop: in a loop busy with a thousand streams, 0.25 s
can pass before a drain runs once, and without the grace nine drains in ten of such a
batch were cut (bench figure 7) though the bytes they waited for had arrived.
"""

from __future__ import annotations

import asyncio
import socket
from collections import deque
from collections.abc import Mapping
from typing import Any, Protocol

__all__ = ["DrainReaper", "Shuttable", "Ticket", "shuttable_socket"]

# A timer may fire up to the loop's clock resolution early; later drains wait for the next.
_EARLY = 0.001
# Turns of the event loop an overdue drain still gets (see DrainReaper._last_turns).
GRACE_TURNS = 3


class Shuttable(Protocol):
    """A socket, or asyncio's TransportSocket view of one."""

    def shutdown(self, how: int) -> None: ...


def shuttable_socket(extensions: Mapping[str, Any]) -> Shuttable | None:
    """The socket under an HTTP/1.1 response, from httpcore's ``network_stream``
    extension; None for HTTP/2 and in-memory transports."""
    stream = extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    return sock if callable(getattr(sock, "shutdown", None)) else None


class Ticket:
    """One drain under watch; ``done`` when it ends, whichever way."""

    __slots__ = ("sock", "when")

    def __init__(self, when: float, sock: Shuttable) -> None:
        self.when = when
        self.sock: Shuttable | None = sock

    def done(self) -> None:
        self.sock = None  # also lets the socket go before the ticket leaves the queue


class DrainReaper:
    """Shuts the sockets of drains that outlive ``seconds`` (one per async client)."""

    __slots__ = ("_due", "_loop", "_seconds", "_timer")

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds
        self._loop: asyncio.AbstractEventLoop | None = None
        self._due: deque[Ticket] = deque()
        self._timer: asyncio.TimerHandle | None = None

    def watch(self, sock: Shuttable) -> Ticket:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # first use, or the client moved to a new event loop
            self._loop, self._due, self._timer = loop, deque(), None
        ticket = Ticket(loop.time() + self._seconds, sock)
        self._due.append(ticket)
        if self._timer is None:
            self._timer = loop.call_at(ticket.when, self._expire)
        return ticket

    def _expire(self) -> None:
        self._timer = None
        loop, due = self._loop, self._due
        if loop is None:
            return
        now = loop.time() + _EARLY
        overdue: list[Ticket] = []
        while due and (due[0].sock is None or due[0].when <= now):
            ticket = due.popleft()
            if ticket.sock is not None:
                overdue.append(ticket)
        if overdue:
            loop.call_soon(self._last_turns, overdue, GRACE_TURNS)
        if due:
            self._timer = loop.call_at(due[0].when, self._expire)

    def _last_turns(self, overdue: list[Ticket], left: int) -> None:
        """Shut the overdue drains once the loop has turned ``left`` more times.

        A busy loop (a thousand streams in flight) may not have run a drain once in its
        bound, though the bytes it waits for arrived long ago; a few more turns let it
        finish. An idle loop turns in microseconds, so a silent relay is cut on time.
        """
        if left > 0 and any(ticket.sock is not None for ticket in overdue):
            loop = self._loop
            if loop is not None:
                loop.call_soon(self._last_turns, overdue, left - 1)
                return
        for ticket in overdue:
            if ticket.sock is not None:
                _shut(ticket.sock)
                ticket.done()


def _shut(sock: Shuttable) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed: the read has ended anyway
