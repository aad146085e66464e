"""Check a loaded spec against the schema and turn pydantic errors into located diagnostics."""

from __future__ import annotations

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
        return f"{error['input']!r} has the wrong form; expected {words}"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{error['input']!r} is not allowed; expected {expected}"
    if kind == "rule_kind":
        return f"{error['msg']} (got {_found_keys(error.get('input'))})"
    return f"{error['msg']} (got {_short(error.get('input'))})"


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


def check_shape(spec: LoadedSpec) -> tuple[ProviderSpec | None, list[Diagnostic]]:
    """Validate the document against ``ProviderSpec``; every shape error is reported."""
    try:
        return ProviderSpec.model_validate(spec.data), []
    except ValidationError as exc:
        diagnostics = []
        for error in exc.errors():
            path = _data_path(tuple(error["loc"]))
            mark = spec.key_mark_of(path) if _is_about_a_key(error) else spec.mark_of(path)
            diagnostics.append(Diagnostic(mark, dotted_path(path), _message(error, path)))
        return None, diagnostics
