from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from imagerelay._runtime.descriptors import Endpoint
from imagerelay._runtime.errors import (
    BadRequestError,
    ProviderError,
    ResponseValidationError,
    StreamIncompleteError,
)
from rt_helpers import (
    CHAT,
    CHAT_FINISH,
    GENERATE,
    ChatChunk,
    GenerateBody,
    Recorder,
    Task,
    make_client,
    sse,
)

BODY = GenerateBody(model="m", prompt="draw")


def delta(text: str, finish: str | None = None) -> str:
    return "data: " + json.dumps(
        {"id": "c1", "choices": [{"delta": {"content": text}, "finish_reason": finish}]}
    )


def test_stream_yields_chunks_until_done_and_skips_keepalives() -> None:
    rec = Recorder(
        sse(
            ": keep-alive",
            delta("Here: ![img](https://cdn.te"),
            "event: ping\ndata: {}",
            "data: ",
            delta("st/a.png)"),
            "data: [DONE]",
            delta("after done is ignored"),
        )
    )
    with make_client(rec)._stream(CHAT, BODY, ChatChunk) as stream:
        chunks = list(stream)
        assert [c.choices[0]["delta"]["content"] for c in chunks] == [
            "Here: ![img](https://cdn.te",
            "st/a.png)",
        ]
        assert stream.completed is True
        assert [i.url for i in stream.images()] == ["https://cdn.test/a.png"]
    assert stream.response.is_closed
    sent = rec.requests[0]
    assert sent.headers["accept"] == "text/event-stream"
    assert json.loads(sent.content) == {"model": "m", "prompt": "draw"}


def test_collect_consumes_everything() -> None:
    rec = Recorder(sse(delta("a"), delta("b"), "data: [DONE]"))
    assert len(make_client(rec)._stream(CHAT, BODY, ChatChunk).collect()) == 2


def test_stream_without_done_marker_is_incomplete() -> None:
    rec = Recorder(sse(delta("partial")))
    stream = make_client(rec)._stream(CHAT, BODY, ChatChunk)
    assert next(stream).choices[0]["delta"]["content"] == "partial"
    with pytest.raises(StreamIncompleteError) as caught:
        next(stream)
    assert str(caught.value) == (
        "chat: stream ended before its end marker ('[DONE]'); the reply is truncated "
        "[POST https://relay.test/v1/chat/completions; request may have been sent]"
    )


def test_finish_reason_marks_completion_without_done() -> None:
    rec = Recorder(sse(delta("a"), delta("", finish="stop")))
    stream = make_client(rec)._stream(CHAT_FINISH, BODY, ChatChunk)
    assert len(stream.collect()) == 2 and stream.completed


def test_finish_marker_missing_is_incomplete() -> None:
    rec = Recorder(sse(delta("a")))
    with pytest.raises(StreamIncompleteError, match=r"\('choices\[\]\.finish_reason'\)"):
        make_client(rec)._stream(CHAT_FINISH, BODY, ChatChunk).collect()


def test_endpoint_without_markers_may_just_end() -> None:
    endpoint = GENERATE.__class__(
        name="gen_stream", method="POST", path="/v1/generate", response="sse"
    )
    rec = Recorder(sse(delta("a")))
    assert len(make_client(rec)._stream(endpoint, BODY, ChatChunk).collect()) == 1


class Broken(httpx.SyncByteStream):
    def __iter__(self) -> Iterator[bytes]:
        yield (delta("a") + "\n\n").encode()
        raise httpx.ReadError("connection reset")


def test_connection_lost_mid_stream() -> None:
    rec = Recorder(
        httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=Broken())
    )
    stream = make_client(rec)._stream(CHAT, BODY, ChatChunk)
    assert next(stream).choices[0]["delta"]["content"] == "a"
    with pytest.raises(
        StreamIncompleteError, match=r"stream broke off \(ReadError: connection reset\)"
    ):
        next(stream)


def test_status_error_raises_before_iteration() -> None:
    rec = Recorder(httpx.Response(400, json={"error": {"message": "bad model"}}))
    with pytest.raises(BadRequestError) as caught:
        make_client(rec)._stream(CHAT, BODY, ChatChunk)
    assert caught.value.provider_message == "bad model"


def test_error_event_mid_stream() -> None:
    rec = Recorder(
        sse(
            delta("a"),
            'data: {"error": {"message": "upstream overloaded", "type": "server_error"}}',
        )
    )
    stream = make_client(rec)._stream(CHAT, BODY, ChatChunk)
    next(stream)
    with pytest.raises(ProviderError) as caught:
        next(stream)
    assert caught.value.provider_message == "upstream overloaded"


def test_json_reply_instead_of_stream() -> None:
    rec = Recorder(httpx.Response(200, json={"error": {"message": "stream not supported"}}))
    with pytest.raises(ProviderError, match="instead of a stream"):
        make_client(rec)._stream(CHAT, BODY, ChatChunk).collect()
    rec = Recorder(httpx.Response(200, text="hello", headers={"content-type": "text/plain"}))
    with pytest.raises(
        ResponseValidationError,
        match=r"expected an event stream \(text/event-stream\), got text/plain",
    ):
        make_client(rec)._stream(CHAT, BODY, ChatChunk).collect()


