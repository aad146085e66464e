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
    return _resolve(path, split_path(path), lookup.fields, lookup)


def _resolve(path: str, parts: list[tuple[str, bool]], fields: Mapping[str, FieldSpec] | None,
             lookup: FieldLookup) -> str:
    name, each = parts[0]
    if not name:
        return f"'{path}' has an empty segment"
    if fields is None:
        return f"'{path}': cannot look inside a non-object value before '{name}'"
    field = fields.get(name)
    if field is None:
        known = ", ".join(sorted(fields)) or "none"
        return f"'{path}': no field '{name}' here (fields: {known})"
    return _step(path, name, field, each, parts[1:], lookup)


def _step(path: str, name: str, field: FieldSpec, each: bool, rest: list[tuple[str, bool]],
          lookup: FieldLookup) -> str:
    """Continue a path from ``field``; a union is entered when any of its variants fits."""
    if field.type == "union":
        problems = [_step(path, name, variant, each, rest, lookup) for variant in field.variants or []]
        return "" if any(problem == "" for problem in problems) else problems[0]
    if each:
        if field.type != "array" or field.items is None:
            return f"'{path}': '{name}' is not an array, so '[]' does not apply"
        return _step(path, name, field.items, False, rest, lookup)
    if not rest:
        return ""
    return _resolve(path, rest, _members(lookup, field), lookup)
