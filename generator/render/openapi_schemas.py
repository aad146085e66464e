"""IR classes and enums -> OpenAPI ``components.schemas``; rules OpenAPI cannot say become ``x-`` keys.

Field schemas come from ``jsonschema.py`` (the model generator's input), with ``$defs``
references moved to ``components`` and the few OpenAPI-only facts added on top.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from generator.ir.nodes import (
    ClassIR,
    EnumIR,
    FieldIR,
    ImageInputIR,
    ImagesIR,
    ProviderIR,
    RuleIR,
    TaskIR,
    WhenIR,
)
from generator.render.jsonschema import field_schema

Schema = dict[str, Any]
REF_PREFIX = "#/components/schemas/"
_DEFS_PREFIX = "#/$defs/"


def ref(name: str) -> Schema:
    return {"$ref": REF_PREFIX + name}


def enum_component_names(provider: ProviderIR) -> dict[str, str]:
    """Component name of each named enum; one named like a model class gets an ``Enum`` suffix."""
    taken = {cls.name for cls in provider.classes}
    names: dict[str, str] = {}
    for enum in provider.enums:
        name = enum.name
        while name in taken:
            name += "Enum"
        taken.add(name)
        names[enum.name] = name
    return names


def body_fields(cls: ClassIR) -> tuple[FieldIR, ...]:
    return tuple(field for field in cls.fields if field.location == "body")


def has_component(cls: ClassIR) -> bool:
    """Request classes holding only path/query/header fields are parameters, not a schema."""
    return not cls.fields or bool(body_fields(cls))


def _with_components_refs(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: REF_PREFIX + item.removeprefix(_DEFS_PREFIX) if key == "$ref" else _with_components_refs(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_with_components_refs(item) for item in value]
    return value


def property_schema(field: FieldIR, enum_names: dict[str, str]) -> Schema:
    """A field's schema as the model generator sees it, plus its OpenAPI-only facts."""
    schema: Schema = _with_components_refs(field_schema(field, server_default=True))
    if field.type.kind == "file":
        schema = {"type": "string", "format": "binary", **schema}
    if field.enum_name is not None:
        schema["x-relaygen-enum"] = REF_PREFIX + enum_names[field.enum_name]
    if field.image_input is not None:
        schema["x-relaygen-image-input"] = image_input_extension(field.image_input)
    return schema


def image_input_extension(image: ImageInputIR) -> dict[str, Any]:
    extension: dict[str, Any] = {"accepts": list(image.accepts)}
    if "inline" in image.accepts:
        extension |= {"data_key": image.data_key, "mime_key": image.mime_key}
    if image.hint:
        extension["hint"] = image.hint
    return extension


def class_component(cls: ClassIR, enum_names: dict[str, str]) -> Schema:
    fields = body_fields(cls)
    schema: Schema = {"type": "object", "title": cls.name}
    if cls.description:
        schema["description"] = cls.description
    schema["properties"] = {field.wire_name: property_schema(field, enum_names) for field in fields}
    required = [field.wire_name for field in fields if field.required]
    if required:
        schema["required"] = required
    if cls.rules:
        schema["x-relaygen-rules"] = [rule_extension(rule) for rule in cls.rules]
    if cls.images is not None:
        schema["x-relaygen-images"] = _images_extension(cls.images)
    if cls.task is not None:
        schema["x-relaygen-task"] = _task_extension(cls.task)
    if cls.refusals:
        # An empty value list means any non-empty value is a refusal.
        schema["x-relaygen-refusals"] = [{"path": item.path, "values": list(item.values)} for item in cls.refusals]
    return schema


def _when_extension(when: WhenIR) -> dict[str, Any]:
    extension: dict[str, Any] = {"field": when.field, "in": list(when.values)}
    if when.patterns:
        extension["patterns"] = list(when.patterns)
    extension["label"] = when.label
    return extension


def rule_extension(rule: RuleIR) -> dict[str, Any]:
    """One request rule, with every allowed value and the model ids of its condition spelled out."""
    extension: dict[str, Any] = {"kind": rule.kind, "fields": list(rule.fields)}
    if rule.when is not None:
        extension["when"] = _when_extension(rule.when)
    if rule.values:
        extension["values"] = list(rule.values)
    if rule.pixel is not None:
        extension["pixel"] = {key: value for key, value in asdict(rule.pixel).items() if value is not None}
    if rule.limit is not None:
        extension["limit"] = rule.limit
    extension["summary"] = rule.summary
    if rule.note:
        extension["note"] = rule.note
    return extension


def _images_extension(images: ImagesIR) -> dict[str, Any]:
    return {
        "urls": list(images.urls),
        "inline": [{"path": item.path, "data_key": item.data_key, "mime_key": item.mime_key}
                   for item in images.inline],
    }


def _task_extension(task: TaskIR) -> dict[str, Any]:
    return {
        "status_field": task.status_field,
        "progress_field": task.progress_field,
        "error_field": task.error_field,
        "terminal": terminal_statuses(task),
    }


def terminal_statuses(task: TaskIR) -> dict[str, list[str]]:
    return {"success": list(task.success), "failure": list(task.failure), "violation": list(task.violation)}


def enum_component(enum: EnumIR) -> Schema:
    """A named enum; an open one lists its known values as examples and accepts any text."""
    values = [item.value for item in enum.values]
    schema: Schema = {"type": "string", "title": enum.name}
    if enum.description:
        schema["description"] = enum.description
    if enum.open:
        schema["examples"] = values
        schema["x-relaygen-open-enum"] = True
    else:
        schema["enum"] = values
    descriptions = {item.value: item.description for item in enum.values if item.description}
    if descriptions:
        schema["x-enum-descriptions"] = descriptions
    notes = {item.value: item.note for item in enum.values if item.note}
    if notes:
        schema["x-relaygen-enum-notes"] = notes
    outcomes = {item.value: item.outcome for item in enum.values if item.outcome}
    if outcomes:
        schema["x-terminal-outcomes"] = outcomes
    return schema


def component_schemas(provider: ProviderIR, enum_names: dict[str, str]) -> dict[str, Schema]:
    """Every model class and named enum, sorted by component name."""
    schemas = {cls.name: class_component(cls, enum_names) for cls in provider.classes if has_component(cls)}
    schemas |= {enum_names[enum.name]: enum_component(enum) for enum in provider.enums}
    return dict(sorted(schemas.items()))
