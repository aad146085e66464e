"""What an unquoted scalar means in the spec language.

YAML 1.1 reads many unquoted forms as something other than text: dates, octal,
hexadecimal and base-60 integers, infinities. The spec language keeps a small
subset nobody is surprised by: null, true/false, decimal integers within 64 bits,
finite decimal floats. Other integer forms stay text (so ``16:9`` is a ratio and
``017`` is not 15), and the forms that would silently change a value are errors.
"""

from __future__ import annotations

import math
import re

from generator.spec.yaml_parsers import BOOL_TAG, SpecLoader

_NULL_TAG = "tag:yaml.org,2002:null"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"

_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_NOT_FINITE = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
_INT_LIMIT = 2**63 - 1
_INT_LIMIT_DIGITS = len(str(_INT_LIMIT))
_SHOWN_LENGTH = 24

Scalar = str | int | float | bool | None


def plain_scalar(text: str) -> tuple[Scalar, str | None]:
    """The value of an unquoted scalar, and the problem with it (the value is then its text)."""
    tag = _implicit_tag(text)
    if tag == _NULL_TAG:
        return None, None
    if tag == BOOL_TAG:
        return text.lower() == "true", None
    if tag == _INT_TAG:
        return _integer(text)
    if tag == _FLOAT_TAG:
        return _float(text)
    if tag == _TIMESTAMP_TAG:
        return text, "an unquoted date; the spec language has no date type; quote it to make it text"
    return text, None


def _implicit_tag(text: str) -> str | None:
    """The YAML 1.1 type of an unquoted scalar (with our booleans), found as PyYAML's resolver finds it."""
    table: dict[str | None, list[tuple[str, re.Pattern[str]]]] = SpecLoader.yaml_implicit_resolvers
    for tag, regexp in table.get(text[:1], []) + table.get(None, []):
        if regexp.match(text):
            return tag
    return None


def _integer(text: str) -> tuple[Scalar, str | None]:
    if not _DECIMAL.fullmatch(text):
        return text, None  # 0x1F, 017, 0b101, 1_000 and base-60 16:9 are text
    digits = len(text.lstrip("+-"))
    # Counted before int(): converting thousands of digits is slow, and refused past 4,300.
    if digits <= _INT_LIMIT_DIGITS and abs(int(text)) <= _INT_LIMIT:
        return int(text), None
    shown = f"the integer {text}" if len(text) <= _SHOWN_LENGTH else f"a {digits}-digit integer"
    return text, (f"{shown} is outside the range ±{_INT_LIMIT} (64 bits); "
                  "write a smaller number, or quote it to make it text")


def _float(text: str) -> tuple[Scalar, str | None]:
    if ":" in text or "_" in text:
        return text, None  # base-60 1:30.5 and 1_000.5 are text, like their integer forms
    if _NOT_FINITE.fullmatch(text):
        return text, (f"{text} is not a finite number; the spec language has no infinity or NaN: "
                      "write a number, or quote it to make it text")
    value = float(text)
    if math.isinf(value):
        shown = text if len(text) <= _SHOWN_LENGTH else f"this {len(text)}-character number"
        return text, (f"{shown} is not a finite number (it is too large for a float); "
                      "write a smaller number, or quote it to make it text")
    return value, None
