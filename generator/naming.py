"""Python names derived from wire names, and the names generated code already uses.

Pure functions and constants shared by the spec checks and the IR, so what the checker
rejects is exactly what the generator would emit. The reserved sets are checked against
the runtime and the generated package by ``tests/unit/test_reserved_names.py``, so they
cannot fall behind when a template or the runtime gains a name.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|[^A-Za-z0-9]+")

SOFT_KEYWORDS = frozenset(keyword.softkwlist)


def words(text: str) -> list[str]:
    """Split camelCase, snake_case, kebab-case and dotted text into lower-case words."""
    return [word.lower() for word in _WORD_BOUNDARY.split(text) if word]


def snake_case(text: str) -> str:
    """``aspectRatio`` -> ``aspect_ratio``; keywords and leading digits get a safe form."""
    name = "_".join(words(text)) or "value"
    if name[0].isdigit():
        name = f"v_{name}"
    return f"{name}_" if keyword.iskeyword(name) else name


def pascal_case(text: str) -> str:
    """``get_result`` -> ``GetResult``; ``gpt-image-2`` -> ``GptImage2``."""
    name = "".join(word[:1].upper() + word[1:] for word in words(text)) or "Value"
    return f"V{name}" if name[0].isdigit() else name


def constant_case(text: str) -> str:
    """``gpt-image-2-vip`` -> ``GPT_IMAGE_2_VIP``."""
    name = "_".join(words(text)).upper() or "VALUE"
    return f"V_{name}" if name[0].isdigit() else name


def is_keyword(name: str) -> bool:
    """A keyword (``class``, ``None``) or soft keyword (``match``, ``case``, ``type``, ``_``)."""
    return keyword.iskeyword(name) or name in SOFT_KEYWORDS


# -- names the generated package already uses ------------------------------------------

# Module attributes of ``imagerelay/__init__.py``, the package's own modules, the pages of
# the docs site (``docs/<provider>.md`` sits beside them) and names kept for the
# cross-provider interface and mock relays: a provider id may not be one of them.
RESERVED_PROVIDER_IDS = frozenset({
    "annotations", "importlib", "errors", "py",
    "index", "capabilities", "changelog", "reference", "one_interface",
    "generate", "agenerate", "mock", "cli", "main",
})

# A spec an earlier generator accepted may use a name this one has reserved since; the change
# report reads such an old version as it was written (generator/report/sources.py).
_RESERVED_IN_FORCE: ContextVar[bool] = ContextVar("reserved_names_in_force", default=True)


def reserved_in_force() -> bool:
    """Whether the reserved-name checks apply (everywhere but an old version the report reads)."""
    return _RESERVED_IN_FORCE.get()


@contextmanager
def names_as_written() -> Iterator[None]:
    """Within this block, the checker does not refuse names only because they are reserved."""
    token = _RESERVED_IN_FORCE.set(False)
    try:
        yield
    finally:
        _RESERVED_IN_FORCE.reset(token)


# Public members of the clients' base classes (templates/runtime/client.py, core.py): an
# endpoint method of the same name would replace them.
CLIENT_MEMBERS = frozenset({
    "aclose", "base_url", "close", "download", "max_retries", "retry_unsafe", "save_image", "save_images",
    "timeout", "wait", "with_options",
})

# Module-level names of a provider's client.py other than endpoint constants.
CLIENT_MODULE_CONSTANTS = frozenset({"PROVIDER", "TYPE_CHECKING"})

# Keyword arguments every generated method takes besides the spec's fields (``timeout``
# and ``deadline``; the wait helpers' ``poll_interval``, ``max_poll_interval`` and
# ``on_progress``), and the module names a method body uses: a request field with one of
# these Python names would repeat a parameter or hide what the method calls.
RESERVED_PARAMS = frozenset({
    "self", "timeout", "deadline", "poll_interval", "max_poll_interval", "on_progress",
    "models", "catalog", "build_request", "find_first",
    # with_raw_response: the wrappers' helpers and their client.
    "cast", "raw_responses", "raw_stream", "araw_stream", "client", "params",
    # Per-call escape hatches (runtime extras.py), and their helper.
    "extra_headers", "extra_query", "extra_body", "request_extras",
})

# Names a provider's catalog.py defines or imports; enum names and their constants live beside them.
RESERVED_CATALOG_NAMES = frozenset({
    "annotations", "Final", "Literal", "ModelFamily", "find_family", "Size", "SizeTable",
    "ModelId", "MODEL_IDS", "FAMILIES", "family_of", "SIZE_TABLES",
})

# Names models.py and bases.py import (typing, pydantic, the runtime's bases, rules and
# descriptors): a model class of the same name would replace them.
RESERVED_MODEL_NAMES = frozenset({
    "annotations", "Annotated", "Any", "Literal", "Field", "BaseModel", "RootModel", "ConfigDict",
    "RelayModel", "RelayInput", "RelayRequest", "RelayResponse",
    "OneOf", "Forbidden", "RequiredIf", "RequiredAny", "MaxItems", "Exclusive", "When", "PixelSize",
    "ImagePaths", "InlineImagePath", "TaskStatusSpec", "RefusalMarker", "ImageInput",
})


def wait_method_name(submitter: str, submitters: Collection[str], polled: Collection[str]) -> str:
    """Name of the wait helper added for a polling endpoint.

    A provider with a single submit/poll pair gets ``wait``; otherwise each
    submitter gets ``wait_<submitter>`` so the helpers cannot clash.
    """
    return "wait" if len(set(polled)) == 1 and len(set(submitters)) == 1 else f"wait_{submitter}"


def rename_hint(name: str, taken: Collection[str]) -> str:
    """A nearby free name to suggest: ``name_`` or ``name_2``..."""
    candidate = f"{name}_"
    counter = 2
    while candidate in taken or keyword.iskeyword(candidate):
        candidate = f"{name}_{counter}"
        counter += 1
    return candidate
