"""One large-image call in a fresh interpreter, for figure 6.

``python -m bench.large_image_child {ours|raw} BASE_URL OUT_DIR`` fetches the
reply the body server holds, saves its image into OUT_DIR and prints
``{"baseline_rss": bytes, "peak_rss": bytes, "seconds": s, "saved": path}``.
The baseline is the resident set after imports and client creation, where the
peak mark is reset; the peak is read by the child itself at the end (see
``peak_rss_bytes``: ``wait4`` would report the bench process's own peak).
``ours`` is the generated gemini_12ai client and its documented
``save_images``; ``raw`` is httpx, ``response.json()``, ``base64.b64decode``
and a file write, as one would write it without an SDK.
"""

from __future__ import annotations

import base64
import json
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import ROOT
from bench.sdk_process import BENCH_KEY, current_rss_bytes, fixture, peak_rss_bytes, reset_peak_rss

RECORDED = fixture(ROOT, "gemini_12ai", "generate_content_pro_4k")


def ours(base_url: str, out_dir: Path) -> dict[str, Any]:
    from imagerelay.gemini_12ai import Client

    with Client(BENCH_KEY, base_url=base_url) as client:
        baseline = _start()
        start = time.perf_counter()
        reply = client.generate_content(**RECORDED["call"]["kwargs"])
        (saved,) = client.save_images(reply, out_dir)
        seconds = time.perf_counter() - start
    return {"baseline_rss": baseline, "seconds": seconds, "saved": str(saved)}


def raw(base_url: str, out_dir: Path) -> dict[str, Any]:
    import httpx

    request = RECORDED["request"]
    with httpx.Client(timeout=300) as http:
        baseline = _start()
        start = time.perf_counter()
        response = http.post(base_url + request["path"], params={"key": BENCH_KEY}, json=request["json"])
        response.raise_for_status()
        inline = response.json()["candidates"][0]["content"]["parts"][0]["inlineData"]
        saved = out_dir / "image.png"
        saved.write_bytes(base64.b64decode(inline["data"]))
        seconds = time.perf_counter() - start
    return {"baseline_rss": baseline, "seconds": seconds, "saved": str(saved)}


def _start() -> int:
    """The baseline RSS, with the peak mark moved up to it."""
    reset_peak_rss()
    return current_rss_bytes()


if __name__ == "__main__":
    side, url, directory = sys.argv[1:4]
    result = (ours if side == "ours" else raw)(url, Path(directory))
    result["peak_rss"] = peak_rss_bytes()
    print(json.dumps(result))
