"""Per-call ``extra_headers``, ``extra_query`` and ``extra_body``: what the spec does not list yet.

Request models refuse unknown keys, so a relay's new field goes out through these, on
purpose. They are added after the request was checked, so the spec's rules never see
them. As in openai-python they win over the typed arguments, with one difference:
``extra_body`` merges into nested objects instead of replacing them, so
``extra_body={"generationConfig": {"seed": 7}}`` keeps the typed generationConfig.
The API key is never among them: it goes only where the client puts it, redacted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

from .auth import check_headers
from .descriptors import AuthScheme, Endpoint
from .errors import InvalidRequestError

__all__ = [
    "ExtraBody",
    "ExtraHeaders",
    "ExtraQuery",
    "RequestExtras",
    "merge_body",
    "refuse_key_slots",
    "request_extras",
]

ExtraHeaders: TypeAlias = Mapping[str, str]
ExtraQuery: TypeAlias = Mapping[str, object]
ExtraBody: TypeAlias = Mapping[str, object]

_NO_BODY = frozenset({"GET", "HEAD"})


class RequestExtras:
    """The three per-call extras, checked when the request is encoded.

    A plain slotted class: a dataclass costs every program's import about a millisecond
    (bench figure 5) for no feature used here.
    """

    __slots__ = ("body", "headers", "query")

    def __init__(
        self, headers: ExtraHeaders | None, query: ExtraQuery | None, body: ExtraBody | None
    ) -> None:
        self.headers, self.query, self.body = headers, query, body


def request_extras(
    headers: ExtraHeaders | None, query: ExtraQuery | None, body: ExtraBody | None
) -> RequestExtras | None:
    """None when no extra was given: the common call pays for nothing more."""
    if headers is None and query is None and body is None:
        return None
    return RequestExtras(headers, query, body)


def _mapping(name: str, value: object) -> Mapping[str, Any]:
    if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
        raise InvalidRequestError(
            [f"{name} must be a mapping with str keys, not {type(value).__name__}"]
        )
    return value


def _merged(base: Any, extra: Mapping[str, Any]) -> dict[str, Any]:
    # Copies on the way down: neither the caller's mappings nor the model's dump change.
    merged = dict(base) if isinstance(base, Mapping) else {}
    for key, value in extra.items():
        current = merged.get(key)
        if isinstance(value, Mapping) and isinstance(current, Mapping):
            merged[key] = _merged(current, value)
        else:
            merged[key] = value
    return merged


def merge_body(endpoint: Endpoint, body: dict[str, Any], extra: ExtraBody) -> dict[str, Any]:
    """``body`` with ``extra`` merged in key by key (nested objects merge, other values replace)."""
    extra = _mapping("extra_body", extra)
    if endpoint.body == "none" or endpoint.method.upper() in _NO_BODY:
        raise InvalidRequestError(
            [
                (
                    f"extra_body: {endpoint.method.upper()} {endpoint.path} sends no body; "
                    "use extra_query= for query parameters"
                )
            ]
        )
    return _merged(body, extra)


def refuse_key_slots(extras: RequestExtras, auth: AuthScheme) -> tuple[dict[str, str], dict[str, Any]]:
    """The extra headers and query parameters, checked: sendable, and none where the key goes.

    A key passed there would bypass the client's redaction; it belongs in ``api_key=``.
    """
    headers = check_headers(
        None if extras.headers is None else _mapping("extra_headers", extras.headers),
        subject="extra_headers= argument",
    )
    query = {} if extras.query is None else dict(_mapping("extra_query", extras.query))
    slot = auth.name or "Authorization"
    taken = (
        [name for name in query if name == slot]
        if auth.kind == "query"
        else [name for name in headers if auth.kind != "none" and name.lower() == slot.lower()]
    )
    if taken:
        where = "extra_query" if auth.kind == "query" else "extra_headers"
        raise InvalidRequestError(
            [
                (
                    f"{where}: '{taken[0]}' carries the API key; pass api_key= (or "
                    "client.with_options(api_key=...)) so the key stays redacted"
                )
            ]
        )
    return headers, {name: value for name, value in query.items() if value is not None}
