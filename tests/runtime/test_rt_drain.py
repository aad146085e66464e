"""The async drains' one timer (``_runtime/drain.py``): overdue drains have their socket
shut, finished ones never, one timer serves them all, and a client moved to a new event
loop starts afresh. A fake loop keeps time here; the fault tests run it for real."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import pytest
from imagerelay._runtime import drain
from imagerelay._runtime.drain import DrainReaper, shuttable_socket

BOUND = 0.25


class FakeSocket:
    def __init__(self, fails: bool = False) -> None:
        self.shut: list[int] = []
        self.fails = fails

    def shutdown(self, how: int) -> None:
        self.shut.append(how)
        if self.fails:
            raise OSError(9, "Bad file descriptor")


class FakeLoop:
    """The two things the reaper asks of a loop, with a clock the test moves."""

    def __init__(self) -> None:
        self.now = 100.0
        self.timers: list[tuple[float, Callable[[], None]]] = []
        self.soon: list[tuple[Callable[..., None], tuple[Any, ...]]] = []

    def time(self) -> float:
        return self.now

    def call_at(self, when: float, callback: Callable[[], None]) -> object:
        self.timers.append((when, callback))
        return object()

    def call_soon(self, callback: Callable[..., None], *args: Any) -> object:
        self.soon.append((callback, args))
        return object()

    def turn(self) -> None:
        """One turn: the callbacks scheduled before it (new ones wait for the next)."""
        ready, self.soon = self.soon, []
        for callback, args in ready:
            callback(*args)

    def run_until(self, now: float) -> None:
        """Move the clock, firing due timers in order, each followed by enough turns for
        the callbacks it schedules (as an idle loop would)."""
        while True:
            due = sorted((t for t in self.timers if t[0] <= now), key=lambda t: t[0])
            if not due:
                break
            self.timers.remove(due[0])
            self.now = due[0][0]
            due[0][1]()
            while self.soon:
                self.turn()
        self.now = now


@pytest.fixture
def loop(monkeypatch: pytest.MonkeyPatch) -> FakeLoop:
    fake = FakeLoop()
    monkeypatch.setattr(drain.asyncio, "get_running_loop", lambda: fake)
    return fake


def test_overdue_drains_are_shut_and_finished_ones_are_not(loop: FakeLoop) -> None:
    reaper = DrainReaper(BOUND)
    socks = [FakeSocket() for _ in range(4)]
    start = loop.now
    tickets = [reaper.watch(sock) for sock in socks[:2]]
    tickets[0].done()
    loop.run_until(start + BOUND / 2)
    later = [reaper.watch(sock) for sock in socks[2:]]  # due half a bound after the first
    assert len(loop.timers) == 1  # one timer for all of them
    loop.run_until(start + BOUND * 1.25)
    assert socks[1].shut == [socket.SHUT_RDWR]  # overdue
    assert socks[2].shut == [] and socks[3].shut == []  # not yet due
    later[0].done()
    loop.run_until(start + BOUND * 2)
    assert socks[3].shut == [socket.SHUT_RDWR]
    assert socks[0].shut == [] and socks[2].shut == []  # finished in time
    assert loop.timers == []  # nothing left to watch: no timer


def test_an_overdue_drain_still_gets_a_few_turns_of_a_busy_loop(loop: FakeLoop) -> None:
    """A loop running a thousand streams may not have run a drain once in its bound,
    though its last bytes arrived long ago: it is shut only after GRACE_TURNS more turns."""
    reaper = DrainReaper(BOUND)
    slow, finishing = FakeSocket(), FakeSocket()
    reaper.watch(slow)
    ticket = reaper.watch(finishing)
    when, fire = loop.timers.pop()
    loop.now = when
    fire()
    for _ in range(drain.GRACE_TURNS - 1):
        loop.turn()
    ticket.done()  # its read ran in one of those turns
    assert slow.shut == [] and finishing.shut == []
    while loop.soon:
        loop.turn()
    assert slow.shut == [socket.SHUT_RDWR]
    assert finishing.shut == []


def test_a_timer_that_fires_early_waits_for_the_next_due(loop: FakeLoop) -> None:
    reaper = DrainReaper(BOUND)
    sock = FakeSocket()
    reaper.watch(sock)
    when, fire = loop.timers.pop()
    loop.now = when - 0.01  # earlier than the loop's clock resolution allows for
    fire()
    assert sock.shut == []
    assert [t[0] for t in loop.timers] == [when]
    loop.run_until(when)
    assert sock.shut == [socket.SHUT_RDWR]


def test_a_socket_already_closed_does_not_stop_the_others(loop: FakeLoop) -> None:
    reaper = DrainReaper(BOUND)
    closed, open_ = FakeSocket(fails=True), FakeSocket()
    reaper.watch(closed)
    reaper.watch(open_)
    loop.run_until(loop.now + BOUND)
    assert closed.shut == [socket.SHUT_RDWR] and open_.shut == [socket.SHUT_RDWR]


def test_a_new_event_loop_starts_afresh(monkeypatch: pytest.MonkeyPatch) -> None:
    reaper = DrainReaper(BOUND)
    loops = [FakeLoop(), FakeLoop()]
    current: list[Any] = [loops[0]]
    monkeypatch.setattr(drain.asyncio, "get_running_loop", lambda: current[0])
    first, second = FakeSocket(), FakeSocket()
    reaper.watch(first)  # its loop ends before the bound: its timer dies with it
    current[0] = loops[1]
    reaper.watch(second)
    assert len(loops[1].timers) == 1  # a timer of the new loop, not "one already pending"
    loops[1].run_until(loops[1].now + BOUND)
    assert second.shut == [socket.SHUT_RDWR]
    assert first.shut == []  # the old loop's drain is not this loop's to shut


def test_only_http11_responses_have_a_socket_to_shut() -> None:
    class Stream:
        def __init__(self, sock: object) -> None:
            self.sock = sock

        def get_extra_info(self, name: str) -> object:
            return self.sock if name == "socket" else None

    sock = FakeSocket()
    assert shuttable_socket({"network_stream": Stream(sock)}) is sock
    assert shuttable_socket({"network_stream": Stream(None)}) is None  # HTTP/2
    assert shuttable_socket({}) is None  # in memory
