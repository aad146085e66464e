"""Issue 13, "the key leaks when the relay echoes it": a relay on 127.0.0.1 echoes a canary
key, in every spelling, in every place a reply can carry text; no spelling of it may show
in anything an error shows or in any record of the imagerelay, httpx and httpcore loggers
(DEBUG on, records formatted with their args). Sync and async, every generated endpoint
the fault corpus drives, three canaries (plain, URL-encoding, escaping).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from conftest import Relay
from fault_calls import (
    ALL_CALLS,
    API_ARGS,
    API_RUNNING,
    CREATES,
    EVERY_PROVIDER_CALLS,
    JOB_RUNNING,
    POLLS,
    STREAMS,
    TASK_PENDING,
    TASKS_ARGS,
    WAITERS,
    Call,
    Waiter,
    sse_events,
)
from fault_server import Action, Events, FaultServer, Reply
from imagerelay import api_generate, gemini_jobs
from imagerelay._runtime.errors import (
    APIStatusError,
    AuthenticationError,
    ContentPolicyError,
    InternalServerError,
    NoImageError,
    NotFoundError,
    ProviderError,
    RelayError,
    ResponseValidationError,
    TaskFailedError,
)
from imagerelay._runtime.images import Image
from leaks import CANARIES, assert_no_spelling, echoes, shown_by, watching_logs

ERROR_CALLS = EVERY_PROVIDER_CALLS


@pytest.fixture(params=sorted(CANARIES))
def key(request: pytest.FixtureRequest) -> str:
    return CANARIES[str(request.param)]


@dataclass
class Leak:
    """What a test saw: the error raised (if any) and every log line."""

    error: RelayError | None
    texts: dict[str, Any]


def provoke(
    relay: Relay,
    key: str,
    module: ModuleType,
    invoke: Callable[[Any], Any],
    expected: type[RelayError] | None,
) -> Leak:
    """Run ``invoke`` with ``key`` as the client's key and DEBUG logs on; check nothing leaked."""
    with watching_logs() as watch:
        if expected is None:
            relay.run(module, invoke, api_key=key)
            error = None
        else:
            with pytest.raises(expected) as caught:
                relay.run(module, invoke, api_key=key)
            error = caught.value
    seen = watch.by_logger()
    # The watch really saw the exchange: records of all three loggers reached it.
    assert seen.get("imagerelay", 0) and seen.get("httpx", 0) and seen.get("httpcore", 0), seen
    texts = shown_by(error, watch)
    assert_no_spelling(texts, key)
    return Leak(error, texts)


def _echoing(body: Any, key: str) -> Any:
    """``body`` with the key's spellings in a first field (so the excerpt shows them)."""
    return {"echo": echoes(key), **body} if isinstance(body, dict) else body


# --- error bodies and headers ---------------------------------------------------------------


def _echo_headers(key: str) -> tuple[tuple[str, str], ...]:
    return (
        ("X-Echo-Key", key),
        ("X-Echo-Encoded", quote_plus(key)),
        ("X-Request-Id", f"req-{key}"),
    )


@pytest.mark.parametrize("call", ERROR_CALLS, ids=repr)
def test_key_echoed_in_a_4xx_body_and_headers(
    relay: Relay, server: FaultServer, call: Call, key: str
) -> None:
    body = {"error": {"message": f"invalid key {key}"}, "echoed": echoes(key)}
    server.script(call.method, call.path, Reply(401, body, headers=_echo_headers(key)))
    leak = provoke(relay, key, call.module, call.invoke, AuthenticationError)
    assert isinstance(leak.error, AuthenticationError)
    assert leak.error.provider_message == "invalid key ***"
    assert leak.error.headers["x-echo-key"] == "***"
    assert leak.error.headers["x-echo-encoded"] == "***"
    assert leak.error.request_id == "req-***"


