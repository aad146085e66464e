from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from imagerelay._runtime.client import BaseClient
from imagerelay._runtime.decode import aread_body, read_body, read_json
from imagerelay._runtime.errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    InternalServerError,
    InvalidRequestError,
    MissingAPIKeyError,
    ProviderError,
    RateLimitError,
    RelayError,
    ResponseValidationError,
)
from imagerelay._runtime.images import Image
from rt_helpers import (
    BASE,
    ENVELOPED,
    GEMINI,
    GENERATE,
    GET_TASK,
    KEY,
    UPLOAD,
    Client,
    GeminiBody,
    GeminiReply,
    GenerateBody,
    Recorder,
    Task,
    TaskQuery,
    Upload,
    UploadBody,
    make_client,
    provider,
)

TASK_JSON = {"id": "t1", "status": "succeeded", "results": [{"url": "https://cdn.test/a.png"}]}
BODY = GenerateBody(model="m", prompt="cat", aspect_ratio="1:1")


def ok(payload: object = TASK_JSON, **headers: str) -> httpx.Response:
    return httpx.Response(200, json=payload, headers=headers)


def test_json_request_sends_wire_body_and_parses_reply() -> None:
    rec = Recorder(ok())
    task = make_client(rec)._request(GENERATE, BODY, Task)
    assert isinstance(task, Task) and task.status == "succeeded"
    assert [i.url for i in task.images()] == ["https://cdn.test/a.png"]
    sent = rec.requests[0]
    assert sent.method == "POST" and str(sent.url) == f"{BASE}/v1/generate"
    assert sent.headers["content-type"] == "application/json"
    assert rec.body() == {"model": "m", "prompt": "cat", "aspectRatio": "1:1"}


def test_repeated_calls_reuse_the_parsed_url_and_keep_their_own_query() -> None:
    # The endpoint URL is parsed once per distinct URL (bench figure 4), yet every
    # request still gets its own query string and an unchanged path.
    from imagerelay._runtime.core import _parsed_url

    rec = Recorder(ok(), ok(), ok())
    client = make_client(rec)
    client._request(GENERATE, BODY, Task)
    before = _parsed_url.cache_info()
    client._request(GENERATE, BODY, Task)
    client._request(GET_TASK, TaskQuery(task_id="t9", verbose=True), Task)
    assert _parsed_url.cache_info().hits >= before.hits + 1
    assert [str(r.url) for r in rec.requests] == [
        f"{BASE}/v1/generate",
        f"{BASE}/v1/generate",
        f"{BASE}/v1/tasks/t9?verbose=true",
    ]


def test_bearer_auth() -> None:
    rec = Recorder(ok())
    make_client(rec)._request(GENERATE, BODY, Task)
    assert rec.requests[0].headers["authorization"] == f"Bearer {KEY}"


def test_header_auth() -> None:
    class HeaderClient(BaseClient):
        _provider = provider("header", "x-goog-api-key")

    rec = Recorder(ok())
    make_client(rec, cls=HeaderClient)._request(GENERATE, BODY, Task)
    assert rec.requests[0].headers["x-goog-api-key"] == KEY
    assert "authorization" not in rec.requests[0].headers


class QueryClient(BaseClient):
    _provider = provider("query", "key")


def test_query_auth_and_key_redacted_everywhere(caplog: pytest.LogCaptureFixture) -> None:
    rec = Recorder(httpx.Response(401, json={"error": {"message": f"API key {KEY} not valid"}}))
    client = make_client(rec, cls=QueryClient)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AuthenticationError) as caught:
        client._request(GEMINI, GeminiBody(model="gemini-x", contents=[]), GeminiReply)
    assert rec.requests[0].url.params["key"] == KEY
    error = caught.value
    assert error.url == "https://relay.test/v1beta/models/gemini-x:generateContent?key=***"
    assert error.provider_message == "API key *** not valid"
    for text in (
        str(error),
        repr(error),
        repr(client),
        str(client),
        *[r.getMessage() for r in caplog.records],
    ):
        assert KEY not in text
    assert any(
        "generate_content: POST https://relay.test/v1beta" in r.getMessage() for r in caplog.records
    )


