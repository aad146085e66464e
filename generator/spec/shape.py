"""Check a loaded spec against the schema and turn pydantic errors into located diagnostics."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from generator.errors import Diagnostic
from generator.spec.loader import LoadedSpec, PathKey, dotted_path
from generator.spec.schema import (
    PATTERN_WORDS,
    ExclusiveRule,
    ForbidRule,
    MaxItemsRule,
    OneOfRule,
    ProviderSpec,
    RequireAnyRule,
    RequireRule,
)

_RULE_MODELS: dict[str, type[BaseModel]] = {
    "rule:one_of": OneOfRule,
    "rule:forbid": ForbidRule,
    "rule:require": RequireRule,
    "rule:require_any": RequireAnyRule,
    "rule:max_items": MaxItemsRule,
    "rule:exclusive": ExclusiveRule,
}


# pydantic's loc segment for an error in a dict key rather than in its value.
_KEY_SEGMENT = "[key]"


def _data_path(loc: tuple[str | int, ...]) -> PathKey:
    # Discriminated unions put their tag ("rule:one_of") into loc, and dict keys add "[key]";
    # neither is a YAML key.
    return tuple(
        part for part in loc if not (isinstance(part, str) and (part.startswith("rule:") or part == _KEY_SEGMENT))
    )


def _is_about_a_key(error: Any) -> bool:
    return error["type"] == "extra_forbidden" or _KEY_SEGMENT in error["loc"]


def _message(error: Any, path: PathKey) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"unknown key '{path[-1]}'{_allowed_keys_hint(tuple(error['loc']))}"
    if kind == "missing":
        return f"missing required key '{path[-1]}'"
    if kind == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern", "")
        words = PATTERN_WORDS.get(pattern, f"text matching {pattern}")
        return f"{_short(error['input'])} has the wrong form; expected {words}"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{_short(error['input'])} is not allowed; expected {expected}"
    if kind == "rule_kind":
        return f"{error['msg']} (got {_found_keys(error.get('input'))})"
    if kind in _EXPECTED:
        value = error.get("input")
        # Text where a number or boolean belongs is the YAML 1.1 trap ("yes", "0x1F"): say it is not converted.
        hint = _NOT_CONVERTED.get(kind, "") if isinstance(value, str) or kind == "string_type" else ""
        return f"expected {_EXPECTED[kind]}, got {_short(value)}{hint}"
    return f"{error['msg']} (got {_short(error.get('input'))})"


# pydantic's strict type errors, in the spec language's words.
_EXPECTED = {
    "bool_type": "true or false",
    "int_type": "an integer",
    "float_type": "a number",
    "string_type": "text",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "list_type": "a list",
}
_NOT_CONVERTED = {
    "bool_type": " (values are never converted: write true or false unquoted)",
    "int_type": " (values are never converted: write a plain decimal integer unquoted)",
    "float_type": " (values are never converted: write a plain decimal number unquoted)",
    "string_type": " (quote it to make it text)",
}


def _found_keys(value: Any) -> str:
    """What a rule without a (single) kind holds: its keys, not a truncated dump of the whole rule."""
    if isinstance(value, dict):
        return "keys: " + ", ".join(str(key) for key in value) if value else "an empty mapping"
    return _short(value)


def _allowed_keys_hint(loc: tuple[str | int, ...]) -> str:
    model = _model_at(loc[:-1])
    if model is None:
        return ""
    keys = sorted(info.alias or name for name, info in model.model_fields.items())
    return f"; allowed keys: {', '.join(keys)}"


def _model_at(loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """Walk the schema along an error location to the model that owns its last key."""
    current: Any = ProviderSpec
    for part in loc:
        current = _unwrap(current, part)
        if current is None:
            return None
    current = _unwrap(current, None)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any, part: str | int | None) -> Any:
    """Step from a type to the type of its member ``part`` (None: just strip wrappers)."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, UnionType):
            if isinstance(part, str) and part.startswith("rule:"):
                return _RULE_MODELS.get(part)
            members = [arg for arg in get_args(annotation) if arg is not type(None)]
            annotation = members[0] if len(members) == 1 else annotation
            if len(members) != 1:
                return annotation if part is None else None
        elif part is None:
            return annotation
        elif origin is list and isinstance(part, int):
            return get_args(annotation)[0]
        elif origin is dict and isinstance(part, str):
            return get_args(annotation)[1]
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel) and isinstance(part, str):
            for name, info in annotation.model_fields.items():
                if part in (name, info.alias):
                    return info.annotation
            return None
        else:
            return None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# Sections that map names to entries; a broken entry is left out and the rest still checked.