@pytest.mark.parametrize("call", [CREATES[0], POLLS[0], STREAMS[0]], ids=repr)
def test_key_echoed_in_a_5xx_html_page(
    relay: Relay, server: FaultServer, call: Call, key: str
) -> None:
    page = f"<html><body><h1>upstream refused {key}</h1><p>{echoes(key)}</p></body></html>"
    server.script(call.method, call.path, Reply(500, page, "text/html"))
    leak = provoke(relay, key, call.module, call.invoke, InternalServerError)
    assert leak.error is not None and "upstream refused ***" in str(leak.error)


# --- replies that fail validation -------------------------------------------------------------


@pytest.mark.parametrize("call", [c for c in ALL_CALLS if c.missing], ids=repr)
def test_key_echoed_in_a_reply_that_fails_validation(
    relay: Relay, server: FaultServer, call: Call, key: str
) -> None:
    assert call.missing is not None
    body = call.missing[0]
    if call.kind == "stream":
        first, *rest = body
        action: Action = Events(sse_events([_echoing(first, key), *rest]))
    else:
        action = Reply(200, _echoing(body, key))
    server.script(call.method, call.path, action)
    leak = provoke(relay, key, call.module, call.invoke, RelayError)
    if isinstance(leak.error, NoImageError):
        # Read tolerantly (the missing field was optional after all): the reply is kept
        # on the error, and shown redacted.
        assert "raw=***" in repr(vars(leak.error))
        return
    assert isinstance(leak.error, ResponseValidationError)
    assert leak.error.body_excerpt is not None and "raw=***" in leak.error.body_excerpt


# --- polled tasks: wait() and <submit>_and_wait() -------------------------------------------

SUBMITS: dict[str, tuple[str, Any, Callable[..., Any]]] = {
    "api_generate.wait": (
        "/v1/api/generate",
        API_RUNNING,
        lambda c, **kw: c.submit_and_wait(**API_ARGS, **kw),
    ),
    "gemini_jobs.wait": (
        "/v1/jobs",
        JOB_RUNNING,
        lambda c, **kw: c.create_job_and_wait(
            model="nano-banana-pro", input=gemini_jobs.models.JobInput(prompt="a red fox"), **kw
        ),
    ),
    "image_tasks.wait": (
        "/v1/images/tasks",
        TASK_PENDING,
        lambda c, **kw: c.create_task_and_wait(**TASKS_ARGS, **kw),
    ),
}


def _waited(server: FaultServer, waiter: Waiter, how: str, final: Any) -> Callable[[Any], Any]:
    server.script("GET", waiter.path, Reply(200, final))
    if how == "wait":
        return lambda c: waiter.wait(c, poll_interval=0.01, deadline=5)
    path, submitted, and_wait = SUBMITS[waiter.name]
    server.script("POST", path, Reply(200, submitted))
    return lambda c: and_wait(c, poll_interval=0.01, deadline=5)


@pytest.mark.parametrize("how", ["wait", "and_wait"])
@pytest.mark.parametrize("waiter", WAITERS, ids=repr)
def test_key_echoed_in_a_failed_task(
    relay: Relay, server: FaultServer, waiter: Waiter, how: str, key: str
) -> None:
    final = waiter.status("failed", error=f"quota of {key} exhausted; {echoes(key)}")
    invoke = _waited(server, waiter, how, final)
    leak = provoke(relay, key, waiter.module, invoke, TaskFailedError)
    assert isinstance(leak.error, TaskFailedError)
    assert leak.error.provider_message is not None
    assert leak.error.provider_message.startswith("quota of *** exhausted")


@pytest.mark.parametrize("how", ["wait", "and_wait"])
def test_key_echoed_in_a_content_policy_refusal(
    relay: Relay, server: FaultServer, how: str, key: str
) -> None:
    waiter = WAITERS[0]  # api_generate: the spec with a violation status
    final = waiter.status("violation", error=f"prompt by {key} rejected; {echoes(key)}")
    invoke = _waited(server, waiter, how, final)
    leak = provoke(relay, key, api_generate, invoke, ContentPolicyError)
    assert isinstance(leak.error, ContentPolicyError)
    assert leak.error.provider_message is not None
    assert leak.error.provider_message.startswith("prompt by *** rejected")


