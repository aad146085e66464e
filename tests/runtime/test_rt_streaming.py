from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
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
