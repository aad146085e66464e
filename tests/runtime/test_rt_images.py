from __future__ import annotations

import base64
from pathlib import Path

import pytest
from imagerelay._runtime.descriptors import ImagePaths, InlineImagePath
from imagerelay._runtime.errors import RelayError
from imagerelay._runtime.images import (
    Image,
    ImageCollector,
    extract_images,
    find_urls,
    has_images,
    sniff_mime,
)

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 300
PNG_B64 = base64.b64encode(PNG).decode()
JPEG_B64 = base64.b64encode(b"\xff\xd8\xff\xe0rest-of-jpeg").decode()

GEMINI_PATHS = ImagePaths(
    urls=("candidates[].content.parts[].text",),
    inline=(
        InlineImagePath("candidates[].content.parts[].inlineData", "data", "mimeType"),
        InlineImagePath("candidates[].content.parts[].inline_data", "data", "mime_type"),
    ),
)


def test_extract_from_gemini_payload() -> None:
    payload = {
        "candidates": [
            {
                "content": {
                    "parts": [
                        {
                            "text": "Here you go: ![img](https://cdn.test/a.png). Also https://cdn.test/b.jpg, enjoy"
                        },
                        {"inlineData": {"mimeType": "image/png", "data": PNG_B64}},
                        {"inline_data": {"mime_type": "image/jpeg", "data": JPEG_B64}},
                        {"inlineData": {"mimeType": "image/png", "data": PNG_B64}},
                        {"inlineData": {"mimeType": "image/png"}},
                    ]
                }
            }
        ]
    }
    images = extract_images(payload, GEMINI_PATHS)
    assert [(i.url, i.mime_type) for i in images] == [
        ("https://cdn.test/a.png", None),
        ("https://cdn.test/b.jpg", None),
        (None, "image/png"),
        (None, "image/jpeg"),
    ]
    assert images[2].data() == PNG
    assert images[3].extension == ".jpg"


def test_extract_from_chat_chunk_with_markdown_and_data_url() -> None:
    chunk = {
        "choices": [
            {
                "delta": {
                    "content": f"![a](https://x.test/1.png)\n![b](data:image/png;base64,{PNG_B64[:40]})"
                }
            },
            {"delta": {"content": "again https://x.test/1.png"}},
        ]
    }
    images = extract_images(chunk, ImagePaths(urls=("choices[].delta.content",)))
    assert [i.url for i in images] == ["https://x.test/1.png", None]
    assert images[1].mime_type == "image/png" and images[1].b64_data == PNG_B64[:40]


def test_find_urls_trims_punctuation_and_splits_back_to_back_urls() -> None:
    assert [
        i.url for i in find_urls('see "https://a.test/x.png", or <https://a.test/y.webp>.')
    ] == [
        "https://a.test/x.png",
        "https://a.test/y.webp",
    ]
    assert [i.url for i in find_urls("https://a.test/1.pnghttps://a.test/2.png")] == [
        "https://a.test/1.png",
        "https://a.test/2.png",
    ]
    assert find_urls("no links here") == []


def test_collector_joins_urls_split_across_chunks() -> None:
    collector = ImageCollector(ImagePaths(urls=("choices[].delta.content",)))
    for piece in ["Done: ![x](https://cdn.te", "st/out/9.pn", "g) ok"]:
        collector.add({"choices": [{"delta": {"content": piece}}]})
    assert [i.url for i in collector.images()] == ["https://cdn.test/out/9.png"]
    assert ImageCollector(None).images() == []


def test_save_decodes_in_chunks_with_safe_name(tmp_path: Path) -> None:
    image = Image(b64_data=PNG_B64, mime_type="image/png")
    path = image.save(tmp_path / "out", "../../etc/pass wd")
    assert path.parent == tmp_path / "out"
    assert path.name == "etc_pass_wd.png"
    assert path.read_bytes() == PNG
    assert not list((tmp_path / "out").glob("*.part"))


def test_save_accepts_urlsafe_unpadded_wrapped_base64(tmp_path: Path) -> None:
    raw = bytes([251, 255, 254]) * 10 + b"\x01"
    text = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    wrapped = "\n".join(text[i : i + 8] for i in range(0, len(text), 8))
    assert Image(b64_data=wrapped).save(tmp_path, "x").read_bytes() == raw


def test_extension_from_magic_and_url() -> None:
    assert Image(b64_data=PNG_B64).extension == ".png"
    webp = base64.b64encode(b"RIFF\x00\x00\x00\x00WEBPVP8 ").decode()
    assert Image(b64_data=webp).extension == ".webp"
    assert Image(url="https://a.test/p/x.JPEG?sig=1").extension == ".jpeg"
    assert Image(url="https://a.test/p/x").extension == ".bin"
    assert Image(b64_data="!!!!").extension == ".bin"
    assert sniff_mime(b"GIF89a...") == "image/gif"


def test_url_only_image_points_to_client_download(tmp_path: Path) -> None:
    with pytest.raises(RelayError, match=r"client\.download\(image\)"):
        Image(url="https://a.test/x.png").save(tmp_path, "x")
    with pytest.raises(RelayError, match="not valid base64"):
        Image(b64_data="abc$").data()


def test_repr_hides_base64_payload() -> None:
    assert repr(Image(b64_data=PNG_B64, mime_type="image/png")) == (
        f"Image(url=None, b64_data=<{len(PNG_B64)} base64 chars>, mime_type='image/png')"
    )


def test_find_urls_edge_runs_match_the_look_ahead_pattern() -> None:
    # The fast path reads a whole run at once; these runs hold a second scheme or none after it.
    assert [i.url for i in find_urls("https://https://x.test/a.png")] == ["https://x.test/a.png"]
    assert [i.url for i in find_urls("x http:// y")] == []
    assert [i.url for i in find_urls("(https://a.test/1)http://b.test/2.")] == [
        "https://a.test/1",
        "http://b.test/2",
    ]


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"candidates": [{"content": {"parts": [{"text": "no image, sorry"}]}}]},
        {"candidates": [{"content": {"parts": [{"text": "see https://cdn.test/a.png"}]}}]},
        {"candidates": [{"content": {"parts": [{"text": f"data:image/png;base64,{PNG_B64[:40]}"}]}}]},
        {"candidates": [{"content": {"parts": [{"inlineData": {"mimeType": "image/png"}}]}}]},
        {"candidates": [{"content": {"parts": [{"inline_data": {"data": JPEG_B64}}]}}]},
        {"candidates": [{"content": {"parts": [{"text": "http:// and nothing"}]}}]},
    ],
)
def test_has_images_agrees_with_extract_images(payload: dict[str, object]) -> None:
    assert has_images(payload, GEMINI_PATHS) == bool(extract_images(payload, GEMINI_PATHS))
    assert has_images(payload, None) is False
