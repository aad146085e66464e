"""Runtime side of the queue-API constructs: a header key with a prefix (``Authorization: Key
<key>``) and "{name:path}" placeholders whose values span path segments (``fal-ai/flux/dev``)."""

from __future__ import annotations

import httpx
import pytest
from imagerelay._runtime.auth import Secret, auth_headers, resolve_api_key
from imagerelay._runtime.client import BaseClient
from imagerelay._runtime.descriptors import AuthScheme, Endpoint
from imagerelay._runtime.encode import encode_request
from imagerelay._runtime.errors import AuthenticationError, InvalidRequestError
from rt_helpers import KEY, GenerateBody, Recorder, Task, make_client, provider

KEY_SCHEME = AuthScheme(kind="header", name="Authorization", env="TESTRELAY_API_KEY", prefix="Key ")
QUEUE = Endpoint(name="submit", method="POST", path="/{model:path}", path_params=("model",))
RESULT = Endpoint(
    name="get_result",
    method="GET",
    path="/{app:path}/requests/{request_id}",
    path_params=("app", "request_id"),
    body="none",
    idempotent=True,
)


KEY_PROVIDER = provider("header", "Authorization")._replace(auth=KEY_SCHEME)


class KeyClient(BaseClient):
    _provider = KEY_PROVIDER


# -- auth prefix -------------------------------------------------------------------------------


def test_header_scheme_sends_its_prefix_before_the_key() -> None:
    assert auth_headers(KEY_SCHEME, Secret("abc")) == {"Authorization": "Key abc"}
    plain = AuthScheme(kind="header", name="X-Api-Key", env="E")
    assert auth_headers(plain, Secret("abc")) == {"X-Api-Key": "abc"}
    assert auth_headers(KEY_SCHEME, None) == {}


@pytest.mark.parametrize("pasted", ["Key sk-1", "key sk-1", "  KEY   sk-1 ", "Bearer sk-1", "sk-1"])
def test_a_pasted_prefix_is_taken_off_the_key(monkeypatch: pytest.MonkeyPatch, pasted: str) -> None:
    key = resolve_api_key(KEY_PROVIDER, pasted)
    assert key is not None and key.reveal() == "sk-1"
    monkeypatch.setenv("TESTRELAY_API_KEY", pasted)
    from_env = resolve_api_key(KEY_PROVIDER, None)
    assert from_env is not None and from_env.reveal() == "sk-1"


def test_a_key_that_merely_starts_like_the_prefix_is_kept() -> None:
    key = resolve_api_key(KEY_PROVIDER, "Keyboard-42")
    assert key is not None and key.reveal() == "Keyboard-42"


def test_the_client_sends_the_prefixed_key_and_never_shows_it() -> None:
    recorder = Recorder(
        httpx.Response(200, json={"id": "t1", "status": "queued"}),
        httpx.Response(401, json={"detail": f"bad key Key {KEY}"}),
    )
    client = make_client(recorder, cls=KeyClient)
    client._request(QUEUE, GenerateBody(model="acme/flux/dev", prompt="p"), Task)
    assert recorder.requests[0].headers["authorization"] == f"Key {KEY}"
    assert recorder.requests[0].url.path == "/acme/flux/dev"
    with pytest.raises(AuthenticationError) as caught:
        client._request(QUEUE, GenerateBody(model="acme/flux/dev", prompt="p"), Task)
    assert KEY not in str(caught.value) and KEY not in repr(caught.value)
    assert KEY not in repr(client)


# -- "{name:path}" placeholders -------------------------------------------------------------------


def test_a_spanning_placeholder_keeps_slashes_and_escapes_each_segment() -> None:
    parts = encode_request(QUEUE, {"model": "fal-ai/flux/dev/image-to-image", "prompt": "p"}, "https://q.test")
    assert parts.url == "https://q.test/fal-ai/flux/dev/image-to-image"
    assert parts.content == b'{"prompt":"p"}'
    escaped = encode_request(QUEUE, {"model": "acme/a b/c?d#e%", "prompt": "p"}, "https://q.test/base")
    assert escaped.url == "https://q.test/base/acme/a%20b/c%3Fd%23e%25"


def test_several_placeholders_of_both_kinds() -> None:
    parts = encode_request(RESULT, {"app": "fal-ai/flux", "request_id": "r/1"}, "https://q.test")
    # A plain "{name}" still cannot add segments: its '/' is escaped.
    assert parts.url == "https://q.test/fal-ai/flux/requests/r%2F1"
    assert parts.content is None


@pytest.mark.parametrize("value", ["a/../b", "../etc", "a/./b", "/abs", "a//b", "trailing/", ""])
def test_a_spanning_value_cannot_climb_out_of_its_place(value: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        encode_request(QUEUE, {"model": value, "prompt": "p"}, "https://q.test")
    assert caught.value.problems == [
        f"model must be '/'-separated names without empty, '.' or '..' parts; got {value!r}"
    ]


def test_a_missing_spanning_value_is_named_without_its_kind() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        encode_request(RESULT, {"request_id": "r1"}, "https://q.test")
    assert caught.value.problems == ["app is required (it is part of the URL)"]


def test_no_request_is_sent_for_a_bad_spanning_value() -> None:
    recorder = Recorder(httpx.Response(200, json={"id": "t1", "status": "queued"}))
    client = make_client(recorder, cls=KeyClient)
    with pytest.raises(InvalidRequestError):
        client._request(QUEUE, GenerateBody(model="acme/../admin", prompt="p"), Task)
    assert recorder.count == 0