def test_non_json_event_is_reported() -> None:
    rec = Recorder(sse("data: not json"))
    with pytest.raises(ResponseValidationError, match="stream event is not JSON"):
        make_client(rec)._stream(CHAT, BODY, ChatChunk).collect()


def test_close_early_releases_connection() -> None:
    rec = Recorder(sse(delta("a"), delta("b"), "data: [DONE]"))
    stream = make_client(rec)._stream(CHAT, BODY, ChatChunk)
    next(stream)
    stream.close()
    assert stream.response.is_closed


# --- SSE framing ----------------------------------------------------------------


class Trickle(httpx.SyncByteStream):
    """Delivers a body a few bytes at a time, as a slow relay does."""

    def __init__(self, body: bytes, size: int = 3) -> None:
        self.body, self.size = body, size

    def __iter__(self) -> Iterator[bytes]:
        for start in range(0, len(self.body), self.size):
            yield self.body[start : start + self.size]


def raw_sse(body: str) -> httpx.Response:
    return httpx.Response(
        200, headers={"content-type": "text/event-stream"}, stream=Trickle(body.encode())
    )


def test_multi_line_data_is_joined_with_newlines() -> None:
    body = (
        ": keep-alive\n\n"
        'data: {"id": "c1",\n'
        'data:  "choices": [{"delta": {"content": "line"}}]}\n\n'
        "data: [DONE]\n\n"
    )
    chunks = make_client(Recorder(raw_sse(body)))._stream(CHAT, BODY, ChatChunk).collect()
    assert [(c.id, c.choices[0]["delta"]["content"]) for c in chunks] == [("c1", "line")]


def test_crlf_comments_ids_and_retry_fields() -> None:
    body = (
        ": ping\r\n\r\n"
        "id: 7\r\nretry: 3000\r\nevent: message\r\n" + delta("a") + "\r\n\r\n"
        ": ping\r\n\r\n"
        "data: [DONE]\r\n\r\n"
    )
    stream = make_client(Recorder(raw_sse(body)))._stream(CHAT, BODY, ChatChunk)
    assert [c.choices[0]["delta"]["content"] for c in stream.collect()] == ["a"]
    assert stream.completed


def test_event_cut_before_its_blank_line_is_dropped() -> None:
    # The SSE spec drops an event that the connection cut before its blank
    # line, so a final "[DONE]" without one does not count as the end.
    body = delta("a") + "\n\ndata: [DONE]"
    with pytest.raises(
        StreamIncompleteError, match=r"stream ended before its end marker \('\[DONE\]'\)"
    ):
        make_client(Recorder(raw_sse(body)))._stream(CHAT, BODY, ChatChunk).collect()


def test_only_keepalives_then_close_is_incomplete() -> None:
    body = ": keep-alive\n\n: keep-alive\n\nevent: ping\ndata: {}\n\n"
    with pytest.raises(StreamIncompleteError):
        make_client(Recorder(raw_sse(body)))._stream(CHAT, BODY, ChatChunk).collect()


# --- task streams: a terminal status is the end marker -------------------------

TASK_STREAM = Endpoint(name="generate_stream", method="POST", path="/v1/generate", response="sse")


def task_event(status: str, **extra: object) -> str:
    return "data: " + json.dumps({"id": "t1", "status": status, **extra})


def test_task_stream_completes_at_a_terminal_status() -> None:
    rec = Recorder(
        sse(
            task_event("queued"),
            task_event("running"),
            task_event("succeeded", results=[{"url": "https://cdn.test/t.png"}]),
        )
    )
    stream = make_client(rec)._stream(TASK_STREAM, BODY, Task)
    assert [t.status for t in stream.collect()] == ["queued", "running", "succeeded"]
    assert stream.completed
    assert [i.url for i in stream.images()] == ["https://cdn.test/t.png"]


def test_task_stream_failure_status_also_ends_it() -> None:
    rec = Recorder(sse(task_event("running"), task_event("failed", error="boom")))
    stream = make_client(rec)._stream(TASK_STREAM, BODY, Task)
    assert [t.status for t in stream.collect()] == ["running", "failed"] and stream.completed


def test_task_stream_cut_while_running_is_incomplete() -> None:
    rec = Recorder(sse(task_event("running")))
    with pytest.raises(StreamIncompleteError) as caught:
        make_client(rec)._stream(TASK_STREAM, BODY, Task).collect()
    assert str(caught.value) == (
        "generate_stream: stream ended before the task reached a final status "
        "(last status 'running'); the reply is truncated "
        "[POST https://relay.test/v1/generate; request may have been sent]"
    )


def test_empty_task_stream_is_incomplete() -> None:
    rec = Recorder(sse(": keep-alive"))
    with pytest.raises(StreamIncompleteError, match="before the task reached a final status;"):
        make_client(rec)._stream(TASK_STREAM, BODY, Task).collect()


def test_chunk_of_the_wrong_shape_quotes_the_event() -> None:
    # The body of a streamed reply cannot be re-read: the excerpt is the event's own text.
    rec = Recorder(sse(task_event("running"), 'data: {"id": "t1"}'))
    stream = make_client(rec)._stream(TASK_STREAM, BODY, Task)
    next(stream)
    with pytest.raises(ResponseValidationError) as caught:
        next(stream)
    assert caught.value.body_excerpt == '{"id": "t1"}'
    assert "reply does not match Task: status: Field required" in str(caught.value)