def test_httpx_own_request_log_is_redacted(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="httpx")
    client = QueryClient(
        api_key=KEY, http_client=httpx.Client(transport=httpx.MockTransport(Recorder(ok())))
    )
    client._request(GENERATE, BODY, Task)
    messages = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert messages and all(KEY not in m and "key=***" in m for m in messages)


def test_repr_never_shows_key() -> None:
    client = make_client(Recorder(ok()))
    assert repr(client) == "Client(base_url='https://relay.test', api_key=***)"
    assert KEY not in repr(vars(client))


def test_missing_key_names_env_var(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TESTRELAY_API_KEY", raising=False)
    with pytest.raises(MissingAPIKeyError, match=r"set the TESTRELAY_API_KEY environment variable"):
        Client()


def test_key_and_base_url_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TESTRELAY_API_KEY", "Bearer env-key-123456")
    monkeypatch.setenv("TESTRELAY_BASE_URL", "https://other.test/api/")
    rec = Recorder(ok())
    client = Client(transport=httpx.MockTransport(rec))
    client._request(GENERATE, BODY, Task)
    assert client.base_url == "https://other.test/api"
    assert str(rec.requests[0].url) == "https://other.test/api/v1/generate"
    assert rec.requests[0].headers["authorization"] == "Bearer env-key-123456"


def test_default_timeout_and_per_call_override() -> None:
    rec = Recorder(ok())
    client = make_client(rec)
    client._request(GENERATE, BODY, Task)
    assert rec.requests[0].extensions["timeout"] == {
        "connect": 10.0,
        "read": 300.0,
        "write": 60.0,
        "pool": 10.0,
    }
    client._request(GENERATE, BODY, Task, timeout=30)
    assert rec.requests[1].extensions["timeout"] == {
        "connect": 10.0,
        "read": 30.0,
        "write": 30.0,
        "pool": 30.0,
    }


def test_path_query_and_header_params() -> None:
    rec = Recorder(ok())
    make_client(rec)._request(
        GET_TASK, TaskQuery(task_id="a b/c", verbose=True, trace_tag="t-1"), Task
    )
    sent = rec.requests[0]
    assert sent.method == "GET"
    assert sent.url.raw_path == b"/v1/tasks/a%20b%2Fc?verbose=true"
    assert sent.headers["x-trace-tag"] == "t-1"
    assert sent.content == b""


def test_gemini_style_path_param_is_not_in_body() -> None:
    rec = Recorder(ok({"candidates": []}))
    make_client(rec)._request(
        GEMINI, GeminiBody(model="gemini-2.5-flash-image", contents=[{"parts": []}]), GeminiReply
    )
    assert rec.requests[0].url.path == "/v1beta/models/gemini-2.5-flash-image:generateContent"
    assert rec.body() == {"contents": [{"parts": []}]}


def test_missing_path_param_fails_before_network() -> None:
    rec = Recorder(ok())
    with pytest.raises(InvalidRequestError, match="model is required"):
        make_client(rec)._request(GEMINI, None, GeminiReply)
    assert rec.count == 0


def test_multipart_files_and_form_fields(tmp_path: Path) -> None:
    rec = Recorder(ok({"id": "f1"}))
    png = b"\x89PNG\r\n\x1a\n1234"
    upload = make_client(rec)._request(UPLOAD, UploadBody(file=png, purpose="reference"), Upload)
    assert upload.id == "f1"
    sent = rec.requests[0]
    assert sent.headers["content-type"].startswith("multipart/form-data; boundary=")
    body = sent.content
    assert b'name="purpose"\r\n\r\nreference' in body
    assert b'name="file"; filename="file.png"\r\nContent-Type: image/png\r\n\r\n' + png in body

    path = tmp_path / "ref.jpg"
    path.write_bytes(b"\xff\xd8\xffjpeg")
    make_client(rec)._request(UPLOAD, UploadBody(file=path), Upload)
    assert b'filename="ref.jpg"\r\nContent-Type: image/jpeg' in rec.requests[1].content


def test_envelope_unwrapped() -> None:
    rec = Recorder(ok({"code": "success", "message": "", "data": {"id": "t9", "status": "queued"}}))
    task = make_client(rec)._request(ENVELOPED, BODY, Task)
    assert (task.id, task.status) == ("t9", "queued")


def test_envelope_error_code_raises_provider_error() -> None:
    rec = Recorder(
        ok(
            {
                "code": "insufficient_quota",
                "message": "余额不足",
                "data": None,
                "request_id": "rq-7",
            }
        )
    )
    with pytest.raises(ProviderError) as caught:
        make_client(rec)._request(ENVELOPED, BODY, Task)
    error = caught.value
    assert error.code == "insufficient_quota"
    assert error.provider_message == "余额不足"
    assert error.request_id == "rq-7"
    assert str(error) == (
        "create_task failed: provider returned code 'insufficient_quota' "
        "[POST https://relay.test/v1/images/tasks; HTTP 200; provider says: '余额不足'; request id rq-7]"
    )
    assert rec.count == 1


def test_status_error_with_provider_message_and_request_id() -> None:
    rec = Recorder(
        httpx.Response(400, json={"msg": "prompt too long"}, headers={"x-trace": "tr-1"})
    )
    with pytest.raises(RelayError) as caught:
        make_client(rec)._request(GENERATE, BODY, Task)
    error = caught.value
    assert type(error).__name__ == "BadRequestError"
    assert (error.status, error.provider_message, error.request_id) == (
        400,
        "prompt too long",
        "tr-1",
    )
    assert str(error) == (
        "generate failed: Bad Request [POST https://relay.test/v1/generate; HTTP 400; "
        "provider says: 'prompt too long'; request id tr-1]"
    )


def test_html_error_page_becomes_text_message() -> None:
    page = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
    rec = Recorder(httpx.Response(502, text=page, headers={"content-type": "text/html"}))
    with pytest.raises(InternalServerError) as caught:
        make_client(rec)._request(GET_TASK, TaskQuery(task_id="t"), Task)
    assert caught.value.provider_message == "502 Bad Gateway 502 Bad Gateway"


def test_invalid_json_reply_has_excerpt() -> None:
    rec = Recorder(httpx.Response(200, text="<html>maintenance</html>" + "x" * 1000))
    with pytest.raises(ResponseValidationError) as caught:
        make_client(rec)._request(GENERATE, BODY, Task)
    assert caught.value.body_excerpt is not None
    assert (
        caught.value.body_excerpt.startswith("<html>maintenance")
        and len(caught.value.body_excerpt) == 300
    )
    assert "reply is not valid JSON" in str(caught.value)


@pytest.mark.parametrize(
    "body",
    [
        b'{"id": "t1", "status": "\xe4\xb8\xad", "n": 123456789012345678901234567890, "f": 1e400}',
        b'  {"id": "t1", "list": [1.5, true, null, {"a": "\\u00e9\\ud83d\\ude00"}]}\n',
    ],
)
def test_reply_json_is_parsed_like_json_loads(body: bytes) -> None:
    # read_json parses with pydantic-core (no decoded copy of the body); same values as json.loads.
    exchange = make_client(Recorder(httpx.Response(200)))._exchange("t", httpx.Request("GET", BASE))
    assert read_json(httpx.Response(200, content=body), exchange) == json.loads(body)


def test_read_body_gathers_every_chunk_and_closes_the_response() -> None:
    chunks = [b'{"id": ', b'"t1", "status"', b': "ok"}']
    response = httpx.Response(200, content=iter(chunks))
    body = read_body(response)
    assert body == b"".join(chunks) and isinstance(body, bytes)
    assert response.is_closed


def test_read_body_takes_a_body_httpx_already_holds() -> None:
    # A transport answering from memory hands over a read response: no second copy.
    response = httpx.Response(200, content=b'{"id": "t1"}')
    assert read_body(response) is response.content
    assert response.is_closed
    async_response = httpx.Response(200, content=b"[1]")
    assert asyncio.run(aread_body(async_response)) is async_response.content


def test_aread_body_gathers_every_chunk_and_closes_the_response() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for chunk in (b"[1, ", b"2]"):
            yield chunk

    response = httpx.Response(200, content=chunks())
    assert asyncio.run(aread_body(response)) == b"[1, 2]"
    assert response.is_closed


def test_wrong_shape_reply() -> None:
    rec = Recorder(ok({"id": 5}))
    with pytest.raises(
        ResponseValidationError,
        match=r"reply does not match Task: id: Input should be a valid string; status: Field required",
    ):
        make_client(rec)._request(GENERATE, BODY, Task)


# --- retries ---------------------------------------------------------------


def test_429_with_retry_after_is_retried(sleeps: list[float]) -> None:
    rec = Recorder(
        httpx.Response(429, json={"error": {"message": "slow down"}}, headers={"retry-after": "3"}),
        httpx.Response(429, headers={"retry-after-ms": "1500"}),
        ok(),
    )
    task = make_client(rec, sleeps)._request(GENERATE, BODY, Task)
    assert task.id == "t1"
    assert rec.count == 3
    assert sleeps == [3.0, 1.5]


def test_429_gives_up_after_max_retries(sleeps: list[float]) -> None:
    rec = Recorder(httpx.Response(429, json={"msg": "quota"}))
    with pytest.raises(RateLimitError) as caught:
        make_client(rec, sleeps, max_retries=2)._request(GENERATE, BODY, Task)
    assert rec.count == 3
    assert sleeps == [0.5, 1.0]  # exponential backoff (jitter pinned to 0)
    assert str(caught.value).endswith("gave up after 3 attempts]")


def test_long_retry_after_is_not_waited_out(sleeps: list[float]) -> None:
    rec = Recorder(httpx.Response(429, headers={"retry-after": "3600"}))
    with pytest.raises(RateLimitError, match="not retried: the server asked to wait 3600s"):
        make_client(rec, sleeps)._request(GENERATE, BODY, Task)
    assert rec.count == 1 and sleeps == []


def test_500_on_non_idempotent_post_is_not_retried(sleeps: list[float]) -> None:
    rec = Recorder(httpx.Response(500, json={"msg": "upstream"}), ok())
    with pytest.raises(InternalServerError) as caught:
        make_client(rec, sleeps)._request(GENERATE, BODY, Task)
    assert rec.count == 1 and sleeps == []
    assert "not retried" in str(caught.value) and "could bill twice" in str(caught.value)


def test_503_with_retry_after_is_retried_even_for_post(sleeps: list[float]) -> None:
    rec = Recorder(httpx.Response(503, headers={"retry-after": "2"}), ok())
    make_client(rec, sleeps)._request(GENERATE, BODY, Task)
    assert rec.count == 2 and sleeps == [2.0]


def test_500_on_idempotent_get_is_retried(sleeps: list[float]) -> None:
    rec = Recorder(httpx.Response(500), httpx.Response(502), ok())
    task = make_client(rec, sleeps)._request(GET_TASK, TaskQuery(task_id="t1"), Task)
    assert task.id == "t1" and rec.count == 3 and sleeps == [0.5, 1.0]


def test_connect_error_is_retried_even_for_post(sleeps: list[float]) -> None:
    rec = Recorder(httpx.ConnectError("refused"), ok())
    make_client(rec, sleeps)._request(GENERATE, BODY, Task)
    assert rec.count == 2


def test_read_timeout_on_post_is_not_resent(sleeps: list[float]) -> None:
    rec = Recorder(httpx.ReadTimeout("slow"), ok())
    with pytest.raises(APITimeoutError) as caught:
        make_client(rec, sleeps)._request(GENERATE, BODY, Task)
    error = caught.value
    assert rec.count == 1
    assert error.request_sent is True
    assert str(error) == (
        "generate failed: timed out waiting for the reply [POST https://relay.test/v1/generate; "
        "request may have been sent; not retried: this request is not idempotent and may already have "
        "started work, so re-sending it could bill twice; pass retry_unsafe=True or use "
        "client.with_options(retry_unsafe=True) to allow]"
    )
    assert isinstance(error.__cause__, httpx.ReadTimeout)


def test_read_timeout_on_idempotent_get_is_retried(sleeps: list[float]) -> None:
    rec = Recorder(httpx.ReadTimeout("slow"), ok())
    make_client(rec, sleeps)._request(GET_TASK, TaskQuery(task_id="t1"), Task)
    assert rec.count == 2


def test_connection_errors_exhausted(sleeps: list[float]) -> None:
    rec = Recorder(httpx.ConnectError("refused"))
    with pytest.raises(APIConnectionError) as caught:
        make_client(rec, sleeps, max_retries=1)._request(GENERATE, BODY, Task)
    assert rec.count == 2 and caught.value.request_sent is False
    assert "request was not sent" in str(caught.value)


def test_max_retries_zero_sends_once(sleeps: list[float]) -> None:
    rec = Recorder(httpx.Response(429))
    with pytest.raises(RateLimitError):
        make_client(rec, sleeps, max_retries=0)._request(GENERATE, BODY, Task)
    assert rec.count == 1


# --- download --------------------------------------------------------------


def test_download_never_sends_key_to_foreign_host() -> None:
    rec = Recorder(
        httpx.Response(200, content=b"\x89PNG\r\n\x1a\nDATA", headers={"content-type": "image/png"})
    )
    data = make_client(rec).download(Image(url="https://cdn.other.test/a.png"))
    assert data == b"\x89PNG\r\n\x1a\nDATA"
    assert "authorization" not in rec.requests[0].headers


def test_download_from_provider_host_is_authenticated() -> None:
    rec = Recorder(httpx.Response(200, content=b"img", headers={"content-type": "image/png"}))
    make_client(rec).download(Image(url=f"{BASE}/files/a.png"))
    assert rec.requests[0].headers["authorization"] == f"Bearer {KEY}"


def test_download_rejects_html_page() -> None:
    rec = Recorder(
        httpx.Response(200, text="<html>expired</html>", headers={"content-type": "text/html"})
    )
    with pytest.raises(RelayError, match="did not return an image"):
        make_client(rec).download(Image(url="https://cdn.other.test/a.png"))


def test_download_inline_needs_no_network_and_save_image(tmp_path: Path) -> None:
    rec = Recorder(
        httpx.Response(200, content=b"\xff\xd8\xffJ", headers={"content-type": "image/jpeg"})
    )
    client = make_client(rec)
    assert client.download(Image(b64_data="aGk=")) == b"hi"
    assert rec.count == 0
    path = client.save_image(Image(url="https://cdn.other.test/x"), tmp_path, "out")
    assert path == tmp_path / "out.jpg" and path.read_bytes() == b"\xff\xd8\xffJ"


def test_context_manager_closes_own_client_only() -> None:
    with make_client(Recorder(ok())) as client:
        pass
    assert client._http.is_closed
    shared = httpx.Client(transport=httpx.MockTransport(Recorder(ok())))
    with Client(api_key=KEY, http_client=shared):
        pass
    assert not shared.is_closed


def test_invalid_base_url_rejected() -> None:
    with pytest.raises(RelayError, match="base_url must start with http"):
        Client(api_key=KEY, base_url="ftp://x.test")


def test_json_body_keeps_unicode() -> None:
    rec = Recorder(ok())
    make_client(rec)._request(GENERATE, GenerateBody(model="m", prompt="修复键盘"), Task)
    assert "修复键盘".encode() in rec.requests[0].content
    assert json.loads(rec.requests[0].content)["prompt"] == "修复键盘"
