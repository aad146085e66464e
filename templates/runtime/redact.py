"""Scrub secrets from URLs, headers and free text before they are shown.

Redaction happens at the boundary (error construction, logging), so the
rest of the runtime can pass real URLs around without thinking about it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

if TYPE_CHECKING:
    # Annotations only: httpx loads when a client is created, not on import (see client.py).
    import httpx

__all__ = [
    "MASK",
    "SECRET_HEADERS",
    "SECRET_QUERY_PARAMS",
    "redact_headers",
    "redact_url",
    "scrub",
]

MASK = "***"

# Always masked, whatever the provider's auth scheme says: keys leak through
# copied example URLs more often than through the configured parameter.
SECRET_QUERY_PARAMS = frozenset(
    {"key", "api_key", "apikey", "api-key", "token", "access_token", "secret", "signature"}
)
SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "x-api-key",
        "api-key",
        "x-goog-api-key",
        "cookie",
        "set-cookie",
    }
)


def _masked_netloc(netloc: str) -> str:
    # user:password@host -> ***@host
    if "@" not in netloc:
        return netloc
    return MASK + "@" + netloc.rsplit("@", 1)[1]


def redact_url(url: str | httpx.URL, secret_params: Iterable[str] = ()) -> str:
    """``url`` with the values of secret query parameters replaced by ``***``."""
    text = str(url)
    parts = urlsplit(text)
    names = SECRET_QUERY_PARAMS | {name.lower() for name in secret_params}
    netloc = _masked_netloc(parts.netloc)
    if not parts.query and netloc == parts.netloc:
        return text
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = "&".join(
        f"{quote(name, safe='[]')}={MASK if name.lower() in names else quote(value, safe='/:,')}"
        for name, value in pairs
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact_headers(
    headers: Mapping[str, str] | httpx.Headers, secret_names: Iterable[str] = ()
) -> dict[str, str]:
    """A copy of ``headers`` with credential-bearing values replaced by ``***``."""
    names = SECRET_HEADERS | {name.lower() for name in secret_names}
    return {name: (MASK if name.lower() in names else value) for name, value in headers.items()}


def scrub(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every occurrence of each secret replaced by ``***``.

    Providers sometimes echo the key back ("invalid key sk-..."), so provider
    messages and body excerpts go through this before they reach an error.
    """
    for secret in secrets:
        # Very short values would mask ordinary words; real keys are long.
        if secret and len(secret) >= 6:
            text = text.replace(secret, MASK)
            encoded = quote(secret, safe="")
            if encoded != secret:
                text = text.replace(encoded, MASK)
    return text
