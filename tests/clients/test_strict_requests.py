"""Strict requests with an escape hatch (issue 14, item 2), through the generated clients.

Request objects refuse keys the spec does not list: a typo is an InvalidRequestError naming
the path and the closest key, and nothing is sent. What the spec does not know yet goes out
through ``extra_body`` / ``extra_headers`` / ``extra_query``. Other spellings a spec lists
(``aliases``) are read as the field, so its rules count them. Replies stay tolerant.
"""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from imagerelay import api_generate, chat_stream, fal_queue, gemini_12ai, gemini_jobs, image_tasks
from imagerelay._runtime.errors import InvalidRequestError
from imagerelay._runtime.model import RelayInput, RelayModel

from generator.pipeline import build_ir

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mP8Xw8AAoMBgAqJvhoAAAAASUVORK5CYII=")
PNG_B64 = base64.b64encode(PNG).decode()
MODULES = {m.__name__.rsplit(".", 1)[1]: m for m in
           (api_generate, chat_stream, fal_queue, gemini_12ai, gemini_jobs, image_tasks)}


def _recorded(provider: str, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / provider / f"{name}.json").read_text("utf-8"))
    return data


class Recorder:
    """A relay answering every request with one recorded reply, keeping what it was sent."""

    def __init__(self, recorded: dict[str, Any]) -> None:
        self.requests: list[httpx.Request] = []
        self.reply = recorded["response"]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.reply["status"], headers=self.reply["headers"], json=self.reply["json"])

    def body(self, index: int = -1) -> Any:
        return json.loads(self.requests[index].content)


def _gemini(recorder: Recorder) -> gemini_12ai.Client:
    return gemini_12ai.Client(api_key="sk-strict-test", transport=httpx.MockTransport(recorder))


TEXT_TO_IMAGE = _recorded("gemini_12ai", "generate_content_text_to_image")


# -- typos -------------------------------------------------------------------------------


@pytest.mark.parametrize(("config", "message"), [
    ({"imageConfig": {"aspectratio": "16:9"}},
     "generationConfig.imageConfig.aspectratio: unknown field; did you mean 'aspectRatio'?"),
    ({"imageConfig": {"aspect-ratio": "16:9"}},
     "generationConfig.imageConfig.aspect-ratio: unknown field; did you mean 'aspectRatio'?"),
    ({"imageConfig": {"imageSzie": "2K"}},
     "generationConfig.imageConfig.imageSzie: unknown field; did you mean 'imageSize'?"),
    ({"imageConfig": {"quality": "hd"}},
     "generationConfig.imageConfig.quality: unknown field; ImageConfig takes aspectRatio, imageSize"),
    ({"responseModality": ["IMAGE"]},
     "generationConfig.responseModality: unknown field; did you mean 'responseModalities'?"),
])
def test_a_typo_in_a_nested_dict_names_the_path_and_the_closest_key_and_sends_nothing(
    config: dict[str, Any], message: str
) -> None:
    recorder = Recorder(TEXT_TO_IMAGE)
    with _gemini(recorder) as client, pytest.raises(InvalidRequestError) as raised:
        client.generate_content(model="gemini-2.5-flash-image", contents=[{"parts": [{"text": "a cat"}]}],
                                generation_config=config)  # type: ignore[arg-type]
    assert message in str(raised.value)
    assert "extra_body=" in str(raised.value)  # says how to send it on purpose
    assert recorder.requests == []


def test_a_path_under_an_unknown_key_is_refused_before_it_becomes_a_string(tmp_path: Path) -> None:
    # The report: an image Path under a key the model did not know went out as the path's text.
    image = tmp_path / "x.png"
    image.write_bytes(PNG)
    recorded = _recorded("gemini_jobs", "generate_content_inline_data")
    config = recorded["call"]["kwargs"]["generation_config"]
    recorder = Recorder(recorded)
    with gemini_jobs.Client(api_key="sk-strict-test", transport=httpx.MockTransport(recorder)) as client:
        with pytest.raises(InvalidRequestError) as raised:
            client.generate_content(model="nano-banana-pro", generation_config=config,
                                    contents=[{"role": "user", "parts": [{"inline_data_": image}]}])  # type: ignore[typeddict-unknown-key]
        assert "contents[0].parts[0].inline_data_: unknown field; did you mean 'inlineData'?" in str(raised.value)
        assert recorder.requests == []
        client.generate_content(model="nano-banana-pro", generation_config=config,
                                contents=[{"role": "user", "parts": [{"inlineData": image}]}])
    assert recorder.body()["contents"][0]["parts"] == [{"inlineData": {"mimeType": "image/png", "data": PNG_B64}}]


# -- other spellings count for the rules -------------------------------------------------


