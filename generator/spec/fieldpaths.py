"""Resolve wire paths such as ``contents[].parts[].inline_data`` against spec fields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from generator.spec.schema import FieldSpec, ProviderSpec


@dataclass(frozen=True)
class FieldLookup:
    """The fields a path starts from, and the spec whose schemas refs point into.

    ``opaque`` names schemas whose content is unknown (their shape errors are reported
    elsewhere); a path through one of them is accepted rather than reported again.
    ``all_opaque`` does the same for every ref (the whole schemas section is broken).
    """

    spec: ProviderSpec
    fields: Mapping[str, FieldSpec]
    opaque: frozenset[str] = frozenset()
    all_opaque: bool = False

    def is_opaque(self, field: FieldSpec) -> bool:
        return field.ref is not None and (self.all_opaque or field.ref in self.opaque)


def split_path(path: str) -> list[tuple[str, bool]]:
    """``a.b[].c`` -> [("a", False), ("b", True), ("c", False)]; the flag marks "each item"."""
    parts = []
    for segment in path.split("."):
        each = segment.endswith("[]")
        parts.append((segment[:-2] if each else segment, each))
    return parts


def members(lookup: FieldLookup, field: FieldSpec) -> Mapping[str, FieldSpec] | None:
    """The fields inside an object field: its own, or those of the schema it refers to."""
    if field.ref is not None:
        schema = lookup.spec.schemas.get(field.ref)
        return schema.fields if schema else None
    return field.fields


@dataclass(frozen=True)
class _Outcome:
    """How a path resolved: ``problem`` is "" on success; ``depth`` counts the segments that did resolve."""

    problem: str
    depth: int


def resolve_field_path(path: str, lookup: FieldLookup) -> str:
    """Return "" when ``path`` names existing fields, else what is wrong and what exists."""
    return _resolve(path, split_path(path), 0, lookup.fields, lookup).problem


def _resolve(path: str, parts: list[tuple[str, bool]], depth: int, fields: Mapping[str, FieldSpec] | None,
             lookup: FieldLookup) -> _Outcome:
    name, each = parts[0]
    if not name:
        message = f"'{path}': a segment is empty; a path is field names joined by '.' ('[]' after an array)"
        return _Outcome(message, depth)
    if fields is None:
        return _Outcome(f"'{path}': cannot look inside a non-object value before '{name}'", depth)
    field = fields.get(name)
    if field is None:
        known = ", ".join(sorted(fields)) or "none"
        return _Outcome(f"'{path}': no field '{name}' here (fields: {known})", depth)
    return _step(path, name, field, each, parts[1:], depth, lookup)


def _step(path: str, name: str, field: FieldSpec, each: bool, rest: list[tuple[str, bool]], depth: int,
          lookup: FieldLookup) -> _Outcome:
    """Continue a path from ``field``; a union is entered when any of its variants fits."""
    if field.type == "union":
        return _through_union(path, name, field, each, rest, depth, lookup)
    if each:
        if field.type != "array" or field.items is None:
            return _Outcome(f"'{path}': '{name}' is not an array, so '[]' does not apply", depth)
        return _step(path, name, field.items, False, rest, depth, lookup)
    if not rest or lookup.is_opaque(field):
        return _Outcome("", depth + 1)
    return _resolve(path, rest, depth + 1, members(lookup, field), lookup)


def _through_union(path: str, name: str, field: FieldSpec, each: bool, rest: list[tuple[str, bool]], depth: int,
                   lookup: FieldLookup) -> _Outcome:
    outcomes = [_step(path, name, variant, each, rest, depth, lookup) for variant in field.variants or []]
    if not outcomes or any(outcome.problem == "" for outcome in outcomes):
        # A union without variants is reported by the field check; do not report it once per path.
        return _Outcome("", depth + 1)
    # The variant that got furthest is most likely the one the author meant; ties show each problem.
    furthest = max(outcome.depth for outcome in outcomes)
    prefix = f"'{path}': "
    problems = dict.fromkeys(outcome.problem.removeprefix(prefix) for outcome in outcomes if outcome.depth == furthest)
    return _Outcome(prefix + " or ".join(problems), furthest)
