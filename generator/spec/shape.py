"""Check a loaded spec against the schema and turn pydantic errors into located diagnostics."""

from __future__ import annotations

from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from generator.errors import Diagnostic
from generator.spec.loader import LoadedSpec, PathKey, dotted_path
from generator.spec.schema import (
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


def _data_path(loc: tuple[str | int, ...]) -> PathKey:
    # Discriminated unions put their tag ("rule:one_of") into loc; it is not a YAML key.
    return tuple(part for part in loc if not (isinstance(part, str) and part.startswith("rule:")))


def _message(error: Any, spec: LoadedSpec, path: PathKey) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"unknown key '{path[-1]}'{_allowed_keys_hint(tuple(error['loc']))}"
    if kind == "missing":
        return f"missing required key '{path[-1]}'"
    if kind == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern", "")
        return f"{error['input']!r} does not match the expected form {pattern}"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{error['input']!r} is not allowed; expected {expected}"
    return f"{error['msg']} (got {_short(error.get('input'))})"


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
            diagnostics.append(Diagnostic(spec.mark_of(path), dotted_path(path), _message(error, spec, path)))
        return None, diagnostics
