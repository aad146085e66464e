"""The official SDKs pointed at the mock relays work unchanged (issue 16, item 5): proof that
the mocks speak each wire format as the vendors' own clients expect it.

- openai's ``chat.completions.create(stream=True)`` against the chat_stream mock;
- openai's ``images.generate`` against the image_tasks mock (its OpenAI-compatible entry);
- google-genai's ``models.generate_content`` against the gemini_12ai mock, its key sent as
  the relay's ``?key=`` through the httpx client google-genai accepts.
"""

from __future__ import annotations

import base64

import httpx
import pytest
from imagerelay.mock import DEFAULT_KEY, MockRelay

openai = pytest.importorskip("openai")
genai = pytest.importorskip("google.genai")

PNG = b"\x89PNG\r\n\x1a\n"


def _download(url: str) -> bytes:
    reply = httpx.get(url, timeout=10)
    reply.raise_for_status()
    return reply.content


def test_openai_streams_chat_completions_from_the_chat_stream_mock() -> None:
    with MockRelay("chat_stream") as relay:
        client = openai.OpenAI(api_key=DEFAULT_KEY, base_url=f"{relay.url}/v1", max_retries=0)
        stream = client.chat.completions.create(
            model="NanoBananaPro-1K",
            messages=[{"role": "user", "content": "a cute cat"}],
            stream=True,
            # The relay's own body field (the doc's curl sends "extra_body" literally).
            extra_body={"extra_body": {"google": {"image_config": {"aspect_ratio": "16:9"}}}},
        )
        chunks = list(stream)
        url = chunks[0].choices[0].delta.content
        assert url is not None and url.startswith(f"{relay.url}/__mock/images/")
        assert _download(url).startswith(PNG)
        # A ratio the relay's rules refuse comes back as openai's own BadRequestError.
        with pytest.raises(openai.BadRequestError, match="aspect_ratio"):
            client.chat.completions.create(
                model="NanoBananaPro-1K", messages=[{"role": "user", "content": "a cat"}], stream=True,
                extra_body={"extra_body": {"google": {"image_config": {"aspect_ratio": "7:3"}}}})


def test_openai_generates_images_on_the_image_tasks_mock() -> None:
    with MockRelay("image_tasks") as relay:
        client = openai.OpenAI(api_key=DEFAULT_KEY, base_url=f"{relay.url}/v1", max_retries=0)
        reply = client.images.generate(model="NanoBanana", prompt="a red fox")
        assert reply.data is not None and len(reply.data) == 1
        assert _download(reply.data[0].url or "").startswith(PNG)
        with pytest.raises(openai.AuthenticationError):
            openai.OpenAI(api_key="sk-wrong", base_url=f"{relay.url}/v1", max_retries=0).images.generate(
                model="NanoBanana", prompt="a red fox")


def test_openai_multipart_edits_are_refused_as_the_doc_says() -> None:
    # The relay's doc sends /v1/images/edits as JSON with image URLs; openai's images.edit
    # uploads multipart files, which the doc does not describe: refused with the reason.
    with MockRelay("image_tasks") as relay:
        client = openai.OpenAI(api_key=DEFAULT_KEY, base_url=f"{relay.url}/v1", max_retries=0)
        with pytest.raises(openai.BadRequestError, match="takes a JSON body"):
            client.images.edit(model="NanoBanana", prompt="a hat", image=("in.png", PNG + b"0" * 32, "image/png"))


def test_google_genai_gets_an_inline_image_from_the_gemini_12ai_mock() -> None:
    with MockRelay("gemini_12ai") as relay:
        client = genai.Client(api_key=DEFAULT_KEY, http_options={
            "base_url": relay.url, "api_version": "v1beta",
            # The relay takes the key as ?key= (google-genai sends it as a header too).
            "httpx_client": httpx.Client(params={"key": DEFAULT_KEY}),
        })
        reply = client.models.generate_content(model="gemini-2.5-flash-image", contents="a red fox")
        parts = reply.candidates[0].content.parts
        inline = [part.inline_data for part in parts if part.inline_data is not None]
        assert len(inline) == 1 and inline[0].mime_type == "image/png"
        data = inline[0].data if isinstance(inline[0].data, bytes) else base64.b64decode(inline[0].data)
        assert data.startswith(PNG)
