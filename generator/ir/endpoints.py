"""Spec endpoints -> EndpointIR: parameters, fixed values, response handling, polling."""

from __future__ import annotations

import json
import re
from typing import Any

from generator.ir.nodes import (
    CanonicalIR,
    CanonicalSlotIR,
    ClassIR,
    EndpointIR,
    EnvelopeIR,
    ExampleIR,
    FieldIR,
    FixedValueIR,
    PollingIR,
    ResumeIR,
)
from generator.naming import constant_case, pascal_case, wait_method_name
from generator.spec.schema import CANONICAL_CONCEPTS, EndpointSpec, ExampleSpec, ProviderSpec

_SPANNING = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*):path\}")


def request_class_name(name: str, endpoint: EndpointSpec) -> str | None:
    """The model class of an endpoint's request, or None when it takes no input."""
    if endpoint.request.schema_ref is not None:
        return endpoint.request.schema_ref
    if endpoint.request.fields:
        return pascal_case(name) + "Request"
    return None


def _body_kind(endpoint: EndpointSpec, fields: tuple[FieldIR, ...]) -> str:
    if endpoint.request.body is not None:
        return endpoint.request.body
    if any(field.type.kind == "file" for field in fields):
        return "multipart"
    return "json" if any(field.location == "body" for field in fields) else "none"


def _params(fields: tuple[FieldIR, ...], fixed: dict[str, Any]) -> tuple[FieldIR, ...]:
    """Keyword arguments of the generated method: required first, spec order otherwise."""
    free = [field for field in fields if field.wire_name not in fixed]
    return tuple(sorted(free, key=lambda field: not field.required))


def _call_args(example: ExampleSpec, params: tuple[FieldIR, ...]) -> tuple[tuple[str, str], ...]:
    """The documented request as keyword arguments of the generated method (fixed fields omitted)."""
    by_wire = {param.wire_name: param.param_name for param in params}
    request = example.request
    body = request.json_body if isinstance(request.json_body, dict) else (request.form or {})
    given = {**request.path, **request.query, **body}
    return tuple((by_wire[wire], _json(value)) for wire, value in given.items() if wire in by_wire)


def _example_ir(example: ExampleSpec, params: tuple[FieldIR, ...]) -> ExampleIR:
    request = example.request
    body = request.json_body if request.json_body is not None else request.form
    response = example.response
    response_body: Any = None
    if response is not None:
        response_body = response.json_body if response.json_body is not None else response.sse
    return ExampleIR(
        name=example.name,
        description=" ".join(example.description.split()),
        request_json=_pretty(body),
        response_json=_pretty(response_body),
        path_params=tuple(request.path.items()),
        query=tuple(request.query.items()),
        response_status=response.status if response is not None else None,
        call_args=_call_args(example, params),
    )


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=False)


def _pretty(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, indent=2)


def _wait_method(spec: ProviderSpec, name: str) -> str:
    polled = [endpoint.polling.get for endpoint in spec.endpoints.values() if endpoint.polling]
    submitters = [key for key, endpoint in spec.endpoints.items() if endpoint.polling]
    return wait_method_name(name, submitters, polled)


def spanning_path_params(path: str) -> tuple[str, ...]:
    """Names of the "{name:path}" placeholders, whose values may contain '/'."""
    return tuple(match.group(1) for match in _SPANNING.finditer(path))


def _param_name(name: str, wire: str, classes: dict[str, ClassIR], spec: ProviderSpec) -> str:
    """The Python keyword of request field ``wire`` of endpoint ``name``."""
    request_class = request_class_name(name, spec.endpoints[name])
    fields = classes[request_class].fields if request_class else ()
    return next(field.param_name for field in fields if field.wire_name == wire)


def _polling_ir(spec: ProviderSpec, name: str, endpoint: EndpointSpec, classes: dict[str, ClassIR]) -> PollingIR | None:
    polling = endpoint.polling
    if polling is None:
        return None
    result = spec.endpoints[polling.result] if polling.result is not None else None
    return PollingIR(
        get_method=polling.get,
        id_from=polling.id_from,
        id_param=polling.id_param,
        id_arg=_param_name(polling.get, polling.id_param, classes, spec),
        wait_method=_wait_method(spec, name),
        task_class=spec.endpoints[polling.get].response.schema_ref,
        result_method=polling.result,
        result_class=result.response.schema_ref if result is not None else None,
        result_id_arg=_param_name(polling.result, polling.id_param, classes, spec) if polling.result else None,
    )


