"""The event-stream decoder (``_runtime/sse.py``): the WHATWG rules, reads split anywhere,
and the same events as httpx-sse's ``EventSource`` for any stream (hypothesis)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

import httpx
from httpx_sse import EventSource
from hypothesis import example, given, settings
from hypothesis import strategies as st
from imagerelay._runtime.sse import Event, EventDecoder


def decode(*reads: bytes) -> list[Event]:
    decoder = EventDecoder()
    return [event for read in reads for event in decoder.feed(read)]


def every_split(stream: bytes) -> Iterator[list[bytes]]:
    """The stream whole, byte by byte, and cut in two at every offset."""
    yield [stream]
    yield [stream[i : i + 1] for i in range(len(stream))]
    for cut in range(1, len(stream)):
        yield [stream[:cut], stream[cut:]]


def test_events_end_at_a_blank_line_with_any_line_ending() -> None:
    for end in (b"\n", b"\r\n", b"\r"):
        stream = b"data: one" + end + end + b"event: done" + end + b"data: two" + end + end
        for reads in every_split(stream):
            assert decode(*reads) == [Event("", "one"), Event("done", "two")], (end, reads)


def test_data_lines_join_with_newlines_and_one_leading_space_goes() -> None:
    stream = b"data:  a\ndata:b\ndata\ndata: \n\n"
    assert decode(stream) == [Event("", " a\nb\n\n")]


def test_comments_ids_retries_and_unknown_fields_are_not_events() -> None:
    stream = b": keep-alive\n\nid: 7\nretry: 10\nfoo: bar\n\n:\n\ndata: x\nid: 8\n\n"
    assert decode(stream) == [Event("", "x")]


def test_an_event_without_data_is_not_dispatched_and_its_name_is_forgotten() -> None:
    assert decode(b"event: ping\n\ndata: x\n\n") == [Event("", "x")]


def test_an_event_cut_off_before_its_blank_line_is_dropped() -> None:
    assert decode(b"data: whole\n\ndata: cut") == [Event("", "whole")]
    assert decode(b"data: whole\n\ndata: cut\n") == [Event("", "whole")]


def test_a_leading_byte_order_mark_is_ignored_even_split() -> None:
    stream = b"\xef\xbb\xbfdata: x\n\n"
    for reads in every_split(stream):
        assert decode(*reads) == [Event("", "x")], reads
    # Only at the start: later it is part of the field name, an unknown field.
    assert decode(b"data: a\n\n\xef\xbb\xbfdata: b\n\n") == [Event("", "a")]


def test_utf8_split_inside_a_character_and_invalid_bytes() -> None:
    stream = "data: 画像 ✓\n\n".encode()
    for reads in every_split(stream):
        assert decode(*reads) == [Event("", "画像 ✓")], reads
    assert decode(b"data: \xff\xfe\n\n") == [Event("", "\ufffd\ufffd")]


def test_a_cr_at_the_end_of_a_read_pairs_with_an_lf_at_the_start_of_the_next() -> None:
    assert decode(b"data: a\r", b"\n", b"\r\n") == [Event("", "a")]
    # Two CRs are two line ends: the second is the blank line.
    assert decode(b"data: a\r", b"\r") == [Event("", "a")]
    assert decode(b"data: a\r", b"", b"\ndata: b\r", b"\n\r\n") == [Event("", "a\nb")]


def test_a_long_line_in_small_reads_is_one_value() -> None:
    payload = b"x" * 200_000
    stream = b"data: " + payload + b"\n\n"
    reads = [stream[i : i + 1000] for i in range(0, len(stream), 1000)]
    assert decode(*reads) == [Event("", payload.decode())]


class _Reads(httpx.SyncByteStream):
    def __init__(self, reads: list[bytes]) -> None:
        self._reads = reads

    def __iter__(self) -> Iterator[bytes]:
        yield from self._reads


def httpx_sse_events(reads: list[bytes]) -> list[Event]:
    """httpx-sse's reading of the same bytes: events with data (the decoder's contract),
    an unnamed event as "" (httpx-sse names it "message", as browsers do)."""
    response = httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=_Reads(reads))
    return [
        Event("" if sse.event == "message" else sse.event, sse.data)
        for sse in EventSource(response).iter_sse()
        if sse.data
    ]


_FIELD = st.sampled_from(["data", "data", "data", "event", "id", "retry", "", "x-other", "dat"])
# Values hold any text but line ends; \u2028, \x85 and NUL are not line ends in SSE.
_VALUE = st.text(
    alphabet=st.one_of(st.characters(blacklist_characters="\r\n"), st.sampled_from("\u2028\x85\x00 :")),
    max_size=12,
)
_LINE = st.one_of(
    st.tuples(_FIELD, st.sampled_from([": ", ":", ":  ", ""]), _VALUE).map(lambda t: "".join(t)),
    st.just(""),  # a blank line: dispatch
    _VALUE.map(lambda v: ":" + v),  # a comment
)
_END = st.sampled_from(["\n", "\r\n", "\r"])


@st.composite
def streams(draw: st.DrawFn) -> list[bytes]:
    lines = draw(st.lists(st.tuples(_LINE, _END), max_size=25))
    stream = "".join(line + end for line, end in lines)
    if draw(st.booleans()):
        stream += draw(_VALUE)  # an unfinished last line
    data = stream.encode()
    cuts = sorted(set(draw(st.lists(st.integers(0, len(data)), max_size=8))))
    bounds = [0, *cuts, len(data)]
    return [data[a:b] for a, b in pairwise(bounds) if b > a]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(streams())
@example([b"data: a\r", b"\ndata: b\r", b"\r"])
@example([b"event: e\r\ndata: x\r", b"\r\n"])
def test_the_same_events_as_httpx_sse_for_any_stream_read_in_any_pieces(reads: list[bytes]) -> None:
    ours = [Event("" if e.event == "message" else e.event, e.data) for e in decode(*reads) if e.data]
    assert ours == httpx_sse_events(reads)
    # And the same however the bytes are cut.
    whole = b"".join(reads)
    assert [event for event in decode(whole) if event.data] == ours