def _inline(spelling: str) -> dict[str, Any]:
    if spelling == "inlineData":
        return {"inlineData": {"mimeType": "image/png", "data": PNG_B64}}
    return {"inline_data": {"mime_type": "image/png", "data": PNG_B64}}


def test_the_image_limit_counts_both_spellings_of_inline_data() -> None:
    # flash takes at most 3 input images; 2 + 2 written two ways are still 4.
    parts = [{"text": "merge"}, *(_inline(s) for s in ("inline_data", "inlineData", "inline_data", "inlineData"))]
    recorder = Recorder(TEXT_TO_IMAGE)
    with _gemini(recorder) as client, pytest.raises(InvalidRequestError) as raised:
        client.generate_content(model="gemini-2.5-flash-image", contents=[{"parts": parts}])  # type: ignore[list-item]
    assert "contents[].parts[].inline_data has 4 items; at most 3 allowed" in str(raised.value)
    assert recorder.requests == []


def test_file_data_cannot_bypass_the_base64_only_rule() -> None:
    parts = [{"text": "edit"}, {"fileData": {"fileUri": "https://example.com/a.png"}}]
    recorder = Recorder(TEXT_TO_IMAGE)
    with _gemini(recorder) as client, pytest.raises(InvalidRequestError) as raised:
        client.generate_content(model="gemini-2.5-flash-image", contents=[{"parts": parts}])  # type: ignore[list-item]
    assert "contents[0].parts[1].fileData: unknown field; Part takes text, inline_data, inlineData" in str(raised.value)
    assert recorder.requests == []


def test_the_other_spelling_is_sent_as_the_documented_one_and_takes_files(tmp_path: Path) -> None:
    image = tmp_path / "cat.png"
    image.write_bytes(PNG)
    recorder = Recorder(TEXT_TO_IMAGE)
    with _gemini(recorder) as client:
        client.generate_content(model="gemini-2.5-flash-image",
                                contents=[{"parts": [{"text": "edit"}, {"inlineData": image},  # type: ignore[typeddict-unknown-key]
                                                     {"inlineData": {"mimeType": "image/png", "data": PNG_B64}}]}])
    assert recorder.body()["contents"][0]["parts"][1:] == [
        {"inline_data": {"mime_type": "image/png", "data": PNG_B64}},
        {"inline_data": {"mime_type": "image/png", "data": PNG_B64}},
    ]


def test_both_spellings_of_one_field_at_once_are_refused() -> None:
    part = {**_inline("inline_data"), **_inline("inlineData")}
    with _gemini(Recorder(TEXT_TO_IMAGE)) as client, pytest.raises(InvalidRequestError) as raised:
        client.generate_content(model="gemini-2.5-flash-image", contents=[{"parts": [part]}])  # type: ignore[list-item]
    assert "'inlineData' and 'inline_data' are two spellings of one field; give one" in str(raised.value)


# -- the escape hatch ---------------------------------------------------------------------


def test_extra_body_merges_into_nested_objects_after_the_checks() -> None:
    recorder = Recorder(TEXT_TO_IMAGE)
    with _gemini(recorder) as client:
        client.generate_content(
            model="gemini-2.5-flash-image", contents=[{"parts": [{"text": "a cat"}]}],
            generation_config={"imageConfig": {"aspectRatio": "16:9"}},
            extra_body={"generationConfig": {"seed": 7, "imageConfig": {"personGeneration": "ALLOW_ALL"}},
                        "safetySettings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}]},
        )
    body = recorder.body()
    assert body["generationConfig"] == {"imageConfig": {"aspectRatio": "16:9", "personGeneration": "ALLOW_ALL"},
                                        "seed": 7}
    assert body["safetySettings"] == [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}]
    assert body["contents"] == [{"parts": [{"text": "a cat"}]}]


def test_extra_headers_and_extra_query_are_sent_and_cannot_carry_the_key() -> None:
    recorder = Recorder(TEXT_TO_IMAGE)
    with _gemini(recorder) as client:
        client.generate_content(model="gemini-2.5-flash-image", contents=[{"parts": [{"text": "a cat"}]}],
                                extra_headers={"X-Trace": "t-1"}, extra_query={"alt": "json", "skip": None})
        request = recorder.requests[0]
        assert request.headers["x-trace"] == "t-1"
        assert request.url.params["alt"] == "json" and "skip" not in request.url.params
        assert request.url.params["key"] == "sk-strict-test"  # the client's key, where the spec puts it
        with pytest.raises(InvalidRequestError) as raised:
            client.generate_content(model="gemini-2.5-flash-image", contents=[{"parts": [{"text": "x"}]}],
                                    extra_query={"key": "sk-OTHER-KEY"})
    assert "extra_query: 'key' carries the API key; pass api_key=" in str(raised.value)
    assert "sk-OTHER-KEY" not in str(raised.value)
    assert len(recorder.requests) == 1

    tasks = Recorder(_recorded("image_tasks", "create_task_text_to_image"))
    with image_tasks.Client(api_key="sk-strict-test", transport=httpx.MockTransport(tasks)) as client:
        for header in ("Authorization", "authorization"):
            with pytest.raises(InvalidRequestError, match=f"extra_headers: '{header}' carries the API key"):
                client.create_task(model="NanoBanana2-0.5K", prompt="x", extra_headers={header: "Bearer sk-OTHER"})
        with pytest.raises(InvalidRequestError, match="header X-Bad: a line break"):
            client.create_task(model="NanoBanana2-0.5K", prompt="x", extra_headers={"X-Bad": "a\nb"})
    assert tasks.requests == []


