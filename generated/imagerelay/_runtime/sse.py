"""Server-sent events decoded straight from a reply's bytes.

Follows the WHATWG event-stream rules: lines end in CRLF, LF or CR (a CR at the end of
one read may pair with an LF at the start of the next); a blank line dispatches the event
if it has at least one ``data:`` line; ``:`` lines are comments (keep-alives); one space
after the colon is dropped; a leading byte-order mark is ignored; an event cut off before
its blank line is dropped. The stream is UTF-8 whatever the reply's charset says.

Why not httpx-sse's ``EventSource`` (its results are the same, a test holds the two
together): it reads through three nested async generators per line, and at a thousand
concurrent streams those layers cost more than all our own per-chunk work. Here a read
of bytes becomes a list of events in one plain call, and the caller's loop is the only
generator.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Event", "EventDecoder"]

_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Event:
    """One dispatched event: its type ("" when unnamed) and its joined ``data`` lines."""

    event: str
    data: str


class EventDecoder:
    """Incremental decoder: ``feed`` it each read of the reply, in order.

    Its lists are made only when needed: a thousand streams in flight keep a thousand
    decoders alive, and every object they hold is work for the garbage collector.
    """

    __slots__ = ("_carriage", "_data", "_event", "_partial", "_started")

    def __init__(self) -> None:
        self._partial: list[bytes] | None = None  # an unfinished line, joined when it ends
        self._carriage = False  # the last read ended in CR: an LF next is the same line end
        self._started = False
        self._event = ""
        self._data: list[bytes] | None = None  # the event's data lines so far

    def feed(self, chunk: bytes) -> list[Event]:
        """The events completed by ``chunk``."""
        if not chunk:
            return []
        if not self._started:
            if self._partial is not None:
                chunk, self._partial = b"".join(self._partial) + chunk, None
            if len(chunk) < 3 and _BOM.startswith(chunk):
                self._partial = [chunk]  # too short to tell whether it starts a BOM
                return []
            self._started = True
            if chunk.startswith(_BOM):
                chunk = chunk[3:]
        if self._carriage:
            self._carriage = False
            if chunk.startswith(b"\n"):
                chunk = chunk[1:]
        if b"\r" in chunk:
            # A CR at the very end ends its line; an LF at the start of the next read
            # belongs to the same line end.
            self._carriage = chunk.endswith(b"\r")
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        if b"\n" not in chunk:
            if chunk:
                self._keep(chunk)
            return []
        lines = chunk.split(b"\n")
        if self._partial is not None:
            self._partial.append(lines[0])
            lines[0], self._partial = b"".join(self._partial), None
        rest = lines.pop()  # after the last line end: the start of a line, or b""
        if rest:
            self._keep(rest)
        events: list[Event] = []
        for line in lines:
            event = self._line(line)
            if event is not None:
                events.append(event)
        return events

    def _keep(self, part: bytes) -> None:
        if self._partial is None:
            self._partial = [part]
        else:
            self._partial.append(part)

    def _line(self, line: bytes) -> Event | None:
        if not line:
            return self._dispatch()
        if line.startswith(b":"):
            return None
        name, _, value = line.partition(b":")
        if value.startswith(b" "):
            value = value[1:]
        if name == b"data":
            if self._data is None:
                self._data = [value]
            else:
                self._data.append(value)
        elif name == b"event":
            self._event = value.decode("utf-8", "replace")
        return None  # id and retry are not used; other fields are ignored by the rules

    def _dispatch(self) -> Event | None:
        data, self._data = self._data, None
        if data is None:
            self._event = ""
            return None
        text = (data[0] if len(data) == 1 else b"\n".join(data)).decode("utf-8", "replace")
        event, self._event = Event(self._event, text), ""
        return event
