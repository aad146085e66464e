"""ProviderIR classes -> one JSON Schema document, the input of datamodel-code-generator."""

from __future__ import annotations

import json
from typing import Any

from generator.ir.nodes import ClassIR, FieldIR, ProviderIR, TypeIR

_JSON_TYPES = {"string": "string", "integer": "integer", "number": "number", "boolean": "boolean"}


def type_schema(type_ir: TypeIR) -> dict[str, Any]:
    if type_ir.kind == "object":
        return {"$ref": f"#/$defs/{type_ir.class_name}"}
    if type_ir.kind == "array":
        assert type_ir.item is not None
        return {"type": "array", "items": type_schema(type_ir.item)}
    if type_ir.kind == "union":
        return {"anyOf": [type_schema(variant) for variant in type_ir.variants]}
    if type_ir.kind == "file":
        # Bytes, a path, a file object or (filename, bytes[, mime]); the runtime encodes it.
        return {}
    if type_ir.kind == "any":
        return {}
    if type_ir.kind == "map":
        return {"type": "object", "additionalProperties": True}
    schema: dict[str, Any] = {"type": _JSON_TYPES[type_ir.kind]}
    if len(type_ir.values) == 1:
        schema["const"] = type_ir.values[0]
    elif type_ir.values:
        schema["enum"] = list(type_ir.values)
    return schema


def field_schema(field: FieldIR, *, server_default: bool = False) -> dict[str, Any]:
    """The field's JSON Schema. A spec ``default`` is what the server assumes when the field
    is left out: the models do not take it as theirs (an unset field is not sent, so the
    SDK never injects it) and their description states it; ``server_default`` keeps it as
    the schema's ``default`` (OpenAPI, where that is what the keyword means)."""
    schema = type_schema(field.type)
    if "$ref" in schema and (field.description or field.default is not None):
        schema = {"allOf": [schema]}
    described = _description(field)
    if field.default is not None and not server_default:
        shown = json.dumps(field.default, ensure_ascii=False)
        described = f"{described} Server default: {shown} (sent only when given).".strip()
    constraints = {
        "description": described,
        "default": field.default if server_default else None,
        "minimum": field.minimum,
        "maximum": field.maximum,
        "minItems": field.min_items,
        "maxItems": field.max_items,
        "pattern": field.pattern,
    }
    schema.update({key: value for key, value in constraints.items() if value not in (None, "")})
    return schema


def _description(field: FieldIR) -> str:
    if field.known_values:
        known = ", ".join(field.known_values)
        return f"{field.description} Known values: {known}.".strip()
    return field.description


def class_schema(cls: ClassIR) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "title": cls.name,
        "properties": {field.wire_name: field_schema(field) for field in cls.fields},
    }
    if cls.description:
        schema["description"] = cls.description
    required = [field.wire_name for field in cls.fields if field.required]
    if required:
        schema["required"] = required
    return schema


def provider_schema(provider: ProviderIR) -> dict[str, Any]:
    """All model classes of a provider as ``$defs`` of one document."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$defs": {cls.name: class_schema(cls) for cls in provider.classes},
    }