# --- streams ----------------------------------------------------------------------------------


@pytest.mark.parametrize("call", STREAMS, ids=repr)
def test_key_echoed_in_an_sse_error_event(
    relay: Relay, server: FaultServer, call: Call, key: str
) -> None:
    event = {"error": {"message": f"denied for {key}", "echoed": echoes(key)}}
    server.script(call.method, call.path, Events(("event: error\ndata: " + json.dumps(event),)))
    leak = provoke(relay, key, call.module, call.invoke, ProviderError)
    assert leak.error is not None and leak.error.provider_message is not None
    assert "denied for ***" in leak.error.provider_message


@pytest.mark.parametrize("call", STREAMS, ids=repr)
def test_key_echoed_in_an_sse_event_that_is_not_json(
    relay: Relay, server: FaultServer, call: Call, key: str
) -> None:
    server.script(call.method, call.path, Events((f"data: {{oops {echoes(key)}",)))
    leak = provoke(relay, key, call.module, call.invoke, ResponseValidationError)
    assert leak.error is not None and "stream event is not JSON" in str(leak.error)


# --- headers and redirects --------------------------------------------------------------------


def test_key_echoed_in_a_header_of_a_good_reply(
    relay: Relay, server: FaultServer, key: str
) -> None:
    call = CREATES[0]
    server.script(call.method, call.path, Reply(200, call.ok, headers=_echo_headers(key)))
    leak = provoke(relay, key, call.module, call.invoke, None)
    assert any(
        "x-echo-key" in str(line).lower() for line in leak.texts.values()
    )  # httpcore logged it


@pytest.mark.parametrize("call", [CREATES[0], POLLS[0]], ids=repr)
def test_key_in_a_redirect_location(
    relay: Relay, server: FaultServer, call: Call, key: str
) -> None:
    location = f"/moved?key={quote_plus(key)}&token={quote(key, safe='')}&raw={key}"
    server.script(call.method, call.path, Reply(302, None, headers=(("Location", location),)))
    leak = provoke(relay, key, call.module, call.invoke, APIStatusError)
    assert isinstance(leak.error, APIStatusError) and leak.error.status == 302
    assert leak.error.headers["location"] == "/moved?key=***&token=***&raw=***"


def test_download_redirected_to_a_url_with_the_key(
    relay: Relay, server: FaultServer, key: str
) -> None:
    location = f"/files/b.png?key={quote_plus(key)}"
    server.script("GET", "/files/a.png", Reply(302, None, headers=(("Location", location),)))
    missing = {"error": {"message": f"no file for {key}"}}
    server.script("GET", "/files/b.png", Reply(404, missing, headers=_echo_headers(key)))
    image = Image(url=f"{server.url}/files/a.png")
    leak = provoke(relay, key, api_generate, lambda c: c.download(image), NotFoundError)
    assert leak.error is not None and leak.error.provider_message == "no file for ***"
    assert server.count("GET", "/files/b.png") == 1  # the redirect was followed
    assert any("/files/b.png?key=***" in str(line) for line in leak.texts.values())


# --- the check itself can fail ----------------------------------------------------------------


def test_the_spelling_check_catches_each_spelling() -> None:
    key = CANARIES["escaped"]
    for text in (key, quote(key), quote_plus(key), json.dumps(key)):
        with pytest.raises(AssertionError):
            assert_no_spelling({"probe": f"x {text} y"}, key)


def test_the_canaries_are_keys_the_clients_accept() -> None:
    for key in CANARIES.values():
        with api_generate.Client(api_key=key, base_url="http://127.0.0.1:9") as client:
            assert client._api_key is not None and client._api_key.reveal() == key
