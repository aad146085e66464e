"""Resolve wire paths such as ``contents[].parts[].inline_data`` against spec fields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from generator.spec.schema import FieldSpec, ProviderSpec


@dataclass(frozen=True)
class FieldLookup:
    """The fields a path starts from, and the spec whose schemas refs point into."""

    spec: ProviderSpec
    fields: Mapping[str, FieldSpec]


def split_path(path: str) -> list[tuple[str, bool]]:
    """``a.b[].c`` -> [("a", False), ("b", True), ("c", False)]; the flag marks "each item"."""
    parts = []
    for segment in path.split("."):
        each = segment.endswith("[]")
        parts.append((segment[:-2] if each else segment, each))
    return parts


def _members(lookup: FieldLookup, field: FieldSpec) -> Mapping[str, FieldSpec] | None:
    if field.ref is not None:
        schema = lookup.spec.schemas.get(field.ref)
        return schema.fields if schema else None
    return field.fields


def resolve_field_path(path: str, lookup: FieldLookup) -> str:
    """Return "" when ``path`` names existing fields, else what is wrong and what exists."""
    fields: Mapping[str, FieldSpec] | None = lookup.fields
    for index, (name, each) in enumerate(split_path(path)):
        if not name:
            return f"'{path}' has an empty segment"
        if fields is None:
            return f"'{path}': cannot look inside a non-object value before '{name}'"
        field = fields.get(name)
        if field is None:
            known = ", ".join(sorted(fields)) or "none"
            return f"'{path}': no field '{name}' here (fields: {known})"
        while field.type == "array" and field.items is not None:
            if not each:
                break
            field, each = field.items, False
        if each:
            return f"'{path}': '{name}' is not an array, so '[]' does not apply"
        last = index == len(split_path(path)) - 1
        fields = None if last else _members(lookup, field)
    return ""
