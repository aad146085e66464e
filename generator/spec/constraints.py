"""Field constraints (pattern, bounds, list lengths): which types they fit and whether they can hold.

The generated models pass them to pydantic, which builds its validators when a model
class is created: a constraint it cannot build would make the generated package fail
at import, so the checker tries each one the same way first.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated

from pydantic import Field, TypeAdapter
from pydantic_core import SchemaError

from generator.spec.schema import FieldSpec

# Which field types each constraint applies to.
_APPLIES_TO = {
    "pattern": ("string",),
    "minimum": ("integer", "number"),
    "maximum": ("integer", "number"),
    "min_items": ("array",),
    "max_items": ("array",),
}


def constraint_problems(field: FieldSpec) -> list[tuple[str, str]]:
    """(key, message) for each constraint of ``field`` that does not fit or cannot be built."""
    problems = []
    for key, kinds in _APPLIES_TO.items():
        if getattr(field, key) is not None and field.type not in kinds:
            what = f"a '{field.type}' field" if field.type else "a ref"
            problems.append((key, f"'{key}' applies to {' and '.join(kinds)} fields, not to {what}"))
    if field.pattern is not None and field.type == "string":
        problem = pattern_problem(field.pattern)
        if problem:
            problems.append(("pattern", problem))
    if field.minimum is not None and field.maximum is not None and field.minimum > field.maximum:
        problems.append(("minimum", f"minimum {field.minimum:g} is above maximum {field.maximum:g}; no value fits"))
    if field.min_items is not None and field.max_items is not None and field.min_items > field.max_items:
        message = f"min_items {field.min_items} is above max_items {field.max_items}; no list fits"
        problems.append(("min_items", message))
    return problems


@cache
def pattern_problem(pattern: str) -> str | None:
    """Why pydantic (Rust regex syntax: no look-around, no backreferences) cannot use ``pattern``, or None."""
    try:
        TypeAdapter(Annotated[str, Field(pattern=pattern)])
    except SchemaError as exc:  # the regex engine's parse and size errors arrive as this
        return f"pattern {pattern!r} is not a regular expression the SDK's validator accepts: {_reason(exc)}"
    return None


def _reason(exc: SchemaError) -> str:
    """The regex engine's own words, e.g. 'unclosed group', without the schema-builder preamble."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    for line in lines:
        if line.startswith("error:"):
            return line.removeprefix("error:").strip()
    return lines[-1] if lines else type(exc).__name__
