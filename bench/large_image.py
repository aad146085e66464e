"""Figure 6: a 4K image as base64 (about 25 MB of body) parsed and saved to disk.

A separate local server process (``bench/body_server.py``) answers with a
gemini_12ai generateContent reply whose ``inlineData`` carries an 18.7 MB
PNG-headed payload of random bytes (it does not compress, like a real 4K PNG).
Each run is a fresh child (``bench/large_image_child.py``) that imports, creates
its client, notes its resident set (the baseline), makes the call, saves the
image and reports its own peak RSS; the parent checks the saved file byte for
byte. Ours and raw httpx (``json()`` + ``b64decode`` + write) alternate.

6a: peak RSS above the baseline over the body size, target ≤ 2.5×.
6b: throughput (body MB per second of call + save) vs raw httpx, reported.
6c: peak RSS above the baseline vs raw httpx, reported.
MB here is 10^6 bytes.
"""

from __future__ import annotations

import base64
import json
import random
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.common import Context, Figure, alternate, median, run_process
from bench.sdk_process import fixture, sdk_env

IMAGE_BYTES = 18_700_000  # a 4K PNG; its base64 is about 25 MB
QUICK_IMAGE_BYTES = 1_500_000
TARGET_RATIO = 2.5
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MB = 1e6


@dataclass(frozen=True)
class Run:
    peak_above_baseline: float  # bytes
    seconds: float


def run(ctx: Context) -> list[Figure]:
    image = _image(QUICK_IMAGE_BYTES if ctx.quick else IMAGE_BYTES)
    body_file = ctx.work_dir / "large_image_reply.json"
    body_file.write_bytes(_reply_body(ctx, image))
    body_mb = body_file.stat().st_size / MB
    repeats = ctx.repeats(7)
    runs: dict[str, list[Run]] = {"ours": [], "raw": []}
    with _body_server(ctx, body_file) as base_url:
        ours_call = _side(ctx, "ours", base_url, image, runs["ours"])
        raw_call = _side(ctx, "raw", base_url, image, runs["raw"])
        alternate(ours_call, raw_call, repeats)
    ours_peak = median([r.peak_above_baseline for r in runs["ours"]]) / MB
    raw_peak = median([r.peak_above_baseline for r in runs["raw"]]) / MB
    ours_rate = body_mb / median([r.seconds for r in runs["ours"]])
    raw_rate = body_mb / median([r.seconds for r in runs["raw"]])
    return [
        Figure(
            key="6a", title="Large image: peak RSS above baseline vs body size",
            ours=ours_peak, baseline=body_mb, unit="MB",
            ours_label="peak RSS of a fresh process above its RSS after imports and client creation, "
                       "over one gemini_12ai `generate_content` + `save_images` of a 4K inline image",
            baseline_label="the reply body size (JSON with the base64 image)",
            max_ratio=TARGET_RATIO, repeats=repeats,
            notes=((f"Raw httpx doing the same job: {raw_peak:.1f} MB above baseline "
                    f"({raw_peak / body_mb:.2f}× the body)."),),
        ),
        Figure(
            key="6b", title="Large image: throughput (call + save)",
            ours=ours_rate, baseline=raw_rate, unit="MB/s",
            ours_label="body MB / seconds from the call to the saved file, generated client",
            baseline_label="the same with raw httpx: `post`, `json()`, `base64.b64decode`, `write_bytes`",
            repeats=repeats,
            notes=("Higher is better; over a local socket, so this is parse + decode + write speed.",),
        ),
        Figure(
            key="6c", title="Large image: peak RSS above baseline vs raw httpx",
            ours=ours_peak, baseline=raw_peak, unit="MB",
            ours_label="as 6a", baseline_label="as 6a, raw httpx + `json()` + `base64.b64decode` + write",
            repeats=repeats,
        ),
    ]


def _image(size: int) -> bytes:
    # Random bytes do not compress, like real image data; seeded for repeatable runs.
    return _PNG_SIGNATURE + random.Random(4096).randbytes(size - len(_PNG_SIGNATURE))


def _reply_body(ctx: Context, image: bytes) -> bytes:
    reply = fixture(ctx.root, "gemini_12ai", "generate_content_pro_4k")["response"]["json"]
    reply["candidates"][0]["content"]["parts"][0]["inlineData"]["data"] = base64.b64encode(image).decode("ascii")
    return json.dumps(reply).encode("utf-8")


@contextmanager
def _body_server(ctx: Context, body_file: Path) -> Iterator[str]:
    server = subprocess.Popen([ctx.python, "-m", "bench.body_server", str(body_file)], cwd=ctx.root,
                              env=sdk_env(ctx), stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _side(ctx: Context, side: str, base_url: str, image: bytes, runs: list[Run]) -> Callable[[], float]:
    def once() -> float:
        out_dir = ctx.work_dir / f"large-image-{side}"
        out_dir.mkdir(exist_ok=True)
        cmd = [ctx.python, "-m", "bench.large_image_child", side, base_url, str(out_dir)]
        child = run_process(cmd, cwd=ctx.work_dir, env=sdk_env(ctx))
        result = json.loads(child.stdout)
        saved = Path(result["saved"])
        if saved.read_bytes() != image:
            raise AssertionError(f"{side}: the saved image differs from the one served")
        saved.unlink()
        runs.append(Run(result["peak_rss"] - result["baseline_rss"], result["seconds"]))
        return float(result["seconds"])

    return once
