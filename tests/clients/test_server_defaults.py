"""What the SDK sends is what the caller gave: a spec ``default`` is the server's (003's
``n`` defaults to 1 on the relay), documented and never injected; and an empty list is no
value for the rules that count fields (``image`` with ``images=[]`` is not "both")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from imagerelay import image_tasks
from imagerelay._runtime.errors import InvalidRequestError

ROOT = Path(__file__).resolve().parents[2]
ACCEPTED = {"code": "success", "message": "", "data": {"task_id": "t", "status": "pending"}}


def _create(**kwargs: Any) -> dict[str, Any]:
    bodies: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return httpx.Response(200, json=ACCEPTED)

    with image_tasks.Client("k", transport=httpx.MockTransport(handler)) as client:
        client.create_task(model="NanoBanana", prompt="p", **kwargs)
    return bodies[0]


def test_a_server_default_is_not_sent_unless_given() -> None:
    assert "n" not in _create()
    assert _create(n=1)["n"] == 1
    assert _create(n=3)["n"] == 3


def test_a_server_default_is_documented_on_the_model_and_in_the_openapi_export() -> None:
    field = image_tasks.models.ImageRequest.model_fields["n"]
    assert field.default is None
    assert "Server default: 1 (sent only when given)." in (field.description or "")
    assert image_tasks.models.ImageRequest(model="NanoBanana", prompt="p").to_wire() == {
        "model": "NanoBanana", "prompt": "p"}
    openapi = json.loads((ROOT / "generated" / "openapi" / "image_tasks.json").read_text(encoding="utf-8"))
    assert openapi["components"]["schemas"]["ImageRequest"]["properties"]["n"]["default"] == 1


def test_an_empty_images_list_does_not_count_as_mixing_image_and_images() -> None:
    body = _create(task_type="image2image", image="https://cdn.test/a.png", images=[])
    assert body["image"] == "https://cdn.test/a.png"
    with pytest.raises(InvalidRequestError, match="only one of image, images may be set"):
        _create(task_type="image2image", image="https://cdn.test/a.png", images=["https://cdn.test/b.png"])
