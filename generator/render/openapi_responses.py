"""OpenAPI responses of an operation: reply schemas (enveloped, streamed), examples, polling links."""

from __future__ import annotations

import json
from typing import Any

from generator.ir.nodes import EndpointIR, EnvelopeIR, ExampleIR
from generator.render.openapi_context import (
    DocContext,
    Operation,
    distinct,
    example_keys,
    json_pointer,
    openapi_path,
)
from generator.render.openapi_schemas import REF_PREFIX, Schema, ref, terminal_statuses

SSE_MEDIA = "text/event-stream"
JSON_MEDIA = "application/json"


def reply_media(endpoint: EndpointIR) -> str:
    return SSE_MEDIA if endpoint.response_kind == "sse" else JSON_MEDIA


def media_type(schema: Schema, examples: dict[str, Any]) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": schema}
    if examples:
        media["examples"] = examples
    return media


def responses(ctx: DocContext, operation: Operation) -> dict[str, Any]:
    by_media: dict[str, list[EndpointIR]] = {}
    for endpoint in operation.endpoints:
        by_media.setdefault(reply_media(endpoint), []).append(endpoint)
    content = {media: _reply_content(operation, media, endpoints) for media, endpoints in by_media.items()}
    success: dict[str, Any] = {"description": _reply_description(operation), "content": content}
    links = _links(ctx, operation)
    if links:
        success["links"] = links
    result: dict[str, Any] = {"200": success}
    result |= _other_status_examples(operation)
    result["default"] = {"description": _error_description(ctx)}
    return result


def _reply_content(operation: Operation, media: str, endpoints: list[EndpointIR]) -> dict[str, Any]:
    schemas = distinct([_reply_schema(endpoint) for endpoint in endpoints])
    schema = schemas[0] if len(schemas) == 1 else {"oneOf": schemas}
    examples = _examples(operation, endpoints, {200})
    if media != SSE_MEDIA:
        return media_type(schema, examples)
    stream: dict[str, Any] = {"itemSchema": schema}
    for key, values in (("done", [ep.stream_done for ep in endpoints]),
                        ("finish", [ep.stream_finish for ep in endpoints])):
        if values[0] is not None and len(set(values)) == 1:
            stream[key] = values[0]
    text = {"type": "string", "description": "Server-sent events: each `data:` line holds one JSON item, "
                                             "described by x-relaygen-stream.itemSchema."}
    # OpenAPI 3.1 has no schema for stream items; 3.2's itemSchema is mirrored in the extension.
    return media_type(text, examples) | {"x-relaygen-stream": stream}


def _reply_schema(endpoint: EndpointIR) -> Schema:
    schema = ref(endpoint.response_class)
    return _enveloped(schema, endpoint.envelope) if endpoint.envelope is not None else schema


def _enveloped(data: Schema, envelope: EnvelopeIR) -> Schema:
    """``{code, message, data: <reply>}``; the SDK unwraps data when code is a success code."""
    schema: Schema = {"type": "object", "properties": {}}
    if envelope.code is not None:
        codes = ", ".join(envelope.success_codes) or "any"
        _put(schema, envelope.code, {"description": f"Reply code; success when one of: {codes}."}, required=False)
    if envelope.message is not None:
        _put(schema, envelope.message, {"description": "Error text when the code is not a success code."},
             required=False)
    _put(schema, envelope.data, data, required=True)
    schema["x-relaygen-envelope"] = {
        "data": envelope.data,
        "code": envelope.code,
        "message": envelope.message,
        "success_codes": list(envelope.success_codes),
    }
    return schema


def _put(schema: Schema, dotted: str, leaf: Schema, *, required: bool) -> None:
    node = schema
    parts = dotted.split(".")
    for index, part in enumerate(parts):
        if required and part not in node.setdefault("required", []):
            node["required"].append(part)
        if index == len(parts) - 1:
            node["properties"][part] = leaf
        else:
            node = node["properties"].setdefault(part, {"type": "object", "properties": {}})


