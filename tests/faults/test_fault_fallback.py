"""``imagerelay.generate``'s billing-safe fallback against a real local server (issue 15,
"done when"): a 401 or a pre-work 429 on the first candidate moves to the second; a 500
after the POST was sent stops there, with both attempts reported and the third candidate
never contacted. The facade makes its own clients from the providers' environment
variables, as a user's call does, sync and async."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path
from typing import Any

import imagerelay
import pytest
from conftest import KEY, assert_key_hidden
from fault_server import FaultServer, Reply
from imagerelay.errors import InternalServerError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
GEMINI = ("POST", "/v1beta/models/gemini-2.5-flash-image:generateContent")
API = ("POST", "/v1/api/generate")
CHAT = ("POST", "/v1/chat/completions")
PROVIDERS = ["gemini_12ai", "api_generate", "chat_stream"]


def _recorded(provider: str, name: str) -> Any:
    return json.loads((FIXTURES / provider / f"{name}.json").read_text("utf-8"))["response"]["json"]


@pytest.fixture
def relays(server: FaultServer, monkeypatch: pytest.MonkeyPatch) -> FaultServer:
    for provider in PROVIDERS:
        prefix = provider.upper()
        monkeypatch.setenv(f"{prefix}_BASE_URL", server.url)
        monkeypatch.setenv(f"{prefix}_API_KEY", KEY)
    server.script(*API, Reply(200, _recorded("api_generate", "generate_nano_banana_2")))
    server.script(*CHAT, Reply(200, _recorded("chat_stream", "chat_completions_text_to_image")))
    return server


def _generate(flavor: str) -> imagerelay.GenerateResult:
    if flavor == "async":
        return asyncio.run(imagerelay.agenerate("a fox", provider=PROVIDERS, aspect_ratio="1:1"))
    return imagerelay.generate("a fox", provider=PROVIDERS, aspect_ratio="1:1")


@pytest.mark.parametrize("refusal", [Reply(401, {"error": {"message": "invalid key"}}),
                                     Reply(429, {"error": {"message": "slow down"}}, headers=(("Retry-After", "0"),))],
                         ids=["401", "429"])
def test_a_refusal_before_work_moves_to_the_second_candidate(relays: FaultServer, flavor: str,
                                                             refusal: Reply) -> None:
    relays.script(*GEMINI, refusal)
    result = _generate(flavor)
    assert (result.provider, result.model) == ("api_generate", "nano-banana")
    assert [(a.provider, a.outcome, a.may_be_billed) for a in result.attempts] == [
        ("gemini_12ai", "failed", False), ("api_generate", "succeeded", False)]
    assert relays.count(*GEMINI) >= 1 and relays.count(*API) == 1 and relays.count(*CHAT) == 0


def test_a_500_after_the_post_stops_with_both_attempts_reported(relays: FaultServer, flavor: str) -> None:
    relays.script(*GEMINI, Reply(401, {"error": {"message": "invalid key"}}))
    relays.script(*API, Reply(500, {"error": {"message": "upstream failed mid-job"}}))
    with pytest.raises(InternalServerError) as raised:
        _generate(flavor)
    assert [(a.provider, a.outcome, a.may_be_billed) for a in raised.value.attempts] == [
        ("gemini_12ai", "failed", False), ("api_generate", "failed", True)]
    assert "HTTP 401" in raised.value.attempts[0].reason and "HTTP 500" in raised.value.attempts[1].reason
    # Not re-sent (it may have started paid work), and no third candidate tried.
    assert relays.count(*API) == 1 and relays.count(*CHAT) == 0
    assert_key_hidden(raised.value)


def test_a_refused_connection_moves_on(relays: FaultServer, flavor: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as unused:  # a port nothing listens on once this closes
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    monkeypatch.setenv("GEMINI_12AI_BASE_URL", f"http://127.0.0.1:{port}")
    result = _generate(flavor)
    assert result.provider == "api_generate"
    assert [(a.provider, a.outcome, a.may_be_billed) for a in result.attempts] == [
        ("gemini_12ai", "failed", False), ("api_generate", "succeeded", False)]
    assert "request was not sent" in result.attempts[0].reason and KEY not in result.attempts[0].reason
