"""The API key never shows: not in reprs, errors, tracebacks or log records."""

from __future__ import annotations

import logging
import traceback

import httpx
import pytest
from imagerelay._runtime.client import BaseClient
from imagerelay._runtime.errors import (
    APIConnectionError,
    AuthenticationError,
    InternalServerError,
    RelayError,
    StreamIncompleteError,
)
from imagerelay._runtime.images import Image
from rt_helpers import (
    CHAT,
    GEMINI,
    GET_TASK,
    KEY,
    ChatChunk,
    GeminiBody,
    GeminiReply,
    GenerateBody,
    Recorder,
    Task,
    TaskQuery,
    make_client,
    provider,
    sse,
)


class QueryClient(BaseClient):
    _provider = provider("query", "key")


class CustomHeaderClient(BaseClient):
    _provider = provider("header", "X-Relay-Token")


BODY = GeminiBody(model="gemini-x", contents=[{"parts": [{"text": "p"}]}])


def shown(error: BaseException) -> list[str]:
    """Every way an error is commonly displayed, cause chain included."""
    texts = [str(error), repr(error), "".join(traceback.format_exception(error))]
    cause = error.__cause__
    if cause is not None:
        texts += [str(cause), repr(cause)]
    return texts


@pytest.mark.parametrize("cls", [QueryClient, CustomHeaderClient])
def test_request_parts_repr_masks_credentials(cls: type[BaseClient]) -> None:
    client = make_client(Recorder(httpx.Response(200, json={})), cls=cls)
    parts = client._parts(GEMINI, BODY, sse=False)
    text = repr(parts)
    assert KEY not in text
    assert text.startswith(
        "RequestParts(POST https://relay.test/v1beta/models/gemini-x:generateContent"
    )
    assert "=***]" in text and "content=<" in text


def test_request_parts_repr_masks_keys_in_the_url_and_params() -> None:
    client = make_client(Recorder(httpx.Response(200)), cls=QueryClient)
    parts = client._download_parts(Image(url=f"https://relay.test/f.png?key={KEY}&w=1"))
    assert KEY not in repr(parts) and "key=***&w=1" in repr(parts)


def test_exchange_and_stream_internals_hide_the_key() -> None:
    rec = Recorder(sse('data: {"choices": []}', "data: [DONE]"))
    client = make_client(rec, cls=QueryClient)
    stream = client._stream(CHAT, GenerateBody(model="m", prompt="p"), ChatChunk)
    assert KEY not in repr(stream._reader.exchange)
    assert KEY not in repr(vars(stream._reader))
    assert stream._reader.exchange.url.endswith("?key=***")
    stream.close()


def test_key_absent_from_errors_and_debug_logs_across_retries(
    caplog: pytest.LogCaptureFixture, sleeps: list[float]
) -> None:
    caplog.set_level(logging.DEBUG)
    rec = Recorder(
        httpx.ConnectError(f"cannot reach relay.test?key={KEY}"),
        httpx.Response(503, text=f"<h1>down</h1> echo key={KEY}"),
        httpx.Response(401, json={"error": {"message": f"key {KEY} revoked"}}),
    )
    client = make_client(rec, sleeps, cls=QueryClient, max_retries=3)
    with pytest.raises(RelayError) as caught:
        client._request(GET_TASK, TaskQuery(task_id="t1"), Task)
    error = caught.value
    assert isinstance(error, AuthenticationError) and rec.count == 3
    assert error.provider_message == "key *** revoked"
    texts = shown(error) + [repr(client), str(client)]
    records = [r.getMessage() for r in caplog.records]
    assert any(
        "retrying in" in m and "ConnectError: cannot reach relay.test?key=***" in m for m in records
    )
    assert any("HTTP 503" in m and "echo key=***" in m for m in records)
    for text in texts + records:
        assert KEY not in text


def test_connection_error_text_from_httpx_is_scrubbed() -> None:
    rec = Recorder(httpx.ReadError(f"reset while sending ?key={KEY}"))
    with pytest.raises(APIConnectionError) as caught:
        make_client(rec, cls=QueryClient)._request(GEMINI, BODY, GeminiReply)
    assert "ReadError: reset while sending ?key=***" in str(caught.value)
    assert isinstance(caught.value.__cause__, httpx.ReadError)
    texts = shown(caught.value)
    assert "The above exception was the direct cause" in texts[2]
    assert all(KEY not in text for text in texts)


def test_broken_stream_cause_is_scrubbed() -> None:
    class Broken(httpx.SyncByteStream):
        def __iter__(self):  # type: ignore[no-untyped-def]
            yield b'data: {"choices": []}\n\n'
            raise httpx.ReadError(f"reset near key={KEY}")

    response = httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=Broken())
    stream = make_client(Recorder(response), cls=QueryClient)._stream(
        CHAT, GenerateBody(model="m", prompt="p"), ChatChunk
    )
    with pytest.raises(StreamIncompleteError) as caught:
        stream.collect()
    assert all(KEY not in text for text in shown(caught.value))


def test_download_url_with_a_signature_is_redacted_in_errors() -> None:
    rec = Recorder(httpx.Response(500, text="oops"))
    url = "https://cdn.other.test/a.png?signature=abc123secret&expires=9"
    with pytest.raises(InternalServerError) as caught:
        make_client(rec, max_retries=0).download(Image(url=url))
    assert caught.value.url == "https://cdn.other.test/a.png?signature=***&expires=9"
    assert "abc123secret" not in str(caught.value)


def test_base_url_credentials_are_masked() -> None:
    with pytest.raises(RelayError) as caught:
        make_client(Recorder(httpx.Response(200)), base_url=f"ftp://user:{KEY}@x.test/?key={KEY}")
    assert KEY not in str(caught.value)
    assert "ftp://***@x.test/?key=***" in str(caught.value)
