"""Model ids are open (issue 14, item 3): relays add models without notice, so an id the doc
does not list is sent as given, with one UnknownModelWarning per id, and only the rules
that hold for every model are checked. A listed id, or one matching a family's pattern,
gets its family's rules. A spec may close its list where the doc says so."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import httpx
import pytest
from imagerelay import UnknownModelWarning, api_generate, gemini_12ai, image_tasks
from imagerelay._runtime.errors import InvalidRequestError

from generator.pipeline import build_ir

TASK = {"id": "t", "status": "succeeded", "results": [{"url": "https://cdn.test/x.png"}]}
ACCEPTED = {"code": "success", "message": "", "data": {"task_id": "t", "status": "pending"}}
GEMINI_REPLY = {"candidates": [{"content": {"parts": [{"inlineData": {"mimeType": "image/png", "data": "AA=="}}]}}]}


def _sent(client_class: Any, reply: dict[str, Any], call: Any) -> list[httpx.Request]:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=reply)

    with client_class("k", transport=httpx.MockTransport(handler)) as client:
        call(client)
    return sent


def test_an_unknown_id_is_sent_with_one_warning_and_no_family_rules() -> None:
    def twice(client: Any) -> None:
        for _ in range(2):  # the family rule for nano-banana would refuse this ratio
            client.generate(model="nano-banana-3", prompt="p", aspect_ratio="7:3")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sent = _sent(api_generate.Client, TASK, twice)
    assert [json.loads(r.content)["model"] for r in sent] == ["nano-banana-3", "nano-banana-3"]
    unknown = [w for w in caught if issubclass(w.category, UnknownModelWarning)]
    assert len(unknown) == 1, [str(w.message) for w in caught]
    message = str(unknown[0].message)
    assert "api_generate: model 'nano-banana-3' is not one the doc lists (nano-banana" in message
    assert "the rules that depend on the model family are not checked" in message
    assert unknown[0].filename == __file__  # points at the caller's line


def test_a_listed_id_keeps_its_family_rules_and_no_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnknownModelWarning)
        with api_generate.Client("k", transport=httpx.MockTransport(lambda r: httpx.Response(200, json=TASK))) as c, \
                pytest.raises(InvalidRequestError, match="aspectRatio='7:3' is not allowed when model family"):
            c.generate(model="nano-banana", prompt="p", aspect_ratio="7:3")
        # An id matching a family's pattern belongs to that family: no warning either.
        _sent(image_tasks.Client, ACCEPTED, lambda c: c.create_task(model="NanoBananaPro-8K", prompt="p"))


def test_an_unknown_id_in_the_path_is_sent_too() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sent = _sent(gemini_12ai.Client, GEMINI_REPLY, lambda c: c.generate_content(
            model="gemini-4-image", contents=[{"parts": [{"text": "a cat"}]}]))
    assert sent[0].url.path.endswith("/models/gemini-4-image:generateContent")
    assert any(issubclass(w.category, UnknownModelWarning) for w in caught)


def test_a_spec_can_close_its_list(tmp_path: Path) -> None:
    spec = (Path(__file__).resolve().parents[1] / "bad_specs" / "test_bad_specs.py").read_text(encoding="utf-8")
    minimal = spec.split('MINIMAL_SPEC = """\\\n', 1)[1].split('"""', 1)[0]
    (tmp_path / "minimal.yaml").write_text(minimal.replace("model_families:", "models_closed: true\n\nmodel_families:"),
                                           encoding="utf-8")
    (provider,) = build_ir(tmp_path)
    draw = next(endpoint for endpoint in provider.endpoints if endpoint.name == "draw")
    model = next(param for param in draw.params if param.wire_name == "model")
    assert model.type.annotation == "catalog.ModelId"  # a closed Literal: unknown ids do not validate
    assert model.type.values == ("banana-1", "banana-2", "image-1")
    (tmp_path / "minimal.yaml").write_text(minimal, encoding="utf-8")
    (open_provider,) = build_ir(tmp_path)
    open_model = next(p for p in open_provider.endpoints[0].params if p.wire_name == "model")
    assert (open_model.type.annotation, open_model.type.values) == ("catalog.ModelId | str", ())
