"""Tolerant reading of replies: an optional field with an odd value is dropped, not fatal.

A relay's reply is paid for. When a field the spec marks optional arrives in a form the
model does not expect (a float where an integer was documented, a new enum value, an
object where a string was), the reply is still worth its images: the offending field is
left out, a warning names its wire path, and the rest is validated as usual. A required
field that does not fit still fails the reply.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping
from typing import Any, get_args

from pydantic import BaseModel

__all__ = ["drop_invalid_optionals", "model_in"]

Loc = tuple[int | str, ...]


def model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside ``annotation`` (``X``, ``list[X]``, ``X | None``)."""
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = model_in(arg)
        if found is not None:
            return found
    return None


def _field_by_wire_name(model: type[BaseModel], key: str) -> Any:
    for name, info in model.model_fields.items():
        if info.alias == key or (info.alias is None and name == key):
            return info
    return None


def _deepest_optional(model: type[BaseModel], data: Any, loc: Loc) -> Loc | None:
    """The data path of the innermost optional field on the way to the error at ``loc``."""
    path: list[int | str] = []
    found: Loc | None = None
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int):
            if not isinstance(data, list) or not 0 <= part < len(data):
                return found
            data = data[part]
            path.append(part)
            continue
        if not isinstance(data, Mapping) or part not in data:
            continue  # a union member's tag in the location, not a key of the data
        info = None if current is None else _field_by_wire_name(current, part)
        data = data[part]
        path.append(part)
        if info is not None:
            if not info.is_required():
                found = tuple(path)
            current = model_in(info.annotation)
    return found


def _without(data: Any, path: Loc) -> Any:
    """A copy of ``data`` without the value at ``path``; only the containers on the path are copied."""
    head, *rest = path
    if isinstance(data, Mapping):
        copy = dict(data)
        if rest:
            copy[head] = _without(data[head], tuple(rest))
        else:
            copy.pop(head, None)
        return copy
    copy_list = list(data)
    copy_list[head] = _without(data[head], tuple(rest))  # type: ignore[index]
    return copy_list


def drop_invalid_optionals(
    model: type[BaseModel], data: Any, errors: Iterable[Mapping[str, Any]], keep: Iterable[str] = ()
) -> tuple[Any, list[str]] | None:
    """``data`` without every optional field an error is about, and their wire paths.

    ``keep`` are wire paths (``a[].b``) that hold images: a field on the way to one is never
    dropped, since that would lose the very thing the reply was paid for. None when some
    error cannot be dropped: the reply cannot be read.
    """
    kept_paths = [_segments(path) for path in keep]
    paths: set[Loc] = set()
    for error in errors:
        path = _deepest_optional(model, data, tuple(error["loc"]))
        if path is None or any(_leads_to(path, target) for target in kept_paths):
            return None
        paths.add(path)
    # Outer paths first; an inner path under a dropped one is gone with it.
    kept: list[Loc] = []
    for path in sorted(paths, key=len):
        if not any(path[: len(outer)] == outer for outer in kept):
            kept.append(path)
    for path in kept:
        data = _without(data, path)
    return data, [_shown(path) for path in kept]


def _segments(wire_path: str) -> list[str]:
    """``"a[].b"`` -> ``["a", "b"]``: the keys of a wire path, list steps left out."""
    return [part.removesuffix("[]") for part in wire_path.split(".") if part.removesuffix("[]")]


def _leads_to(path: Loc, target: list[str]) -> bool:
    """Whether dropping ``path`` would drop (part of the way to) ``target``."""
    keys = [part for part in path if isinstance(part, str)]
    return len(keys) <= len(target) and target[: len(keys)] == keys


def _shown(path: Loc) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
