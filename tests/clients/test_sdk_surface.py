"""What openai-python users expect of a client (issue 14, item 5): per-copy base URL, key
and headers through ``with_options``, the SDK's own User-Agent, the request id of every
parsed reply, and an ``IMAGERELAY_LOG`` switch that stays redacted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import imagerelay
import pytest
from imagerelay import api_generate, gemini_jobs
from imagerelay._runtime.errors import AuthenticationError, InvalidAPIKeyError

GENERATED = Path(__file__).resolve().parents[2] / "generated"
TASK = {"id": "t", "status": "succeeded", "results": [{"url": "https://cdn.test/x.png"}]}


class Recorder:
    def __init__(self, reply: httpx.Response) -> None:
        self.requests: list[httpx.Request] = []
        self.reply = reply

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.reply


def test_with_options_takes_base_url_api_key_and_headers_for_the_copy_only() -> None:
    server = Recorder(httpx.Response(200, json=TASK))
    with api_generate.Client("sk-first", base_url="https://one.test", headers={"X-Team": "a"},
                             transport=httpx.MockTransport(server)) as client:
        other = client.with_options(base_url="https://two.test/", api_key="sk-second", headers={"X-Trace": "1"})
        other.generate(model="nano-banana", prompt="p")
        client.generate(model="nano-banana", prompt="p")
        assert other.base_url == "https://two.test" and client.base_url == "https://one.test"
        with pytest.raises(InvalidAPIKeyError) as caught:
            client.with_options(api_key="sk-bad key")
        assert "sk-bad" not in str(caught.value)
    first, second = server.requests[1], server.requests[0]
    assert (second.url.host, second.headers["authorization"]) == ("two.test", "Bearer sk-second")
    assert (second.headers["x-team"], second.headers["x-trace"]) == ("a", "1")
    assert (first.url.host, first.headers["authorization"]) == ("one.test", "Bearer sk-first")
    assert "x-trace" not in first.headers


def test_a_copy_with_another_key_keeps_that_key_out_of_errors() -> None:
    echo = httpx.Response(401, json={"error": {"message": "bad key sk-second-SECRET"}})
    with api_generate.Client("sk-first", transport=httpx.MockTransport(Recorder(echo))) as client, \
            pytest.raises(AuthenticationError) as caught:
        client.with_options(api_key="sk-second-SECRET").generate(model="nano-banana", prompt="p")
    assert "sk-second-SECRET" not in str(caught.value) and "sk-second-SECRET" not in repr(caught.value)


def test_requests_carry_the_sdks_user_agent_unless_the_caller_sets_one() -> None:
    server = Recorder(httpx.Response(200, json=TASK))
    with api_generate.Client("k", transport=httpx.MockTransport(server)) as client:
        client.generate(model="nano-banana", prompt="p")
        client.with_options(headers={"User-Agent": "my-app/2"}).generate(model="nano-banana", prompt="p")
    python = "{}.{}.{}".format(*sys.version_info[:3])
    assert server.requests[0].headers["user-agent"] == (
        f"imagerelay/{imagerelay.__version__} python/{python} httpx/{httpx.__version__}")
    assert server.requests[1].headers["user-agent"] == "my-app/2"


def test_every_parsed_reply_carries_its_request_id() -> None:
    by_header = Recorder(httpx.Response(200, headers={"x-request-id": "req-42"}, json=TASK))
    with api_generate.Client("k", transport=httpx.MockTransport(by_header)) as client:
        assert client.generate(model="nano-banana", prompt="p")._request_id == "req-42"
    job = {"id": "j1", "object": "job", "status": "processing", "request_id": "req_example"}
    in_body = Recorder(httpx.Response(200, json=job))  # gemini_jobs names request_id in its replies
    with gemini_jobs.Client("k", transport=httpx.MockTransport(in_body)) as jobs:
        reply = jobs.get_job(job_id="j1")
    assert reply._request_id == "req_example"
    assert "_request_id" not in reply.to_wire()  # not a field: never sent or dumped


def _logged(env_value: str) -> subprocess.CompletedProcess[str]:
    program = """
import httpx
from imagerelay import gemini_12ai
reply = {"candidates": [{"content": {"parts": [{"text": "no image"}]}}]}
transport = httpx.MockTransport(lambda request: httpx.Response(200, json=reply))
client = gemini_12ai.Client("sk-LOGGED-SECRET", transport=transport)
try:
    client.generate_content(model="gemini-2.5-flash-image", contents=[{"parts": [{"text": "a cat"}]}])
except Exception as exc:
    print(type(exc).__name__)
"""
    env = {**os.environ, "PYTHONPATH": str(GENERATED), "IMAGERELAY_LOG": env_value}
    return subprocess.run([sys.executable, "-c", program], env=env, capture_output=True, text=True, timeout=60,
                          check=True)


def test_imagerelay_log_shows_the_traffic_redacted() -> None:
    done = _logged("debug")
    assert "imagerelay DEBUG" in done.stderr and "generate_content: POST" in done.stderr
    assert "httpx INFO" in done.stderr  # httpx's request line, at the same switch
    assert "sk-LOGGED-SECRET" not in done.stderr + done.stdout  # ?key= auth: masked in every line
    quiet = _logged("")
    assert quiet.stderr == ""
    typo = _logged("dbug")
    assert "IMAGERELAY_LOG='dbug' is not 'debug' or 'info'; ignored" in typo.stderr

