"""The OpenAPI 3.1 export: valid documents that carry every field, example and rule of the specs."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from generator.ir.nodes import ProviderIR
from generator.pipeline import build_ir
from generator.render.openapi import render_openapi
from generator.spec.load import load_specs
from generator.spec.schema import ProviderSpec

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"
PROVIDER_IDS = sorted(path.stem for path in SPECS.glob("*.yaml"))
REF = "#/components/schemas/"


@pytest.fixture(scope="module")
def irs() -> dict[str, ProviderIR]:
    return {provider.id: provider for provider in build_ir(SPECS)}


@pytest.fixture(scope="module")
def specs() -> dict[str, ProviderSpec]:
    return {checked.spec.provider.id: checked.spec for checked in load_specs(SPECS)}


@pytest.fixture(scope="module")
def docs(irs: dict[str, ProviderIR]) -> dict[str, dict[str, Any]]:
    return {provider_id: json.loads(render_openapi(provider)) for provider_id, provider in irs.items()}


def _operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in doc["paths"].items() for method, op in item.items()]


def _operation_of(doc: dict[str, Any], method_name: str) -> dict[str, Any]:
    """The operation listing an SDK method among its variants (paths may be respelled)."""
    found = [op for _, _, op in _operations(doc)
             if method_name in [variant["method"] for variant in op["x-relaygen-variants"]]]
    assert len(found) == 1, method_name
    return found[0]


def _component(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The component a body schema names, through an ``allOf`` narrowing."""
    target = schema["allOf"][0] if "allOf" in schema else schema
    component: dict[str, Any] = doc["components"]["schemas"][target["$ref"].removeprefix(REF)]
    return component


def _refs(value: Any) -> list[str]:
    if isinstance(value, dict):
        own = [value["$ref"]] if isinstance(value.get("$ref"), str) else []
        return own + [ref for item in value.values() for ref in _refs(item)]
    if isinstance(value, list):
        return [ref for item in value for ref in _refs(item)]
    return []


def _sse_events(text: str) -> list[Any]:
    return [json.loads(line.removeprefix("data: ")) for line in text.splitlines() if line.startswith("data: ")]


# -- validity and determinism ---------------------------------------------------------------


def test_every_provider_has_a_committed_document(docs: dict[str, dict[str, Any]]) -> None:
    assert sorted(docs) == PROVIDER_IDS
    committed = sorted(path.stem for path in (ROOT / "generated" / "openapi").glob("*.json"))
    assert committed == PROVIDER_IDS


@pytest.mark.parametrize("provider_id", PROVIDER_IDS)
def test_document_validates_as_openapi_3_1(docs: dict[str, dict[str, Any]], provider_id: str) -> None:
    doc = docs[provider_id]
    assert doc["openapi"] == "3.1.0"
    validate(doc, cls=OpenAPIV31SpecValidator)


def test_validator_rejects_a_broken_document(docs: dict[str, dict[str, Any]]) -> None:
    """The check above can fail: a path parameter without its parameter object is invalid."""
    broken = copy.deepcopy(docs["image_tasks"])
    del broken["paths"]["/v1/images/tasks/{task_id}"]["get"]["parameters"]
    with pytest.raises(OpenAPIValidationError):
        validate(broken, cls=OpenAPIV31SpecValidator)


@pytest.mark.parametrize("provider_id", PROVIDER_IDS)
def test_every_ref_resolves(docs: dict[str, dict[str, Any]], provider_id: str) -> None:
    doc = docs[provider_id]
    refs = _refs(doc["paths"]) + _refs(doc["components"])
    assert refs, "a document without references would make this test vacuous"
    missing = sorted({ref for ref in refs if ref.removeprefix(REF) not in doc["components"]["schemas"]})
    assert missing == []


@pytest.mark.parametrize("provider_id", PROVIDER_IDS)
def test_output_is_deterministic_and_committed(irs: dict[str, ProviderIR], provider_id: str) -> None:
    again = {provider.id: provider for provider in build_ir(SPECS)}[provider_id]
    text = render_openapi(irs[provider_id])
    assert render_openapi(again) == text
    assert (ROOT / "generated" / "openapi" / f"{provider_id}.json").read_text(encoding="utf-8") == text


# -- per provider ---------------------------------------------------------------------------


def test_info_names_spec_and_source_doc(docs: dict[str, dict[str, Any]]) -> None:
    source = docs["gemini_jobs"]["info"]["x-relaygen-source"]
    assert source["spec"] == "specs/gemini_jobs.yaml"
    assert source["source_doc"] == "000_5f0ee26e53c238b0.txt"
    assert docs["gemini_jobs"]["info"]["version"] == "0.1.0"
    server = docs["gemini_jobs"]["servers"][0]
    assert server["url"] == "https://backend:8000"
    assert "GEMINI_JOBS_BASE_URL" in server["description"]


