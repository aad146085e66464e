"""Does a literal from the spec (a default, a fixed or const value) fit a field's type?"""

from __future__ import annotations

import json
from typing import Any

from generator.spec.schema import FieldSpec

# What each field type accepts, as a diagnostic says it.
TYPE_WORDS = {
    "string": "text",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
    "model": "a model id (text)",
}


def _fits_scalar(kind: str, value: Any) -> bool:
    # bool is an int in Python, but 'true' is no answer to "how many".
    if kind in ("string", "model"):
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    return True


def type_mismatch(field: FieldSpec, value: Any) -> str | None:
    """None when ``value`` fits ``field``, else what the field takes (e.g. "an integer").

    Types the spec cannot describe precisely here (file, any) accept everything;
    a union accepts what any variant accepts, and array items are checked one by one.
    """
    if field.ref is not None:
        return None if isinstance(value, dict) else TYPE_WORDS["object"]
    kind = field.type or "any"
    if kind == "union":
        variants = field.variants or []
        problems = [type_mismatch(variant, value) for variant in variants]
        return None if not variants or None in problems else " or ".join(dict.fromkeys(p for p in problems if p))
    if kind == "array":
        if not isinstance(value, list):
            return TYPE_WORDS["array"]
        item_problems = [type_mismatch(field.items, item) for item in value] if field.items else []
        first = next((problem for problem in item_problems if problem), None)
        return None if first is None else f"a list where each item is {first}"
    if kind == "object":
        return None if isinstance(value, dict) else TYPE_WORDS["object"]
    return None if _fits_scalar(kind, value) else TYPE_WORDS[kind]



def yaml_text(value: Any) -> str:
    """A literal as the spec author wrote it: 'text' quoted, everything else in flow style (true, [1, 2])."""
    if isinstance(value, str):
        return repr(value)
    return json.dumps(value, ensure_ascii=False, default=str)