def _blocking_task(endpoint: EndpointSpec) -> bool:
    """A call that answers with its task and is not polled: a submit that polls expects
    an unfinished task, a blocking generate does not."""
    return endpoint.response.raise_task_failure and endpoint.polling is None


def _resume_ir(spec: ProviderSpec, endpoint: EndpointSpec) -> ResumeIR | None:
    """For a blocking task call: the first submit endpoint (spec order) whose reply is the
    same class, so its id path and wait helper apply to this reply too."""
    if not _blocking_task(endpoint):
        return None
    for name, other in spec.endpoints.items():
        if other.polling is not None and other.response.schema_ref == endpoint.response.schema_ref:
            return ResumeIR(id_from=other.polling.id_from, method=_wait_method(spec, name))
    return None


def endpoint_ir(spec: ProviderSpec, name: str, endpoint: EndpointSpec, classes: dict[str, ClassIR]) -> EndpointIR:
    request_class = request_class_name(name, endpoint)
    fields = classes[request_class].fields if request_class else ()
    fixed = endpoint.request.fixed
    by_location = {loc: tuple(f.wire_name for f in fields if f.location == loc) for loc in ("path", "query", "header")}
    polling = _polling_ir(spec, name, endpoint, classes)
    envelope = endpoint.response.envelope
    params = _params(fields, fixed)
    return EndpointIR(
        name=name,
        constant=constant_case(name),
        summary=" ".join(endpoint.summary.split()),
        description=" ".join(endpoint.description.split()),
        http_method=endpoint.method,
        path=endpoint.path,
        params=params,
        fixed=tuple(FixedValueIR(key, _json(value)) for key, value in fixed.items()),
        path_params=by_location["path"],
        spanning_path_params=spanning_path_params(endpoint.path),
        query_params=by_location["query"],
        header_params=by_location["header"],
        file_fields=tuple(field.wire_name for field in fields if field.type.kind == "file"),
        body=_body_kind(endpoint, fields),  # type: ignore[arg-type]
        request_class=request_class,
        response_class=endpoint.response.schema_ref,
        response_kind=endpoint.response.kind,
        envelope=EnvelopeIR(envelope.data, envelope.code, envelope.message, tuple(envelope.success_codes))
        if envelope else None,
        stream_done=endpoint.response.stream_done,
        stream_finish=endpoint.response.stream_finish,
        requires_image=endpoint.response.requires_image,
        raise_task_failure=endpoint.response.raise_task_failure,
        idempotent=endpoint.idempotent if endpoint.idempotent is not None else endpoint.method == "GET",
        polling=polling,
        examples=tuple(_example_ir(example, params) for example in endpoint.examples),
        rules=classes[request_class].rules if request_class else (),
        raise_task_pending=_blocking_task(endpoint),
        resume=_resume_ir(spec, endpoint),
        model_field=next((field.wire_name for field in fields if field.type.model), None),
        canonical=_canonical_ir(endpoint, fields, classes),
    )


def _canonical_ir(endpoint: EndpointSpec, fields: tuple[FieldIR, ...], classes: dict[str, ClassIR]
                  ) -> CanonicalIR | None:
    canonical = endpoint.canonical
    if canonical is None:
        return None
    slots = []
    for concept in CANONICAL_CONCEPTS:
        path = getattr(canonical, concept)
        if path is not None:
            item = canonical.items.get(concept)
            target = _field_at(fields, classes, path)
            many = target is not None and target.type.kind == "array"
            slots.append(CanonicalSlotIR(concept, path, None if item is None else _compact_json(item), many))
    return CanonicalIR(
        slots=tuple(slots),
        fixed=tuple((path, _compact_json(value)) for path, value in canonical.set.items()),
        unsupported=tuple(canonical.unsupported.items()),
        model_tiers=tuple(canonical.model_tiers.items()),
    )


def _compact_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _field_at(fields: tuple[FieldIR, ...], classes: dict[str, ClassIR], path: str) -> FieldIR | None:
    """The field a canonical path ends on ("a[0].b" steps into a's items), or None."""
    found: FieldIR | None = None
    current = fields
    for segment in path.split("."):
        name = segment.split("[", 1)[0]
        found = next((field for field in current if field.wire_name == name), None)
        if found is None:
            return None
        type_ir = found.type.item if "[" in segment and found.type.item is not None else found.type
        current = classes[type_ir.class_name].fields if type_ir.class_name in classes else ()
    return found
