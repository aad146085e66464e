"""Wire-path look-ups on plain JSON-like data.

A path is dot-separated keys; ``[]`` after a key means "each item of this
list", e.g. ``candidates[].content.parts[].inlineData``. Look-ups never
raise: missing keys, ``None`` values and wrong types simply yield nothing,
because relay responses routinely omit or null out fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

__all__ = ["Step", "find_all", "find_first", "is_present", "parse_path"]

# One path segment: the key to read ("" = the value itself) and whether the
# value is a list to fan out over.
Step = tuple[str, bool]


@lru_cache(maxsize=1024)
def parse_path(path: str) -> tuple[Step, ...]:
    """Split ``"a[].b"`` into ``(("a", True), ("b", False))``."""
    steps: list[Step] = []
    for part in path.split(".") if path else []:
        each = part.endswith("[]")
        steps.append((part[:-2] if each else part, each))
    return tuple(steps)


def find_all(data: Any, path: str) -> list[Any]:
    """Every non-None value at ``path``, in document order."""
    if path and "." not in path and "[" not in path:
        # One top-level key, what most rules and status fields name: runs for every rule
        # of every request, so no parsing and no lists to build.
        mapping = isinstance(data, (dict, Mapping))  # dict first: no ABC check for it
        value = data.get(path) if mapping else None
        return [] if value is None else [value]
    found: list[Any] = []
    if data is not None:
        _walk(data, parse_path(path), 0, found)
    return found


def _walk(value: Any, steps: tuple[Step, ...], index: int, found: list[Any]) -> None:
    """Append the values at ``steps[index:]`` below ``value`` to ``found``.

    Depth-first into one list: the order is the document's, and a look-up builds no list
    per step (it runs on every chunk of every stream).
    """
    while index < len(steps):
        key, each = steps[index]
        if key:
            # dict first: the ABC check of Mapping costs more than the look-up itself.
            if not isinstance(value, (dict, Mapping)):
                return
            value = value.get(key)
            if value is None:
                return
        index += 1
        if each and isinstance(value, (list, tuple)):
            for item in value:
                if item is not None:
                    _walk(item, steps, index, found)
            return
        # Otherwise a lone object where a list was expected counts as a one-item list:
        # relays are inconsistent about single results.
    found.append(value)


def find_first(data: Any, path: str) -> Any | None:
    """The first non-None value at ``path``, or None."""
    values = find_all(data, path)
    return values[0] if values else None


def is_present(data: Any, path: str) -> bool:
    """True when ``path`` holds at least one non-None value."""
    return bool(find_all(data, path))
