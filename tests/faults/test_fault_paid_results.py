"""Replies that were paid for are kept over harmless oddities; image content is what its bytes say.

Issue 13, "Paid results lost on harmless oddities": every reproduction runs against the
fault server on 127.0.0.1, through the generated clients, sync and async.
"""

from __future__ import annotations

import base64
import copy
import logging
from pathlib import Path
from typing import Any

import pytest
from conftest import Relay
from fault_calls import CREATES, WAITERS, Waiter
from fault_server import FaultServer, Reply
from imagerelay._runtime.errors import ResponseValidationError
from imagerelay._runtime.images import Image, sniff_mime

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")
HTML = b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>"
CALLS = {call.name: call for call in CREATES}
WAIT = {waiter.name: waiter for waiter in WAITERS}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _api_generate(progress: Any) -> dict[str, Any]:
    body = copy.deepcopy(CALLS["api_generate.generate"].ok)
    body["progress"] = progress
    return body


def _gemini(data: str, mime: str) -> dict[str, Any]:
    return {"candidates": [{"content": {"parts": [{"inline_data": {"mime_type": mime, "data": data}}],
                                        "role": "model"}, "finishReason": "STOP"}]}


def _chat_with(content: str) -> dict[str, Any]:
    body = copy.deepcopy(CALLS["chat_stream.chat_completions"].ok)
    body["choices"][0]["message"]["content"] = content
    return body


@pytest.mark.parametrize("progress", [99.5, "100%", "done", None, {"pct": 100}])
def test_odd_progress_on_a_success_keeps_the_images(relay: Relay, server: FaultServer, progress: Any) -> None:
    call = CALLS["api_generate.generate"]
    server.script("POST", call.path, Reply(200, _api_generate(progress)))
    outcome = relay.call(call)
    assert len(outcome.images) == 1
    assert outcome.value.task_status() == "succeeded"


@pytest.mark.parametrize("progress", [99.5, "50%", "7"])
def test_odd_progress_mid_wait_does_not_abort_the_wait(relay: Relay, server: FaultServer, progress: Any) -> None:
    waiter: Waiter = WAIT["image_tasks.wait"]
    seen: list[float | None] = []
    server.script("GET", waiter.path, Reply(200, waiter.status("processing", progress=progress)),
                  Reply(200, waiter.status("succeeded", progress="100%", result_url="https://cdn.test/a.png")))
    outcome = relay.run(waiter.module, lambda c: waiter.wait(c, on_progress=lambda s, p: seen.append(p), deadline=10))
    assert outcome.value.task_status() == "succeeded"
    assert seen[-1] == 1.0 and seen[0] is not None


def test_an_optional_field_of_another_type_is_dropped_with_a_warning(
    relay: Relay, server: FaultServer, caplog: pytest.LogCaptureFixture
) -> None:
    call = CALLS["api_generate.generate"]
    body = _api_generate(10)
    body["error"] = {"code": 0, "detail": "a relay that sends an object here"}  # documented as text
    server.script("POST", call.path, Reply(200, body))
    with caplog.at_level(logging.WARNING, logger="imagerelay"):
        outcome = relay.call(call)
    assert len(outcome.images) == 1 and outcome.value.error is None
    assert any("ignored optional field(s)" in r.getMessage() and "error" in r.getMessage() for r in caplog.records)


def test_a_required_field_of_another_type_still_fails(relay: Relay, server: FaultServer) -> None:
    call = CALLS["api_generate.generate"]
    body = _api_generate(10)
    body["status"] = {"not": "a status"}
    server.script("POST", call.path, Reply(200, body))
    error = relay.fails(ResponseValidationError, call)
    assert error.status == 200 and error.method == "POST"


def test_a_data_url_holding_jpeg_bytes_is_a_jpeg(relay: Relay, server: FaultServer, tmp_path: Path) -> None:
    call = CALLS["chat_stream.chat_completions"]
    server.script("POST", call.path, Reply(200, _chat_with(f"![img](data:image/png;base64,{_b64(JPEG)})")))
    image = relay.call(call).images[0]
    assert image.mime_type == "image/jpeg" and image.extension == ".jpg"
    assert image.save(tmp_path).suffix == ".jpg"


@pytest.mark.parametrize(("data", "mime", "words"), [
    (_b64(HTML), "text/html", "holds text/html content that is no image"),
    (_b64(HTML), "image/png", "holds image/png content that is no image"),
    ("<BASE64_IMAGE_DATA>", "image/png", "is not base64"),
    (_b64(PNG)[:37], "image/png", "is not base64"),  # 37 characters: one past a whole group
])
def test_inline_content_that_is_no_image_fails_when_the_reply_is_parsed(
    relay: Relay, server: FaultServer, data: str, mime: str, words: str
) -> None:
    call = CALLS["gemini_12ai.generate_content"]
    server.script("POST", call.path, Reply(200, _gemini(data, mime)))
    error = relay.fails(ResponseValidationError, call)
    assert words in str(error)
    # The request's details, not a bare error from save() later.
    assert error.method == "POST" and error.status == 200 and error.url and "generateContent" in error.url


def test_inline_bytes_decide_the_type_whatever_the_reply_declares(relay: Relay, server: FaultServer) -> None:
    call = CALLS["gemini_12ai.generate_content"]
    server.script("POST", call.path, Reply(200, _gemini(_b64(JPEG), "image/png")))
    image = relay.call(call).images[0]
    assert (image.mime_type, image.extension) == ("image/jpeg", ".jpg")


# -- the sniffer itself ------------------------------------------------------------------

def _ftyp(brand: bytes) -> bytes:
    return b"\x00\x00\x00\x1cftyp" + brand + b"\x00\x00\x00\x00" + brand + b"mif1"


@pytest.mark.parametrize(("head", "mime"), [
    (PNG, "image/png"), (JPEG, "image/jpeg"), (b"GIF89a\x01\x00", "image/gif"),
    (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"), (_ftyp(b"avif"), "image/avif"),
    (_ftyp(b"heic"), "image/heic"), (_ftyp(b"mif1"), "image/heif"), (b"II*\x00\x08\x00", "image/tiff"),
    (_ftyp(b"isom"), None), (HTML, None), (b'{"error": 1}', None),
])
def test_sniffed_types(head: bytes, mime: str | None) -> None:
    assert sniff_mime(head) == mime


def test_an_image_of_unknown_format_declared_as_an_image_is_kept() -> None:
    image = Image(b64_data=_b64(b"\x00\x01\x02\x03unknown-format"), mime_type="image/x-new")
    assert image.extension == ".bin"
