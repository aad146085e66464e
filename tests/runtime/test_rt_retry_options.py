"""``retry_unsafe`` and ``with_options``: opting in to re-sending generation requests."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from imagerelay._runtime.errors import (
    APIConnectionError,
    APITimeoutError,
    BadRequestError,
    InternalServerError,
    StreamIncompleteError,
)
from imagerelay._runtime.retries import UNSAFE_RETRY_HINT, RetryPolicy, plan_retry
from rt_helpers import (
    GENERATE,
    GET_TASK,
    KEY,
    AsyncClient,
    Client,
    GenerateBody,
    Recorder,
    Task,
    TaskQuery,
    make_async_client,
    make_client,
)

BODY = GenerateBody(model="m", prompt="p")
TASK = {"id": "t1", "status": "succeeded"}
OPT_IN = "pass retry_unsafe=True or use client.with_options(retry_unsafe=True) to allow"


def ok() -> httpx.Response:
    return httpx.Response(200, json=TASK)


def test_refusal_to_retry_says_how_to_opt_in(sleeps: list[float]) -> None:
    rec = Recorder(httpx.Response(502, text="bad gateway"), ok())
    with pytest.raises(InternalServerError) as caught:
        make_client(rec, sleeps)._request(GENERATE, BODY, Task)
    assert rec.count == 1 and sleeps == []
    assert caught.value.retry_note == UNSAFE_RETRY_HINT
    assert str(caught.value).endswith(f"could bill twice; {OPT_IN}]")


def test_retry_unsafe_resends_5xx_and_timeouts(sleeps: list[float]) -> None:
    rec = Recorder(httpx.Response(500), httpx.ReadTimeout("slow"), ok())
    client = make_client(rec, sleeps, retry_unsafe=True)
    assert client.retry_unsafe is True
    assert client._request(GENERATE, BODY, Task).id == "t1"
    assert rec.count == 3 and sleeps == [0.5, 1.0]


def test_retry_unsafe_still_bounded_by_max_retries(sleeps: list[float]) -> None:
    rec = Recorder(httpx.Response(500))
    with pytest.raises(InternalServerError) as caught:
        make_client(rec, sleeps, retry_unsafe=True, max_retries=1)._request(GENERATE, BODY, Task)
    assert rec.count == 2
    assert str(caught.value).endswith("gave up after 2 attempts]")


def test_client_errors_are_never_retried_even_when_unsafe_allowed(sleeps: list[float]) -> None:
    rec = Recorder(httpx.Response(400, json={"msg": "bad prompt"}), ok())
    with pytest.raises(BadRequestError, match="bad prompt"):
        make_client(rec, sleeps, retry_unsafe=True)._request(GENERATE, BODY, Task)
    assert rec.count == 1


def test_broken_stream_is_never_resent() -> None:
    error = StreamIncompleteError("cut", method="POST", url="u", request_sent=True)
    policy = RetryPolicy(retry_unsafe=True)
    delay = plan_retry(
        error, httpx.Headers(), idempotent=True, attempt=0, policy=policy, rand=lambda: 0.0
    )
    assert delay is None and error.retry_note is None


@pytest.mark.parametrize(
    ("idempotent", "unsafe", "expected"),
    [(False, False, None), (False, True, 0.5), (True, False, 0.5), (True, True, 0.5)],
)
def test_plan_retry_matrix_for_a_sent_request(
    idempotent: bool, unsafe: bool, expected: float | None
) -> None:
    error = APIConnectionError("reset", method="POST", url="u", request_sent=True)
    delay = plan_retry(
        error,
        httpx.Headers(),
        idempotent=idempotent,
        attempt=0,
        policy=RetryPolicy(retry_unsafe=unsafe),
        rand=lambda: 0.0,
    )
    assert delay == expected


# --- with_options ----------------------------------------------------------------


def test_with_options_copies_settings_and_shares_the_pool(sleeps: list[float]) -> None:
    rec = Recorder(httpx.Response(500), ok())
    base = make_client(rec, sleeps, headers={"X-App": "demo"})
    tuned = base.with_options(retry_unsafe=True, max_retries=5, timeout=42)
    assert type(tuned) is type(base) and tuned is not base
    assert tuned._http is base._http
    assert (tuned.retry_unsafe, tuned.max_retries) == (True, 5)
    assert (base.retry_unsafe, base.max_retries) == (False, 2)
    assert tuned.timeout is not None and tuned.timeout.read == 42.0
    assert base.timeout is not None and base.timeout.read == 300.0
    assert tuned._request(GENERATE, BODY, Task).id == "t1"
    assert rec.count == 2
    assert rec.requests[1].extensions["timeout"]["read"] == 42.0
    assert rec.requests[1].headers["x-app"] == "demo"
    assert rec.requests[1].headers["authorization"] == f"Bearer {KEY}"
    assert repr(tuned) == "Client(base_url='https://relay.test', api_key=***)"


def test_with_options_leaves_unset_values_alone() -> None:
    base = make_client(Recorder(ok()), retry_unsafe=True, max_retries=4, timeout=7)
    same = base.with_options()
    assert (same.retry_unsafe, same.max_retries, same.timeout) == (True, 4, base.timeout)
    assert base.with_options(retry_unsafe=False).retry_unsafe is False
    assert base.with_options(max_retries=-3).max_retries == 0


def test_with_options_copy_does_not_close_the_shared_pool() -> None:
    base = make_client(Recorder(ok()))
    with base.with_options(timeout=5) as tuned:
        tuned._request(GET_TASK, TaskQuery(task_id="t1"), Task)
    assert not base._http.is_closed
    assert base._request(GET_TASK, TaskQuery(task_id="t1"), Task).id == "t1"
    base.close()
    assert base._http.is_closed


def test_with_options_headers_are_independent() -> None:
    base = make_client(Recorder(ok()), headers={"X-App": "demo"})
    tuned = base.with_options()
    tuned._headers["X-Other"] = "1"
    assert "X-Other" not in base._headers


def test_async_with_options(sleeps: list[float]) -> None:
    rec = Recorder(httpx.ReadTimeout("slow"), ok())

    async def main() -> None:
        async with make_async_client(rec, sleeps) as base:
            with pytest.raises(APITimeoutError, match="with_options"):
                await base._request(GENERATE, BODY, Task)
            tuned = base.with_options(retry_unsafe=True)
            assert isinstance(tuned, AsyncClient) and tuned._http is base._http
            assert (await tuned._request(GENERATE, BODY, Task)).id == "t1"
            await tuned.aclose()
            assert not base._http.is_closed

    rec.steps = [httpx.ReadTimeout("slow"), httpx.ReadTimeout("slow"), ok()]
    asyncio.run(main())
    assert rec.count == 3


def test_constructor_flag_on_both_clients() -> None:
    with Client(api_key=KEY, retry_unsafe=True) as client:
        assert client.retry_unsafe is True
    assert AsyncClient(api_key=KEY).retry_unsafe is False