def _example_value(endpoint: EndpointIR, example: ExampleIR) -> Any:
    value = json.loads(example.response_json)
    if endpoint.response_kind == "sse" and isinstance(value, list):
        return "".join(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n" for chunk in value)
    return value


def _examples(operation: Operation, endpoints: list[EndpointIR], statuses: set[int]) -> dict[str, Any]:
    keys = example_keys(operation)
    return {
        keys[(endpoint.name, example.name)]: {"summary": example.description,
                                              "value": _example_value(endpoint, example)}
        for endpoint in endpoints
        for example in endpoint.examples
        if example.response_json and example.response_status in statuses
    }


def _other_status_examples(operation: Operation) -> dict[str, Any]:
    """Documented replies with a status other than 200, each under its own status."""
    statuses = sorted({example.response_status for endpoint in operation.endpoints for example in endpoint.examples
                       if example.response_json and example.response_status not in (None, 200)} - {None})
    result: dict[str, Any] = {}
    for status in statuses:
        content: dict[str, Any] = {}
        for endpoint in operation.endpoints:
            examples = _examples(operation, [endpoint], {status})
            if examples:
                content.setdefault(reply_media(endpoint), {"examples": {}})["examples"].update(examples)
        result[str(status)] = {"description": "Documented reply.", "content": content}
    return result


def _reply_description(operation: Operation) -> str:
    parts = []
    for endpoint in operation.endpoints:
        text = f"`{endpoint.response_class}`"
        if endpoint.response_kind == "sse":
            text = f"server-sent events, each data line a {text}"
        if endpoint.envelope is not None:
            text += " inside the reply envelope"
        parts.append(f"`{endpoint.name}` replies with {text}")
    return "; ".join(parts) + "."


def _error_description(ctx: DocContext) -> str:
    fields = ctx.provider.error_message_fields
    text = "Any other status is an error."
    if fields:
        text += " The SDK reads its message from the first present of: " + ", ".join(f"`{f}`" for f in fields) + "."
    return text


def _id_expression(endpoint: EndpointIR) -> str:
    assert endpoint.polling is not None
    envelope = endpoint.envelope.data if endpoint.envelope is not None else None
    return "$response.body#" + json_pointer(envelope, endpoint.polling.id_from)


def _links(ctx: DocContext, operation: Operation) -> dict[str, Any]:
    links: dict[str, Any] = {}
    for endpoint in operation.endpoints:
        if endpoint.polling is None:
            continue
        polling = endpoint.polling
        parameters = {polling.id_param: _id_expression(endpoint)}
        links[polling.get_method] = {
            "operationId": ctx.operation_of(polling.get_method).operation_id,
            "parameters": parameters,
            "description": f"Poll the task `{endpoint.name}` started; the SDK's `{polling.wait_method}` "
                           "does this until a terminal status.",
        }
        if polling.result_method is not None:
            links[polling.result_method] = {
                "operationId": ctx.operation_of(polling.result_method).operation_id,
                "parameters": parameters,
                "description": f"Fetch the output once `{polling.get_method}` reports a success status.",
            }
    return links


def _endpoint_ref(ctx: DocContext, name: str) -> dict[str, str]:
    target = ctx.endpoints[name]
    return {"method": name, "operationId": ctx.operation_of(name).operation_id,
            "http_method": target.http_method, "path": openapi_path(target)}


def polling_extension(ctx: DocContext, endpoint: EndpointIR) -> dict[str, Any]:
    """How the SDK polls the task an endpoint starts, and which statuses end the wait."""
    assert endpoint.polling is not None
    polling = endpoint.polling
    extension: dict[str, Any] = {
        "get": _endpoint_ref(ctx, polling.get_method),
        "id_from": polling.id_from,
        "id_expression": _id_expression(endpoint),
        "id_param": polling.id_param,
        "wait_method": polling.wait_method,
        "task_schema": REF_PREFIX + polling.task_class,
    }
    if polling.result_method is not None:
        # Queue APIs: the task only says when; the output comes from another call.
        extension["result"] = _endpoint_ref(ctx, polling.result_method)
        extension["result_schema"] = REF_PREFIX + polling.return_class
    task = ctx.classes[polling.task_class].task
    if task is not None:
        extension["status_field"] = task.status_field
        extension["terminal"] = terminal_statuses(task)
    return extension
