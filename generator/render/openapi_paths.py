"""OpenAPI ``paths``: one operation per path and method, its parameters and request body."""

from __future__ import annotations

import json
from typing import Any

from generator.ir.nodes import EndpointIR, FieldIR
from generator.render.openapi_context import (
    DocContext,
    Operation,
    example_keys,
    fixed_schema,
    fixed_values,
    shared_fixed_values,
)
from generator.render.openapi_responses import media_type, polling_extension, reply_media, responses
from generator.render.openapi_schemas import REF_PREFIX, Schema, body_fields, property_schema, ref

_BODY_MEDIA = {"json": "application/json", "multipart": "multipart/form-data"}


def operation_paths(ctx: DocContext) -> dict[str, dict[str, Any]]:
    """Paths in the order the spec first names them; methods in spec order within a path."""
    paths: dict[str, dict[str, Any]] = {}
    for operation in ctx.operations:
        paths.setdefault(operation.path, {})[operation.method.lower()] = _operation(ctx, operation)
    return paths


def _operation(ctx: DocContext, operation: Operation) -> dict[str, Any]:
    result: dict[str, Any] = {"operationId": operation.operation_id}
    result |= _summary(operation)
    parameters = _parameters(ctx, operation)
    if parameters:
        result["parameters"] = parameters
    body = _request_body(ctx, operation)
    if body is not None:
        result["requestBody"] = body
    result["responses"] = responses(ctx, operation)
    result["x-relaygen-variants"] = [_variant(ctx, endpoint) for endpoint in operation.endpoints]
    polling = {endpoint.name: polling_extension(ctx, endpoint) for endpoint in operation.endpoints
               if endpoint.polling is not None}
    if polling:
        result["x-relaygen-polling"] = polling
    return result


def _summary(operation: Operation) -> dict[str, str]:
    first = operation.endpoints[0]
    if len(operation.endpoints) == 1:
        return {"summary": first.summary, "description": first.description} if first.description \
            else {"summary": first.summary}
    keys = ", ".join(shared_fixed_values(operation)) or "the request"
    names = [endpoint.name for endpoint in operation.endpoints]
    summary = f"{', '.join(names[:-1])} or {names[-1]} (chosen by {keys})"
    lines = []
    for endpoint in operation.endpoints:
        fixed = ", ".join(f"{key}={json.dumps(value)}" for key, value in fixed_values(endpoint).items())
        text = " ".join(part for part in (endpoint.summary, endpoint.description) if part)
        lines.append(f"- `{endpoint.name}` ({fixed or 'no fixed values'}): {text}")
    return {"summary": summary, "description": "SDK methods sharing this operation:\n\n" + "\n".join(lines)}


def _non_body_fields(ctx: DocContext, operation: Operation) -> list[FieldIR]:
    found: dict[tuple[str, str], FieldIR] = {}
    for endpoint in operation.endpoints:
        for field in ctx.request_fields(endpoint):
            if field.location != "body":
                found.setdefault((field.location, field.wire_name), field)
    return list(found.values())


def _parameters(ctx: DocContext, operation: Operation) -> list[dict[str, Any]]:
    fixed = shared_fixed_values(operation)
    keys = example_keys(operation)
    parameters = []
    for field in _non_body_fields(ctx, operation):
        schema = property_schema(field, ctx.enum_names)
        description = schema.pop("description", "")
        if field.wire_name in fixed:
            schema |= fixed_schema(fixed[field.wire_name])
        parameter: dict[str, Any] = {"name": field.wire_name, "in": field.location}
        if description:
            parameter["description"] = description
        parameter["required"] = field.required or field.location == "path"
        parameter["schema"] = schema
        if any(field.wire_name in endpoint.spanning_path_params for endpoint in operation.endpoints):
            # OpenAPI escapes '/' in path values; this one spans segments ("{name:path}" in the spec).
            parameter["x-relaygen-spans-segments"] = True
        examples = {
            keys[(endpoint.name, example.name)]: {"summary": example.description, "value": value}
            for endpoint in operation.endpoints
            for example in endpoint.examples
            for name, value in (*example.path_params, *example.query)
            if name == field.wire_name
        }
        if examples:
            parameter["examples"] = examples
        parameters.append(parameter)
    return parameters


def _body_schema(ctx: DocContext, operation: Operation, endpoints: list[EndpointIR]) -> Schema:
    """The request class, narrowed to the values the variants fix (``replyType``, ``stream``)."""
    classes = list(dict.fromkeys(endpoint.request_class for endpoint in endpoints if endpoint.request_class))
    base = ref(classes[0]) if len(classes) == 1 else {"oneOf": [ref(name) for name in classes]}
    body_names = {field.wire_name for name in classes for field in body_fields(ctx.classes[name])}
    fixed = {key: values for key, values in shared_fixed_values(operation).items() if key in body_names}
    if not fixed:
        return base
    narrowing = {"properties": {key: fixed_schema(values) for key, values in fixed.items()}, "required": list(fixed)}
    return {"allOf": [base, narrowing]}


def _request_body(ctx: DocContext, operation: Operation) -> dict[str, Any] | None:
    by_media: dict[str, list[EndpointIR]] = {}
    for endpoint in operation.endpoints:
        if endpoint.body != "none" and endpoint.request_class and body_fields(ctx.classes[endpoint.request_class]):
            by_media.setdefault(_BODY_MEDIA[endpoint.body], []).append(endpoint)
    if not by_media:
        return None
    keys = example_keys(operation)
    content = {}
    for media, endpoints in by_media.items():
        examples = {
            keys[(endpoint.name, example.name)]: {"summary": example.description,
                                                  "value": json.loads(example.request_json)}
            for endpoint in endpoints
            for example in endpoint.examples
            if example.request_json
        }
        content[media] = media_type(_body_schema(ctx, operation, endpoints), examples)
    required = any(field.required for endpoints in by_media.values() for endpoint in endpoints
                   for field in body_fields(ctx.classes[endpoint.request_class or ""]))
    return {"required": required, "content": content}


def _variant(ctx: DocContext, endpoint: EndpointIR) -> dict[str, Any]:
    """One SDK method of an operation: what it fixes and how it reads the reply."""
    variant: dict[str, Any] = {"method": endpoint.name, "summary": endpoint.summary}
    fixed = fixed_values(endpoint)
    if fixed:
        variant["fixed"] = fixed
    reply: dict[str, Any] = {"kind": endpoint.response_kind, "media_type": reply_media(endpoint),
                             "schema": REF_PREFIX + endpoint.response_class,
                             "envelope": endpoint.envelope is not None}
    if endpoint.stream_done is not None:
        reply["stream_done"] = endpoint.stream_done
    if endpoint.stream_finish is not None:
        reply["stream_finish"] = endpoint.stream_finish
    variant["response"] = reply
    variant["requires_image"] = endpoint.requires_image
    variant["raise_task_failure"] = endpoint.raise_task_failure
    variant["idempotent"] = endpoint.idempotent
    return variant

