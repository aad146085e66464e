"""Input images: paths, bytes, file objects and reply images become the wire form each
provider's spec declares, with the MIME type sniffed from the bytes."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from imagerelay import api_generate, chat_stream, gemini_12ai, gemini_jobs, image_tasks
from imagerelay._runtime.errors import InvalidRequestError
from imagerelay._runtime.images import Image
from pydantic import ValidationError

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001"
    "0d0a2db40000000049454e44ae426082"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
PNG_B64 = base64.b64encode(PNG).decode()


class Recorder:
    def __init__(self, reply: dict[str, Any]) -> None:
        self.bodies: list[Any] = []
        self.reply = reply

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(json.loads(request.content))
        return httpx.Response(200, json=self.reply)


GEMINI_REPLY = {"candidates": [{"content": {"parts": [{"inline_data": {"mime_type": "image/png", "data": PNG_B64}}]}}]}
TASK = {"id": "t", "status": "succeeded", "results": [{"url": "https://cdn.test/x.png"}]}


def test_gemini_inline_data_from_a_path_sniffs_the_mime_type(tmp_path: Path) -> None:
    misnamed = tmp_path / "photo.jpg"  # PNG bytes behind a .jpg name: the bytes decide
    misnamed.write_bytes(PNG)
    server = Recorder(GEMINI_REPLY)
    with gemini_12ai.Client("k", transport=httpx.MockTransport(server)) as client:
        client.generate_content(model="gemini-2.5-flash-image",
                                contents=[{"parts": [{"text": "edit"}, {"inline_data": misnamed}]}])
    assert server.bodies[0]["contents"][0]["parts"][1] == {"inline_data": {"mime_type": "image/png", "data": PNG_B64}}


def test_gemini_models_take_files_and_reply_images() -> None:
    part = gemini_12ai.models.Part(inline_data=io.BytesIO(JPEG))  # type: ignore[arg-type]
    assert part.to_wire()["inline_data"]["mime_type"] == "image/jpeg"
    reply_image = Image(b64_data=PNG_B64, mime_type="image/png")
    again = gemini_jobs.models.Part(inlineData=reply_image)  # type: ignore[arg-type]
    assert again.to_wire() == {"inlineData": {"mimeType": "image/png", "data": PNG_B64}}


def test_url_only_fields_say_how_to_send_a_local_file(tmp_path: Path) -> None:
    local = tmp_path / "ref.png"
    local.write_bytes(PNG)
    with pytest.raises(ValidationError) as caught:  # building a model directly: pydantic's error
        gemini_jobs.models.Part(fileData={"fileUri": local})
    assert "fileUri: this provider takes an http(s) URL here, not a local image" in str(caught.value)
    assert "upload_file()" in str(caught.value)
    server = Recorder({"code": "success", "message": "", "data": {"task_id": "t", "status": "pending"}})
    with image_tasks.Client("k", transport=httpx.MockTransport(server)) as client, \
            pytest.raises(InvalidRequestError) as rejected:
        client.create_task(model="NanoBanana", prompt="p", task_type="image2image", image=local)
    assert "host the file and pass its URL" in str(rejected.value)
    assert server.bodies == []


def test_api_generate_images_mix_urls_and_files(tmp_path: Path) -> None:
    server = Recorder(TASK)
    with api_generate.Client("k", transport=httpx.MockTransport(server)) as client:
        client.generate(model="nano-banana", prompt="p",
                        images=["https://example.com/a.png", PNG, Image(url="https://cdn.test/prev.png")])
    assert server.bodies[0]["images"] == ["https://example.com/a.png", PNG_B64, "https://cdn.test/prev.png"]


def test_chat_image_url_from_bytes_is_a_data_url() -> None:
    chunk = {"choices": [{"index": 0, "message": {"role": "assistant", "content": "https://cdn.test/o.png"},
                          "finish_reason": "stop"}]}
    server = Recorder(chunk)
    message = {"role": "user", "content": [{"type": "text", "text": "3 views"},
                                           {"type": "image_url", "image_url": {"url": JPEG}}]}
    with chat_stream.Client("k", transport=httpx.MockTransport(server)) as client:
        client.chat_completions(model="NanoBanana", messages=[message],
                                relay_extra_body={"google": {"image_config": {"aspect_ratio": "1:1"}}})
    sent = server.bodies[0]["messages"][0]["content"][1]["image_url"]["url"]
    assert sent == "data:image/jpeg;base64," + base64.b64encode(JPEG).decode()


CHAT_OPTIONS = {"google": {"image_config": {"aspect_ratio": "1:1"}}}
CHAT_REPLY = {"choices": [{"index": 0, "message": {"role": "assistant", "content": "https://cdn.test/o.png"},
                           "finish_reason": "stop"}]}


def _chat_with_image(url: Any) -> Any:
    return [{"role": "user", "content": [{"type": "text", "text": "edit"},
                                         {"type": "image_url", "image_url": {"url": url}}]}]


@pytest.mark.parametrize("text", ["photos/cat.png", "C:\\pics\\cat.png", "./cat.png", "cat.png", "ftp://h/c.png"])
def test_a_str_that_is_no_url_is_refused_with_a_hint_to_pass_a_path(text: str) -> None:
    """A str image is a URL or a data: URL (or base64 text where the field takes it): a
    local path used to go out verbatim, as if it were a URL."""
    server = Recorder(TASK)
    calls = [
        (api_generate.Client, lambda c: c.generate(model="nano-banana", prompt="p", images=[text])),
        (image_tasks.Client, lambda c: c.create_task(model="NanoBanana", prompt="p",
                                                     task_type="image2image", image=text)),
        (chat_stream.Client, lambda c: c.chat_completions(model="NanoBanana", messages=_chat_with_image(text),
                                                          relay_extra_body=CHAT_OPTIONS)),
        (gemini_12ai.Client, lambda c: c.generate_content(model="gemini-2.5-flash-image",
                                                          contents=[{"parts": [{"inline_data": text}]}])),
    ]
    for client_class, call in calls:
        with client_class("k", transport=httpx.MockTransport(server)) as client, \
                pytest.raises(InvalidRequestError) as caught:
            call(client)
        assert f"{text!r} is not " in str(caught.value), client_class
        assert f"for a local file pass Path({text!r})" in str(caught.value)
    assert server.bodies == []


def test_data_urls_become_the_form_each_field_takes() -> None:
    data_url = "data:image/png;base64," + PNG_B64
    server = Recorder(GEMINI_REPLY)
    with gemini_12ai.Client("k", transport=httpx.MockTransport(server)) as client:
        client.generate_content(model="gemini-2.5-flash-image", contents=[{"parts": [{"inline_data": data_url}]}])
    assert server.bodies[0]["contents"][0]["parts"][0] == {"inline_data": {"mime_type": "image/png", "data": PNG_B64}}
    server = Recorder(TASK)
    with api_generate.Client("k", transport=httpx.MockTransport(server)) as client:
        client.generate(model="nano-banana", prompt="p", images=[data_url, PNG_B64])  # base64 text too
    assert server.bodies[0]["images"] == [PNG_B64, PNG_B64]
    server = Recorder(CHAT_REPLY)
    with chat_stream.Client("k", transport=httpx.MockTransport(server)) as client:
        client.chat_completions(model="NanoBanana", messages=_chat_with_image(data_url), relay_extra_body=CHAT_OPTIONS)
    assert server.bodies[0]["messages"][0]["content"][1]["image_url"]["url"] == data_url
    with image_tasks.Client("k", transport=httpx.MockTransport(Recorder(TASK))) as client, \
            pytest.raises(InvalidRequestError, match="takes an http\\(s\\) URL here, not a data: URL"):
        client.create_task(model="NanoBanana", prompt="p", task_type="image2image", image=data_url)


def test_bytes_that_are_not_an_image_are_rejected_before_sending() -> None:
    server = Recorder(TASK)
    with api_generate.Client("k", transport=httpx.MockTransport(server)) as client, \
            pytest.raises(InvalidRequestError) as caught:
        client.generate(model="nano-banana", prompt="p", images=[b"%PDF-1.7 not an image"])
    assert "not a PNG, JPEG, GIF or WebP image" in str(caught.value)
    assert server.bodies == []


def test_save_images_decodes_inline_and_downloads_urls(tmp_path: Path) -> None:
    reply = {**TASK, "results": [{"url": "https://cdn.test/../../etc/passwd.png"}]}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "cdn.test":
            assert "authorization" not in request.headers  # the key never goes to the CDN
            return httpx.Response(200, headers={"content-type": "image/png"}, content=PNG)
        return httpx.Response(200, json=reply)

    with api_generate.Client("sk-secret", transport=httpx.MockTransport(handler)) as client:
        task = client.generate(model="nano-banana", prompt="p")
        saved = client.save_images(task, tmp_path / "out", stem="cat")
    assert [path.name for path in saved] == ["cat-1.png"]
    assert saved[0].parent == tmp_path / "out"
    assert saved[0].read_bytes() == PNG

    server = Recorder(GEMINI_REPLY)
    with gemini_12ai.Client("k", transport=httpx.MockTransport(server)) as gemini:
        reply_12ai = gemini.generate_content(model="gemini-2.5-flash-image", contents=[{"parts": [{"text": "x"}]}])
        (inline_path,) = gemini.save_images(reply_12ai, tmp_path, stem="../escape")
    assert inline_path.parent == tmp_path and inline_path.name == "escape-1.png"
    assert inline_path.read_bytes() == PNG