def test_gemini_12ai_key_goes_in_the_query(docs: dict[str, dict[str, Any]]) -> None:
    doc = docs["gemini_12ai"]
    schemes = doc["components"]["securitySchemes"]
    assert schemes == {"apiKeyQuery": {"type": "apiKey", "in": "query", "name": "key",
                                       "description": schemes["apiKeyQuery"]["description"]}}
    assert doc["security"] == [{"apiKeyQuery": []}]


@pytest.mark.parametrize("provider_id", ["api_generate", "chat_stream", "gemini_jobs", "image_tasks"])
def test_bearer_providers_use_http_bearer(docs: dict[str, dict[str, Any]], provider_id: str) -> None:
    schemes = docs[provider_id]["components"]["securitySchemes"]
    assert {name: (s["type"], s["scheme"]) for name, s in schemes.items()} == {"bearerAuth": ("http", "bearer")}


def test_api_generate_merges_the_reply_types(docs: dict[str, dict[str, Any]]) -> None:
    op = docs["api_generate"]["paths"]["/v1/api/generate"]["post"]
    variants = op["x-relaygen-variants"]
    assert op["operationId"] == "generate"
    assert [(v["method"], v["fixed"], v["response"]["kind"]) for v in variants] == [
        ("generate", {"replyType": "json"}, "json"),
        ("generate_stream", {"replyType": "stream"}, "sse"),
        ("submit", {"replyType": "async"}, "json"),
    ]
    narrowing = op["requestBody"]["content"]["application/json"]["schema"]["allOf"][1]
    assert narrowing["properties"]["replyType"] == {"enum": ["json", "stream", "async"]}
    content = op["responses"]["200"]["content"]
    assert sorted(content) == ["application/json", "text/event-stream"]
    assert content["text/event-stream"]["x-relaygen-stream"]["itemSchema"] == {"$ref": REF + "TaskResult"}
    polling = op["x-relaygen-polling"]["submit"]
    assert polling["get"]["operationId"] == "get_result"
    assert polling["id_expression"] == "$response.body#/id"
    assert polling["terminal"] == {"success": ["succeeded"], "failure": ["failed"], "violation": ["violation"]}
    assert op["responses"]["200"]["links"]["get_result"]["parameters"] == {"id": "$response.body#/id"}


def test_api_generate_vip_pixel_bounds_are_a_rule(docs: dict[str, dict[str, Any]]) -> None:
    rules = docs["api_generate"]["components"]["schemas"]["GenerateBody"]["x-relaygen-rules"]
    vip = [rule for rule in rules if rule["when"]["in"] == ["gpt-image-2-vip"]]
    assert len(vip) == 1
    assert vip[0]["kind"] == "OneOf" and vip[0]["fields"] == ["aspectRatio"] and vip[0]["values"] == ["auto"]
    assert vip[0]["pixel"] == {"max_edge": 3840, "multiple_of": 16, "max_ratio": 3.0,
                               "min_pixels": 655360, "max_pixels": 8294400}
    nano = next(rule for rule in rules if "nano-banana-pro-vip" in rule["when"]["in"])
    assert "21:9" in nano["values"] and "1:4" not in nano["values"]


def test_api_generate_status_enum_has_terminal_outcomes(docs: dict[str, dict[str, Any]]) -> None:
    schemas = docs["api_generate"]["components"]["schemas"]
    status = schemas["TaskStatus"]
    assert status["x-terminal-outcomes"] == {"violation": "violation", "succeeded": "success", "failed": "failure"}
    assert status["x-relaygen-open-enum"] is True and "enum" not in status
    assert schemas["ReplyType"]["enum"] == ["json", "stream", "async"]
    assert schemas["ReplyType"]["x-enum-descriptions"]["async"].startswith("异步轮询")
    assert schemas["GenerateBody"]["properties"]["imageSize"]["enum"] == ["1K", "2K", "4K"]
    table = docs["api_generate"]["x-relaygen-size-tables"]["gpt-image-2-vip"]
    assert table["rows"]["1:3"] == {"2K": "688x2048", "4K": "1280x3840"}
    assert docs["api_generate"]["x-relaygen-model-families"]["gpt-image-2-vip"]["models"] == ["gpt-image-2-vip"]