NAMED_SECTIONS = ("model_families", "enums", "size_tables", "schemas", "endpoints")
# Stand-ins for a broken single section, chosen to raise no semantic error of their own.
_PLACEHOLDERS: dict[str, Any] = {
    "spec_version": 1,
    "base_url": {"default": "https://placeholder.invalid", "env": "PLACEHOLDER_BASE_URL"},
    "auth": {"scheme": "none"},
    "errors": {},
}


@dataclass(frozen=True)
class ShapeResult:
    """The spec as far as its shape is valid, and what had to be left out.

    ``spec`` holds every section and named entry whose shape is valid (broken single
    sections replaced by neutral stand-ins), so semantic checks still run on the rest;
    ``broken`` names the entries left out, so references to them are not reported again
    as undefined. ``spec`` is None only when the document is not a mapping at all.
    """

    spec: ProviderSpec | None
    diagnostics: list[Diagnostic]
    broken: frozenset[tuple[str, str]] = frozenset()
    broken_sections: frozenset[str] = frozenset()

    @property
    def valid(self) -> bool:
        return self.spec is not None and not self.diagnostics


def check_shape(spec: LoadedSpec) -> ShapeResult:
    """Validate the document against ``ProviderSpec``; every shape error is reported."""
    try:
        return ShapeResult(ProviderSpec.model_validate(spec.data), [])
    except ValidationError as exc:
        errors = exc.errors()
    diagnostics = [_diagnostic(spec, error) for error in errors]
    if not isinstance(spec.data, dict):
        return ShapeResult(None, diagnostics)
    pruned, broken, broken_sections = _prune(spec, [_data_path(tuple(error["loc"])) for error in errors])
    try:
        partial = ProviderSpec.model_validate(pruned)
    except ValidationError:
        return ShapeResult(None, diagnostics)  # pruning missed a unit; the shape errors stand alone
    return ShapeResult(partial, diagnostics, frozenset(broken), frozenset(broken_sections))


def _diagnostic(spec: LoadedSpec, error: Any) -> Diagnostic:
    path = _data_path(tuple(error["loc"]))
    mark = spec.key_mark_of(path) if _is_about_a_key(error) else spec.mark_of(path)
    return Diagnostic(mark, dotted_path(path), _message(error, path))


def _prune(spec: LoadedSpec, paths: list[PathKey]) -> tuple[dict[str, Any], set[tuple[str, str]], set[str]]:
    """The document without the units that hold errors: a named entry, else a whole section."""
    data = dict(spec.data)
    broken: set[tuple[str, str]] = set()
    broken_sections: set[str] = set()
    stem = Path(spec.file).stem
    for path in paths:
        section = str(path[0]) if path else ""
        if section in NAMED_SECTIONS and len(path) >= 2 and isinstance(data.get(section), dict):
            entries = dict(data[section])
            entries.pop(str(path[1]), None)
            data[section] = entries
            broken.add((section, str(path[1])))
        elif section == "provider":
            data[section] = {"id": stem, "title": "", "source_doc": ""}
            broken_sections.add(section)
        elif section in _PLACEHOLDERS:
            data[section] = _PLACEHOLDERS[section]
            broken_sections.add(section)
        elif section in NAMED_SECTIONS:
            data[section] = {}
            broken_sections.add(section)
        elif section:
            data.pop(section, None)  # an unknown top-level key
        else:
            return {}, broken, set(NAMED_SECTIONS)
    for section, placeholder in (("provider", {"id": stem, "title": "", "source_doc": ""}), *_PLACEHOLDERS.items()):
        if section not in data and section != "errors":
            data[section] = placeholder  # missing: reported already
            broken_sections.add(section)
    if "endpoints" not in data:
        data["endpoints"] = {}
        broken_sections.add("endpoints")
    return data, broken, broken_sections
