"""Every ```python block of the generated docs runs, against the recorded fixtures.

Each block is executed as a whole program, with ``httpx.Client`` /
``httpx.AsyncClient`` swapped for subclasses whose transport replays
``tests/fixtures/<provider>/*.json``: the fixture recording the same method, path
and JSON body, else the same method and path, else one sent to the same endpoint
(path template). A request no fixture answers fails the block, so docs cannot
drift from the clients or the recorded API. A provider with no recorded fixtures
(a new spec) is answered by its mock relay instead, which checks each request with
the SDK's own rules. A block that is deliberately not runnable is preceded by
``<!-- docs-test: skip -->``; there are to be very few.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from imagerelay._runtime.descriptors import Endpoint

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "generated" / "docs"
FIXTURES = ROOT / "tests" / "fixtures"
SKIP_MARK = "<!-- docs-test: skip -->"
# Enough for any documented flow (submit + polls); more means a wait loop that never ends.
MAX_REQUESTS = 10
# A 1x1 PNG: the content of any local file a block names with Path("...").
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001"
    "0d0a2db40000000049454e44ae426082"
)
FENCE = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Block:
    page: str
    line: int
    code: str
    skipped: bool

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"


def python_blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    blocks = []
    for match in FENCE.finditer(text):
        before = text[: match.start()].rstrip().splitlines()
        skipped = bool(before) and before[-1].strip() == SKIP_MARK
        line = text.count("\n", 0, match.start()) + 1
        blocks.append(Block(page.name, line, match.group(1), skipped))
    return blocks


BLOCKS = [block for page in sorted(DOCS.glob("*.md")) for block in python_blocks(page)]


def _template_regex(path: str) -> re.Pattern[str]:
    """``/a/{id}/b`` as a regex; a ``{name:path}`` parameter may span segments."""
    parts = re.split(r"(\{[^}]+\})", path)
    wildcard = {True: ".+", False: "[^/]+"}
    return re.compile(
        "".join(wildcard[part.endswith(":path}")] if part.startswith("{") else re.escape(part) for part in parts) + "$"
    )


@dataclass
class FixtureServer:
    """Answers each request with the closest recorded fixture of the snippet's providers."""

    providers: tuple[str, ...]
    # (method, path, fixture name, how closely it matched: 3 body, 2 path, 1 endpoint)
    served: list[tuple[str, str, str, int]] = field(default_factory=list)
    fixtures: list[tuple[str, dict[str, Any]]] = field(init=False)
    mock: httpx.BaseTransport | None = field(init=False)
    templates: list[tuple[str, re.Pattern[str]]] = field(init=False)

    def __post_init__(self) -> None:
        self.fixtures = [
            (f"{provider}/{path.stem}", json.loads(path.read_text(encoding="utf-8")))
            for provider in self.providers
            for path in sorted((FIXTURES / provider).glob("*.json"))
        ]
        # One mock per example, so a task it submits is the one it then polls.
        self.mock = None
        if not self.fixtures:
            from imagerelay.mock import MockRelay

            (provider,) = self.providers
            self.mock = MockRelay(provider, key=None, task_seconds=0).transport
        self.templates = []
        for provider in self.providers:
            client = importlib.import_module(f"imagerelay.{provider}.client")
            endpoints = [value for value in vars(client).values() if isinstance(value, Endpoint)]
            self.templates += [(endpoint.method, _template_regex(endpoint.path)) for endpoint in endpoints]

    def _score(self, request: httpx.Request, recorded: dict[str, Any]) -> int:
        if recorded["method"] != request.method:
            return 0
        path = request.url.path
        if recorded["path"] == path:
            same_body = "json" in recorded and json.loads(request.content or b"null") == recorded["json"]
            return 3 if same_body else 2
        same_endpoint = any(
            method == request.method and regex.match(path) and regex.match(recorded["path"])
            for method, regex in self.templates
        )
        return 1 if same_endpoint else 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert len(self.served) < MAX_REQUESTS, f"more than {MAX_REQUESTS} requests: {self.served}"
        if self.mock is not None:  # no recorded fixture: the spec's own mock relay answers
            response = self.mock.handle_request(request)
            assert response.status_code < 400, response.text
            self.served.append((request.method, request.url.path, "mock", 3))
            return response
        scored = [(self._score(request, fixture["request"]), name, fixture) for name, fixture in self.fixtures]
        best = max((score for score, _, _ in scored), default=0)
        if best == 0:
            raise AssertionError(f"no fixture of {self.providers} records {request.method} {request.url.path}")
        # Equally close fixtures answer in turn, so polling walks through the recorded statuses.
        ties = [(name, fixture) for score, name, fixture in scored if score == best]
        repeats = sum(1 for method, path, _, _ in self.served if (method, path) == (request.method, request.url.path))
        name, fixture = ties[repeats % len(ties)]
        json_body = request.headers.get("content-type") == "application/json"
        self.served.append((request.method, request.url.path, name, best if json_body else 3))
        return _response(fixture["response"])


