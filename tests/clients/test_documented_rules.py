"""The rules the vendor docs give beyond plain types, enforced by the generated SDK.

Every rejected request must fail before the transport is touched, with a message
naming the field, the value and what is allowed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from imagerelay import api_generate, gemini_12ai, gemini_jobs, image_tasks
from imagerelay._runtime.errors import InvalidRequestError
from imagerelay._runtime.sizes import Size

KEY = "sk-rules-test"


class NoNetwork:
    """A transport that records calls; a rejected request must never reach it."""

    def __init__(self, reply: dict[str, Any]) -> None:
        self.calls = 0
        self.reply = reply

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        return httpx.Response(200, json=self.reply)


TASK = {"id": "t1", "status": "succeeded", "results": [{"url": "https://cdn.test/out.png"}]}


@pytest.fixture
def api() -> Iterator[tuple[api_generate.Client, NoNetwork]]:
    network = NoNetwork(TASK)
    with api_generate.Client(KEY, transport=httpx.MockTransport(network)) as client:
        yield client, network


def _rejects(call: Any, network: NoNetwork, *fragments: str) -> str:
    with pytest.raises(InvalidRequestError) as caught:
        call()
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message
    assert network.calls == 0
    assert KEY not in message
    return message


# -- 002: aspect ratios depend on the model family -------------------------------------


def test_extra_ratios_only_for_the_nano_banana_2_family(api: tuple[api_generate.Client, NoNetwork]) -> None:
    client, network = api
    for model in ("nano-banana-2", "nano-banana-2-cl", "nano-banana-2-4k-cl"):
        for ratio in ("1:4", "4:1", "1:8", "8:1"):
            assert client.generate(model=model, prompt="p", aspect_ratio=ratio).status == "succeeded"
    assert network.calls == 12
    network.calls = 0
    _rejects(lambda: client.generate(model="nano-banana-pro", prompt="p", aspect_ratio="1:8"), network,
             "aspectRatio='1:8'", "model family 'nano-banana'", "allowed: auto, 1:1, 16:9")


def test_gpt_image_2_takes_a_ratio_or_its_1k_pixel_value(api: tuple[api_generate.Client, NoNetwork]) -> None:
    client, network = api
    for value in ("16:9", "1024x1024", "1672x941", "auto"):
        client.generate(model="gpt-image-2", prompt="p", aspect_ratio=value)
    assert network.calls == 4
    network.calls = 0
    _rejects(lambda: client.generate(model="gpt-image-2", prompt="p", aspect_ratio="2048x2048"), network,
             "aspectRatio='2048x2048'", "gpt-image-2")


@pytest.mark.parametrize(
    ("size", "reason"),
    [
        ("4000x2240", "3840"),  # longest edge
        ("1000x1008", "16"),  # multiple of 16
        ("3840x1248", "3"),  # long/short ratio 3.08
        ("800x800", "655360"),  # too few pixels
        ("16:9", "WIDTHxHEIGHT"),  # no ratios on vip
    ],
)
def test_gpt_image_2_vip_pixel_constraints(api: tuple[api_generate.Client, NoNetwork], size: str,
                                           reason: str) -> None:
    client, network = api
    _rejects(lambda: client.generate(model="gpt-image-2-vip", prompt="p", aspect_ratio=size), network,
             f"aspectRatio='{size}'", reason)


def test_gpt_image_2_vip_accepts_custom_sizes_inside_the_bounds(api: tuple[api_generate.Client, NoNetwork]) -> None:
    client, network = api
    for size in ("2048x2048", "3840x2160", "1280x3840", "1024x640", "3840x1280"):
        client.generate(model="gpt-image-2-vip", prompt="p", aspect_ratio=size)
    assert network.calls == 5


def test_the_same_rules_hold_for_submit_and_the_async_client() -> None:
    network = NoNetwork(TASK)
    with api_generate.Client(KEY, transport=httpx.MockTransport(network)) as client:
        _rejects(lambda: client.submit(model="nano-banana", prompt="p", aspect_ratio="4:1"), network, "4:1")


# -- size tables, queryable from the SDK ------------------------------------------------


def test_size_tables_answer_ratio_and_tier_lookups() -> None:
    vip = api_generate.catalog.SIZE_TABLES["gpt-image-2-vip"]
    assert vip.lookup("16:9", "4K") == Size(3840, 2160)
    assert vip.lookup("1:3", "2K") == Size(688, 2048)
    assert vip.tiers == ("1K", "2K", "4K")
    assert api_generate.catalog.SIZE_TABLES["gpt-image-2"].lookup("21:9", "1K") == Size(1920, 832)
    tables = gemini_12ai.catalog.SIZE_TABLES
    pro = next(table for name, table in tables.items() if "4K" in table.tiers)
    assert pro.lookup("16:9", "4K") == Size(5504, 3072)
    flash = next(table for name, table in tables.items() if table.tiers == ("1K",))
    assert flash.lookup("3:2", "1K") == Size(1248, 832)
    assert flash.tokens["1:1"] == 1290
    with pytest.raises(KeyError) as caught:
        vip.lookup("7:5", "1K")
    assert "16:9" in str(caught.value)


def test_family_lookup_uses_ids_and_patterns() -> None:
    assert api_generate.catalog.family_of("nano-banana-2-cl") == "nano-banana-2"
    assert api_generate.catalog.family_of("gpt-image-2-vip") == "gpt-image-2-vip"
    assert image_tasks.catalog.family_of("NanoBananaPro-2K") is not None
    assert image_tasks.catalog.family_of("NanoBanana") != image_tasks.catalog.family_of("NanoBananaPro-2K")
    assert image_tasks.catalog.family_of("unknown-model") is None


# -- 004: imageSize only for Pro; at most 3 / 14 input images -------------------------


GEMINI_REPLY = {
    "candidates": [{"content": {"role": "model", "parts": [{"inline_data": {"mime_type": "image/png", "data": "iVBORw0KGgo="}}]}}]
}


def _image_parts(count: int) -> list[dict[str, Any]]:
    image = {"inline_data": {"mime_type": "image/png", "data": "iVBORw0KGgo="}}
    return [{"parts": [{"text": "edit"}, *[image] * count]}]


def test_image_size_is_for_pro_models_only() -> None:
    network = NoNetwork(GEMINI_REPLY)
    config = {"imageConfig": {"aspectRatio": "1:1", "imageSize": "2K"}}
    with gemini_12ai.Client(KEY, transport=httpx.MockTransport(network)) as client:
        client.generate_content(model="gemini-3-pro-image-preview", contents=_image_parts(0), generation_config=config)
        assert network.calls == 1
        network.calls = 0
        _rejects(lambda: client.generate_content(model="gemini-2.5-flash-image", contents=_image_parts(0),
                                                 generation_config=config),
                 network, "generationConfig.imageConfig.imageSize", "gemini-2.5-flash-image")


@pytest.mark.parametrize(("model", "limit"), [("gemini-2.5-flash-image", 3), ("gemini-3-pro-image-preview", 14)])
def test_input_image_limits(model: str, limit: int) -> None:
    network = NoNetwork(GEMINI_REPLY)
    with gemini_12ai.Client(KEY, transport=httpx.MockTransport(network)) as client:
        client.generate_content(model=model, contents=_image_parts(limit))
        assert network.calls == 1
        network.calls = 0
        _rejects(lambda: client.generate_content(model=model, contents=_image_parts(limit + 1)), network,
                 str(limit), "inline_data")


# -- 003: image xor images, output formats by family ------------------------------------


ENVELOPE = {"code": "success", "message": "", "data": {"task_id": "task_1", "status": "pending"}}


def test_image_and_images_are_mutually_exclusive() -> None:
    network = NoNetwork(ENVELOPE)
    with image_tasks.Client(KEY, transport=httpx.MockTransport(network)) as client:
        _rejects(lambda: client.create_task(model="NanoBanana", prompt="p", task_type="image2image",
                                            image="https://e/1.png", images=["https://e/2.png"]),
                 network, "image", "images")
        _rejects(lambda: client.create_task(model="NanoBanana", prompt="p", task_type="image2image"), network,
                 "image", "images")
        assert client.create_task(model="NanoBanana", prompt="p", task_type="image2image",
                                  images=["https://e/2.png"]).task_id == "task_1"


def test_output_formats_depend_on_the_family() -> None:
    network = NoNetwork(ENVELOPE)
    with image_tasks.Client(KEY, transport=httpx.MockTransport(network)) as client:
        client.create_task(model="NanoBanana", prompt="p", output_format="webp")
        assert network.calls == 1
        network.calls = 0
        for model in ("NanoBananaPro-4K", "NanoBanana2-0.5K"):
            _rejects(lambda model=model: client.create_task(model=model, prompt="p", output_format="webp"), network,
                     "output_format='webp'", "png, jpeg")


# -- task status enums and their terminal values ----------------------------------------


@pytest.mark.parametrize(
    ("model", "success", "failure", "violation"),
    [
        (api_generate.models.TaskResult, {"succeeded"}, {"failed"}, {"violation"}),
        (image_tasks.models.ImageTask, {"succeeded"}, {"failed"}, set()),
        (gemini_jobs.models.Job, {"succeeded", "completed"}, {"failed"}, set()),
    ],
)
def test_terminal_statuses_come_from_the_spec(model: Any, success: set[str], failure: set[str],
                                              violation: set[str]) -> None:
    task = model.__relay_task__
    assert task.success == success
    assert task.failure == failure
    assert task.violation == violation
    assert "running" not in task.terminal and "processing" not in task.terminal
