"""What the OpenAPI path builders share: one provider's lookups and its operations.

OpenAPI allows one operation per path and method; several SDK methods on one
path and method (told apart by fixed request values, e.g. ``replyType``) are
the variants of one operation, named after the first.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from generator.ir.nodes import ClassIR, EndpointIR, FieldIR, ProviderIR
from generator.render.openapi_schemas import enum_component_names

# "{name:path}" (a value spanning segments) has no OpenAPI spelling; the parameter says it instead.
_PLACEHOLDER_CONVERTER = re.compile(r"\{([^{}:]+):[^{}]*\}")


def openapi_path(endpoint: EndpointIR) -> str:
    return _PLACEHOLDER_CONVERTER.sub(r"{\1}", endpoint.path)


@dataclass(frozen=True)
class Operation:
    path: str
    method: str
    endpoints: tuple[EndpointIR, ...]

    @property
    def operation_id(self) -> str:
        return self.endpoints[0].name


@dataclass(frozen=True)
class DocContext:
    provider: ProviderIR
    classes: dict[str, ClassIR]
    endpoints: dict[str, EndpointIR]
    enum_names: dict[str, str]
    operations: tuple[Operation, ...]

    def request_fields(self, endpoint: EndpointIR) -> tuple[FieldIR, ...]:
        return self.classes[endpoint.request_class].fields if endpoint.request_class else ()

    def operation_of(self, endpoint_name: str) -> Operation:
        return next(op for op in self.operations if any(ep.name == endpoint_name for ep in op.endpoints))


def doc_context(provider: ProviderIR) -> DocContext:
    grouped: dict[tuple[str, str], list[EndpointIR]] = {}
    for endpoint in provider.endpoints:
        grouped.setdefault((openapi_path(endpoint), endpoint.http_method), []).append(endpoint)
    operations = tuple(Operation(path, method, tuple(eps)) for (path, method), eps in grouped.items())
    return DocContext(
        provider=provider,
        classes={cls.name: cls for cls in provider.classes},
        endpoints={endpoint.name: endpoint for endpoint in provider.endpoints},
        enum_names=enum_component_names(provider),
        operations=operations,
    )


def fixed_values(endpoint: EndpointIR) -> dict[str, Any]:
    # The IR keeps fixed values as Python reprs for the client template; they are JSON literals.
    return {fixed.wire_name: fixed.value for fixed in endpoint.fixed}


def shared_fixed_values(operation: Operation) -> dict[str, list[Any]]:
    """Keys every variant fixes, with their distinct values in variant order."""
    per_variant = [fixed_values(endpoint) for endpoint in operation.endpoints]
    shared: dict[str, list[Any]] = {}
    for key in per_variant[0]:
        if all(key in fixed for fixed in per_variant):
            shared[key] = distinct([fixed[key] for fixed in per_variant])
    return shared


def distinct(values: list[Any]) -> list[Any]:
    """Values without repeats (they may be unhashable JSON), first occurrence first."""
    seen: dict[str, Any] = {}
    for value in values:
        seen.setdefault(json.dumps(value, sort_keys=True), value)
    return list(seen.values())


def fixed_schema(values: list[Any]) -> dict[str, Any]:
    return {"const": values[0]} if len(values) == 1 else {"enum": values}


def example_keys(operation: Operation) -> dict[tuple[str, str], str]:
    """Unique example names across an operation's variants (qualified by method when shared)."""
    names = [example.name for endpoint in operation.endpoints for example in endpoint.examples]
    return {
        (endpoint.name, example.name): example.name if names.count(example.name) == 1
        else f"{endpoint.name}.{example.name}"
        for endpoint in operation.endpoints
        for example in endpoint.examples
    }


def json_pointer(*dotted: str | None) -> str:
    """``data``, ``task_id`` -> ``/data/task_id`` (wire paths are dotted)."""
    parts = [part for path in dotted if path for part in path.split(".")]
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)