def test_extra_body_on_a_get_is_refused_and_the_extras_of_a_wait_go_with_the_submit() -> None:
    status = Recorder(_recorded("image_tasks", "get_task_status"))
    refused = r"extra_body: GET /v1/images/tasks/\{task_id\} sends no body"
    with image_tasks.Client(api_key="sk-strict-test", transport=httpx.MockTransport(status)) as client, \
            pytest.raises(InvalidRequestError, match=refused):
        client.get_task(task_id="task_xxx", extra_body={"x": 1})
    assert status.requests == []

    submitted = _recorded("image_tasks", "create_task_text_to_image")["response"]
    finished = _recorded("image_tasks", "get_task_status")["response"]
    seen: list[httpx.Request] = []

    def relay(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        reply = submitted if request.method == "POST" else finished
        return httpx.Response(200, json=reply["json"])

    with image_tasks.Client(api_key="sk-strict-test", transport=httpx.MockTransport(relay)) as client:
        task = client.create_task_and_wait(model="NanoBanana2-0.5K", prompt="x", poll_interval=0.01,
                                           extra_headers={"X-Trace": "t-2"}, extra_body={"seed": 3})
    assert task.status == "succeeded"
    assert [r.method for r in seen] == ["POST", "GET"]
    assert seen[0].headers["x-trace"] == "t-2" and json.loads(seen[0].content)["seed"] == 3
    assert "x-trace" not in seen[1].headers


def test_async_clients_raw_responses_and_streams_take_the_extras_too() -> None:
    asyncio.run(_async_extras())


async def _async_extras() -> None:
    recorder = Recorder(TEXT_TO_IMAGE)
    async with gemini_12ai.AsyncClient(api_key="sk-strict-test", transport=httpx.MockTransport(recorder)) as client:
        await client.generate_content(model="gemini-2.5-flash-image", contents=[{"parts": [{"text": "a"}]}],
                                      extra_body={"labels": {"team": "a"}})
        raw = await client.with_raw_response.generate_content(
            model="gemini-2.5-flash-image", contents=[{"parts": [{"text": "a"}]}], extra_headers={"X-Raw": "1"})
        assert raw.status_code == 200
    assert recorder.body(0)["labels"] == {"team": "a"}
    assert recorder.requests[1].headers["x-raw"] == "1"

    chunk = {"choices": [{"index": 0, "delta": {"content": "https://cdn.test/o.png"}, "finish_reason": "stop"}]}
    events = f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n".encode()
    sent: list[httpx.Request] = []

    def relay(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=events)

    async with chat_stream.AsyncClient(api_key="sk-strict-test", transport=httpx.MockTransport(relay)) as chat:
        stream = await chat.chat_completions_stream(
            model="NanoBanana", messages=[{"role": "user", "content": "a fox"}],
            relay_extra_body={"google": {"image_config": {"aspect_ratio": "1:1"}}},
            extra_body={"user": "u-1"})
        async with stream:
            await stream.collect()
    body = json.loads(sent[0].content)
    assert body["extra_body"] == {"google": {"image_config": {"aspect_ratio": "1:1"}}}  # the relay's own field
    assert body["user"] == "u-1"


# -- every provider: sent-only classes are strict, replies stay tolerant -----------------


@pytest.mark.parametrize("provider", sorted(MODULES))
def test_classes_only_sent_refuse_unknown_keys_and_classes_read_keep_them(provider: str) -> None:
    (ir,) = [ir for ir in build_ir(ROOT / "specs") if ir.id == provider]
    models = MODULES[provider].models
    for cls in ir.classes:
        model: type[RelayModel] = getattr(models, cls.name)
        strict = cls.runtime_base in ("RelayInput", "RelayRequest")
        assert issubclass(model, RelayInput) == strict, cls.name
        assert model.model_config.get("extra") == ("forbid" if strict else "allow"), cls.name
