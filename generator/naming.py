"""Python names derived from wire names; pure functions shared by the spec checks and the IR,
so what the checker warns about is exactly what the generator will emit."""

from __future__ import annotations

import keyword
import re
from collections.abc import Collection

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|[^A-Za-z0-9]+")


def words(text: str) -> list[str]:
    """Split camelCase, snake_case, kebab-case and dotted text into lower-case words."""
    return [word.lower() for word in _WORD_BOUNDARY.split(text) if word]


def snake_case(text: str) -> str:
    """``aspectRatio`` -> ``aspect_ratio``; keywords and leading digits get a safe form."""
    name = "_".join(words(text)) or "value"
    if name[0].isdigit():
        name = f"v_{name}"
    return f"{name}_" if keyword.iskeyword(name) or name in _RESERVED_PARAMS else name


def pascal_case(text: str) -> str:
    """``get_result`` -> ``GetResult``; ``gpt-image-2`` -> ``GptImage2``."""
    name = "".join(word[:1].upper() + word[1:] for word in words(text)) or "Value"
    return f"V{name}" if name[0].isdigit() else name


def constant_case(text: str) -> str:
    """``gpt-image-2-vip`` -> ``GPT_IMAGE_2_VIP``."""
    name = "_".join(words(text)).upper() or "VALUE"
    return f"V_{name}" if name[0].isdigit() else name


# Keyword arguments every generated method takes besides the spec's fields.
_RESERVED_PARAMS = frozenset({"self", "timeout", "request", "cls"})


def wait_method_name(submitter: str, submitters: Collection[str], polled: Collection[str]) -> str:
    """Name of the wait helper added for a polling endpoint.

    A provider with a single submit/poll pair gets ``wait``; otherwise each
    submitter gets ``wait_<submitter>`` so the helpers cannot clash.
    """
    return "wait" if len(set(polled)) == 1 and len(set(submitters)) == 1 else f"wait_{submitter}"