def test_image_tasks_task_endpoints_declare_the_envelope(docs: dict[str, dict[str, Any]]) -> None:
    paths = docs["image_tasks"]["paths"]
    for path, method in (("/v1/images/tasks", "post"), ("/v1/images/tasks/{task_id}", "get")):
        schema = paths[path][method]["responses"]["200"]["content"]["application/json"]["schema"]
        assert schema["x-relaygen-envelope"] == {"data": "data", "code": "code", "message": "message",
                                                 "success_codes": ["success"]}
        assert schema["properties"]["data"] == {"$ref": REF + "ImageTask"}
        assert schema["required"] == ["data"]
    generations = paths["/v1/images/generations"]["post"]["responses"]["200"]["content"]["application/json"]
    assert generations["schema"] == {"$ref": REF + "ImagesResponse"}
    link = paths["/v1/images/tasks"]["post"]["responses"]["200"]["links"]["get_task"]
    assert link["parameters"] == {"task_id": "$response.body#/data/task_id"}


def test_image_tasks_rules_and_images(docs: dict[str, dict[str, Any]]) -> None:
    schemas = docs["image_tasks"]["components"]["schemas"]
    rules = schemas["ImageRequest"]["x-relaygen-rules"]
    assert {"kind": "Exclusive", "fields": ["image", "images"]}.items() <= rules[0].items()
    pro = next(rule for rule in rules if rule["kind"] == "OneOf" and rule["values"] == ["png", "jpeg"])
    assert pro["when"]["patterns"] == ["NanoBananaPro-*", "NanoBanana2-*"]
    assert schemas["ImagesResponse"]["x-relaygen-images"]["inline"] == [
        {"path": "data[]", "data_key": "b64_json", "mime_key": None}]
    assert schemas["ImageTask"]["x-relaygen-images"]["urls"] == ["result_url"]
    image = schemas["ImageRequest"]["properties"]["images"]["x-relaygen-image-input"]
    assert image["accepts"] == ["url"]


def test_gemini_12ai_refusals_and_inline_images(docs: dict[str, dict[str, Any]]) -> None:
    schemas = docs["gemini_12ai"]["components"]["schemas"]
    refusals = schemas["GenerateContentResponse"]["x-relaygen-refusals"]
    assert refusals[0] == {"path": "promptFeedback.blockReason", "values": []}
    assert "IMAGE_SAFETY" in refusals[1]["values"]
    image_input = schemas["Part"]["properties"]["inline_data"]["x-relaygen-image-input"]
    assert (image_input["data_key"], image_input["mime_key"]) == ("data", "mime_type")
    body = schemas["GenerateContentBody"]
    assert "model" not in body["properties"], "the model id is a path parameter, not a body property"
    limits = [(rule["when"]["in"], rule["limit"]) for rule in body["x-relaygen-rules"] if rule["kind"] == "MaxItems"]
    assert limits == [(["gemini-2.5-flash-image"], 3), (["gemini-3-pro-image-preview"], 14)]
    tokens = docs["gemini_12ai"]["x-relaygen-size-tables"]["flash"]["tokens"]
    assert tokens["16:9"] == 1290


def test_chat_stream_merges_stream_and_json(docs: dict[str, dict[str, Any]]) -> None:
    op = docs["chat_stream"]["paths"]["/v1/chat/completions"]["post"]
    assert op["operationId"] == "chat_completions_stream"
    assert [v["fixed"] for v in op["x-relaygen-variants"]] == [{"stream": True}, {"stream": False}]
    content = op["responses"]["200"]["content"]
    stream = content["text/event-stream"]["x-relaygen-stream"]
    assert stream == {"itemSchema": {"$ref": REF + "ChatCompletionChunk"}, "done": "[DONE]",
                      "finish": "choices[].finish_reason"}
    assert content["application/json"]["schema"] == {"$ref": REF + "ChatCompletion"}


def test_gemini_jobs_upload_is_multipart_with_a_binary_file(docs: dict[str, dict[str, Any]]) -> None:
    doc = docs["gemini_jobs"]
    body = doc["paths"]["/v1/files/upload"]["post"]["requestBody"]
    assert list(body["content"]) == ["multipart/form-data"]
    schema = _component(doc, body["content"]["multipart/form-data"]["schema"])
    assert schema["properties"]["file"]["type"] == "string"
    assert schema["properties"]["file"]["format"] == "binary"
    assert schema["required"] == ["file"]
    polling = doc["paths"]["/v1/jobs"]["post"]["x-relaygen-polling"]["create_job"]
    assert polling["get"]["path"] == "/v1/jobs/{job_id}"
    assert polling["terminal"]["success"] == ["succeeded", "completed"]


