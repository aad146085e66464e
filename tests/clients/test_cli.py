"""``imagerelay`` on the command line (issue 15, item 5): the catalog, dry runs, generation."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from imagerelay._runtime.cli import EXIT_INVALID, EXIT_NO_PROVIDER, EXIT_PROVIDER, main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
KEY = "sk-cli-SECRET-77"
# Ratios and sizes from every kind the specs know: listed, unlisted, tiers, exact sizes in and
# out of the pixel rules.
GRID = [(None, None), ("16:9", None), ("1:8", None), ("21:9", "2K"), (None, "4K"), ("1:1", "0.5K"),
        (None, "1536x1024"), (None, "3840x2160"), (None, "4000x4000"), ("4:3", "1K")]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("ratio", "size"), GRID)
def test_models_lists_a_model_iff_a_dry_run_for_it_is_accepted(
    capsys: pytest.CaptureFixture[str], ratio: str | None, size: str | None
) -> None:
    filters = [*(["--aspect-ratio", ratio] if ratio else []), *(["--size", size] if size else [])]
    code, out, _ = _run(capsys, "models", "--json", *filters)
    assert code == 0
    listed = {(row["provider"], row["model"]) for row in json.loads(out)}
    import imagerelay
    from imagerelay._runtime.facade import provider_config

    every = {(p, m) for p in imagerelay.PROVIDERS for m in provider_config(p).model_ids}
    accepted = set()
    for provider, model in sorted(every):
        code, out, _ = _run(capsys, "generate", "a test prompt", "--provider", provider, "--model", model,
                            "--dry-run", *filters)
        assert code in (0, EXIT_NO_PROVIDER)
        if code == 0:
            accepted.add((provider, model))
            assert json.loads(out)["would_send"][0]["model"] == model
    assert listed == accepted
    if ratio is None and size is None:
        # What a bare prompt lacks: chat_stream's doc makes the ratio required, and fal's
        # image-to-image model requires an input image. Every other model takes it.
        assert every - listed == {(p, m) for p, m in every if p == "chat_stream"} | {
            ("fal_queue", "fal-ai/flux/dev/image-to-image")}


def test_a_dry_run_prints_the_wire_request_and_never_a_key(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEMINI_12AI_API_KEY", KEY)
    code, out, err = _run(capsys, "generate", "a cat", "--provider", "gemini_12ai", "--aspect-ratio", "16:9",
                          "--size", "2K", "--dry-run")
    assert code == 0 and KEY not in out + err
    sent = json.loads(out)["would_send"][0]
    assert sent["request"]["method"] == "POST"
    assert sent["request"]["url"].endswith(":generateContent?key=***")
    assert sent["request"]["body"]["generationConfig"]["imageConfig"] == {"aspectRatio": "16:9", "imageSize": "2K"}


def test_exit_codes_say_what_went_wrong(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "generate", "a cat", "--provider", "gemini_12ai", "--size", "1536x1024")
    assert code == EXIT_NO_PROVIDER and "pixel size: sizes are the 1K/2K/4K tiers only" in err
    code, _, err = _run(capsys, "generate", "a cat", "--provider", "nope")
    assert code == EXIT_INVALID and "unknown provider 'nope'" in err
    with pytest.raises(SystemExit) as usage:
        main(["generate"])
    assert usage.value.code == 2


class _Relay(BaseHTTPRequestHandler):
    reply: ClassVar[bytes] = b""
    status: ClassVar[int] = 200
    seen: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.seen.append(self.path)
        self.send_response(self.status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(self.reply)))
        self.end_headers()
        self.wfile.write(self.reply)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def relay() -> Iterator[tuple[str, type[_Relay]]]:
    recorded = json.loads((FIXTURES / "gemini_12ai" / "generate_content_text_to_image.json").read_text("utf-8"))
    handler = type("Handler", (_Relay,), {"reply": json.dumps(recorded["response"]["json"]).encode(), "seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def test_generate_saves_the_images_and_prints_their_paths(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    relay: tuple[str, type[_Relay]],
) -> None:
    url, handler = relay
    monkeypatch.setenv("GEMINI_12AI_API_KEY", KEY)
    monkeypatch.setenv("GEMINI_12AI_BASE_URL", url)
    code, out, err = _run(capsys, "generate", "a cat", "--provider", "gemini_12ai", "--aspect-ratio", "1:1",
                          "-o", str(tmp_path / "out"), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["provider"] == "gemini_12ai" and len(report["images"]) == 1
    saved = Path(report["images"][0])
    assert saved.parent == tmp_path / "out" and saved.read_bytes().startswith(b"\x89PNG")
    assert handler.seen == ["/v1beta/models/gemini-2.5-flash-image:generateContent?key=" + KEY]
    assert KEY not in out + err
    # Not a terminal: progress as plain lines on stderr, each state once.
    assert err.splitlines() == ["gemini_12ai (gemini-2.5-flash-image): sending to generate_content"]

    handler.status, handler.reply = 500, b'{"error": {"message": "boom"}}'
    code, out, err = _run(capsys, "generate", "a cat", "--provider", "gemini_12ai", "-o", str(tmp_path))
    assert code == EXIT_PROVIDER and "HTTP 500" in err and KEY not in out + err
