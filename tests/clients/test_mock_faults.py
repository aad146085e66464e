"""The mock relays' fault knobs (issue 16, item 3): each misbehaviour reaches the generated
client as the SDK's own error, the way a real relay's would."""

from __future__ import annotations

import time
from typing import Any

import pytest
from imagerelay._runtime.mock_app import MockProvider
from imagerelay.errors import (
    APIStatusError,
    ContentPolicyError,
    InternalServerError,
    RateLimitError,
    RelayError,
    StreamIncompleteError,
)
from imagerelay.mock import Faults, MockRelay

API_CALL = next(example["call"] for example in MockProvider("api_generate").data["generate"]["examples"])
GEMINI_CALL = next(example["call"] for example in MockProvider("gemini_12ai").data["generate_content"]["examples"])
CHAT_CALL = next(example["call"] for example in MockProvider("chat_stream").data["chat_completions_stream"]["examples"])


def _client(provider: str, faults: Faults, **options: Any) -> Any:
    return MockRelay(provider, faults=faults, task_seconds=0.05).client(in_process=True, max_retries=0, **options)


def test_rate_limited_with_retry_after() -> None:
    with _client("api_generate", Faults(rate_limit=1.0, retry_after=7)) as client, \
            pytest.raises(RateLimitError) as raised:
        client.generate(**API_CALL)
    assert raised.value.status == 429 and raised.value.headers.get("retry-after") == "7"
    assert "rate limited" in str(raised.value)


def test_a_share_of_requests_fails_reproducibly_by_seed() -> None:
    def outcomes(seed: int) -> list[str]:
        found = []
        with _client("api_generate", Faults(error_before_work=0.5, seed=seed)) as client:
            for _ in range(20):
                try:
                    client.generate(**API_CALL)
                    found.append("ok")
                except APIStatusError as exc:
                    found.append(str(exc.status))
        return found

    first = outcomes(3)
    assert first == outcomes(3) and set(first) == {"ok", "503"}


def test_before_and_after_work() -> None:
    with _client("api_generate", Faults(error_before_work=1.0)) as client, pytest.raises(APIStatusError) as before:
        client.generate(**API_CALL)
    assert before.value.status == 503 and "nothing was started" in str(before.value)
    relay = MockRelay("api_generate", faults=Faults(error_after_work=1.0))
    with relay.client(in_process=True, max_retries=0) as client, pytest.raises(InternalServerError) as after:
        client.submit(**API_CALL)
    assert "after the task was created" in str(after.value)


def test_content_policy_refusals_in_the_providers_own_words() -> None:
    # gemini_12ai: its refusal marker (finishReason / blockReason) in the reply.
    with _client("gemini_12ai", Faults(refuse_content=1.0)) as client, pytest.raises(ContentPolicyError):
        client.generate_content(**GEMINI_CALL)
    # A task API: the task ends in its violation status.
    with _client("api_generate", Faults(refuse_content=1.0)) as client, pytest.raises(ContentPolicyError):
        client.submit_and_wait(**API_CALL, poll_interval=0.02)


def test_slow_replies_meet_the_callers_deadline() -> None:
    # Over a socket: the client's deadline bounds the wait for a reply that is late.
    with MockRelay("api_generate", faults=Faults(delay=1.0)) as relay, relay.client(max_retries=0) as client:
        started = time.monotonic()
        with pytest.raises(RelayError, match="deadline"):
            client.generate(**API_CALL, deadline=0.2)
        assert time.monotonic() - started < 0.9


def test_cut_streams_are_incomplete() -> None:
    with _client("chat_stream", Faults(cut_streams=True)) as client, pytest.raises(StreamIncompleteError), \
            client.chat_completions_stream(**CHAT_CALL) as stream:
        list(stream)


def test_fault_shares_are_checked() -> None:
    with pytest.raises(ValueError, match="rate_limit is a share of requests between 0 and 1"):
        Faults(rate_limit=2)