def test_fal_queue_spanning_model_path_header_prefix_and_result_step(docs: dict[str, dict[str, Any]]) -> None:
    doc = docs["fal_queue"]
    assert "/{model}" in doc["paths"] and "/{model:path}" not in doc["paths"]
    op = doc["paths"]["/{model}"]["post"]
    model = next(p for p in op["parameters"] if p["name"] == "model")
    assert model["in"] == "path" and model["x-relaygen-spans-segments"] is True
    # The model list is open (relays add models without notice): known ids, any id accepted.
    assert model["schema"] == {"type": "string"}
    assert "Known values: fal-ai/flux/dev, fal-ai/flux/dev/image-to-image." in model["description"]
    scheme = doc["components"]["securitySchemes"]["apiKeyHeader"]
    assert (scheme["in"], scheme["name"], scheme["x-relaygen-prefix"]) == ("header", "Authorization", "Key ")
    polling = op["x-relaygen-polling"]["submit"]
    assert polling["get"]["path"] == "/fal-ai/flux/requests/{request_id}/status"
    assert polling["result"]["operationId"] == "get_result"
    assert polling["result_schema"] == REF + "FluxOutput"
    assert polling["terminal"]["success"] == ["COMPLETED"]
    assert sorted(op["responses"]["200"]["links"]) == ["get_result", "get_status"]
    cancel = doc["paths"]["/fal-ai/flux/requests/{request_id}/cancel"]
    assert list(cancel) == ["put"] and "requestBody" not in cancel["put"]


@pytest.mark.parametrize("provider_id", PROVIDER_IDS)
def test_operation_ids_are_sdk_methods(
    docs: dict[str, dict[str, Any]], irs: dict[str, ProviderIR], provider_id: str
) -> None:
    names = [endpoint.name for endpoint in irs[provider_id].endpoints]
    operations = _operations(docs[provider_id])
    variants = [variant["method"] for _, _, op in operations for variant in op["x-relaygen-variants"]]
    assert sorted(variants) == sorted(names)
    assert all(op["operationId"] == op["x-relaygen-variants"][0]["method"] for _, _, op in operations)


# -- nothing of the spec is lost ------------------------------------------------------------


@pytest.mark.parametrize("provider_id", PROVIDER_IDS)
def test_every_request_field_is_a_parameter_or_body_property(
    docs: dict[str, dict[str, Any]], irs: dict[str, ProviderIR], provider_id: str
) -> None:
    doc, provider = docs[provider_id], irs[provider_id]
    classes = {cls.name: cls for cls in provider.classes}
    checked = 0
    for endpoint in provider.endpoints:
        if endpoint.request_class is None:
            continue
        op = _operation_of(doc, endpoint.name)
        parameters = {(p["in"], p["name"]) for p in op.get("parameters", [])}
        for field in classes[endpoint.request_class].fields:
            checked += 1
            if field.location != "body":
                assert (field.location, field.wire_name) in parameters, (endpoint.name, field.wire_name)
                continue
            media = next(iter(op["requestBody"]["content"].values()))
            assert field.wire_name in _component(doc, media["schema"])["properties"], (endpoint.name, field.wire_name)
    assert checked > 0


def _body_examples(op: dict[str, Any]) -> list[Any]:
    content = op.get("requestBody", {}).get("content", {})
    return [example["value"] for media in content.values() for example in media.get("examples", {}).values()]


def _reply_examples(op: dict[str, Any], status: int) -> list[Any]:
    content = op["responses"].get(str(status), {}).get("content", {})
    values = []
    for media_name, media in content.items():
        for example in media.get("examples", {}).values():
            values.append(_sse_events(example["value"]) if media_name == "text/event-stream" else example["value"])
    return values


@pytest.mark.parametrize("provider_id", PROVIDER_IDS)
def test_every_documented_example_is_in_the_document(
    docs: dict[str, dict[str, Any]], specs: dict[str, ProviderSpec], provider_id: str
) -> None:
    """Read from the specs, not the IR: an example the IR dropped would fail here."""
    doc, spec = docs[provider_id], specs[provider_id]
    seen = 0
    for name, endpoint in spec.endpoints.items():
        op = _operation_of(doc, name)
        parameters = {p["name"]: p for p in op.get("parameters", [])}
        for example in endpoint.examples:
            seen += 1
            request = example.request
            body = request.json_body if request.json_body is not None else request.form
            if body is not None:
                assert body in _body_examples(op), (endpoint.path, example.name)
            for name, value in {**request.path, **request.query}.items():
                values = [item["value"] for item in parameters[name].get("examples", {}).values()]
                assert value in values, (endpoint.path, example.name, name)
            reply = example.response
            if reply is not None:
                expected = reply.json_body if reply.json_body is not None else reply.sse
                assert expected in _reply_examples(op, reply.status), (endpoint.path, example.name)
    assert seen == sum(len(endpoint.examples) for endpoint in spec.endpoints.values())
