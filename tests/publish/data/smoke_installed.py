"""Smoke test of an installed imagerelay wheel; runs in a fresh venv, outside the repository.

Usage: python -I smoke_installed.py FIXTURES_JSON REPORT_JSON

FIXTURES_JSON maps each provider id to one recorded fixture (the format of
tests/fixtures/README.md). For every provider the script imports the
subpackage, replays the fixture through ``Client`` over ``httpx.MockTransport``
and writes what happened to REPORT_JSON; the test compares it with the fixture.
Only the standard library, httpx and the installed package are imported.
"""

from __future__ import annotations

import importlib
import json
import sys
import traceback
from pathlib import Path
from typing import Any

import httpx
import imagerelay
from imagerelay._runtime.paths import find_all, find_first

API_KEY = "sk-smoke-5d1e"
BASE_URL = "https://relay.test"
# 1x1 PNG for multipart file fields.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001"
    "0d0a2db40000000049454e44ae426082"
)


def _response(spec: dict[str, Any]) -> httpx.Response:
    headers = spec.get("headers", {})
    if "sse" in spec:
        events = [item if isinstance(item, str) else json.dumps(item) for item in spec["sse"]]
        body = "".join(f"data: {event}\n\n" for event in events).encode()
        return httpx.Response(spec["status"], headers=headers, content=body)
    if "json" in spec:
        return httpx.Response(spec["status"], headers=headers, json=spec["json"])
    return httpx.Response(spec["status"], headers=headers, text=spec.get("text", ""))


def _sent(request: httpx.Request) -> dict[str, Any]:
    is_json = request.headers.get("content-type") == "application/json"
    return {
        "method": request.method,
        "path": request.url.path,
        "query": dict(request.url.params),
        "authorization": request.headers.get("authorization"),
        "json": json.loads(request.content) if is_json else None,
    }


def replay(provider: str, fixture: dict[str, Any]) -> dict[str, Any]:
    package = importlib.import_module(f"imagerelay.{provider}")
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return _response(fixture["response"])

    kwargs = dict(fixture["call"]["kwargs"])
    for name, filename in fixture["request"].get("files", {}).items():
        kwargs[name] = (filename, PNG)
    with package.Client(API_KEY, base_url=BASE_URL, transport=httpx.MockTransport(handler)) as client:
        outcome = getattr(client, fixture["call"]["method"])(**kwargs)
        if hasattr(outcome, "to_wire"):
            result, images = outcome, outcome.images()
        else:
            with outcome as stream:
                result = list(stream)[-1]
            images = stream.images()
    wire = result.to_wire()
    fields = {
        path: find_all(wire, path) if isinstance(value, list) else find_first(wire, path)
        for path, value in fixture["expect"].get("fields", {}).items()
    }
    return {
        "requests": [_sent(request) for request in sent],
        "result_class": f"{type(result).__module__}.{type(result).__qualname__}",
        "fields": fields,
        "image_urls": [image.url for image in images],
    }


def replay_or_traceback(provider: str, fixture: dict[str, Any]) -> dict[str, Any]:
    """One provider's failure is reported as its traceback; the others still run."""
    try:
        return replay(provider, fixture)
    except Exception:  # noqa: BLE001 - reported to the test, which fails for this provider
        return {"error": traceback.format_exc()}


def main() -> int:
    fixtures: dict[str, dict[str, Any]] = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    package_dir = Path(imagerelay.__file__).parent
    report = {
        "file": imagerelay.__file__,
        "version": imagerelay.__version__,
        "spec_digest": imagerelay.SPEC_DIGEST,
        "providers": list(imagerelay.PROVIDERS),
        "py_typed": (package_dir / "py.typed").is_file(),
        "relay_error_is_exported": imagerelay.RelayError is importlib.import_module("imagerelay.errors").RelayError,
        "replays": {provider: replay_or_traceback(provider, fixture) for provider, fixture in sorted(fixtures.items())},
    }
    Path(sys.argv[2]).write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