def _response(spec: dict[str, Any]) -> httpx.Response:
    headers = spec.get("headers", {})
    if "sse" in spec:
        events = [item if isinstance(item, str) else json.dumps(item) for item in spec["sse"]]
        return httpx.Response(spec["status"], headers=headers, content="".join(f"data: {e}\n\n" for e in events))
    if "json" in spec:
        return httpx.Response(spec["status"], headers=headers, json=spec["json"])
    return httpx.Response(spec["status"], headers=headers, text=spec.get("text", ""))


def _replay_through(monkeypatch: pytest.MonkeyPatch, server: FixtureServer) -> None:
    """Every httpx client created from now on sends to ``server`` instead of the network."""
    real_client, real_async_client = httpx.Client, httpx.AsyncClient

    class ReplayClient(real_client):  # type: ignore[valid-type,misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **{**kwargs, "transport": httpx.MockTransport(server)})

    class AsyncReplayClient(real_async_client):  # type: ignore[valid-type,misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **{**kwargs, "transport": httpx.MockTransport(server)})

    monkeypatch.setattr(httpx, "Client", ReplayClient)
    monkeypatch.setattr(httpx, "AsyncClient", AsyncReplayClient)
    # Pending fixtures would otherwise make a polling loop wait in real time.
    monkeypatch.setattr(time, "sleep", lambda seconds: None)


@pytest.mark.parametrize("block", [b for b in BLOCKS if not b.skipped], ids=lambda block: block.id)
def test_docs_example_runs_against_fixtures(
    block: Block, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    providers = tuple(sorted(set(re.findall(r"from imagerelay\.(\w+) import", block.code))))
    assert providers, "the example imports no provider package"
    for name in re.findall(r'Path\("([^"]+)"\)', block.code):
        (tmp_path / name).write_bytes(PNG)
    for provider in providers:
        for variable in ("API_KEY", "BASE_URL"):
            monkeypatch.delenv(f"{provider.upper()}_{variable}", raising=False)
    monkeypatch.chdir(tmp_path)
    server = FixtureServer(providers)
    _replay_through(monkeypatch, server)
    output = io.StringIO()
    try:
        with contextlib.redirect_stdout(output):
            # Running the docs' own code is the point of this test; it comes from generated/docs.
            exec(compile(block.code, block.id, "exec"), {"__name__": "__main__"})  # noqa: S102
    finally:
        if server.mock is not None:
            server.mock.close()
    assert server.served, "the example sent no request"
    # A JSON request of the docs is a documented one: some fixture records exactly that body.
    assert [entry for entry in server.served if entry[3] < 3] == []
    assert output.getvalue().strip(), "the example printed nothing"


def test_docs_have_runnable_sync_and_async_examples_for_every_provider() -> None:
    providers = {path.stem for path in (ROOT / "specs").glob("*.yaml")}
    for provider in sorted(providers):
        codes = [block.code for block in BLOCKS if block.page == f"{provider}.md" and not block.skipped]
        assert any("with Client(" in code for code in codes), provider
        assert any("async with AsyncClient(" in code for code in codes), provider


def test_few_examples_are_skipped() -> None:
    skipped = [block.id for block in BLOCKS if block.skipped]
    assert len(skipped) <= 3, skipped


def test_block_extraction_sees_fences_and_skip_marks(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# t\n\n```python\nprint(1)\n```\n\n" + SKIP_MARK + "\n```python\nnot run\n```\n\n```json\n{}\n```\n",
        encoding="utf-8",
    )
    assert python_blocks(page) == [
        Block("page.md", 3, "print(1)\n", False),
        Block("page.md", 8, "not run\n", True),
    ]


def test_unrecorded_request_fails_the_example(monkeypatch: pytest.MonkeyPatch) -> None:
    server = FixtureServer(("api_generate",))
    _replay_through(monkeypatch, server)
    with pytest.raises(AssertionError, match="no fixture"):
        httpx.Client().get("https://api.example.com/v1/unknown")
    assert server.served == []
