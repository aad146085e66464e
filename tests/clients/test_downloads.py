"""save_image / save_images write downloads to disk as they arrive (issue 14, item 7):
progress per chunk, names and extensions from the bytes, parallel for the async client,
and nothing left behind when a download fails."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from imagerelay import api_generate
from imagerelay._runtime.errors import NotFoundError, RelayError

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001"
    "0d0a2db40000000049454e44ae426082"
)
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200_000 + b"\xff\xd9"
REPLY = {"id": "t", "status": "succeeded",
         "results": [{"url": "https://cdn.test/a.img"}, {"url": "https://cdn.test/b.img"}]}


class Chunks(httpx.AsyncByteStream, httpx.SyncByteStream):
    """A body sent in 64 KiB pieces, as a CDN does."""

    def __init__(self, data: bytes, gate: asyncio.Event | None = None) -> None:
        self.data, self.gate = data, gate

    def __iter__(self) -> Any:
        for start in range(0, len(self.data), 65536):
            yield self.data[start : start + 65536]

    async def __aiter__(self) -> Any:
        if self.gate is not None:
            await self.gate.wait()
        for start in range(0, len(self.data), 65536):
            yield self.data[start : start + 65536]
            await asyncio.sleep(0)


def _image_reply(data: bytes, gate: asyncio.Event | None = None, status: int = 200,
                 kind: str = "application/octet-stream") -> httpx.Response:
    return httpx.Response(status, headers={"content-type": kind, "content-length": str(len(data))},
                          stream=Chunks(data, gate))


def test_sync_downloads_stream_to_disk_with_progress(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "cdn.test":
            return _image_reply(JPEG if request.url.path == "/a.img" else PNG)
        return httpx.Response(200, json=REPLY)

    progress: list[tuple[int, int, int | None]] = []
    with api_generate.Client("k", transport=httpx.MockTransport(handler)) as client:
        task = client.generate(model="nano-banana", prompt="p")
        paths = client.save_images(task, tmp_path, stem="cat", on_progress=lambda *a: progress.append(a))
    assert [p.name for p in paths] == ["cat-1.jpg", "cat-2.png"]  # extensions from the bytes
    assert paths[0].read_bytes() == JPEG and paths[1].read_bytes() == PNG
    first = [p for p in progress if p[0] == 1]
    assert len(first) == 4 and first[-1] == (1, len(JPEG), len(JPEG))  # written chunk by chunk
    assert [p[1] for p in first] == sorted(p[1] for p in first)
    assert list(tmp_path.glob("*.part")) == []


def test_async_downloads_run_in_parallel_and_keep_the_reply_order(tmp_path: Path) -> None:
    async def main() -> list[Path]:
        gate, started = asyncio.Event(), []

        async def handler(request: httpx.Request) -> httpx.Response:
            if request.url.host != "cdn.test":
                return httpx.Response(200, json=REPLY)
            started.append(request.url.path)
            if len(started) == 2:
                gate.set()  # both requests are out before either body flows
            return _image_reply(JPEG if request.url.path == "/a.img" else PNG, gate)

        async with api_generate.AsyncClient("k", transport=httpx.MockTransport(handler)) as client:
            task = await client.generate(model="nano-banana", prompt="p")
            return await asyncio.wait_for(client.save_images(task, tmp_path), timeout=10)

    paths = asyncio.run(main())
    assert [p.name for p in paths] == ["image-1.jpg", "image-2.png"]


def test_a_failed_download_raises_the_sdk_error_and_leaves_no_file(tmp_path: Path) -> None:
    async def main() -> None:
        async def handler(request: httpx.Request) -> httpx.Response:
            if request.url.host != "cdn.test":
                return httpx.Response(200, json=REPLY)
            if request.url.path == "/b.img":
                return httpx.Response(404, json={"error": {"message": "expired"}})
            return _image_reply(JPEG, asyncio.Event())  # never flows: cancelled by the failure

        async with api_generate.AsyncClient("k", transport=httpx.MockTransport(handler), max_retries=0) as client:
            task = await client.generate(model="nano-banana", prompt="p")
            await client.save_images(task, tmp_path)

    with pytest.raises(NotFoundError):  # the error itself, not an ExceptionGroup
        asyncio.run(main())
    assert list(tmp_path.iterdir()) == []


def test_a_page_instead_of_an_image_is_an_error_before_anything_is_written(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "cdn.test":
            return _image_reply(b"<html>link expired</html>", kind="text/html")
        return httpx.Response(200, json=REPLY)

    with api_generate.Client("k", transport=httpx.MockTransport(handler)) as client, \
            pytest.raises(RelayError, match=r"download did not return an image \(content type text/html\)"):
        client.save_images(client.generate(model="nano-banana", prompt="p"), tmp_path)
    assert list(tmp_path.iterdir()) == []
